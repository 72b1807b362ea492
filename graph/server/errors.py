"""Typed exceptions → HTTP status and a stable JSON body ``{"error": {"code", "message"}}``.

Clients switch on ``code``, which is the exception's own ``code`` attribute, so the same names
appear in the Python API, the HTTP API and the MCP server.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from state.errors import RetouchError

STATUS_BY_CODE: dict[str, int] = {
    "session_not_found": 404,
    "version_not_found": 404,
    "not_found": 404,
    "session_conflict": 409,
    "history_error": 409,
    "plan_pending": 409,
    "no_pending_plan": 409,
    "plan_rejected": 409,
    "image_too_large": 413,
    "request_too_large": 413,
    "corrupt_image": 422,
    "unsupported_media_type": 415,
    "missing_image": 422,
    "image_error": 422,
    "unparseable_instruction": 422,
    "empty_instruction": 422,
    "target_not_found": 422,
    "operation_failed": 422,
    "instruction_error": 422,
    "invalid_request": 422,
    "unauthorized": 401,
    "store_unavailable": 503,
    "backend_unavailable": 503,
    "engine_unavailable": 503,
    "model_output_error": 502,
    "engine_error": 500,
}


class ApiError(RetouchError):
    """An error the HTTP layer itself raises (bad key, body too large, bad field)."""

    def __init__(self, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.status = status or STATUS_BY_CODE.get(code, 400)


def status_for(exc: BaseException) -> int:
    if isinstance(exc, ApiError):
        return exc.status
    return STATUS_BY_CODE.get(getattr(exc, "code", ""), 500 if not isinstance(exc, RetouchError) else 400)


def error_body(exc: BaseException) -> dict:
    """The JSON body for an exception; unexpected ones do not leak their text."""
    if isinstance(exc, RetouchError) or getattr(exc, "code", None):
        body = {"code": getattr(exc, "code", "retouch_error"), "message": str(exc)}
        details = getattr(exc, "details", None)  # e.g. target_not_found: the thing and the ways forward
        return {"error": body | ({"details": details} if isinstance(details, dict) else {})}
    return {"error": {"code": "internal_error", "message": f"unexpected {type(exc).__name__}; see the server log"}}


def error_response(exc: BaseException) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=status_for(exc))


def install(app: FastAPI) -> None:
    """Register the handlers so every error leaves the server in the same shape."""

    @app.exception_handler(RetouchError)
    async def _retouch(_: Request, exc: RetouchError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        return JSONResponse({"error": {"code": "invalid_request", "message": details or "invalid request"}},
                            status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}.get(exc.status_code, "http_error")
        return JSONResponse({"error": {"code": code, "message": str(exc.detail)}}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))
