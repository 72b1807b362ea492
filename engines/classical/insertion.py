"""Insert shapes, composite objects and reference images into a box.

``draw_shape`` is the single renderer for shapes: the inserter, the scene composer and the
synthetic benchmark all call it, so ground-truth scenes and inserted objects are pixel-identical.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..base import Box, EngineError, InsertSpec
from .colors import rgb_of
from .shapes import polygon_alpha, shape_polygon
from .vocabulary import OBJECTS, SHAPES, canonical_noun

RGB = tuple[int, int, int]
FBox = tuple[float, float, float, float]


def _rgb3(values: object) -> RGB:
    r, g, b = (int(v) for v in values)  # type: ignore[attr-defined]
    return (r, g, b)

# What a composite object is painted when no colour is asked for.
DEFAULT_OBJECT_COLORS: dict[str, str] = {
    "sun": "yellow", "balloon": "red", "tree": "green", "house": "brown", "cloud": "white",
    "moon": "yellow", "flower": "pink", "hill": "green", "logo": "blue",
}


@dataclass
class Part:
    """One flat-coloured piece of a drawing: a union of polygons minus optional cut-outs."""

    polygons: list[np.ndarray]
    rgb: RGB
    cutouts: list[np.ndarray] = field(default_factory=list)


def _composite(canvas: np.ndarray, parts: list[Part]) -> tuple[np.ndarray, np.ndarray]:
    """Paint ``parts`` in order; returns the new image and the union coverage (float32).

    Only the parts' bounding region is touched, so drawing on a large canvas stays cheap.
    """
    height, width = canvas.shape[:2]
    layers = []
    for part in parts:
        crop, (ox, oy) = polygon_alpha(part.polygons, (height, width))
        if not crop.size:
            continue
        if part.cutouts:
            cut, (cx, cy) = polygon_alpha(part.cutouts, (height, width))
            if cut.size:  # subtract the cut-out where the two crops overlap
                x0, y0 = max(ox, cx), max(oy, cy)
                x1 = min(ox + crop.shape[1], cx + cut.shape[1])
                y1 = min(oy + crop.shape[0], cy + cut.shape[0])
                if x1 > x0 and y1 > y0:
                    crop = crop.copy()
                    crop[y0 - oy:y1 - oy, x0 - ox:x1 - ox] *= 1.0 - cut[y0 - cy:y1 - cy, x0 - cx:x1 - cx]
        layers.append((crop, ox, oy, part.rgb))
    coverage = np.zeros((height, width), np.float32)
    out = canvas.copy()
    if not layers:
        return out, coverage
    rx0 = min(ox for _, ox, _, _ in layers)
    ry0 = min(oy for _, _, oy, _ in layers)
    rx1 = max(ox + c.shape[1] for c, ox, _, _ in layers)
    ry1 = max(oy + c.shape[0] for c, _, oy, _ in layers)
    region = canvas[ry0:ry1, rx0:rx1].astype(np.float32)
    union = coverage[ry0:ry1, rx0:rx1]
    for crop, ox, oy, rgb in layers:
        alpha = np.zeros(region.shape[:2], np.float32)
        alpha[oy - ry0:oy - ry0 + crop.shape[0], ox - rx0:ox - rx0 + crop.shape[1]] = crop
        a = alpha[..., None]
        region = region * (1.0 - a) + np.asarray(rgb, np.float32) * a
        np.maximum(union, alpha, out=union)
    out[ry0:ry1, rx0:rx1] = np.clip(np.round(region), 0, 255).astype(np.uint8)
    return out, coverage


def _check(canvas: np.ndarray, box: Box) -> None:
    if canvas.ndim != 3 or canvas.shape[2] != 3 or canvas.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 image, got {canvas.shape} {canvas.dtype}")
    x0, y0, x1, y1 = box
    height, width = canvas.shape[:2]
    if x1 <= x0 or y1 <= y0:
        raise EngineError(f"empty box {box}")
    if x1 <= 0 or y1 <= 0 or x0 >= width or y0 >= height:
        raise EngineError(f"box {box} lies outside the {width}x{height} image")


def draw_shape(canvas: np.ndarray, noun: str, box: Box, rgb: RGB, *,
               rotation: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Render one shape (anti-aliased) into ``box``; returns (new image, bool mask of coverage ≥ 0.5).

    Deterministic: the same arguments always give the same pixels.
    """
    _check(canvas, box)
    if noun not in SHAPES:
        raise EngineError(f"cannot draw {noun!r}; shapes are {', '.join(SHAPES)}")
    image, coverage = _composite(canvas, [Part([shape_polygon(noun, box, rotation)], _rgb3(rgb))])
    return image, coverage >= 0.5


def _sub(box: FBox, fx0: float, fy0: float, fx1: float,
         fy1: float) -> FBox:
    """A sub-box given as fractions of ``box``."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    return (x0 + fx0 * w, y0 + fy0 * h, x0 + fx1 * w, y0 + fy1 * h)


def _square_box(box: FBox) -> FBox:
    x0, y0, x1, y1 = box
    side = min(x1 - x0, y1 - y0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def _rounded_rect(box: FBox, radius: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    radius = min(radius, (x1 - x0) / 2, (y1 - y0) / 2)
    corners = [(x1 - radius, y1 - radius, 0), (x0 + radius, y1 - radius, 90),
               (x0 + radius, y0 + radius, 180), (x1 - radius, y0 + radius, 270)]
    points = []
    for cx, cy, start in corners:
        angles = np.deg2rad(start + np.linspace(0, 90, 12))
        points.append(np.stack([cx + radius * np.cos(angles), cy + radius * np.sin(angles)], axis=1))
    return np.concatenate(points)


def object_parts(noun: str, box: Box, rgb: RGB) -> list[Part]:
    """The flat-coloured parts a composite object is drawn from, main colour ``rgb``."""
    b: FBox = (float(box[0]), float(box[1]), float(box[2]), float(box[3]))
    if noun == "sun":
        sq = _square_box(b)
        cx, cy = (sq[0] + sq[2]) / 2, (sq[1] + sq[3]) / 2
        radius = (sq[2] - sq[0]) / 2
        rays = []
        for k in range(8):
            theta = np.deg2rad(k * 45.0)
            tip = np.array([cx + radius * np.cos(theta), cy + radius * np.sin(theta)])
            base = radius * 0.66
            side = np.deg2rad(12.0)
            rays.append(np.array([
                tip,
                [cx + base * np.cos(theta - side), cy + base * np.sin(theta - side)],
                [cx + base * np.cos(theta + side), cy + base * np.sin(theta + side)],
            ]))
        disc = shape_polygon("circle", _sub(sq, 0.22, 0.22, 0.78, 0.78))
        return [Part(rays + [disc], rgb)]
    if noun == "balloon":
        string = shape_polygon("rectangle", _sub(b, 0.485, 0.78, 0.515, 1.0))
        body = shape_polygon("ellipse", _sub(b, 0.1, 0.0, 0.9, 0.8))
        knot = shape_polygon("triangle", _sub(b, 0.44, 0.76, 0.56, 0.82))
        return [Part([string], (70, 70, 70)), Part([body, knot], rgb)]
    if noun == "tree":
        trunk = shape_polygon("rectangle", _sub(b, 0.42, 0.55, 0.58, 1.0))
        crown = shape_polygon("ellipse", _sub(b, 0.1, 0.0, 0.9, 0.68))
        return [Part([trunk], rgb_of("brown")), Part([crown], rgb)]
    if noun == "house":
        body = shape_polygon("rectangle", _sub(b, 0.12, 0.45, 0.88, 1.0))
        roof = shape_polygon("triangle", _sub(b, 0.0, 0.0, 1.0, 0.47))
        door = shape_polygon("rectangle", _sub(b, 0.42, 0.68, 0.58, 1.0))
        roof_rgb = rgb_of("red") if rgb != rgb_of("red") else rgb_of("brown")
        return [Part([body], rgb), Part([roof], roof_rgb), Part([door], (60, 40, 25))]
    if noun == "cloud":
        puffs = [shape_polygon("ellipse", _sub(b, 0.0, 0.35, 1.0, 1.0)),
                 shape_polygon("circle", _sub(b, 0.12, 0.15, 0.52, 0.85)),
                 shape_polygon("circle", _sub(b, 0.38, 0.0, 0.85, 0.8))]
        return [Part(puffs, rgb)]
    if noun == "moon":
        sq = _square_box(b)
        disc = shape_polygon("circle", sq)
        shadow = shape_polygon("circle", _sub(sq, 0.3, -0.1, 1.2, 0.8))
        return [Part([disc], rgb, cutouts=[shadow])]
    if noun == "flower":
        sq = _square_box(b)
        cx, cy = (sq[0] + sq[2]) / 2, (sq[1] + sq[3]) / 2
        side = sq[2] - sq[0]
        petals = []
        for k in range(6):
            theta = np.deg2rad(k * 60.0 - 90.0)
            px, py = cx + 0.3 * side * np.cos(theta), cy + 0.3 * side * np.sin(theta)
            r = 0.2 * side
            petals.append(shape_polygon("circle", (px - r, py - r, px + r, py + r)))
        centre = shape_polygon("circle", _sub(sq, 0.33, 0.33, 0.67, 0.67))
        return [Part(petals, rgb), Part([centre], rgb_of("yellow") if rgb != rgb_of("yellow") else
                                        rgb_of("orange"))]
    if noun == "hill":
        x0, y0, x1, y1 = b
        dome = shape_polygon("ellipse", (x0, y0, x1, y1 + (y1 - y0)))
        dome = dome[dome[:, 1] <= y1 + 1e-6]
        dome = np.concatenate([dome, [[x1, y1], [x0, y1]]])
        return [Part([dome], rgb)]
    if noun == "logo":
        w, h = b[2] - b[0], b[3] - b[1]
        plate = _rounded_rect(b, 0.18 * min(w, h))
        mark = shape_polygon("star", _sub(b, 0.2, 0.2, 0.8, 0.8))
        return [Part([plate], rgb), Part([mark], (250, 250, 250))]
    raise EngineError(f"cannot draw {noun!r}; objects are {', '.join(OBJECTS)}")


def draw_object(canvas: np.ndarray, noun: str, box: Box, rgb: RGB) -> tuple[np.ndarray, np.ndarray]:
    """Render a composite object from ``OBJECTS``; returns (new image, bool mask)."""
    _check(canvas, box)
    image, coverage = _composite(canvas, object_parts(noun, box, rgb))
    return image, coverage >= 0.5


def _clip_box(box: Box, shape_hw: tuple[int, int]) -> Box:
    height, width = shape_hw
    x0, y0, x1, y1 = box
    return (max(0, x0), max(0, y0), min(width, x1), min(height, y1))


def paste_reference(image: np.ndarray, box: Box, reference: np.ndarray,
                    reference_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Resize a reference image into ``box`` and blend it in.

    With an alpha channel or a mask the reference is alpha-composited (its outline matters);
    without one it is Poisson-blended (``seamlessClone``) so its colours meet the scene's.
    """
    _check(image, box)
    ref = np.asarray(reference)
    if ref.ndim != 3 or ref.shape[2] not in (3, 4) or ref.dtype != np.uint8:
        raise EngineError(f"reference must be an HxWx3 or HxWx4 uint8 image, got {ref.shape} {ref.dtype}")
    x0, y0, x1, y1 = _clip_box(box, image.shape[:2])
    w, h = x1 - x0, y1 - y0
    if w < 3 or h < 3:
        raise EngineError(f"box {box} is too small to place a reference image in")
    rgb = cv2.resize(np.ascontiguousarray(ref[..., :3]), (w, h), interpolation=cv2.INTER_AREA)
    alpha: np.ndarray | None = None
    if ref.shape[2] == 4:
        alpha = cv2.resize(ref[..., 3], (w, h), interpolation=cv2.INTER_LINEAR).astype(np.float32) / 255.0
    elif reference_mask is not None:
        m = np.asarray(reference_mask).astype(np.float32)
        alpha = cv2.resize(m, (w, h), interpolation=cv2.INTER_LINEAR)
    out = image.copy()
    mask = np.zeros(image.shape[:2], bool)
    if alpha is not None:
        region = out[y0:y1, x0:x1].astype(np.float32)
        a = alpha[..., None]
        out[y0:y1, x0:x1] = np.clip(np.round(region * (1 - a) + rgb.astype(np.float32) * a), 0, 255)
        mask[y0:y1, x0:x1] = alpha >= 0.5
        return out, mask
    # seamlessClone needs the source to sit strictly inside the destination.
    src_mask = np.zeros((h, w), np.uint8)
    src_mask[1:-1, 1:-1] = 255
    centre = (x0 + w // 2, y0 + h // 2)
    try:
        cloned = cv2.seamlessClone(rgb, image, src_mask, centre, cv2.NORMAL_CLONE)
    except cv2.error:
        cloned = image.copy()
        cloned[y0:y1, x0:x1] = rgb
    mask[y0:y1, x0:x1] = True
    out[mask] = cloned[mask]
    return out, mask


class ClassicalInserter:
    """Draws shapes, composite objects or reference images into a box (no model needed)."""

    name = "classical"

    def insert(self, image: np.ndarray, box: Box, spec: InsertSpec, *,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Insert what ``spec`` describes into ``box``; returns (new image, the object's mask)."""
        _check(image, box)
        if spec.reference is not None:
            return paste_reference(image, box, spec.reference, spec.reference_mask)
        noun = canonical_noun(spec.noun) or spec.noun  # "ball" is drawn as a circle
        if spec.rgb is not None:
            rgb = _rgb3(spec.rgb)
        elif spec.color:
            try:
                rgb = rgb_of(spec.color)
            except ValueError as exc:
                raise EngineError(str(exc)) from None
        else:
            rgb = rgb_of(DEFAULT_OBJECT_COLORS.get(noun, "red"))
        if noun in SHAPES:
            return draw_shape(image, noun, box, rgb, rotation=spec.rotation)
        if noun in OBJECTS:
            return draw_object(image, noun, box, rgb)
        raise EngineError(
            f"the classical inserter cannot draw {noun!r}; it draws shapes ({', '.join(SHAPES)}), "
            f"objects ({', '.join(OBJECTS)}) or a reference image; use a neural inserter for others"
        )
