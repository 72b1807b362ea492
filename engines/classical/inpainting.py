"""Fill a masked hole from its surroundings, without a model.

Four strategies, chosen by the hole's size and what surrounds it (``fills``): a fitted smooth
background with matched grain (plain, gradient and noisy backgrounds: exact for synthetic scenes),
an exemplar texture copy, tile by tile, from well-matching known regions (textured photographs),
and OpenCV's Telea / Navier-Stokes diffusion (thin or small holes only: wider, it smears). A hole
too large to fill plausibly offline is refused with HoleTooLarge. All work on the hole's bounding
box plus a margin, never the whole image.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import EngineError, check_image, check_mask
from .fills import (
    TEXTURED_DETAIL,
    HoleProfile,
    channel_correlation,
    choose_fill,
    fill_patch,
    refuse_if_too_large,
    ring_detail,
)

METHODS = ("auto", "background", "patch", "telea", "ns")
RING = 10  # px of surroundings the fill is measured and fitted from
SMOOTH_RESIDUAL = 2.5  # RGB std of the ring around a smooth fit below which the ring is plain
SMOOTH_INLIERS = 0.9  # share of the ring the smooth fit must explain for the ring to be plain
GRAIN_ROUGHNESS = 0.6  # neighbour-difference ratio above which leftover variation is grain
IID_CHANNEL_CORRELATION = 0.5  # channel correlation of the residual below which grain is independent


def _window(mask: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    return (max(0, int(xs.min()) - margin), max(0, int(ys.min()) - margin),
            min(width, int(xs.max()) + 1 + margin), min(height, int(ys.max()) + 1 + margin))


def _ring(hole: np.ndarray, width: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return cv2.dilate(hole.astype(np.uint8), kernel).astype(bool) & ~hole


def _design(xs: np.ndarray, ys: np.ndarray, scale: float) -> np.ndarray:
    x, y = xs / scale, ys / scale
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)


def _apply(design: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``design @ coef`` for a tall design matrix (a term-by-term sum is several times faster)."""
    out = np.zeros((design.shape[0], coef.shape[1]))
    for k in range(design.shape[1]):
        out += design[:, k:k + 1] * coef[k]
    return out


class RingStats:
    """What the surroundings of a hole look like: a smooth fit and the variation it leaves."""

    def __init__(self, crop: np.ndarray, hole: np.ndarray) -> None:
        ring = _ring(hole, RING)
        if ring.sum() < 12:
            raise EngineError("too little image around the hole to fill it from")
        ys, xs = np.nonzero(ring)
        self.scale = float(max(crop.shape[:2]))
        values = crop[ys, xs].astype(np.float64)
        design = _design(xs.astype(np.float64), ys.astype(np.float64), self.scale)
        weights = np.ones(len(xs))
        coef = np.zeros((6, 3))
        # Iteratively reweighted least squares: other objects touching the ring get no say.
        for _ in range(3):
            weighted = design * weights[:, None]
            # Normal equations: gram matrices are fast, tall-skinny products are not.
            coef = np.linalg.solve(weighted.T @ design + 1e-9 * np.eye(6), weighted.T @ values)
            residual = values - _apply(design, coef)
            norm = np.linalg.norm(residual, axis=1)
            spread = 1.4826 * np.median(norm) + 1.0
            weights = 1.0 / (1.0 + (norm / (2.5 * spread)) ** 4)
        self.coef = coef
        inliers = weights > 0.5
        self.inlier_fraction = float(inliers.mean())
        residual = values - _apply(design, coef)
        self.noise = residual[inliers].std(axis=0) if inliers.sum() > 8 else residual.std(axis=0)
        kept = residual[inliers] if inliers.sum() > 8 else residual
        self.channel_correlation = channel_correlation(kept)
        self.covariance = np.cov(kept.T) if len(kept) > 3 else np.diag(self.noise ** 2)
        self.detail = ring_detail(crop, ring)
        # Grain (independent pixel noise) differs between neighbours as much as overall; texture
        # with structure varies slowly, so neighbouring differences are small compared with it.
        fit = np.zeros(crop.shape, np.float64)
        fit[ys, xs] = _apply(design, coef)
        res_img = crop.astype(np.float64) - fit
        pair = ring[:, 1:] & ring[:, :-1]
        diffs = (res_img[:, 1:] - res_img[:, :-1])[pair]
        total_var = float((self.noise ** 2).mean())
        self.roughness = float((diffs ** 2).mean() / (2 * total_var)) if total_var > 1e-6 and len(diffs) else 1.0

    @property
    def smooth(self) -> bool:
        """A plain or gradient ring, other objects touching it aside. Texture such as brick's
        mortar lines is not 'other objects': when much of the ring is outliers, it is not plain."""
        return float(self.noise.mean()) < SMOOTH_RESIDUAL and self.inlier_fraction >= SMOOTH_INLIERS

    @property
    def grainy(self) -> bool:
        """Leftover variation that is independent pixel noise, per pixel and per channel (synthetic
        grain): a photo's texture, even a fine one, moves its channels together."""
        return (self.roughness > GRAIN_ROUGHNESS and self.channel_correlation < IID_CHANNEL_CORRELATION
                and self.inlier_fraction >= SMOOTH_INLIERS)

    @property
    def textured(self) -> bool:
        """Fine detail all round the ring (a photo's grain, a noisy backdrop), even where a smooth
        fit explains it well: a flat fill would show as a smear against it."""
        return self.detail >= TEXTURED_DETAIL

    def evaluate(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return _apply(_design(xs.astype(np.float64), ys.astype(np.float64), self.scale), self.coef)


def _fill_background(crop: np.ndarray, hole: np.ndarray, stats: RingStats, seed: int | None) -> np.ndarray:
    ys, xs = np.nonzero(hole)
    values = stats.evaluate(xs, ys)
    if not stats.smooth or stats.textured:
        # Grain with the ring's spread and its colour correlation (a photo's grain moves its
        # channels together; synthetic noise does not).
        rng = np.random.default_rng(0 if seed is None else seed)
        try:
            factor = np.linalg.cholesky(stats.covariance + 1e-6 * np.eye(3))
        except np.linalg.LinAlgError:
            factor = np.diag(stats.noise)
        values = values + rng.normal(0.0, 1.0, values.shape) @ factor.T
    out = crop.copy()
    out[ys, xs] = np.clip(np.round(values), 0, 255).astype(np.uint8)
    return out


def choose_method(stats: RingStats) -> str:
    """Smooth or grainy surroundings → fitted background; structured texture → patch copy."""
    if stats.smooth or stats.grainy:
        return "background"
    return "patch"


class ClassicalInpainter:
    """Model-free hole filling; pixels outside the mask come back bit-identical."""

    name = "classical"
    methods = METHODS
    last_method: str = ""  # what "auto" chose on the last call, so a retry can try another

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None, avoid: np.ndarray | None = None, subject: str = "") -> np.ndarray:
        """Fill ``mask`` in ``image`` (``prompt`` is ignored: there is no model to guide).

        ``avoid`` marks pixels that must not be copied into the hole (other objects nearby), so a
        texture fill does not clone a neighbour into the gap. ``subject`` names what the hole was
        (``"face"``, ``"person"``): some things cannot be filled plausibly without a model, and
        HoleTooLarge says so before anything is painted, whatever the method.
        """
        # 1. Check inputs.
        if method not in METHODS:
            raise EngineError(f"unknown inpainting method {method!r}; methods are {', '.join(METHODS)}")
        check_image(image)
        hole_full = check_mask(image, mask)

        # 2. Work on the hole's box plus a margin (wider for a texture copy, which needs sources).
        x0, y0, x1, y1 = _window(hole_full, RING + 4)
        crop, hole = image[y0:y1, x0:x1], hole_full[y0:y1, x0:x1]
        profile = HoleProfile.of(hole, image.shape[0] * image.shape[1])
        stats = RingStats(crop, hole)
        refuse_if_too_large(profile, textured=not (stats.smooth or stats.grainy), subject=subject)

        # 3. Fill.
        chosen = choose_fill(profile, stats.smooth, stats.grainy) if method == "auto" else method
        self.last_method = chosen
        if chosen in ("telea", "ns"):
            flag = cv2.INPAINT_TELEA if chosen == "telea" else cv2.INPAINT_NS
            filled = cv2.inpaint(crop, hole.astype(np.uint8), 3, flag)
        elif chosen == "background":
            filled = _fill_background(crop, hole, stats, seed)
        else:
            ys, xs = np.nonzero(hole_full)
            margin = int(max(np.ptp(xs), np.ptp(ys)) * 1.5) + 16
            x0, y0, x1, y1 = _window(hole_full, margin)
            crop, hole = image[y0:y1, x0:x1], hole_full[y0:y1, x0:x1]
            filled = fill_patch(crop, hole, seed, None if avoid is None else avoid[y0:y1, x0:x1])

        # 4. Only hole pixels change.
        out = image.copy()
        region = out[y0:y1, x0:x1]
        region[hole] = filled[hole]
        return out
