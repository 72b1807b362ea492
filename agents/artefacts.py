"""Does an edited region look like its surroundings? A pure measure for the critic.

A classical fill can leave a smooth smear that PSNR rewards; people see it at once because the
hole has no texture where everything around it does, its colours are off, or its edge shows as a
seam. Each of those is measured against a ring of the unedited surroundings.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

RING = 12  # px of surroundings compared with the region
PASS = 0.5  # scores at or above this look like their surroundings
DETAIL_SIGMA = 2.0  # px: variation coarser than this is shading, finer is texture
TEXTURED_RING = 3.0  # Sobel units of detail (under a grey level): below, the ring is plain or shaded
TEXTURE_TOLERANCE = 0.3  # and texture energy within this fraction of the ring's (a smear falls far below)


@dataclass(frozen=True)
class ArtefactReport:
    """The score in [0, 1] (1: indistinguishable from the surroundings) and what it is made of."""

    score: float
    texture_ratio: float  # mean gradient magnitude inside / in the ring (1 = same texture)
    gradient_distance: float  # 1-D Wasserstein distance of gradient magnitudes, in ring spreads
    color_distance: float  # mean CIELAB ΔE between inside and ring colour distributions
    seam: float  # gradient on the region's boundary / in the ring (1 = no visible seam)
    ring_texture: float = 0.0  # median gradient magnitude of the ring's detail (Sobel units)

    @property
    def textured(self) -> bool:
        """The surroundings have texture a smear would be seen against (not a plain or shaded ring)."""
        return self.ring_texture >= TEXTURED_RING

    @property
    def passed(self) -> bool:
        return self.score >= PASS and abs(self.texture_ratio - 1.0) <= TEXTURE_TOLERANCE


def _gradient(gray: np.ndarray) -> np.ndarray:
    gx = cv2.Sobel(gray, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(gray, cv2.CV_32F, 0, 1, ksize=3)
    return cv2.magnitude(gx, gy)


def texture_energy(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean gradient magnitude (grey levels per px) of ``image`` inside ``mask``."""
    gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY).astype(np.float32)
    mask = mask.astype(bool)
    return float(_gradient(gray)[mask].mean()) if mask.any() else 0.0


def ring_of(mask: np.ndarray, width: int = RING) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool) & ~mask.astype(bool)


def artefact_score(image: np.ndarray, mask: np.ndarray, *, ring: int = RING,
                   exclude: np.ndarray | None = None) -> ArtefactReport:
    """How much the region ``mask`` of ``image`` (HxWx3 uint8 RGB; HxW bool) looks like a ring of
    ``ring`` px around it.

    Four figures, each mapped to [0, 1] and combined by a geometric mean: texture energy (a smear
    has far less gradient than textured surroundings, a noisy patch far more), the distribution of
    gradient magnitudes, the colour distribution (mean ΔE between matched quantiles of L, a, b) and
    the seam (gradient on the boundary against the ring's). A region with no surroundings to compare
    scores 1 (nothing can be said against it). ``exclude`` marks pixels that are not surroundings
    (other objects next to the region): the ring leaves them out.
    """
    mask = np.asarray(mask).astype(bool)
    if image.ndim != 3 or image.shape[2] != 3 or mask.shape != image.shape[:2]:
        raise ValueError(f"expected an HxWx3 image and an HxW mask, got {image.shape} and {mask.shape}")
    around = ring_of(mask, ring)
    if exclude is not None:
        around &= ~np.asarray(exclude).astype(bool)
    if not mask.any() or around.sum() < 16:
        return ArtefactReport(1.0, 1.0, 0.0, 0.0, 1.0)
    inner = mask & ~ring_of(~mask, 2)  # the region without its own boundary
    if inner.sum() < 16:
        inner = mask
    gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY).astype(np.float32)
    grad = _gradient(gray)
    g_in, g_ring = grad[inner], grad[around]
    floor = 1.0  # grey levels per px: flat surroundings are matched by a flat fill
    texture_ratio = (float(g_in.mean()) + floor) / (float(g_ring.mean()) + floor)
    # Whether the ring has texture at all is judged on its detail over the shading, by the median:
    # a smooth glow, a gradient or one edge through the ring is not texture a flat fill lacks.
    detail = _gradient(gray - cv2.GaussianBlur(gray, (0, 0), DETAIL_SIGMA))
    ring_texture = float(np.median(detail[around]))
    quantiles = np.linspace(0.05, 0.95, 19)
    spread = float(np.std(g_ring)) + floor
    gradient_distance = float(np.abs(np.quantile(g_in, quantiles) - np.quantile(g_ring, quantiles)).mean()) / spread
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    color_distance = float(np.linalg.norm(
        np.quantile(lab[inner], quantiles, axis=0) - np.quantile(lab[around], quantiles, axis=0), axis=1).mean())
    boundary = ring_of(mask, 1) | (mask & ring_of(~mask, 1))
    seam = (float(grad[boundary].mean()) + floor) / (float(g_ring.mean()) + floor)

    texture_term = float(np.exp(-abs(np.log(texture_ratio)) / 0.35))
    gradient_term = float(np.exp(-gradient_distance / 0.6))
    color_term = float(np.exp(-color_distance / 12.0))
    seam_term = float(np.exp(-max(0.0, np.log(seam)) / 0.5))
    score = float(np.prod([texture_term, gradient_term, color_term, seam_term]) ** 0.25)
    return ArtefactReport(round(score, 4), round(texture_ratio, 4), round(gradient_distance, 4),
                          round(color_distance, 3), round(seam, 4), round(ring_texture, 3))
