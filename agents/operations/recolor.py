"""recolor: give the target a new colour (named, or another thing's), keeping its shading."""

from __future__ import annotations

from engines.classical.colors import canonical_color, color_distance, color_name, rgb_of, shade_rgb
from state.models import ConstraintKind, FeedbackHint, OpKind

from ..errors import InstructionError
from ..measure import measured_color, median_rgb
from ..regions import dilate
from .base import Operation, RunResult, target_phrase, verdict


def wanted_color(clause) -> str:
    color = canonical_color(str(clause.params.get("color", "")))
    if color is None:
        raise InstructionError(f"unknown colour {clause.params.get('color')!r}")
    return color


def color_of_anchor(builder, like: dict, exclude) -> tuple[str, tuple[int, int, int]]:
    """"the same colour as the star": the star's own colour (its median pixel, so a teal star gives
    teal, not the palette's cyan) and the palette name the critic checks it by."""
    anchor = builder.anchor_candidate({"anchor": like}, exclude=exclude)
    rgb = median_rgb(builder.scene.image, anchor.mask) or rgb_of(anchor.color or "gray")
    return color_name(rgb), rgb


def _near(image, mask, rgb, tolerance: float = 12.0) -> bool:
    """Whether the masked pixels' median is within ``tolerance`` ΔE of ``rgb`` (a shade's own check)."""
    median = median_rgb(image, mask)
    return median is not None and color_distance(median, tuple(int(v) for v in rgb)) <= tolerance


class Recolor(Operation):
    kind = OpKind.RECOLOR
    verb_families = frozenset({"make", "want"})
    needs_target = True

    def complete_params(self, params, target):
        if "color" not in params and "like" not in params:
            raise ValueError("a recolor operation needs params.color, or params.like (a thing whose colour to take)")
        return params

    def plan_object(self, builder, index, sub, clause, candidate, common):
        shade = {}
        if "like" in clause.params and "color" not in clause.params:
            color, rgb = color_of_anchor(builder, clause.params["like"], candidate)
        elif shade_rgb(clause.params.get("shade")) is not None:
            # "make it navy": painted navy; told and checked as the palette hue nearest it
            rgb = shade_rgb(clause.params["shade"])
            color, shade = color_name(rgb), {"shade": clause.params["shade"]}
        else:
            color = wanted_color(clause)
            rgb = rgb_of(color)
        builder.add_op(index, sub, self.kind, clause, params={"color": color, "rgb": list(rgb), **shade}, **common)

    def amend_insert(self, builder, insert, clause):
        if "like" in clause.params and "color" not in clause.params:
            color, rgb = color_of_anchor(builder, clause.params["like"], None)
            insert.params.update(color=color, rgb=list(rgb))
            return
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
        if color == wanted or (op.params.get("shade") and _near(context.after, before_mask, op.params["rgb"])):
            return verdict(op, True, f"now {op.params.get('shade') or wanted}"), []
        return verdict(op, False, f"measured {color}, wanted {wanted}", 0.3), \
            [FeedbackHint(kind="stronger", op_id=op.id, detail="the new colour did not take")]

    def derive(self, op, entity, entities, add):
        if entity is not None:
            add(ConstraintKind.COLOR, entity.id, f"{entity.id} ({entity.noun}) is {op.params['color']}",
                color=op.params["color"])

    def supersedes(self, op, constraint, hit):
        return hit and constraint.kind == ConstraintKind.COLOR

    def describe(self, op):
        return f"made {target_phrase(op)} {op.params.get('shade') or op.params.get('color')}"
