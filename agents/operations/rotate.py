"""rotate: turn an object in place, or the whole picture."""

from __future__ import annotations

from state.models import OpKind

from .. import transforms
from .base import Operation, image_or, verdict
from .transform import (
    FILL,
    check_object_transform,
    image_transform,
    is_object_transform,
    moves_object,
    object_transform,
    reframes_image,
)


class Rotate(Operation):
    kind = OpKind.ROTATE

    def plan(self, builder, index, clause, intent):
        if clause.target.scope == "image" and not clause.target.noun:
            builder.add_op(index, 0, self.kind, clause, params={"angle": float(clause.params.get("angle", 90))})
            return None
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder, index, sub, clause, candidate, common):
        builder.add_op(index, sub, self.kind, clause, params={"angle": float(clause.params.get("angle", 90))},
                       strategy=dict(FILL), **common)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        if is_object_transform(op):
            return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity)
        angle = float(op.params.get("angle", 90))
        return image_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                               warp_with=lambda picture: transforms.rotate(picture, angle))

    def check(self, context, op, outcome):
        if is_object_transform(op, outcome):
            return check_object_transform(context, op, outcome)
        before, after = context.before, context.after
        angle = float(op.params.get("angle", 90)) % 360
        if angle in (90.0, 270.0):
            ok = after.shape[:2] == before.shape[1::-1]
        elif angle == 180.0:
            ok = after.shape == before.shape
        else:
            ok = after.shape[0] >= before.shape[0] * 0.9
        return verdict(op, ok, f"rotated {angle:g}°" if ok else "rotation size is wrong"), []

    def supersedes(self, op, constraint, hit):
        return moves_object(op, constraint, hit) if hit else reframes_image(op, constraint)

    def describe(self, op):
        return f"rotated {image_or(op)} {op.params.get('angle', 90):g}°"
