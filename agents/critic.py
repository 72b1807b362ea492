"""The critic: scores an edited image against this turn's intent and every standing constraint.

Scoring is by measurement, not opinion: the edited image is re-grounded and each operation is
checked for what it promised (removed things gone, recoloured things the new colour, moved things
at their new place), pixels outside the edit are compared with the original (PSNR/SSIM), and
every live constraint of earlier turns is checked. The score is the weakest of these, so one
broken promise cannot be averaged away; hints tell the decomposer what to change on a retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from engines.registry import EngineSet
from state.blobs import ImageRepository
from state.models import (
    Constraint,
    ConstraintVerdict,
    Critique,
    Entity,
    FeedbackHint,
    OperationVerdict,
    Plan,
)

from .constraints import ConstraintChecker
from .keep import kept_constraints
from .measure import preservation, preservation_score
from .operations import CheckContext, operation
from .outcomes import Execution, OpOutcome
from .regions import box_iou, box_mask, box_of_mask, mask_iou

# Things the scene parser finds less than twice its detection floor (ΔE 10) apart from their
# surroundings are photo texture (a camera's knob, a shadow), not bystanders a fill could damage.
BYSTANDER_CONTRAST = 20.0


@dataclass
class CritiqueRequest:
    before: np.ndarray
    after: np.ndarray
    after_ref: str
    plan: Plan
    execution: Execution
    constraints: list[Constraint]
    entities_before: list[Entity]
    threshold: float = 0.85
    intent_text: str = ""
    extra: dict = field(default_factory=dict)
    before_ref: str | None = None
    check_bystanders: bool = True


class OfflineCritic:
    name = "offline"

    def __init__(self, engines: EngineSet, images: ImageRepository) -> None:
        self.engines = engines
        self.images = images
        self.last_engine_ms = 0.0
        """Time the last critique spent in engine calls (re-grounding), for the turn's ``trace.engine_ms``."""

    def critique(self, request: CritiqueRequest) -> Critique:
        after = request.after
        started = time.perf_counter()
        detections = self.engines.grounder.ground(after, None, (), cache_key=request.after_ref)
        self.last_engine_ms = (time.perf_counter() - started) * 1000
        outcomes = {o.op_id: o for o in request.execution.outcomes}
        entities_after = {e.id: e for e in request.execution.entities}
        verdicts: list[OperationVerdict] = []
        hints: list[FeedbackHint] = []
        context = CheckContext(request=request, detections=detections, mask=self._mask, images=self.images,
                               engines=self.engines)
        for op in request.plan.operations:
            outcome = outcomes.get(op.id)
            if outcome is None:
                verdicts.append(OperationVerdict(op_id=op.id, kind=op.kind, ok=False, score=0.0,
                                                 reason="the operation did not run"))
                continue
            verdict, op_hints = operation(op.kind).check(context, op, outcome)
            verdicts.append(verdict)
            hints.extend(op_hints)

        geometry = any(o.geometry_changed for o in request.execution.outcomes)
        changed = self._changed_union(request.execution.outcomes, request.before.shape[:2])
        global_change = geometry or (changed is None and bool(request.execution.outcomes))
        # A whole-image edit (a global filter, a crop) changes every pixel on purpose: nothing to preserve.
        metrics = {} if global_change else preservation(request.before, after, changed)

        touched = {i for op in request.plan.operations for i in op.entity_ids} | {
            o.entity_id for o in request.execution.outcomes if o.entity_id}
        checker = ConstraintChecker(after, request.before, detections, entities_after, self._entity_mask(after),
                                    touched, global_change)
        constraints = [c for c in request.constraints if c.live]
        if request.check_bystanders:  # what this message keeps is checked now, before it becomes standing
            constraints += kept_constraints(request.plan.operations, entities_after)
        constraint_verdicts = [checker.check(c) for c in constraints]
        for op in request.plan.operations:
            constraint_verdicts = operation(op.kind).recheck(context, op, constraint_verdicts)
        if request.check_bystanders and not global_change:
            bystanders, bystander_hints = self._bystanders(request, detections)
            constraint_verdicts += bystanders
            hints += bystander_hints
        for verdict in constraint_verdicts:
            if not verdict.holds:
                hints.extend(self._constraint_hints(verdict, request, changed))

        scores = [v.score for v in verdicts] + [v.score for v in constraint_verdicts]
        if metrics:
            scores.append(preservation_score(metrics))
        score = float(min(scores)) if scores else 1.0
        passed = score >= request.threshold
        feedback = self._feedback(verdicts, constraint_verdicts, metrics, passed)
        return Critique(score=round(score, 4), passed=passed, operations=verdicts, constraints=constraint_verdicts,
                        preservation={k: (round(v, 3) if v != float("inf") else 99.0) for k, v in metrics.items()},
                        feedback=feedback, hints=hints, backend=self.name)

    # ------------------------------------------------------------------ helpers

    def _mask(self, ref: str | None, shape) -> np.ndarray | None:
        if ref is None:
            return None
        mask = self.images.get_mask(ref)
        return mask if mask.shape == shape else None

    def _entity_mask(self, image: np.ndarray):
        shape = image.shape[:2]

        def mask_of(entity: Entity) -> np.ndarray | None:
            if entity.region is None:
                return None
            mask = self._mask(entity.region.mask_ref, shape)
            return mask if mask is not None else box_mask(entity.region.box, shape)

        return mask_of

    def _changed_union(self, outcomes: list[OpOutcome], shape) -> np.ndarray | None:
        union = np.zeros(shape, dtype=bool)
        for outcome in outcomes:
            if outcome.geometry_changed or outcome.changed_mask is None:
                return None
            mask = self._mask(outcome.changed_mask, shape)
            if mask is None:
                return None
            union |= mask
        return union

    def _bystanders(self, request: CritiqueRequest, detections) -> tuple[list[ConstraintVerdict], list[FeedbackHint]]:
        """Objects no operation was aimed at must still be there: an insertion or a move that
        lands on an object nobody mentioned is drift too, constraint or not."""
        before = request.before
        shape = before.shape[:2]
        earlier = self.engines.grounder.ground(before, None, (), cache_key=request.before_ref)
        targets, changes = [], []
        for op, outcome in zip(request.plan.operations, request.execution.outcomes, strict=False):
            target = self._mask(outcome.before_mask, shape)
            if target is not None:
                targets.append(target)
            changes.append((op, outcome, self._mask(outcome.changed_mask, shape)))
        verdicts, hints = [], []
        target_areas = [int(t.sum()) for t in targets]
        for index, thing in enumerate(earlier):
            if thing.attributes.get("contrast", BYSTANDER_CONTRAST) < BYSTANDER_CONTRAST:
                continue  # barely apart from its surroundings: photo texture, not an object to protect
            # Overlaps are counted inside the thing's box only: the rest of the image cannot add to them.
            x0, y0, x1, y1 = thing.box
            inside = (slice(y0, y1), slice(x0, x1))
            own = thing.mask[inside]
            area = int(own.sum())

            def shared(other: np.ndarray, own=own, inside=inside) -> int:
                return int(np.count_nonzero(own & other[inside]))

            # A part of a target (a sun's ray, a house's roof) is the target, not a bystander.
            if any((inter := shared(t)) > 0.5 * area or inter > 0.3 * (area + t_area - inter)
                   for t, t_area in zip(targets, target_areas, strict=True)):
                continue
            culprits = [(op, outcome) for op, outcome, changed in changes
                        if changed is not None and shared(changed) > 0.1 * area
                        and not op.params.get("overlap_ok")]
            if not culprits:
                continue
            if any(d.color == thing.color and box_iou(d.box, thing.box) >= 0.4 and mask_iou(d.mask, thing.mask) >= 0.5
                   for d in detections):
                continue
            name = f"the {thing.color or ''} {thing.noun}".replace("  ", " ")
            verdicts.append(ConstraintVerdict(constraint_id=f"scene-{index + 1}", description=f"{name} stays",
                                              holds=False, score=0.5, reason=f"{name} was covered or damaged"))
            for op, _ in culprits:
                hints.append(FeedbackHint(kind=_keep_clear(op), op_id=op.id, entity_ids=["scene"],
                                          detail=f"{op.id} reached into {name}"))
        return verdicts, hints

    def _constraint_hints(self, verdict: ConstraintVerdict, request: CritiqueRequest, changed) -> list[FeedbackHint]:
        """Which operation broke the constraint, and how it should keep clear next time."""
        hints = []
        entity = next((e for e in request.execution.entities if e.id == verdict.entity_id), None)
        before_entity = next((e for e in request.entities_before if e.id == verdict.entity_id), None)
        region_entity = entity or before_entity
        if region_entity is None or region_entity.region is None:
            return [FeedbackHint(kind="retry", detail=verdict.reason)]
        shape = request.after.shape[:2]
        entity_mask = self._entity_mask(request.after)(region_entity)
        for op, outcome in zip(request.plan.operations, request.execution.outcomes, strict=False):
            op_mask = self._mask(outcome.changed_mask, shape)
            if op_mask is None or entity_mask is None or not (op_mask & entity_mask).any():
                continue
            hints.append(FeedbackHint(kind=_keep_clear(op), op_id=op.id, entity_ids=[verdict.entity_id],
                                      detail=f"{op.id} reached into {verdict.entity_id}: {verdict.reason}"))
        return hints or [FeedbackHint(kind="retry", detail=verdict.reason)]

    def _feedback(self, verdicts, constraint_verdicts, metrics, passed: bool) -> str:
        if passed:
            return ""
        lines = [f"{v.op_id} ({v.kind}): {v.reason}" for v in verdicts if not v.ok]
        lines += [f"constraint {v.constraint_id} broken: {v.reason}" for v in constraint_verdicts if not v.holds]
        if metrics and preservation_score(metrics) < 0.85:
            lines.append(f"pixels outside the edit changed (PSNR {metrics.get('psnr', 0):.1f} dB)")
        return "; ".join(lines) or "score below threshold"


def _keep_clear(op) -> str:
    """How a retry keeps an operation off something it damaged: what places things moves them
    elsewhere; what changes pixels in place leaves the thing out of its mask."""
    return "avoid_entities" if operation(op.kind).places_things else "protect_entities"


__all__ = ["CritiqueRequest", "OfflineCritic", "box_of_mask"]
