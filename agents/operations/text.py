"""text: write new words on the picture, sized to a box at a named place, in a readable colour."""

from __future__ import annotations

from engines.classical.colors import canonical_color, color_distance, rgb_of
from state.models import ConstraintKind, Entity, FeedbackHint, OpKind, Region

from ..errors import InstructionError
from ..placement import box_at, named_center
from ..regions import box_mask, box_of_mask, canonical_position, dilate
from .base import Operation, RunResult, verdict

BOX_HEIGHTS = {"small": 0.08, "medium": 0.12, "large": 0.18}


class Text(Operation):
    kind = OpKind.TEXT
    verb_families = frozenset({"text", "insert", "place"})

    def complete_params(self, params, target):
        if not str(params.get("text", "")).strip():
            raise ValueError("a text operation needs params.text (the words to write)")
        return params
    places_things = True

    def plan(self, builder, index, clause, intent):
        params = clause.params
        text = str(params.get("text", "")).strip()
        if not text:
            raise InstructionError("add text needs the words to write, in quotes")
        height, width = builder.shape
        box_h = int(height * BOX_HEIGHTS.get(params.get("size") or "medium", 0.12))
        position = canonical_position(params.get("position") or "top") or "top"
        cx, cy = named_center(position, builder.shape)
        cy = {"top": 0.1, "bottom": 0.9}.get(position.split("-")[0], cy / height) * height
        box = box_at((cx, cy), (int(width * 0.8) if "-" not in position else int(width * 0.4), box_h), builder.shape)
        color = canonical_color(str(params.get("color") or ""))
        if color:
            rgb = list(rgb_of(color))
        else:
            x0, y0, x1, y1 = box
            lightness = float(builder.scene.image[y0:y1, x0:x1].mean())
            rgb = [15, 15, 15] if lightness > 110 else [245, 245, 245]
        builder.add_op(index, 0, self.kind, clause, params={"text": text, "box": list(box), "rgb": rgb, "color": color})
        return None

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        outcome = executor.outcome(op, op.entity_ids[0] if op.entity_ids else None)
        box = tuple(op.params["box"])
        rgb = tuple(op.params.get("rgb") or (0, 0, 0))
        result, mask = executor.engines.text.draw(image, op.params["text"], box, rgb=rgb)
        outcome.engine = executor.engines.text.name
        outcome.after_mask = executor.images.put_mask(mask)
        outcome.changed_mask = executor.images.put_mask(dilate(box_mask(box, shape), 2))
        new_id = f"e{next_entity}"
        working[new_id] = Entity(
            id=new_id, label=f"text '{op.params['text']}'", noun="text",
            attributes={"text": op.params["text"], "rgb": list(rgb)}, origin="added",
            region=Region(box=box_of_mask(mask) or box, mask_ref=outcome.after_mask, area=int(mask.sum())),
            created_turn=turn, last_turn=turn,
        )
        order.append(new_id)
        outcome.entity_id = new_id
        return RunResult(result, outcome, next_entity + 1)

    def check(self, context, op, outcome):
        after = context.after
        after_mask = context.mask(outcome.after_mask, after.shape[:2])
        if after_mask is None or not after_mask.any():
            return verdict(op, False, "no text was drawn", 0.0), [FeedbackHint(kind="retry", op_id=op.id)]
        ink = after[after_mask].astype("float32").mean(axis=0)
        distance = color_distance(tuple(int(v) for v in ink), tuple(op.params.get("rgb") or (0, 0, 0)))
        return verdict(op, distance < 40, f"text drawn (ink ΔE {distance:.0f})", ink_delta=distance), []

    def derive(self, op, entity, entities, add):
        if entity is not None:
            add(ConstraintKind.TEXT, entity.id, f"the text {op.params['text']!r} stays", text=op.params["text"],
                rgb=op.params.get("rgb"))

    def describe(self, op):
        return f"wrote {op.params.get('text')!r}"
