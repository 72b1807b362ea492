"""Scene parsing: every flat-coloured object in an image, with its mask, colour and shape.

Flat objects are exactly what a colour-edge map separates well: inside an object neighbouring
pixels agree, at its outline they do not. So the parser marks pixels that differ from a neighbour
(in CIELAB, where distances match what people see), takes connected regions of the rest, keeps the
regions that are flat, small enough and stand out from their surroundings, grows each back over
its anti-aliased rim, and names its shape by fitting the same outlines the inserter draws.
"""

from __future__ import annotations

import functools
from collections import OrderedDict

import cv2
import numpy as np

from ..base import Detection, EngineError
from .colors import color_name
from .shapes import shape_polygon, unit_outline
from .vocabulary import SHAPES

ANALYSIS_SIDE = 1024  # bigger images are analysed at this size and masks scaled back up
EDGE_DELTA = 3.0  # ΔE between neighbours that counts as an edge, at tolerance 1
MIN_CONTRAST = 10.0  # ΔE an object must differ from its surroundings by, at tolerance 1
MAX_FLATNESS = 0.6  # RMS ΔE inside an object's core, at tolerance 1 (photo regions vary more)
MIN_SHARPNESS = 0.9  # a few px outside, an object's surroundings already differ fully (photos fade)
RIM_SHARE = 0.8  # rim pixels at least ~20% object colour belong to the object
RIM_STEPS = 4  # how far (px) an object's core may grow over such pixels
SHAPE_MIN_FIT = 0.7  # below this overlap with every outline the object is just "object"
ROUND_ASPECT = 1.12  # aspect below which an ellipse is a circle and a rectangle a square
FIT_SIDE = 96  # outlines are fitted at this resolution
# In photographic texture (edges almost everywhere) only truly flat regions are drawn objects: a
# pasted or drawn shape is one solid colour, while a highlight, a shadow or a brick only looks flat.
PHOTO_EDGE_SHARE = 0.2  # share of edge pixels above which the image is photographic texture
PHOTO_MAX_FLATNESS = 0.1


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        got = getattr(image, "shape", type(image))
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {got}")
    if min(image.shape[:2]) < 8:
        raise EngineError(f"image {image.shape[1]}x{image.shape[0]} is too small to parse")


def to_lab(image: np.ndarray) -> np.ndarray:
    """uint8 RGB → float32 CIELAB (L in [0, 100])."""
    return cv2.cvtColor(image.astype(np.float32) * (1.0 / 255.0), cv2.COLOR_RGB2LAB)


def edge_map(lab: np.ndarray, delta: float) -> np.ndarray:
    """Pixels whose colour differs from a 4-neighbour by more than ``delta`` ΔE."""
    limit = delta * delta

    def squared(step: np.ndarray) -> np.ndarray:  # per-channel sums: numpy's axis-2 reduce is slow
        step *= step
        return step[..., 0] + step[..., 1] + step[..., 2]

    dx = squared(lab[:, 1:] - lab[:, :-1]) > limit
    dy = squared(lab[1:] - lab[:-1]) > limit
    edges = np.zeros(lab.shape[:2], bool)
    edges[:, 1:] |= dx
    edges[:, :-1] |= dx
    edges[1:] |= dy
    edges[:-1] |= dy
    return edges


# --------------------------------------------------------------------------- shape classification


def _render(polygon: np.ndarray, shape_hw: tuple[int, int]) -> np.ndarray:
    canvas = np.zeros(shape_hw, np.uint8)
    shift = 3
    pts = np.round((polygon - 0.5) * (1 << shift)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 1, lineType=cv2.LINE_8, shift=shift)
    return canvas.astype(bool)


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.count_nonzero(a | b)
    return np.count_nonzero(a & b) / union if union else 0.0


# How many quarter turns of a fitted rotated box give distinct outlines.
_QUARTER_TURNS = {"circle": 1, "square": 1, "ellipse": 2, "rectangle": 2, "diamond": 2, "hexagon": 2}
# Outlines also fitted by aligning their farthest point from the centroid with the mask's: this
# recovers any rotation of shapes whose farthest point is distinctive (a tip or a vertex).
_TIP_ALIGNED = ("star", "pentagon", "hexagon", "heart")


@functools.cache
def _tip_frame(noun: str) -> tuple[np.ndarray, float, float]:
    """The outline centred on its centroid, its farthest-point distance and that point's angle."""
    outline = unit_outline(noun)
    moments = cv2.moments(outline.astype(np.float32))
    centre = np.array([moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]])
    centred = outline - centre
    distance = np.hypot(centred[:, 0], centred[:, 1])
    tip = centred[int(distance.argmax())]
    return centred, float(distance.max()), float(np.degrees(np.arctan2(tip[1], tip[0])))


def classify_shape(mask: np.ndarray) -> tuple[str, float, dict[str, float]]:
    """Name the shape of a bool mask: (noun, fit score in [0, 1], measurements).

    Each outline in ``SHAPES`` is fitted three ways (into the bounding box, into the rotated
    minimum-area box, and, for regular polygons, aligned to the farthest point from the centroid)
    and scored by overlap; near-ties between related shapes are settled by aspect ratio.
    """
    ys, xs = np.nonzero(mask)
    if len(xs) < 5:
        return "object", 0.0, {"circularity": 0.0, "aspect": 1.0}
    crop = mask[ys.min():ys.max() + 1, xs.min():xs.max() + 1].astype(np.uint8)
    scale = min(1.0, FIT_SIDE / max(crop.shape))
    if scale < 1.0:
        size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
        crop = (cv2.resize(crop * 255, size, interpolation=cv2.INTER_AREA) >= 128).astype(np.uint8)
    framed = np.pad(crop, 2)
    contours, _ = cv2.findContours(framed, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return "object", 0.0, {"circularity": 0.0, "aspect": 1.0}
    contour = max(contours, key=cv2.contourArea)
    filled = np.zeros_like(framed)
    cv2.drawContours(filled, [contour], -1, 1, thickness=cv2.FILLED)
    target = filled.astype(bool)
    hw = target.shape

    area = float(target.sum())
    perimeter = cv2.arcLength(contour, True)
    circularity = float(min(1.0, 4 * np.pi * area / (perimeter * perimeter))) if perimeter else 0.0
    (rcx, rcy), (rw, rh), rangle = cv2.minAreaRect(contour)
    aspect = max(rw, rh) / max(min(rw, rh), 1e-6)
    bx, by, bw, bh = cv2.boundingRect(contour)
    axis_box = (bx, by, bx + bw, by + bh)
    moments = cv2.moments(contour)
    cx, cy = (moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]) if moments["m00"] else (rcx, rcy)
    far = contour[:, 0, :].astype(np.float64)
    far_d = np.hypot(far[:, 0] - cx, far[:, 1] - cy)
    far_pt = far[int(far_d.argmax())]
    far_r = float(far_d.max())
    far_angle = float(np.degrees(np.arctan2(far_pt[1] - cy, far_pt[0] - cx)))

    scores: dict[str, float] = {}
    axis_scores: dict[str, float] = {}
    for noun in SHAPES:
        axis = _iou(target, _render(shape_polygon(noun, axis_box), hw))
        best = axis
        for k in range(_QUARTER_TURNS.get(noun, 4)):
            w, h = (rw, rh) if k % 2 == 0 else (rh, rw)
            box = (rcx - w / 2, rcy - h / 2, rcx + w / 2, rcy + h / 2)
            best = max(best, _iou(target, _render(shape_polygon(noun, box, rangle + 90 * k), hw)))
        if noun in _TIP_ALIGNED:
            centred, radius, tip_angle = _tip_frame(noun)
            theta = np.deg2rad(far_angle - tip_angle)
            c, s = np.cos(theta), np.sin(theta)
            poly = centred @ np.array([[c, s], [-s, c]]) * (far_r / radius) + np.array([cx, cy])
            best = max(best, _iou(target, _render(poly, hw)))
        scores[noun] = best
        axis_scores[noun] = axis
    try:
        tri_area, _ = cv2.minEnclosingTriangle(contour.astype(np.float32))
        if tri_area > 0:  # a degenerate (collinear) contour has no enclosing triangle
            scores["triangle"] = max(scores["triangle"], min(1.0, float(cv2.contourArea(contour)) / tri_area))
    except cv2.error:
        pass

    noun = max(scores, key=lambda n: scores[n])
    score = scores[noun]
    if noun in ("circle", "ellipse"):
        noun = "circle" if aspect < ROUND_ASPECT else "ellipse"
    elif noun in ("square", "rectangle", "diamond"):
        boxy = max(scores["square"], scores["rectangle"])
        # A square turned by about 45° is a diamond, whatever the fits' edge pixels say.
        tilted = abs((rangle % 90) - 45) < 6 and aspect < ROUND_ASPECT
        if tilted or axis_scores["diamond"] >= boxy - 0.02:
            noun = "diamond"
        else:
            noun = "square" if aspect < ROUND_ASPECT else "rectangle"
    if score < SHAPE_MIN_FIT:
        noun = "object"
    return noun, float(score), {"circularity": circularity, "aspect": float(aspect)}


# --------------------------------------------------------------------------- parsing


def _scaled(image: np.ndarray) -> tuple[np.ndarray, float]:
    height, width = image.shape[:2]
    side = max(height, width)
    if side <= ANALYSIS_SIDE:
        return image, 1.0
    factor = ANALYSIS_SIDE / side
    size = (max(8, round(width * factor)), max(8, round(height * factor)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA), factor


def _median(values: np.ndarray) -> np.ndarray:
    return np.median(values, axis=0)


def parse_scene(image: np.ndarray, *, tolerance: float = 1.0,
                min_area_fraction: float = 0.0008) -> list[Detection]:
    """Find every distinct flat-coloured object; returns detections in reading order (top, left).

    ``tolerance`` > 1 accepts more colour variation inside an object and weaker contrast with the
    surroundings; objects smaller than ``min_area_fraction`` of the image are ignored.
    """
    # 1. Check inputs.
    _check_image(image)
    if tolerance <= 0:
        raise EngineError(f"tolerance must be positive, got {tolerance}")
    full_h, full_w = image.shape[:2]

    # 2. Edge map in CIELAB at analysis size.
    small, factor = _scaled(image)
    height, width = small.shape[:2]
    lab = to_lab(small)
    edges = edge_map(lab, EDGE_DELTA * tolerance)

    photographic = float(edges.mean()) > PHOTO_EDGE_SHARE
    max_flatness = min(MAX_FLATNESS * tolerance, PHOTO_MAX_FLATNESS * tolerance) if photographic \
        else MAX_FLATNESS * tolerance

    # 3. Connected regions of non-edge pixels; cheap filters on their statistics first.
    count, labels, stats, _ = cv2.connectedComponentsWithStats((~edges).astype(np.uint8), connectivity=4)
    total = height * width
    min_area = max(12, min_area_fraction * total)
    border = np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]])
    contact = np.bincount(border, minlength=count)
    perimeter = 2 * (height + width)
    areas = stats[:, cv2.CC_STAT_AREA]
    candidates = [
        i for i in range(1, count)
        if areas[i] >= 0.4 * min_area
        and areas[i] <= 0.5 * total
        and contact[i] <= 0.1 * perimeter
        and not (contact[i] > 0 and areas[i] > 0.2 * total)
    ]

    # 4. Keep flat regions that stand out; grow each over its anti-aliased rim; name its shape.
    detections: list[Detection] = []
    ellipse3 = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (3, 3))
    cores = labels > 0
    for i in candidates:
        x, y, w, h = (int(v) for v in stats[i, :4])
        m = 8
        x0, y0 = max(0, x - m), max(0, y - m)
        x1, y1 = min(width, x + w + m), min(height, y + h + m)
        lab_c = lab[y0:y1, x0:x1]
        core = labels[y0:y1, x0:x1] == i
        core_lab = lab_c[core]
        obj = _median(core_lab)
        flatness = float(np.sqrt(((core_lab - obj) ** 2).sum(axis=1).mean()))
        if flatness > max_flatness:
            continue
        near = cv2.dilate(core.astype(np.uint8), ellipse3, iterations=2).astype(bool)
        outer = cv2.dilate(core.astype(np.uint8), ellipse3, iterations=6).astype(bool)
        ring = outer & ~near
        if not ring.any():
            continue
        bg = _median(lab_c[ring])
        contrast = float(np.linalg.norm(obj - bg))
        if contrast < MIN_CONTRAST / tolerance:
            continue
        mid = cv2.dilate(core.astype(np.uint8), ellipse3, iterations=4).astype(bool) & ~near
        sharpness = float(np.median(np.linalg.norm(lab_c[mid] - obj, axis=1))) / max(contrast, 1e-6)
        if sharpness < MIN_SHARPNESS / tolerance:
            continue
        # Grow geodesically over pixels that are partly object colour (the anti-aliased rim and
        # thin tips whose core the edge map ate), never into another object's core.
        accept = (np.linalg.norm(lab_c - obj, axis=2) < RIM_SHARE * contrast) & ~(cores[y0:y1, x0:x1] & ~core)
        mask_c = core
        for _ in range(RIM_STEPS):
            grown = cv2.dilate(mask_c.astype(np.uint8), ellipse3).astype(bool) & accept
            if (grown == mask_c).all():
                break
            mask_c = grown | core
        area_small = int(mask_c.sum())
        if area_small < min_area:
            continue

        noun, fit, measures = classify_shape(mask_c)
        rgb_small = small[y0:y1, x0:x1][core]
        red, green, blue = (int(v) for v in np.median(rgb_small, axis=0))
        rgb = (red, green, blue)
        name = color_name(rgb)

        # 5. Back to full resolution.
        full = np.zeros((full_h, full_w), bool)
        if factor == 1.0:
            fx0, fy0 = x0, y0
            full[y0:y1, x0:x1] = mask_c
            placed = mask_c
        else:
            fx0, fy0 = int(np.floor(x0 / factor)), int(np.floor(y0 / factor))
            fx1, fy1 = min(full_w, int(np.ceil(x1 / factor))), min(full_h, int(np.ceil(y1 / factor)))
            up = cv2.resize(mask_c.astype(np.uint8) * 255, (fx1 - fx0, fy1 - fy0),
                            interpolation=cv2.INTER_LINEAR)
            placed = up >= 128
            full[fy0:fy1, fx0:fx1] = placed
        ys, xs = np.nonzero(placed)  # only the window: the rest of ``full`` is empty
        if len(xs) == 0:
            continue
        box = (fx0 + int(xs.min()), fy0 + int(ys.min()), fx0 + int(xs.max()) + 1, fy0 + int(ys.max()) + 1)
        label = f"{name} {noun if noun != 'object' else 'shape'}"
        detections.append(Detection(
            mask=full, box=box, label=label, noun=noun, color=name, rgb=rgb,
            score=round(min(1.0, fit), 4),
            attributes={"shape": noun, "color": name, "area": int(len(xs)),
                        "circularity": round(measures["circularity"], 4),
                        "aspect": round(measures["aspect"], 4),
                        "contrast": round(contrast, 2), "sharpness": round(sharpness, 3), "flatness": round(flatness, 3)},
        ))
    detections.sort(key=lambda d: (d.box[1], d.box[0]))
    return detections


class SceneCache:
    """A small LRU of parsed scenes keyed by image version, so re-grounding costs nothing."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self._items: OrderedDict[tuple[object, ...], list[Detection]] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> list[Detection] | None:
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        return None

    def put(self, key: tuple[object, ...], value: list[Detection]) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.size:
            self._items.popitem(last=False)

    def parse(self, image: np.ndarray, cache_key: str | None, tolerance: float = 1.0) -> list[Detection]:
        """``parse_scene`` through the cache (no caching without a key)."""
        if cache_key is None:
            return parse_scene(image, tolerance=tolerance)
        key = ("scene", cache_key, tolerance)
        hit = self.get(key)
        if hit is None:
            hit = parse_scene(image, tolerance=tolerance)
            self.put(key, hit)
        return hit
