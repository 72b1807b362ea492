"""Where new or moved things go: named positions, relations to other objects, free space."""

from __future__ import annotations

import numpy as np

from state.models import Box

from .regions import POSITIONS, canonical_position, dilate

DEGREE_FRACTION = {"bit": 0.07, "normal": 0.18, "lot": 0.33}
DIRECTIONS = {
    "left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1),
    "up-left": (-1, -1), "up-right": (1, -1), "down-left": (-1, 1), "down-right": (1, 1),
}


def clamp_box(box: Box, shape: tuple[int, int], margin: int = 0) -> Box:
    """Shift a box (keeping its size) so it lies inside the image."""
    height, width = shape
    x0, y0, x1, y1 = box
    w, h = min(x1 - x0, width), min(y1 - y0, height)
    x0 = min(max(x0, margin), max(width - w - margin, 0))
    y0 = min(max(y0, margin), max(height - h - margin, 0))
    return (int(x0), int(y0), int(x0 + w), int(y0 + h))


def box_at(center: tuple[float, float], size: tuple[int, int], shape: tuple[int, int], margin: int = 0) -> Box:
    w, h = size
    cx, cy = center
    return clamp_box((int(round(cx - w / 2)), int(round(cy - h / 2)), int(round(cx - w / 2)) + w,
                      int(round(cy - h / 2)) + h), shape, margin)


def named_center(position: str, shape: tuple[int, int]) -> tuple[float, float]:
    height, width = shape
    fx, fy = POSITIONS[canonical_position(position) or "center"]
    return (fx * width, fy * height)


def relative_box(rel: str, anchor: Box, size: tuple[int, int], shape: tuple[int, int]) -> Box:
    """A box of ``size`` placed above/below/left of/right of/next to/on ``anchor``."""
    w, h = size
    ax0, ay0, ax1, ay1 = anchor
    acx, acy = (ax0 + ax1) / 2, (ay0 + ay1) / 2
    gap = max(4, int(0.03 * min(shape)))
    height, width = shape
    if rel == "next_to":
        rel = "right_of" if ax1 + gap + w <= width else "left_of"
    centers = {
        "above": (acx, ay0 - gap - h / 2), "below": (acx, ay1 + gap + h / 2),
        "left_of": (ax0 - gap - w / 2, acy), "right_of": (ax1 + gap + w / 2, acy), "on": (acx, acy),
        "between": (acx, acy),  # the anchor box spans the two things' centres (PlanBuilder.anchor)
    }
    if rel not in centers:
        raise ValueError(f"unknown relation {rel!r}")
    return box_at(centers[rel], size, shape)


def free_box(size: tuple[int, int], occupied: np.ndarray, shape: tuple[int, int],
             preferred: tuple[float, float] | None = None, clearance: int = 6) -> Box | None:
    """The box of ``size`` nearest ``preferred`` (default: the centre) that overlaps nothing
    occupied; None when there is no such place."""
    height, width = shape
    w, h = size
    if w > width or h > height:
        return None
    blocked = dilate(occupied, clearance).astype(np.int32)
    integral = np.pad(blocked, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    stride = max(2, min(w, h) // 6)
    ys = np.arange(0, height - h + 1, stride)
    xs = np.arange(0, width - w + 1, stride)
    if len(ys) == 0 or len(xs) == 0:
        return None
    y0, x0 = np.meshgrid(ys, xs, indexing="ij")
    sums = integral[y0 + h, x0 + w] - integral[y0, x0 + w] - integral[y0 + h, x0] + integral[y0, x0]
    free = sums == 0
    if not free.any():
        return None
    px, py = preferred if preferred is not None else (width / 2, height / 2)
    distance = (x0 + w / 2 - px) ** 2 + (y0 + h / 2 - py) ** 2
    distance = np.where(free, distance, np.inf)
    iy, ix = np.unravel_index(int(np.argmin(distance)), distance.shape)
    bx, by = int(x0[iy, ix]), int(y0[iy, ix])
    return (bx, by, bx + w, by + h)


def move_offset(params: dict, box: Box, shape: tuple[int, int]) -> tuple[int, int]:
    """The (dx, dy) a direction-and-amount move asks for."""
    height, width = shape
    ux, uy = DIRECTIONS[params["direction"]]
    if params.get("degree") == "max":
        x0, y0, x1, y1 = box
        margin = int(0.02 * min(shape))
        dx = (margin - x0) if ux < 0 else (width - margin - x1) if ux > 0 else 0
        dy = (margin - y0) if uy < 0 else (height - margin - y1) if uy > 0 else 0
        return int(dx), int(dy)
    if params.get("amount_px") is not None:
        amount_x = amount_y = float(params["amount_px"])
    else:
        fraction = params.get("amount_fraction") or DEGREE_FRACTION.get(params.get("degree") or "normal", 0.18)
        amount_x, amount_y = fraction * width, fraction * height
    return int(round(ux * amount_x)), int(round(uy * amount_y))
