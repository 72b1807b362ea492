"""count: how many of one kind there are ("make it 4 circles", "two more balls", "one ball fewer").

More: one instance is copied (its pixels, through its mask) into free places near the others, and
each copy becomes an entity. Fewer: the surplus instances, rightmost first, are taken out and
their holes filled as remove fills them. The critic re-grounds the result and counts.
"""

from __future__ import annotations

import numpy as np

from engines.base import EngineError
from engines.classical.colors import canonical_color
from state.models import ConstraintKind, Entity, FeedbackHint, OpKind, Region

from ..errors import InstructionError
from ..kinds import same_kind
from ..placement import free_box
from ..regions import box_mask, box_of_mask, dilate
from ..targets import candidate_region
from .base import Operation, RunResult, keeps_presence, verdict
from .fill import FILL, fill_hole, vary_method
from .insert import occupied_mask

MAX_NEW = 12  # copies one message may ask for


def plural(noun: str, number: int) -> str:
    if number == 1:
        return noun
    if noun.endswith(("s", "x", "ch", "sh")):
        return noun + "es"
    if noun.endswith("y") and noun[-2:-1] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def wanted_count(params: dict, found: int, noun: str) -> int:
    """The number asked for: ``count`` itself, ``delta`` more or fewer, or ``factor`` times as many as there are."""
    if params.get("count") is not None:
        wanted = int(params["count"])
    elif params.get("delta") is not None:
        wanted = found + int(params["delta"])
    elif params.get("factor") is not None:  # "double the number of cats", "halve the stars"
        wanted = int(found * float(params["factor"]) + 0.5)
    else:
        raise InstructionError(f"say how many {plural(noun, 2)} you want ('make it 4', 'two more', 'one fewer')")
    if wanted < 0:
        raise InstructionError(f"there are only {found} {plural(noun, found)}: cannot take away {found - wanted}")
    if wanted > found + MAX_NEW:
        raise InstructionError(f"at most {MAX_NEW} {plural(noun, 2)} can be added at once")
    if wanted == found:
        raise InstructionError(f"there are already {found} {plural(noun, found)}")
    return wanted


class Count(Operation):
    kind = OpKind.COUNT
    verb_families = frozenset({"make", "want", "insert", "remove", "place"})
    needs_target = True

    def complete_params(self, params, target):
        count, delta, factor = params.get("count"), params.get("delta"), params.get("factor")
        said = sum(value is not None for value in (count, delta, factor))
        if said != 1 or (count is not None and count < 0) or delta == 0 or (factor is not None and factor <= 0):
            raise ValueError("a count operation needs one of params.count (the number wanted, 0 or more), "
                             "params.delta (a non-zero change) or params.factor (times as many, above 0)")
        return params
    places_things = True
    grows_on_retry = True

    def plan(self, builder, index, clause, intent):
        # "the circles": every one of them counts, whatever the grammar marked.
        clause = clause.model_copy(update={"target": clause.target.model_copy(update={"plural": True})})
        found = builder.targets(index, clause, intent)
        if not isinstance(found, list):
            return found
        ordered = sorted(found, key=lambda c: ((c.box[0] + c.box[2]) / 2, (c.box[1] + c.box[3]) / 2))
        noun = clause.target.noun if clause.target.noun not in (None, "object") else ordered[0].noun
        wanted = wanted_count(clause.params, len(ordered), noun)
        ids = [builder.entity_for(c) for c in ordered]
        params = {"count": wanted, "found": len(ordered), "noun": noun, "grounded_noun": ordered[0].noun,
                  "colors": [c for c in (canonical_color(w) for w in clause.target.colors) if c]}
        if wanted > len(ordered):
            at = sorted(range(len(ordered)), key=lambda i: ordered[i].area)[len(ordered) // 2]  # a typical one
            source = ordered[at]
            boxes = self._places(builder, source, ordered, wanted - len(ordered), noun)
            builder.add_op(index, 0, self.kind, clause, region=candidate_region(source, builder.scene.images),
                           entity_ids=[ids[at]], strategy=dict(FILL),
                           params={**params, "source": ids[at], "kept": ids, "dropped": [],
                                   "boxes": [list(b) for b in boxes], "color": source.color})
            return None
        # The surplus goes from the right: the last ones in reading order are taken out first.
        drop, kept, dropped = ordered[wanted:], ids[:wanted], ids[wanted:]
        union = np.logical_or.reduce([c.mask for c in drop])
        builder.add_op(index, 0, self.kind, clause,
                       region=Region(box=box_of_mask(union), mask_ref=builder.scene.images.put_mask(union),
                                     area=int(union.sum())),
                       entity_ids=dropped, strategy=dict(FILL), protect=[*builder.others_protected(dropped), *kept],
                       params={**params, "kept": kept, "dropped": dropped,
                               "drop_boxes": [list(c.box) for c in drop]})
        return None

    @staticmethod
    def _places(builder, source, others, how_many: int, noun: str) -> list:
        """Free boxes of the source's size, nearest the group's centre."""
        shape = builder.shape
        occupied = occupied_mask(builder)
        size = (source.box[2] - source.box[0], source.box[3] - source.box[1])
        centre = (float(np.mean([(c.box[0] + c.box[2]) / 2 for c in others])),
                  float(np.mean([(c.box[1] + c.box[3]) / 2 for c in others])))
        boxes = []
        for _ in range(how_many):
            box = free_box(size, occupied, shape, preferred=centre) or \
                free_box(size, occupied, shape, preferred=centre, clearance=2)
            if box is None:
                raise InstructionError(f"there is no free room for {how_many} more {plural(noun, how_many)} "
                                       f"(found room for {len(boxes)})")
            boxes.append(box)
            occupied |= box_mask(box, shape)
        return boxes

    def vary(self, op, variant, rng, shape):
        if op.params.get("dropped"):
            vary_method(op, variant)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        target = executor.mask_of(op.region, shape)
        outcome = executor.outcome(op, op.entity_ids[0] if op.entity_ids else None)
        if op.params.get("dropped"):
            result, hole, outcome.info = fill_hole(executor, op, image, target, working, seed=seed,
                                                   cache_key=cache_key)
            outcome.engine = executor.engines.inpainter.name
            outcome.before_mask = executor.images.put_mask(target)
            outcome.changed_mask = executor.images.put_mask(dilate(hole, 2))
            for entity_id in op.params["dropped"]:
                executor.touch(working, entity_id, turn, present=False)
            return RunResult(result, outcome, next_entity)
        # Copy the source through its mask (grown a pixel, so its anti-aliased rim comes too).
        x0, y0, x1, y1 = op.region.box
        patch, own = image[y0:y1, x0:x1], target[y0:y1, x0:x1]
        if not own.any():
            raise EngineError("the object to copy has no pixels")
        paste = dilate(own, 1)
        result = image.copy()
        copies = np.zeros(shape, bool)
        first = None
        for box in op.params["boxes"]:
            bx, by = box[0], box[1]
            region = result[by:by + (y1 - y0), bx:bx + (x1 - x0)]
            region[paste] = patch[paste]
            mask = np.zeros(shape, bool)
            mask[by:by + (y1 - y0), bx:bx + (x1 - x0)] = own
            copies |= mask
            new_id = f"e{next_entity}"
            next_entity += 1
            color = op.params.get("color")
            noun = op.params.get("grounded_noun") or op.params["noun"]
            working[new_id] = Entity(
                id=new_id, label=" ".join(w for w in (color, noun) if w), noun=noun,
                attributes={k: v for k, v in {"color": color, "copy_of": op.params.get("source")}.items() if v},
                origin="added", region=Region(box=box_of_mask(mask), mask_ref=executor.images.put_mask(mask),
                                              area=int(mask.sum())),
                created_turn=turn, last_turn=turn)
            order.append(new_id)
            first = first or new_id
        outcome.engine = "copy"
        outcome.entity_id = first
        outcome.after_mask = executor.images.put_mask(copies)
        outcome.changed_mask = executor.images.put_mask(
            dilate(np.logical_or.reduce([box_mask(tuple(b), shape) for b in op.params["boxes"]]), 2))
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        counted = count_in(context, op)
        wanted = op.params["count"]
        noun = op.params["noun"]
        if counted == wanted:
            return verdict(op, True, f"{counted} {plural(noun, counted)} counted, as wanted", counted=counted), []
        hint = FeedbackHint(kind="grow_mask", op_id=op.id, detail="a removed one is still there") \
            if op.params.get("dropped") else FeedbackHint(kind="retry", op_id=op.id, detail="a copy is not seen")
        return verdict(op, False, f"counted {counted} {plural(noun, counted)}, wanted {wanted}", 0.3,
                       counted=counted), [hint]

    def derive(self, op, entity, entities, add):
        for entity_id in op.params.get("kept", []):
            keeps_presence(op, entities.get(entity_id), add)
        if entity is not None and op.params.get("source"):
            for copy in entities.values():
                if copy.attributes.get("copy_of") == op.params["source"] and copy.created_turn == entity.created_turn:
                    keeps_presence(op, copy, add)
        color = op.params["colors"][0] if op.params.get("colors") else None
        for entity_id, box in zip(op.params.get("dropped", []), op.params.get("drop_boxes", []), strict=False):
            dropped = entities.get(entity_id)
            add(ConstraintKind.ABSENT, entity_id, f"the {dropped.label if dropped else op.params['noun']} stays removed",
                noun=op.params.get("grounded_noun"), color=dropped.color if dropped else color, box=list(box))

    def supersedes(self, op, constraint, hit):
        if hit and op.params.get("dropped"):
            return True
        from ..regions import box_iou

        box = constraint.params.get("box")
        return constraint.kind == ConstraintKind.ABSENT and bool(box) and \
            any(box_iou(tuple(b), tuple(box)) > 0.3 for b in op.params.get("boxes", []))

    def describe(self, op):
        wanted, found = op.params.get("count", 0), op.params.get("found", 0)
        change = f"added {wanted - found}" if wanted > found else f"removed {found - wanted}"
        return f"now {wanted} {plural(op.params.get('noun') or 'object', wanted)} ({change})"


def count_in(context, op) -> int:
    """How many things of the target's kind the edited image holds, re-grounded."""
    noun = op.params.get("noun")
    try:
        found = context.engines.grounder.ground(context.after, None if noun == "object" else noun,
                                                tuple(op.params.get("colors", [])),
                                                cache_key=context.request.after_ref)
    except EngineError:  # the grounder does not know the noun: count the entities that say they are one
        return sum(1 for e in context.request.execution.entities if e.present and same_kind(e.noun, noun))
    return len(found)
