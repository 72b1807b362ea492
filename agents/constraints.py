"""Standing constraints: which ones a turn sets, which ones it supersedes, and checking them.

Constraints are how a later turn stays faithful to an earlier one. Each edit leaves behind what
must keep holding ("e3 is blue", "the red star stays removed", "the text 'SALE' is still there");
a later instruction that contradicts one supersedes it; every other live constraint is checked by
the critic on every turn, by re-grounding the edited image.
"""

from __future__ import annotations

import numpy as np

from agents.kinds import same_kind
from engines.classical.colors import color_distance
from state.models import Constraint, ConstraintKind, ConstraintVerdict, EditOperation, Entity

from .keep import derive_kept, restated
from .measure import measured_color, median_rgb
from .operations import operation
from .regions import box_iou, mask_iou


def derive(ops: list[EditOperation], entities: dict[str, Entity], turn: int, outcomes_entity: dict[str, str]) \
        -> list[Constraint]:
    """The constraints this turn's operations leave behind (each kind says which, in its module)."""
    found: list[Constraint] = []

    def add(kind: ConstraintKind, entity_id: str | None, description: str, **params) -> None:
        found.append(Constraint(id=f"c{turn}.{len(found) + 1}", kind=kind, entity_id=entity_id, params=params,
                                description=description, set_by_turn=turn))

    for op in ops:
        entity_id = outcomes_entity.get(op.id) or (op.entity_ids[0] if op.entity_ids else None)
        entity = entities.get(entity_id) if entity_id else None
        operation(op.kind).derive(op, entity, entities, add)
    derived = {(c.kind, c.entity_id) for c in found}

    def add_kept(kind: ConstraintKind, entity_id: str | None, description: str, **params) -> None:
        if (kind, entity_id) not in derived:  # the background op already keeps its foreground present
            add(kind, entity_id, description, **params)

    derive_kept(ops, entities, add_kept)
    return found


def supersede(constraints: list[Constraint], ops: list[EditOperation], turn: int) -> list[Constraint]:
    """Mark the constraints this turn's operations contradict as superseded (returns copies)."""
    result = [c.model_copy() for c in constraints]
    for op in ops:
        kind = operation(op.kind)
        ids = set(op.entity_ids)
        for constraint in result:
            if constraint.live and kind.supersedes(op, constraint, constraint.entity_id in ids):
                constraint.superseded_by_turn = turn
    for constraint in result:
        if constraint.live and restated(constraint, ops):  # kept again: this turn's keep replaces it
            constraint.superseded_by_turn = turn
    return result


class ConstraintChecker:
    """Checks constraints on an edited image; ``detections`` are the re-grounded objects in it."""

    def __init__(self, image: np.ndarray, before: np.ndarray, detections, entities: dict[str, Entity],
                 entity_mask, touched: set[str], global_change: bool) -> None:
        self.image = image
        self.before = before
        self.detections = detections
        self.entities = entities
        self.entity_mask = entity_mask
        self.touched = touched
        self.global_change = global_change

    def check(self, constraint: Constraint) -> ConstraintVerdict:
        method = getattr(self, f"_check_{constraint.kind.value}", None)
        holds, score, reason = method(constraint) if method else (True, 1.0, "not checkable offline")
        return ConstraintVerdict(constraint_id=constraint.id, description=constraint.description, holds=holds,
                                 score=score, reason=reason, entity_id=constraint.entity_id)

    def _entity(self, constraint: Constraint):
        entity = self.entities.get(constraint.entity_id or "")
        if entity is None or not entity.present or entity.region is None:
            return None, None
        return entity, self.entity_mask(entity)

    def _check_color(self, constraint: Constraint):
        entity, mask = self._entity(constraint)
        if mask is None:
            return False, 0.2, f"{constraint.entity_id} is no longer in the image"
        color = measured_color(self.image, mask)
        wanted = constraint.params["color"]
        if color == wanted:
            return True, 1.0, f"{constraint.entity_id} is still {wanted}"
        return False, 0.3, f"{constraint.entity_id} is now {color}, not {wanted}"

    def _check_present(self, constraint: Constraint):
        entity, mask = self._entity(constraint)
        if mask is None:
            return False, 0.2, f"{constraint.entity_id} is gone"
        best = max((mask_iou(d.mask, mask) for d in self.detections), default=0.0)
        # A thing kept "as it is" must match closely; one that only has to stay visible, loosely.
        if best >= constraint.params.get("min_iou", 0.6):
            return True, 1.0, f"{constraint.entity_id} still visible (IoU {best:.2f})"
        if not self.global_change and constraint.entity_id not in self.touched:
            # Composite or photographic things are not one detection: compare their pixels instead.
            diff = np.abs(self.image[mask].astype(np.int16) - self.before[mask].astype(np.int16)).mean()
            changed = float((np.abs(self.image[mask].astype(np.int16) - self.before[mask].astype(np.int16))
                             .max(axis=1) > 30).mean())
            if changed < 0.05:
                return True, 1.0, f"{constraint.entity_id} unchanged (mean diff {diff:.1f})"
            return False, float(max(0.0, 0.6 - changed)), \
                f"{changed:.0%} of {constraint.entity_id} was painted over by this edit"
        if (constraint.entity_id in self.touched or self.global_change) and self._stands_out(mask):
            # A composite thing the grounder never saw as one object (a hill at the edge, a house),
            # edited on purpose, or a thing a whole-image look (a blur) hid from the grounder: it is
            # still there when it still stands out from its surroundings.
            return True, 0.9, f"{constraint.entity_id} still stands out where it is"
        return False, 0.4, f"{constraint.entity_id} can no longer be found where it was (IoU {best:.2f})"

    def _stands_out(self, mask: np.ndarray) -> bool:
        from .regions import dilate

        ring = dilate(mask, 8) & ~dilate(mask, 3)
        inside, outside = median_rgb(self.image, mask), median_rgb(self.image, ring) if ring.any() else None
        return inside is not None and outside is not None and color_distance(tuple(inside), tuple(outside)) >= 10

    def _check_absent(self, constraint: Constraint):
        box = tuple(constraint.params.get("box") or ())
        color, noun = constraint.params.get("color"), constraint.params.get("noun")
        for detection in self.detections:
            if box and box_iou(detection.box, box) > 0.3 and (color is None or detection.color == color) \
                    and (noun in (None, "object") or same_kind(detection.noun, noun)):
                return False, 0.3, f"a {color or ''} {noun or 'object'} is back where one was removed"
        return True, 1.0, "still removed"

    def _check_text(self, constraint: Constraint):
        entity, mask = self._entity(constraint)
        if mask is None:
            return False, 0.2, "the text is gone"
        rgb = constraint.params.get("rgb")
        if not rgb or self.global_change:
            return True, 1.0, "text region present"
        # Only the strokes: the darkest or lightest pixels of the mask, whichever matches the ink.
        stroke = median_rgb(self.image, mask)
        if stroke is None:
            return True, 1.0, "text too thin to measure"
        distance = color_distance(tuple(stroke), tuple(rgb))
        if distance < 35:
            return True, 1.0, f"text still drawn (ΔE {distance:.0f})"
        return False, 0.4, f"the text was painted over (ΔE {distance:.0f})"
