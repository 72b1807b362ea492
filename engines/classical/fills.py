"""Which fill a hole gets, and the exemplar fill for textured surroundings.

Diffusion (Telea) is invisible only in thin or small holes: anywhere wider it leaves a smooth smear
that textured surroundings give away at once. Plain and grainy surroundings get the fitted
background (exact for synthetic scenes); structured texture gets an exemplar copy, tile by tile,
from the best-matching known neighbourhood. Holes that no offline fill can make plausible (a face,
a whole person, a large share of a textured picture) are refused before anything is painted.

OpenCV-contrib's exemplar fill (``cv2.xphoto.inpaint`` with ``INPAINT_FSR_FAST``) was measured
against this one on the photo benchmark's kind of holes: 2-5x slower and smoother (texture 0.4-0.8
of the ring's against 0.9-1.1 here), so the tile copy below is used.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..base import HoleTooLarge

THIN_HALF_WIDTH = 3.0  # px from the hole's edge to its middle: up to ~6 px across, diffusion is invisible
SMALL_AREA = 120  # px: a hole this small shows no texture of its own
TEXTURED_DETAIL = 3.0  # median Sobel magnitude of a ring's fine detail above which it is textured
DETAIL_SIGMA = 2.0  # px: variation coarser than this is shading, finer is detail
MAX_TEXTURED_FRACTION = 0.2  # of the image: a textured hole larger than this has too little to copy from
# What is made of structure no copied texture can stand in for.
REFUSED_SUBJECTS = {"face": "a face", "head": "a head", "person": "a whole person", "people": "people",
                    "man": "a whole person", "woman": "a whole person", "child": "a whole person",
                    "body": "a whole person", "cat": "a whole animal", "dog": "a whole animal",
                    "subject": "the main subject"}
NEURAL = ("use the neural inpainter for it (RETOUCH_ENGINES=auto with RETOUCH_INPAINT_MODEL set), "
          "or draw a smaller region")


@dataclass(frozen=True)
class HoleProfile:
    """How big and how wide a hole is, against the whole image."""

    area: int
    fraction: float
    half_width: float  # the largest distance from the hole's edge to a pixel inside it

    @classmethod
    def of(cls, hole: np.ndarray, image_area: int) -> HoleProfile:
        area = int(np.count_nonzero(hole))
        inside = cv2.distanceTransform(np.pad(hole, 1).view(np.uint8), cv2.DIST_L2, 3)
        return cls(area, area / max(1, image_area), float(inside.max()))

    @property
    def thin_or_small(self) -> bool:
        return self.half_width <= THIN_HALF_WIDTH or self.area <= SMALL_AREA


def refuse_if_too_large(profile: HoleProfile, textured: bool, subject: str = "") -> None:
    """Raise HoleTooLarge for a hole no offline fill makes plausible; otherwise return."""
    what = REFUSED_SUBJECTS.get((subject or "").lower().strip())
    if what is not None and not profile.thin_or_small:
        raise HoleTooLarge(f"removing {what} leaves a hole that cannot be filled plausibly without a model: "
                           f"{NEURAL}", {"fraction": round(profile.fraction, 4), "area": profile.area})
    if textured and profile.fraction > MAX_TEXTURED_FRACTION:
        raise HoleTooLarge(f"the hole covers {profile.fraction:.0%} of a textured picture (at most "
                           f"{MAX_TEXTURED_FRACTION:.0%} can be filled plausibly without a model): {NEURAL}",
                           {"fraction": round(profile.fraction, 4), "area": profile.area})


def ring_detail(crop: np.ndarray, ring: np.ndarray) -> float:
    """The median gradient magnitude (Sobel) of the fine detail (the image less its blur) in the ring:
    ~0 for a plain or shaded backdrop, whatever its edges; grain and texture lift it all round."""
    if not ring.any():
        return 0.0
    gray = cv2.cvtColor(np.ascontiguousarray(crop), cv2.COLOR_RGB2GRAY).astype(np.float32)
    detail = gray - cv2.GaussianBlur(gray, (0, 0), DETAIL_SIGMA)
    magnitude = cv2.magnitude(cv2.Sobel(detail, cv2.CV_32F, 1, 0, ksize=3), cv2.Sobel(detail, cv2.CV_32F, 0, 1, ksize=3))
    return float(np.median(magnitude[ring]))


def channel_correlation(residual: np.ndarray) -> float:
    """Mean correlation between the colour channels of the ring's residual (1 for a grey picture)."""
    if residual.ndim != 2 or residual.shape[0] < 8:
        return 1.0
    std = residual.std(axis=0)
    if (std < 1e-6).any():
        return 1.0
    corr = np.corrcoef(residual.T)
    return float((corr[0, 1] + corr[0, 2] + corr[1, 2]) / 3)


def choose_fill(profile: HoleProfile, smooth: bool, grain: bool) -> str:
    """Plain or synthetic-grain surroundings → fitted background; thin or small → Telea; else patch copy."""
    if smooth or grain:
        return "background"
    if profile.thin_or_small:
        return "telea"
    return "patch"


PATCH_TILE = 8  # tile side at working scale
PATCH_WORK_SIDE = 128  # the hole's box is searched at most this big
PATCH_CANDIDATES = 200
CONTRAST_WEIGHT = 2.0  # how much a source's spread must match its surroundings' (per squared RGB level)


def _tile_offsets(crop: np.ndarray, hole: np.ndarray, seed: int | None,
                  avoid: np.ndarray | None = None) -> tuple[list[tuple[int, int, int, int]], float]:
    """Exemplar search: for each tile of the hole (outside in), the offset of the known region
    whose surroundings best match the tile's already-known surroundings.

    Returns (tile y, tile x, dy, dx) in the coordinates of ``crop``, and how well the sources
    matched: the median over tiles of the best match's squared difference over the known
    surroundings' variance (about 2 for a random texture, near 0 for a repeating one).
    """
    tile, band = PATCH_TILE, PATCH_TILE // 2
    span = tile + 2 * band
    pad = ((band, band + tile), (band, band + tile))
    img = cv2.copyMakeBorder(crop, band, band + tile, band, band + tile, cv2.BORDER_REFLECT).astype(np.float32)
    todo = np.pad(hole, pad)
    known = np.pad(~hole, pad)
    usable = known if avoid is None else known & ~np.pad(avoid, pad)
    unknown_sum = cv2.integral((~usable).astype(np.uint8))
    window_unknown = (unknown_sum[span:, span:] - unknown_sum[:-span, span:] - unknown_sum[span:, :-span]
                      + unknown_sum[:-span, :-span])
    valid_y, valid_x = np.nonzero(window_unknown == 0)
    if len(valid_y) == 0:
        return [], 0.0
    views = np.lib.stride_tricks.sliding_window_view(img, (span, span, 3))[:, :, 0]
    rng = np.random.default_rng(0 if seed is None else seed)
    distance = cv2.distanceTransform(todo.astype(np.uint8), cv2.DIST_L2, 3)
    ys, xs = np.nonzero(todo)
    tiles = [(ty, tx) for ty in range(int(ys.min()), int(ys.max()) + 1, tile)
             for tx in range(int(xs.min()), int(xs.max()) + 1, tile)
             if todo[ty:ty + tile, tx:tx + tile].any()]
    tiles.sort(key=lambda t: (float(distance[t[0]:t[0] + tile, t[1]:t[1] + tile].max()), t))
    chosen: dict[tuple[int, int], tuple[int, int]] = {}
    result = []
    fits: list[float] = []
    for ty, tx in tiles:
        wy, wx = ty - band, tx - band
        context = known[wy:wy + span, wx:wx + span]
        pick = rng.integers(0, len(valid_y), PATCH_CANDIDATES)
        cand_y, cand_x = list(valid_y[pick]), list(valid_x[pick])
        # Coherence: neighbours' offsets continue the texture they started.
        for ny, nx in ((ty - tile, tx), (ty + tile, tx), (ty, tx - tile), (ty, tx + tile)):
            if (ny, nx) in chosen:
                dy, dx = chosen[(ny, nx)]
                for jy, jx in ((0, 0), (1, 0), (-1, 0), (0, 1), (0, -1)):
                    sy, sx = wy + dy + jy, wx + dx + jx
                    if 0 <= sy < window_unknown.shape[0] and 0 <= sx < window_unknown.shape[1] \
                            and window_unknown[sy, sx] == 0:
                        cand_y.append(sy)
                        cand_x.append(sx)
        # Weighted SSD as matrix products (one pass over the gathered windows for each term).
        flat = views[np.array(cand_y), np.array(cand_x)].reshape(len(cand_y), -1)
        target = img[wy:wy + span, wx:wx + span]
        weight = context.astype(np.float32)
        total = max(float(weight.sum()), 1.0)
        w3 = np.repeat(weight.reshape(-1), 3)
        wt = w3 * target.reshape(-1)
        squares = flat * flat
        cost = (squares @ w3 - 2 * (flat @ wt) + float(wt @ target.reshape(-1))) / total
        known_mean = (target * weight[..., None]).sum(axis=(0, 1)) / total
        known_spread = float(np.sqrt((((target - known_mean) ** 2).sum(axis=2) * weight).sum() / total))
        if CONTRAST_WEIGHT:
            # Squared differences favour flat sources (they are close to anything): also ask the
            # source to vary as much as the known surroundings do, so the copy is not a smear.
            pixels = span * span
            sums = flat.reshape(len(cand_y), pixels, 3).sum(axis=1)
            spread = np.sqrt(np.maximum(squares.sum(axis=1) / pixels - (sums ** 2).sum(axis=1) / pixels ** 2, 0.0))
            cost = cost + CONTRAST_WEIGHT * (spread - known_spread) ** 2
        best = int(cost.argmin())
        fits.append(float(cost[best]) / (known_spread ** 2 + 1.0))
        dy, dx = int(cand_y[best]) - wy, int(cand_x[best]) - wx
        chosen[(ty, tx)] = (dy, dx)
        cell = todo[ty:ty + tile, tx:tx + tile]
        img[ty:ty + tile, tx:tx + tile][cell] = img[ty + dy:ty + dy + tile, tx + dx:tx + dx + tile][cell]
        known[ty:ty + tile, tx:tx + tile] |= cell
        todo[ty:ty + tile, tx:tx + tile] = False
        result.append((ty - band, tx - band, dy, dx))
    return result, float(np.median(fits)) if fits else 0.0


def fill_patch(crop: np.ndarray, hole: np.ndarray, seed: int | None = None,
               avoid: np.ndarray | None = None) -> np.ndarray:
    """Exemplar fill: copy texture tile by tile from well-matching known regions, searched at a
    reduced scale for large holes, copied at full scale.

    Tile seams are left as they are: softening them (a blur) is what turns a copy back into a smear.
    """
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    factor = min(1.0, PATCH_WORK_SIDE / max(int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
    if factor < 1.0:
        size = (max(8, round(width * factor)), max(8, round(height * factor)))
        small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
        small_hole |= cv2.resize(hole.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR) > 0
    else:
        small, small_hole = crop, hole
    small_avoid = None
    if avoid is not None and avoid.any():
        small_avoid = cv2.resize(avoid.astype(np.uint8), small_hole.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    offsets, fit = _tile_offsets(small, small_hole, seed, small_avoid)
    if not offsets:
        return cv2.inpaint(crop, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    out = crop.copy()
    filled = ~hole
    step = PATCH_TILE / factor
    for ty, tx, dy, dx in offsets:
        y0, x0 = max(0, int(round(ty / factor))), max(0, int(round(tx / factor)))
        y1, x1 = min(height, int(round(ty / factor + step))), min(width, int(round(tx / factor + step)))
        if y1 <= y0 or x1 <= x0:
            continue
        fy, fx = int(round(dy / factor)), int(round(dx / factor))
        sy0, sx0 = y0 + fy, x0 + fx
        if sy0 < 0 or sx0 < 0 or sy0 + (y1 - y0) > height or sx0 + (x1 - x0) > width:
            continue
        cell = hole[y0:y1, x0:x1] & ~filled[y0:y1, x0:x1]
        cell &= ~hole[sy0:sy0 + (y1 - y0), sx0:sx0 + (x1 - x0)]
        out[y0:y1, x0:x1][cell] = crop[sy0:sy0 + (y1 - y0), sx0:sx0 + (x1 - x0)][cell]
        filled[y0:y1, x0:x1] |= cell
    if not filled.all():
        out = cv2.inpaint(out, (~filled).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    # A repeating texture (brick) is predicted by the copy itself; a random one (grass) is not,
    # and there the diffusion's shading is the better guess of the hole's coarse brightness.
    strength = float(np.clip((fit - GOOD_FIT) / (RANDOM_FIT - GOOD_FIT), 0.0, 1.0))
    return _with_diffused_structure(out, crop, hole, strength) if strength > 0 else out


GOOD_FIT, RANDOM_FIT = 0.5, 1.0  # match figures between which the diffused shading is phased in
STRUCTURE_SIGMA = 3.0  # px: coarser than this, the fill follows the diffusion from the hole's edge


def _with_diffused_structure(copied: np.ndarray, crop: np.ndarray, hole: np.ndarray,
                             strength: float = 1.0) -> np.ndarray:
    """The copy's fine texture over the diffusion's coarse shading (structure + texture): copied
    tiles come from elsewhere, so their local brightness is a guess, while diffusion from the edge
    predicts it well; the texture is what diffusion cannot give."""
    diffused = cv2.inpaint(crop, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA).astype(np.float32)
    texture = copied.astype(np.float32)
    shading = cv2.GaussianBlur(diffused, (0, 0), STRUCTURE_SIGMA) - cv2.GaussianBlur(texture, (0, 0), STRUCTURE_SIGMA)
    out = copied.copy()
    out[hole] = np.clip(np.round(texture[hole] + strength * shading[hole]), 0, 255).astype(np.uint8)
    return out
