"""flip: mirror an object in place, or the whole picture."""

from __future__ import annotations

import numpy as np

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


class Flip(Operation):
    kind = OpKind.FLIP

    def plan(self, builder, index, clause, intent):
        if clause.target.scope == "image" and not clause.target.noun:
            builder.add_op(index, 0, self.kind, clause, params={"axis": clause.params.get("axis", "horizontal")})
            return None
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder, index, sub, clause, candidate, common):
        builder.add_op(index, sub, self.kind, clause, params={"axis": clause.params.get("axis", "horizontal")},
                       strategy=dict(FILL), **common)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        if is_object_transform(op):
            return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                                    flip=op.params.get("axis"))
        axis = op.params.get("axis", "horizontal")
        return image_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                               warp_with=lambda picture: transforms.flip(picture, axis))

    def check(self, context, op, outcome):
        if is_object_transform(op, outcome):
            return check_object_transform(context, op, outcome)
        axis = 1 if op.params.get("axis") == "horizontal" else 0
        ok = np.array_equal(context.after, np.flip(context.before, axis=axis))
        return verdict(op, ok, f"flipped {op.params.get('axis')}" if ok else "not a mirror image"), []

    def supersedes(self, op, constraint, hit):
        return moves_object(op, constraint, hit) if hit else reframes_image(op, constraint)

    def describe(self, op):
        return f"flipped {image_or(op)} {op.params.get('axis', '')}".strip()
