"""insert: draw a new thing — at a named place, next to another object, or in free space."""

from __future__ import annotations

import numpy as np

from agents.kinds import kind_of
from engines.base import EngineError, InsertSpec
from engines.classical.colors import canonical_color, rgb_of
from state.models import ConstraintKind, Entity, FeedbackHint, OpKind, Region

from ..errors import InstructionError
from ..measure import measured_color
from ..placement import box_at, clamp_box, free_box, named_center, relative_box
from ..regions import box_iou, box_mask, box_of_mask, center, dilate, mask_iou
from .base import SHAPES, Operation, RunResult, keeps_presence, verdict

SIZE_FACTORS = {"small": 0.65, "medium": 1.0, "large": 1.6}
DEFAULT_COLORS = {"sun": "yellow", "tree": "green", "cloud": "white", "moon": "yellow", "hill": "green",
                  "balloon": "red", "house": "brown", "flower": "pink"}


class Insert(Operation):
    kind = OpKind.INSERT
    verb_families = frozenset({"insert", "want", "place", "text"})
    makes_new = True

    def complete_params(self, params, target):
        params.setdefault("noun", target.noun or None)
        if not params["noun"]:
            raise ValueError("an insert operation needs params.noun (what to add)")
        if "color" not in params and target.colors:
            params["color"] = target.colors[0]
        params.setdefault("count", 1)
        params.setdefault("use_reference", False)
        return params
    places_things = True

    def plan(self, builder, index, clause, intent):
        params = clause.params
        shape = builder.shape
        count = max(1, min(int(params.get("count", 1)), 12))
        noun = params.get("noun") or clause.target.noun or "circle"
        kind = kind_of(noun)  # "a ball" is drawn as a circle by the classical inserter
        color = canonical_color(str(params.get("color") or (clause.target.colors[0] if clause.target.colors else "")))
        if color is None and not params.get("use_reference"):
            color = DEFAULT_COLORS.get(kind, "red")
        side = int(typical_size(builder) * SIZE_FACTORS.get(params.get("size") or "medium", 1.0))
        width_factor = 1.6 if kind in ("rectangle", "ellipse", "cloud", "hill", "logo") else 1.0
        size = (max(8, int(side * width_factor)), max(8, side))
        occupied = occupied_mask(builder)
        op_id = builder.op_id(index, 0)
        for sub in range(count):
            if params.get("relation"):
                anchor = builder.anchor(params["relation"])
                box = relative_box(params["relation"]["rel"], anchor, size, shape)
            elif params.get("position"):
                wanted = box_at(named_center(params["position"], shape), size, shape, margin=int(0.02 * min(shape)))
                box = wanted
                if count > 1 or builder.tactics.avoid.get(op_id):
                    box = free_box(size, occupied, shape, preferred=center(wanted)) or wanted
            else:
                box = free_box_shrinking(size, occupied, shape)
            occupied |= box_mask(box, shape)
            op_params = {"box": list(box), "noun": noun, "color": color,
                         "rgb": list(rgb_of(color)) if color else None,
                         "use_reference": bool(params.get("use_reference")),
                         "reference_index": int(params.get("reference_index", 0)),
                         "overlap_ok": (params.get("relation") or {}).get("rel") == "on"}
            builder.add_op(index, sub, self.kind, clause, params=op_params)
        return None

    def vary(self, op, variant, rng, shape):
        if op.params.get("box"):
            height, width = shape
            x0, y0, x1, y1 = op.params["box"]
            dx, dy = int(rng.uniform(-0.05, 0.05) * width), int(rng.uniform(-0.05, 0.05) * height)
            op.params["box"] = list(clamp_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy), shape))

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        outcome = executor.outcome(op, op.entity_ids[0] if op.entity_ids else None)
        box = tuple(op.params["box"])
        reference = None
        if op.params.get("use_reference"):
            if not references:
                raise EngineError("the instruction uses a reference image, but none was attached")
            reference = references[int(op.params.get("reference_index", 0))]
        spec = InsertSpec(noun=op.params.get("noun", "circle"), color=op.params.get("color"),
                          rgb=tuple(op.params["rgb"]) if op.params.get("rgb") else None,
                          prompt=op.params.get("prompt", ""), reference=reference)
        inserter = executor.engines.inserter
        previous = getattr(inserter, "last_result", None)
        result, mask = inserter.insert(image, box, spec, seed=seed)
        if not mask.any():
            mask = box_mask(box, shape)
        outcome.engine = inserter.name
        outcome.info = {"seed": seed, **executor.engine_call(inserter, previous)}
        outcome.after_mask = executor.images.put_mask(mask)
        outcome.changed_mask = executor.images.put_mask(dilate(box_mask(box, shape) | mask, 2))
        new_id = f"e{next_entity}"
        color = op.params.get("color")
        noun = op.params.get("noun", "object") if reference is None else op.params.get("noun", "logo")
        working[new_id] = Entity(
            id=new_id, label=" ".join(w for w in (color, noun) if w), noun=kind_of(noun) or noun,
            attributes={"color": color} if color else {}, origin="added",
            region=Region(box=box_of_mask(mask), mask_ref=outcome.after_mask, area=int(mask.sum())),
            created_turn=turn, last_turn=turn,
        )
        order.append(new_id)
        outcome.entity_id = new_id
        return RunResult(result, outcome, next_entity + 1)

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        after_mask = context.mask(outcome.after_mask, after.shape[:2])
        if after_mask is None or not after_mask.any():
            return verdict(op, False, "nothing was drawn", 0.0), [FeedbackHint(kind="retry", op_id=op.id)]
        best = max((mask_iou(d.mask, after_mask) for d in context.detections), default=0.0)
        changed = float((np.abs(after[after_mask].astype(np.int16) - before[after_mask].astype(np.int16))
                         .max(axis=1) > 20).mean()) if before.shape == after.shape else 1.0
        color = op.params.get("color")
        if color and kind_of(op.params.get("noun")) in SHAPES and not op.params.get("use_reference"):
            measured = measured_color(after, after_mask)
            if best >= 0.6 and measured == color:
                return verdict(op, True, f"a {color} {op.params.get('noun')} is there (IoU {best:.2f})", iou=best), []
            return verdict(op, False, f"found IoU {best:.2f}, colour {measured}", 0.45, iou=best), \
                [FeedbackHint(kind="avoid_entities", op_id=op.id, detail="the new object does not stand out")]
        if changed > 0.3:
            return verdict(op, True, f"drawn ({changed:.0%} of its pixels new)", changed=changed), []
        return verdict(op, False, f"only {changed:.0%} of the object's pixels changed", 0.4), \
            [FeedbackHint(kind="avoid_entities", op_id=op.id)]

    def derive(self, op, entity, entities, add):
        keeps_presence(op, entity, add)

    def supersedes(self, op, constraint, hit):
        # Drawing something where a removed thing was is not bringing it back, but its place is taken.
        box = op.params.get("box")
        return constraint.kind == ConstraintKind.ABSENT and bool(box) and \
            box_iou(tuple(box), tuple(constraint.params.get("box", box))) > 0.3

    def describe(self, op):
        return "added " + " ".join(w for w in ("a", op.params.get("color"), op.params.get("noun")) if w)


def amended_insert(builder, clause):
    """The insertion of this message that 'it' in a later clause refers to ('add a star and make it red')."""
    inserts = [op for op in builder.operations if op.kind == OpKind.INSERT]
    if not inserts:
        raise InstructionError("'it' refers to something added in the same message, but nothing is added")
    return inserts[-1]


def typical_size(builder) -> int:
    """The side of a new object: the median size of what is there, within sensible bounds."""
    shape = builder.shape
    detections = [d for d in builder.scene.ground() if d.noun != "background"]
    if detections:
        sides = sorted(((d.box[2] - d.box[0]) * (d.box[3] - d.box[1])) ** 0.5 for d in detections)
        return int(np.clip(sides[len(sides) // 2], 0.08 * min(shape), 0.3 * min(shape)))
    return int(0.2 * min(shape))


def occupied_mask(builder) -> np.ndarray:
    """Every pixel an object or an entity already covers."""
    scene = builder.scene
    occupied = np.zeros(builder.shape, dtype=bool)
    for detection in scene.ground():
        occupied |= detection.mask
    for entity in scene.entities:
        if entity.present and entity.origin != "detected":
            mask = scene.entity_mask(entity)
            if mask is not None:
                occupied |= mask
    return occupied


def free_box_shrinking(size: tuple[int, int], occupied: np.ndarray, shape: tuple[int, int]):
    """The free spot nearest the centre; a crowded scene gets a smaller object rather than one
    drawn over something already there."""
    w, h = size
    for factor in (1.0, 0.85, 0.72, 0.6, 0.5):
        scaled = (max(8, int(w * factor)), max(8, int(h * factor)))
        box = free_box(scaled, occupied, shape, clearance=max(2, int(6 * factor)))
        if box is not None:
            return box
    return box_at((shape[1] / 2, shape[0] / 2), size, shape)
