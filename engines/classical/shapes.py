"""Shape outlines as polygons, shared on purpose by drawing and recognition.

The inserter renders these outlines and the scene parser classifies contours by how well they
overlap the same outlines, so "what a star looks like" is defined once and both sides agree.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from .vocabulary import SHAPES

# Shapes drawn with their natural aspect ratio, centred in the box; the others stretch to fill it.
KEEP_ASPECT: frozenset[str] = frozenset({"circle", "square", "star", "hexagon", "pentagon", "heart"})

STAR_INNER_RATIO = 0.45


def _regular(n: int, start_deg: float = -90.0) -> np.ndarray:
    angles = np.deg2rad(start_deg + 360.0 * np.arange(n) / n)
    return np.stack([np.cos(angles), np.sin(angles)], axis=1)


@functools.cache
def unit_outline(noun: str) -> np.ndarray:
    """The outline of ``noun`` as an ``Nx2`` float polygon (x right, y down), any scale."""
    if noun in ("circle", "ellipse"):
        return _regular(128, 0.0)
    if noun in ("square", "rectangle"):
        return np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64)
    if noun == "triangle":
        return np.array([[0, -1], [1, 1], [-1, 1]], dtype=np.float64)
    if noun == "diamond":
        return np.array([[0, -1], [1, 0], [0, 1], [-1, 0]], dtype=np.float64)
    if noun == "pentagon":
        return _regular(5)
    if noun == "hexagon":
        return _regular(6, 0.0)
    if noun == "star":
        outer = _regular(5)
        inner = _regular(5, -90.0 + 36.0) * STAR_INNER_RATIO
        return np.stack([outer, inner], axis=1).reshape(-1, 2)
    if noun == "heart":
        t = np.linspace(0.0, 2 * np.pi, 160, endpoint=False)
        x = 16 * np.sin(t) ** 3
        y = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))
        return np.stack([x, y], axis=1)
    raise ValueError(f"unknown shape {noun!r}; shapes are {', '.join(SHAPES)}")


def shape_polygon(noun: str, box: tuple[float, float, float, float], rotation: float = 0.0) -> np.ndarray:
    """The outline of ``noun`` fitted into ``box`` (continuous pixel coordinates), rotated clockwise
    by ``rotation`` degrees about the box centre."""
    outline = unit_outline(noun)
    x0, y0, x1, y1 = (float(v) for v in box)
    lo, hi = outline.min(axis=0), outline.max(axis=0)
    size = hi - lo
    sx, sy = (x1 - x0) / size[0], (y1 - y0) / size[1]
    if noun in KEEP_ASPECT:
        sx = sy = min(sx, sy)
    centre = (lo + hi) / 2
    points = (outline - centre) * np.array([sx, sy])
    if rotation:
        theta = np.deg2rad(rotation)
        c, s = np.cos(theta), np.sin(theta)
        points = points @ np.array([[c, s], [-s, c]])
    return points + np.array([(x0 + x1) / 2, (y0 + y1) / 2])


def polygon_alpha(polygons: list[np.ndarray], shape_hw: tuple[int, int],
                  supersample: int = 4) -> tuple[np.ndarray, tuple[int, int]]:
    """Anti-aliased coverage of the union of ``polygons``, as a float32 crop and its (x, y) offset.

    Rendered at ``supersample``x resolution and area-averaged down, so edges are smooth and the
    result is a deterministic function of the polygons.
    """
    height, width = shape_hw
    allpts = np.concatenate(polygons, axis=0)
    x0 = max(int(np.floor(allpts[:, 0].min())) - 1, 0)
    y0 = max(int(np.floor(allpts[:, 1].min())) - 1, 0)
    x1 = min(int(np.ceil(allpts[:, 0].max())) + 1, width)
    y1 = min(int(np.ceil(allpts[:, 1].max())) + 1, height)
    if x1 <= x0 or y1 <= y0:
        return np.zeros((0, 0), np.float32), (0, 0)
    factor = max(1, min(supersample, 4096 // max(x1 - x0, y1 - y0)))
    canvas = np.zeros(((y1 - y0) * factor, (x1 - x0) * factor), np.uint8)
    shift = 4
    scaled = [
        np.round(((p - np.array([x0, y0])) * factor - 0.5) * (1 << shift)).astype(np.int32)
        for p in polygons
    ]
    for polygon in scaled:  # one call per polygon: a joint call would XOR overlaps
        cv2.fillPoly(canvas, [polygon], 255, lineType=cv2.LINE_8, shift=shift)
    small = cv2.resize(canvas, (x1 - x0, y1 - y0), interpolation=cv2.INTER_AREA) if factor > 1 else canvas
    return np.asarray(small, np.float32) / 255.0, (x0, y0)


def render_alpha(polygons: list[np.ndarray], shape_hw: tuple[int, int]) -> np.ndarray:
    """Full-size coverage (``HxW`` float32 in [0, 1]) of the union of ``polygons``."""
    alpha = np.zeros(shape_hw, np.float32)
    crop, (ox, oy) = polygon_alpha(polygons, shape_hw)
    if crop.size:
        alpha[oy:oy + crop.shape[0], ox:ox + crop.shape[1]] = crop
    return alpha
