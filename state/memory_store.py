"""An in-process store: dictionaries behind a lock. For tests and throwaway sessions."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from .blobs import ImageRepository, MemoryBlobStore
from .errors import SessionConflict, SessionNotFound, VersionNotFound
from .models import Session, SessionMeta, SessionSnapshot, Turn, Version, now
from .store import StoreBase, version_blob_refs, versions_to_prune


class MemorySessionStore(StoreBase):
    """Sessions in dictionaries; ``max_versions`` caps each session's versions (see
    :func:`state.store.versions_to_prune` for what is kept)."""

    def __init__(self, images: ImageRepository | None = None, max_versions: int | None = None) -> None:
        self.images = images or ImageRepository(MemoryBlobStore())
        self.max_versions = max_versions
        self._meta: dict[str, str] = {}
        self._turns: dict[str, list[str]] = {}
        self._versions: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def create(self, meta: SessionMeta, versions: Iterable[Version] = ()) -> SessionMeta:
        with self._lock:
            if meta.id in self._meta:
                raise SessionConflict(meta.id, 0, None)
            self._meta[meta.id] = meta.model_dump_json()
            self._turns[meta.id] = []
            self._versions[meta.id] = {v.id: v.model_dump_json() for v in versions}
        return meta

    def exists(self, session_id: str) -> bool:
        return session_id in self._meta

    def _meta_of(self, session_id: str) -> SessionMeta:
        raw = self._meta.get(session_id)
        if raw is None:
            raise SessionNotFound(f"no session with id {session_id!r}")
        return SessionMeta.model_validate_json(raw)

    def load(self, session_id: str, recent: int = 6) -> SessionSnapshot:
        with self._lock:
            meta = self._meta_of(session_id)
            head = self._versions[session_id].get(meta.head) if meta.head else None
            turns = self._turns[session_id][-recent:] if recent else []
        return SessionSnapshot(
            meta=meta,
            head=Version.model_validate_json(head) if head else None,
            recent_turns=[Turn.model_validate_json(t) for t in turns],
        )

    def version(self, session_id: str, version_id: str) -> Version:
        self._meta_of(session_id)
        raw = self._versions[session_id].get(version_id)
        if raw is None:
            raise VersionNotFound(f"session {session_id} has no version {version_id}")
        return Version.model_validate_json(raw)

    def turns(self, session_id: str, start: int = 1, stop: int | None = None) -> list[Turn]:
        self._meta_of(session_id)
        rows = self._turns[session_id][max(start, 1) - 1 : max(stop - 1, 0) if stop is not None else None]
        return [Turn.model_validate_json(t) for t in rows]

    def commit(
        self, meta: SessionMeta, expected_revision: int, turn: Turn | None, versions: Iterable[Version]
    ) -> SessionMeta:
        versions = list(versions)
        with self._lock:
            current = self._meta_of(meta.id)
            if current.revision != expected_revision:
                raise SessionConflict(meta.id, expected_revision, current.revision)
            turns = self._turns[meta.id]
            if turn is not None and turn.index != len(turns) + 1:
                raise ValueError(
                    f"turn index {turn.index} is not the next one for session {meta.id} "
                    f"(expected {len(turns) + 1}); nothing was written"
                )
            stored = meta.model_copy(update={"revision": expected_revision + 1, "updated_at": now()})
            previous = Turn.model_validate_json(turns[-1]) if turns else None
            released: set[str] = set()
            for version in versions:
                if version.id in self._versions[meta.id]:
                    released |= version_blob_refs(Version.model_validate_json(self._versions[meta.id][version.id]))
                self._versions[meta.id][version.id] = version.model_dump_json()
            if turn is not None:
                turns.append(turn.model_dump_json())
            self._meta[meta.id] = stored.model_dump_json()
            if self.max_versions:
                for version_id in versions_to_prune(
                    self._versions[meta.id], self.max_versions, stored, (turn, previous), (v.id for v in versions)
                ):
                    released |= version_blob_refs(Version.model_validate_json(self._versions[meta.id].pop(version_id)))
            self._free_unheld(released)
        return stored

    def _free_unheld(self, refs: set[str]) -> None:
        """Delete the blobs in ``refs`` that no stored version refers to any more (lock held)."""
        if not refs:
            return
        held: set[str] = set()
        for versions in self._versions.values():
            for raw in versions.values():
                held |= version_blob_refs(Version.model_validate_json(raw))
        for ref in refs - held:
            self.images.blobs.delete(ref)

    def export(self, session_id: str) -> Session:
        with self._lock:
            meta = self._meta_of(session_id)
            return Session(
                meta=meta,
                turns=[Turn.model_validate_json(t) for t in self._turns[session_id]],
                versions={k: Version.model_validate_json(v) for k, v in self._versions[session_id].items()},
            )

    def list_sessions(self) -> list[SessionMeta]:
        with self._lock:
            return sorted(
                (SessionMeta.model_validate_json(m) for m in self._meta.values()),
                key=lambda m: m.updated_at,
                reverse=True,
            )

    def delete(self, session_id: str) -> None:
        with self._lock:
            self._meta_of(session_id)
            refs: set[str] = set()
            for raw in self._versions[session_id].values():
                refs |= version_blob_refs(Version.model_validate_json(raw))
            del self._meta[session_id], self._turns[session_id], self._versions[session_id]
            self._free_unheld(refs)

    def close(self) -> None:
        pass
