"""move: put the target somewhere else — a direction, a named place, or next to another object."""

from __future__ import annotations

import numpy as np

from state.models import OpKind

from ..errors import InstructionError
from ..placement import box_at, free_box, move_offset, named_center, relative_box
from ..regions import center
from .base import Operation, keeps_presence, target_phrase
from .transform import FILL, check_object_transform, moves_object, object_transform


def shift_inside(box, dx: int, dy: int, shape: tuple[int, int]):
    """``box`` shifted by (dx, dy), stopped at the image's edges."""
    height, width = shape
    x0, y0, x1, y1 = box
    dx = int(np.clip(dx, -x0, width - x1))
    dy = int(np.clip(dy, -y0, height - y1))
    return (x0 + dx, y0 + dy, x1 + dx, y1 + dy)


class Move(Operation):
    kind = OpKind.MOVE
    verb_families = frozenset({"move", "place"})
    needs_target = True

    def complete_params(self, params, target):
        if not ({"direction", "position", "relation"} & set(params)):
            raise ValueError("a move operation needs params.direction, params.position or params.relation")
        return params
    places_things = True
    grows_on_retry = True

    def plan_object(self, builder, index, sub, clause, candidate, common):
        params = clause.params
        box = candidate.box
        w, h = box[2] - box[0], box[3] - box[1]
        shape = builder.shape
        if params.get("relation"):
            anchor = builder.anchor(params["relation"], exclude=candidate)
            rel = params["relation"]["rel"]
            target_box = relative_box(rel, anchor, (w, h), shape)
            if not holds(rel, target_box, anchor):
                factor = _fit_beside(rel, anchor, (w, h), shape)
                if factor is None:
                    raise InstructionError(_no_room(rel, clause, params["relation"], (w, h), anchor, shape))
                size = (max(4, int(w * factor)), max(4, int(h * factor)))
                wanted = relative_box(rel, anchor, size, shape)
                (cx, cy), (wx, wy) = center(box), center(wanted)
                builder.add_op(index, sub, self.kind, clause, strategy=dict(FILL), **common, params={
                    "dx": int(round(wx - cx)), "dy": int(round(wy - cy)), "factor": round(factor, 3),
                    "overlap_ok": False, "shrunk_to_fit": True})
                return
        elif params.get("position"):
            target_box = box_at(named_center(params["position"], shape), (w, h), shape, margin=int(0.02 * min(shape)))
        elif params.get("direction"):
            dx, dy = move_offset(params, box, shape)
            target_box = shift_inside(box, dx, dy, shape)
        else:
            raise InstructionError("a move needs a direction, a place or another object to go next to")
        avoid = builder.tactics.avoid.get(builder.op_id(index, sub))
        if avoid:
            target_box = _clear_of(builder, target_box, candidate, avoid)
        dx, dy = target_box[0] - box[0], target_box[1] - box[1]
        overlap_ok = (params.get("relation") or {}).get("rel") == "on"  # "put it on the square"
        builder.add_op(index, sub, self.kind, clause, params={"dx": int(dx), "dy": int(dy), "overlap_ok": overlap_ok},
                       strategy=dict(FILL), **common)

    def amend_insert(self, builder, insert, clause):
        box = insert.params["box"]
        if clause.params.get("position"):
            wanted = box_at(named_center(clause.params["position"], builder.shape),
                            (box[2] - box[0], box[3] - box[1]), builder.shape)
        elif clause.params.get("direction"):
            dx, dy = move_offset(clause.params, tuple(box), builder.shape)
            wanted = shift_inside(tuple(box), dx, dy, builder.shape)
        else:
            raise InstructionError("say where to put it")
        insert.params["box"] = list(wanted)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        return object_transform(executor, op, image, working, turn=turn, next_entity=next_entity)

    def check(self, context, op, outcome):
        return check_object_transform(context, op, outcome)

    def derive(self, op, entity, entities, add):
        keeps_presence(op, entity, add)

    def supersedes(self, op, constraint, hit):
        return moves_object(op, constraint, hit)

    def describe(self, op):
        moved = f"moved {target_phrase(op)} by ({op.params.get('dx', 0)}, {op.params.get('dy', 0)}) px"
        if op.params.get("shrunk_to_fit"):
            moved += f" and made it {round(100 * (1 - op.params['factor']))}% smaller to fit there"
        return moved


def _clear_of(builder, wanted, candidate, avoid_ids: list[str]):
    """The free place nearest ``wanted`` that keeps clear of the avoided entities (and every
    other object), so a move does not cover something an earlier turn asked for."""
    scene = builder.scene
    occupied = np.zeros(builder.shape, dtype=bool)
    for detection in scene.ground():
        if (detection.mask & candidate.mask).sum() < 0.5 * detection.mask.sum():
            occupied |= detection.mask
    for entity in scene.entities:
        if entity.id in avoid_ids and entity.present:
            mask = scene.entity_mask(entity)
            if mask is not None:
                occupied |= mask
    size = (wanted[2] - wanted[0], wanted[3] - wanted[1])
    found = free_box(size, occupied & ~candidate.mask, builder.shape, preferred=center(wanted))
    return found or wanted


_SIDE = {"above": "above", "below": "below", "left_of": "to the left of", "right_of": "to the right of"}


def holds(rel: str, box, anchor, slack: int = 4) -> bool:
    """Whether ``box`` stands in relation ``rel`` to ``anchor`` (a few pixels of slack)."""
    if rel == "above":
        return box[3] <= anchor[1] + slack
    if rel == "below":
        return box[1] >= anchor[3] - slack
    if rel == "left_of":
        return box[2] <= anchor[0] + slack
    if rel == "right_of":
        return box[0] >= anchor[2] - slack
    return True  # "on", "next to": any side will do


def _room(rel: str, anchor, size: tuple[int, int], shape: tuple[int, int]) -> tuple[int, int]:
    """(pixels free on that side of ``anchor`` inside the picture, pixels the thing needs there)."""
    height, width = shape
    free = {"above": anchor[1], "below": height - anchor[3], "left_of": anchor[0], "right_of": width - anchor[2]}[rel]
    return free, size[1] if rel in ("above", "below") else size[0]


def _fit_beside(rel: str, anchor, size: tuple[int, int], shape: tuple[int, int]) -> float | None:
    """How much smaller a thing must get to fit on that side of ``anchor`` (at most halved), or None."""
    if rel not in _SIDE:
        return None
    free, need = _room(rel, anchor, size, shape)
    gap = max(4, int(0.03 * min(shape)))
    factor = (free - gap - 1) / max(need, 1)
    return factor if 0.5 <= factor < 1.0 else None


def _no_room(rel: str, clause, relation: dict, size: tuple[int, int], anchor, shape: tuple[int, int]) -> str:
    """Why the move cannot be done as said, and what would make it possible."""
    free, need = _room(rel, anchor, size, shape)
    what = clause.target.phrase or (f"the {clause.target.noun}" if clause.target.noun else "it")
    other = (relation.get("anchor") or {}).get("phrase") or "the other one"
    return (f"there is no room {_SIDE[rel]} {other} for {what}: it needs {need} px and only {max(0, free)} px "
            f"are free inside the picture; make it smaller first, or move {other} away from the edge")
