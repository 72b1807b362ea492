"""The Python API: ``Editor`` → ``Session`` → ``send``/``stream``/``undo``/….

    from graph import Editor
    editor = Editor()                      # embedded defaults: SQLite store, classical engines
    session = editor.session()             # a new session (or editor.session(id) to continue one)
    result = session.send("remove the red circle", image="photo.png")
    result.image.save("out.png"); print(result.reply, result.critique.score)

Plan approval: ``session.send(text, confirm_plan=True)`` returns a result whose ``pending_plan``
shows the plan; ``session.approve()`` runs it, ``session.reject("feedback")`` asks for another.
The editor compiles the graph with its store's checkpointer (``state.checkpointer_for``), and each
turn runs on the LangGraph thread ``"{session_id}:{turn}"`` (why per turn: graph/approval.py), so a
paused turn can be approved by any process that opens the same store. Runs use durability
``"exit"``: the state is written once, when the run ends or pauses, and the write has finished
before the pause is reported (the pending plan is read back from the checkpointer). Writing at
every step would cost a write per node, and nodes add trace events in place, which only the
checkpoint taken at the end sees.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from langgraph.types import Command
from PIL import Image

from state import SessionStore, checkpointer_for
from state.errors import SessionConflict, SessionNotFound
from state.images import ImageInput, load_image
from state.models import SessionMeta, Turn, Version

from . import approval
from .approval import NoPendingPlan, PendingPlan, PlanDecision, PlanDiscarded, PlanPending
from .builder import build_graph
from .results import ProgressEvent, TurnResult
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
        self.checkpointer = approval.allow_state_types(checkpointer_for(self.store))
        self.graph = build_graph().compile(name="retouch", checkpointer=self.checkpointer)

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
        """The session, and the checkpoints of its turns' threads (a waiting plan included)."""
        turns = self._next_turn(id)
        self.store.delete(id)
        for turn in range(1, turns + 1):
            self.checkpointer.delete_thread(approval.thread_id(id, turn))

    def close(self) -> None:
        unregister(self._key)
        self.store.close()
        close = getattr(self.checkpointer, "close", None)  # the SQLite saver's connection; Redis: the shared client
        if close is not None:
            close()

    def __enter__(self) -> Editor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ running turns

    def _inputs(self, session_id: str, text: str, image, mask, box, reference_images, command) -> dict:
        images = self.store.images
        # Every input key is written, absent ones as empty: a thread may hold an earlier run's values
        # (image_ref is also an output: the last result's image would read as a new upload).
        inputs: dict[str, Any] = {"session_id": session_id, "message": text or "", "image": None, "image_ref": None,
                                  "mask": None, "mask_ref": None, "box": None, "reference_images": [],
                                  "reference_refs": [], "command": None, "conflict_retries": 0}
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

    def _context(self, confirm_plan: bool | None = None) -> Context:
        return Context(services_key=self._key, confirm_plan=confirm_plan)

    def _next_turn(self, session_id: str) -> int:
        """The number the session's next (or paused) turn gets: its thread is named after it."""
        try:
            return self.store.load(session_id, recent=0).meta.turn_count + 1
        except SessionNotFound:  # the graph creates it
            return 1

    def pending_plan(self, session_id: str) -> PendingPlan | None:
        """The plan of ``session_id`` that waits for approval, read from the checkpointer."""
        return self._pending_at(session_id, self._next_turn(session_id))

    def _pending_at(self, session_id: str, turn: int) -> PendingPlan | None:
        return approval.pending_in(self.graph.get_state(approval.thread_config(session_id, turn)), session_id, turn)

    def _events(self, graph_input: Any, config: dict, context: Context, progress: bool,
                into: dict) -> Iterator[ProgressEvent]:
        """One graph run on ``config``'s thread; its final values land in ``into``."""
        if not progress:
            into.update(self.graph.invoke(graph_input, config, context=context, durability="exit"))
            return
        for mode, chunk in self.graph.stream(graph_input, config, context=context, durability="exit",
                                             stream_mode=["custom", "values"]):
            if mode == "custom":
                yield ProgressEvent(stage=chunk.get("stage", ""), message=chunk.get("message", ""),
                                    data={k: v for k, v in chunk.items() if k not in ("stage", "message")})
            else:
                into.update(chunk)

    def _finish(self, session_id: str, output: dict, retries: int) -> ProgressEvent:
        """The last event: the committed turn, or (paused) the plan read back from the checkpointer."""
        if "__interrupt__" in output:
            pending = self.pending_plan(session_id)
            if pending is not None:
                result = TurnResult.waiting_on(pending, self.store)
                return ProgressEvent(stage="plan", message=result.reply, result=result,
                                     data={"waiting": True, **pending.as_json()})
        result = self._result(session_id, output, retries)
        return ProgressEvent(stage="done", message=result.reply, result=result)

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
                 reference_images: Sequence[ImageInput] = (), command: str | None = None,
                 confirm_plan: bool | None = None) -> TurnResult:
        return _last(self.stream_turn(session_id, text, image=image, mask=mask, box=box, confirm_plan=confirm_plan,
                                      reference_images=reference_images, command=command, progress=False))

    def stream_turn(self, session_id: str, text: str = "", *, image=None, mask=None, box=None,
                    reference_images=(), command: str | None = None, progress: bool = True,
                    confirm_plan: bool | None = None) -> Iterator[ProgressEvent]:
        turn = self._next_turn(session_id)
        pending = self._pending_at(session_id, turn)
        if pending is not None:
            raise PlanPending(pending)
        inputs = self._inputs(session_id, text, image, mask, box, reference_images, command)
        context = self._context(confirm_plan)
        retries = 0
        while True:
            try:
                output: dict = {}
                config = approval.thread_config(session_id, turn)
                yield from self._events(inputs, config, context, progress, output)
                break
            except SessionConflict:
                # An edit is re-run against the state the other writer left; a history command is
                # not (which version "undo" means depends on what the other writer did).
                if command or retries >= self.settings.commit_retries:
                    raise
                retries += 1
                inputs["conflict_retries"] = retries
                turn = self._next_turn(session_id)  # the other writer's turn took this number
            except Exception as exc:
                # A failed message writes nothing, except that the image sent with it is kept.
                if inputs.get("image_ref"):
                    keep_sent_image(self.store, session_id, inputs["image_ref"], text, exc)
                raise
        yield self._finish(session_id, output, retries)

    def discard_plan(self, session_id: str) -> PendingPlan:
        """Drop the plan that waits without running it (NoPendingPlan if none does): the turn's
        checkpoints go, nothing is committed but the image that came with the message, as when a
        message fails."""
        pending = self.pending_plan(session_id)
        if pending is None:
            raise NoPendingPlan(f"no plan of session {session_id} waits for approval")
        self.checkpointer.delete_thread(pending.thread_id)
        if pending.sent_image_ref:
            keep_sent_image(self.store, session_id, pending.sent_image_ref, pending.message,
                            PlanDiscarded("the plan was discarded before it ran"))
        return pending

    def decide(self, session_id: str, decision: PlanDecision | bool, feedback: str = "", *,
               progress: bool = True) -> Iterator[ProgressEvent]:
        """Approve or reject the plan that waits (NoPendingPlan if none does), from any process
        that opens the same store; a rejection's new plan waits again."""
        if not isinstance(decision, PlanDecision):
            decision = PlanDecision(approve=bool(decision), feedback=feedback)
        pending = self.pending_plan(session_id)
        if pending is None:
            raise NoPendingPlan(f"no plan of session {session_id} waits for approval")
        config = approval.thread_config(session_id, pending.turn_index)
        output: dict = {}
        # confirm_plan stays on for the rest of the turn: a rejection's next plan waits again.
        # A SessionConflict here is not retried: the plan was approved against a state that is gone.
        try:
            yield from self._events(Command(resume=decision.model_dump()), config, self._context(True), progress,
                                    output)
        except SessionConflict as exc:
            if self._next_turn(session_id) > pending.turn_index:  # another approval of this plan won
                raise NoPendingPlan(f"the plan of turn {pending.turn_index} was decided elsewhere meanwhile: "
                                    "that turn is committed") from exc
            raise
        except Exception as exc:
            # As for any failed message its image is kept, unless another writer (a second approval
            # of the same plan) has committed meanwhile: its state wins.
            if pending.sent_image_ref and self._next_turn(session_id) == pending.turn_index:
                keep_sent_image(self.store, session_id, pending.sent_image_ref, pending.message, exc)
            raise
        yield self._finish(session_id, output, 0)


class Session:
    """One conversation with one image history."""

    def __init__(self, editor: Editor, id: str) -> None:
        self.editor = editor
        self.id = id

    def __repr__(self) -> str:
        return f"Session({self.id!r})"

    def send(self, text: str, image: ImageInput | None = None, mask: ImageInput | np.ndarray | None = None,
             box: Sequence[int] | None = None, reference_images: Sequence[ImageInput] = (),
             confirm_plan: bool | None = None) -> TurnResult:
        """Send one message; ``image`` starts (or replaces) the session's image, ``mask``/``box``
        point at a target ("remove this"), ``reference_images`` are things to insert.

        ``confirm_plan=True`` (default: the setting) stops before the plan runs: the result's
        ``pending_plan`` shows it, and :meth:`approve` or :meth:`reject` decides. While it waits,
        another message raises :class:`~graph.approval.PlanPending`."""
        return self.editor.run_turn(self.id, text, image=image, mask=mask, box=box, reference_images=reference_images,
                                    confirm_plan=confirm_plan)

    def stream(self, text: str, image: ImageInput | None = None, mask=None, box=None,
               reference_images: Sequence[ImageInput] = (), confirm_plan: bool | None = None) -> Iterator[ProgressEvent]:
        """Like ``send``, yielding progress events; the last one carries the result (stage ``done``,
        or ``plan`` when the plan waits for approval)."""
        return self.editor.stream_turn(self.id, text, image=image, mask=mask, box=box,
                                       reference_images=reference_images, confirm_plan=confirm_plan)

    @property
    def pending_plan(self) -> PendingPlan | None:
        """The plan waiting for approval, if any (read from the store's checkpointer)."""
        return self.editor.pending_plan(self.id)

    def waiting(self) -> TurnResult | None:
        """The waiting turn's result as ``send`` returned it (e.g. in a later process), or None."""
        pending = self.pending_plan
        return TurnResult.waiting_on(pending, self.editor.store) if pending is not None else None

    def approve(self) -> TurnResult:
        """Run the plan that waits; returns the turn's result as ``send`` would have."""
        return _last(self.editor.decide(self.id, PlanDecision(approve=True), progress=False))

    def reject(self, feedback: str = "") -> TurnResult:
        """Refuse the plan that waits; ``feedback`` goes to the decomposer, whose next plan waits
        for approval again (PlanRejected when it has no other plan)."""
        return _last(self.editor.decide(self.id, PlanDecision(approve=False, feedback=feedback), progress=False))

    def discard_plan(self) -> PendingPlan:
        """Drop the waiting plan without running it; the session takes messages again."""
        return self.editor.discard_plan(self.id)

    def decide(self, approve: bool, feedback: str = "") -> Iterator[ProgressEvent]:
        """Approve or reject, yielding progress events like ``stream``."""
        return self.editor.decide(self.id, PlanDecision(approve=approve, feedback=feedback))

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


def _last(events: Iterator[ProgressEvent]) -> TurnResult:
    result = None
    for event in events:
        result = event.result or result
    return result


def _load_reference(source, max_pixels: int) -> Image.Image:
    """Reference images keep their alpha (a logo with transparency is cut out by it)."""
    if isinstance(source, Image.Image) and source.mode == "RGBA":
        return source
    return load_image(source, max_pixels=max_pixels)
