"""A scripted OpenAI-compatible chat server on a loopback port, for the model back-end tests.

Tests push the answers the next requests get (JSON content, malformed text, a delay, an HTTP
error) and read back the requests the server received, so what the real ``openai`` client sends
over HTTP can be asserted: the JSON schema, the images, the constraints.

    server.push_json({"kind": "edit", ...})   # next answer
    server.push_error(500)
    server.requests[-1]["response_format"]

The clients' capability probe (a tiny request for the ``RetouchProbe`` object) is answered by the
server itself, as a server that honours every form it does not reject would answer it; probes are
kept apart from the scripted requests (``probe_requests()``).

Register the fixture with ``pytest_plugins = ["tests.openai_server"]`` or import ``openai_server``;
the server itself is shared by the whole test process (``shared_server()``).
"""

from __future__ import annotations

import asyncio
import atexit
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse


@dataclass
class Scripted:
    """One answer the server gives to the next chat request."""

    content: str = ""
    delay_s: float = 0.0
    status: int = 200
    error: str = ""
    prompt_tokens: int = 50
    completion_tokens: int = 20


@dataclass
class ScriptedServer:
    """The server's script and what it received; the app reads and writes these under a lock."""

    host: str = "127.0.0.1"
    port: int = 0
    script: deque[Scripted] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    rejected_formats: set[str] = field(default_factory=set)
    rejected_params: set[str] = field(default_factory=set)
    rejection_status: int = 400
    ignored_formats: set[str] = field(default_factory=set)
    models: list[str] = field(default_factory=lambda: ["text-model", "vision-model"])
    responder: Callable[[dict[str, Any]], Scripted | None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _server: uvicorn.Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------ script

    def push(self, item: Scripted) -> None:
        with self._lock:
            self.script.append(item)

    def push_json(self, value: Any, **options: Any) -> None:
        self.push(Scripted(content=json.dumps(value), **options))

    def push_text(self, text: str, **options: Any) -> None:
        self.push(Scripted(content=text, **options))

    def push_error(self, status: int, message: str = "scripted failure") -> None:
        self.push(Scripted(status=status, error=message))

    def push_delay(self, seconds: float, value: Any = None) -> None:
        self.push(Scripted(content=json.dumps(value if value is not None else {}), delay_s=seconds))

    def reset(self) -> None:
        with self._lock:
            self.script.clear()
            self.requests.clear()
            self.rejected_formats.clear()
            self.rejected_params.clear()
            self.ignored_formats.clear()
            self.rejection_status = 400
            self.responder = None

    def chat_requests(self) -> list[dict[str, Any]]:
        """The requests the agents made, without the capability probes."""
        with self._lock:
            return [r for r in self.requests if r.get("_path") == "/v1/chat/completions" and not r.get("_probe")]

    def probe_requests(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r for r in self.requests if r.get("_probe")]

    def _next(self, body: dict[str, Any]) -> Scripted:
        with self._lock:
            self.requests.append(body)
            body["_probe"] = _is_probe(body)
            fmt = _form(body.get("response_format"))
            if fmt in self.rejected_formats:
                if self.rejection_status == 500:  # llama-cpp-python's way of saying no
                    return Scripted(status=500, error="1 validation error: response_format.type: "
                                                      "Input should be 'text' or 'json_object'")
                return Scripted(status=self.rejection_status, error=f"response_format type {fmt!r} is not supported")
            refused = sorted(self.rejected_params & set(body))
            if refused:
                return Scripted(status=400, error=f"Unsupported parameter: '{refused[0]}' is not supported with this model")
            if body["_probe"]:
                honoured = fmt in ("json_schema", "json_object_schema") and fmt not in self.ignored_formats
                return Scripted(content=json.dumps({"probe": "retouch"} if honoured else {"answer": "no"}))
            if self.responder is not None:
                answer = self.responder(body)
                if answer is not None:
                    return answer
            if not self.script:
                return Scripted(status=500, error="the test script has no answer left for this request")
            return self.script.popleft()

    # ------------------------------------------------------------------ app

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.get("/v1/models")
        async def models() -> dict:
            return {"object": "list", "data": [{"id": m, "object": "model", "created": 0, "owned_by": "test"}
                                               for m in self.models]}

        @app.post("/v1/chat/completions")
        async def chat(request: Request) -> JSONResponse:
            body = await request.json()
            body["_path"] = "/v1/chat/completions"
            answer = self._next(body)
            deadline = time.monotonic() + answer.delay_s
            # Sleep in slices so stopping the server does not wait for (or cancel) a scripted delay.
            while time.monotonic() < deadline and not (self._server and self._server.should_exit):
                await asyncio.sleep(min(0.05, deadline - time.monotonic()))
            if answer.status != 200:
                return JSONResponse({"error": {"message": answer.error, "type": "scripted", "code": answer.status}},
                                    status_code=answer.status)
            return JSONResponse({
                "id": f"chatcmpl-{len(self.requests)}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", ""),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": answer.content}}],
                "usage": {"prompt_tokens": answer.prompt_tokens, "completion_tokens": answer.completion_tokens,
                          "total_tokens": answer.prompt_tokens + answer.completion_tokens},
            })

        return app

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> ScriptedServer:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))  # a pre-bound socket: no race for a "free" port
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", timeout_graceful_shutdown=1, lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True,
                                        name="scripted-openai-server")
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the scripted OpenAI server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=5)


def _form(fmt: dict[str, Any] | None) -> str | None:
    """The structured-output form of a request, in the client's names."""
    if not fmt:
        return None
    if fmt.get("type") == "json_object" and "schema" in fmt:
        return "json_object_schema"
    return fmt.get("type")


def _is_probe(body: dict[str, Any]) -> bool:
    fmt = body.get("response_format") or {}
    named = (fmt.get("json_schema") or {}).get("name") == "RetouchProbe"
    return named or "probe" in json.dumps(fmt.get("schema", {})) or any(
        '{"answer": "no"}' in str(m.get("content")) for m in body.get("messages", []))


_SHARED: ScriptedServer | None = None


def shared_server() -> ScriptedServer:
    """One server per test process, started on first use and stopped at exit."""
    global _SHARED
    if _SHARED is None:
        _SHARED = ScriptedServer().start()
        atexit.register(_SHARED.stop)
    return _SHARED


def scripted_session() -> Iterator[ScriptedServer]:
    """The shared server with an empty script for one test; leftover answers fail the test."""
    server = shared_server()
    server.reset()
    yield server
    left = len(server.script)
    server.reset()
    assert left == 0, f"{left} scripted answer(s) were never requested"


@pytest.fixture
def openai_server() -> Iterator[ScriptedServer]:
    """A running scripted server with an empty script; leftover answers fail the test."""
    yield from scripted_session()
