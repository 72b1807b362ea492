"""Whole-image geometric operations that also carry every entity's mask along."""

from __future__ import annotations

from collections.abc import Callable

import cv2
import numpy as np

from state.models import Box

MaskWarp = Callable[[np.ndarray], np.ndarray]


def crop(image: np.ndarray, box: Box) -> tuple[np.ndarray, MaskWarp]:
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1].copy(), lambda mask: mask[y0:y1, x0:x1].copy()


def flip(image: np.ndarray, axis: str) -> tuple[np.ndarray, MaskWarp]:
    axis_index = 1 if axis == "horizontal" else 0
    return np.ascontiguousarray(np.flip(image, axis=axis_index)), lambda m: np.ascontiguousarray(
        np.flip(m, axis=axis_index)
    )


def rotate(image: np.ndarray, angle: float, fill: tuple[int, int, int] | None = None) -> tuple[np.ndarray, MaskWarp]:
    """Rotate clockwise by ``angle`` degrees, growing the canvas so nothing is cut off.

    Right angles are exact pixel permutations; other angles fill the new corners with ``fill``
    (default: the median colour of the image border).
    """
    quarter = round(angle / 90)
    if abs(angle - 90 * quarter) < 1e-6:
        k = (-quarter) % 4  # np.rot90 turns counter-clockwise
        return np.ascontiguousarray(np.rot90(image, k)), lambda m: np.ascontiguousarray(np.rot90(m, k))
    height, width = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), -angle, 1.0)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(round(height * sin + width * cos)), int(round(height * cos + width * sin))
    matrix[0, 2] += new_w / 2 - width / 2
    matrix[1, 2] += new_h / 2 - height / 2
    if fill is None:
        border = np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])
        fill = tuple(int(v) for v in np.median(border, axis=0))
    rotated = cv2.warpAffine(image, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR,
                             borderMode=cv2.BORDER_CONSTANT, borderValue=fill)

    def warp(mask: np.ndarray) -> np.ndarray:
        moved = cv2.warpAffine(mask.astype(np.uint8) * 255, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR)
        return moved > 127

    return rotated, warp
