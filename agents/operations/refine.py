"""refine: upscale, sharpen, denoise or restyle the whole picture or one object.

Refinements run after every other operation of their plan, through the refinement agent
(agents/refiner.py); a plan made only of them goes to the graph's refinement node."""

from __future__ import annotations

import cv2
import numpy as np

from state.models import ConstraintKind, EditOperation, OpKind, TargetSpec

from ..errors import InstructionError
from ..measure import median_rgb
from ..refiner import check_refine
from ..regions import dilate
from .base import Operation, RunResult, image_or, target_phrase, verdict


class Refine(Operation):
    kind = OpKind.REFINE
    runs_last = True
    refinement = True

    def plan(self, builder, index, clause, intent):
        if clause.target.scope == "image":
            builder.add_op(index, 0, self.kind, clause, params=dict(clause.params))
            return None
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder, index, sub, clause, candidate, common):
        if clause.params.get("mode") == "upscale":
            raise InstructionError(f"{self.kind} cannot be applied to an object")
        builder.add_op(index, sub, self.kind, clause, params=dict(clause.params), **common)

    def vary(self, op, variant, rng, shape):
        if op.params.get("mode") == "style":
            op.params["strength"] = round(float(op.params.get("strength", 0.35)) * (1.0 + 0.2 * variant), 3)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        result, outcome = executor.refiner.run(op, image, working, turn=turn, seed=seed)
        if "note" in outcome.info:  # the reply says which kind of upscaling this was
            op.params["engine_note"] = outcome.info["note"]
            op.params["factor"] = outcome.info.get("factor", op.params.get("factor"))
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        region = context.images.get_mask(outcome.before_mask) if outcome.before_mask else None
        ok, score, reason, metrics = check_refine(op, _before(context, op), context.after, region)
        return verdict(op, ok, reason, score, **{k: round(float(v), 3) for k, v in metrics.items()}), []

    def recheck(self, context, op, constraints):
        """After a whole-image refinement an object is "still there" when its pixels still match it
        (scaled back down for an upscale) or it still stands out from its surroundings (a restyle):
        the grounder, tuned for flat shapes, may not find it as one object in a painterly image."""
        if op.target.scope != "image":
            return constraints
        from engines.classical.colors import color_distance

        request, images = context.request, context.images
        before, after = context.before, context.after
        kinds = {c.id: c.kind for c in request.constraints}
        upscaled = before.shape != after.shape
        small = cv2.resize(after, (before.shape[1], before.shape[0]), interpolation=cv2.INTER_AREA) if upscaled \
            else after
        by_id = {e.id: e for e in request.entities_before}
        result = []
        for found in constraints:
            entity = by_id.get(found.entity_id or "")
            if found.holds or kinds.get(found.constraint_id) != ConstraintKind.PRESENT or entity is None \
                    or entity.region is None or not entity.present:
                result.append(found)
                continue
            mask = images.get_mask(entity.region.mask_ref) if entity.region.mask_ref else None
            if mask is None or mask.shape != before.shape[:2] or not mask.any():
                result.append(found)
                continue
            diff = float(np.abs(small[mask].astype(np.int16) - before[mask].astype(np.int16)).mean())
            ring = dilate(mask, 8) & ~dilate(mask, 3)
            inside, outside = median_rgb(small, mask), median_rgb(small, ring) if ring.any() else None
            contrast = color_distance(tuple(inside), tuple(outside)) \
                if inside is not None and outside is not None else 0.0
            if (upscaled and diff < 12) or (not upscaled and (diff < 12 or contrast >= 8)):
                result.append(found.model_copy(update={
                    "holds": True, "score": 1.0,
                    "reason": f"{entity.id} still there after refinement (mean diff {diff:.1f}, "
                              f"contrast ΔE {contrast:.0f})"}))
            else:
                result.append(found)
        return result

    def supersedes(self, op, constraint, hit):
        mode = op.params.get("mode")
        if mode == "upscale":
            return constraint.kind == ConstraintKind.ABSENT  # its box no longer means the same place
        if mode == "style":
            return constraint.kind == ConstraintKind.COLOR and (op.target.scope == "image" or hit)
        return False

    def describe(self, op):
        params = op.params
        if params.get("mode") == "upscale":
            note = f" with {params['engine_note']}" if params.get("engine_note") else ""
            return f"upscaled the image ×{params.get('factor') or 'print-size'}{note}"
        if params.get("mode") == "style":
            return f"restyled {image_or(op)} as {params.get('style')}"
        what = image_or(op) if op.target.scope == "image" else target_phrase(op)
        return f"{'enhanced details of' if params.get('mode') == 'sharpen' else 'denoised'} {what}"


def asked_refinements(hints, entities) -> list[EditOperation]:
    """One refinement per 'refine' hint of the critic, on the entity it named (or the whole image)."""
    by_id = {e.id: e for e in entities}
    ops = []
    for number, hint in enumerate(hints, 1):
        entity = next((by_id[i] for i in hint.entity_ids if i in by_id), None)
        region = entity.region if entity is not None else None
        ops.append(EditOperation(
            id=f"refine{number}", kind=OpKind.REFINE, region=region, entity_ids=list(hint.entity_ids),
            target=TargetSpec(phrase=entity.label if entity else "the image", scope="object" if region else "image"),
            params={"mode": hint.detail.split(":", 1)[0] or "sharpen", "strength": 1.0, "requested_by": "critic"}))
    return ops


def _before(context, op) -> np.ndarray:
    """The image a refinement started from: the intermediate before it (refinements run last)."""
    execution, images = context.request.execution, context.images
    index = next((i for i, o in enumerate(execution.outcomes) if o.op_id == op.id), None)
    if index and index - 1 < len(execution.intermediate_refs):
        return images.get_array(execution.intermediate_refs[index - 1])
    return context.before
