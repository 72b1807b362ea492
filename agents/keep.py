"""Keep-constraints: what a message says must stay as it is ("… but leave the square alone",
"keep everything else as is", "don't change the star", "… but keep her in colour").

A kept thing is grounded like a clause target (the same resolver, the same entity bookkeeping),
protected from every operation of the turn, and leaves standing constraints (still there where it
is, still its colour) that the critic checks this turn and on every later turn. A kept thing that
cannot be found is reported in the plan's notes and the reply; the edit goes on without it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from state.models import Constraint, ConstraintKind, EditOperation, Entity, Intent, TargetSpec

from .errors import TargetNotFound
from .regions import mask_iou
from .targets import Candidate, _thing, resolve

if TYPE_CHECKING:  # the decomposer imports this module, not the other way round
    from .decomposer import PlanBuilder

KEY = "keep"
"""Where a plan carries what its message keeps: its first operation's strategy (as the tactics)."""
NOT_THINGS = frozenset({"background", "image", "region", "sky", "ground"})
"""What 'everything else' does not mean: the backdrop is not a thing to keep."""
KEPT_IOU = 0.85
"""How closely a kept thing must still match a detection where it was (anti-aliasing and a filter
move its outline a little; another object over a fifth of it does not pass)."""


class Kept(BaseModel):
    """What one message keeps, as planned."""

    model_config = ConfigDict(extra="forbid")

    entity_ids: list[str] = Field(default_factory=list, description="kept entities, protected and constrained")
    said: list[str] = Field(default_factory=list, description="the kept things as said")
    notes: list[str] = Field(default_factory=list, description="kept things not found, or also edited")


def apply_keep(builder: PlanBuilder, intent: Intent) -> list[str]:
    """Ground the intent's kept things, protect them from every planned operation, and record them
    on the plan; returns notes for the plan (what could not be kept, and why)."""
    # "keep everything else as is" is the image's scope with reference "other": all but this turn's targets
    specs = [s for s in intent.keep if s.scope != "image" or s.reference == "other"]
    if not specs or not builder.operations:
        return []
    kept: list[str] = []
    said: list[str] = []
    notes: list[str] = []
    for spec in specs:
        other = spec.reference == "other"
        found = _others(builder) if other else _named(builder, spec)
        if not found:
            notes.append("nothing else to keep" if other else f"nothing called {_thing(spec)!r} to keep")
            continue
        said.append("everything else" if other else spec.phrase or f"the {_thing(spec)}")
        kept += [i for i in found if i not in kept]
    kept = _settle_conflicts(builder, kept, notes)
    for op in builder.operations:
        # An operation is never protected from its own target (add_op's rule holds here too).
        op.protect_entity_ids = sorted(set(op.protect_entity_ids) | (set(kept) - set(op.entity_ids)))
    if builder.operations:
        builder.operations[0].strategy[KEY] = Kept(entity_ids=kept, said=said if kept else [],
                                                   notes=notes).model_dump()
    return notes


def _named(builder: PlanBuilder, spec: TargetSpec) -> list[str]:
    """Every match of a kept target: keeping is never ambiguous ('keep the squares' keeps them all)."""
    try:
        resolution = resolve(spec, builder.scene)
    except TargetNotFound:
        return []
    candidates = builder._adopt_composites(resolution.candidates, spec)
    return [builder.entity_for(c) for c in candidates]


def _others(builder: PlanBuilder) -> list[str]:
    """'Everything else': every present entity and every object the grounder sees that no
    operation of this turn is aimed at."""
    scene = builder.scene
    targeted = {i for op in builder.operations for i in op.entity_ids}
    aimed = [scene.images.get_mask(op.region.mask_ref) for op in builder.operations
             if op.region is not None and op.region.mask_ref and op.entity_ids]
    aimed = [m for m in aimed if m.shape == scene.shape]

    def is_target(candidate: Candidate) -> bool:
        return candidate.entity_id in targeted or any(mask_iou(candidate.mask, m) > 0.5 for m in aimed)

    try:
        candidates = resolve(TargetSpec(phrase="everything else", plural=True, all=True), scene).candidates
    except TargetNotFound:
        candidates = []
    found = [builder.entity_for(c) for c in candidates if c.noun not in NOT_THINGS and not is_target(c)]
    found += [e.id for e in scene.entities if e.present and e.region is not None and e.noun not in NOT_THINGS
              and e.id not in targeted and e.id not in found]
    return [i for i in found if i not in targeted]


def _settle_conflicts(builder: PlanBuilder, kept: list[str], notes: list[str]) -> list[str]:
    """A kept thing that a plural clause also reaches ('make all the shapes red but leave the square
    alone') is left out of that clause; one a clause names on its own is edited, as asked, and not kept."""
    names = {e.id: e.label for e in [*builder.scene.entities, *builder.discovered]}
    remaining: list[EditOperation] = []
    for op in builder.operations:
        spared = [i for i in op.entity_ids if i in kept]
        if spared and (op.target.plural or op.target.all) and set(op.entity_ids) <= set(kept):
            notes.append(f"left the {names.get(spared[0], spared[0])} out of the edit: it is kept")
            continue
        remaining.append(op)
    if remaining and len(remaining) < len(builder.operations):
        builder.operations[:] = remaining
    edited = {i for op in builder.operations for i in op.entity_ids}
    for entity_id in [i for i in kept if i in edited]:
        notes.append(f"the {names.get(entity_id, entity_id)} is edited as asked, so it is not kept as it was")
    return [i for i in kept if i not in edited]


# --------------------------------------------------------------------------- constraints


def kept_of(ops: list[EditOperation]) -> Kept:
    """What a plan's message kept (nothing for a plan made before keep-constraints)."""
    raw = ops[0].strategy.get(KEY) if ops else None
    return Kept.model_validate(raw) if raw else Kept()


def derive_kept(ops: list[EditOperation], entities: dict[str, Entity], add) -> None:
    """The standing constraints kept things leave: still there where they are, still their colour
    (``add(kind, entity_id, description, **params)``, as the operations' ``derive``)."""
    for entity_id in kept_of(ops).entity_ids:
        entity = entities.get(entity_id)
        if entity is None or not entity.present or entity.region is None:
            continue
        add(ConstraintKind.PRESENT, entity.id, f"the {entity.label} is kept as it is",
            color=entity.color, noun=entity.noun, kept=True, min_iou=KEPT_IOU)
        if entity.color:
            add(ConstraintKind.COLOR, entity.id, f"the {entity.label} is kept {entity.color}",
                color=entity.color, kept=True)


def kept_constraints(ops: list[EditOperation], entities: dict[str, Entity], turn: int = 0) -> list[Constraint]:
    """This turn's kept constraints, for the critic to check before the turn commits them."""
    found: list[Constraint] = []

    def add(kind: ConstraintKind, entity_id: str | None, description: str, **params) -> None:
        found.append(Constraint(id=f"keep.{len(found) + 1}", kind=kind, entity_id=entity_id, params=params,
                                description=description, set_by_turn=turn))

    derive_kept(ops, entities, add)
    return found


def restated(constraint: Constraint, ops: list[EditOperation]) -> bool:
    """An earlier keep of a thing this turn keeps again: the new one replaces it (no duplicates)."""
    return bool(constraint.params.get("kept")) and constraint.entity_id in kept_of(ops).entity_ids


def keep_reply(ops: list[EditOperation]) -> str:
    """What the reply adds about kept things: what was kept, and what could not be."""
    kept = kept_of(ops)
    parts = []
    if kept.entity_ids and kept.said:
        parts.append("kept " + " and ".join(kept.said) + " unchanged")
    parts += kept.notes
    text = "; ".join(parts)
    return f" {text[0].upper()}{text[1:]}." if text else ""


__all__ = ["KEY", "Kept", "apply_keep", "derive_kept", "keep_reply", "kept_constraints", "kept_of", "restated"]
