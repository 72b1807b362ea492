"""The graph's nodes: load_session → parse_intent → decompose → execute → critique → commit_turn.

Nodes read their services from the run's context, never from the environment, and hand each
other references (content hashes) and small pydantic models, never image bytes.
"""

from __future__ import annotations

import base64
import time
from pathlib import Path
from typing import Literal

import numpy as np
from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents import CritiqueRequest, ParseRequest, Scene
from agents.constraints import derive, supersede
from state.errors import HistoryError, MissingImage
from state.images import load_image
from state.models import (
    Attempt,
    Entity,
    HistoryKind,
    Intent,
    OpKind,
    SessionMeta,
    Trace,
    Turn,
    TurnKind,
    Version,
    new_id,
)

from .services import _REGISTRY, Services, services_for
from .settings import Settings
from .state import Context, GraphState


def _services(runtime: Runtime[Context]) -> Services:
    context = runtime.context or Context()
    # Services registered by the Python API need no settings: reading the environment on every
    # node would cost more than the rest of a small turn.
    registered = _REGISTRY.get(context.services_key) if context.services_key else None
    if registered is not None:
        return registered
    overrides = {"store": context.store, "engines": context.engines}
    settings = Settings.load(**{k: v for k, v in overrides.items() if v})
    return services_for(context.services_key, settings)


def _setting(runtime: Runtime[Context], name: str, services: Services):
    value = getattr(runtime.context, name, None) if runtime.context else None
    return value if value is not None else getattr(services.settings, name)


def _llm_calls(agent) -> dict:
    """Token usage and latency of the model calls an agent just made, for the trace."""
    calls = getattr(agent, "last_calls", None)
    return {"llm_calls": [c.model_dump() for c in calls]} if calls else {}


def _emit(stage: str, message: str, **data) -> None:
    """A progress event for streaming clients (no-op outside a streamed run)."""
    try:
        writer = get_stream_writer()
    except Exception:  # not inside a streamed run
        return
    writer({"stage": stage, "message": message, **data})


def _decode_input_image(value: str, max_pixels: int):
    """A path, a base64 string or a data URL → RGB image."""
    if value.startswith("data:"):
        value = value.split(",", 1)[1]
    if len(value) < 4096 and Path(value).exists():
        return load_image(value, max_pixels=max_pixels)
    try:
        data = base64.b64decode(value, validate=True)
    except Exception:
        return load_image(value, max_pixels=max_pixels)  # raises MissingImage naming the path
    return load_image(data, max_pixels=max_pixels)


# --------------------------------------------------------------------------- load_session


def load_session(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    services = _services(runtime)
    store, images = services.store, services.store.images
    trace = Trace(retries=state.get("conflict_retries") or 0)
    if trace.retries:
        trace.add("load", f"re-running the turn after {trace.retries} SessionConflict(s): another writer committed first")
    session_id = state.get("session_id") or ""
    if session_id and store.exists(session_id):
        snapshot = store.load(session_id, recent=services.settings.recent_turns)
    else:
        meta = SessionMeta(id=session_id or new_id())
        store.create(meta)
        snapshot = store.load(meta.id, recent=0)
    max_pixels = services.settings.max_pixels
    image_ref = state.get("image_ref")
    if state.get("image"):
        image_ref = images.put_image(_decode_input_image(state["image"], max_pixels))
    new_versions: list[Version] = []
    base = snapshot.head
    if image_ref:
        array = images.get_array(image_ref)
        upload = Version(id=new_id(), parent=snapshot.meta.head, image_ref=image_ref, width=array.shape[1],
                         height=array.shape[0], turn=snapshot.meta.turn_count + 1, note="uploaded",
                         next_entity=base.next_entity if base else 1)
        new_versions.append(upload)
        base = upload
    mask_ref = state.get("mask_ref")
    if state.get("mask"):
        mask_image = _decode_input_image(state["mask"], max_pixels)
        mask_ref = images.put_mask(np.asarray(mask_image.convert("L")) > 127)
    if state.get("box") and not mask_ref:
        if base is None:
            raise MissingImage("a box points at the image, but there is no image yet")
        from agents.regions import box_mask

        mask_ref = images.put_mask(box_mask(tuple(state["box"]), (base.height, base.width)))
    reference_refs = list(state.get("reference_refs") or []) + [
        images.put_image(_decode_input_image(r, max_pixels)) for r in state.get("reference_images", [])]
    trace.add("load", f"session {snapshot.meta.id} at revision {snapshot.meta.revision}",
              (time.perf_counter() - started) * 1000)
    _emit("load", "session loaded", session_id=snapshot.meta.id)
    return {
        "session_id": snapshot.meta.id, "snapshot": snapshot, "base": base, "new_versions": new_versions,
        "user_mask_ref": mask_ref, "references": reference_refs, "history_command": state.get("command"),
        "trace": trace, "round": 0,
        "plan": None, "critique": None, "execution": None, "clarification": None, "discovered": [],
        "attempts": None, "executions": None, "turn_index": snapshot.meta.turn_count + 1, "error": None,
        # Inputs are consumed here: on a thread that keeps its state (Studio, a checkpointer), the
        # next turn must not see this turn's image, mask or command again.
        "image": None, "image_ref": None, "mask": None, "mask_ref": None, "box": None, "reference_images": [],
        "reference_refs": [], "command": None, "conflict_retries": 0,
    }


# --------------------------------------------------------------------------- parse_intent


def parse_intent(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    services = _services(runtime)
    snapshot = state["snapshot"]
    base: Version | None = state.get("base")
    memory = services.settings.memory
    head = base if memory or base is None else base.model_copy(update={"entities": [], "constraints": []})
    request = ParseRequest(
        text=state.get("message", ""), head=head, recent_turns=snapshot.recent_turns if memory else [],
        pending=snapshot.meta.pending,
        has_user_region=bool(state.get("user_mask_ref")),
        has_reference_image=bool(state.get("references")),
        image_size=(base.width, base.height) if base else None, turn_index=state["turn_index"],
    )
    intent = _command_intent(state.get("history_command"), request.text)
    calls: dict = {}
    if intent is None:
        intent = services.parser.parse(request)
        calls = _llm_calls(services.parser)
    trace = state["trace"]
    trace.add("parse", f"{intent.kind}: {len(intent.clauses)} clause(s)", (time.perf_counter() - started) * 1000,
              backend=intent.backend, **calls)
    _emit("parse", f"understood as {intent.kind}", intent=intent.model_dump(mode="json"))
    update: dict = {"intent": intent}
    if intent.kind == "answer" and snapshot.meta.pending is not None:
        update["intent"] = _answer_clarification(intent, snapshot.meta.pending, base, services)
    if intent.kind in ("edit", "answer") and base is None:
        raise MissingImage("this session has no image yet: send one with the message")
    resolved = update["intent"]
    if resolved.kind in ("edit", "answer") and resolved.clauses and all(c.revision for c in resolved.clauses):
        rebased = _revision_base(snapshot, services, resolved)
        if rebased is not None:
            update["base"] = rebased
            trace.add("parse", "revision: re-doing the last edit from its starting image")
    return update


def _command_intent(command: str | None, text: str) -> Intent | None:
    """undo/redo/revert:N/start_over from the API: history needs no parsing."""
    if not command:
        return None
    from state.models import HistoryAction

    name, _, argument = command.partition(":")
    try:
        kind = HistoryKind(name)
    except ValueError:
        raise HistoryError(f"unknown history command {command!r}: use undo, redo, revert:N or start_over") from None
    turn = int(argument) if argument else None
    return Intent(kind="history", text=text or command, history=HistoryAction(kind=kind, turn=turn), backend="command")


def _answer_clarification(answer: Intent, pending, base: Version, services: Services) -> Intent:
    """Pick the candidate the user's reply names and continue the intent that asked."""
    from agents.targets import Candidate, narrow

    images = services.store.images
    shape = (base.height, base.width)
    candidates = []
    for index, region in enumerate(pending.candidates):
        mask = images.get_mask(region.mask_ref) if region.mask_ref else None
        if mask is None:
            from agents.regions import box_mask

            mask = box_mask(region.box, shape)
        label = pending.candidate_labels[index] if index < len(pending.candidate_labels) else ""
        words = label.removeprefix("the ").split(" ")
        candidates.append(Candidate(mask=mask, box=region.box, noun=words[1] if len(words) > 1 else "object",
                                    color=words[0] if len(words) > 1 else None,
                                    entity_id=pending.candidate_entity_ids[index]
                                    if index < len(pending.candidate_entity_ids) else None, label=label))
    spec = answer.answer
    chosen = candidates
    if spec is not None:
        if spec.ordinal is not None and spec.ordinal_axis is None:
            index = spec.ordinal - 1 if spec.ordinal > 0 else len(candidates) + spec.ordinal
            chosen = [candidates[index]] if 0 <= index < len(candidates) else []
        else:
            if spec.colors:
                chosen = [c for c in chosen if c.color in spec.colors] or chosen
            if spec.noun and spec.noun != "object":
                chosen = [c for c in chosen if c.noun == spec.noun] or chosen
            chosen = narrow(chosen, spec.model_copy(update={"noun": None, "colors": []}), shape)
    if not chosen or (len(chosen) > 1 and not (spec and (spec.plural or spec.all))):
        from agents.errors import InstructionError

        raise InstructionError(f"that does not pick one of: {', '.join(pending.candidate_labels)}")
    intent = pending.pending_intent.model_copy(deep=True)
    clause = intent.clauses[pending.clause_index]
    extra = []
    positions = [next(i for i, c in enumerate(candidates) if c is chosen_one) for chosen_one in chosen]
    for pick_index, position in enumerate(positions):
        target_clause = clause if pick_index == 0 else clause.model_copy(deep=True)
        target_clause.params["chosen_region"] = pending.candidates[position].model_dump()
        target_clause.params["chosen_entity"] = candidates[position].entity_id
        if pick_index:
            extra.append(target_clause)
    intent.clauses[pending.clause_index + 1:pending.clause_index + 1] = extra
    intent.kind = "edit"
    return intent


def _revision_base(snapshot, services: Services, intent: Intent) -> Version | None:
    """'Actually … instead' re-does the last edit turn from that turn's starting image, when that
    turn did the same kind of thing to the same target; otherwise the revision applies on top
    (and supersedes the older turn's constraint)."""
    last = next((t for t in reversed(snapshot.recent_turns) if t.kind != TurnKind.CLARIFY), None)
    if last is None or last.kind != TurnKind.EDIT or last.version_id != snapshot.meta.head or not last.base_version:
        return None
    last_ops = last.plan.operations if last.plan else []
    for clause in intent.clauses:
        wanted = set(clause.target.entity_ids)
        if not any(op.kind == clause.op and (not wanted or wanted & set(op.entity_ids)) for op in last_ops):
            return None
    base = services.store.version(snapshot.meta.id, last.base_version)
    # Entities the last turn discovered are not in its base yet; bring them back, where they were
    # before that edit (the region the last plan grounded them at), so "it" still resolves.
    known = {e.id for e in base.entities}
    regions = {op.entity_ids[0]: op.region for op in (last.plan.operations if last.plan else [])
               if op.entity_ids and op.region is not None}
    head = snapshot.head
    carried = [e.model_copy(update={"region": regions.get(e.id, e.region), "present": True})
               for e in (head.entities if head else []) if e.id not in known and e.origin != "added"]
    return base.model_copy(update={"entities": base.entities + carried,
                                   "next_entity": max(base.next_entity, head.next_entity if head else 1)})


def route_after_parse(state: GraphState) -> Literal["decompose", "commit_turn"]:
    return "commit_turn" if state["intent"].kind == "history" else "decompose"


# --------------------------------------------------------------------------- decompose


def _scene(state: GraphState, services: Services, entities: list[Entity]) -> Scene:
    base: Version = state["base"]
    images = services.store.images
    user_mask = None
    if state.get("user_mask_ref"):
        user_mask = images.get_mask(state["user_mask_ref"])
    return Scene(image=images.get_array(base.image_ref), image_ref=base.image_ref, entities=entities,
                 engines=services.engines, images=images, user_mask=user_mask)


def decompose(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    services = _services(runtime)
    base: Version = state["base"]
    protected = sorted({c.entity_id for c in base.live_constraints if c.entity_id})
    scene = _scene(state, services, base.entities)
    result = services.decomposer.decompose(
        state["intent"], scene, next_entity=base.next_entity, protected_ids=protected,
        previous=state.get("plan"), critique=state.get("critique"),
    )
    trace = state["trace"]
    trace.engine_ms += scene.engine_ms  # grounding and segmentation are engine time
    ms = (time.perf_counter() - started) * 1000
    if result.clarification is not None:
        trace.add("decompose", "ambiguous target: asking", ms, question=result.clarification.question)
        _emit("clarify", result.clarification.question)
        return {"clarification": result.clarification, "plan": None}
    plan = result.plan
    trace.add("decompose", f"round {plan.round}: {len(plan.operations)} op(s)", ms, notes=plan.notes,
              exhausted=plan.exhausted, **_llm_calls(services.decomposer))
    _emit("plan", f"round {plan.round}: " + ", ".join(f"{op.kind} {op.target.phrase or ''}".strip()
                                                       for op in plan.operations),
          plan=plan.model_dump(mode="json"))
    update = {"plan": plan}
    if not plan.exhausted:
        update |= {"discovered": result.discovered, "next_entity": result.next_entity}
    return update


def route_after_decompose(state: GraphState, runtime: Runtime[Context]) -> Literal["execute", "commit_turn"]:
    if state.get("clarification") is not None or state["plan"] is None or state["plan"].exhausted:
        return "commit_turn"
    return "execute"


# --------------------------------------------------------------------------- execute


def execute(state: GraphState, runtime: Runtime[Context]) -> dict:
    services = _services(runtime)
    plan = state["plan"]
    if _setting(runtime, "confirm_plan", services) and plan.round == 1:
        decision = interrupt({"question": "Run this plan?", "plan": plan.model_dump(mode="json")})
        if not _approved(decision):
            raise PlanRejected("the plan was rejected; nothing was changed")
    base: Version = state["base"]
    images = services.store.images
    entities = [e.model_copy(deep=True) for e in base.entities] + [
        e.model_copy(deep=True) for e in state.get("discovered", [])]
    references = [images.get_array(ref) for ref in state.get("references", [])]
    started = time.perf_counter()
    execution = services.executor.run(
        plan, images.get_array(base.image_ref), entities, turn=state["turn_index"],
        next_entity=state.get("next_entity", base.next_entity), references=references,
        seed=services.settings.seed + 1000 * plan.round, cache_key=base.image_ref,
    )
    trace = state["trace"]
    trace.engine_ms += execution.engine_ms
    trace.add("execute", f"{len(execution.outcomes)} op(s) in {execution.engine_ms:.0f} ms",
              (time.perf_counter() - started) * 1000,
              ops=[{"op": o.op_id, "kind": o.kind, "engine": o.engine, "ms": round(o.ms, 1), **o.info}
                   for o in execution.outcomes])
    for outcome in execution.outcomes:
        _emit("operation", f"{outcome.kind} done with {outcome.engine} in {outcome.ms:.0f} ms", op_id=outcome.op_id)
    return {"execution": execution, "executions": [execution]}


class PlanRejected(Exception):
    """The person reviewing the plan said no."""


def _approved(decision) -> bool:
    if isinstance(decision, dict):
        decision = decision.get("approve", decision.get("approved", False))
    if isinstance(decision, str):
        return decision.strip().lower() in ("yes", "y", "approve", "approved", "ok", "true")
    return bool(decision)


# --------------------------------------------------------------------------- critique


def critique(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    services = _services(runtime)
    base: Version = state["base"]
    plan, execution = state["plan"], state["execution"]
    images = services.store.images
    carried = supersede(base.constraints, plan.operations, state["turn_index"])
    request = CritiqueRequest(
        before=images.get_array(base.image_ref), after=images.get_array(execution.image_ref),
        after_ref=execution.image_ref, plan=plan, execution=execution,
        constraints=[c for c in carried if c.live] if services.settings.check_constraints else [],
        entities_before=base.entities, threshold=_setting(runtime, "threshold", services),
        intent_text=state["intent"].text, before_ref=base.image_ref,
        check_bystanders=services.settings.check_constraints,
    )
    result = services.critic.critique(request)
    measured = getattr(services.critic, "measured", None) or services.critic
    state["trace"].engine_ms += getattr(measured, "last_engine_ms", 0.0)  # the critic's re-grounding
    attempt = Attempt(round=plan.round, plan=plan, image_ref=execution.image_ref,
                      intermediate_refs=execution.intermediate_refs, op_ms=[o.ms for o in execution.outcomes],
                      critique=result)
    trace = state["trace"]
    trace.add("critique", f"round {plan.round}: score {result.score:.2f} ({'pass' if result.passed else 'retry'})",
              (time.perf_counter() - started) * 1000, feedback=result.feedback, **_llm_calls(services.critic))
    _emit("critique", f"round {plan.round}: score {result.score:.2f}", score=result.score, passed=result.passed,
          feedback=result.feedback)
    return {"critique": result, "attempts": [attempt], "round": plan.round}


def route_after_critique(state: GraphState, runtime: Runtime[Context]) -> Literal["decompose", "commit_turn"]:
    services = _services(runtime)
    if state["critique"].passed or state["round"] >= _setting(runtime, "max_rounds", services):
        return "commit_turn"
    return "decompose"


# --------------------------------------------------------------------------- commit_turn


def commit_turn(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    services = _services(runtime)
    store = services.store
    snapshot = state["snapshot"]
    meta = snapshot.meta.model_copy(deep=True)
    intent: Intent = state["intent"]
    index = state["turn_index"]
    trace: Trace = state["trace"]
    versions = list(state.get("new_versions", []))
    base: Version | None = state.get("base")
    kind = TurnKind.GENERATE if intent.kind == "generate" else TurnKind.EDIT
    turn = Turn(index=index, message=state.get("message", ""), kind=kind, intent=intent,
                base_version=base.id if base else None, trace=trace)

    if intent.kind == "history":
        head_id, reply = _history(intent, meta, snapshot, base, services)
        turn.kind = TurnKind.HISTORY
        turn.version_id = head_id
        turn.reply = reply
        meta.head = head_id
        meta.pending = None
    elif state.get("clarification") is not None:
        turn.kind = TurnKind.CLARIFY
        turn.clarification = state["clarification"]
        turn.reply = state["clarification"].question
        turn.version_id = base.id if base else None
        meta.pending = state["clarification"]
        meta.head = base.id if base else meta.head
    else:
        attempts = state.get("attempts", [])
        executions = state.get("executions", [])
        best = max(range(len(attempts)), key=lambda i: (attempts[i].critique.score, -i))  # ties: the literal first try
        attempt, execution = attempts[best], executions[best]
        trace.attempts = list(attempts)
        entities = {e.id: e for e in execution.entities}
        outcome_entities = {o.op_id: o.entity_id for o in execution.outcomes if o.entity_id}
        carried = supersede(base.constraints, attempt.plan.operations, index)
        constraints = carried + derive(attempt.plan.operations, entities, index, outcome_entities)
        # A revision is computed from the revised turn's starting image, but it follows the image the
        # user saw: undo after "no, blue instead" goes back one message, to the version it replaced.
        rebased = snapshot.meta.head and base.id != snapshot.meta.head and all(v.id != base.id for v in versions)
        parent = snapshot.meta.head if rebased else base.id
        version = Version(id=new_id(), parent=parent, image_ref=execution.image_ref, width=execution.width,
                          height=execution.height, turn=index, entities=execution.entities, constraints=constraints,
                          next_entity=execution.next_entity, note=intent.text[:80])
        versions.append(version)
        turn.plan, turn.critique = attempt.plan, attempt.critique
        turn.version_id = version.id
        turn.reply = _summary(attempt, len(attempts))
        meta.head = version.id
        meta.redo = []
        meta.pending = None
    return store_turn(state, store, snapshot, meta, turn, versions, started)


def store_turn(state: GraphState, store, snapshot, meta: SessionMeta, turn: Turn, versions: list[Version],
               started: float) -> dict:
    """The end of every commit: session meta, the one atomic store commit, and the graph's output."""
    index, trace, base = turn.index, state["trace"], state.get("base")
    meta.turn_count = index
    if not meta.title and state.get("message"):
        meta.title = state["message"][:60]
    trace.total_ms = sum(e.ms for e in trace.events)
    trace.add("commit", f"turn {index} committed", (time.perf_counter() - started) * 1000)
    stored = store.commit(meta, snapshot.meta.revision, turn, versions)
    _emit("commit", turn.reply, version_id=turn.version_id, revision=stored.revision)
    critique_ = turn.critique
    head = next((v for v in versions if v.id == meta.head), None)
    if head is None and meta.head:
        head = store.version(meta.id, meta.head)
    return {
        "reply": turn.reply, "version_id": turn.version_id,
        "image_ref": head.image_ref if head else (base.image_ref if base else None),
        "score": critique_.score if critique_ else None, "passed": critique_.passed if critique_ else None,
        "trace": trace,
    }


def _history(intent: Intent, meta: SessionMeta, snapshot, base: Version | None, services: Services):
    action = intent.history
    store = services.store
    head = base
    if head is None:
        raise HistoryError("there is no image yet, so there is nothing to undo")
    if action.kind == HistoryKind.UNDO:
        steps = action.count
        for step in range(steps):
            if head.parent is None:
                raise HistoryError("nothing to undo: this is the original image" if step == 0 else
                                   f"only {step} change(s) to undo, not {steps}")
            meta.redo.append(head.id)
            head = store.version(snapshot.meta.id, head.parent)
        return head.id, "Undone: back to the image before the last change." if steps == 1 else \
            f"Undone: back {steps} changes."
    if action.kind == HistoryKind.REDO:
        if len(meta.redo) < action.count:
            raise HistoryError("nothing to redo" if not meta.redo else f"only {len(meta.redo)} change(s) to redo")
        for _ in range(action.count):
            head_id = meta.redo.pop()
        return head_id, "Redone." if action.count == 1 else f"Redone {action.count} changes."
    if action.kind == HistoryKind.START_OVER or (action.kind == HistoryKind.REVERT and not action.turn):
        root = head
        while root.parent is not None:
            root = store.version(snapshot.meta.id, root.parent)
        meta.redo = []
        return root.id, "Back to the original image."
    turns = store.turns(snapshot.meta.id, action.turn, action.turn + 1)
    if not turns or turns[0].version_id is None:
        raise HistoryError(f"there is no turn {action.turn} to go back to (this session has {meta.turn_count})")
    meta.redo = []
    return turns[0].version_id, f"Reverted to the image after turn {action.turn}."


def _summary(attempt: Attempt, rounds: int) -> str:
    critique_ = attempt.critique
    done = ", ".join(_describe(op) for op in attempt.plan.operations)
    tries = f" after {rounds} attempts" if rounds > 1 else ""
    if critique_.passed:
        return f"Done{tries}: {done} (score {critique_.score:.2f})."
    return f"Best effort{tries}: {done} (score {critique_.score:.2f}, below threshold): {critique_.feedback}"


def _describe(op) -> str:
    """A short past-tense account of one operation, for the reply."""
    what = op.target.phrase or "it"
    params = op.params
    match op.kind:
        case OpKind.REMOVE:
            return f"removed {what}"
        case OpKind.INSERT:
            return "added " + " ".join(w for w in ("a", params.get("color"), params.get("noun")) if w)
        case OpKind.RECOLOR:
            return f"made {what} {params.get('color')}"
        case OpKind.MOVE:
            return f"moved {what} by ({params.get('dx', 0)}, {params.get('dy', 0)}) px"
        case OpKind.RESIZE:
            return f"scaled {what} ×{params.get('factor', 1):.2g}"
        case OpKind.FILTER:
            scope = "the image" if op.target.scope == "image" else what
            return f"applied {params.get('filter')} to {scope}"
        case OpKind.TEXT:
            return f"wrote {params.get('text')!r}"
        case OpKind.CROP:
            return "cropped the image"
        case OpKind.ROTATE:
            return f"rotated {'the image' if op.target.scope == 'image' else what} {params.get('angle', 90):g}°"
        case OpKind.FLIP:
            return f"flipped {'the image' if op.target.scope == 'image' else what} {params.get('axis', '')}".strip()
        case OpKind.GENERATE:
            objects = ", ".join(o["label"] for o in params.get("objects", []))
            return f"drew {objects} on a {params.get('background', {}).get('kind', 'plain')} background"
        case OpKind.REFINE:
            if params.get("mode") == "upscale":
                note = f" with {params['engine_note']}" if params.get("engine_note") else ""
                return f"upscaled the image ×{params.get('factor') or 'print-size'}{note}"
            if params.get("mode") == "style":
                return f"restyled {'the image' if op.target.scope == 'image' else what} as {params.get('style')}"
            return f"{'enhanced details of' if params.get('mode') == 'sharpen' else 'denoised'} " \
                   f"{'the image' if op.target.scope == 'image' else what}"
    return op.kind.value
