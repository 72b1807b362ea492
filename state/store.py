"""The session-store protocol and what every store shares (branching, archives)."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol, runtime_checkable

from .blobs import ImageRepository
from .errors import RetouchError, SessionNotFound, VersionNotFound
from .models import Session, SessionMeta, SessionSnapshot, Turn, Version, new_id, now


@runtime_checkable
class SessionStore(Protocol):
    """Where sessions live. Every write is a single atomic commit checked against a revision."""

    images: ImageRepository

    def create(self, meta: SessionMeta, versions: Iterable[Version] = ()) -> SessionMeta: ...

    def exists(self, session_id: str) -> bool: ...

    def load(self, session_id: str, recent: int = 6) -> SessionSnapshot: ...

    def version(self, session_id: str, version_id: str) -> Version: ...

    def turns(self, session_id: str, start: int = 1, stop: int | None = None) -> list[Turn]: ...

    def commit(
        self, meta: SessionMeta, expected_revision: int, turn: Turn | None, versions: Iterable[Version]
    ) -> SessionMeta:
        """Write the turn, the new versions and the meta at once, if the stored revision is still
        ``expected_revision``; else raise :class:`SessionConflict` and write nothing. Returns the
        meta as stored (revision incremented)."""
        ...

    def export(self, session_id: str) -> Session: ...

    def list_sessions(self) -> list[SessionMeta]: ...

    def delete(self, session_id: str) -> None: ...

    def close(self) -> None: ...


def version_blob_refs(version: Version) -> set[str]:
    """Every blob a version refers to: its image and the masks of its entities."""
    refs = {version.image_ref}
    for entity in version.entities:
        if entity.region and entity.region.mask_ref:
            refs.add(entity.region.mask_ref)
    return refs


def turn_version_ids(turn: Turn | None) -> list[str]:
    """The versions a turn names: its base, its result and the candidates it offered."""
    if turn is None:
        return []
    return [i for i in (turn.base_version, turn.version_id, *turn.candidate_versions) if i]


def versions_to_prune(
    order: Iterable[str], max_versions: int, meta: SessionMeta, turns: Iterable[Turn | None],
    written: Iterable[str],
) -> list[str]:
    """The version cap's policy, the same in every store.

    ``order`` lists the session's version ids oldest first. Beyond ``max_versions``, the oldest
    are pruned, except the head, the redo stack, the versions just written and those named by
    ``turns`` (the turn being committed and the one before it); when more than ``max_versions`` are
    protected, the session keeps them all. A pruned version is gone: undo or revert to it meets
    :class:`VersionNotFound`, and a version whose parent was pruned keeps the dangling id.
    """
    order = list(order)
    excess = len(order) - max_versions
    if excess <= 0:
        return []
    keep = {meta.head, *meta.redo, *written}
    for turn in turns:
        keep.update(turn_version_ids(turn))
    pruned: list[str] = []
    for version_id in order:
        if len(pruned) == excess:
            break
        if version_id not in keep:
            pruned.append(version_id)
    return pruned


class StoreBase:
    """Operations defined in terms of the protocol, shared by every store."""

    images: ImageRepository

    def branch(self: SessionStore, session_id: str, version_id: str | None = None) -> SessionMeta:  # type: ignore[misc]
        """A new session that starts at ``version_id`` (default: the head) of this one.

        Version records are copied (they are small JSON); image blobs are shared, not copied.
        """
        source = self.export(session_id)
        at = version_id or source.meta.head
        if at is not None and at not in source.versions:
            raise VersionNotFound(f"session {session_id} has no version {at}")
        meta = SessionMeta(
            id=new_id(), head=at, parent_session=session_id, title=source.meta.title,
            created_at=now(), updated_at=now(),
        )
        # Keep only the ancestors of the branch point: the new session's history is its past.
        keep: list[Version] = []
        cursor = at
        # stops at a parent pruned by the version cap: the branch starts its history there
        while cursor is not None and cursor in source.versions:
            version = source.versions[cursor]
            keep.append(version)
            cursor = version.parent
        return self.create(meta, reversed(keep))

    def export_archive(self: SessionStore, session_id: str, path: str | Path | None = None) -> bytes:  # type: ignore[misc]
        """The whole session as one zip: ``session.json`` plus every blob it refers to."""
        session = self.export(session_id)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
            archive.writestr("session.json", session.model_dump_json())
            refs: set[str] = set()
            for version in session.versions.values():
                refs |= version_blob_refs(version)
            for ref in sorted(refs):
                archive.writestr(f"blobs/{ref}", self.images.blobs.get(ref))
        data = buffer.getvalue()
        if path is not None:
            Path(path).write_bytes(data)
        return data

    def import_archive(self: SessionStore, data: bytes | str | Path, new_id_: bool = False) -> SessionMeta:  # type: ignore[misc]
        """Load a session archive written by :meth:`export_archive` (from any store)."""
        if isinstance(data, (str, Path)):
            data = Path(data).read_bytes()
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                session = Session.model_validate(json.loads(archive.read("session.json")))
                for name in archive.namelist():
                    if name.startswith("blobs/"):
                        blob = archive.read(name)
                        if self.images.blobs.put(blob) != name.removeprefix("blobs/"):
                            raise RetouchError(f"archive blob {name} does not match its hash")
        except (zipfile.BadZipFile, KeyError, ValueError) as exc:
            raise RetouchError(f"not a Retouch session archive: {exc}") from exc
        meta = session.meta.model_copy(update={"revision": 0})
        if new_id_ or self.exists(meta.id):
            meta = meta.model_copy(update={"id": new_id()})
        created = self.create(meta, session.versions.values())
        for turn in session.turns:
            created = self.commit(created, created.revision, turn, [])
        return created


def require(found: object, session_id: str) -> None:
    if found is None:
        raise SessionNotFound(f"no session with id {session_id!r}")
