"""The HTTP API: every route and every error path, in-process (httpx over ASGI) and against a real
uvicorn server for the server-sent event stream."""

from __future__ import annotations

import base64
import io
import json
import socket
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import numpy as np
import pytest
import uvicorn
from PIL import Image

from graph import Editor, Settings
from graph.server import ServerConfig, create_app
from tests.scenes import found, scene

pytestmark = pytest.mark.anyio
SCENE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


def png(array: np.ndarray | Image.Image) -> bytes:
    image = array if isinstance(array, Image.Image) else Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def parse_sse(text: str) -> list[tuple[str, dict]]:
    """``event:``/``data:`` blocks → (event, data) pairs, comments skipped."""
    events = []
    for block in text.strip().split("\n\n"):
        name, data = "message", ""
        for line in block.splitlines():
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data += line[5:].strip()
        if data:
            events.append((name, json.loads(data)))
    return events


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(app) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, in a thread; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
def editor():
    with Editor(Settings.load(store="memory://", max_pixels=4_000_000)) as instance:
        yield instance


def client_for(app, **headers) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test", headers=headers)


async def new_session_with_image(client: httpx.AsyncClient, image: np.ndarray = SCENE) -> str:
    session_id = (await client.post("/sessions")).json()["id"]
    response = await client.post(f"/sessions/{session_id}/image", files={"file": ("scene.png", png(image), "image/png")})
    assert response.status_code == 200, response.text
    return session_id


def assert_error(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


# ---------------------------------------------------------------------- happy paths (ASGI)


async def test_session_lifecycle_history_and_images(editor):
    app = create_app(editor)
    async with client_for(app) as client:
        created = await client.post("/sessions")
        assert created.status_code == 201
        session_id = created.json()["id"]
        assert len(session_id) == 32 and int(session_id, 16) >= 0  # 128 random bits, hex
        assert session_id in [s["id"] for s in (await client.get("/sessions")).json()["sessions"]]
        assert_error(await client.get(f"/sessions/{session_id}/image"), 404, "missing_image")

        upload = (await client.post(f"/sessions/{session_id}/image",
                                    files={"file": ("a.png", png(SCENE), "image/png")})).json()
        assert upload["kind"] == "upload" and upload["turn_index"] == 1

        turn = (await client.post(f"/sessions/{session_id}/messages?stream=false",
                                  json={"text": "make the red circle green"})).json()
        assert turn["passed"] is True and turn["turn_index"] == 2 and not turn["needs_answer"]
        edited = Image.open(io.BytesIO((await client.get(turn["image_url"])).content))
        assert found(edited, "circle", "green") and not found(edited, "circle", "red")

        info = (await client.get(f"/sessions/{session_id}")).json()
        assert info["head"] == turn["version_id"] and info["width"] == 320 and info["turn_count"] == 2
        assert any("green" in c for c in info["constraints"])

        undone = (await client.post(f"/sessions/{session_id}/undo")).json()
        assert undone["kind"] == "history" and undone["version_id"] == upload["version_id"]
        head = Image.open(io.BytesIO((await client.get(f"/sessions/{session_id}/image")).content))
        assert found(head, "circle", "red")
        redone = (await client.post(f"/sessions/{session_id}/redo")).json()
        assert redone["version_id"] == turn["version_id"]
        reverted = (await client.post(f"/sessions/{session_id}/revert", json={"turn": 1})).json()
        assert reverted["version_id"] == upload["version_id"]

        history = (await client.get(f"/sessions/{session_id}/history")).json()
        assert [t["kind"] for t in history["turns"]] == ["upload", "edit", "history", "history", "history"]
        thumb = Image.open(io.BytesIO((await client.get(history["turns"][1]["thumbnail_url"])).content))
        assert max(thumb.size) == 160

        branch = await client.post(f"/sessions/{session_id}/branch", json={"version_id": turn["version_id"]})
        assert branch.status_code == 201 and branch.json()["head"] == turn["version_id"]
        assert branch.json()["parent_session"] == session_id

        archive = await client.get(f"/sessions/{session_id}/export")
        assert archive.headers["content-type"] == "application/zip"
        assert "session.json" in zipfile.ZipFile(io.BytesIO(archive.content)).namelist()

        assert (await client.delete(f"/sessions/{session_id}")).status_code == 204
        assert_error(await client.get(f"/sessions/{session_id}"), 404, "session_not_found")


async def test_multipart_message_with_box_mask_and_reference(editor):
    app = create_app(editor)
    async with client_for(app) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        response = await client.post(
            f"/sessions/{session_id}/messages?stream=false",
            data={"text": "remove this", "box": json.dumps([25, 85, 105, 165])},
            files={"image": ("scene.png", png(SCENE), "image/png")})
        assert response.status_code == 200, response.text
        image = Image.open(io.BytesIO((await client.get(response.json()["image_url"])).content))
        assert not found(image, "circle") and found(image, "square", "blue")

        mask = np.zeros((240, 320), np.uint8)
        mask[88:162, 198:272] = 255  # painted over the square
        response = await client.post(f"/sessions/{session_id}/messages?stream=false",
                                     json={"text": "remove this", "mask": "data:image/png;base64," + b64(png(mask))})
        assert response.status_code == 200, response.text
        image = Image.open(io.BytesIO((await client.get(response.json()["image_url"])).content))
        assert not found(image, "square")

        logo = np.zeros((40, 40, 4), np.uint8)
        logo[5:35, 5:35] = (255, 200, 0, 255)
        response = await client.post(f"/sessions/{session_id}/messages?stream=false",
                                     json={"text": "add this logo at the top left", "reference_images": [b64(png(Image.fromarray(logo, "RGBA")))]})
        assert response.status_code == 200, response.text
        assert response.json()["kind"] == "edit"


# ---------------------------------------------------------------------- error paths (ASGI)


async def test_api_key_required_when_configured(editor):
    app = create_app(editor, config=ServerConfig(api_key="s3cret"))
    async with client_for(app) as client:
        assert_error(await client.get("/sessions"), 401, "unauthorized")
        assert_error(await client.get("/sessions", headers={"X-API-Key": "wrong"}), 401, "unauthorized")
        assert (await client.get("/sessions", headers={"X-API-Key": "s3cret"})).status_code == 200
        assert (await client.get("/sessions", headers={"Authorization": "Bearer s3cret"})).status_code == 200
        assert (await client.get("/")).status_code == 200  # the page itself is public; it asks for the key
        assert (await client.get("/openapi.json")).status_code == 200


async def test_image_errors(editor):
    app = create_app(editor, config=ServerConfig(max_request_bytes=200_000, max_upload_bytes=150_000))
    async with client_for(app) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        upload = f"/sessions/{session_id}/image"
        assert_error(await client.post(upload, files={"file": ("x.png", b"not an image at all", "image/png")}),
                     422, "corrupt_image")
        noise = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
        assert_error(await client.post(upload, files={"file": ("big.png", png(noise), "image/png")}),
                     413, "request_too_large")
        # a decompression bomb: a tiny PNG whose header claims 5000 x 5000 pixels (limit 4 MP)
        bomb = png(Image.new("1", (5000, 5000)))
        assert len(bomb) < 20_000
        assert_error(await client.post(upload, files={"file": ("bomb.png", bomb, "image/png")}),
                     413, "image_too_large")
        message = f"/sessions/{session_id}/messages"
        assert_error(await client.post(message, json={"text": "remove the circle", "image": b64(bomb)}),
                     413, "image_too_large")
        assert_error(await client.post(message, json={"text": "remove the circle", "image": "@@@"}),
                     422, "corrupt_image")
        assert_error(await client.post(message, json={"text": "remove the circle"}), 422, "missing_image")
        assert_error(await client.post(message, content=b"x" * 300_000,
                                       headers={"content-type": "application/json"}), 413, "request_too_large")


async def test_instruction_session_and_conflict_errors(editor):
    app = create_app(editor)
    async with client_for(app) as client:
        missing = "0" * 32
        assert_error(await client.get(f"/sessions/{missing}"), 404, "session_not_found")
        assert_error(await client.post(f"/sessions/{missing}/messages", json={"text": "undo"}), 404,
                     "session_not_found")
        assert_error(await client.post(f"/sessions/{missing}/undo"), 404, "session_not_found")

        session_id = await new_session_with_image(client)
        message = f"/sessions/{session_id}/messages"
        assert_error(await client.post(message, json={"text": "flibber the gronk"}), 422, "unparseable_instruction")
        assert_error(await client.post(message, json={"text": "remove the purple hexagon"}), 422, "target_not_found")
        assert_error(await client.post(message, json={}), 422, "invalid_request")
        assert_error(await client.post(message, json={"text": "remove this", "box": [50, 50, 10, 10]}),
                     422, "invalid_request")
        assert_error(await client.post(message, content=b"text=hi", headers={"content-type": "text/plain"}),
                     415, "unsupported_media_type")
        assert_error(await client.post(f"/sessions/{session_id}/revert", json={"turn": 99}), 409, "history_error")
        assert_error(await client.post(f"/sessions/{session_id}/redo"), 409, "history_error")
        assert_error(await client.get(f"/sessions/{session_id}/versions/{missing}/image"), 404, "version_not_found")

        # optimistic concurrency: a client that saw revision N is refused once the session moved on
        seen = (await client.get(f"/sessions/{session_id}")).json()["revision"]
        ok = await client.post(f"{message}?stream=false", json={"text": "make the circle blue"},
                               headers={"If-Match": str(seen)})
        assert ok.status_code == 200
        stale = await client.post(message, json={"text": "make the square red"}, headers={"If-Match": str(seen)})
        assert_error(stale, 409, "session_conflict")
        assert_error(await client.post(f"/sessions/{session_id}/undo", headers={"If-Match": str(seen)}),
                     409, "session_conflict")
        assert (await client.get(f"/sessions/{session_id}")).json()["revision"] == seen + 1  # nothing written


# ---------------------------------------------------------------------- a real server: SSE


def test_sse_stream_against_uvicorn(editor):
    app = create_app(editor)
    with running_server(app) as base, httpx.Client(base_url=base, timeout=60) as client:
        session_id = client.post("/sessions").json()["id"]
        stages, arrival = [], []
        started = time.perf_counter()
        with client.stream("POST", f"/sessions/{session_id}/messages",
                           json={"text": "remove the red circle", "image": b64(png(SCENE))}) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            text = ""
            for chunk in response.iter_text():
                text += chunk
                arrival.append(time.perf_counter() - started)
        events = parse_sse(text)
        stages = [name for name, _ in events]
        assert stages[0] == "load" and stages[-1] == "done"
        assert {"parse", "plan", "operation", "critique", "commit"} <= set(stages)
        assert len(arrival) > 1  # flushed as they happen, not in one piece at the end
        result = events[-1][1]["result"]
        assert result["passed"] is True and result["session_id"] == session_id
        image = Image.open(io.BytesIO(client.get(result["image_url"]).content))
        assert not found(image, "circle", "red") and found(image, "square", "blue")

        # a question is a normal turn that ends with needs_answer
        two = scene(("circle", "red", (30, 90, 100, 160)), ("circle", "red", (200, 90, 270, 160)))
        session_id = client.post("/sessions").json()["id"]
        with client.stream("POST", f"/sessions/{session_id}/messages",
                           json={"text": "remove the circle", "image": b64(png(two))}) as response:
            events = parse_sse(response.read().decode())
        result = events[-1][1]["result"]
        assert result["needs_answer"] and len(result["options"]) == 2


# ---------------------------------------------------------------------- property-based: no 5xx


def test_openapi_fuzz_has_no_server_errors(editor):
    """schemathesis against /openapi.json: every documented operation, bounded examples, never a 5xx."""
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings

    app = create_app(editor)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=30, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call()
            if response.status_code >= 500:
                failures.append(f"{case.operation.label}: {response.status_code} {response.text[:200]}")

        check()
    assert not failures, failures
    assert time.monotonic() - started < 60
