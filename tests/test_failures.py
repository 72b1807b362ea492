"""Say what can't be done and keep everything: a named thing the engines cannot find is a typed 4xx
that offers a drawn box; the image sent with a failed message stays; no message gives a 5xx."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from agents.errors import TargetNotFound, UnparseableInstruction
from graph import Editor, Settings
from graph.server import create_app
from tests.scenes import found, scene
from tests.test_http_api import client_for, png

pytestmark = pytest.mark.anyio
SCENE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture()
def editor():
    with Editor(Settings.load(store="memory://")) as instance:
        yield instance


def test_python_api_keeps_the_image_of_a_failed_first_message_and_a_box_completes_it(editor):
    session = editor.session()
    with pytest.raises(TargetNotFound) as refused:
        session.send("remove the cup", image=SCENE)
    assert refused.value.thing == "cup" and "draw_box" in refused.value.actions
    assert "'remove this'" in str(refused.value)
    assert session.image is not None and np.array_equal(np.asarray(session.image), SCENE)
    assert [t.kind.value for t in session.history()] == ["upload"]
    result = session.send("remove this", box=(26, 86, 104, 164))  # the cup was the red circle after all
    assert result.passed and not found(result.image, "circle", "red") and found(result.image, "square", "blue")


def test_an_unparseable_first_message_keeps_its_image_too(editor):
    session = editor.session()
    with pytest.raises(UnparseableInstruction):
        session.send("qwzx plorf", image=SCENE)
    assert session.image is not None
    assert session.send("make the square green").passed


def test_a_failed_message_without_an_image_writes_nothing(editor):
    session = editor.session()
    session.send("make the circle blue", image=SCENE)
    before = session.meta.revision
    with pytest.raises(TargetNotFound):
        session.send("remove the giraffe")
    assert session.meta.revision == before and len(session.history()) == 1


async def test_http_target_not_found_is_a_422_naming_the_thing_and_a_box_completes_it(editor):
    async with client_for(create_app(editor)) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        response = await client.post(f"/sessions/{session_id}/messages?stream=false",
                                     data={"text": "remove the cup"},
                                     files={"image": ("scene.png", png(SCENE), "image/png")})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["code"] == "target_not_found" and "cup" in error["message"]
        assert error["details"]["thing"] == "cup" and "draw_box" in error["details"]["actions"]
        assert (await client.get(f"/sessions/{session_id}/image")).status_code == 200  # the image was kept
        done = await client.post(f"/sessions/{session_id}/messages?stream=false",
                                 json={"text": "remove this", "box": [26, 86, 104, 164]})
        assert done.status_code == 200 and done.json()["passed"] is True


async def test_generated_messages_never_get_a_5xx(editor):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    words = ["remove", "the", "cup", "make", "it", "blue", "bigger", "add", "a", "star", "unicorn", "her", "face",
             "replace", "with", "undo", "please", "?", "no", "wait", "background", "text", "'SALE'", "3", "%"]
    app = create_app(editor)
    async with client_for(app) as client:
        session_id = (await client.post("/sessions")).json()["id"]
        await client.post(f"/sessions/{session_id}/image", files={"file": ("s.png", png(SCENE), "image/png")})
        statuses: list[str] = []

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(st.lists(st.sampled_from(words), min_size=0, max_size=7).map(" ".join) | st.text(max_size=40))
        def probe(text: str) -> None:
            statuses.append(text)  # messages are sent below, outside hypothesis's sync runner

        probe()
        codes = []
        for text in statuses:
            response = await client.post(f"/sessions/{session_id}/messages?stream=false", json={"text": text})
            codes.append((response.status_code, text))
        assert all(code < 500 for code, _ in codes), [c for c in codes if c[0] >= 500]


def _chat(tmp_path: Path, lines: list[str]) -> str:
    """``retouch chat`` driven through a pseudo-terminal; returns everything it printed."""
    image = tmp_path / "scene.png"
    Image.fromarray(SCENE).save(image)
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really a png")
    env = {**os.environ, "RETOUCH_STORE": "memory://", "COLUMNS": "60", "TERM": "dumb"}
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "graph.cli", "chat", str(image), "-o", str(tmp_path / "o.png")],
                               stdin=follower, stdout=follower, stderr=follower, cwd=ROOT, env=env)
    os.close(follower)
    output = b""

    def read_until(marker: bytes, limit: float = 120.0) -> None:
        nonlocal output
        deadline = time.monotonic() + limit
        while marker not in output.rsplit(b"\n", 1)[-1] and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 1.0)
            if ready:
                try:
                    output += os.read(leader, 4096)
                except OSError:
                    return

    try:
        for line in lines:
            read_until(b"you>")
            os.write(leader, line.encode() + b"\n")
            output += b"\n"  # prompts after this line are the next turn's
        read_until(b"you>")
        os.write(leader, b"quit\n")
        process.wait(60)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return output.decode(errors="replace")


def test_chat_survives_every_error_and_goes_on(tmp_path):
    out = _chat(tmp_path, ["remove the unicorn", "qwzx plorf", f"/ref {tmp_path / 'corrupt.png'}", "add this at the top",
                           "make the square green"])
    assert "TargetNotFound" in out and "/box" in out
    assert "UnparseableInstruction" in out
    assert "CorruptImage" in out
    assert "Traceback" not in out
    assert found(Image.open(tmp_path / "o.png"), "square", "green")
