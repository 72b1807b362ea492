"""Running a synchronous turn in a worker thread and relaying its progress as server-sent events.

The turn's events cross from the worker thread to the event loop through an asyncio queue, so
each one is written to the client as soon as the graph emits it. Errors raised before the
instruction is understood (bad image, unparseable text, unknown session) still get a proper HTTP
status: the response starts once the turn has a plan (or a question, or a history step), so the
``load`` and ``parse`` events arrive together with the first ``plan`` event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import Executor
from typing import Any

from fastapi.responses import StreamingResponse

from graph.api import ProgressEvent, TurnResult

from .errors import error_body, error_response, status_for

_END = object()
KEEPALIVE_S = 15.0
# Stages after which the instruction is known to be understood and grounded: the response can start.
_COMMITTED_TO_STREAM = {"plan", "operation", "critique", "clarify", "commit", "done"}


def sse(event: str, data: Any) -> bytes:
    payload = json.dumps(data, default=str, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


async def stream_turn(run: Callable[[], Iterator[ProgressEvent]], pool: Executor,
                      render: Callable[[TurnResult], dict]):
    """A StreamingResponse of the turn's events, or a JSON error if it fails before parsing."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()

    def work() -> None:
        try:
            for event in run():
                loop.call_soon_threadsafe(queue.put_nowait, event)
        except BaseException as exc:  # handed to the loop: it becomes a JSON error or an error event
            loop.call_soon_threadsafe(queue.put_nowait, exc)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, _END)

    loop.run_in_executor(pool, work)
    buffered: list[Any] = []
    while True:
        item = await queue.get()
        if isinstance(item, BaseException):
            return error_response(item)
        buffered.append(item)
        if item is _END or item.stage in _COMMITTED_TO_STREAM:
            break

    async def body() -> AsyncIterator[bytes]:
        pending = list(buffered)
        while True:
            if pending:
                item = pending.pop(0)
            else:
                try:
                    item = await asyncio.wait_for(queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield b": keep-alive\n\n"
                    continue
            if item is _END:
                return
            if isinstance(item, BaseException):
                yield sse("error", {**error_body(item), "status": status_for(item)})
                continue
            yield sse(item.stage, event_json(item, render))

    return StreamingResponse(body(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def event_json(event: ProgressEvent, render: Callable[[TurnResult], dict]) -> dict:
    data: dict[str, Any] = {"stage": event.stage, "message": event.message, "data": event.data}
    if event.result is not None:
        data["result"] = render(event.result)
    return data


async def run_to_end(run: Callable[[], Iterator[ProgressEvent]], pool: Executor) -> TurnResult:
    """The same turn without streaming (``?stream=false``): errors propagate to the handlers."""

    def work() -> TurnResult:
        result = None
        for event in run():
            result = event.result or result
        return result

    return await asyncio.get_running_loop().run_in_executor(pool, work)
