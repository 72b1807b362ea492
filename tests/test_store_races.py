"""Two OS processes commit to one session at once; no turn is lost, doubled or reordered.

Each writer loads the session, builds its next turn on the head it saw and commits against the
revision it saw; on :class:`SessionConflict` it reloads and builds the turn again. The stored
history must hold every committed turn exactly once, indices 1..N without gaps, each turn built on
the version the previous turn made, and each writer's turns in the order it sent them.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from pathlib import Path

import pytest

from state.errors import SessionConflict
from state.redis_store import RedisSessionStore
from state.sqlite_store import SQLiteSessionStore
from state.store import SessionStore
from tests.store_payloads import make_turn, make_version, new_session

TURNS_PER_WRITER = 200


def open_for(kind: str, location: str, prefix: str) -> SessionStore:
    if kind == "redis":
        return RedisSessionStore.from_url(location, prefix=prefix)
    return SQLiteSessionStore(location)


def writer(kind: str, location: str, prefix: str, session_id: str, name: str, count: int,
           start: multiprocessing.synchronize.Event, results: multiprocessing.Queue) -> None:
    """Commit ``count`` turns, retrying each on conflict; report the conflicts met."""
    store = open_for(kind, location, prefix)
    conflicts = 0
    start.wait(30)
    for i in range(count):
        while True:
            meta = store.load(session_id, recent=0).meta
            index = meta.turn_count + 1
            version = make_version(store.images, index, parent=meta.head)
            turn = make_turn(index, meta.head, version.id, message=f"{name}-{i}")
            updated = meta.model_copy(update={"head": version.id, "turn_count": index})
            try:
                store.commit(updated, meta.revision, turn, [version])
                break
            except SessionConflict:
                conflicts += 1
    store.close()
    results.put((name, conflicts))


@pytest.mark.parametrize("kind", ["sqlite", "redis"])
def test_two_processes_never_lose_a_turn(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if kind == "redis":
        location, prefix = request.getfixturevalue("redis_server").url, f"race{uuid.uuid4().hex[:8]}"
    else:
        location, prefix = str(tmp_path / "race.db"), ""
    store = open_for(kind, location, prefix)
    meta, first = new_session(store)

    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=writer, args=(kind, location, prefix, meta.id, name, TURNS_PER_WRITER, start, results))
        for name in ("a", "b")
    ]
    for process in processes:
        process.start()
    start.set()
    reports: dict[str, int] = {}
    deadline = time.monotonic() + 120
    while len(reports) < len(processes):
        try:
            name, conflicts = results.get(timeout=0.2)
            reports[name] = conflicts
        except queue.Empty:
            crashed = [p.exitcode for p in processes if p.exitcode not in (None, 0)]
            assert not crashed, f"a writer crashed (exit codes {crashed})"
            assert time.monotonic() < deadline, "writers did not finish in 120 s"
    for process in processes:
        process.join(30)
        assert process.exitcode == 0

    session = store.export(meta.id)
    total = 2 * TURNS_PER_WRITER
    assert session.meta.turn_count == total and session.meta.revision == total
    assert [t.index for t in session.turns] == list(range(1, total + 1))
    messages = [t.message for t in session.turns]
    for name in ("a", "b"):
        assert [m for m in messages if m.startswith(f"{name}-")] == [f"{name}-{i}" for i in range(TURNS_PER_WRITER)]
    # every turn was built on the version the turn before it made: no update was lost
    previous = first.id
    for turn in session.turns:
        assert turn.base_version == previous
        assert session.versions[turn.version_id].parent == previous
        previous = turn.version_id
    assert session.meta.head == previous
    print(f"{kind}: conflicts retried {reports}")
    store.close()
