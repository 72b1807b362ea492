"""The shared stores through the public Python API: racing processes, hand-over, a Redis crash.

The store-level tests (test_store_races.py, test_redis_faults.py) drive the stores directly; these
drive ``Editor(Settings.load(store=url)).session(id).send(...)`` the way a deployment does, so the
graph's conflict retries, the blob writes of a running turn and reconnecting after a crash are all
in the loop.
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph import Editor, Settings
from state.errors import SessionConflict, StoreUnavailable
from tests.redis_server import RedisServer
from tests.scenes import canvas, found, scene

pytestmark = pytest.mark.redis

TURNS_PER_WRITER = 200
COLORS = ("red", "blue")


def small_scene() -> np.ndarray:
    return scene(("circle", "red", (34, 34, 94, 94)), base=canvas(128, 128))


def store_url(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, str]:
    """(store URL, Redis key prefix) for ``kind``; Redis tests share the session server."""
    if kind == "redis":
        return request.getfixturevalue("redis_server").url, f"api{uuid.uuid4().hex[:8]}"
    return f"sqlite:///{tmp_path / 'sessions.db'}", "retouch"


def open_editor(url: str, prefix: str) -> Editor:
    return Editor(Settings.load(store=url, store_prefix=prefix))


# --------------------------------------------------------------------------- child processes


def race_writer(url: str, prefix: str, session_id: str, name: str, count: int,
                start: Any, results: Any) -> None:
    """Send ``count`` recolour turns to one session; report what committed and what gave up."""
    editor = open_editor(url, prefix)
    session = editor.session(session_id)
    committed: list[tuple[int, str, str, int]] = []  # (turn index, version id, message, retries)
    gave_up = 0
    start.wait(30)
    for i in range(count):
        message = f"make the circle {COLORS[i % 2]}"
        try:
            result = session.send(message)
        except SessionConflict:
            gave_up += 1
            continue
        committed.append((result.turn_index, result.version_id, message, result.trace.retries))
    editor.close()
    results.put((name, committed, gave_up))


def run_in_child(target: Callable[..., None], *args: Any, timeout: float = 60) -> Any:
    """Run ``target(*args, results)`` in a spawned process and return what it put on the queue."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=target, args=(*args, results))
    process.start()
    try:
        value = results.get(timeout=timeout)
    finally:
        process.join(30)
    assert process.exitcode == 0, f"child exited with {process.exitcode}"
    if isinstance(value, BaseException):
        raise value
    return value


def first_writer(url: str, prefix: str, image: np.ndarray, results: Any) -> None:
    """Process 1: start a session and recolour the circle."""
    try:
        with open_editor(url, prefix) as editor:
            session = editor.session()
            result = session.send("make the red circle blue", image=image)
            results.put((session.id, result.turn_index, bool(result.passed)))
    except Exception as exc:  # travel back to the test instead of dying silently
        results.put(exc)


def second_writer(url: str, prefix: str, session_id: str, results: Any) -> None:
    """Process 2: continue the stored session with a reference to process 1's edit."""
    try:
        with open_editor(url, prefix) as editor:
            result = editor.session(session_id).send("make it bigger")
            results.put((result.turn_index, bool(result.passed), result.plan.operations[0].entity_ids))
    except Exception as exc:
        results.put(exc)


# --------------------------------------------------------------------------- 1. racing processes


@pytest.mark.parametrize("kind", ["redis", "sqlite"])
def test_two_processes_sending_to_one_session(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url, prefix = store_url(kind, request, tmp_path)
    editor = open_editor(url, prefix)
    session = editor.session()
    session.send("make the circle blue", image=small_scene())

    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    writers = [context.Process(target=race_writer,
                               args=(url, prefix, session.id, name, TURNS_PER_WRITER, start, results))
               for name in ("a", "b")]
    for process in writers:
        process.start()
    started = time.monotonic()
    start.set()
    reports: dict[str, tuple[list[tuple[int, str, str, int]], int]] = {}
    while len(reports) < len(writers):
        try:
            name, committed, gave_up = results.get(timeout=0.5)
            reports[name] = (committed, gave_up)
        except queue.Empty:
            crashed = [p.exitcode for p in writers if p.exitcode not in (None, 0)]
            assert not crashed, f"a writer crashed (exit codes {crashed})"
            assert time.monotonic() - started < 150, "writers did not finish in 150 s"
    for process in writers:
        process.join(30)
        assert process.exitcode == 0
    elapsed = time.monotonic() - started

    history = session.history()
    committed = sorted(turn for name in reports for turn in reports[name][0])
    gave_up = sum(reports[name][1] for name in reports)
    # Every send either committed or raised SessionConflict.
    assert len(committed) + gave_up == 2 * TURNS_PER_WRITER
    # The history is the first turn plus exactly the committed turns, numbered 1..N without a gap
    # or a duplicate; each stored turn is the one its writer was told it committed.
    assert [t.index for t in history] == list(range(1, len(history) + 1))
    assert [index for index, *_ in committed] == list(range(2, len(history) + 1))
    for index, version_id, message, retries in committed:
        turn = history[index - 1]
        assert (turn.version_id, turn.message, turn.trace.retries) == (version_id, message, retries)
    # Each writer's turns are stored in the order it sent them.
    for name in reports:
        indices = [index for index, *_ in reports[name][0]]
        assert indices == sorted(indices)
    # Each turn was built on the version the turn before it made: no edit was lost.
    for previous, turn in zip(history, history[1:], strict=False):
        assert turn.base_version == previous.version_id
    assert session.head.id == history[-1].version_id
    # Conflicts were met and retried inside the API, and the retry is in the committed trace.
    retried = [t for t in history if t.trace.retries]
    assert retried, "no committed turn records a conflict retry"
    for turn in retried:
        assert any("SessionConflict" in e.message for e in turn.trace.events if e.stage == "load")
    # The image agrees with the last committed recolour.
    last_color = history[-1].message.split()[3]
    assert found(session.image, "circle", last_color)
    print(f"\n{kind}: {len(committed)} committed, {gave_up} gave up after "
          f"{editor.settings.commit_retries} retries, {len(retried)} retried, {elapsed:.1f} s")
    editor.close()


# --------------------------------------------------------------------------- 2. hand-over


@pytest.mark.parametrize("kind", ["redis", "sqlite"])
def test_a_session_continues_in_another_process(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    url, prefix = store_url(kind, request, tmp_path)
    image = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))
    session_id, index, passed = run_in_child(first_writer, url, prefix, image)
    assert index == 1 and passed

    with open_editor(url, prefix) as editor:
        area = found(editor.session(session_id).image, "circle", "blue")[0].area
    index, passed, entity_ids = run_in_child(second_writer, url, prefix, session_id)
    assert index == 2 and passed

    with open_editor(url, prefix) as editor:
        session = editor.session(session_id)
        circles = found(session.image, "circle", "blue")
        squares = found(session.image, "square", "blue")
        assert len(circles) == 1 and circles[0].area > 1.4 * area  # "it" was the circle turn 1 recoloured
        assert len(squares) == 1 and abs(squares[0].area - 70 * 70) < 0.1 * 70 * 70  # the square untouched
        recoloured = session.history()[0].plan.operations[0].entity_ids
        assert entity_ids == recoloured


# --------------------------------------------------------------------------- 3. Redis dies mid-turn


def big_scene() -> np.ndarray:
    return scene(("circle", "red", (200, 300, 500, 600)), ("square", "blue", (600, 300, 900, 600)),
                 base=canvas(1024, 1024))


@pytest.mark.parametrize("stage", ["plan", "critique"])
def test_redis_killed_during_a_turn(stage: str, fresh_redis_server: RedisServer) -> None:
    """SIGKILL redis-server while a turn runs (after planning: the executor's blob writes fail;
    after the critique: the commit fails). StoreUnavailable, nothing half-written, and the same
    editor works again once Redis is back."""
    editor = Editor(Settings.load(store=fresh_redis_server.url, store_prefix=f"kill{uuid.uuid4().hex[:6]}"))
    session = editor.session()
    first = session.send("make the square green", image=big_scene())
    assert first.passed
    before = np.asarray(session.image)

    killed = []
    with pytest.raises(StoreUnavailable):
        for event in session.stream("remove the red circle"):
            if event.stage == stage and not killed:
                fresh_redis_server.kill()
                killed.append(time.monotonic())
    assert killed, f"the turn never reached {stage!r}"

    fresh_redis_server.restart()
    session = editor.session(session.id)  # the same editor reconnects
    history = session.history()
    assert [t.index for t in history] == [1] and session.meta.turn_count == 1
    assert session.head.id == first.version_id
    assert np.array_equal(np.asarray(session.image), before)

    result = session.send("remove the red circle")
    assert result.turn_index == 2 and result.passed
    assert not found(result.image, "circle", "red") and found(result.image, "square", "green")
    editor.close()


def test_redis_killed_from_another_thread_during_send(fresh_redis_server: RedisServer) -> None:
    """The same crash, timed from outside: a thread kills Redis while ``send`` is inside an engine call.

    The inpainter is wrapped in a gate so the kill lands mid-turn on any machine speed: the engine
    call announces itself, waits until the other thread has killed Redis, then finishes its work."""
    import threading

    editor = Editor(Settings.load(store=fresh_redis_server.url, store_prefix=f"thr{uuid.uuid4().hex[:6]}"))
    session = editor.session()
    session.send("make the square green", image=big_scene())
    head = session.head.id
    in_engine, killed = threading.Event(), threading.Event()

    class GatedInpainter:
        def __init__(self, inner) -> None:
            self._inner = inner

        def __getattr__(self, name: str):
            return getattr(self._inner, name)

        def inpaint(self, *args, **kwargs):
            in_engine.set()
            killed.wait(10)
            return self._inner.inpaint(*args, **kwargs)

    engines = editor.services.engines
    engines.inpainter = GatedInpainter(engines.inpainter)

    def kill_when_running() -> None:
        if in_engine.wait(30):
            fresh_redis_server.kill()
        killed.set()

    killer = threading.Thread(target=kill_when_running, daemon=True)
    killer.start()
    with pytest.raises(StoreUnavailable):
        session.send("remove the red circle")
    assert in_engine.is_set(), "the turn never reached the inpainter"
    killer.join(10)

    fresh_redis_server.restart()
    session = editor.session(session.id)
    assert session.meta.turn_count == 1 and session.head.id == head
    result = session.send("remove the red circle")
    assert result.turn_index == 2 and result.passed
    editor.close()
