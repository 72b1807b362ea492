"""The HTTP API and the browser editor: ``create_app()`` → a FastAPI app (``retouch serve``).

    from graph.server import create_app
    app = create_app()                      # Editor from Settings.load() (RETOUCH_* variables)
    # uvicorn graph.server.app:create_app --factory

Turns run in a thread pool (the editor is synchronous) and their progress is streamed as
server-sent events; every error is ``{"error": {"code", "message"}}`` with a stable code.
"""

from __future__ import annotations

import asyncio
import io
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, File, Query, Request, UploadFile
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles
from PIL import Image

from graph.api import Editor, ProgressEvent, Session, TurnResult
from graph.approval import PlanPending
from graph.settings import Settings
from state.errors import SessionConflict
from state.models import Turn

from . import errors, uploads
from .config import ServerConfig
from .guards import ApiKeyGuard, BodyLimit
from .messages import decode_fields, message_fields
from .plans import add_plan_routes, pending_info
from .schemas import (
    BranchRequest,
    ErrorBody,
    History,
    HistoryEntry,
    MessageRequest,
    RevertRequest,
    SessionInfo,
    SessionList,
    TurnInfo,
)
from .streaming import run_to_end, stream_turn

log = logging.getLogger("retouch.server")
STATIC = Path(__file__).parent / "static"

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in [(401, "missing or wrong API key"), (404, "unknown session or version"),
                                (409, "the session changed meanwhile (session_conflict), history_error, "
                                      "plan_pending, no_pending_plan, plan_rejected"),
                                (413, "image_too_large / request_too_large"),
                                (422, "corrupt_image, unparseable_instruction, target_not_found, …")]
}
_IF_MATCH = "If-Match"


def create_app(editor: Editor | None = None, settings: Settings | None = None,
               config: ServerConfig | None = None, workers: int = 4) -> FastAPI:
    """The app. An ``editor`` passed in is shared (and not closed); otherwise one is built from
    ``settings`` (default ``Settings.load()``) and closed on shutdown."""
    config = config or ServerConfig()
    owned = editor is None
    editor = editor or Editor(settings or Settings.load())
    pool = TurnPool(workers)

    @asynccontextmanager
    async def lifespan(_: FastAPI):
        yield
        pool.close()
        if owned:
            editor.close()

    app = FastAPI(title="Retouch", version="0.1.0", lifespan=lifespan,
                  description="Conversational image editing over HTTP. Turns stream their progress as "
                              "server-sent events; errors are `{\"error\": {\"code\", \"message\"}}`.")
    app.state.editor, app.state.config, app.state.pool = editor, config, pool
    errors.install(app)
    app.include_router(_routes(editor, config, pool), responses=_ERRORS)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict:
        return {"ok": True, "engines": editor.engine_names}

    # outermost first: the size limit applies to every request, the key to every non-public one
    app.add_middleware(ApiKeyGuard, api_key=config.api_key)
    app.add_middleware(BodyLimit, max_bytes=config.max_request_bytes)
    return app


class TurnPool(Executor):
    """The threads turns run on: the editor is synchronous, the server must keep serving meanwhile.

    Re-created on demand after a shutdown, since test clients may run the app's lifespan more
    than once over the same app.
    """

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs):
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="retouch-turn")
            return self._executor.submit(fn, *args, **kwargs)

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


def _routes(editor: Editor, config: ServerConfig, pool: Executor) -> APIRouter:
    router = APIRouter(prefix="/sessions", tags=["sessions"])
    store = editor.store
    max_pixels = editor.settings.max_pixels

    async def in_pool(fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn, *args)

    def open_session(session_id: str, if_match: str | None = None) -> Session:
        session = editor.session(session_id)  # SessionNotFound → 404
        if if_match is not None:
            expected = _revision(if_match)
            actual = session.meta.revision
            if expected != actual:
                raise SessionConflict(session_id, expected, actual)
        return session

    def info(session_id: str) -> SessionInfo:
        snapshot = store.load(session_id, recent=0)
        meta, head = snapshot.meta, snapshot.head
        return SessionInfo(
            id=meta.id, revision=meta.revision, turn_count=meta.turn_count, title=meta.title,
            created_at=meta.created_at, updated_at=meta.updated_at, head=meta.head,
            parent_session=meta.parent_session, width=head.width if head else None,
            height=head.height if head else None, image_url=f"/sessions/{meta.id}/image" if head else None,
            entities=[{"id": e.id, "label": e.label, "box": list(e.region.box) if e.region else None}
                      for e in (head.entities if head else []) if e.present],
            constraints=[c.description for c in (head.live_constraints if head else [])],
        )

    def render(result: TurnResult) -> dict:
        clarification = result.clarification
        return TurnInfo(
            session_id=result.session_id, turn_index=result.turn_index, kind=str(result.kind), reply=result.reply,
            version_id=result.version_id, score=result.score, passed=result.passed,
            needs_answer=result.needs_answer,
            image_url=_version_url(result.session_id, result.version_id),
            options=list(clarification.candidate_labels) if clarification else [],
            needs_approval=result.needs_approval, pending_plan=pending_info(result.pending_plan),
        ).model_dump()

    # ------------------------------------------------------------------ sessions

    @router.post("", status_code=201, response_model=SessionInfo, summary="Start a session")
    def create_session() -> SessionInfo:
        return info(editor.session().id)

    @router.get("", response_model=SessionList, summary="List sessions")
    def list_sessions() -> SessionList:
        return SessionList(sessions=[info(m.id) for m in editor.sessions()])

    @router.get("/{session_id}", response_model=SessionInfo, summary="A session's state")
    def get_session(session_id: str) -> SessionInfo:
        return info(session_id)

    @router.delete("/{session_id}", status_code=204, summary="Delete a session")
    def delete_session(session_id: str) -> Response:
        editor.session(session_id)
        editor.delete_session(session_id)
        return Response(status_code=204)

    # ------------------------------------------------------------------ images

    @router.post("/{session_id}/image", response_model=TurnInfo, summary="Upload the image to edit",
                 description="Multipart field `file`. Becomes the session's head as an `upload` turn.")
    async def upload(session_id: str, request: Request, file: UploadFile = File(...)) -> dict:
        if_match = request.headers.get(_IF_MATCH)
        data = uploads.check_size(await file.read(), "file", config.max_upload_bytes)

        def work() -> dict:
            open_session(session_id, if_match)
            if (pending := editor.pending_plan(session_id)) is not None:
                raise PlanPending(pending)
            turn = uploads.commit_upload(store, session_id, uploads.decode(data, max_pixels))
            return _turn_info(session_id, turn).model_dump()

        return await in_pool(work)

    @router.get("/{session_id}/image", summary="The current image (PNG)",
                responses={200: {"content": {"image/png": {}}}})
    async def head_image(session_id: str, max_size: int | None = Query(None, ge=16, le=4096)) -> Response:
        def work() -> bytes:
            head = store.load(session_id, recent=0).head
            if head is None:
                raise errors.ApiError("missing_image", "this session has no image yet: upload one", 404)
            return _png(store, head.image_ref, max_size)

        return Response(await in_pool(work), media_type="image/png", headers={"Cache-Control": "no-store"})

    @router.get("/{session_id}/versions/{version_id}/image", summary="One version's image (PNG)",
                responses={200: {"content": {"image/png": {}}}})
    async def version_image(session_id: str, version_id: str,
                            max_size: int | None = Query(None, ge=16, le=4096)) -> Response:
        def work() -> bytes:
            return _png(store, store.version(session_id, version_id).image_ref, max_size)

        # versions are immutable, so the browser may keep them
        return Response(await in_pool(work), media_type="image/png",
                        headers={"Cache-Control": "private, max-age=31536000, immutable"})

    # ------------------------------------------------------------------ turns

    @router.post(
        "/{session_id}/messages", summary="Send a message; progress streams back as server-sent events",
        description="JSON body (below) or multipart (`text`, `box` as JSON, files `image`, `mask`, "
                    "`reference_images`). Events are named after the stages (load, parse, plan, operation, "
                    "critique, clarify, commit) and end with `done` carrying `result`; a failure after the "
                    "stream started arrives as an `error` event. `?stream=false` answers with the result "
                    "as JSON instead. `If-Match: REVISION` refuses the turn (409) if the session moved on.",
        openapi_extra={"requestBody": {"required": True, "content": {
            "application/json": {"schema": MessageRequest.model_json_schema(ref_template="#/components/schemas/{model}")},
        }}},
        responses={200: {"description": "text/event-stream of progress, or the TurnInfo JSON",
                         "content": {"text/event-stream": {}, "application/json": {"schema": {
                             "$ref": "#/components/schemas/TurnInfo"}}}}},
    )
    async def send_message(session_id: str, request: Request, stream: bool = True) -> Any:
        fields = await message_fields(request, config)
        if_match = request.headers.get(_IF_MATCH)

        def run() -> Iterator[ProgressEvent]:
            session = open_session(session_id, if_match)
            kwargs = decode_fields(fields, max_pixels, config)
            if kwargs.get("box") is not None:
                head = session.head
                size = (head.width, head.height) if head and kwargs.get("image") is None else None
                kwargs["box"] = uploads.check_box(kwargs["box"], size)
            return session.stream(fields.text, confirm_plan=fields.confirm_plan, **kwargs)

        if not stream or "application/json" in request.headers.get("accept", "").split(",")[0]:
            return render(await run_to_end(run, pool))
        return await stream_turn(run, pool, render)

    def history_command(name: str, call: Callable[[Session], TurnResult]):
        async def endpoint(session_id: str, request: Request) -> dict:
            if_match = request.headers.get(_IF_MATCH)
            return render(await in_pool(lambda: call(open_session(session_id, if_match))))

        endpoint.__name__ = name
        return endpoint

    router.add_api_route("/{session_id}/undo", history_command("undo", lambda s: s.undo()), methods=["POST"],
                         response_model=TurnInfo, summary="Undo the last change")
    router.add_api_route("/{session_id}/redo", history_command("redo", lambda s: s.redo()), methods=["POST"],
                         response_model=TurnInfo, summary="Redo what was undone")

    @router.post("/{session_id}/revert", response_model=TurnInfo, summary="Back to the image after turn N")
    async def revert(session_id: str, body: RevertRequest, request: Request) -> dict:
        if_match = request.headers.get(_IF_MATCH)
        return render(await in_pool(lambda: open_session(session_id, if_match).revert(body.turn)))

    @router.post("/{session_id}/branch", status_code=201, response_model=SessionInfo,
                 summary="Fork a new session at a version (default: the head)")
    async def branch(session_id: str, body: BranchRequest | None = None) -> SessionInfo:
        version_id = body.version_id if body else None
        return await in_pool(lambda: info(open_session(session_id).branch(version_id).id))

    @router.get("/{session_id}/history", response_model=History, summary="Every turn, oldest first")
    async def history(session_id: str) -> History:
        def work() -> History:
            session = open_session(session_id)
            meta = session.meta
            return History(session_id=session_id, head=meta.head,
                           turns=[_history_entry(session_id, t, config) for t in session.history()])

        return await in_pool(work)

    @router.get("/{session_id}/export", summary="The session as a zip archive (session.json + images)",
                responses={200: {"content": {"application/zip": {}}}})
    async def export(session_id: str) -> Response:
        data = await in_pool(store.export_archive, session_id)
        return Response(data, media_type="application/zip",
                         headers={"Content-Disposition": f'attachment; filename="retouch-{session_id}.zip"'})

    add_plan_routes(router, editor, pool, render, open_session)
    return router


# ---------------------------------------------------------------------- helpers


def _revision(value: str) -> int:
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise errors.ApiError("invalid_request", f"If-Match must be a session revision number, got {value!r}")
    return int(text)


def _png(store, ref: str, max_size: int | None) -> bytes:
    if not max_size:
        return store.images.blobs.get(ref)  # already a lossless PNG
    image: Image.Image = store.images.get_image(ref)
    image.thumbnail((max_size, max_size))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def _version_url(session_id: str, version_id: str | None) -> str | None:
    return f"/sessions/{session_id}/versions/{version_id}/image" if version_id else None


def _turn_info(session_id: str, turn: Turn) -> TurnInfo:
    critique = turn.critique
    return TurnInfo(session_id=session_id, turn_index=turn.index, kind=str(turn.kind), reply=turn.reply,
                    version_id=turn.version_id, score=critique.score if critique else None,
                    passed=critique.passed if critique else None, needs_answer=turn.kind == "clarify",
                    image_url=_version_url(session_id, turn.version_id))


def _history_entry(session_id: str, turn: Turn, config: ServerConfig) -> HistoryEntry:
    url = _version_url(session_id, turn.version_id)
    critique = turn.critique
    return HistoryEntry(index=turn.index, kind=str(turn.kind), message=turn.message, reply=turn.reply,
                        version_id=turn.version_id, score=critique.score if critique else None,
                        passed=critique.passed if critique else None, created_at=turn.created_at,
                        image_url=url, thumbnail_url=f"{url}?max_size={config.thumbnail_px}" if url else None)


def serve_app() -> FastAPI:
    """Factory for ``uvicorn graph.server.app:serve_app --factory``."""
    return create_app()


__all__ = ["create_app", "serve_app"]
