"""Geometric edits: move / scale / rotate / flip one object, and crop / rotate / flip the image.

An object transform lifts the object's pixels, fills the hole it leaves with an inpainter, and
pastes the transformed object back with a soft edge. Whole-image functions also accept bool masks,
so the caller can carry every entity's mask through the same transform.
"""

from __future__ import annotations

from typing import Literal

import cv2
import numpy as np

from ..base import Box, EngineError, Inpainter

Axis = Literal["horizontal", "vertical"]


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")


def _check_mask(mask: np.ndarray, shape_hw: tuple[int, ...], what: str = "mask") -> np.ndarray:
    mask = np.asarray(mask)
    if mask.shape != tuple(shape_hw):
        raise EngineError(f"{what} shape {mask.shape} does not match image {tuple(shape_hw)}")
    return mask.astype(bool)


def object_matrix(box: Box, *, dx: float = 0.0, dy: float = 0.0, scale: float = 1.0, angle: float = 0.0,
                  flip: Axis | None = None) -> np.ndarray:
    """The 2x3 forward affine map (pixel-index coordinates) of an object transform about the centre
    of ``box``: flip, then scale, then rotate ``angle`` degrees clockwise, then shift by (dx, dy)."""
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1 - 1) / 2.0, (y0 + y1 - 1) / 2.0
    theta = np.deg2rad(angle)
    c, s = np.cos(theta), np.sin(theta)
    linear = np.array([[c, -s], [s, c]]) * scale  # y points down, so this turns clockwise
    if flip == "horizontal":
        linear = linear @ np.diag([-1.0, 1.0])
    elif flip == "vertical":
        linear = linear @ np.diag([1.0, -1.0])
    elif flip is not None:
        raise EngineError(f"flip axis must be 'horizontal' or 'vertical', got {flip!r}")
    centre = np.array([cx, cy])
    offset = centre + np.array([dx, dy]) - linear @ centre
    return np.hstack([linear, offset[:, None]])


def transform_object(image: np.ndarray, mask: np.ndarray, *, dx: float = 0.0, dy: float = 0.0,
                     scale: float = 1.0, angle: float = 0.0, flip: Axis | None = None,
                     inpainter: Inpainter, fill_method: str = "auto",
                     avoid_mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Move / scale / rotate / flip the object under ``mask``; returns (new image, new mask).

    The vacated area is filled by ``inpainter``; the object is pasted with an anti-aliased edge and
    clipped at the image border. Pixels under ``avoid_mask`` (say, objects that must stay in front)
    are never painted over. An object moved wholly off the image comes back with an empty mask.
    """
    # 1. Check inputs.
    _check_image(image)
    mask = _check_mask(mask, image.shape[:2])
    if not mask.any():
        raise EngineError("the object mask is empty: nothing to transform")
    if not np.isfinite(scale) or scale <= 0:
        raise EngineError(f"scale must be a positive number, got {scale}")
    avoid = None if avoid_mask is None else _check_mask(avoid_mask, image.shape[:2], "avoid_mask")
    height, width = image.shape[:2]
    ys, xs = np.nonzero(mask)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)

    # 2. Fill the hole the object leaves (one pixel wider, to take its anti-aliased rim too).
    hole = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if hole.all():
        raise EngineError("the object covers the whole image: there is no background to fill from")
    background = inpainter.inpaint(image, hole, method=fill_method)

    # 3. Warp the object (premultiplied by its alpha, so no background bleeds in) into its new box.
    matrix = object_matrix(box, dx=dx, dy=dy, scale=scale, angle=angle, flip=flip)
    corners = np.array([[box[0], box[1]], [box[2], box[1]], [box[0], box[3]], [box[2], box[3]]], float)
    moved = corners @ matrix[:, :2].T + matrix[:, 2]
    rx0, ry0 = max(0, int(np.floor(moved[:, 0].min())) - 2), max(0, int(np.floor(moved[:, 1].min())) - 2)
    rx1, ry1 = min(width, int(np.ceil(moved[:, 0].max())) + 3), min(height, int(np.ceil(moved[:, 1].max())) + 3)
    new_mask = np.zeros((height, width), bool)
    if rx1 <= rx0 or ry1 <= ry0:
        return background, new_mask
    local = matrix.copy()
    local[:, 2] -= (rx0, ry0)
    size = (rx1 - rx0, ry1 - ry0)
    alpha_src, colour_src = _unmix_rim(image, mask)
    premult = colour_src * alpha_src[..., None]
    flags = cv2.INTER_LINEAR
    alpha = cv2.warpAffine(alpha_src, local, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    colour = cv2.warpAffine(premult, local, size, flags=flags, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
    colour = colour / np.maximum(alpha, 1e-6)[..., None]
    if scale > 1.0:
        # Magnifying stretches the edge ramp by ``scale``: steepen it back to about one pixel.
        alpha = np.clip((alpha - 0.5) * scale + 0.5, 0.0, 1.0)
    if avoid is not None:
        alpha[avoid[ry0:ry1, rx0:rx1]] = 0.0

    # 4. Composite over the filled background.
    out = background.copy()
    base = out[ry0:ry1, rx0:rx1].astype(np.float32)
    a = alpha[..., None]
    out[ry0:ry1, rx0:rx1] = np.clip(np.round(base * (1 - a) + colour * a), 0, 255).astype(np.uint8)
    new_mask[ry0:ry1, rx0:rx1] = alpha >= 0.5
    return out, new_mask


def _unmix_rim(image: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-pixel coverage and colour of an object, with its anti-aliased rim separated from the
    background it was blended with.

    A rim pixel mixes object and background; warping it as it is would carry the old background
    along and widen the soft edge each time the object is moved or scaled. A flat-coloured object
    is therefore lifted as its shape (the binary mask as alpha) in its own colour; the warp then
    draws one fresh anti-aliased edge. Textured objects (photo cut-outs) keep their pixels.
    """
    alpha = mask.astype(np.float32)
    colour = image.astype(np.float32)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    inner = cv2.erode(mask.astype(np.uint8), kernel).astype(bool)
    if inner.sum() < 16:
        return alpha, colour
    obj = np.median(colour[inner], axis=0)
    if float(np.abs(colour[inner] - obj).mean()) > 6.0:  # textured (a photo): keep its pixels
        return alpha, colour
    colour[mask] = obj
    return alpha, colour


def _check_box(array: np.ndarray, box: Box) -> Box:
    height, width = array.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        raise EngineError(f"empty crop box {box}")
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if cx1 <= cx0 or cy1 <= cy0:
        raise EngineError(f"crop box {box} lies outside the {width}x{height} image")
    return (cx0, cy0, cx1, cy1)


def crop(image: np.ndarray, box: Box) -> np.ndarray:
    """The part of ``image`` (or a mask) inside ``box``, clipped to the image."""
    x0, y0, x1, y1 = _check_box(image, box)
    return image[y0:y1, x0:x1].copy()


def rotate_image(image: np.ndarray, angle: float, *, expand: bool = True,
                 fill: tuple[int, int, int] = (255, 255, 255)) -> np.ndarray:
    """Rotate clockwise by ``angle`` degrees; ``expand`` grows the canvas to keep every pixel.

    Quarter turns are exact; other angles interpolate (masks use nearest neighbour) and fill the
    uncovered corners with ``fill`` (False for masks).
    """
    array = np.asarray(image)
    if array.ndim not in (2, 3):
        raise EngineError(f"expected an image or a mask, got shape {array.shape}")
    quarter = float(angle) % 360.0
    if quarter % 90.0 == 0.0:
        turns = int(quarter // 90.0)
        return np.ascontiguousarray(np.rot90(array, k=-turns, axes=(0, 1)))
    is_mask = array.dtype == bool
    source = array.astype(np.uint8) if is_mask else array
    height, width = array.shape[:2]
    centre = ((width - 1) / 2.0, (height - 1) / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, -float(angle), 1.0)  # OpenCV turns anticlockwise
    out_w, out_h = width, height
    if expand:
        c, s = abs(matrix[0, 0]), abs(matrix[0, 1])
        out_w, out_h = int(np.ceil(height * s + width * c)), int(np.ceil(height * c + width * s))
        matrix[0, 2] += (out_w - 1) / 2.0 - centre[0]
        matrix[1, 2] += (out_h - 1) / 2.0 - centre[1]
    border = 0 if is_mask else tuple(int(v) for v in fill)
    rotated = cv2.warpAffine(source, matrix, (out_w, out_h),
                             flags=cv2.INTER_NEAREST if is_mask else cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=border)
    return rotated.astype(bool) if is_mask else rotated


def flip_image(image: np.ndarray, axis: Axis) -> np.ndarray:
    """Mirror left-right (``horizontal``) or top-bottom (``vertical``); exact, works on masks too."""
    if axis == "horizontal":
        return np.ascontiguousarray(image[:, ::-1])
    if axis == "vertical":
        return np.ascontiguousarray(image[::-1])
    raise EngineError(f"flip axis must be 'horizontal' or 'vertical', got {axis!r}")
