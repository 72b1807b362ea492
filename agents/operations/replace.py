"""replace: the new thing in the old one's place and size ("replace the glove with a baseball glove").

One operation: the old object's hole is filled as remove fills it, then the new thing is drawn in
the old box by the inserter. When the inserter cannot draw the new thing but the inpainter is a
diffusion model, the inpainter paints it into the hole itself from the new phrase. Offline, a thing
the procedural inserter cannot draw is refused with ``CannotDraw``, which names it and says which
model draws it.
"""

from __future__ import annotations

import numpy as np

from engines.base import EngineError, EngineUnavailable, InsertSpec
from engines.classical.colors import canonical_color, rgb_of
from engines.classical.vocabulary import OBJECTS, canonical_noun
from engines.classical.vocabulary import SHAPES as DRAWN_SHAPES
from state.models import ConstraintKind, Entity, FeedbackHint, OpKind, Region

from ..errors import InstructionError, OperationFailed
from ..kinds import kind_of, same_kind
from ..regions import box_mask, box_of_mask, dilate, erode, mask_iou
from .base import SHAPES, Operation, RunResult, keeps_presence, target_phrase, verdict
from .fill import FILL, fill_hole, prompt_inpainter, vary_method
from .insert import DEFAULT_COLORS, Insert

_INSERT = Insert()


class CannotDraw(OperationFailed):
    """The engines cannot draw the thing asked for; ``thing`` names it, ``actions`` say how to get it."""

    def __init__(self, message: str, thing: str) -> None:
        super().__init__(message)
        self.thing = thing
        self.actions = ["configure_text2img_model", "configure_inpaint_model"]

    @property
    def details(self) -> dict:
        return {"thing": self.thing, "actions": self.actions}


def with_article(phrase: str) -> str:
    """'baseball glove' → 'a baseball glove'; a phrase with its own determiner is left as it is."""
    words = phrase.split()
    if not words or words[0].lower() in ("a", "an", "the", "some", "this", "that", "my", "your"):
        return phrase
    return ("an " if phrase[0].lower() in "aeiou" else "a ") + phrase


def drawn_noun(noun: str) -> str:
    """The noun the inserter is asked for: a known synonym becomes its shape ('ball' → circle)."""
    canonical = canonical_noun(noun)
    return canonical if canonical in DRAWN_SHAPES + OBJECTS else noun


def can_draw(inserter, noun: str) -> bool:
    """Whether the inserter can draw ``noun``: it says so itself (``can_draw``), or it is the
    procedural one, which draws its shapes and simple objects only."""
    probe = getattr(inserter, "can_draw", None)
    if callable(probe):
        return bool(probe(noun))
    if getattr(inserter, "name", "") == "classical":
        return noun in DRAWN_SHAPES + OBJECTS
    return True


class Replace(Operation):
    kind = OpKind.REPLACE
    verb_families = frozenset({"make", "place", "want", "insert", "take"})
    needs_target = True
    makes_new = True

    def complete_params(self, params, target):
        if not params.get("noun"):
            raise ValueError("a replace operation needs params.noun (the head noun of the new thing)")
        return params
    grows_on_retry = True

    def plan_object(self, builder, index, sub, clause, candidate, common):
        params = clause.params
        noun = str(params.get("noun") or "").strip().lower()
        if not noun:
            raise InstructionError("say what to put in its place ('replace the glove with a baseball glove')")
        phrase = str(params.get("phrase") or "").strip() or " ".join(w for w in (params.get("color"), noun) if w)
        color = canonical_color(str(params.get("color") or ""))
        drawn = drawn_noun(noun)
        if color is None and drawn in SHAPES:
            color = candidate.color  # a shape standing in for another keeps its colour
        elif color is None:
            color = DEFAULT_COLORS.get(drawn)
        builder.add_op(index, sub, self.kind, clause, params={
            "noun": noun, "phrase": phrase, "color": color, "rgb": list(rgb_of(color)) if color else None,
            "box": list(candidate.box), "old_noun": candidate.noun, "old_color": candidate.color,
            "prompt": phrase,
        }, strategy=dict(FILL), protect=builder.others_protected(common["entity_ids"]), **common)

    def vary(self, op, variant, rng, shape):
        vary_method(op, variant)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        target = executor.mask_of(op.region, shape)
        old_id = op.entity_ids[0] if op.entity_ids else None
        outcome = executor.outcome(op, old_id)
        box = tuple(op.params["box"])
        noun = drawn_noun(op.params["noun"])
        inserter, inpainter = executor.engines.inserter, executor.engines.inpainter
        if can_draw(inserter, noun):
            filled, hole, info = fill_hole(executor, op, image, target, working, seed=seed, cache_key=cache_key)
            spec = InsertSpec(noun=noun, color=op.params.get("color"),
                              rgb=tuple(op.params["rgb"]) if op.params.get("rgb") else None,
                              prompt=op.params.get("prompt", ""))
            previous = getattr(inserter, "last_result", None)
            try:
                result, mask = inserter.insert(filled, box, spec, seed=seed)
            except EngineUnavailable:
                raise
            except EngineError as exc:
                if not prompt_inpainter(inpainter):
                    raise self._cannot_draw(op, inserter) from exc
                result, mask, hole, info = self._paint(executor, op, image, target, working, seed, cache_key)
            else:
                info["inserter"] = executor.engine_call(inserter, previous)
                outcome.engine = f"{inpainter.name}+{inserter.name}"
        elif prompt_inpainter(inpainter):
            result, mask, hole, info = self._paint(executor, op, image, target, working, seed, cache_key)
            outcome.engine = inpainter.name
        else:
            raise self._cannot_draw(op, inserter)
        if not mask.any():
            mask = box_mask(box, shape)
        outcome.info = info
        outcome.before_mask = executor.images.put_mask(target)
        outcome.after_mask = executor.images.put_mask(mask)
        outcome.changed_mask = executor.images.put_mask(dilate(hole | box_mask(box, shape) | mask, 2))
        executor.touch(working, old_id, turn, present=False)
        new_id = f"e{next_entity}"
        color = op.params.get("color")
        working[new_id] = Entity(
            id=new_id, label=" ".join(w for w in (color, op.params["noun"]) if w), noun=op.params["noun"],
            attributes={k: v for k, v in {"color": color, "replaces": old_id}.items() if v}, origin="added",
            region=Region(box=box_of_mask(mask), mask_ref=outcome.after_mask, area=int(mask.sum())),
            created_turn=turn, last_turn=turn,
        )
        order.append(new_id)
        outcome.entity_id = new_id
        return RunResult(result, outcome, next_entity + 1)

    @staticmethod
    def _paint(executor, op, image, target, working, seed, cache_key):
        """One call: the diffusion inpainter paints the new phrase into the old one's hole."""
        result, hole, info = fill_hole(executor, op, image, target, working, seed=seed, cache_key=cache_key,
                                       prompt=op.params.get("prompt") or op.params["noun"])
        info["painted_by_inpainter"] = True
        return result, hole.copy(), hole, info

    @staticmethod
    def _cannot_draw(op, inserter) -> CannotDraw:
        thing = with_article(op.params.get("phrase") or op.params["noun"])
        return CannotDraw(
            f"I can't draw {thing} without a model: the {getattr(inserter, 'name', 'offline')} inserter draws "
            f"shapes ({', '.join(DRAWN_SHAPES)}) and simple objects ({', '.join(OBJECTS)}). To replace "
            f"{target_phrase(op)} with {thing}, configure a text-to-image model (RETOUCH_TEXT2IMG_MODEL) or an "
            "inpainting model (RETOUCH_INPAINT_MODEL) with RETOUCH_ENGINES=auto.", thing=op.params["noun"])

    def check(self, context, op, outcome):
        new_verdict, hints = _INSERT.check(context, op, outcome)
        left, hint = old_left(context, op, outcome)
        if left:
            return verdict(op, False, f"{left}; {new_verdict.reason}", min(0.3, new_verdict.score),
                           **new_verdict.metrics), [hint, *hints]
        return verdict(op, new_verdict.ok, f"the old one is gone; {new_verdict.reason}", new_verdict.score,
                       **new_verdict.metrics), hints

    def derive(self, op, entity, entities, add):
        old_id = op.entity_ids[0] if op.entity_ids else None
        old = entities.get(old_id) if old_id else None
        same = op.params.get("old_noun") == drawn_noun(op.params["noun"]) and \
            op.params.get("old_color") == op.params.get("color")
        if old_id and not same:
            label = old.label if old is not None else op.params.get("old_noun") or "object"
            add(ConstraintKind.ABSENT, old_id, f"the {label} stays replaced", noun=op.params.get("old_noun"),
                color=op.params.get("old_color"), box=list(op.params["box"]))
        if entity is not None and entity.id != old_id:
            keeps_presence(op, entity, add)

    def supersedes(self, op, constraint, hit):
        # What remove gives up for the old entity, and a removed thing's place that is taken now.
        return hit or _INSERT.supersedes(op, constraint, hit)

    def describe(self, op):
        return f"replaced {target_phrase(op)} with {with_article(op.params.get('phrase') or op.params.get('noun'))}"

    def describe_request(self, op):
        return f"replace {target_phrase(op)} with {with_article(op.params.get('phrase') or op.params.get('noun'))}"


def old_left(context, op, outcome) -> tuple[str | None, FeedbackHint | None]:
    """What is left of the old object: a detection of its noun and colour at its place that is not
    the new thing, or its own pixels outside the new thing, untouched."""
    before, after = context.before, context.after
    old = context.mask(outcome.before_mask, before.shape[:2])
    if old is None or not old.any() or before.shape != after.shape:
        return "nothing was replaced", FeedbackHint(kind="retry", op_id=op.id)
    new = context.mask(outcome.after_mask, after.shape[:2])
    new_zone = dilate(new, 3) if new is not None else np.zeros_like(old)
    old_noun, old_color = op.params.get("old_noun"), op.params.get("old_color")
    for detection in context.detections:
        area = max(int(detection.mask.sum()), 1)
        if (detection.mask & old).sum() < 0.3 * area or (detection.mask & new_zone).sum() >= 0.8 * area:
            continue
        if new is not None and mask_iou(detection.mask, new) >= 0.9:
            continue
        if old_color is not None and detection.color == old_color and \
                (kind_of(old_noun) not in SHAPES or same_kind(detection.noun, old_noun)):
            hint = FeedbackHint(kind="switch_inpaint", op_id=op.id, detail="the old object was not erased")
            if outcome.info.get("method_used"):
                hint.tried = [outcome.info["method_used"]]
            return f"a {old_color} {detection.noun} is still where the {old_noun} was", hint
    leftover = erode(old, 1) & ~new_zone
    if leftover.sum() >= 0.1 * old.sum():
        diff = np.abs(after[leftover].astype(np.int16) - before[leftover].astype(np.int16)).max(axis=1)
        untouched = float((diff <= 12).mean())
        if untouched > 0.5:
            return f"{untouched:.0%} of the old {old_noun or 'object'} outside the new one is untouched", \
                FeedbackHint(kind="grow_mask", op_id=op.id, detail="the old object shows around the new one")
    return None, None
