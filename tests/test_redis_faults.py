"""The Redis store when Redis fails: unreachable, killed mid-commit, hung.

Every failure must surface as :class:`StoreUnavailable` (never a raw redis-py error, never a hang),
leave no half-written turn, and the store must work again once Redis is back.
"""

from __future__ import annotations

import threading
import time
import uuid

import pytest

from state import open_store
from state.errors import StoreUnavailable
from state.models import Session
from state.redis_store import RedisSessionStore
from tests.redis_server import RedisServer, free_port
from tests.store_payloads import commit_edit, make_turn, make_version, new_session


def assert_whole(session: Session) -> None:
    """No half-written turn: turns 1..N, each with its version, the meta agreeing with them."""
    assert [t.index for t in session.turns] == list(range(1, len(session.turns) + 1))
    assert session.meta.turn_count == len(session.turns) == session.meta.revision
    for turn in session.turns:
        assert turn.version_id in session.versions
    assert session.meta.head == (session.turns[-1].version_id if session.turns else session.meta.head)
    assert session.meta.head in session.versions


def test_unreachable_url_fails_fast_and_names_the_url() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    started = time.monotonic()
    with pytest.raises(StoreUnavailable, match=url):
        open_store(url)
    assert time.monotonic() - started < 3


def test_kill_9_during_a_commit_loop_keeps_every_acknowledged_turn(fresh_redis_server: RedisServer) -> None:
    store = RedisSessionStore.from_url(fresh_redis_server.url, prefix=f"k{uuid.uuid4().hex[:8]}", socket_timeout=2)
    meta, _ = new_session(store)
    acknowledged: list[int] = []
    failure: list[BaseException] = []

    def write() -> None:
        nonlocal meta
        try:
            while True:
                meta, _ = commit_edit(store, meta)
                acknowledged.append(meta.turn_count)
        except StoreUnavailable as exc:
            failure.append(exc)

    thread = threading.Thread(target=write, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while len(acknowledged) < 40 and time.monotonic() < deadline:
        time.sleep(0.005)
    fresh_redis_server.kill()
    thread.join(10)
    assert not thread.is_alive(), "the writer hung on a dead server"
    assert failure and fresh_redis_server.url in str(failure[0])
    with pytest.raises(StoreUnavailable):
        store.load(meta.id)

    fresh_redis_server.restart()
    # Redis 7 forgets scripts on restart (6.x replays SCRIPT LOAD from the AOF): flush them to be sure
    # the store loads its script again on NOSCRIPT
    store.client.script_flush()
    session = store.export(meta.id)
    assert_whole(session)
    # every acknowledged turn survived (AOF, fsync always); the one in flight landed whole or not at all
    assert len(session.turns) in (acknowledged[-1], acknowledged[-1] + 1)

    current = store.load(meta.id).meta
    after, version = commit_edit(store, current)
    assert after.turn_count == len(session.turns) + 1
    assert store.load(meta.id).head == version
    assert_whole(store.export(meta.id))
    store.close()


def test_a_hung_server_times_out_and_the_commit_lands_at_most_once(fresh_redis_server: RedisServer) -> None:
    store = RedisSessionStore.from_url(fresh_redis_server.url, prefix=f"h{uuid.uuid4().hex[:8]}", socket_timeout=0.4)
    meta, _ = new_session(store)
    meta, _ = commit_edit(store, meta)
    version = make_version(store.images, 2, parent=meta.head)  # its image is stored before the hang
    updated = meta.model_copy(update={"head": version.id, "turn_count": 2})
    fresh_redis_server.pause()
    try:
        started = time.monotonic()
        with pytest.raises(StoreUnavailable, match="committing"):
            store.commit(updated, meta.revision, make_turn(2, meta.head, version.id), [version])
        assert time.monotonic() - started < 3
    finally:
        fresh_redis_server.resume()
    # the server may still run the commit it had buffered (and the retries that re-sent it):
    # the commit token makes it land once, whole, or not at all
    session = store.export(meta.id)
    assert_whole(session)
    assert len(session.turns) in (1, 2)
    current = store.load(meta.id).meta
    after, _ = commit_edit(store, current)
    assert after.turn_count == len(session.turns) + 1
    store.close()


def test_a_full_server_refuses_the_commit_whole(fresh_redis_server: RedisServer) -> None:
    store = RedisSessionStore.from_url(fresh_redis_server.url, prefix=f"m{uuid.uuid4().hex[:8]}")
    meta, _ = new_session(store)
    version = make_version(store.images, 1, parent=meta.head)
    updated = meta.model_copy(update={"head": version.id, "turn_count": 1})
    before = store.export(meta.id)
    store.client.config_set("maxmemory", "1")  # noeviction: every write is refused
    try:
        with pytest.raises(StoreUnavailable, match="full or read-only"):
            store.commit(updated, meta.revision, make_turn(1, meta.head, version.id), [version])
    finally:
        store.client.config_set("maxmemory", "0")
    assert store.export(meta.id) == before
    assert store.commit(updated, meta.revision, make_turn(1, meta.head, version.id), [version]).revision == 1
    store.close()
