"""resize: scale the target about its centre, filling what it no longer covers."""

from __future__ import annotations

from state.models import OpKind

from ..placement import box_at
from ..refiner import refinement_hints
from ..regions import center
from .base import Operation, keeps_presence, target_phrase
from .transform import FILL, check_object_transform, moves_object, object_transform


class Resize(Operation):
    kind = OpKind.RESIZE
    verb_families = frozenset({"resize", "make", "want"})
    needs_target = True
    places_things = True
    grows_on_retry = True

    def plan_object(self, builder, index, sub, clause, candidate, common):
        wanted = float(clause.params.get("factor", 1.3))
        if clause.params.get("relative_to"):
            wanted = factor_against(builder, clause.params["relative_to"], candidate)
        factor = fit_factor(candidate.box, wanted, builder.shape)
        builder.add_op(index, sub, self.kind, clause, params={"factor": factor}, strategy=dict(FILL), **common)

    def amend_insert(self, builder, insert, clause):
        box = insert.params["box"]
        factor = float(clause.params.get("factor", 1.3))
        cx, cy = center(tuple(box))
        size = (max(8, int((box[2] - box[0]) * factor)), max(8, int((box[3] - box[1]) * factor)))
        insert.params["box"] = list(box_at((cx, cy), size, builder.shape))

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity)

    def check(self, context, op, outcome):
        result, hints = check_object_transform(context, op, outcome)
        # An object enlarged a lot whose edges went soft: the critic asks the refinement node to sharpen it.
        refine = refinement_hints([op], [outcome], context.before, context.after, context.images)
        return result, hints + refine

    def derive(self, op, entity, entities, add):
        keeps_presence(op, entity, add)

    def supersedes(self, op, constraint, hit):
        return moves_object(op, constraint, hit)

    def describe(self, op):
        return f"scaled {target_phrase(op)} ×{op.params.get('factor', 1):.2g}"


# "as big as the square" → the same size; "smaller / bigger than the square" → clearly so.
_AGAINST = {"same": 1.0, "smaller": 0.75, "larger": 1.33}


def factor_against(builder, relative_to: dict, candidate) -> float:
    """The factor that makes ``candidate`` the same size as the anchor, or smaller or larger than it
    (compared by the square root of the area, so a long thing and a round one compare fairly). A
    thing already smaller than what it must be smaller than still shrinks: the user asked for a change."""
    anchor = builder.anchor_candidate({"anchor": relative_to["anchor"]}, exclude=candidate)
    compare = relative_to.get("compare", "same")
    current, other = max(candidate.area, 1) ** 0.5, max(anchor.area, 1) ** 0.5
    factor = other * _AGAINST[compare] / current
    if compare == "smaller" and factor >= 1:
        factor = 0.77
    elif compare == "larger" and factor <= 1:
        factor = 1.3
    return round(factor, 4)


def fit_factor(box, factor: float, shape: tuple[int, int]) -> float:
    """The factor, capped so the object still fits in the image."""
    height, width = shape
    w, h = box[2] - box[0], box[3] - box[1]
    limit = min(0.95 * width / max(w, 1), 0.95 * height / max(h, 1))
    return round(min(factor, limit), 4)
