"""Content-addressed blob stores for images and masks (sha256 of the encoded bytes)."""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
from PIL import Image

from .images import content_hash, decode_image, decode_mask, encode_mask, encode_png, pack_mask


@runtime_checkable
class BlobStore(Protocol):
    """Stores immutable byte strings under the sha256 of their content."""

    def put(self, data: bytes) -> str: ...

    def get(self, ref: str) -> bytes: ...

    def has(self, ref: str) -> bool: ...

    def delete(self, ref: str) -> None: ...


class MemoryBlobStore:
    """Blobs in a dict; for tests and throwaway sessions."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def put(self, data: bytes) -> str:
        ref = content_hash(data)
        with self._lock:
            self._blobs.setdefault(ref, data)
        return ref

    def get(self, ref: str) -> bytes:
        try:
            return self._blobs[ref]
        except KeyError:
            raise KeyError(f"blob {ref} not found") from None

    def has(self, ref: str) -> bool:
        return ref in self._blobs

    def delete(self, ref: str) -> None:
        with self._lock:
            self._blobs.pop(ref, None)


class FileBlobStore:
    """Blobs as files under ``root/ab/abcdef…``; written once, atomically (temp file + rename)."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, ref: str) -> Path:
        if len(ref) != 64 or not all(c in "0123456789abcdef" for c in ref):
            raise KeyError(f"not a blob reference: {ref!r}")
        return self.root / ref[:2] / ref

    def put(self, data: bytes) -> str:
        ref = content_hash(data)
        path = self._path(ref)
        if path.exists():
            return ref
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
        return ref

    def get(self, ref: str) -> bytes:
        try:
            return self._path(ref).read_bytes()
        except FileNotFoundError:
            raise KeyError(f"blob {ref} not found") from None

    def has(self, ref: str) -> bool:
        return self._path(ref).exists()

    def delete(self, ref: str) -> None:
        self._path(ref).unlink(missing_ok=True)


class ImageRepository:
    """Images and masks over a blob store, with small caches of decoded images and masks.

    Versions are immutable, so a decoded image can be cached by its reference for as long as
    memory allows; the caches are bounded so long sessions do not keep every version in memory.
    Every image and mask is encoded at most once: an array the repository handed out (or was
    given) maps back to its reference, and a mask is recognised by a digest of its packed bits, so
    storing an unchanged mask again costs a hash, not an encode. Arrays handed out are read-only.

    ``busy_ms`` (per thread) is the time spent encoding, decoding and storing: callers that time
    engine work subtract it, so blob I/O is never counted as engine time.
    """

    def __init__(self, blobs: BlobStore, cache_size: int = 8, mask_cache_size: int = 64) -> None:
        self.blobs = blobs
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._masks: OrderedDict[str, np.ndarray] = OrderedDict()
        self._mask_refs: OrderedDict[bytes, str] = OrderedDict()
        self._mask_cache_size = mask_cache_size
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def busy_ms(self) -> float:
        return getattr(self._local, "busy_ms", 0.0)

    def _spent(self, started: float) -> None:
        self._local.busy_ms = self.busy_ms + (time.perf_counter() - started) * 1000

    def put_image(self, image: Image.Image | np.ndarray) -> str:
        started = time.perf_counter()
        if isinstance(image, np.ndarray):
            array = image
            known = self._ref_of(array)
            if known is not None:  # an image this repository handed out: already stored
                self._spent(started)
                return known
        else:  # alpha is kept: a reference logo is cut out by it
            array = np.asarray(image if image.mode in ("RGB", "RGBA") else image.convert("RGB"))
        ref = self.blobs.put(encode_png(array))
        self._remember(ref, array)
        self._spent(started)
        return ref

    def get_array(self, ref: str) -> np.ndarray:
        with self._lock:
            if ref in self._cache:
                self._cache.move_to_end(ref)
                return self._cache[ref]
        started = time.perf_counter()
        decoded = decode_image(self.blobs.get(ref), max_pixels=2**40)
        array = np.asarray(decoded if decoded.mode in ("RGB", "RGBA") else decoded.convert("RGB"))
        array.setflags(write=False)
        self._remember(ref, array)
        self._spent(started)
        return array

    def get_image(self, ref: str) -> Image.Image:
        return Image.fromarray(np.ascontiguousarray(self.get_array(ref)))

    def put_mask(self, mask: np.ndarray) -> str:
        started = time.perf_counter()
        packed = pack_mask(mask)
        hasher = hashlib.blake2b(packed, digest_size=16)
        hasher.update(repr(mask.shape[:2]).encode())
        digest = hasher.digest()
        with self._lock:
            ref = self._mask_refs.get(digest)
        if ref is None or not self.blobs.has(ref):
            ref = self.blobs.put(encode_mask(mask, packed))
        frozen = np.array(mask, dtype=bool)  # a mask just stored is usually read back soon (critic)
        frozen.setflags(write=False)
        with self._lock:
            self._mask_refs[digest] = ref
            self._mask_refs.move_to_end(digest)
            while len(self._mask_refs) > self._mask_cache_size:
                self._mask_refs.popitem(last=False)
        self._remember_mask(ref, frozen)
        self._spent(started)
        return ref

    def get_mask(self, ref: str) -> np.ndarray:
        with self._lock:
            if ref in self._masks:
                self._masks.move_to_end(ref)
                return self._masks[ref]
        started = time.perf_counter()
        mask = decode_mask(self.blobs.get(ref))
        mask.setflags(write=False)
        self._remember_mask(ref, mask)
        self._spent(started)
        return mask

    def _remember_mask(self, ref: str, mask: np.ndarray) -> None:
        with self._lock:
            self._masks[ref] = mask
            self._masks.move_to_end(ref)
            while len(self._masks) > self._mask_cache_size:
                self._masks.popitem(last=False)

    def ref_of(self, array: np.ndarray) -> str | None:
        """The blob reference of an array this repository handed out or stored, else None."""
        return self._ref_of(array)

    def _ref_of(self, array: np.ndarray) -> str | None:
        if array.flags.writeable:  # only frozen arrays can be the ones this repository holds
            return None
        with self._lock:
            for ref, cached in self._cache.items():
                if cached is array:
                    self._cache.move_to_end(ref)
                    return ref
        return None

    def _remember(self, ref: str, array: np.ndarray) -> None:
        if not array.flags.writeable:
            frozen = array
        else:
            frozen = array.copy()
            frozen.setflags(write=False)
        with self._lock:
            self._cache[ref] = frozen
            self._cache.move_to_end(ref)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
