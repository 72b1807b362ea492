"""recolor: give the target a new colour, keeping its shading."""

from __future__ import annotations

from engines.classical.colors import canonical_color, rgb_of
from state.models import ConstraintKind, FeedbackHint, OpKind

from ..errors import InstructionError
from ..measure import measured_color
from ..regions import dilate
from .base import Operation, RunResult, target_phrase, verdict


def wanted_color(clause) -> str:
    color = canonical_color(str(clause.params.get("color", "")))
    if color is None:
        raise InstructionError(f"unknown colour {clause.params.get('color')!r}")
    return color


class Recolor(Operation):
    kind = OpKind.RECOLOR
    verb_families = frozenset({"make", "want"})
    needs_target = True

    def complete_params(self, params, target):
        if "color" not in params:
            raise ValueError("a recolor operation needs params.color")
        return params

    def plan_object(self, builder, index, sub, clause, candidate, common):
        color = wanted_color(clause)
        builder.add_op(index, sub, self.kind, clause, params={"color": color, "rgb": list(rgb_of(color))}, **common)

    def amend_insert(self, builder, insert, clause):
        color = wanted_color(clause)
        insert.params.update(color=color, rgb=list(rgb_of(color)))

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        target, protected, entity_id, outcome = executor.start(op, image, working)
        rgb = tuple(op.params.get("rgb") or rgb_of(op.params["color"]))
        mask = target if protected is None else target & ~protected
        result = executor.engines.recolorer.recolor(image, mask, rgb)
        outcome.engine = executor.engines.recolorer.name
        outcome.before_mask = outcome.after_mask = executor.images.put_mask(target)
        outcome.changed_mask = executor.images.put_mask(dilate(target, 2))
        executor.touch(working, entity_id, turn, color=op.params["color"])
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        before_mask = context.mask(outcome.before_mask, context.before.shape[:2])
        color = measured_color(context.after, before_mask)
        wanted = op.params["color"]
        if color == wanted:
            return verdict(op, True, f"now {wanted}"), []
        return verdict(op, False, f"measured {color}, wanted {wanted}", 0.3), \
            [FeedbackHint(kind="stronger", op_id=op.id, detail="the new colour did not take")]

    def derive(self, op, entity, entities, add):
        if entity is not None:
            add(ConstraintKind.COLOR, entity.id, f"{entity.id} ({entity.noun}) is {op.params['color']}",
                color=op.params["color"])

    def supersedes(self, op, constraint, hit):
        return hit and constraint.kind == ConstraintKind.COLOR

    def describe(self, op):
        return f"made {target_phrase(op)} {op.params.get('color')}"
