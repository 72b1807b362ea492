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
        # 1. Check inputs; work on the mask's bounding box only.
        mask = _check(image, mask, rgb)
        ys, xs = np.nonzero(mask)
        y0, y1, x0, x1 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
        crop = image[y0:y1, x0:x1]
        region = mask[y0:y1, x0:x1]

        # 2. Measure the region and the target in CIELAB.
        lab = cv2.cvtColor(crop.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2LAB)
        inside = lab[region]
        median = np.median(inside, axis=0)
        target = cv2.cvtColor(np.array([[rgb]], np.float32) / 255.0, cv2.COLOR_RGB2LAB)[0, 0]

        # 3. Shift: L by the median difference (keeps shading), a/b to the target plus local variation.
        shifted = lab + (target - median)
        shifted[..., 0] = np.clip(shifted[..., 0], 0.0, 100.0)
        repainted = cv2.cvtColor(shifted, cv2.COLOR_LAB2RGB) * 255.0

        # 4. Blend at the edge only; pixels outside the mask are untouched.
        alpha = edge_alpha(region)[..., None]
        blended = crop.astype(np.float32) * (1.0 - alpha) + repainted * alpha
        out = image.copy()
        patch = out[y0:y1, x0:x1]
        patch[region] = np.clip(np.round(blended[region]), 0, 255).astype(np.uint8)
        return out
