"""Pixel plumbing the diffusion engines share: input checks, the work window, resizing, compositing.

Shared on purpose: the inpainter, the attention-removal inpainter and the inserter must agree
exactly on how a region is cut out, sized for the model and pasted back, because the guarantee
"pixels outside the mask are bit-identical" lives here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from ..base import Box, EngineError, check_image, check_mask  # noqa: F401  (re-exported)


def check_box(image: np.ndarray, box: Box) -> Box:
    x0, y0, x1, y1 = (int(v) for v in box)
    height, width = image.shape[:2]
    x0, y0, x1, y1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if x1 - x0 < 2 or y1 - y0 < 2:
        raise EngineError(f"box {box} is empty or outside the {width}x{height} image")
    return x0, y0, x1, y1


@dataclass(frozen=True)
class Window:
    """The part of the image the model edits, and the size the model sees it at."""

    x0: int
    y0: int
    x1: int
    y1: int
    model_w: int
    model_h: int

    @property
    def box(self) -> Box:
        return self.x0, self.y0, self.x1, self.y1

    @property
    def scale(self) -> tuple[float, float]:
        """Model pixels per image pixel, along x and y."""
        return self.model_w / (self.x1 - self.x0), self.model_h / (self.y1 - self.y0)

    def to_model(self, box: Box) -> Box:
        sx, sy = self.scale
        return (int(math.floor((box[0] - self.x0) * sx)), int(math.floor((box[1] - self.y0) * sy)),
                int(math.ceil((box[2] - self.x0) * sx)), int(math.ceil((box[3] - self.y0) * sy)))


def work_window(shape_hw: tuple[int, int], region: Box, native: int, multiple: int, context: float,
                min_context: int) -> Window:
    """The region plus context (``context`` × its size, at least ``min_context`` px), clipped to the
    image, and the model size: longer side = ``native`` (up or down), both sides multiples of ``multiple``.

    The model never sees more than its native size, whatever the image's resolution.
    """
    height, width = shape_hw
    x0, y0, x1, y1 = region
    mx = max(min_context, int(round((x1 - x0) * context)))
    my = max(min_context, int(round((y1 - y0) * context)))
    wx0, wy0, wx1, wy1 = max(0, x0 - mx), max(0, y0 - my), min(width, x1 + mx), min(height, y1 + my)
    ww, wh = wx1 - wx0, wy1 - wy0
    scale = native / max(ww, wh)
    model_w = max(multiple, int(round(ww * scale / multiple)) * multiple)
    model_h = max(multiple, int(round(wh * scale / multiple)) * multiple)
    return Window(wx0, wy0, wx1, wy1, min(model_w, _floor_to(native, multiple)),
                  min(model_h, _floor_to(native, multiple)))


def _floor_to(value: int, multiple: int) -> int:
    return max(multiple, value // multiple * multiple)


def bbox(mask: np.ndarray) -> Box:
    ys, xs = np.nonzero(mask)
    return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def to_model(image: np.ndarray, mask: np.ndarray | None, window: Window) -> tuple[Image.Image, Image.Image | None]:
    """Crop the window and resize it (and the mask) to the model's size."""
    crop = image[window.y0:window.y1, window.x0:window.x1]
    size = (window.model_w, window.model_h)
    pil = Image.fromarray(crop).resize(size, Image.Resampling.LANCZOS)
    if mask is None:
        return pil, None
    m = mask[window.y0:window.y1, window.x0:window.x1].astype(np.uint8) * 255
    # Area resize then any-coverage threshold: a pixel partly inside the hole is regenerated.
    small = cv2.resize(m, size, interpolation=cv2.INTER_AREA) > 0
    return pil, Image.fromarray(small.astype(np.uint8) * 255)


def feather_alpha(mask: np.ndarray, feather_px: int) -> np.ndarray:
    """1 deep inside the mask, ramping down over ``feather_px`` px towards its edge, 0 outside.

    The ramp lies inside the mask, so blending never touches a pixel outside it.
    """
    if feather_px <= 0:
        return mask.astype(np.float32)
    inside = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    return np.clip(inside / float(feather_px), 0.0, 1.0).astype(np.float32) * mask


def paste(image: np.ndarray, edited: Image.Image | np.ndarray, mask: np.ndarray, window: Window,
          feather_px: int) -> np.ndarray:
    """Resize the model's output back to the window and blend it in through the mask only.

    Pixels outside ``mask`` are copied from ``image`` untouched: bit-identical by construction.
    """
    crop_w, crop_h = window.x1 - window.x0, window.y1 - window.y0
    pil = edited if isinstance(edited, Image.Image) else Image.fromarray(edited)
    back = np.asarray(pil.convert("RGB").resize((crop_w, crop_h), Image.Resampling.LANCZOS), dtype=np.float32)
    sub_mask = mask[window.y0:window.y1, window.x0:window.x1]
    alpha = feather_alpha(sub_mask, feather_px)[..., None]
    out = image.copy()
    region = out[window.y0:window.y1, window.x0:window.x1]
    blended = np.rint(alpha * back + (1.0 - alpha) * region.astype(np.float32)).clip(0, 255).astype(np.uint8)
    region[sub_mask] = blended[sub_mask]
    return out


def new_seed(seed: int | None) -> int:
    """The seed to use and record: the caller's, or a fresh random one."""
    if seed is not None:
        return int(seed)
    return int(np.random.SeedSequence().entropy % (2**31 - 1))
