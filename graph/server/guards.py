"""ASGI guards that run before any route: the API key and the request-size limit.

Both are plain ASGI middleware so they also cover streamed and multipart bodies, which are
refused while they arrive rather than after being buffered.
"""

from __future__ import annotations

import hmac
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Paths anyone may read: the editor's page and the API description.
PUBLIC_PATHS = ("/", "/healthz", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
PUBLIC_PREFIXES = ("/static/",)


async def _send_error(send: Send, status: int, code: str, message: str, headers: list | None = None) -> None:
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class ApiKeyGuard:
    """Requires the configured key in ``X-API-Key`` or ``Authorization: Bearer`` (constant-time compare)."""

    def __init__(self, app: ASGIApp, api_key: str | None) -> None:
        self.app = app
        self.api_key = api_key.encode() if api_key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.api_key is None or _is_public(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        given = headers.get(b"x-api-key")
        auth = headers.get(b"authorization", b"")
        if given is None and auth[:7].lower() == b"bearer ":
            given = auth[7:].strip()
        if given is None or not hmac.compare_digest(given, self.api_key):
            await _send_error(send, 401, "unauthorized",
                              "missing or wrong API key: send it in the X-API-Key header "
                              "(or 'Authorization: Bearer KEY')", [(b"www-authenticate", b"Bearer")])
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """Refuses bodies over ``max_bytes`` with 413 ``request_too_large``, by header or while streaming."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_bytes:
            await _send_error(send, 413, "request_too_large", self._message(int(length)))
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise _TooLarge(received)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge as exc:
            if not started:
                await _send_error(send, 413, "request_too_large", self._message(exc.size))

    def _message(self, size: int) -> str:
        return (f"the request body is over the limit of {self.max_bytes:,} bytes ({size:,} sent); "
                "send a smaller image or raise RETOUCH_MAX_REQUEST_BYTES")


class _TooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)
