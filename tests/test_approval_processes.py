"""Turns that resume anywhere: a plan paused in one OS process is approved in another over a real
Redis, and survives redis-server being killed and restarted (AOF) while it waits."""

from __future__ import annotations

import multiprocessing
import os
import signal
import uuid
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from graph import Editor, Settings
from tests.redis_server import RedisServer
from tests.scenes import canvas, found, scene
from tests.test_redis_api import run_in_child


def small_scene() -> np.ndarray:
    return scene(("circle", "red", (34, 34, 94, 94)), ("square", "blue", (80, 80, 120, 120)), base=canvas(128, 128))


def open_editor(url: str, prefix: str) -> Editor:
    return Editor(Settings.load(store=url, store_prefix=prefix))


def pause_for_approval(url: str, prefix: str, image: np.ndarray, results: Any) -> None:
    """Process 1: send with confirm_plan, report the pending plan, exit without deciding."""
    try:
        with open_editor(url, prefix) as editor:
            session = editor.session()
            result = session.send("make the circle green", image=image, confirm_plan=True)
            results.put((session.id, result.turn_index, [op.kind for op in result.pending_plan.operations]))
    except Exception as exc:  # travel back to the test instead of dying silently
        results.put(exc)


def approve_elsewhere(url: str, prefix: str, session_id: str, results: Any) -> None:
    """Process 2: a new Editor approves the plan process 1 left waiting."""
    try:
        with open_editor(url, prefix) as editor:
            session = editor.session(session_id)
            pending = session.pending_plan
            result = session.approve()
            results.put((pending.turn_index, result.turn_index, bool(result.passed), result.version_id))
    except Exception as exc:
        results.put(exc)


def pause_then_die(url: str, prefix: str, image: np.ndarray, results: Any) -> None:
    """A process killed (SIGKILL, no clean-up) right after its turn paused for approval."""
    editor = open_editor(url, prefix)
    session = editor.session()
    session.send("make the circle green", image=image, confirm_plan=True)
    results.put(session.id)
    results.close()
    results.join_thread()  # the id has left this process before it dies
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("kind", [pytest.param("redis", marks=pytest.mark.redis), "sqlite"])
def test_a_process_killed_while_its_plan_waits_leaves_it_resumable(kind: str, request: pytest.FixtureRequest,
                                                                   tmp_path: Path) -> None:
    if kind == "redis":
        url, prefix = request.getfixturevalue("redis_server").url, f"kill{uuid.uuid4().hex[:8]}"
    else:
        url, prefix = f"sqlite:///{tmp_path / 'sessions.db'}", "retouch"
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=pause_then_die, args=(url, prefix, small_scene(), results))
    process.start()
    session_id = results.get(timeout=60)
    process.join(30)
    assert process.exitcode == -signal.SIGKILL
    with open_editor(url, prefix) as editor:
        session = editor.session(session_id)
        assert session.pending_plan is not None and session.history() == []
        assert session.approve().passed is True
        assert len(session.history()) == 1 and found(session.image, "circle", "green")


@pytest.mark.redis
def test_paused_in_one_process_approved_in_another(redis_server: RedisServer) -> None:
    prefix = f"appr{uuid.uuid4().hex[:8]}"
    session_id, turn, kinds = run_in_child(pause_for_approval, redis_server.url, prefix, small_scene())
    assert turn == 1 and kinds == ["recolor"]
    waiting, committed, passed, version_id = run_in_child(approve_elsewhere, redis_server.url, prefix, session_id)
    assert (waiting, committed, passed) == (1, 1, True)

    with open_editor(redis_server.url, prefix) as editor:
        session = editor.session(session_id)
        history = session.history()
        assert len(history) == 1 and history[0].version_id == version_id == session.head.id  # committed once
        assert [e.message for e in history[0].trace.events if e.stage == "approve"] == ["round 1: plan approved"]
        # the trace holds the first process's steps too: it crossed processes in the checkpoint
        assert [e.stage for e in history[0].trace.events][:3] == ["load", "parse", "decompose"]
        assert found(session.image, "circle", "green") and session.pending_plan is None
        # the turn's checkpoints live under the store's key prefix, on the thread named after the turn
        keys = [k.decode() for k in editor.store.client.keys(f"{prefix}:lg:*")]
        assert any(session_id in k for k in keys), keys


@pytest.mark.redis
def test_a_waiting_plan_survives_a_redis_crash(fresh_redis_server: RedisServer) -> None:
    prefix = f"crash{uuid.uuid4().hex[:6]}"
    session_id, _, _ = run_in_child(pause_for_approval, fresh_redis_server.url, prefix, small_scene())
    fresh_redis_server.kill()  # SIGKILL while the plan waits
    fresh_redis_server.restart()  # AOF replayed
    with open_editor(fresh_redis_server.url, prefix) as editor:
        session = editor.session(session_id)
        assert session.pending_plan is not None
        result = session.approve()
        assert result.passed is True and len(session.history()) == 1
        assert found(session.image, "circle", "green")
