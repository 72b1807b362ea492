"""Image blobs in Redis, and the translation of Redis connection failures into typed errors.

Blobs are content addressed (sha256 of the bytes) and written once with ``SET NX``: two sessions
that hold the same image share one key. Which sessions refer to a blob is tracked by the session
store's commit script (a set of session ids per blob), not here, so a blob is freed exactly when
the last session that refers to it lets go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import redis

from .errors import StoreUnavailable
from .images import content_hash


@contextmanager
def redis_errors(url: str, action: str) -> Iterator[None]:
    """Turn a lost or timed-out Redis connection into :class:`StoreUnavailable` naming the server.

    ``BusyLoadingError`` (a restarted server still reading its AOF) is a ``ConnectionError`` in
    redis-py, so it lands here too: the caller may retry once the server is ready. A read-only replica
    or a full server (``maxmemory``) refuses writes (and transactions and scripts, so loads too);
    that is the store being unavailable as well.
    """
    try:
        yield
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise StoreUnavailable(f"Redis at {url} is unavailable ({action}): {exc}") from exc
    except redis.exceptions.InvalidResponse as exc:
        raise StoreUnavailable(f"{url} did not answer like a Redis server ({action}): {exc}") from exc
    except redis.exceptions.ResponseError as exc:
        # inside a script, Redis 6 reports OOM / READONLY as a plain script error
        refused = isinstance(exc, (redis.exceptions.ReadOnlyError, redis.exceptions.OutOfMemoryError))
        if not refused and not any(code in str(exc) for code in ("OOM command not allowed", "READONLY")):
            raise
        raise StoreUnavailable(f"Redis at {url} is full or read-only ({action}): {exc}") from exc


def blob_key(prefix: str, ref: str) -> str:
    return f"{prefix}:blob:{ref}"


def blob_sessions_key(prefix: str, ref: str) -> str:
    """The set of session ids whose versions refer to blob ``ref``."""
    return f"{prefix}:blobsess:{ref}"


class RedisBlobStore:
    """A :class:`~state.blobs.BlobStore` on Redis strings, one key per blob."""

    def __init__(self, client: redis.Redis, prefix: str = "retouch", url: str = "redis") -> None:
        self.client = client
        self.prefix = prefix
        self.url = url

    def put(self, data: bytes) -> str:
        ref = content_hash(data)
        with redis_errors(self.url, "storing an image"):
            self.client.set(blob_key(self.prefix, ref), data, nx=True)
        return ref

    def get(self, ref: str) -> bytes:
        with redis_errors(self.url, "reading an image"):
            data = self.client.get(blob_key(self.prefix, ref))
        if data is None:
            raise KeyError(f"blob {ref} not found")
        return data if isinstance(data, bytes) else str(data).encode()

    def has(self, ref: str) -> bool:
        with redis_errors(self.url, "checking an image"):
            return bool(self.client.exists(blob_key(self.prefix, ref)))

    def delete(self, ref: str) -> None:
        with redis_errors(self.url, "deleting an image"):
            self.client.delete(blob_key(self.prefix, ref))
