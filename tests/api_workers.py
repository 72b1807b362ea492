"""`retouch serve` processes for the multi-worker tests and the scale benchmark.

Each worker is its own OS process (the real CLI entry point, uvicorn included) over one store, so
nothing is shared between them but Redis and, with ``ray://``, the engine deployments. A worker is
ready when ``/healthz`` answers; its output goes to a log file that a failure message quotes.
"""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from tests.redis_server import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class ApiWorker:
    url: str
    process: subprocess.Popen
    log: Path

    def client(self, timeout: float = 300.0) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


def _wait_healthy(worker: ApiWorker, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            raise RuntimeError(f"`retouch serve` exited with {worker.process.returncode}:\n{worker.output()}")
        try:
            if httpx.get(f"{worker.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)  # polling a port that is not open yet; the deadline bounds it
    raise TimeoutError(f"`retouch serve` at {worker.url} not healthy within {timeout} s:\n{worker.output()}")


@contextmanager
def api_worker(store: str, engines: str, log_dir: Path, *, prefix: str = "retouch",
               timeout: float = 180.0) -> Iterator[ApiWorker]:
    port = free_port()
    log = log_dir / f"serve-{port}.log"
    env = {**os.environ, "RETOUCH_STORE_PREFIX": prefix, "PYTHONPATH": str(ROOT),
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
    command = [sys.executable, "-m", "graph.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--store", store, "--engines", engines, "--log-level", "warning"]
    with open(log, "wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT)
    worker = ApiWorker(url=f"http://127.0.0.1:{port}", process=process, log=log)
    try:
        _wait_healthy(worker, timeout)
        yield worker
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def api_workers(count: int, store: str, engines: str, log_dir: Path, **options) -> Iterator[list[ApiWorker]]:
    with ExitStack() as stack:
        yield [stack.enter_context(api_worker(store, engines, log_dir, **options)) for _ in range(count)]


def png_b64(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def send(client: httpx.Client, session_id: str, text: str, image: np.ndarray | None = None) -> httpx.Response:
    body = {"text": text, **({"image": png_b64(image)} if image is not None else {})}
    return client.post(f"/sessions/{session_id}/messages", params={"stream": "false"}, json=body)


def head_image(client: httpx.Client, session_id: str) -> np.ndarray:
    response = client.get(f"/sessions/{session_id}/image")
    response.raise_for_status()
    return np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
