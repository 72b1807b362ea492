"""The session as text for a prompt: entities, constraints, recent turns, a pending question.

Compact one-line-per-item renderings: the model needs ids, names and places to resolve "it" and
"the one I added", not the full pydantic dumps.
"""

from __future__ import annotations

from typing import get_args

from engines.classical.colors import PALETTE
from engines.classical.vocabulary import OBJECTS, REGION_NOUNS, SHAPES
from state.models import Clarification, Constraint, Entity, Intent, Turn

from ..regions import describe_location
from .wire import FilterName

FILTERS: tuple[str, ...] = get_args(FilterName)


def vocabulary() -> str:
    return (f"colours: {', '.join(PALETTE)}\n"
            f"shapes: {', '.join(SHAPES)}\n"
            f"objects: {', '.join(OBJECTS)}\n"
            f"regions: {', '.join(REGION_NOUNS)}\n"
            f"filters: {', '.join(FILTERS)}")


def entity_line(entity: Entity, shape: tuple[int, int] | None) -> str:
    place = ""
    if entity.region is not None:
        place = f" box={list(entity.region.box)}"
        if shape is not None:
            place += f" ({describe_location(entity.region.box, shape)})"
    state = "" if entity.present else " [gone]"
    return (f"- {entity.id}: {entity.label} (noun={entity.noun}, origin={entity.origin}, "
            f"created turn {entity.created_turn}, last touched turn {entity.last_turn}){place}{state}")


def entities_text(entities: list[Entity], shape: tuple[int, int] | None) -> str:
    return "\n".join(entity_line(e, shape) for e in entities) or "(none yet)"


def constraint_line(constraint: Constraint) -> str:
    about = f" [entity {constraint.entity_id}]" if constraint.entity_id else ""
    return f"- {constraint.id} ({constraint.kind}, turn {constraint.set_by_turn}){about}: {constraint.description}"


def constraints_text(constraints: list[Constraint]) -> str:
    return "\n".join(constraint_line(c) for c in constraints if c.live) or "(none)"


def intent_summary(intent: Intent | None) -> str:
    if intent is None:
        return "-"
    if intent.kind == "history" and intent.history is not None:
        return f"history {intent.history.kind}" + (f" {intent.history.turn}" if intent.history.turn else "")
    parts = []
    for clause in intent.clauses:
        target = clause.target.phrase or clause.target.noun or clause.target.scope
        ids = f" {clause.target.entity_ids}" if clause.target.entity_ids else ""
        params = {k: v for k, v in clause.params.items() if k not in ("chosen_region",)}
        parts.append(f"{clause.op.value} {target}{ids} {params}".strip())
    return "; ".join(parts) or intent.kind


def turns_text(turns: list[Turn]) -> str:
    lines = []
    for turn in turns:
        lines.append(f"- turn {turn.index} ({turn.kind}): user said {turn.message!r}; understood as "
                     f"{intent_summary(turn.intent)}; replied {turn.reply[:160]!r}")
    return "\n".join(lines) or "(this is the first message)"


def pending_text(pending: Clarification | None) -> str:
    if pending is None:
        return "(none)"
    lines = [f"Retouch asked: {pending.question!r}. Candidates:"]
    for index, label in enumerate(pending.candidate_labels, start=1):
        entity = pending.candidate_entity_ids[index - 1] if index - 1 < len(pending.candidate_entity_ids) else None
        lines.append(f"  {index}. {label}" + (f" (entity {entity})" if entity else ""))
    return "\n".join(lines)


__all__ = ["FILTERS", "constraints_text", "entities_text", "intent_summary", "pending_text", "turns_text",
           "vocabulary"]
