"""The task decomposer: an intent (plus the critic's feedback on a retry) → an ordered plan of
typed operations, each with its target region and concrete parameters.

On a retry it must change something real. The critic's hints say what (grow the mask, switch the
inpainting method, re-ground with a looser tolerance, keep clear of a protected entity); when no
hint applies it escalates generically, and when nothing is left to change it says so
(``plan.exhausted``) so the loop stops instead of repeating itself.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from agents.kinds import kind_of, same_kind
from engines.classical.colors import color_name
from engines.classical.vocabulary import OBJECTS
from state.models import (
    Clarification,
    Critique,
    EditOperation,
    Entity,
    Intent,
    IntentClause,
    OpKind,
    Plan,
    Region,
    TargetSpec,
)

from .errors import InstructionError, TargetNotFound
from .keep import apply_keep
from .operations import Operation, operation
from .operations.insert import amended_insert
from .operations.remove import INPAINT_METHODS
from .regions import box_mask, box_of_mask, center, describe_location, dilate
from .targets import Candidate, Scene, candidate_region, resolve


class Decomposition(BaseModel):
    model_config = ConfigDict(extra="forbid")

    plan: Plan | None = None
    clarification: Clarification | None = None
    discovered: list[Entity] = Field(default_factory=list, description="objects that became entities")
    next_entity: int = 1


class Tactics(BaseModel):
    """What the retry loop has escalated so far; carried from one round to the next in the plan."""

    tolerance: float = 1.0
    dilate: dict[str, int] = Field(default_factory=dict)
    method: dict[str, str] = Field(default_factory=dict)
    avoid: dict[str, list[str]] = Field(default_factory=dict)
    protect: dict[str, list[str]] = Field(default_factory=dict)
    strength: dict[str, float] = Field(default_factory=dict)


class OfflineDecomposer:
    """Deterministic planning with measured placement; no model."""

    name = "offline"

    def decompose(
        self, intent: Intent, scene: Scene, *, next_entity: int, protected_ids: list[str] = (),
        previous: Plan | None = None, critique: Critique | None = None,
    ) -> Decomposition:
        tactics, notes = self.escalate(previous, critique)
        if previous is not None and not notes:
            return Decomposition(plan=previous.model_copy(update={"exhausted": True, "notes": ["nothing left to change"]}),
                                 next_entity=next_entity)
        scene.tolerance = tactics.tolerance
        builder = PlanBuilder(scene, tactics, next_entity, list(protected_ids))
        for index, clause in enumerate(intent.clauses):
            clarification = builder.add_clause(index, clause, intent)
            if clarification is not None:
                return Decomposition(clarification=clarification, next_entity=next_entity)
        kept_notes = apply_keep(builder, intent)  # what the message keeps is protected from every op
        if not builder.operations:
            raise InstructionError(f"nothing to do for {intent.text!r}")
        plan = Plan(
            operations=builder.operations,
            round=(previous.round + 1) if previous else 1,
            notes=(notes or [f"{len(builder.operations)} operation(s)"]) + kept_notes,
        )
        # The escalation so far rides on the first operation, so the next round can build on it.
        plan.operations[0].strategy["tactics"] = tactics.model_dump()
        return Decomposition(plan=plan, discovered=builder.discovered, next_entity=builder.next_entity)

    # ------------------------------------------------------------------ retry escalation

    def escalate(self, previous: Plan | None, critique: Critique | None) -> tuple[Tactics, list[str]]:
        if previous is None or not previous.operations:
            return Tactics(), []
        tactics = Tactics.model_validate(previous.operations[0].strategy.get("tactics", {}))
        notes: list[str] = []
        ops = {op.id: op for op in previous.operations}
        for hint in (critique.hints if critique else []):
            op = ops.get(hint.op_id) if hint.op_id else None
            if hint.kind == "grow_mask" and op is not None:
                grown = tactics.dilate.get(op.id, int(op.strategy.get("dilate", 3))) + 8
                if grown <= 30:
                    tactics.dilate[op.id] = grown
                    notes.append(f"{op.id}: grow the mask to {grown} px")
            elif hint.kind == "switch_inpaint" and op is not None:
                current = tactics.method.get(op.id, op.strategy.get("method", "auto"))
                tried = {current, *hint.tried}
                # The next method not tried yet ("auto" may already have chosen the first one).
                start = max(INPAINT_METHODS.index(m) for m in tried if m in INPAINT_METHODS)
                following = next((m for m in INPAINT_METHODS[start + 1:] if m not in tried), "auto")
                if following != "auto":
                    tactics.method[op.id] = following
                    notes.append(f"{op.id}: switch inpainting from {current} to {following}")
            elif hint.kind == "loosen_tolerance" and tactics.tolerance < 2.0:
                tactics.tolerance = round(tactics.tolerance + 0.5, 2)
                notes.append(f"re-ground with tolerance {tactics.tolerance}")
            elif hint.kind == "avoid_entities" and op is not None:
                avoid = sorted(set(tactics.avoid.get(op.id, [])) | set(hint.entity_ids))
                if avoid != tactics.avoid.get(op.id, []):
                    tactics.avoid[op.id] = avoid
                    notes.append(f"{op.id}: keep clear of {', '.join(hint.entity_ids)}")
            elif hint.kind == "protect_entities" and op is not None:
                protect = sorted(set(tactics.protect.get(op.id, [])) | set(hint.entity_ids))
                if protect != tactics.protect.get(op.id, []):
                    tactics.protect[op.id] = protect
                    notes.append(f"{op.id}: leave {', '.join(hint.entity_ids)} untouched")
            elif hint.kind == "stronger" and op is not None:
                strength = tactics.strength.get(op.id, 1.0) * 1.5
                if strength <= 4.0:
                    tactics.strength[op.id] = strength
                    notes.append(f"{op.id}: apply {strength:.2f}x stronger")
        if not notes:
            # No hint applied: escalate what every removal-like operation can change.
            for op in previous.operations:
                if operation(op.kind).grows_on_retry:
                    grown = tactics.dilate.get(op.id, int(op.strategy.get("dilate", 3))) + 5
                    if grown <= 25:
                        tactics.dilate[op.id] = grown
                        notes.append(f"{op.id}: grow the mask to {grown} px")
            if not notes and tactics.tolerance < 2.0:
                tactics.tolerance = round(tactics.tolerance + 0.5, 2)
                notes.append(f"re-ground with tolerance {tactics.tolerance}")
        return tactics, notes


class PlanBuilder:
    """Turns clauses into operations against one scene."""

    def __init__(self, scene: Scene, tactics: Tactics, next_entity: int, protected_ids: list[str]):
        self.scene = scene
        self.tactics = tactics
        self.next_entity = next_entity
        self.protected_ids = protected_ids
        self.operations: list[EditOperation] = []
        self.discovered: list[Entity] = []

    @property
    def shape(self) -> tuple[int, int]:
        return self.scene.shape

    # ------------------------------------------------------------------ targets

    def targets(self, index: int, clause: IntentClause, intent: Intent) -> list[Candidate] | Clarification:
        chosen = clause.params.get("chosen_region")
        if chosen is not None:
            region = Region.model_validate(chosen)
            mask = self.scene.images.get_mask(region.mask_ref) if region.mask_ref else box_mask(region.box, self.shape)
            entity_id = clause.params.get("chosen_entity")
            entity = next((e for e in self.scene.entities if e.id == entity_id), None)
            return [Candidate(mask=mask, box=region.box, noun=entity.noun if entity else clause.target.noun or "object",
                              color=entity.color if entity else _measured_color(self.scene.image, mask),
                              entity_id=entity_id)]
        try:
            resolution = resolve(clause.target, self.scene)
        except TargetNotFound as exc:
            raise exc.for_verb(clause.op.value.replace("_", " ")) from exc.__cause__
        resolution.candidates = self._adopt_composites(resolution.candidates, clause.target)
        if resolution.ambiguous and len(resolution.candidates) == 1:
            resolution.ambiguous = False
        if resolution.ambiguous:
            regions = [candidate_region(c, self.scene.images) for c in resolution.candidates]
            return Clarification(
                question=resolution.question, candidates=regions,
                candidate_labels=[c.describe(self.shape) for c in resolution.candidates],
                candidate_entity_ids=[c.entity_id for c in resolution.candidates],
                pending_intent=intent, clause_index=index,
            )
        return resolution.candidates

    def _adopt_composites(self, candidates: list[Candidate], spec: TargetSpec) -> list[Candidate]:
        """A detection that is part of a drawn or generated composite entity (a sun's disc without
        its rays) stands for the whole entity, so the edit moves all of it and no twin is made; and
        when a composite noun is asked for, an entity known to be something else is not it."""
        adopted: list[Candidate] = []
        for candidate in candidates:
            if candidate.entity_id is None:
                for entity in self.scene.entities:
                    if not entity.present or entity.origin not in ("added", "generated") or entity.noun != \
                            candidate.noun or entity.noun not in OBJECTS:
                        continue
                    mask = self.scene.entity_mask(entity)
                    if mask is not None and (mask & candidate.mask).sum() >= 0.8 * max(candidate.area, 1):
                        candidate = Candidate(mask=mask, box=entity.region.box, noun=entity.noun,
                                              color=entity.color, entity_id=entity.id, label=entity.label)
                        break
            if all(c.entity_id is None or c.entity_id != candidate.entity_id for c in adopted):
                adopted.append(candidate)
        if kind_of(spec.noun) in OBJECTS and any(same_kind(c.noun, spec.noun) for c in adopted):
            adopted = [c for c in adopted if same_kind(c.noun, spec.noun)]
        return adopted

    def entity_for(self, candidate: Candidate) -> str:
        """The entity id of a candidate, making the object an entity if it was not one yet."""
        if candidate.entity_id:
            return candidate.entity_id
        for entity in self.discovered:
            if entity.region and entity.region.box == candidate.box:
                return entity.id
        entity_id = f"e{self.next_entity}"
        self.next_entity += 1
        noun = candidate.noun or "object"
        color = candidate.color
        self.discovered.append(Entity(
            id=entity_id, label=" ".join(w for w in (color, noun) if w), noun=noun,
            attributes={k: v for k, v in {"color": color, **_plain(candidate.attributes)}.items() if v is not None},
            region=candidate_region(candidate, self.scene.images), origin="detected",
        ))
        candidate.entity_id = entity_id
        return entity_id

    @staticmethod
    def op_id(index: int, sub: int) -> str:
        return f"op{index + 1}" + (f".{sub + 1}" if sub else "")

    def add_op(self, index: int, sub: int, kind: OpKind, clause: IntentClause, **fields: Any) -> EditOperation:
        """A planned operation, with what the retry loop has escalated for its id applied."""
        op_id = self.op_id(index, sub)
        strategy = fields.pop("strategy", {})
        if op_id in self.tactics.dilate:
            strategy["dilate"] = self.tactics.dilate[op_id]
        if op_id in self.tactics.method:
            strategy["method"] = self.tactics.method[op_id]
        # An operation never protects its own target from itself (that would leave it nothing to do).
        protect = sorted((set(fields.pop("protect", [])) | set(self.tactics.protect.get(op_id, [])))
                         - set(fields.get("entity_ids", [])))
        op = EditOperation(id=op_id, kind=kind, target=clause.target, protect_entity_ids=protect,
                           strategy=strategy, **fields)
        if op_id in self.tactics.strength and "strength" in op.params:
            op.params["strength"] = op.params["strength"] * self.tactics.strength[op_id]
        self.operations.append(op)
        return op

    def others_protected(self, entity_ids: list[str]) -> list[str]:
        return [i for i in self.protected_ids if i not in entity_ids]

    # ------------------------------------------------------------------ clauses

    def add_clause(self, index: int, clause: IntentClause, intent: Intent) -> Clarification | None:
        kind = operation(clause.op)
        if clause.target.reference == "previous":
            # 'add a star and make it red': the thing does not exist yet, so the later clause
            # changes how it is drawn instead of editing it afterwards.
            kind.amend_insert(self, amended_insert(self, clause), clause)
            return None
        return kind.plan(self, index, clause, intent)

    def each_target(self, kind: Operation, index: int, clause: IntentClause, intent: Intent) -> Clarification | None:
        """Ground the clause's target and plan the operation on each thing found."""
        targets = self.targets(index, clause, intent)
        if isinstance(targets, Clarification):
            return targets
        for sub, candidate in enumerate(targets):
            is_background = clause.target.scope == "background" or candidate.noun == "background"
            entity_ids = [] if is_background else [self.entity_for(candidate)]
            if is_background:
                # The background never includes an object the grounder can see, whatever the
                # background segmentation thought.
                objects = [d.mask for d in self.scene.ground() if d.noun != "background"]
                if objects:
                    keep = candidate.mask & ~dilate(np.logical_or.reduce(objects), 2)
                    if keep.any():
                        candidate = Candidate(mask=keep, box=box_of_mask(keep), noun="background")
            common = {"region": candidate_region(candidate, self.scene.images), "entity_ids": entity_ids}
            kind.plan_object(self, index, sub, clause, candidate, common)
        return None

    def anchor(self, relation: dict, exclude: Candidate | None = None):
        if relation.get("rel") == "between":
            return self._between(relation, exclude)
        return self.anchor_candidate(relation, exclude).box

    def _between(self, relation: dict, exclude: Candidate | None) -> tuple[int, int, int, int]:
        """The box spanning the centres of the two things "between" names ("the two chairs", or
        "the cat and the dog"): a thing placed at its centre stands between them."""
        if relation.get("and"):
            pair = [self.anchor_candidate({"anchor": relation["anchor"]}, exclude),
                    self.anchor_candidate({"anchor": relation["and"]}, exclude)]
        else:
            spec = TargetSpec.model_validate(relation["anchor"])
            pair = self._others(spec, exclude)
            if len(pair) != 2:
                said = spec.phrase or spec.noun
                raise InstructionError(f"'between {said}' needs two of them; I see {len(pair)}" if len(pair) < 2 else
                                       f"which two do you mean by {said!r}? I see {len(pair)}: say 'between the "
                                       f"{spec.noun} on the left and the one in the middle', or draw a box")
        (ax, ay), (bx, by) = (center(c.box) for c in pair)
        return (int(min(ax, bx)), int(min(ay, by)), int(max(ax, bx)) + 1, int(max(ay, by)) + 1)

    def _others(self, spec: TargetSpec, exclude: Candidate | None) -> list[Candidate]:
        """What ``spec`` can mean, leaving out the thing being edited (mostly the same pixels)."""
        return [c for c in resolve(spec, self.scene).candidates
                if exclude is None or (c.mask & exclude.mask).sum() < 0.5 * c.area]

    def anchor_candidate(self, relation: dict, exclude: Candidate | None = None) -> Candidate:
        """The one thing ``relation["anchor"]`` names (another than ``exclude``): "next to the
        square", "the same colour as the star", "as big as the circle"."""
        spec = TargetSpec.model_validate(relation["anchor"])
        candidates = self._others(spec, exclude)
        if not candidates:
            raise TargetNotFound(f"nothing in the image matches {spec.phrase or spec.noun!r}")
        if len(candidates) > 1 and not (spec.plural or spec.all):
            names = ", ".join(c.describe(self.shape) for c in candidates)
            raise InstructionError(f"which one do you mean by {spec.phrase or spec.noun!r}: {names}?")
        return candidates[0]


def _measured_color(image: np.ndarray, mask: np.ndarray) -> str | None:
    if not mask.any():
        return None
    return color_name(tuple(int(v) for v in np.median(image[mask], axis=0)))


def _plain(attributes: dict) -> dict:
    return {k: v for k, v in attributes.items() if isinstance(v, (str, int, float, bool)) and k in ("shape",)}


__all__ = ["INPAINT_METHODS", "Decomposition", "OfflineDecomposer", "PlanBuilder", "Tactics", "describe_location"]
