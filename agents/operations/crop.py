"""crop: cut the picture down to a named part, or to the things named (with a margin)."""

from __future__ import annotations

import numpy as np

from state.models import Clarification, OpKind

from .. import transforms
from ..regions import box_of_mask
from .base import Operation, verdict
from .transform import image_transform, reframes_image


class Crop(Operation):
    kind = OpKind.CROP
    verb_families = frozenset({"crop", "take"})
    image_level = True

    def plan(self, builder, index, clause, intent):
        margin = float(clause.params.get("margin", 0.1))
        if clause.target.scope == "image" and not clause.target.noun:
            box = named_crop(clause.params.get("region") or "center", builder.shape, margin)
            builder.add_op(index, 0, self.kind, clause, params={"box": list(box)})
            return None
        targets = builder.targets(index, clause, intent)
        if isinstance(targets, Clarification):
            return targets
        mask = np.logical_or.reduce([c.mask for c in targets])
        x0, y0, x1, y1 = box_of_mask(mask)
        mx, my = int((x1 - x0) * margin), int((y1 - y0) * margin)
        height, width = builder.shape
        box = (max(0, x0 - mx), max(0, y0 - my), min(width, x1 + mx), min(height, y1 + my))
        builder.add_op(index, 0, self.kind, clause, params={"box": list(box)},
                       entity_ids=[builder.entity_for(c) for c in targets])
        return None

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        box = tuple(op.params["box"])
        return image_transform(executor, op, image, working, turn=turn, next_entity=next_entity,
                               warp_with=lambda picture: transforms.crop(picture, box))

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        x0, y0, x1, y1 = op.params["box"]
        ok = after.shape[:2] == (y1 - y0, x1 - x0) and np.array_equal(after, before[y0:y1, x0:x1])
        return verdict(op, ok, f"cropped to {x1 - x0}x{y1 - y0}" if ok else "crop size is wrong"), []

    def supersedes(self, op, constraint, hit):
        return reframes_image(op, constraint)

    def describe(self, op):
        return "cropped the image"


def named_crop(region: str, shape: tuple[int, int], margin: float):
    """The box of a named part of the picture ("the left half", "a square crop", the centre)."""
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
