"""replace_text: rewrite words already in the picture ("change 'SALE' to 'OPEN'").

The old words are found among the session's text entities (what "add text" wrote) or, when the
grounder reads text (RapidOCR in the classical one), among the lines it reads; the match ignores
case and forgives a typo. Their place is filled as remove fills a hole, and the new words are
written in the same box, at the same height, in the old ink colour. The critic checks the ink and,
when a text reader is there, that it reads the new words.
"""

from __future__ import annotations

import difflib
import re

import cv2
import numpy as np

from engines.base import EngineError
from engines.classical.colors import color_distance
from state.models import Clarification, ConstraintKind, FeedbackHint, OpKind

from ..errors import InstructionError, TargetNotFound
from ..regions import box_iou, box_mask, box_of_mask, clip_box, dilate, erode
from ..targets import Candidate, candidate_region
from .base import Operation, RunResult, verdict
from .fill import FILL, fill_hole, vary_method

MATCH = 0.6  # how alike the asked and the found words must be
READS = 0.8  # how alike the words read back and the new words must be


def similarity(a: str, b: str) -> float:
    """How alike two texts are, ignoring case, spaces and punctuation (a word inside a longer line counts)."""
    a, b = (re.sub(r"[\W_]+", "", s.casefold()) for s in (a, b))
    if not a or not b:
        return 0.0
    if a in b or b in a:
        return max(0.9, difflib.SequenceMatcher(None, a, b).ratio())
    return difflib.SequenceMatcher(None, a, b).ratio()


def ink(image: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, list[int]]:
    """The letters' pixels inside a text region (the minority lightness cluster) and their colour."""
    gray = cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)
    values = gray[mask]
    if values.size == 0:
        return mask, [0, 0, 0]
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright, dark = (gray > threshold) & mask, (gray <= threshold) & mask
    strokes = bright if 0 < bright.sum() < dark.sum() else dark
    if not strokes.any():
        strokes = mask
    return strokes, [int(v) for v in np.median(image[strokes], axis=0)]


def read_back(context, box) -> str | None:
    """The words a text reader finds in ``box`` of the edited image; None when there is no reader."""
    try:
        lines = context.engines.grounder.ground(context.after, "text", (), cache_key=context.request.after_ref)
    except EngineError:
        return None
    readable = [d for d in lines if "text" in (d.attributes or {})]
    if not readable and lines:
        return None  # a grounder that finds text but does not read it
    inside = box_mask(tuple(box), context.after.shape[:2])
    words = [d.attributes["text"] for d in sorted(readable, key=lambda d: (d.box[1], d.box[0]))
             if (d.mask & inside).sum() >= 0.3 * max(int(d.mask.sum()), 1)]
    return " ".join(words)


class ReplaceText(Operation):
    kind = OpKind.REPLACE_TEXT
    verb_families = frozenset({"make", "text"})

    def complete_params(self, params, target):
        if not str(params.get("new") or "").strip():
            raise ValueError("a replace_text operation needs params.new (the text to write)")
        params.setdefault("old", "")
        return params

    def plan(self, builder, index, clause, intent):
        old = str(clause.params.get("old") or "").strip()
        new = str(clause.params.get("new") or "").strip()
        if not new:
            raise InstructionError("say the new words, in quotes ('change SALE to OPEN')")
        if clause.params.get("chosen_region") is not None:  # the answer to "which text do you mean?"
            candidate = builder.targets(index, clause, intent)[0]
            entity = next((e for e in builder.scene.entities if e.id == candidate.entity_id), None)
            words = (entity.attributes.get("text") if entity else None) or _read_at(builder.scene, candidate) or old
            candidate.noun = "text"
        else:
            found = self._matches(builder, old, intent, index)
            if isinstance(found, Clarification):
                return found
            candidate, words = found
        entity_id = builder.entity_for(candidate)
        for discovered in builder.discovered:
            if discovered.id == entity_id:
                discovered.attributes["text"] = words
                discovered.label = f"text '{words}'"
        entity = next((e for e in [*builder.scene.entities, *builder.discovered] if e.id == entity_id), None)
        strokes, measured = ink(builder.scene.image, candidate.mask)
        rgb = list(entity.attributes["rgb"]) if entity is not None and entity.attributes.get("rgb") else measured
        builder.add_op(index, 0, self.kind, clause, region=candidate_region(candidate, builder.scene.images),
                       entity_ids=[entity_id], strategy=dict(FILL), protect=builder.others_protected([entity_id]),
                       params={"old": words, "asked": old, "new": new, "rgb": rgb,
                               "box": list(_new_box(box_of_mask(strokes) or candidate.box, words, new,
                                                    builder.shape))})
        return None

    @staticmethod
    def _matches(builder, old: str, intent, index: int):
        """The text the words point at: (candidate, its words), or a question when several fit."""
        scene = builder.scene
        found: list[tuple[Candidate, str]] = []
        for entity in scene.entities:
            if entity.present and entity.noun == "text" and entity.attributes.get("text"):
                candidate = scene.entity_candidate(entity)
                if candidate is not None:
                    candidate.noun = "text"
                    found.append((candidate, str(entity.attributes["text"])))
        why = ""
        try:
            lines = scene.ground("text")
        except EngineError as exc:  # no text reader here: the session's own text entities only
            lines, why = [], str(exc)
        for line in lines:
            words = str(line.attributes.get("text") or line.label or "")
            if words and not any(box_iou(c.box, line.box) > 0.3 or (c.mask & line.mask).sum() > 0.5 * c.area
                                 for c, _ in found):
                found.append((Candidate(mask=line.mask, box=line.box, noun="text", color=None,
                                        attributes={"text": words}), words))
        if not found:
            raise TargetNotFound("there is no text in the image to change" + (f" ({why})" if why else ""),
                                 thing=old or "text", actions=["draw_box", "draw_mask"], why=why)
        if old:
            scored = sorted(((similarity(old, words), c, words) for c, words in found), key=lambda s: -s[0])
            if scored[0][0] < MATCH:
                seen = ", ".join(repr(w) for _, _, w in scored[:4])
                raise TargetNotFound(f"I can't find the text {old!r} in the image; it reads {seen}", thing=old,
                                     actions=["draw_box", "draw_mask"])
            found = [(c, w) for s, c, w in scored if s >= scored[0][0] - 0.05]
        if len(found) == 1:
            return found[0]
        regions = [candidate_region(c, scene.images) for c, _ in found]
        return Clarification(question="Which text do you mean: " + ", ".join(repr(w) for _, w in found) + "?",
                             candidates=regions, candidate_labels=[f"the text {w!r}" for _, w in found],
                             candidate_entity_ids=[c.entity_id for c, _ in found], pending_intent=intent,
                             clause_index=index)

    def vary(self, op, variant, rng, shape):
        vary_method(op, variant)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        target = executor.mask_of(op.region, shape)
        entity_id = op.entity_ids[0] if op.entity_ids else None
        outcome = executor.outcome(op, entity_id)
        filled, hole, outcome.info = fill_hole(executor, op, image, target, working, seed=seed, cache_key=cache_key)
        box, rgb = tuple(op.params["box"]), tuple(op.params["rgb"])
        result, glyphs = executor.engines.text.draw(filled, op.params["new"], box, rgb=rgb)
        outcome.engine = f"{executor.engines.inpainter.name}+{executor.engines.text.name}"
        outcome.before_mask = executor.images.put_mask(target)
        outcome.after_mask = executor.images.put_mask(glyphs)
        outcome.changed_mask = executor.images.put_mask(dilate(hole | box_mask(box, shape), 2))
        executor.touch(working, entity_id, turn, mask=glyphs, mask_ref=outcome.after_mask)
        if entity_id in working:
            entity = working[entity_id]
            entity.noun, entity.label = "text", f"text '{op.params['new']}'"
            entity.attributes.update(text=op.params["new"], rgb=list(rgb))
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        glyphs = context.mask(outcome.after_mask, after.shape[:2])
        if glyphs is None or not glyphs.any():
            return verdict(op, False, "no text was written", 0.0), [FeedbackHint(kind="retry", op_id=op.id)]
        drawn = after[glyphs].astype("float32").mean(axis=0)
        distance = color_distance(tuple(int(v) for v in drawn), tuple(op.params["rgb"]))
        if distance >= 40:
            return verdict(op, False, f"the new words' ink is off (ΔE {distance:.0f})", 0.4, ink_delta=distance), \
                [FeedbackHint(kind="retry", op_id=op.id)]
        old = context.mask(outcome.before_mask, before.shape[:2])
        if old is not None and before.shape == after.shape:
            strokes, _ = ink(before, old)
            leftover = erode(strokes, 1) & ~dilate(glyphs, 2)
            if leftover.sum() >= 0.1 * max(int(strokes.sum()), 1):
                diff = np.abs(after[leftover].astype(np.int16) - before[leftover].astype(np.int16)).max(axis=1)
                if float((diff <= 12).mean()) > 0.5:
                    return verdict(op, False, f"the old words {op.params['old']!r} still show", 0.3), \
                        [FeedbackHint(kind="grow_mask", op_id=op.id, detail="the old words were not erased")]
        read = read_back(context, _grown(op.params["box"], after.shape[:2]))
        if read is None:
            return verdict(op, True, f"new words written (ink ΔE {distance:.0f}); no text reader to read them back",
                           ink_delta=distance), []
        alike = similarity(op.params["new"], read) if read else 0.0
        if alike >= READS:
            return verdict(op, True, f"reads {read!r} (ink ΔE {distance:.0f})", ink_delta=distance, read=alike), []
        return verdict(op, False, f"reads {read!r}, not {op.params['new']!r}", 0.4, read=alike), \
            [FeedbackHint(kind="grow_mask", op_id=op.id, detail="the text does not read as the new words")]

    def derive(self, op, entity, entities, add):
        if entity is not None:
            add(ConstraintKind.TEXT, entity.id, f"the text {op.params['new']!r} stays", text=op.params["new"],
                rgb=op.params.get("rgb"))

    def supersedes(self, op, constraint, hit):
        return hit and constraint.kind == ConstraintKind.TEXT

    def describe(self, op):
        return f"changed {op.params.get('old')!r} to {op.params.get('new')!r}"


def _read_at(scene, candidate) -> str | None:
    """The words a text reader finds at a chosen region (None without a reader)."""
    try:
        lines = scene.ground("text")
    except EngineError:
        return None
    best = max(lines, key=lambda d: box_iou(d.box, candidate.box), default=None)
    if best is None or box_iou(best.box, candidate.box) < 0.5:
        return None
    return best.attributes.get("text") or best.label or None


def _grown(box, shape):
    """A box a little larger than the text's, so a reader's looser line box still falls inside."""
    x0, y0, x1, y1 = box
    pad = max(2, (y1 - y0) // 4)
    return clip_box((x0 - pad, y0 - pad, x1 + pad, y1 + pad), shape)


def _new_box(box, old: str, new: str, shape):
    """The old words' box, widened about its centre when the new words are longer, so they keep
    the old height instead of shrinking to fit."""
    x0, y0, x1, y1 = box
    ratio = len(new.strip()) / max(len(old.strip()), 1)
    if ratio <= 1.0:
        return box
    half = (x1 - x0) * ratio / 2
    middle = (x0 + x1) / 2
    return clip_box((int(middle - half), y0, int(np.ceil(middle + half)), y1), shape)
