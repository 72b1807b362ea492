"""Whole-image or masked photo filters with OpenCV.

Tone and colour filters are lookup tables or single fused OpenCV calls, so they stay fast on
large images; with a mask, only masked pixels change (feathered over the mask's outer pixels).
"""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from ..base import EngineError
from .recolor import edge_alpha

FEATHER_PX = 2.0

FilterFn = Callable[[np.ndarray, float, float], np.ndarray]


def _scale(image: np.ndarray) -> float:
    """Spatial filters scale with image size, so 'blur' looks the same at 256 px and 4096 px."""
    return max(image.shape[:2]) / 512.0


def _lut(image: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Apply one 256-entry table per channel (3x256 or 256)."""
    table = np.clip(np.round(table), 0, 255).astype(np.uint8)
    if table.ndim == 1:
        return cv2.LUT(image, table)
    stacked = np.ascontiguousarray(table.T.reshape(256, 1, 3))
    return cv2.LUT(image, stacked)


_RAMP = np.arange(256, dtype=np.float32)


def _blur(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    sigma = max(0.3, 3.0 * strength * scale)
    return cv2.GaussianBlur(image, (0, 0), sigma)


def _sharpen(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    blurred = cv2.GaussianBlur(image, (0, 0), max(0.5, 1.5 * scale))
    amount = 1.2 * strength
    return cv2.addWeighted(image, 1.0 + amount, blurred, -amount, 0)


def _brighten(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    gamma = 1.0 / (1.0 + 0.5 * strength)
    return _lut(image, 255.0 * (_RAMP / 255.0) ** gamma + 10.0 * strength)


def _darken(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    gamma = 1.0 + 0.6 * strength
    return _lut(image, 255.0 * (_RAMP / 255.0) ** gamma)


def _contrast(image: np.ndarray, strength: float, scale: float = 1.0, sign: float = 1.0) -> np.ndarray:
    mid = float(cv2.mean(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY))[0])
    factor = 1.0 + sign * 0.4 * strength if sign > 0 else 1.0 / (1.0 + 0.4 * strength)
    return _lut(image, mid + (_RAMP - mid) * factor)


def _soften_contrast(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    return _contrast(image, strength, scale, sign=-1.0)


def _gray3(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


def _saturate(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    k = 1.0 + 0.6 * strength
    return cv2.addWeighted(image, k, _gray3(image), 1.0 - k, 0)


def _desaturate(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    k = max(0.0, 1.0 - 0.6 * strength)
    return cv2.addWeighted(image, k, _gray3(image), 1.0 - k, 0)


def _grayscale(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    k = max(0.0, 1.0 - strength)
    return cv2.addWeighted(image, k, _gray3(image), 1.0 - k, 0)


_SEPIA = np.array([[0.393, 0.769, 0.189], [0.349, 0.686, 0.168], [0.272, 0.534, 0.131]], np.float32)


def _sepia(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    k = min(1.0, max(0.0, strength))
    matrix = (1.0 - k) * np.eye(3, dtype=np.float32) + k * _SEPIA
    return cv2.transform(image, matrix)


def _invert(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    k = min(1.0, max(0.0, strength))
    return _lut(image, _RAMP * (1.0 - k) + (255.0 - _RAMP) * k)


def _warm(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    shift = 18.0 * strength
    return _lut(image, np.stack([_RAMP + shift, _RAMP + shift * 0.35, _RAMP - shift]))


def _cool(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    shift = 18.0 * strength
    return _lut(image, np.stack([_RAMP - shift, _RAMP + shift * 0.1, _RAMP + shift]))


def _denoise(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    sigma = 25.0 * strength
    return cv2.bilateralFilter(image, 7, sigma, 5.0 * max(1.0, scale))


def _cartoon(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    """Flattened colours (repeated small bilateral filters at half size) plus dark edge lines."""
    height, width = image.shape[:2]
    small = cv2.resize(image, (max(1, width // 2), max(1, height // 2)), interpolation=cv2.INTER_AREA)
    for _ in range(max(1, round(3 * strength))):
        small = cv2.bilateralFilter(small, 7, 40, 7)
    flat = cv2.resize(small, (width, height), interpolation=cv2.INTER_LINEAR)
    levels = 24.0
    flat = _lut(flat, np.floor(_RAMP / levels) * levels + levels / 2)
    gray = cv2.medianBlur(cv2.cvtColor(image, cv2.COLOR_RGB2GRAY), 5)
    edges = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 4)
    return cv2.bitwise_and(flat, flat, mask=edges)


def _sketch(image: np.ndarray, strength: float, scale: float = 1.0) -> np.ndarray:
    """Pencil sketch by colour dodge: gray divided by its blurred negative."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    blurred = cv2.GaussianBlur(255 - gray, (0, 0), max(1.0, 4.0 * strength * scale))
    sketch = cv2.divide(gray, 255 - blurred, scale=256)
    return cv2.cvtColor(sketch, cv2.COLOR_GRAY2RGB)


FILTERS: dict[str, FilterFn] = {
    "blur": _blur, "sharpen": _sharpen, "brighten": _brighten, "darken": _darken,
    "contrast": _contrast, "soften_contrast": _soften_contrast, "saturate": _saturate,
    "desaturate": _desaturate, "grayscale": _grayscale, "sepia": _sepia, "invert": _invert,
    "cartoon": _cartoon, "sketch": _sketch, "denoise": _denoise, "warm": _warm, "cool": _cool,
}

# Filters whose output pixel depends only on the input pixel (no neighbourhood).
POINTWISE = frozenset({"brighten", "darken", "contrast", "soften_contrast", "saturate", "desaturate",
                       "grayscale", "sepia", "invert", "warm", "cool"})


class ClassicalFilter:
    """Named filters over the whole image or a mask."""

    name = "classical"
    filters: tuple[str, ...] = tuple(FILTERS)

    def apply(self, image: np.ndarray, filter_name: str, *, mask: np.ndarray | None = None,
              strength: float = 1.0) -> np.ndarray:
        """Apply ``filter_name`` at ``strength`` (1.0 normal, 0.5 "a bit", 1.8 "a lot")."""
        # 1. Check inputs.
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
        fn = FILTERS.get(filter_name)
        if fn is None:
            raise EngineError(f"unknown filter {filter_name!r}; known filters: {', '.join(FILTERS)}")
        if not np.isfinite(strength) or strength <= 0:
            raise EngineError(f"strength must be a positive number, got {strength}")
        scale = _scale(image)
        if mask is None:
            return fn(image, float(strength), scale)
        mask = np.asarray(mask)
        if mask.shape != image.shape[:2]:
            raise EngineError(f"mask shape {mask.shape} does not match image {image.shape[:2]}")
        mask = mask.astype(bool)
        if not mask.any():
            raise EngineError("the mask is empty: nothing to filter")

        # 2. Filter the mask's box (plus context for neighbourhood filters), blend at the edge.
        ys, xs = np.nonzero(mask)
        height, width = mask.shape
        pad = 0 if filter_name in POINTWISE else int(12 * strength * scale) + 8
        y0, y1 = max(0, int(ys.min()) - pad), min(height, int(ys.max()) + 1 + pad)
        x0, x1 = max(0, int(xs.min()) - pad), min(width, int(xs.max()) + 1 + pad)
        if filter_name in ("contrast", "soften_contrast", "cartoon"):
            filtered = fn(image, float(strength), scale)[y0:y1, x0:x1]  # these measure the whole image
        else:
            filtered = fn(np.ascontiguousarray(image[y0:y1, x0:x1]), float(strength), scale)
        region = mask[y0:y1, x0:x1]
        alpha = edge_alpha(region, FEATHER_PX)[..., None]
        crop = image[y0:y1, x0:x1].astype(np.float32)
        blended = np.clip(np.round(crop * (1 - alpha) + filtered.astype(np.float32) * alpha), 0, 255)
        out = image.copy()
        patch = out[y0:y1, x0:x1]
        patch[region] = blended[region].astype(np.uint8)
        return out
