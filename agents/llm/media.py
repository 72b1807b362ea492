"""Images as chat-message parts: downscaled PNG in a base64 data URL."""

from __future__ import annotations

import base64

import numpy as np
from PIL import Image

from state.images import encode_png

MAX_SIDE = 768


def downscale(image: np.ndarray, max_side: int = MAX_SIDE) -> np.ndarray:
    """The image with its longer side at most ``max_side`` (vision models tile larger ones,
    which costs tokens without helping a yes/no judgement)."""
    height, width = image.shape[:2]
    scale = max_side / max(height, width)
    if scale >= 1.0:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return np.asarray(Image.fromarray(image).resize(size, Image.Resampling.LANCZOS))


def image_data_url(image: np.ndarray, max_side: int = MAX_SIDE) -> str:
    return "data:image/png;base64," + base64.b64encode(encode_png(downscale(image, max_side))).decode("ascii")


def image_part(image: np.ndarray, max_side: int = MAX_SIDE) -> dict:
    """A user-message content part holding ``image``."""
    return {"type": "image_url", "image_url": {"url": image_data_url(image, max_side)}}


__all__ = ["MAX_SIDE", "downscale", "image_data_url", "image_part"]
