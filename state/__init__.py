"""Dialogue state: the session model, its stores and the image blob store."""

from .blobs import BlobStore, FileBlobStore, ImageRepository, MemoryBlobStore
from .checkpoint import checkpointer_for
from .errors import (
    CorruptImage,
    HistoryError,
    ImageError,
    ImageTooLarge,
    MissingImage,
    RetouchError,
    SessionConflict,
    SessionNotFound,
    StoreUnavailable,
    VersionNotFound,
)
from .images import decode_image, encode_png, load_image
from .memory_store import MemorySessionStore
from .models import (
    Attempt,
    Box,
    Clarification,
    Constraint,
    ConstraintKind,
    ConstraintVerdict,
    Critique,
    EditOperation,
    Entity,
    FeedbackHint,
    HistoryAction,
    HistoryKind,
    Intent,
    IntentClause,
    OperationVerdict,
    OpKind,
    Plan,
    Region,
    Session,
    SessionMeta,
    SessionSnapshot,
    TargetSpec,
    Trace,
    TraceEvent,
    Turn,
    TurnKind,
    Version,
    new_id,
)
from .sqlite_store import SQLiteSessionStore
from .store import SessionStore, StoreBase, version_blob_refs


def open_store(url: str, **options) -> SessionStore:
    """A store from a URL: ``memory://``, ``sqlite:///path/to/file.db`` or ``redis://host:port/db``."""
    if url.startswith("memory:"):
        return MemorySessionStore()
    if url.startswith("sqlite:///"):
        return SQLiteSessionStore(url.removeprefix("sqlite:///"), **options)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisSessionStore  # imported lazily: redis is only needed here

        return RedisSessionStore.from_url(url, **options)
    raise ValueError(f"unknown store URL {url!r}: use memory://, sqlite:///PATH or redis://HOST:PORT/DB")


__all__ = [
    "Attempt",
    "BlobStore",
    "Box",
    "Clarification",
    "Constraint",
    "ConstraintKind",
    "ConstraintVerdict",
    "CorruptImage",
    "Critique",
    "EditOperation",
    "Entity",
    "FeedbackHint",
    "FileBlobStore",
    "HistoryAction",
    "HistoryError",
    "HistoryKind",
    "ImageError",
    "ImageRepository",
    "ImageTooLarge",
    "Intent",
    "IntentClause",
    "MemoryBlobStore",
    "MemorySessionStore",
    "MissingImage",
    "OpKind",
    "OperationVerdict",
    "Plan",
    "Region",
    "RetouchError",
    "SQLiteSessionStore",
    "Session",
    "SessionConflict",
    "SessionMeta",
    "SessionNotFound",
    "SessionSnapshot",
    "SessionStore",
    "StoreBase",
    "StoreUnavailable",
    "TargetSpec",
    "Trace",
    "TraceEvent",
    "Turn",
    "TurnKind",
    "Version",
    "VersionNotFound",
    "checkpointer_for",
    "decode_image",
    "encode_png",
    "load_image",
    "new_id",
    "open_store",
    "version_blob_refs",
]
