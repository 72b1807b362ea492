"""The Python API: ``Editor`` → ``Session`` → ``send``/``stream``/``undo``/….

    from graph import Editor
    editor = Editor()                      # embedded defaults: SQLite store, classical engines
    session = editor.session()             # a new session (or editor.session(id) to continue one)
    result = session.send("remove the red circle", image="photo.png")
    result.image.save("out.png"); print(result.reply, result.critique.score)
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from state import SessionStore
from state.errors import SessionConflict
from state.images import ImageInput, load_image
from state.models import Clarification, Critique, Intent, Plan, SessionMeta, Trace, Turn, TurnKind, Version

from .builder import build_graph
from .services import EngineSet, Services, build_services, register, unregister
from .settings import Settings
from .state import Context
from .uploads import keep_sent_image

log = logging.getLogger("retouch")
_LOGGED_NOTES: set[str] = set()
_NOTES_LOCK = threading.Lock()


def _log_engine_notes(notes: Sequence[str]) -> None:
    """Engine fallbacks ("inpainter: classical (no GPU found …)") are logged once per process, not
    once per Editor: servers and tests build many editors from the same settings."""
    with _NOTES_LOCK:
        fresh = [note for note in notes if note not in _LOGGED_NOTES]
        _LOGGED_NOTES.update(fresh)
    for note in fresh:
        log.info("engines: %s", note)


@dataclass
class TurnResult:
    """What one message did."""

    session_id: str
    turn_index: int
    kind: TurnKind
    reply: str
    version_id: str | None
    intent: Intent | None
    plan: Plan | None
    critique: Critique | None
    trace: Trace
    clarification: Clarification | None
    _store: SessionStore = field(repr=False)
    _image_ref: str | None = field(default=None, repr=False)

    @property
    def image(self) -> Image.Image | None:
        """The session's image after this turn (PIL, RGB)."""
        return self._store.images.get_image(self._image_ref) if self._image_ref else None

    @property
    def needs_answer(self) -> bool:
        """True when the turn ended with a question (an ambiguous target)."""
        return self.kind == TurnKind.CLARIFY

    @property
    def passed(self) -> bool | None:
        return self.critique.passed if self.critique else None

    @property
    def score(self) -> float | None:
        return self.critique.score if self.critique else None


@dataclass
class ProgressEvent:
    """One step of a running turn (parse, plan, operation, critique, commit, done)."""

    stage: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    result: TurnResult | None = None


class Editor:
    """Holds the store, the engines and the compiled graph; hands out sessions."""

    def __init__(self, settings: Settings | None = None, *, store: SessionStore | str | None = None,
                 engines: EngineSet | str | None = None, services: Services | None = None, **overrides: Any) -> None:
        # A URL or an engine-family name is configuration; an object is used as it is.
        if isinstance(store, str):
            overrides["store"], store = store, None
        if isinstance(engines, str):
            overrides["engines"], engines = engines, None
        if settings is not None and overrides:
            settings = settings.model_copy(update=overrides)
        self.settings = settings or Settings.load(**overrides)
        self.services = services or build_services(self.settings, store=store, engines=engines)
        _log_engine_notes(self.services.notes)
        self.store = self.services.store
        self._key = f"editor:{uuid.uuid4().hex}"
        register(self._key, self.services)
        self.graph = build_graph().compile(name="retouch")

    @property
    def engine_names(self) -> dict[str, str]:
        """The engine each role uses (``{"inpainter": "neural-attention", "recolorer": "classical-lab", …}``)."""
        return self.services.engines.describe()

    @property
    def engine_notes(self) -> list[str]:
        """Why a role fell back to its classical engine (empty when nothing did)."""
        return list(self.services.notes)

    def session(self, id: str | None = None) -> Session:
        """A new session, or the stored one with that id (SessionNotFound if there is none)."""
        if id is None:
            meta = self.store.create(SessionMeta(id=uuid.uuid4().hex))
            return Session(self, meta.id)
        self.store.load(id, recent=0)  # raises SessionNotFound
        return Session(self, id)

    def sessions(self) -> list[SessionMeta]:
        return self.store.list_sessions()

    def delete_session(self, id: str) -> None:
        self.store.delete(id)

    def close(self) -> None:
        unregister(self._key)
        self.store.close()

    def __enter__(self) -> Editor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ running turns

    def _inputs(self, session_id: str, text: str, image, mask, box, reference_images, command) -> dict:
        images = self.store.images
        inputs: dict[str, Any] = {"session_id": session_id, "message": text or ""}
        max_pixels = self.settings.max_pixels
        if image is not None:
            inputs["image_ref"] = images.put_image(load_image(image, max_pixels=max_pixels))
        if mask is not None:
            array = mask if isinstance(mask, np.ndarray) else np.asarray(load_image(mask, max_pixels=max_pixels).convert("L"))
            inputs["mask_ref"] = images.put_mask(array.astype(bool) if array.dtype == bool else array > 127)
        if box is not None:
            inputs["box"] = [int(v) for v in box]
        if reference_images:
            inputs["reference_refs"] = [images.put_image(_load_reference(r, max_pixels)) for r in reference_images]
        if command:
            inputs["command"] = command
        return inputs

    def _context(self) -> Context:
        return Context(services_key=self._key)

    def _result(self, session_id: str, output: dict, retries: int) -> TurnResult:
        index = output.get("turn_index") or self.store.load(session_id, recent=0).meta.turn_count
        turn: Turn = self.store.turns(session_id, index, index + 1)[0]
        return TurnResult(
            session_id=session_id, turn_index=turn.index, kind=turn.kind, reply=turn.reply,
            version_id=turn.version_id, intent=turn.intent, plan=turn.plan, critique=turn.critique,
            trace=turn.trace, clarification=turn.clarification, _store=self.store,
            _image_ref=output.get("image_ref"),
        )

    def run_turn(self, session_id: str, text: str = "", *, image: ImageInput | None = None, mask=None, box=None,
                 reference_images: Sequence[ImageInput] = (), command: str | None = None) -> TurnResult:
        events = self.stream_turn(session_id, text, image=image, mask=mask, box=box,
                                  reference_images=reference_images, command=command, progress=False)
        result = None
        for event in events:
            result = event.result or result
        return result

    def stream_turn(self, session_id: str, text: str = "", *, image=None, mask=None, box=None,
                    reference_images=(), command: str | None = None, progress: bool = True) -> Iterator[ProgressEvent]:
        inputs = self._inputs(session_id, text, image, mask, box, reference_images, command)
        retries = 0
        while True:
            try:
                output: dict = {}
                if progress:
                    for mode, chunk in self.graph.stream(inputs, context=self._context(),
                                                         stream_mode=["custom", "values"]):
                        if mode == "custom":
                            yield ProgressEvent(stage=chunk.get("stage", ""), message=chunk.get("message", ""),
                                                data={k: v for k, v in chunk.items() if k not in ("stage", "message")})
                        else:
                            output = chunk
                else:
                    output = self.graph.invoke(inputs, context=self._context())
                break
            except SessionConflict:
                # An edit is re-run against the state the other writer left; a history command is
                # not (which version "undo" means depends on what the other writer did).
                if command or retries >= self.settings.commit_retries:
                    raise
                retries += 1
                inputs["conflict_retries"] = retries
            except Exception as exc:
                # A failed message writes nothing, except that the image sent with it is kept.
                if inputs.get("image_ref"):
                    keep_sent_image(self.store, session_id, inputs["image_ref"], text, exc)
                raise
        result = self._result(session_id, output, retries)
        yield ProgressEvent(stage="done", message=result.reply, result=result)


class Session:
    """One conversation with one image history."""

    def __init__(self, editor: Editor, id: str) -> None:
        self.editor = editor
        self.id = id

    def __repr__(self) -> str:
        return f"Session({self.id!r})"

    def send(self, text: str, image: ImageInput | None = None, mask: ImageInput | np.ndarray | None = None,
             box: Sequence[int] | None = None, reference_images: Sequence[ImageInput] = ()) -> TurnResult:
        """Send one message; ``image`` starts (or replaces) the session's image, ``mask``/``box``
        point at a target ("remove this"), ``reference_images`` are things to insert."""
        return self.editor.run_turn(self.id, text, image=image, mask=mask, box=box, reference_images=reference_images)

    def stream(self, text: str, image: ImageInput | None = None, mask=None, box=None,
               reference_images: Sequence[ImageInput] = ()) -> Iterator[ProgressEvent]:
        """Like ``send``, yielding progress events; the last one carries the result."""
        return self.editor.stream_turn(self.id, text, image=image, mask=mask, box=box,
                                       reference_images=reference_images)

    def undo(self) -> TurnResult:
        return self.editor.run_turn(self.id, "undo", command="undo")

    def redo(self) -> TurnResult:
        return self.editor.run_turn(self.id, "redo", command="redo")

    def revert(self, turn: int = 0) -> TurnResult:
        """Back to the image after turn ``turn`` (0 = the original)."""
        command = f"revert:{turn}" if turn else "start_over"
        return self.editor.run_turn(self.id, f"revert to turn {turn}", command=command)

    def branch(self, version_id: str | None = None) -> Session:
        """A new session starting from ``version_id`` (default: the current image)."""
        meta = self.editor.store.branch(self.id, version_id)
        return Session(self.editor, meta.id)

    def history(self) -> list[Turn]:
        return self.editor.store.turns(self.id)

    @property
    def meta(self) -> SessionMeta:
        return self.editor.store.load(self.id, recent=0).meta

    @property
    def head(self) -> Version | None:
        return self.editor.store.load(self.id, recent=0).head

    @property
    def image(self) -> Image.Image | None:
        head = self.head
        return self.editor.store.images.get_image(head.image_ref) if head else None

    def version_image(self, version_id: str) -> Image.Image:
        return self.editor.store.images.get_image(self.editor.store.version(self.id, version_id).image_ref)

    @property
    def entities(self):
        head = self.head
        return head.entities if head else []

    @property
    def constraints(self):
        head = self.head
        return [c for c in head.constraints if c.live] if head else []


def _load_reference(source, max_pixels: int) -> Image.Image:
    """Reference images keep their alpha (a logo with transparency is cut out by it)."""
    if isinstance(source, Image.Image) and source.mode == "RGBA":
        return source
    return load_image(source, max_pixels=max_pixels)
