"""The Redis session store: plain commands and Lua (Redis 6 and 7, no modules).

Layout, every key under ``prefix`` (default ``retouch``)::

    {p}:s:{id}:meta       hash   rev, json (the SessionMeta), head, token, seq, lastturn
    {p}:s:{id}:turns      list   turn JSON, position i holds turn index i + 1
    {p}:s:{id}:versions   hash   version id -> Version JSON
    {p}:s:{id}:vorder     zset   version id -> insertion sequence (oldest first, for the cap)
    {p}:s:{id}:vrefs      hash   version id -> the blob refs it holds, space separated
    {p}:s:{id}:refs       hash   blob ref -> how many of this session's versions hold it
    {p}:sessions          zset   session id -> updated_at
    {p}:blob:{sha}        string image / mask bytes (when no ``blob_dir`` is given)
    {p}:blobsess:{sha}    set    ids of the sessions that hold the blob

Every write is one Lua script, so Redis runs it whole or not at all: the script checks the revision
(and the turn index, and that the new versions' blobs exist) before it writes anything, then writes
the meta, the turn, the versions and the blob references together. A commit sends only what the turn
made; the bytes written per turn do not grow with the history.

A commit carries a random token stored with the revision, so re-sending a commit whose reply was lost
(redis-py retries a dropped connection) is recognised and answered as success instead of a conflict.
If the connection is lost for good, :class:`StoreUnavailable` is raised; the commit either landed
whole or not at all, and a reload tells which (the revision).

The keys of one session are not hash-tagged together and blob keys are shared between sessions, so
this store needs a single Redis (or a primary with replicas), not Redis Cluster.

Expiry (``ttl_seconds``): every commit and every load sets the same TTL on all of a session's keys,
so an idle session disappears whole. Blobs are shared between sessions and are not given a TTL; call
:meth:`RedisSessionStore.collect_garbage` now and then to free the blobs of expired sessions.

Version cap (``max_versions``): when a commit leaves the session with more versions than the cap, the
oldest versions are pruned, skipping every version that is the head, on the redo stack, written by
this commit, or named (base, result or candidate) by this turn or the turn before it; so a session
can hold more than the cap when that many versions are protected (three for a run of edits with a
cap below three). Pruned versions' blob references are released (a blob no session refers to any
more is deleted). A version whose parent was pruned keeps its ``parent`` id: undo past a pruned
version, or revert to a turn whose version was pruned, meets :class:`VersionNotFound`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

from .blobs import FileBlobStore, ImageRepository
from .errors import MissingImage, SessionConflict, SessionNotFound, StoreUnavailable, VersionNotFound
from .models import Session, SessionMeta, SessionSnapshot, Turn, Version, now
from .redis_blobs import RedisBlobStore, blob_key, blob_sessions_key, redis_errors
from .redis_scripts import COLLECT, DELETE, LOAD, WRITE
from .store import StoreBase, turn_version_ids, version_blob_refs

_SESSION_KEYS = ("meta", "turns", "versions", "vorder", "vrefs", "refs")


def _text(value: Any) -> str:
    """A key or member as redis-py returns it (bytes unless the client decodes responses)."""
    return value.decode() if isinstance(value, bytes) else str(value)


class RedisSessionStore(StoreBase):
    """Sessions in Redis; see the module docstring for the key layout and the policies.

    ``client`` is a ``redis.Redis`` (used as configured) or a URL (a client is made with
    ``socket_timeout`` and a short connect timeout). The server is pinged here, so a wrong URL fails
    at once with :class:`StoreUnavailable` rather than on the first turn.
    """

    def __init__(
        self,
        client: redis.Redis | str,
        prefix: str = "retouch",
        blob_dir: str | Path | None = None,
        ttl_seconds: int | None = None,
        max_versions: int | None = None,
        socket_timeout: float = 5,
        connect_timeout: float = 1,
    ) -> None:
        if max_versions is not None and max_versions < 1:
            raise ValueError(f"max_versions must be at least 1, got {max_versions}")
        if ttl_seconds is not None and ttl_seconds < 1:
            raise ValueError(f"ttl_seconds must be at least 1, got {ttl_seconds}")
        if isinstance(client, str):
            self.url = client
            self._ping_once(client, connect_timeout)
            client = redis.Redis.from_url(
                client,
                socket_timeout=socket_timeout,
                socket_connect_timeout=connect_timeout,
                # a couple of quick retries ride over a dropped connection; commits are idempotent
                retry=Retry(ExponentialBackoff(cap=0.25, base=0.05), retries=2),
            )
        else:
            kwargs = client.connection_pool.connection_kwargs
            if kwargs.get("decode_responses"):
                raise ValueError("RedisSessionStore needs a client with decode_responses=False (blobs are bytes)")
            self.url = f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
        self.client = client
        self.prefix = prefix
        self.ttl_seconds = ttl_seconds or 0
        self.max_versions = max_versions or 0
        self._redis_blobs = blob_dir is None
        blobs = RedisBlobStore(client, prefix, self.url) if blob_dir is None else FileBlobStore(blob_dir)
        self.images = ImageRepository(blobs)
        # register_script: EVALSHA, and on NOSCRIPT (a restarted server) load the script again
        self._write = client.register_script(WRITE)
        self._load = client.register_script(LOAD)
        self._delete = client.register_script(DELETE)
        self._collect = client.register_script(COLLECT)
        with redis_errors(self.url, "connecting"):
            client.ping()

    @staticmethod
    def _ping_once(url: str, timeout: float) -> None:
        """One ping without retries, so a wrong URL fails within ``timeout`` (the store's own client
        retries a dropped connection, which would multiply the wait)."""
        probe = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout,
                                     retry=Retry(NoBackoff(), retries=0))
        try:
            with redis_errors(url, "connecting"):
                probe.ping()
        finally:
            probe.close()

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisSessionStore:
        """The store ``open_store("redis://…")`` returns; options as for the constructor."""
        return cls(url, **options)

    # ------------------------------------------------------------------ keys

    def _keys(self, session_id: str) -> list[str]:
        return [f"{self.prefix}:s:{session_id}:{name}" for name in _SESSION_KEYS]

    @property
    def _sessions_key(self) -> str:
        return f"{self.prefix}:sessions"

    def _meta_key(self, session_id: str) -> str:
        return f"{self.prefix}:s:{session_id}:meta"

    # ------------------------------------------------------------------ writes

    def create(self, meta: SessionMeta, versions: Iterable[Version] = ()) -> SessionMeta:
        self._write_script("create", meta, meta.revision, meta, None, list(versions))
        return meta

    def commit(
        self, meta: SessionMeta, expected_revision: int, turn: Turn | None, versions: Iterable[Version]
    ) -> SessionMeta:
        stored = meta.model_copy(update={"revision": expected_revision + 1, "updated_at": now()})
        self._write_script("commit", meta, expected_revision, stored, turn, list(versions))
        return stored

    def _write_script(
        self, mode: str, meta: SessionMeta, expected: int, stored: SessionMeta, turn: Turn | None,
        versions: list[Version],
    ) -> None:
        refs_of = {v.id: sorted(version_blob_refs(v)) for v in versions}
        if not self._redis_blobs:  # file blobs: checked here; Redis blobs are checked in the script
            for version in versions:
                for ref in refs_of[version.id]:
                    if not self.images.blobs.has(ref):
                        raise self._missing(meta.id, version.id, ref)
        turn_ids = turn_version_ids(turn)
        protected = [i for i in (stored.head, *stored.redo, *turn_ids) if i]
        args: list[Any] = [
            meta.id, mode, expected, stored.revision, stored.model_dump_json(), stored.updated_at,
            uuid.uuid4().hex, turn.model_dump_json() if turn else "", turn.index if turn else 0,
            self.ttl_seconds, self.max_versions, blob_key(self.prefix, ""),
            blob_sessions_key(self.prefix, ""), "1" if self._redis_blobs else "0",
            " ".join(protected), " ".join(turn_ids), len(versions), stored.head or "",
        ]
        for version in versions:
            args += [version.id, version.model_dump_json(), " ".join(refs_of[version.id])]
        keys = [*self._keys(meta.id), self._sessions_key]
        with redis_errors(self.url, f"committing to session {meta.id}"):
            reply = self._write(keys=keys, args=args)
        status = reply[0].decode()
        if status == "ok":
            if not self._redis_blobs:
                for ref in reply[1:]:
                    self.images.blobs.delete(ref.decode())
            return
        if status == "applied":  # our own commit, re-sent after a lost reply
            return
        if status == "exists":
            raise SessionConflict(meta.id, expected, None)
        if status == "notfound":
            raise SessionNotFound(f"no session with id {meta.id!r}")
        if status == "conflict":
            raise SessionConflict(meta.id, expected, int(reply[1]))
        if status == "index":
            raise ValueError(
                f"turn index {turn.index if turn else None} is not the next one for session {meta.id} "
                f"(expected {int(reply[1])}); nothing was written"
            )
        if status == "missing":
            ref = reply[1].decode()
            raise self._missing(meta.id, next(v for v in refs_of if ref in refs_of[v]), ref)
        raise StoreUnavailable(f"Redis at {self.url} answered the commit with {reply!r}")

    @staticmethod
    def _missing(session_id: str, version_id: str, ref: str) -> MissingImage:
        return MissingImage(
            f"version {version_id} of session {session_id} refers to blob {ref}, which is not in the "
            "blob store (deleted with another session meanwhile?); put the image again and retry"
        )

    def delete(self, session_id: str) -> None:
        keys = [*self._keys(session_id), self._sessions_key]
        args = [session_id, blob_key(self.prefix, ""), blob_sessions_key(self.prefix, ""),
                "1" if self._redis_blobs else "0"]
        with redis_errors(self.url, f"deleting session {session_id}"):
            orphans = self._delete(keys=keys, args=args)
        if orphans is None:
            raise SessionNotFound(f"no session with id {session_id!r}")
        if not self._redis_blobs:  # after the script: a crash here leaks a file, never loses one in use
            for ref in orphans:
                self.images.blobs.delete(ref.decode())

    def collect_garbage(self) -> int:
        """Forget sessions that expired (TTL) and free the blobs no live session refers to.

        Returns the number of blobs freed. Scans the blob reference sets, so run it off the hot
        path (a periodic job), not per turn.
        """
        freed = 0
        session_prefix = f"{self.prefix}:s:"
        with redis_errors(self.url, "collecting garbage"):
            for key in self.client.scan_iter(match=blob_sessions_key(self.prefix, "*"), count=500):
                ref = key.decode().rsplit(":", 1)[1]
                args = [session_prefix, blob_key(self.prefix, ref), "1" if self._redis_blobs else "0"]
                if self._collect(keys=[key], args=args):
                    freed += 1
                    if not self._redis_blobs:
                        self.images.blobs.delete(ref)
            ids = [_text(sid) for sid in self.client.zrange(self._sessions_key, 0, -1)]
            stale = [sid for sid in ids if not self.client.exists(self._meta_key(sid))]
            if stale:
                self.client.zrem(self._sessions_key, *stale)
        return freed

    # ------------------------------------------------------------------ reads

    def exists(self, session_id: str) -> bool:
        with redis_errors(self.url, f"reading session {session_id}"):
            return bool(self.client.exists(self._meta_key(session_id)))

    def load(self, session_id: str, recent: int = 6) -> SessionSnapshot:
        with redis_errors(self.url, f"loading session {session_id}"):
            reply = self._load(keys=self._keys(session_id), args=[max(recent, 0), self.ttl_seconds])
        if reply is None:
            raise SessionNotFound(f"no session with id {session_id!r}")
        meta_json, head_json, turns = reply
        return SessionSnapshot(
            meta=SessionMeta.model_validate_json(meta_json),
            head=Version.model_validate_json(head_json) if head_json else None,
            recent_turns=[Turn.model_validate_json(t) for t in turns],
        )

    def version(self, session_id: str, version_id: str) -> Version:
        meta_key, _, versions_key, *_ = self._keys(session_id)
        with redis_errors(self.url, f"reading session {session_id}"):
            pipe = self.client.pipeline(transaction=True)
            pipe.exists(meta_key)
            pipe.hget(versions_key, version_id)
            found, raw = pipe.execute()
        if not found:
            raise SessionNotFound(f"no session with id {session_id!r}")
        if raw is None:
            raise VersionNotFound(f"session {session_id} has no version {version_id}")
        return Version.model_validate_json(raw)

    def turns(self, session_id: str, start: int = 1, stop: int | None = None) -> list[Turn]:
        meta_key, turns_key, *_ = self._keys(session_id)
        first = max(start, 1) - 1
        last = -1 if stop is None else stop - 2  # LRANGE is inclusive; stop is exclusive
        with redis_errors(self.url, f"reading session {session_id}"):
            pipe = self.client.pipeline(transaction=True)
            pipe.exists(meta_key)
            pipe.lrange(turns_key, first, last)
            found, rows = pipe.execute()
        if not found:
            raise SessionNotFound(f"no session with id {session_id!r}")
        if stop is not None and last < first:
            return []
        return [Turn.model_validate_json(r) for r in rows]

    def export(self, session_id: str) -> Session:
        meta_key, turns_key, versions_key, *_ = self._keys(session_id)
        with redis_errors(self.url, f"exporting session {session_id}"):
            pipe = self.client.pipeline(transaction=True)  # one consistent snapshot
            pipe.hget(meta_key, "json")
            pipe.lrange(turns_key, 0, -1)
            pipe.hgetall(versions_key)
            meta_json, turns, versions = pipe.execute()
        if meta_json is None:
            raise SessionNotFound(f"no session with id {session_id!r}")
        return Session(
            meta=SessionMeta.model_validate_json(meta_json),
            turns=[Turn.model_validate_json(t) for t in turns],
            versions={k.decode(): Version.model_validate_json(v) for k, v in versions.items()},
        )

    def list_sessions(self) -> list[SessionMeta]:
        with redis_errors(self.url, "listing sessions"):
            ids = [_text(sid) for sid in self.client.zrevrange(self._sessions_key, 0, -1)]
            pipe = self.client.pipeline(transaction=False)
            for sid in ids:
                pipe.hget(self._meta_key(sid), "json")
            metas = pipe.execute()
        # sessions that expired are still indexed until collect_garbage(); skip them
        return [SessionMeta.model_validate_json(m) for m in metas if m is not None]

    def close(self) -> None:
        self.client.close()
