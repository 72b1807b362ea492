"""Rendering of benchmark scenes: backgrounds and the shapes on them, deterministically.

Shapes are drawn with the product's own ``draw_shape`` so the target pixels are exactly what an
ideal edit would produce; backgrounds are plain, gradient, noisy-textured or a resized photograph.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

from engines.classical.colors import PALETTE
from engines.classical.insertion import draw_shape

from .models import Background, GTObject, GTState, Scene

PHOTOS: tuple[str, ...] = ("coffee", "chelsea", "rocket", "astronaut", "camera", "coins")


@functools.cache
def _photo(name: str, width: int, height: int) -> np.ndarray:
    from skimage import data

    image = getattr(data, name)()
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    image = image[..., :3]
    resized = cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
    # A soft wash keeps the photo recognisable while giving flat shapes enough contrast.
    return (0.55 * resized + 0.45 * 235).astype(np.uint8)


def render_background(background: Background, width: int, height: int) -> np.ndarray:
    """The background alone (HxWx3 uint8)."""
    if background.kind == "photo":
        if not background.photo:
            raise ValueError("a photo background needs a photo name")
        return _photo(background.photo, width, height).copy()
    first = np.array(background.colors[0], dtype=np.float32)
    if background.kind == "gradient":
        last = np.array(background.colors[1], dtype=np.float32)
        ramp = np.linspace(0.0, 1.0, width, dtype=np.float32)[None, :, None]
        image = np.repeat(first * (1 - ramp) + last * ramp, height, axis=0)
    else:
        image = np.broadcast_to(first, (height, width, 3)).astype(np.float32)
    if background.noise > 0:
        rng = np.random.default_rng(background.seed)
        image = image + rng.normal(0.0, background.noise, image.shape)
    return np.clip(np.rint(image), 0, 255).astype(np.uint8)


def draw_objects(canvas: np.ndarray, objects: list[GTObject]) -> np.ndarray:
    for obj in objects:
        canvas, _ = draw_shape(canvas, obj.noun, tuple(int(round(v)) for v in obj.box), PALETTE[obj.color])
    return canvas


def grayscale(image: np.ndarray) -> np.ndarray:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    return np.stack([gray] * 3, axis=-1)


def render(scene: Scene, state: GTState | None = None) -> np.ndarray:
    """The target image for a state of the scene (the initial scene when ``state`` is None)."""
    objects = state.objects if state is not None else scene.objects
    image = draw_objects(render_background(scene.background, scene.width, scene.height), objects)
    if state is not None and "grayscale" in state.effects:
        image = grayscale(image)
    return image
