"""Turning request fields into images, masks and boxes, and committing an image upload.

Every decode goes through ``state.images.load_image`` with the configured pixel limit, so a
decompression bomb is refused from its header (``image_too_large``) before any pixel is decoded.
"""

from __future__ import annotations

import base64
import binascii
import re

from PIL import Image

from state.errors import CorruptImage
from state.images import decode_image, load_image
from state.models import Turn
from state.store import SessionStore

from ..uploads import commit_upload as keep_upload
from .errors import ApiError

_DATA_URL = re.compile(r"^data:[\w/+.-]*(;[\w=-]+)*;base64,", re.IGNORECASE)


def decode_base64(value: str, field: str, max_bytes: int) -> bytes:
    """Bytes from a base64 string or a data URL; a clear error names the field."""
    text = _DATA_URL.sub("", value.strip(), count=1)
    if len(text) * 3 // 4 > max_bytes:
        raise ApiError("request_too_large", f"{field} is over the limit of {max_bytes:,} bytes")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CorruptImage(f"{field} is not valid base64 ({exc})") from exc


def check_size(data: bytes, field: str, max_bytes: int) -> bytes:
    if len(data) > max_bytes:
        raise ApiError("request_too_large",
                       f"{field} is {len(data):,} bytes, over the limit of {max_bytes:,}; "
                       "send a smaller image or raise RETOUCH_MAX_UPLOAD_BYTES")
    return data


def decode(data: bytes, max_pixels: int) -> Image.Image:
    """Decode (header first, then pixels) under the pixel limit."""
    return load_image(data, max_pixels=max_pixels)


def reference_image(data: bytes, max_pixels: int) -> Image.Image:
    """Reference images keep their alpha: a transparent logo is cut out by it."""
    decoded = decode_image(data, max_pixels=max_pixels)
    if decoded.mode in ("RGBA", "LA") or (decoded.mode == "P" and "transparency" in decoded.info):
        return decoded.convert("RGBA")
    return load_image(decoded, max_pixels=max_pixels)


def check_box(box: list[int] | None, size: tuple[int, int] | None) -> list[int] | None:
    """A drawn box [x0, y0, x1, y1] (exclusive) must be ordered and, when the image is known, inside it."""
    if box is None:
        return None
    if len(box) != 4:
        raise ApiError("invalid_request", f"box must be [x0, y0, x1, y1], got {len(box)} numbers")
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0 or min(x0, y0) < 0:
        raise ApiError("invalid_request", f"box {box} is empty or negative: x1 > x0 >= 0 and y1 > y0 >= 0")
    if size is not None and (x1 > size[0] or y1 > size[1]):
        raise ApiError("invalid_request", f"box {box} reaches outside the {size[0]}x{size[1]} image")
    return [x0, y0, x1, y1]


def commit_upload(store: SessionStore, session_id: str, image: Image.Image) -> Turn:
    """Make ``image`` the session's head as an ``upload`` turn (undo goes back to the previous head).

    The graph needs a message to run a turn; an upload without words is a pure history step.
    """
    return keep_upload(store, session_id, store.images.put_image(image))
