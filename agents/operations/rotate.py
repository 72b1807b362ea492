"""rotate: turn an object in place, or the whole picture."""

from __future__ import annotations

from state.models import OpKind

from .. import transforms
from .base import image_or, verdict
from .transform import WholeOrObject, image_transform, is_object_transform, object_transform


class Rotate(WholeOrObject):
    kind = OpKind.ROTATE
    verb_families = frozenset({"rotate", "make"})
    image_level = True

    def params(self, clause) -> dict:
        return {"angle": float(clause.params.get("angle", 90))}

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        if is_object_transform(op):
            return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity)
        angle = float(op.params.get("angle", 90))
        return image_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                               warp_with=lambda picture: transforms.rotate(picture, angle))

    def check_image(self, context, op):
        before, after = context.before, context.after
        angle = float(op.params.get("angle", 90)) % 360
        if angle in (90.0, 270.0):
            ok = after.shape[:2] == before.shape[1::-1]
        elif angle == 180.0:
            ok = after.shape == before.shape
        else:
            ok = after.shape[0] >= before.shape[0] * 0.9
        return verdict(op, ok, f"rotated {angle:g}°" if ok else "rotation size is wrong")

    def describe(self, op):
        return f"rotated {image_or(op)} {op.params.get('angle', 90):g}°"
