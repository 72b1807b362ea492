"""Small geometry helpers shared by the agents: boxes, masks, overlaps, where things are."""

from __future__ import annotations

import cv2
import numpy as np

from state.models import Box, Region


def box_of_mask(mask: np.ndarray) -> Box | None:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def box_mask(box: Box, shape: tuple[int, int]) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    x0, y0, x1, y1 = clip_box(box, shape)
    mask[y0:y1, x0:x1] = True
    return mask


def clip_box(box: Box, shape: tuple[int, int]) -> Box:
    height, width = shape
    x0, y0, x1, y1 = box
    return (max(0, min(x0, width)), max(0, min(y0, height)), max(0, min(x1, width)), max(0, min(y1, height)))


def box_iou(a: Box, b: Box) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def mask_iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0


def dilate(mask: np.ndarray, pixels: int) -> np.ndarray:
    if pixels <= 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1, 2 * pixels + 1))
    return cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)


def erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    if pixels <= 0:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * pixels + 1, 2 * pixels + 1))
    eroded = cv2.erode(mask.astype(np.uint8), kernel).astype(bool)
    return eroded if eroded.any() else mask


def center(box: Box) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


# Where a named position puts the centre of a thing, as fractions of the image size.
POSITIONS: dict[str, tuple[float, float]] = {
    "top-left": (0.2, 0.2), "top": (0.5, 0.2), "top-right": (0.8, 0.2),
    "left": (0.2, 0.5), "center": (0.5, 0.5), "right": (0.8, 0.5),
    "bottom-left": (0.2, 0.8), "bottom": (0.5, 0.8), "bottom-right": (0.8, 0.8),
}

POSITION_ALIASES: dict[str, str] = {
    "middle": "center", "centre": "center", "upper": "top", "lower": "bottom", "upper-left": "top-left",
    "upper-right": "top-right", "lower-left": "bottom-left", "lower-right": "bottom-right",
    "left-top": "top-left", "right-top": "top-right", "left-bottom": "bottom-left", "right-bottom": "bottom-right",
}


def canonical_position(name: str | None) -> str | None:
    if name is None:
        return None
    name = name.replace(" ", "-").replace("_", "-").lower()
    name = POSITION_ALIASES.get(name, name)
    return name if name in POSITIONS else None


def position_score(box: Box, position: str, shape: tuple[int, int]) -> float:
    """Lower is more 'at that position' (e.g. smaller x for 'left')."""
    height, width = shape
    cx, cy = center(box)
    fx, fy = cx / width, cy / height
    scores = {
        "left": fx, "right": -fx, "top": fy, "bottom": -fy,
        "top-left": fx + fy, "top-right": -fx + fy, "bottom-left": fx - fy, "bottom-right": -fx - fy,
        "center": ((fx - 0.5) ** 2 + (fy - 0.5) ** 2) ** 0.5,
    }
    return scores[position]


def describe_location(box: Box, shape: tuple[int, int]) -> str:
    """'on the left', 'at the top right', 'in the center' — for clarification questions."""
    height, width = shape
    cx, cy = center(box)
    col = "left" if cx < width / 3 else "right" if cx > 2 * width / 3 else ""
    row = "top" if cy < height / 3 else "bottom" if cy > 2 * height / 3 else ""
    if row and col:
        return f"at the {row} {col}"
    if col:
        return f"on the {col}"
    if row:
        return f"at the {row}"
    return "in the center"


def region_from_mask(mask: np.ndarray, mask_ref: str | None = None) -> Region | None:
    box = box_of_mask(mask)
    if box is None:
        return None
    return Region(box=box, mask_ref=mask_ref, area=int(mask.sum()))
