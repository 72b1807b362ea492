"""Small deterministic scenes for the conversation tests."""

from __future__ import annotations

import numpy as np

from engines.classical.colors import rgb_of
from engines.classical.insertion import draw_shape
from engines.classical.scene import parse_scene


def canvas(width: int = 320, height: int = 240, background=(245, 245, 245)) -> np.ndarray:
    return np.full((height, width, 3), background, dtype=np.uint8)


def gradient(width: int = 320, height: int = 240) -> np.ndarray:
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    top, bottom = np.array([190, 215, 245], np.float32), np.array([250, 240, 225], np.float32)
    return np.broadcast_to(top * (1 - ys) + bottom * ys, (height, width, 3)).astype(np.uint8).copy()


def scene(*objects, base: np.ndarray | None = None) -> np.ndarray:
    """``scene(("circle", "red", (x0, y0, x1, y1)), …)``."""
    image = canvas() if base is None else base.copy()
    for noun, color, box in objects:
        image, _ = draw_shape(image, noun, box, rgb_of(color))
    return image


def found(image, noun: str | None = None, color: str | None = None):
    """Objects re-grounded in an image, filtered by noun and colour."""
    detections = parse_scene(np.asarray(image))
    return [d for d in detections if (noun is None or d.noun == noun) and (color is None or d.color == color)]


def center(detection) -> tuple[float, float]:
    x0, y0, x1, y1 = detection.box
    return ((x0 + x1) / 2, (y0 + y1) / 2)
