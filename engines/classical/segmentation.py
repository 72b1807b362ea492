"""Box / points / scribble → mask without a model: scene objects when one fits, else GrabCut."""

from __future__ import annotations

import cv2
import numpy as np

from ..base import Box, EngineError
from .grounding import grabcut_rect
from .scene import SceneCache

BOX_MATCH_IOU = 0.7  # a scene object whose box overlaps the given box this much is the answer
FLOOD_DELTA = 12  # per-channel difference a flood from a point may cross


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")


def _clip_box(box: Box, shape_hw: tuple[int, int]) -> Box:
    height, width = shape_hw
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        raise EngineError(f"empty box {box}")
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if cx1 - cx0 < 2 or cy1 - cy0 < 2:
        raise EngineError(f"box {box} lies outside the {width}x{height} image")
    return (cx0, cy0, cx1, cy1)


def _iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def refine_mask(image: np.ndarray, mask: np.ndarray, *, iterations: int = 4) -> np.ndarray:
    """Snap a user's rough scribble to the object under it (GrabCut, scribble = probable object)."""
    _check_image(image)
    mask = np.asarray(mask)
    if mask.shape != image.shape[:2]:
        raise EngineError(f"mask shape {mask.shape} does not match image {image.shape[:2]}")
    mask = mask.astype(bool)
    if not mask.any():
        raise EngineError("the scribble mask is empty")
    height, width = mask.shape
    ys, xs = np.nonzero(mask)
    pad_x, pad_y = max(4, int(np.ptp(xs) * 0.15)), max(4, int(np.ptp(ys) * 0.15))
    x0, y0 = max(0, int(xs.min()) - pad_x), max(0, int(ys.min()) - pad_y)
    x1, y1 = min(width, int(xs.max()) + 1 + pad_x), min(height, int(ys.max()) + 1 + pad_y)
    crop = np.ascontiguousarray(image[y0:y1, x0:x1])
    scribble = mask[y0:y1, x0:x1]
    init = np.full(scribble.shape, cv2.GC_PR_BGD, np.uint8)
    init[scribble] = cv2.GC_PR_FGD
    core = cv2.erode(scribble.astype(np.uint8), np.ones((5, 5), np.uint8), iterations=2).astype(bool)
    init[core] = cv2.GC_FGD
    # The crop's outer frame is outside the scribble's reach: certain background.
    frame = np.ones(scribble.shape, bool)
    frame[2:-2, 2:-2] = False
    init[frame & ~scribble] = cv2.GC_BGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(crop, init, (0, 0, 0, 0), bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error:
        return mask.copy()  # GrabCut needs both classes; a scribble over a flat area is its own answer
    refined = np.zeros_like(mask)
    refined[y0:y1, x0:x1] = (init == cv2.GC_FGD) | (init == cv2.GC_PR_FGD)
    return refined if refined.any() else mask.copy()


class ClassicalSegmenter:
    """Box → the scene object that fills it, or GrabCut in the box; points → the object under them."""

    name = "classical"

    def __init__(self, cache_size: int = 16) -> None:
        self._scenes = SceneCache(cache_size)

    def segment(self, image: np.ndarray, box: Box | None = None, points: list[tuple[int, int]] | None = None,
                *, cache_key: str | None = None) -> np.ndarray:
        """A bool mask of the object in ``box`` or under ``points`` (x, y)."""
        # 1. Check inputs.
        _check_image(image)
        if box is None and not points:
            raise EngineError("segment needs a box or at least one point")
        height, width = image.shape[:2]
        if points:
            for x, y in points:
                if not (0 <= x < width and 0 <= y < height):
                    raise EngineError(f"point ({x}, {y}) lies outside the {width}x{height} image")
        clipped = None if box is None else _clip_box(box, (height, width))

        # 2. Fast path: a flat object of the scene that the box frames or the points touch.
        objects = self._scenes.parse(image, cache_key)
        if clipped is not None:
            fits = [d for d in objects if _iou(d.box, clipped) >= BOX_MATCH_IOU]
            if fits:
                return max(fits, key=lambda d: _iou(d.box, clipped)).mask.copy()
        if points:
            hit = np.zeros((height, width), bool)
            for det in objects:
                if any(det.mask[y, x] for x, y in points):
                    hit |= det.mask
            if hit.any():
                return hit

        # 3. GrabCut in the box, or a flood from the points refined by GrabCut.
        if clipped is not None:
            mask = grabcut_rect(image, clipped)
            if points:
                mask |= self._flood(image, points)
            return mask if mask.any() else self._box_mask(clipped, (height, width))
        seeds = points or []
        flood = self._flood(image, seeds)
        if 0 < flood.sum() < 0.5 * height * width:
            return refine_mask(image, flood)
        x, y = seeds[0]
        half = max(8, min(height, width) // 8)
        rect = (max(0, x - half), max(0, y - half), min(width, x + half), min(height, y + half))
        return grabcut_rect(image, rect)

    @staticmethod
    def _flood(image: np.ndarray, points: list[tuple[int, int]]) -> np.ndarray:
        height, width = image.shape[:2]
        mask = np.zeros((height + 2, width + 2), np.uint8)
        delta = (FLOOD_DELTA,) * 3
        work = image.copy()  # floodFill wants a writable image even when it only marks the mask
        for x, y in points:
            cv2.floodFill(work, mask, (int(x), int(y)), (0, 0, 0), delta, delta,
                          4 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (1 << 8))
        return mask[1:-1, 1:-1].astype(bool)

    @staticmethod
    def _box_mask(box: Box, shape_hw: tuple[int, int]) -> np.ndarray:
        mask = np.zeros(shape_hw, bool)
        x0, y0, x1, y1 = box
        mask[y0:y1, x0:x1] = True
        return mask
