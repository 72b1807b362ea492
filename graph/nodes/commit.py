"""commit_turn: the turn written atomically — the new version, its entities and constraints, the
trace — and the reply. History, clarifications, edits, variations and picks all end here."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from agents.constraints import derive, supersede
from agents.keep import keep_reply
from agents.operations import describe
from agents.parsing.generation import pickable
from state.errors import HistoryError
from state.models import Attempt, HistoryKind, Intent, SessionMeta, Trace, Turn, TurnKind, Version, new_id

from ..services import Services
from ..state import Context, GraphState
from .common import best_index, emit, services


def commit_turn(state: GraphState, runtime: Runtime[Context]) -> dict:
    intent: Intent = state["intent"]
    if intent.kind in ("variations", "pick"):
        return _commit_choice(state, runtime)
    started = time.perf_counter()
    found = services(runtime)
    store = found.store
    snapshot = state["snapshot"]
    meta = snapshot.meta.model_copy(deep=True)
    index = state["turn_index"]
    trace: Trace = state["trace"]
    versions = list(state.get("new_versions", []))
    base: Version | None = state.get("base")
    kind = TurnKind.GENERATE if intent.kind == "generate" else TurnKind.EDIT
    turn = Turn(index=index, message=state.get("message", ""), kind=kind, intent=intent,
                base_version=base.id if base else None, trace=trace)

    if intent.kind == "history":
        head_id, reply = _history(intent, meta, snapshot, base, found)
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
        best = best_index(attempts)
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
        turn.reply = _summary(attempt, len(attempts)) + keep_reply(attempt.plan.operations)
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
    emit("commit", turn.reply, version_id=turn.version_id, revision=stored.revision)
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


def _history(intent: Intent, meta: SessionMeta, snapshot, base: Version | None, found: Services):
    action = intent.history
    store = found.store
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
    done = ", ".join(describe(op) for op in attempt.plan.operations)
    tries = f" after {rounds} attempts" if rounds > 1 else ""
    if critique_.passed:
        return f"Done{tries}: {done} (score {critique_.score:.2f})."
    return f"Best effort{tries}: {done} (score {critique_.score:.2f}, below threshold): {critique_.feedback}"


def _commit_choice(state: GraphState, runtime: Runtime[Context]) -> dict:
    """Variations offered, or one of them picked."""
    intent: Intent = state["intent"]
    started = time.perf_counter()
    store = services(runtime).store
    snapshot = state["snapshot"]
    meta = snapshot.meta.model_copy(deep=True)
    index = state["turn_index"]
    trace: Trace = state["trace"]
    base: Version | None = state.get("base")
    versions = list(state.get("new_versions", []))
    turn = Turn(index=index, message=state.get("message", ""), kind=TurnKind.VARIATIONS, intent=intent,
                base_version=base.id if base else None, trace=trace)
    if intent.kind == "variations":
        ids = (state.get("extra") or {}).get("candidate_versions", [])
        turn.candidate_versions = list(ids)
        turn.version_id = ids[0]
        scores = [a.critique.score for a in trace.attempts if a.critique]
        turn.critique = trace.attempts[0].critique if trace.attempts else None
        turn.plan = trace.attempts[0].plan if trace.attempts else None
        turn.reply = (f"Here are {len(ids)} versions (scores {', '.join(f'{s:.2f}' for s in scores)}); showing the "
                      "first. Say 'the second one' (or 'pick 3') to choose another.")
    else:
        offered = pickable(snapshot.recent_turns, meta.head)
        if offered is None or not offered.candidate_versions:
            raise HistoryError("there are no versions to pick from: ask for some first ('show me three versions')")
        number = intent.pick or 1
        position = number - 1 if number > 0 else len(offered.candidate_versions) + number
        if not 0 <= position < len(offered.candidate_versions):
            raise HistoryError(f"there is no version {number}: pick 1 to {len(offered.candidate_versions)}")
        ids = offered.candidate_versions
        chosen = store.version(meta.id, ids[position])
        version = chosen.model_copy(update={"id": new_id(), "parent": meta.head, "turn": index,
                                            "note": f"picked version {position + 1} of {len(ids)}"})
        versions.append(version)
        turn.kind = TurnKind.PICK
        turn.version_id = version.id
        turn.candidate_versions = list(offered.candidate_versions)
        turn.reply = f"Picked version {position + 1}; carrying on from it."
    meta.head = turn.version_id
    meta.redo = []
    meta.pending = None
    return store_turn(state, store, snapshot, meta, turn, versions, started)
