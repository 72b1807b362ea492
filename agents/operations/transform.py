"""What moving, scaling, rotating and flipping share: an object lifted and put back transformed
(the hole behind it filled), or the whole image warped with every entity's region following it.
Shared deliberately: move, resize, rotate and flip differ only in their parameters and checks."""

from __future__ import annotations

from state.models import ConstraintKind, FeedbackHint

from ..measure import measured_color
from ..regions import dilate, mask_iou
from .base import SHAPES, Operation, RunResult, verdict

FILL = {"dilate": 3, "method": "auto"}


class WholeOrObject(Operation):
    """Rotate and flip: the whole picture when no object is named, else each object named."""

    def params(self, clause) -> dict:
        raise NotImplementedError

    def plan(self, builder, index, clause, intent):
        if clause.target.scope == "image" and not clause.target.noun:
            builder.add_op(index, 0, self.kind, clause, params=self.params(clause))
            return None
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder, index, sub, clause, candidate, common):
        builder.add_op(index, sub, self.kind, clause, params=self.params(clause), strategy=dict(FILL), **common)

    def check(self, context, op, outcome):
        if is_object_transform(op, outcome):
            return check_object_transform(context, op, outcome)
        return self.check_image(context, op), []

    def supersedes(self, op, constraint, hit):
        return moves_object(op, constraint, hit) if hit else reframes_image(op, constraint)


def object_transform(executor, op, image, working, *, turn, next_entity, flip: str | None = None) -> RunResult:
    """Cut the object out, fill behind it, paste it transformed; the entity follows its new mask."""
    from engines.classical.geometry import transform_object

    target, protected, entity_id, outcome = executor.start(op, image, working)
    inpainter = executor.engines.inpainter
    previous = getattr(inpainter, "last_result", None)
    result, new_mask = transform_object(
        image, target, dx=int(op.params.get("dx", 0)), dy=int(op.params.get("dy", 0)),
        scale=float(op.params.get("factor", 1.0)), angle=float(op.params.get("angle", 0.0)), flip=flip,
        inpainter=inpainter, fill_method=op.strategy.get("method", "auto"), avoid_mask=protected,
    )
    outcome.engine = f"geometry+{inpainter.name}"
    outcome.info = executor.engine_call(inpainter, previous)  # the background fill's seed
    outcome.before_mask = executor.images.put_mask(target)
    outcome.after_mask = executor.images.put_mask(new_mask)
    outcome.changed_mask = executor.images.put_mask(dilate(target | new_mask, 3))
    executor.touch(working, entity_id, turn, mask=new_mask, mask_ref=outcome.after_mask)
    return RunResult(result, outcome, next_entity)


def image_transform(executor, op, image, working, *, turn, next_entity, warp_with) -> RunResult:
    """The whole picture transformed by ``warp_with(image) → (result, warp)``; regions follow."""
    shape = image.shape[:2]
    outcome = executor.outcome(op, op.entity_ids[0] if op.entity_ids else None)
    result, warp = warp_with(image)
    executor.warp_entities(working, warp, shape, turn)
    outcome.engine = "transform"
    outcome.geometry_changed = True
    outcome.info = {"size": [int(result.shape[1]), int(result.shape[0])]}
    return RunResult(result, outcome, next_entity)


def check_object_transform(context, op, outcome):
    """The object is found again at its new place, and nothing of it is left at the old one."""
    before, after = context.before, context.after
    before_mask = context.mask(outcome.before_mask, before.shape[:2])
    after_mask = context.mask(outcome.after_mask, after.shape[:2])
    detections = context.detections
    if after_mask is None or not after_mask.any():
        return verdict(op, False, "the object left the image", 0.2), [FeedbackHint(kind="retry", op_id=op.id)]
    best = max(detections, key=lambda d: mask_iou(d.mask, after_mask), default=None)
    iou = mask_iou(best.mask, after_mask) if best is not None else 0.0
    color_before = measured_color(before, before_mask) if before_mask is not None else None
    color_after = measured_color(after, after_mask)
    entity = next((e for e in context.request.execution.entities if e.id in op.entity_ids), None)
    is_shape = entity is not None and entity.noun in SHAPES
    if iou < 0.6:
        # Composite objects are several detections: accept when the moved pixels look the same.
        # A plain shape must be found again as itself.
        if not is_shape and color_before is not None and color_before == color_after and \
                (best is None or best.noun not in SHAPES):
            return verdict(op, True, f"moved (colour kept: {color_after})", 0.9, iou=iou), []
        return verdict(op, False, f"not found at its new place (IoU {iou:.2f})", 0.4, iou=iou), \
            [FeedbackHint(kind="grow_mask", op_id=op.id)]
    old_zone = before_mask & ~dilate(after_mask, 2) if before_mask is not None else None
    if old_zone is not None and old_zone.sum() > 0.2 * before_mask.sum():
        residue = [d for d in detections if (d.mask & old_zone).sum() > 0.5 * d.area
                   and d.color == color_before and mask_iou(d.mask, after_mask) < 0.3]
        if residue:
            return verdict(op, False, "a copy or trace is left at the old place", 0.5, iou=iou), \
                [FeedbackHint(kind="grow_mask", op_id=op.id, detail="residue at the old place")]
    return verdict(op, True, f"at its new place (IoU {iou:.2f})", 0.9 + 0.1 * iou, iou=iou), []


def is_object_transform(op, outcome=None) -> bool:
    """Rotate and flip act on an object when one was grounded, otherwise on the whole image."""
    if outcome is not None:
        return outcome.after_mask is not None
    return op.region is not None and op.target.scope != "image"


def moves_object(op, constraint, hit: bool) -> bool:
    """An object moved, scaled or turned no longer has to stay where and as big as it was."""
    return hit and constraint.kind in (ConstraintKind.PRESENT, ConstraintKind.POSITION, ConstraintKind.SIZE)


def reframes_image(op, constraint) -> bool:
    """After the whole picture is cropped, turned or mirrored, a removed thing's box no longer
    means the same place."""
    return op.target.scope == "image" and constraint.kind == ConstraintKind.ABSENT
