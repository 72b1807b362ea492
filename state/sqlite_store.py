"""The embedded default store: one SQLite file, blobs in a directory beside it.

Each turn is one transaction that inserts a turn row, the new version rows and updates the
session row only if its revision is unchanged, so a crash mid-turn leaves the last commit intact
and two writers never both win. Turns and versions are separate rows: a commit writes what the
turn made, never the whole history.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from .blobs import FileBlobStore, ImageRepository
from .errors import SessionConflict, SessionNotFound, StoreUnavailable, VersionNotFound
from .models import Session, SessionMeta, SessionSnapshot, Turn, Version, now
from .store import StoreBase, version_blob_refs, versions_to_prune

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, revision INTEGER NOT NULL, updated REAL, meta TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS turns (session_id TEXT NOT NULL, idx INTEGER NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (session_id, idx));
CREATE TABLE IF NOT EXISTS versions (session_id TEXT NOT NULL, id TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (session_id, id));
CREATE TABLE IF NOT EXISTS blob_refs (session_id TEXT NOT NULL, ref TEXT NOT NULL, PRIMARY KEY (session_id, ref));
CREATE INDEX IF NOT EXISTS blob_refs_ref ON blob_refs (ref);
"""


class SQLiteSessionStore(StoreBase):
    """Sessions in one SQLite file; ``max_versions`` caps each session's versions (see
    :func:`state.store.versions_to_prune` for what is kept)."""

    def __init__(
        self, path: str | Path, blob_dir: str | Path | None = None, timeout: float = 30.0,
        max_versions: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.max_versions = max_versions
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.images = ImageRepository(FileBlobStore(blob_dir or self.path.with_suffix(".blobs")))
        self._timeout = timeout
        self._local = threading.local()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=self._timeout, isolation_level=None)
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"cannot open the session database {self.path}: {exc}") from exc
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def create(self, meta: SessionMeta, versions: Iterable[Version] = ()) -> SessionMeta:
        db = self._connect()
        versions = list(versions)
        try:
            db.execute("BEGIN IMMEDIATE")
            db.execute(
                "INSERT INTO sessions (id, revision, updated, meta) VALUES (?, ?, ?, ?)",
                (meta.id, meta.revision, meta.updated_at, meta.model_dump_json()),
            )
            self._insert_versions(db, meta.id, versions)
            db.execute("COMMIT")
        except sqlite3.IntegrityError:
            db.execute("ROLLBACK")
            raise SessionConflict(meta.id, meta.revision, None) from None
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return meta

    def _insert_versions(self, db: sqlite3.Connection, session_id: str, versions: list[Version]) -> None:
        db.executemany(
            "INSERT OR REPLACE INTO versions (session_id, id, data) VALUES (?, ?, ?)",
            [(session_id, v.id, v.model_dump_json()) for v in versions],
        )
        db.executemany(
            "INSERT OR IGNORE INTO blob_refs (session_id, ref) VALUES (?, ?)",
            [(session_id, ref) for v in versions for ref in version_blob_refs(v)],
        )

    def exists(self, session_id: str) -> bool:
        row = self._connect().execute("SELECT 1 FROM sessions WHERE id = ?", (session_id,)).fetchone()
        return row is not None

    def _meta(self, db: sqlite3.Connection, session_id: str) -> SessionMeta:
        row = db.execute("SELECT meta FROM sessions WHERE id = ?", (session_id,)).fetchone()
        if row is None:
            raise SessionNotFound(f"no session with id {session_id!r}")
        return SessionMeta.model_validate_json(row[0])

    def load(self, session_id: str, recent: int = 6) -> SessionSnapshot:
        db = self._connect()
        meta = self._meta(db, session_id)
        head = None
        if meta.head:
            row = db.execute(
                "SELECT data FROM versions WHERE session_id = ? AND id = ?", (session_id, meta.head)
            ).fetchone()
            head = Version.model_validate_json(row[0]) if row else None
        rows = db.execute(
            "SELECT data FROM turns WHERE session_id = ? ORDER BY idx DESC LIMIT ?", (session_id, recent)
        ).fetchall()
        return SessionSnapshot(
            meta=meta, head=head, recent_turns=[Turn.model_validate_json(r[0]) for r in reversed(rows)]
        )

    def version(self, session_id: str, version_id: str) -> Version:
        db = self._connect()
        row = db.execute(
            "SELECT data FROM versions WHERE session_id = ? AND id = ?", (session_id, version_id)
        ).fetchone()
        if row is None:
            self._meta(db, session_id)
            raise VersionNotFound(f"session {session_id} has no version {version_id}")
        return Version.model_validate_json(row[0])

    def turns(self, session_id: str, start: int = 1, stop: int | None = None) -> list[Turn]:
        db = self._connect()
        self._meta(db, session_id)
        rows = db.execute(
            "SELECT data FROM turns WHERE session_id = ? AND idx >= ? AND idx < ? ORDER BY idx",
            (session_id, start, stop if stop is not None else 2**62),
        ).fetchall()
        return [Turn.model_validate_json(r[0]) for r in rows]

    def commit(
        self, meta: SessionMeta, expected_revision: int, turn: Turn | None, versions: Iterable[Version]
    ) -> SessionMeta:
        db = self._connect()
        versions = list(versions)
        stored = meta.model_copy(update={"revision": expected_revision + 1, "updated_at": now()})
        try:
            db.execute("BEGIN IMMEDIATE")
            cursor = db.execute(
                "UPDATE sessions SET revision = ?, updated = ?, meta = ? WHERE id = ? AND revision = ?",
                (stored.revision, stored.updated_at, stored.model_dump_json(), meta.id, expected_revision),
            )
            if cursor.rowcount != 1:
                row = db.execute("SELECT revision FROM sessions WHERE id = ?", (meta.id,)).fetchone()
                db.execute("ROLLBACK")
                if row is None:
                    raise SessionNotFound(f"no session with id {meta.id!r}")
                raise SessionConflict(meta.id, expected_revision, row[0])
            last = db.execute(
                "SELECT idx, data FROM turns WHERE session_id = ? ORDER BY idx DESC LIMIT 1", (meta.id,)
            ).fetchone()
            if turn is not None and turn.index != (last[0] if last else 0) + 1:
                db.execute("ROLLBACK")
                raise ValueError(
                    f"turn index {turn.index} is not the next one for session {meta.id} "
                    f"(expected {(last[0] if last else 0) + 1}); nothing was written"
                )
            self._insert_versions(db, meta.id, versions)
            if turn is not None:
                db.execute(
                    "INSERT INTO turns (session_id, idx, data) VALUES (?, ?, ?)",
                    (meta.id, turn.index, turn.model_dump_json()),
                )
            orphans: list[str] = []
            if self.max_versions:
                previous = Turn.model_validate_json(last[1]) if last else None
                orphans = self._prune(db, stored, (turn, previous), [v.id for v in versions])
            db.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StoreUnavailable(f"session database {self.path} failed: {exc}") from exc
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
        for ref in orphans:  # after the commit, as in delete()
            self.images.blobs.delete(ref)
        return stored

    def _prune(
        self, db: sqlite3.Connection, meta: SessionMeta, turns: tuple[Turn | None, ...], written: list[str]
    ) -> list[str]:
        """Apply the version cap inside the commit's transaction; returns the blobs left unheld."""
        assert self.max_versions
        order = [r[0] for r in db.execute("SELECT id FROM versions WHERE session_id = ? ORDER BY rowid", (meta.id,))]
        pruned = versions_to_prune(order, self.max_versions, meta, turns, written)
        if not pruned:
            return []
        db.executemany("DELETE FROM versions WHERE session_id = ? AND id = ?", [(meta.id, v) for v in pruned])
        held: set[str] = set()
        for (data,) in db.execute("SELECT data FROM versions WHERE session_id = ?", (meta.id,)):
            held |= version_blob_refs(Version.model_validate_json(data))
        released = [r[0] for r in db.execute("SELECT ref FROM blob_refs WHERE session_id = ?", (meta.id,))
                    if r[0] not in held]
        db.executemany("DELETE FROM blob_refs WHERE session_id = ? AND ref = ?", [(meta.id, r) for r in released])
        return [ref for ref in released
                if db.execute("SELECT 1 FROM blob_refs WHERE ref = ? LIMIT 1", (ref,)).fetchone() is None]

    def export(self, session_id: str) -> Session:
        db = self._connect()
        meta = self._meta(db, session_id)
        versions = db.execute("SELECT data FROM versions WHERE session_id = ?", (session_id,)).fetchall()
        parsed = [Version.model_validate_json(r[0]) for r in versions]
        return Session(meta=meta, turns=self.turns(session_id), versions={v.id: v for v in parsed})

    def list_sessions(self) -> list[SessionMeta]:
        rows = self._connect().execute("SELECT meta FROM sessions ORDER BY updated DESC").fetchall()
        return [SessionMeta.model_validate_json(r[0]) for r in rows]

    def delete(self, session_id: str) -> None:
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            self._meta(db, session_id)
            refs = [r[0] for r in db.execute("SELECT ref FROM blob_refs WHERE session_id = ?", (session_id,))]
            for table, column in (("sessions", "id"), ("turns", "session_id"), ("versions", "session_id"),
                                  ("blob_refs", "session_id")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))
            orphans = [
                ref for ref in refs
                if db.execute("SELECT 1 FROM blob_refs WHERE ref = ? LIMIT 1", (ref,)).fetchone() is None
            ]
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        for ref in orphans:  # after the commit: a crash here leaks a file, never loses one in use
            self.images.blobs.delete(ref)

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None
