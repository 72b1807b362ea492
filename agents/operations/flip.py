"""flip: mirror an object in place, or the whole picture."""

from __future__ import annotations

import numpy as np

from state.models import OpKind

from .. import transforms
from .base import image_or, verdict
from .transform import WholeOrObject, image_transform, is_object_transform, object_transform


class Flip(WholeOrObject):
    kind = OpKind.FLIP
    verb_families = frozenset({"flip", "make"})
    image_level = True

    def params(self, clause) -> dict:
        return {"axis": clause.params.get("axis", "horizontal")}

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        if is_object_transform(op):
            return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                                    flip=op.params.get("axis"))
        axis = op.params.get("axis", "horizontal")
        return image_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                               warp_with=lambda picture: transforms.flip(picture, axis))

    def check_image(self, context, op):
        axis = 1 if op.params.get("axis") == "horizontal" else 0
        ok = np.array_equal(context.after, np.flip(context.before, axis=axis))
        return verdict(op, ok, f"flipped {op.params.get('axis')}" if ok else "not a mirror image")

    def describe(self, op):
        return f"flipped {image_or(op)} {op.params.get('axis', '')}".strip()
