"""What crosses between an API worker and an engine replica: bytes of a checked size, never pickled arrays.

An image travels as ``.npy`` bytes (a fixed header and the raw pixels, so its size follows from its
shape and is checked before anything is decoded) or as a PNG, or, when both sides share a Redis
store, as the reference of a blob already in it. A mask travels as packed bits and its shape.
Detections and insert specs become plain dicts of those.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from PIL import Image

from ..base import Detection, EngineError, InsertSpec

DEFAULT_MAX_PIXELS = 64_000_000
NPY_HEADER_LIMIT = 256  # bytes of .npy header beyond the pixels (the header is 128 bytes for these arrays)


class WireLimits:
    """The largest image either side accepts; a payload larger than its shape allows is refused."""

    def __init__(self, max_pixels: int = DEFAULT_MAX_PIXELS, encoding: str = "npy") -> None:
        if encoding not in ("npy", "png"):
            raise EngineError(f"unknown image encoding {encoding!r}: use npy or png")
        self.max_pixels = int(max_pixels)
        self.encoding = encoding

    def max_bytes(self, channels: int = 4) -> int:
        return self.max_pixels * channels + NPY_HEADER_LIMIT


def _check_array(array: np.ndarray, limits: WireLimits, what: str) -> None:
    if not isinstance(array, np.ndarray) or array.dtype != np.uint8 or array.ndim != 3 or array.shape[2] not in (3, 4):
        raise EngineError(f"{what}: expected an HxWx3 (or x4) uint8 image, got {getattr(array, 'shape', type(array))}")
    if array.shape[0] * array.shape[1] > limits.max_pixels:
        raise EngineError(f"{what}: {array.shape[1]}x{array.shape[0]} is more than the {limits.max_pixels} "
                          "pixels an engine call carries")


def pack_image(array: np.ndarray, limits: WireLimits, *, ref: str | None = None, what: str = "image") -> dict[str, Any]:
    """``{"ref": …}`` for a stored blob, else ``{"npy": bytes}`` or ``{"png": bytes}``."""
    _check_array(array, limits, what)
    if ref is not None:
        return {"ref": ref, "shape": list(array.shape)}
    buffer = io.BytesIO()
    if limits.encoding == "png":
        Image.fromarray(np.ascontiguousarray(array)).save(buffer, format="PNG", compress_level=1)
        return {"png": buffer.getvalue(), "shape": list(array.shape)}
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return {"npy": buffer.getvalue()}


def unpack_image(payload: dict[str, Any], limits: WireLimits, *, blobs: Any = None, what: str = "image") -> np.ndarray:
    """The array a :func:`pack_image` payload carries; size checked before decoding."""
    if not isinstance(payload, dict):
        raise EngineError(f"{what}: expected an image payload, got {type(payload).__name__}")
    if "npy" in payload:
        data = payload["npy"]
        if not isinstance(data, bytes) or len(data) > limits.max_bytes():
            raise EngineError(f"{what}: {len(data) if isinstance(data, bytes) else '?'} bytes is over the limit")
        array = np.load(io.BytesIO(data), allow_pickle=False)
    elif "png" in payload or "ref" in payload:
        shape = payload.get("shape") or []
        if len(shape) != 3 or shape[0] * shape[1] > limits.max_pixels:
            raise EngineError(f"{what}: shape {shape} is missing or over the {limits.max_pixels}-pixel limit")
        if "ref" in payload:
            if blobs is None:
                raise EngineError(f"{what}: sent by blob reference, but this replica has no shared store")
            data = blobs.get(payload["ref"])
        else:
            data = payload["png"]
        with Image.open(io.BytesIO(data)) as decoded:
            if decoded.width * decoded.height > limits.max_pixels:
                raise EngineError(f"{what}: {decoded.width}x{decoded.height} is over the pixel limit")
            array = np.asarray(decoded.convert("RGBA" if shape[2] == 4 else "RGB"))
        if list(array.shape) != list(shape):
            raise EngineError(f"{what}: decoded {array.shape}, expected {tuple(shape)}")
    else:
        raise EngineError(f"{what}: the payload holds no image (keys: {', '.join(payload) or 'none'})")
    _check_array(array, limits, what)
    return array


def pack_mask(mask: np.ndarray, limits: WireLimits, what: str = "mask") -> dict[str, Any]:
    mask = np.asarray(mask)
    if mask.ndim != 2:
        raise EngineError(f"{what}: expected an HxW mask, got shape {mask.shape}")
    if mask.size > limits.max_pixels:
        raise EngineError(f"{what}: {mask.size} pixels is over the {limits.max_pixels}-pixel limit")
    return {"bits": np.packbits(mask.astype(bool)).tobytes(), "shape": [int(mask.shape[0]), int(mask.shape[1])]}


def unpack_mask(payload: dict[str, Any] | None, limits: WireLimits, what: str = "mask") -> np.ndarray | None:
    if payload is None:
        return None
    try:
        height, width = (int(v) for v in payload["shape"])
        bits = payload["bits"]
    except (KeyError, TypeError, ValueError):
        raise EngineError(f"{what}: malformed mask payload") from None
    if height < 0 or width < 0 or height * width > limits.max_pixels:
        raise EngineError(f"{what}: {width}x{height} is over the {limits.max_pixels}-pixel limit")
    if not isinstance(bits, bytes) or len(bits) != (height * width + 7) // 8:
        raise EngineError(f"{what}: {len(bits) if isinstance(bits, bytes) else '?'} bytes do not fit {width}x{height}")
    return np.unpackbits(np.frombuffer(bits, np.uint8), count=height * width).astype(bool).reshape(height, width)


def _plain(value: Any) -> Any:
    """Attribute values as plain Python (numpy scalars become numbers; arrays are not allowed)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        raise EngineError("a detection attribute holds an array: engines return masks in Detection.mask only")
    return value


def pack_detection(detection: Detection, limits: WireLimits) -> dict[str, Any]:
    return {
        "mask": pack_mask(detection.mask, limits), "box": [int(v) for v in detection.box],
        "label": detection.label, "noun": detection.noun, "color": detection.color,
        "rgb": None if detection.rgb is None else [int(v) for v in detection.rgb],
        "score": float(detection.score), "attributes": _plain(detection.attributes),
    }


def unpack_detection(payload: dict[str, Any], limits: WireLimits) -> Detection:
    attributes = payload.get("attributes") or {}
    return Detection(
        mask=unpack_mask(payload["mask"], limits), box=tuple(int(v) for v in payload["box"]),
        label=payload.get("label", "object"), noun=payload.get("noun", "object"), color=payload.get("color"),
        rgb=None if payload.get("rgb") is None else tuple(int(v) for v in payload["rgb"]),
        score=float(payload.get("score", 1.0)),
        # attributes were tuples in process; lists come back only where a tuple went in
        attributes={k: tuple(v) if isinstance(v, list) else v for k, v in attributes.items()},
    )


def pack_spec(spec: InsertSpec, limits: WireLimits) -> dict[str, Any]:
    return {
        "noun": spec.noun, "color": spec.color, "rgb": None if spec.rgb is None else [int(v) for v in spec.rgb],
        "prompt": spec.prompt, "rotation": float(spec.rotation),
        "reference": None if spec.reference is None else pack_image(spec.reference, limits, what="reference"),
        "reference_mask": None if spec.reference_mask is None else pack_mask(spec.reference_mask, limits),
    }


def unpack_spec(payload: dict[str, Any], limits: WireLimits, blobs: Any = None) -> InsertSpec:
    reference = payload.get("reference")
    return InsertSpec(
        noun=payload.get("noun", "circle"), color=payload.get("color"),
        rgb=None if payload.get("rgb") is None else tuple(int(v) for v in payload["rgb"]),
        prompt=payload.get("prompt", ""), rotation=float(payload.get("rotation", 0.0)),
        reference=None if reference is None else unpack_image(reference, limits, blobs=blobs, what="reference"),
        reference_mask=unpack_mask(payload.get("reference_mask"), limits, "reference mask"),
    )


def box_of(values: Any) -> tuple[int, int, int, int] | None:
    return None if values is None else tuple(int(v) for v in values)


def store_identity(blobs: Any) -> dict[str, Any] | None:
    """Which Redis blob store this is (server run id, db, key prefix), or None for any other store:
    a worker sends blob references only to replicas that read the very same keys."""
    client = getattr(blobs, "client", None)
    if client is None or not hasattr(client, "info"):
        return None
    try:
        run_id = client.info("server")["run_id"]
    except Exception:  # noqa: BLE001  (a store we cannot identify gets bytes, not references)
        return None
    return {"run_id": run_id, "db": client.connection_pool.connection_kwargs.get("db", 0),
            "prefix": getattr(blobs, "prefix", "")}
