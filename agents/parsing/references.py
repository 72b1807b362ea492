"""Reference resolution: "it", "them", "the one I added", "the other one" → entity ids of the session.

The parser only resolves what the words themselves decide; a plain noun phrase ("the red circle") is
left for the decomposer to ground in the image, even when an entity has that label.
"""

from __future__ import annotations

from collections.abc import Iterable

from agents.kinds import same_kind
from state.models import Entity, IntentClause, OpKind, TargetSpec, Turn, Version

_EDIT_KINDS = ("edit", "answer")


def _present(head: Version | None) -> dict[str, Entity]:
    if head is None:
        return {}
    return {e.id: e for e in head.entities if e.present}


def _dedupe(ids: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for i in ids:
        seen.setdefault(i, None)
    return list(seen)


def turn_entity_ids(turn: Turn) -> list[str]:
    """The entities a turn's intent touched, in clause order."""
    if turn.intent is None:
        return []
    ids: list[str] = []
    for clause in turn.intent.clauses:
        ids.extend(clause.target.entity_ids)
    if turn.intent.answer is not None:
        ids.extend(turn.intent.answer.entity_ids)
    return _dedupe(ids)


def last_touched(head: Version | None, turns: list[Turn]) -> list[str]:
    """Entity ids touched by the most recent edit turn that touched any still-present entity.

    The turn's clause targets say what it touched; a turn whose targets were never resolved (an
    insertion, say) falls back to the entities whose ``last_turn`` is that turn.
    """
    present = _present(head)
    for turn in reversed(turns):
        if turn.intent is None or turn.intent.kind not in _EDIT_KINDS or turn.kind == "failed":
            continue
        ids = turn_entity_ids(turn)
        if present:
            ids = [i for i in ids if i in present]
            if not ids:
                ids = [e.id for e in present.values() if e.last_turn == turn.index]
        if ids:
            return ids
    if present and not turns:
        latest = max((e.last_turn for e in present.values()), default=0)
        if latest > 0:
            return [e.id for e in present.values() if e.last_turn == latest]
    return []


def last_added(head: Version | None, noun: str | None) -> list[str]:
    """The most recently added present entity (of that noun when one is given)."""
    candidates = [e for e in _present(head).values() if e.origin == "added" and (noun is None or same_kind(e.noun, noun))]
    if not candidates:
        return []
    best = max(range(len(candidates)), key=lambda i: (candidates[i].created_turn, i))
    return [candidates[best].id]


def resolve_target(spec: TargetSpec, head: Version | None, turns: list[Turn]) -> TargetSpec:
    """A copy of ``spec`` with its reference resolved to entity ids where the session allows it."""
    spec = spec.model_copy(deep=True)
    ref = spec.reference
    if ref is None or spec.entity_ids:
        return spec
    if ref == "it":
        spec.entity_ids = last_touched(head, turns)
        spec.plural = False
    elif ref == "them":
        spec.entity_ids = last_touched(head, turns)
        spec.plural = True
    elif ref == "both":
        touched = last_touched(head, turns)
        spec.plural = True
        if len(touched) == 2:
            spec.entity_ids = touched
    elif ref == "added":
        spec.entity_ids = last_added(head, spec.noun)
    elif ref == "other":
        touched = last_touched(head, turns)
        spec.exclude_entity_ids = touched
        if spec.noun is None and touched:
            entity = head.entity(touched[0]) if head is not None else None
            spec.noun = entity.noun if entity is not None else None
    return spec


# Looks that restyle a whole picture: with a bare "it" they mean the image, not the last object.
WHOLE_PICTURE_LOOKS = frozenset({"grayscale", "sepia", "invert", "cartoon", "sketch", "vintage"})


def resolve_clauses(clauses: list[IntentClause], head: Version | None, turns: list[Turn]) -> list[IntentClause]:
    """Resolve every target and relation anchor; "it" after an earlier clause of the same message
    means that clause's target ("add a star and make it red")."""
    resolved: list[IntentClause] = []
    for clause in clauses:
        target = clause.target
        pronoun = clause.op != OpKind.INSERT and target.reference in ("it", "them") and bool(resolved)
        inserted = _inserted_here(resolved, target) if target.reference == "added" else None
        if pronoun:
            target = _previous_target(resolved[-1], plural=target.reference == "them", scope=target.scope)
            if resolved[-1].op == clause.op and resolved[-1].params == clause.params and (
                    resolved[-1].target == target or clause.op == OpKind.REPLACE):
                continue  # "I don't want the star, remove it": one removal said twice
        elif inserted is not None and clause.op != OpKind.INSERT:
            target = _previous_target(inserted, plural=target.plural, scope=target.scope)  # "add a star and make the new star red"
        elif clause.op == OpKind.FILTER and target.reference == "it" and \
                clause.params.get("filter") in WHOLE_PICTURE_LOOKS:
            # "make it grayscale" is about the picture, whatever was touched last.
            target = TargetSpec(phrase=target.phrase, scope="image")
        elif clause.op != OpKind.INSERT:
            target = resolve_target(target, head, turns)
        params = dict(clause.params)
        relation = params.get("relation")
        if isinstance(relation, dict) and isinstance(relation.get("anchor"), TargetSpec):
            anchor = relation["anchor"]
            if anchor.reference in ("it", "them") and resolved:
                anchor = _previous_target(resolved[-1], plural=anchor.reference == "them", scope=anchor.scope)
            else:
                anchor = resolve_target(anchor, head, turns)
            params["relation"] = {"rel": relation["rel"], "anchor": anchor.model_dump(exclude_defaults=True)}
            if isinstance(relation.get("and"), TargetSpec):  # "between the cat and the dog"
                params["relation"]["and"] = resolve_target(relation["and"], head, turns).model_dump(exclude_defaults=True)
        resolved.append(clause.model_copy(update={"target": target, "params": params}))
    return resolved


def _inserted_here(resolved: list[IntentClause], spec: TargetSpec) -> IntentClause | None:
    """The latest insertion of this message that "the new one" / "the star I just added" can mean."""
    for clause in reversed(resolved):
        if clause.op == OpKind.INSERT and (spec.noun is None or same_kind(clause.target.noun, spec.noun)):
            return clause
    return None


def _previous_target(previous: IntentClause, *, plural: bool, scope: str) -> TargetSpec:
    prev = previous.target
    if previous.op == OpKind.REPLACE and previous.params.get("noun"):
        # "swap the mug for a glass, then move it": the glass, where the mug was
        color = previous.params.get("color")
        return TargetSpec(phrase=previous.params.get("phrase") or previous.params["noun"],
                          noun=previous.params["noun"], colors=[color] if color else [], reference="previous",
                          plural=plural)
    if previous.op == OpKind.INSERT:
        return TargetSpec(phrase=prev.phrase, noun=prev.noun, colors=list(prev.colors), reference="previous",
                          plural=plural or prev.plural)
    return prev.model_copy(deep=True)
