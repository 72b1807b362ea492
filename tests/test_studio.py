"""The graph as LangGraph Studio runs it: a real ``langgraph dev`` server from langgraph.json,
driven through its HTTP API with langgraph_sdk (two turns on one thread, then a plan approval)."""

from __future__ import annotations

import base64
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.scenes import found, scene
from tests.test_http_api import free_port, png

langgraph_sdk = pytest.importorskip("langgraph_sdk")
ROOT = Path(__file__).resolve().parents[1]
LANGGRAPH = shutil.which("langgraph", path=str(Path(sys.executable).parent)) or shutil.which("langgraph")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(LANGGRAPH is None, reason='needs pip install "langgraph-cli[inmem]"')]
SCENE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


@pytest.fixture(scope="module")
def studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``langgraph dev`` on a free port with a SQLite store in a temp dir; stopped by its pid."""
    tmp = tmp_path_factory.mktemp("studio")
    port = free_port()
    env = {**os.environ, "LANGGRAPH_CLI_NO_ANALYTICS": "1", "LANGGRAPH_NO_VERSION_CHECK": "true",
           "RETOUCH_STORE": f"sqlite:///{tmp / 's.db'}", "RETOUCH_DATA_DIR": str(tmp)}
    log = (tmp / "langgraph.log").open("wb")  # outside the repo: the file watcher must not see it
    process = subprocess.Popen(
        [LANGGRAPH, "dev", "--no-browser", "--no-reload", "--port", str(port), "--config", "langgraph.json"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/ok", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"langgraph dev did not start:\n{(tmp / 'langgraph.log').read_text()[-3000:]}")
            time.sleep(0.25)
        yield url, tmp
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()


def _image(store_dir: Path, output: dict) -> Image.Image:
    """The turn's image, read back from the server's store."""
    from graph import Settings
    from state import open_store

    store = open_store(Settings.load(store=f"sqlite:///{store_dir / 's.db'}", data_dir=store_dir).store_url())
    try:
        return store.images.get_image(output["image_ref"])
    finally:
        store.close()


def test_two_turns_on_one_thread(studio):
    url, tmp = studio
    client = langgraph_sdk.get_sync_client(url=url)
    assistant = client.assistants.search(graph_id="retouch")[0]
    thread = client.threads.create()
    image = base64.b64encode(png(SCENE)).decode()

    first = client.runs.wait(thread["thread_id"], assistant["assistant_id"],
                             input={"message": "remove the red circle", "image": image})
    assert first["passed"] is True and first["turn_index"] == 1, first
    session_id = first["session_id"]
    assert not found(_image(tmp, first), "circle", "red")

    second = client.runs.wait(thread["thread_id"], assistant["assistant_id"],
                              input={"session_id": session_id, "message": "make the square green"})
    assert second["session_id"] == session_id and second["turn_index"] == 2, second
    after = _image(tmp, second)
    assert found(after, "square", "green") and not found(after, "circle", "red")

    state = client.threads.get_state(thread["thread_id"])
    assert state["values"]["session_id"] == session_id
    assert state["values"]["turn_index"] == 2 and "Done" in state["values"]["reply"]
    assert len(client.threads.get_history(thread["thread_id"], limit=50)) > 2


def test_confirm_plan_interrupt_and_resume(studio):
    url, tmp = studio
    client = langgraph_sdk.get_sync_client(url=url)
    thread = client.threads.create()
    image = base64.b64encode(png(SCENE)).decode()
    client.runs.wait(thread["thread_id"], "retouch", input={"message": "make the circle yellow", "image": image},
                     context={"confirm_plan": True})
    state = client.threads.get_state(thread["thread_id"])
    interrupts = [i for task in state["tasks"] for i in task.get("interrupts", [])]
    assert interrupts and interrupts[0]["value"]["plan"]["operations"][0]["kind"] == "recolor"
    assert state["next"] == ["execute"]

    resumed = client.runs.wait(thread["thread_id"], "retouch", command={"resume": {"approve": True}},
                               context={"confirm_plan": True})
    assert resumed["passed"] is True, resumed
    assert found(_image(tmp, resumed), "circle", "yellow")
