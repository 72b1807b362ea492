"""Load test of ``retouch serve`` on a Redis store, on loopback only: ``python -m evals.loadtest``.

Starts a throwaway ``redis-server`` and one server process (the same app ``retouch serve`` runs,
on the offline stack), then runs N concurrent clients × T turns each over HTTP (messages as
server-sent event streams), pairs of clients sharing a session so that turns race. Prints:
failed requests (anything but the typed answers to a race: ``session_conflict`` and a
``history_error`` when the other client cleared what there was to redo), lost turns (an
acknowledged turn missing from the session's history, or history holding turns nobody was
told about), and p50/p95 turn latency. Exits 1 when a request failed or a turn was lost.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

from engines.classical.colors import rgb_of
from engines.classical.insertion import draw_shape
from tests.redis_server import free_port, start_redis_server

ROOT = Path(__file__).resolve().parents[1]
INSTRUCTIONS = ["make the circle green", "make the square red", "undo", "make the circle blue", "redo",
                "make the square yellow", "undo", "make the circle purple", "make the square green"]
TYPED_RACE_CODES = {"session_conflict", "history_error"}


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    typed: Counter = field(default_factory=Counter)
    acknowledged: dict[str, dict[int, str | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def ack(self, session_id: str, turn_index: int, version_id: str | None, seconds: float) -> None:
        with self.lock:
            self.acknowledged.setdefault(session_id, {})[turn_index] = version_id
            self.latencies.append(seconds)

    def fail(self, what: str, response: httpx.Response | None = None, error: dict | None = None) -> None:
        code = (error or {}).get("code")
        if code is None and response is not None:
            try:
                code = response.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = None
        with self.lock:
            if code in TYPED_RACE_CODES:
                self.typed[code] += 1
            else:
                detail = response.text[:200] if response is not None else json.dumps(error)[:200]
                self.failures.append(f"{what}: {response.status_code if response is not None else ''} {detail}")


def scene_png() -> bytes:
    image = np.full((180, 240, 3), 245, np.uint8)
    image, _ = draw_shape(image, "circle", (20, 60, 80, 120), rgb_of("red"))
    image, _ = draw_shape(image, "square", (150, 60, 210, 120), rgb_of("blue"))
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def start_server(port: int, store: str, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "RETOUCH_STORE": store, "PYTHONPATH": str(ROOT)}
    script = ("import uvicorn; from graph.server import create_app; "
              f"uvicorn.run(create_app(workers={workers}), host='127.0.0.1', port={port}, log_level='warning')")
    return subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env,
                            stdout=log.open("wb"), stderr=subprocess.STDOUT)


def wait_ready(base: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError("the server did not answer /healthz")


def run_client(base: str, session_id: str, turns: int, outcome: Outcome, image: bytes, deadline: float,
               offset: int) -> None:
    with httpx.Client(base_url=base, timeout=120) as client:
        if offset == 0:  # the first client of a session uploads the image: its first turn
            started = time.perf_counter()
            response = client.post(f"/sessions/{session_id}/image", files={"file": ("s.png", image, "image/png")})
            if response.status_code == 200:
                body = response.json()
                outcome.ack(session_id, body["turn_index"], body["version_id"], time.perf_counter() - started)
            else:
                outcome.fail("upload", response)
            turns -= 1
        else:
            while client.get(f"/sessions/{session_id}").json()["head"] is None and time.monotonic() < deadline:
                time.sleep(0.05)
        for step in range(turns):
            if time.monotonic() > deadline:
                outcome.fail("deadline", error={"code": "deadline", "message": "load test ran out of time"})
                return
            text = INSTRUCTIONS[(step + offset) % len(INSTRUCTIONS)]
            started = time.perf_counter()
            with client.stream("POST", f"/sessions/{session_id}/messages", json={"text": text}) as response:
                if response.status_code != 200:
                    response.read()
                    outcome.fail(text, response)
                    continue
                done = error = None
                for line in response.iter_lines():
                    if line.startswith("data:"):
                        payload = json.loads(line[5:])
                        if payload.get("stage") == "done":
                            done = payload["result"]
                        elif "error" in payload:
                            error = payload["error"]
            if done is not None:
                outcome.ack(session_id, done["turn_index"], done["version_id"], time.perf_counter() - started)
            else:
                outcome.fail(text, error=error or {"code": "no_result", "message": "stream ended without done"})


def lost_turns(base: str, outcome: Outcome) -> list[str]:
    """Acknowledged turns missing from history (or changed), and stored turns never acknowledged."""
    lost = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for session_id, acked in outcome.acknowledged.items():
            stored = {t["index"]: t["version_id"] for t in client.get(f"/sessions/{session_id}/history").json()["turns"]}
            for index, version_id in acked.items():
                if stored.get(index, "missing") != version_id:
                    lost.append(f"{session_id} turn {index}: acknowledged {version_id}, stored {stored.get(index, 'missing')}")
            for index in stored.keys() - acked.keys():
                lost.append(f"{session_id} turn {index}: stored but never acknowledged")
    return lost


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else (values or [0])[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--turns", type=int, default=10, help="turns per client (the upload counts as one)")
    parser.add_argument("--clients-per-session", type=int, default=2, help="clients racing on one session")
    parser.add_argument("--workers", type=int, default=4, help="server turn threads")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="retouch-load-"))
    redis = start_redis_server(tmp / "redis", appendfsync="everysec")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, redis.url, args.workers, tmp / "server.log")
    try:
        wait_ready(base, server)
        image = scene_png()
        outcome = Outcome()
        sessions = [httpx.post(base + "/sessions").json()["id"]
                    for _ in range(max(1, args.clients // args.clients_per_session))]
        deadline = time.monotonic() + args.timeout
        threads = [threading.Thread(target=run_client, args=(base, sessions[i % len(sessions)], args.turns, outcome,
                                                             image, deadline, i // len(sessions)))
                   for i in range(args.clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        lost = lost_turns(base, outcome)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        redis.stop()

    report = {
        "clients": args.clients, "turns_per_client": args.turns, "sessions": len(sessions),
        "acknowledged_turns": len(outcome.latencies), "failed_requests": len(outcome.failures),
        "typed_race_answers": dict(outcome.typed), "lost_turns": len(lost), "wall_s": round(wall, 1),
        "turn_latency_p50_s": round(percentile(outcome.latencies, 50), 3),
        "turn_latency_p95_s": round(percentile(outcome.latencies, 95), 3),
        "turns_per_s": round(len(outcome.latencies) / wall, 2) if wall else 0.0,
    }
    print(json.dumps(report, indent=2))
    for line in outcome.failures[:20]:
        print("FAILED", line)
    for line in lost[:20]:
        print("LOST", line)
    if args.json:
        args.json.write_text(json.dumps({**report, "failures": outcome.failures, "lost": lost}, indent=2))
    return 1 if outcome.failures or lost else 0


if __name__ == "__main__":
    sys.exit(main())
