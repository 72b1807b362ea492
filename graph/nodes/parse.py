"""parse_intent: the message → a structured intent, references resolved; a reply to a question
continues the intent that asked it; a revision re-does the last edit from its starting image."""

from __future__ import annotations

import time
from typing import Literal

from langgraph.runtime import Runtime

from agents import ParseRequest
from agents.errors import InstructionError
from agents.kinds import same_kind
from agents.regions import box_mask
from agents.targets import Candidate, narrow
from state.errors import HistoryError, MissingImage
from state.models import HistoryAction, HistoryKind, Intent, TurnKind, Version

from ..services import Services
from ..state import Context, GraphState
from .common import emit, llm_calls, services


def parse_intent(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    found = services(runtime)
    snapshot = state["snapshot"]
    base: Version | None = state.get("base")
    memory = found.settings.memory
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
        intent = found.parser.parse(request)
        calls = llm_calls(found.parser)
    trace = state["trace"]
    trace.add("parse", f"{intent.kind}: {len(intent.clauses)} clause(s)", (time.perf_counter() - started) * 1000,
              backend=intent.backend, **calls)
    emit("parse", f"understood as {intent.kind}", intent=intent.model_dump(mode="json"))
    update: dict = {"intent": intent}
    if intent.kind == "answer" and snapshot.meta.pending is not None:
        update["intent"] = _answer_clarification(intent, snapshot.meta.pending, base, found)
    if intent.kind in ("edit", "answer") and base is None:
        raise MissingImage("this session has no image yet: send one with the message")
    resolved = update["intent"]
    if resolved.kind in ("edit", "answer") and resolved.clauses and all(c.revision for c in resolved.clauses):
        rebased = _revision_base(snapshot, found, resolved)
        if rebased is not None:
            update["base"] = rebased
            trace.add("parse", "revision: re-doing the last edit from its starting image")
    return update


def _command_intent(command: str | None, text: str) -> Intent | None:
    """undo/redo/revert:N/start_over from the API: history needs no parsing."""
    if not command:
        return None
    name, _, argument = command.partition(":")
    try:
        kind = HistoryKind(name)
    except ValueError:
        raise HistoryError(f"unknown history command {command!r}: use undo, redo, revert:N or start_over") from None
    turn = int(argument) if argument else None
    return Intent(kind="history", text=text or command, history=HistoryAction(kind=kind, turn=turn), backend="command")


def _answer_clarification(answer: Intent, pending, base: Version, services: Services) -> Intent:
    """Pick the candidate the user's reply names and continue the intent that asked."""
    images = services.store.images
    shape = (base.height, base.width)
    candidates = []
    for index, region in enumerate(pending.candidates):
        mask = images.get_mask(region.mask_ref) if region.mask_ref else None
        if mask is None:
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
                chosen = [c for c in chosen if same_kind(c.noun, spec.noun)] or chosen
            chosen = narrow(chosen, spec.model_copy(update={"noun": None, "colors": []}), shape)
    if not chosen or (len(chosen) > 1 and not (spec and (spec.plural or spec.all))):
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


def route_after_parse(state: GraphState) -> Literal["prepare_canvas", "decompose", "variations", "commit_turn"]:
    kind = state["intent"].kind
    if kind in ("history", "pick"):
        return "commit_turn"
    if kind == "variations":
        return "variations"
    if kind == "generate":
        return "prepare_canvas"
    return "decompose"
