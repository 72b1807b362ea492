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

from engines.classical.colors import canonical_color, color_name, rgb_of
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
from .placement import box_at, free_box, move_offset, named_center, relative_box
from .regions import box_mask, box_of_mask, canonical_position, center, describe_location, dilate
from .targets import Candidate, Scene, candidate_region, resolve

INPAINT_METHODS = ("auto", "background", "patch", "telea", "ns")
SIZE_FACTORS = {"small": 0.65, "medium": 1.0, "large": 1.6}


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
        if not builder.operations:
            raise InstructionError(f"nothing to do for {intent.text!r}")
        plan = Plan(
            operations=builder.operations,
            round=(previous.round + 1) if previous else 1,
            notes=notes or [f"{len(builder.operations)} operation(s)"],
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
                if op.kind in (OpKind.REMOVE, OpKind.MOVE, OpKind.RESIZE):
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

    def _targets(self, index: int, clause: IntentClause, intent: Intent) -> list[Candidate] | Clarification:
        chosen = clause.params.get("chosen_region")
        if chosen is not None:
            region = Region.model_validate(chosen)
            mask = self.scene.images.get_mask(region.mask_ref) if region.mask_ref else box_mask(region.box, self.shape)
            entity_id = clause.params.get("chosen_entity")
            entity = next((e for e in self.scene.entities if e.id == entity_id), None)
            return [Candidate(mask=mask, box=region.box, noun=entity.noun if entity else clause.target.noun or "object",
                              color=entity.color if entity else _measured_color(self.scene.image, mask),
                              entity_id=entity_id)]
        resolution = resolve(clause.target, self.scene)
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
        if spec.noun in OBJECTS and any(c.noun == spec.noun for c in adopted):
            adopted = [c for c in adopted if c.noun == spec.noun]
        return adopted

    def _entity_for(self, candidate: Candidate) -> str:
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

    def _op(self, index: int, sub: int, kind: OpKind, clause: IntentClause, **fields: Any) -> EditOperation:
        op_id = f"op{index + 1}" + (f".{sub + 1}" if sub else "")
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

    def _others_protected(self, entity_ids: list[str]) -> list[str]:
        return [i for i in self.protected_ids if i not in entity_ids]

    # ------------------------------------------------------------------ clauses

    def add_clause(self, index: int, clause: IntentClause, intent: Intent) -> Clarification | None:
        kind = clause.op
        if clause.target.reference == "previous":
            self._amend_previous_insert(clause)
            return None
        if kind == OpKind.INSERT:
            self._insert(index, clause)
            return None
        if kind == OpKind.TEXT:
            self._text(index, clause)
            return None
        if kind in (OpKind.CROP, OpKind.ROTATE, OpKind.FLIP) and clause.target.scope == "image" \
                and not clause.target.noun:
            self._image_geometry(index, clause)
            return None
        if kind == OpKind.FILTER and clause.target.scope == "image":
            params = {"filter": clause.params["filter"], "strength": float(clause.params.get("strength", 1.0))}
            self._op(index, 0, kind, clause, params=params)
            return None
        if kind == OpKind.CROP:
            return self._crop_to(index, clause, intent)
        if kind == OpKind.REFINE and clause.target.scope == "image":
            self._op(index, 0, kind, clause, params=dict(clause.params))
            return None

        targets = self._targets(index, clause, intent)
        if isinstance(targets, Clarification):
            return targets
        for sub, candidate in enumerate(targets):
            self._object_op(index, sub, clause, candidate)
        return None

    def _amend_previous_insert(self, clause: IntentClause) -> None:
        """'add a star and make it red': the thing does not exist yet, so the later clause changes
        how it is drawn instead of editing it afterwards."""
        inserts = [op for op in self.operations if op.kind == OpKind.INSERT]
        if not inserts:
            raise InstructionError("'it' refers to something added in the same message, but nothing is added")
        op = inserts[-1]
        box = op.params["box"]
        if clause.op == OpKind.RECOLOR:
            color = canonical_color(str(clause.params.get("color", "")))
            if color is None:
                raise InstructionError(f"unknown colour {clause.params.get('color')!r}")
            op.params.update(color=color, rgb=list(rgb_of(color)))
        elif clause.op == OpKind.RESIZE:
            factor = float(clause.params.get("factor", 1.3))
            cx, cy = center(tuple(box))
            size = (max(8, int((box[2] - box[0]) * factor)), max(8, int((box[3] - box[1]) * factor)))
            op.params["box"] = list(box_at((cx, cy), size, self.shape))
        elif clause.op == OpKind.MOVE:
            if clause.params.get("position"):
                wanted = box_at(named_center(clause.params["position"], self.shape),
                                (box[2] - box[0], box[3] - box[1]), self.shape)
            elif clause.params.get("direction"):
                dx, dy = move_offset(clause.params, tuple(box), self.shape)
                wanted = _shift_inside(tuple(box), dx, dy, self.shape)
            else:
                raise InstructionError("say where to put it")
            op.params["box"] = list(wanted)
        else:
            raise InstructionError(f"to {clause.op.value} something added in the same message, send it as a new message")

    def _object_op(self, index: int, sub: int, clause: IntentClause, candidate: Candidate) -> None:
        kind = clause.op
        is_background = clause.target.scope == "background" or candidate.noun == "background"
        entity_ids = [] if is_background else [self._entity_for(candidate)]
        if is_background:
            # The background never includes an object the grounder can see, whatever the
            # background segmentation thought.
            objects = [d.mask for d in self.scene.ground() if d.noun != "background"]
            if objects:
                keep = candidate.mask & ~dilate(np.logical_or.reduce(objects), 2)
                if keep.any():
                    candidate = Candidate(mask=keep, box=box_of_mask(keep), noun="background")
        region = candidate_region(candidate, self.scene.images)
        common = {"region": region, "entity_ids": entity_ids}
        if kind == OpKind.REMOVE:
            self._op(index, sub, kind, clause, strategy={"dilate": 3, "method": "auto"},
                     protect=self._others_protected(entity_ids), **common)
        elif kind == OpKind.RECOLOR:
            color = canonical_color(str(clause.params.get("color", "")))
            if color is None:
                raise InstructionError(f"unknown colour {clause.params.get('color')!r}")
            self._op(index, sub, kind, clause, params={"color": color, "rgb": list(rgb_of(color))}, **common)
        elif kind == OpKind.MOVE:
            self._move(index, sub, clause, candidate, common)
        elif kind == OpKind.RESIZE:
            factor = float(clause.params.get("factor", 1.3))
            factor = self._fit_factor(candidate.box, factor)
            self._op(index, sub, kind, clause, params={"factor": factor}, strategy={"dilate": 3, "method": "auto"},
                     **common)
        elif kind == OpKind.FILTER:
            params = {"filter": clause.params["filter"], "strength": float(clause.params.get("strength", 1.0))}
            protect = self._others_protected(entity_ids) if is_background else []
            self._op(index, sub, kind, clause, params=params, protect=protect, **common)
        elif kind == OpKind.ROTATE:
            self._op(index, sub, kind, clause, params={"angle": float(clause.params.get("angle", 90))},
                     strategy={"dilate": 3, "method": "auto"}, **common)
        elif kind == OpKind.FLIP:
            self._op(index, sub, kind, clause, params={"axis": clause.params.get("axis", "horizontal")},
                     strategy={"dilate": 3, "method": "auto"}, **common)
        elif kind == OpKind.REFINE and clause.params.get("mode") != "upscale":
            self._op(index, sub, kind, clause, params=dict(clause.params), **common)
        else:
            raise InstructionError(f"{kind} cannot be applied to an object")

    def _fit_factor(self, box, factor: float) -> float:
        height, width = self.shape
        w, h = box[2] - box[0], box[3] - box[1]
        limit = min(0.95 * width / max(w, 1), 0.95 * height / max(h, 1))
        return round(min(factor, limit), 4)

    # ------------------------------------------------------------------ move

    def _move(self, index: int, sub: int, clause: IntentClause, candidate: Candidate, common: dict) -> None:
        params = clause.params
        box = candidate.box
        w, h = box[2] - box[0], box[3] - box[1]
        if params.get("relation"):
            anchor = self._anchor(params["relation"], exclude=candidate)
            target_box = relative_box(params["relation"]["rel"], anchor, (w, h), self.shape)
        elif params.get("position"):
            target_box = box_at(named_center(params["position"], self.shape), (w, h), self.shape,
                                margin=int(0.02 * min(self.shape)))
        elif params.get("direction"):
            dx, dy = move_offset(params, box, self.shape)
            target_box = _shift_inside(box, dx, dy, self.shape)
        else:
            raise InstructionError("a move needs a direction, a place or another object to go next to")
        op_id = f"op{index + 1}" + (f".{sub + 1}" if sub else "")
        avoid = self.tactics.avoid.get(op_id)
        if avoid:
            target_box = self._clear_of(target_box, candidate, avoid)
        dx, dy = target_box[0] - box[0], target_box[1] - box[1]
        overlap_ok = (params.get("relation") or {}).get("rel") == "on"  # "put it on the square"
        self._op(index, sub, OpKind.MOVE, clause, params={"dx": int(dx), "dy": int(dy), "overlap_ok": overlap_ok},
                 strategy={"dilate": 3, "method": "auto"}, **common)

    def _clear_of(self, wanted, candidate: Candidate, avoid_ids: list[str]):
        """The free place nearest ``wanted`` that keeps clear of the avoided entities (and every
        other object), so a move does not cover something an earlier turn asked for."""
        occupied = np.zeros(self.shape, dtype=bool)
        for detection in self.scene.ground():
            if (detection.mask & candidate.mask).sum() < 0.5 * detection.mask.sum():
                occupied |= detection.mask
        for entity in self.scene.entities:
            if entity.id in avoid_ids and entity.present:
                mask = self.scene.entity_mask(entity)
                if mask is not None:
                    occupied |= mask
        size = (wanted[2] - wanted[0], wanted[3] - wanted[1])
        found = free_box(size, occupied & ~candidate.mask, self.shape, preferred=center(wanted))
        return found or wanted

    def _anchor(self, relation: dict, exclude: Candidate | None = None):
        spec = TargetSpec.model_validate(relation["anchor"])
        resolution = resolve(spec, self.scene)
        candidates = [c for c in resolution.candidates
                      if exclude is None or (c.mask & exclude.mask).sum() < 0.5 * c.area]
        if not candidates:
            raise TargetNotFound(f"nothing in the image matches {spec.phrase or spec.noun!r}")
        if len(candidates) > 1 and not (spec.plural or spec.all):
            names = ", ".join(c.describe(self.shape) for c in candidates)
            raise InstructionError(f"which one do you mean by {spec.phrase or spec.noun!r}: {names}?")
        return candidates[0].box

    # ------------------------------------------------------------------ insert / text

    def _typical_size(self) -> int:
        detections = [d for d in self.scene.ground() if d.noun != "background"]
        if detections:
            sides = sorted(((d.box[2] - d.box[0]) * (d.box[3] - d.box[1])) ** 0.5 for d in detections)
            return int(np.clip(sides[len(sides) // 2], 0.08 * min(self.shape), 0.3 * min(self.shape)))
        return int(0.2 * min(self.shape))

    def _occupied(self) -> np.ndarray:
        occupied = np.zeros(self.shape, dtype=bool)
        for detection in self.scene.ground():
            occupied |= detection.mask
        for entity in self.scene.entities:
            if entity.present and entity.origin != "detected":
                mask = self.scene.entity_mask(entity)
                if mask is not None:
                    occupied |= mask
        return occupied

    def _insert(self, index: int, clause: IntentClause) -> None:
        params = clause.params
        count = max(1, min(int(params.get("count", 1)), 12))
        noun = params.get("noun") or clause.target.noun or "circle"
        color = canonical_color(str(params.get("color") or (clause.target.colors[0] if clause.target.colors else "")))
        if color is None and not params.get("use_reference"):
            color = _default_color(noun)
        side = int(self._typical_size() * SIZE_FACTORS.get(params.get("size") or "medium", 1.0))
        width_factor = 1.6 if noun in ("rectangle", "ellipse", "cloud", "hill", "logo") else 1.0
        size = (max(8, int(side * width_factor)), max(8, side))
        occupied = self._occupied()
        op_id = f"op{index + 1}"
        for sub in range(count):
            if params.get("relation"):
                anchor = self._anchor(params["relation"])
                box = relative_box(params["relation"]["rel"], anchor, size, self.shape)
            elif params.get("position"):
                wanted = box_at(named_center(params["position"], self.shape), size, self.shape,
                                margin=int(0.02 * min(self.shape)))
                box = wanted
                if count > 1 or self.tactics.avoid.get(op_id):
                    box = free_box(size, occupied, self.shape, preferred=center(wanted)) or wanted
            else:
                box = self._free_box_shrinking(size, occupied)
            occupied |= box_mask(box, self.shape)
            op_params = {"box": list(box), "noun": noun, "color": color,
                         "rgb": list(rgb_of(color)) if color else None,
                         "use_reference": bool(params.get("use_reference")),
                         "reference_index": int(params.get("reference_index", 0)),
                         "overlap_ok": (params.get("relation") or {}).get("rel") == "on"}
            self._op(index, sub, OpKind.INSERT, clause, params=op_params)

    def _free_box_shrinking(self, size: tuple[int, int], occupied: np.ndarray):
        """The free spot nearest the centre; a crowded scene gets a smaller object rather than
        one drawn over something already there."""
        w, h = size
        for factor in (1.0, 0.85, 0.72, 0.6, 0.5):
            scaled = (max(8, int(w * factor)), max(8, int(h * factor)))
            box = free_box(scaled, occupied, self.shape, clearance=max(2, int(6 * factor)))
            if box is not None:
                return box
        return box_at((self.shape[1] / 2, self.shape[0] / 2), size, self.shape)

    def _text(self, index: int, clause: IntentClause) -> None:
        params = clause.params
        text = str(params.get("text", "")).strip()
        if not text:
            raise InstructionError("add text needs the words to write, in quotes")
        height, width = self.shape
        size = params.get("size") or "medium"
        box_h = int(height * {"small": 0.08, "medium": 0.12, "large": 0.18}.get(size, 0.12))
        box_w = int(width * 0.8)
        position = canonical_position(params.get("position") or "top") or "top"
        cx, cy = named_center(position, self.shape)
        cy = {"top": 0.1, "bottom": 0.9}.get(position.split("-")[0], cy / height) * height
        box = box_at((cx, cy), (box_w if "-" not in position else int(width * 0.4), box_h), self.shape)
        color = canonical_color(str(params.get("color") or ""))
        if color:
            rgb = list(rgb_of(color))
        else:
            x0, y0, x1, y1 = box
            lightness = float(self.scene.image[y0:y1, x0:x1].mean())
            rgb = [15, 15, 15] if lightness > 110 else [245, 245, 245]
        self._op(index, 0, OpKind.TEXT, clause, params={"text": text, "box": list(box), "rgb": rgb, "color": color})

    # ------------------------------------------------------------------ whole-image geometry

    def _image_geometry(self, index: int, clause: IntentClause) -> None:
        height, width = self.shape
        if clause.op == OpKind.CROP:
            box = _named_crop(clause.params.get("region") or "center", self.shape,
                              float(clause.params.get("margin", 0.1)))
            self._op(index, 0, OpKind.CROP, clause, params={"box": list(box)})
        elif clause.op == OpKind.ROTATE:
            self._op(index, 0, OpKind.ROTATE, clause, params={"angle": float(clause.params.get("angle", 90))})
        else:
            self._op(index, 0, OpKind.FLIP, clause, params={"axis": clause.params.get("axis", "horizontal")})

    def _crop_to(self, index: int, clause: IntentClause, intent: Intent) -> Clarification | None:
        targets = self._targets(index, clause, intent)
        if isinstance(targets, Clarification):
            return targets
        mask = np.logical_or.reduce([c.mask for c in targets])
        x0, y0, x1, y1 = box_of_mask(mask)
        margin = float(clause.params.get("margin", 0.1))
        mx, my = int((x1 - x0) * margin), int((y1 - y0) * margin)
        height, width = self.shape
        box = (max(0, x0 - mx), max(0, y0 - my), min(width, x1 + mx), min(height, y1 + my))
        self._op(index, 0, OpKind.CROP, clause, params={"box": list(box)},
                 entity_ids=[self._entity_for(c) for c in targets])
        return None


def _named_crop(region: str, shape: tuple[int, int], margin: float):
    height, width = shape
    boxes = {
        "left-half": (0, 0, width // 2, height), "right-half": (width - width // 2, 0, width, height),
        "top-half": (0, 0, width, height // 2), "bottom-half": (0, height - height // 2, width, height),
    }
    if region in boxes:
        return boxes[region]
    if region == "square":
        side = min(width, height)
        return ((width - side) // 2, (height - side) // 2, (width - side) // 2 + side, (height - side) // 2 + side)
    mx, my = int(width * margin), int(height * margin)
    return (mx, my, width - mx, height - my)


def _shift_inside(box, dx: int, dy: int, shape: tuple[int, int]):
    height, width = shape
    x0, y0, x1, y1 = box
    dx = int(np.clip(dx, -x0, width - x1))
    dy = int(np.clip(dy, -y0, height - y1))
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


def _measured_color(image: np.ndarray, mask: np.ndarray) -> str | None:
    if not mask.any():
        return None
    return color_name(tuple(int(v) for v in np.median(image[mask], axis=0)))


def _default_color(noun: str) -> str:
    return {"sun": "yellow", "tree": "green", "cloud": "white", "moon": "yellow", "hill": "green",
            "balloon": "red", "house": "brown", "flower": "pink"}.get(noun, "red")


def _plain(attributes: dict) -> dict:
    return {k: v for k, v in attributes.items() if isinstance(v, (str, int, float, bool)) and k in ("shape",)}


__all__ = ["Decomposition", "OfflineDecomposer", "Tactics", "describe_location"]
