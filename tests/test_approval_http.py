"""Plan approval over HTTP: the SSE stream ends with a ``plan`` event, ``POST /sessions/{id}/plan``
approves or rejects, a message meanwhile is 409 ``plan_pending``; and with two ``retouch serve``
worker processes over one Redis, a plan paused through one worker is approved through the other."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from graph import Editor, Settings
from graph.server import create_app
from tests.api_workers import api_worker
from tests.redis_server import RedisServer
from tests.scenes import found
from tests.test_http_api import (
    SCENE,
    assert_error,
    b64,
    client_for,
    parse_sse,
    png,
    running_server,
)

pytestmark = pytest.mark.anyio


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
def editor():
    with Editor(Settings.load(store="memory://")) as instance:
        yield instance


async def test_plan_waits_then_reject_then_approve(editor: Editor) -> None:
    async with client_for(create_app(editor)) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        response = await client.post(f"/sessions/{session_id}/messages?stream=false",
                                     json={"text": "make the circle yellow", "image": b64(png(SCENE)),
                                           "confirm_plan": True})
        assert response.status_code == 200, response.text
        waiting = response.json()
        assert waiting["needs_approval"] and waiting["version_id"] is None
        assert waiting["pending_plan"]["plan"]["operations"][0]["kind"] == "recolor"
        assert (await client.get(f"/sessions/{session_id}/plan")).json()["pending_plan"]["turn"] == 1

        busy = await client.post(f"/sessions/{session_id}/messages?stream=false", json={"text": "make it red"})
        assert_error(busy, 409, "plan_pending")
        assert "/plan" in busy.json()["error"]["message"]
        assert_error(await client.post(f"/sessions/{session_id}/undo"), 409, "plan_pending")
        upload = await client.post(f"/sessions/{session_id}/image", files={"file": ("s.png", png(SCENE), "image/png")})
        assert_error(upload, 409, "plan_pending")

        again = await client.post(f"/sessions/{session_id}/plan?stream=false",
                                  json={"approve": False, "feedback": "a warmer yellow"})
        assert again.status_code == 200, again.text
        assert again.json()["needs_approval"] and again.json()["pending_plan"]["round"] == 2

        done = await client.post(f"/sessions/{session_id}/plan?stream=false", json={"approve": True})
        assert done.status_code == 200, done.text
        result = done.json()
        assert result["passed"] is True and result["pending_plan"] is None and result["turn_index"] == 1
        assert (await client.get(f"/sessions/{session_id}/plan")).json() == {"pending_plan": None}
        assert_error(await client.post(f"/sessions/{session_id}/plan", json={"approve": True}), 409, "no_pending_plan")
        assert_error(await client.post("/sessions/nope/plan", json={"approve": True}), 404, "session_not_found")
        assert_error(await client.post(f"/sessions/{session_id}/plan", json={"approved": 1}), 422, "invalid_request")
        assert_error(await client.delete(f"/sessions/{session_id}/plan"), 409, "no_pending_plan")
        history = (await client.get(f"/sessions/{session_id}/history")).json()
        assert len(history["turns"]) == 1
        [turn] = editor.session(session_id).history()
        assert [e.message for e in turn.trace.events if e.stage == "approve"] == [
            "round 1: plan rejected: a warmer yellow", "round 2: plan approved"]


def test_sse_ends_with_a_plan_event_and_the_decision_streams(editor: Editor) -> None:
    with running_server(create_app(editor)) as base, httpx.Client(base_url=base, timeout=60) as client:
        session_id = client.post("/sessions").json()["id"]
        with client.stream("POST", f"/sessions/{session_id}/messages",
                           json={"text": "make the circle yellow", "image": b64(png(SCENE)),
                                 "confirm_plan": True}) as response:
            assert response.status_code == 200
            events = parse_sse(response.read().decode())
        names = [name for name, _ in events]
        assert names[0] == "load" and names[-1] == "plan" and "done" not in names
        last = events[-1][1]
        assert last["data"]["waiting"] is True and last["result"]["needs_approval"]
        assert last["result"]["pending_plan"]["steps"] == last["data"]["steps"]

        with client.stream("POST", f"/sessions/{session_id}/plan", json={"approve": True}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = parse_sse(response.read().decode())
        names = [name for name, _ in events]
        assert names[0] == "approve" and {"operation", "critique", "commit"} <= set(names) and names[-1] == "done"
        result = events[-1][1]["result"]
        assert result["passed"] is True
        assert found(editor.session(session_id).image, "circle", "yellow")


# ---------------------------------------------------------------------- two `retouch serve` workers


@contextmanager
def serve_worker(url: str, prefix: str, tmp_path: Path) -> Iterator[str]:
    """A ``retouch serve`` process on a free port (tests/api_workers.py)."""
    with api_worker(url, "classical", tmp_path, prefix=prefix, timeout=60) as worker:
        yield worker.url


@pytest.mark.redis
def test_paused_on_one_worker_approved_on_another(redis_server: RedisServer, tmp_path: Path) -> None:
    prefix = f"serve{uuid.uuid4().hex[:8]}"
    with serve_worker(redis_server.url, prefix, tmp_path) as first, \
            serve_worker(redis_server.url, prefix, tmp_path) as second, \
            httpx.Client(timeout=60) as client:
        session_id = client.post(first + "/sessions").json()["id"]
        with client.stream("POST", f"{first}/sessions/{session_id}/messages",
                           json={"text": "make the circle yellow", "image": b64(png(SCENE)),
                                 "confirm_plan": True}) as response:
            events = parse_sse(response.read().decode())
        assert events[-1][0] == "plan", events[-1]
        assert client.get(f"{second}/sessions/{session_id}/plan").json()["pending_plan"]["turn"] == 1
        busy = client.post(f"{second}/sessions/{session_id}/messages?stream=false", json={"text": "make it red"})
        assert busy.status_code == 409 and busy.json()["error"]["code"] == "plan_pending"

        done = client.post(f"{second}/sessions/{session_id}/plan?stream=false", json={"approve": True})
        assert done.status_code == 200, done.text
        assert done.json()["passed"] is True
        history = client.get(f"{first}/sessions/{session_id}/history").json()
        assert len(history["turns"]) == 1 and history["turns"][0]["version_id"] == done.json()["version_id"]
        assert client.get(f"{first}/sessions/{session_id}/plan").json() == {"pending_plan": None}
    with Editor(Settings.load(store=redis_server.url, store_prefix=prefix)) as editor:
        [turn] = editor.session(session_id).history()
        assert [e.message for e in turn.trace.events if e.stage == "approve"] == ["round 1: plan approved"]
        assert found(editor.session(session_id).image, "circle", "yellow")


async def test_a_waiting_plan_can_be_discarded(editor: Editor) -> None:
    async with client_for(create_app(editor)) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        await client.post(f"/sessions/{session_id}/messages?stream=false",
                          json={"text": "make the circle yellow", "image": b64(png(SCENE)), "confirm_plan": True})
        gone = await client.delete(f"/sessions/{session_id}/plan")
        assert gone.status_code == 200 and gone.json()["pending_plan"]["turn"] == 1
        assert (await client.get(f"/sessions/{session_id}/plan")).json() == {"pending_plan": None}
        after = await client.post(f"/sessions/{session_id}/messages?stream=false", json={"text": "make the square red"})
        assert after.status_code == 200 and after.json()["passed"] is True
