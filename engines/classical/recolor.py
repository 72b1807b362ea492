"""Recolour a region while keeping its shading.

In CIELAB the colour of a pixel splits into lightness (L) and hue/chroma (a, b). Moving a and b
to the target and shifting L by the difference of the median lightness repaints the region in the
target colour while every highlight, shadow and texture keeps its offset from the median.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import EngineError

FEATHER_PX = 2.0  # only the outermost pixels of the mask are blended with the original
MEDIAN_SAMPLES = 20000
RING_PX = 3  # the surroundings an edge pixel is judged against


def _check(image: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
    mask = np.asarray(mask)
    if mask.shape != image.shape[:2]:
        raise EngineError(f"mask shape {mask.shape} does not match image {image.shape[:2]}")
    if len(rgb) != 3 or not all(0 <= int(v) <= 255 for v in rgb):
        raise EngineError(f"target colour must be three values in 0..255, got {rgb}")
    mask = mask.astype(bool)
    if not mask.any():
        raise EngineError("the mask is empty: nothing to recolour")
    return mask


def edge_alpha(mask: np.ndarray, feather: float = FEATHER_PX) -> np.ndarray:
    """1 inside the mask, ramping down over its outer ``feather`` pixels, exactly 0 outside."""
    padded = np.pad(mask.astype(np.uint8), 1)
    distance = cv2.distanceTransform(padded, cv2.DIST_L2, 3)[1:-1, 1:-1]
    return np.clip(distance / feather, 0.0, 1.0).astype(np.float32)


class ClassicalRecolorer:
    """Shading-preserving recolour in CIELAB; only masked pixels change."""

    name = "classical"

    def recolor(self, image: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
        """Repaint ``mask`` in ``rgb``, keeping each pixel's lightness offset from the region's median."""
        # 1. Check inputs; work on the mask's bounding box (plus a ring to see the surroundings).
        mask = _check(image, mask, rgb)
        height, width = mask.shape
        ys, xs = np.nonzero(mask)
        pad = RING_PX + 1
        y0, y1 = max(0, int(ys.min()) - pad), min(height, int(ys.max()) + 1 + pad)
        x0, x1 = max(0, int(xs.min()) - pad), min(width, int(xs.max()) + 1 + pad)
        crop = image[y0:y1, x0:x1]
        region = mask[y0:y1, x0:x1]

        # 2. Measure the region and the target in 8-bit CIELAB (fast, and finer than the eye).
        lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB)
        inside = lab[region]
        if len(inside) > MEDIAN_SAMPLES:  # a strided sample gives the same median much faster
            inside = inside[:: len(inside) // MEDIAN_SAMPLES]
        median = np.median(inside, axis=0)
        target = cv2.cvtColor(np.array([[rgb]], np.uint8), cv2.COLOR_RGB2LAB)[0, 0].astype(np.float32)

        # 3. Shift: L by the median difference (keeps shading), a/b to the target plus local variation.
        shift = np.round(target - median)
        shifted = cv2.add(lab, tuple(float(v) for v in shift) + (0.0,))  # type: ignore[call-overload]
        repainted = cv2.cvtColor(shifted, cv2.COLOR_LAB2RGB)
        patch = crop.copy()
        cv2.copyTo(repainted, region.astype(np.uint8), patch)

        # 4. Edge pixels mix object and surroundings (anti-aliasing): shift each only as far as it
        # is object-coloured, judged against the surroundings just outside the mask.
        edge = region & (edge_alpha(region) < 1.0)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * RING_PX + 1, 2 * RING_PX + 1))
        ring = cv2.dilate(region.astype(np.uint8), kernel).astype(bool) & ~region
        if ring.any() and edge.any():
            outside = np.median(lab[ring], axis=0)
            contrast = float(np.linalg.norm(outside - median))
            edge_lab = lab[edge].astype(np.float32)
            share = np.ones(len(edge_lab), np.float32)
            if contrast > 1.0:
                share = np.clip(1.0 - np.linalg.norm(edge_lab - median, axis=1) / contrast, 0.0, 1.0)
            moved = np.clip(edge_lab + share[:, None] * shift, 0, 255).astype(np.uint8)
            patch[edge] = cv2.cvtColor(moved[None], cv2.COLOR_LAB2RGB)[0]
        out = image.copy()
        out[y0:y1, x0:x1] = patch
        return out
