"""The conversational moves of a simulated dialogue: undo, redo, revert, references ("it", "the one
I added", "the other one", "all of them"), revisions, clarifications and drift traps. Mixed into
:class:`evals.synthetic_sim.DialogueSim`, whose state and commit they use."""

from __future__ import annotations

from . import paraphrases as P
from .metrics import noun_group
from .models import Box, GTObject, GTState
from .synthetic_scenes import (
    GAP,
    _color_word,
    _key,
    _noun_word,
    _pick,
    _round_box,
)


def _diff_boxes(a: GTState, b: GTState) -> list[Box]:
    """Boxes of objects that differ between two states (what an undo may repaint)."""
    ka = {(o.id, o.color, o.box) for o in a.objects}
    kb = {(o.id, o.color, o.box) for o in b.objects}
    boxes = [o.box for o in a.objects if (o.id, o.color, o.box) not in kb]
    boxes += [o.box for o in b.objects if (o.id, o.color, o.box) not in ka]
    boxes += [fb for fb in a.free_boxes + b.free_boxes if fb not in a.free_boxes or fb not in b.free_boxes]
    if a.effects != b.effects:
        boxes.append((0.0, 0.0, 1e6, 1e6))
    return boxes



class ConversationMoves:
    """Moves that are about the conversation rather than one edit."""

    def op_undo(self) -> bool:
        if self.parents[self.head] < 0:
            return False
        self.redo.append(self.head)
        before = self.state
        self.head = self.parents[self.head]
        self.commit(_pick(self.rng, P.UNDO), "undo", self.state, targets=[], edited=_diff_boxes(before, self.state),
                    constraints=[])
        return True

    def op_redo(self) -> bool:
        if not self.redo or self.last_op != "undo":
            return False
        before = self.state
        self.head = self.redo.pop()
        self.commit(_pick(self.rng, P.REDO), "redo", self.state, targets=[], edited=_diff_boxes(before, self.state),
                    constraints=[])
        return True

    def op_revert(self) -> bool:
        done = len(self.turns)
        options = [k for k in range(0, done) if self.after_turn[k] != self.head]
        if not options:
            return False
        k = int(self.rng.choice(options))
        message = _pick(self.rng, P.START_OVER) if k == 0 else _pick(self.rng, P.REVERT).format(k=k)
        before = self.state
        self.head = self.after_turn[k]
        self.redo = []
        self.commit(message, "revert", self.state, targets=[], edited=_diff_boxes(before, self.state), constraints=[],
                    tags=["revert"])
        return True

    # -- reference forms

    def _last_single(self) -> GTObject | None:
        if len(self.last_targets) != 1 or self.last_op in ("undo", "redo", "revert", "clarify"):
            return None
        return next((o for o in self.objects if o.id == self.last_targets[0]), None)

    def ref_it(self) -> bool:
        obj = self._last_single()
        if obj is None:
            return False
        kind = _pick(self.rng, ["recolor", "move", "remove"])
        if kind == "recolor":
            return self.op_recolor(obj, phrase="it", tags=["reference:it"], templates=P.IT_RECOLOR)
        if kind == "remove":
            return self.op_remove(obj, phrase="it", tags=["reference:it"], templates=P.IT_REMOVE)
        return self.op_move(obj, phrase="it", tags=["reference:it"], pronoun=True)

    def ref_added(self) -> bool:
        obj = next((o for o in self.objects if o.id == self.last_added), None)
        if obj is None or self.last_targets == [obj.id]:
            return False
        return self.op_recolor(obj, phrase="the one I added", tags=["reference:added"], templates=P.ADDED_RECOLOR)

    def ref_other(self) -> bool:
        obj = self._last_single()
        if obj is None:
            return False
        same = [o for o in self.objects if o.noun == obj.noun and o.id != obj.id]
        if len(same) != 1:
            return False
        return self.op_recolor(same[0], phrase="the other one", tags=["reference:other"], templates=P.OTHER_RECOLOR)

    def ref_all(self) -> bool:
        by_color: dict[str, list[GTObject]] = {}
        for o in self.objects:
            by_color.setdefault(o.color, []).append(o)
        groups = [g for g in by_color.values() if len(g) >= 2]
        if not groups or "grayscale" in self.state.effects:
            return False
        group = groups[int(self.rng.integers(len(groups)))]
        c0 = group[0].color
        if self.rng.random() < 0.4:
            message = _pick(self.rng, P.ALL_REMOVE).format(c0=_color_word(self.rng, c0))
            ids = {o.id for o in group}
            new = self.state.model_copy(update={"objects": [o for o in self.objects if o.id not in ids]})
            self.commit(message, "remove", new, targets=sorted(ids), edited=[o.box for o in group],
                        constraints=[self._fact(o, "absent", f"the {c0} {o.noun} stays removed") for o in group],
                        tags=["reference:all"])
            return True
        taken = {_key(o.noun, o.color) for o in self.objects if o.color != c0}
        options = [c for c in self.colors() if c != c0 and all(_key(o.noun, c) not in taken for o in group)]
        if not options:
            return False
        color = _pick(self.rng, options)
        objects = [o.model_copy(update={"color": color}) if o.color == c0 else o for o in self.objects]
        new = self.state.model_copy(update={"objects": objects})
        message = _pick(self.rng, P.ALL_RECOLOR).format(c0=_color_word(self.rng, c0), c=_color_word(self.rng, color))
        recolored = [o for o in objects if o.id in {g.id for g in group}]
        self.commit(message, "recolor", new, targets=[o.id for o in group], edited=[o.box for o in group],
                    constraints=[self._fact(o, "present", f"the {o.noun} is {color}") for o in recolored],
                    tags=["reference:all"])
        return True

    def revision(self) -> bool:
        obj = self._last_single()
        if obj is None or self.last_op not in ("recolor", "add"):
            return False
        color = self._new_color(obj)
        if color is None:
            return False
        return self.op_recolor(obj, phrase="it", tags=["revision"], templates=P.REVISION_RECOLOR, color=color)

    def clarify(self) -> bool:
        """An ambiguous removal ("remove the star" with two stars), then the answer."""
        by_noun: dict[str, list[GTObject]] = {}
        for o in self.objects:
            by_noun.setdefault(o.noun, []).append(o)
        for noun, group in by_noun.items():
            if len(group) != 2 or any(noun_group(o.noun) == noun_group(noun) and o not in group for o in self.objects):
                continue
            a, b = group
            dx, dy = abs(a.center[0] - b.center[0]), abs(a.center[1] - b.center[1])
            if max(dx, dy) < 0.25 * self.w:
                continue
            pick = a if self.rng.random() < 0.5 else b
            other = b if pick is a else a
            if dx >= dy:
                side = "left" if pick.center[0] < other.center[0] else "right"
            else:
                side = "top" if pick.center[1] < other.center[1] else "bottom"
            word = _noun_word(self.rng, noun)
            self.commit(_pick(self.rng, P.REMOVE).format(t=f"the {word}"), "clarify", self.state, targets=[],
                        edited=[], constraints=[], tags=["clarification"], expect_clarify=True)
            new = self.state.model_copy(update={"objects": [o for o in self.objects if o.id != pick.id]})
            self.commit(_pick(self.rng, P.CLARIFY_ANSWER).format(p=side), "answer", new, targets=[pick.id],
                        edited=[pick.box], constraints=[self._fact(pick, "absent", f"the {side} {noun} stays removed")],
                        tags=["clarification"])
            return True
        return False

    def drift_trap(self) -> bool:
        """Move an object right next to one an earlier turn edited (its fact must survive)."""
        facts = [c for t in self.turns for c in t.constraints if c.kind == "present"]
        anchors = [o for o in self.objects if any(c.object_id == o.id for c in facts)]
        self.rng.shuffle(anchors)  # type: ignore[arg-type]
        for anchor in anchors:
            for obj in self.describable():
                if obj.id == anchor.id:
                    continue
                for axis in (0, 1):
                    lo, hi = (0, 2) if axis == 0 else (1, 3)
                    if obj.box[hi] <= anchor.box[lo]:
                        shift = anchor.box[lo] - GAP - 2 - obj.box[hi]
                    elif obj.box[lo] >= anchor.box[hi]:
                        shift = -(obj.box[lo] - anchor.box[hi] - GAP - 2)
                    else:
                        continue
                    if abs(shift) < 10:
                        continue
                    delta = [0.0, 0.0]
                    delta[axis] = shift
                    box = _round_box((obj.box[0] + delta[0], obj.box[1] + delta[1], obj.box[2] + delta[0],
                                      obj.box[3] + delta[1]))
                    if not self._free(box, obj.id):
                        continue
                    direction = ("right" if shift > 0 else "left") if axis == 0 else ("down" if shift > 0 else "up")
                    templates = [t for t in P.MOVE_PIXELS if direction in ("left", "right") or "to the" not in t]
                    message = _pick(self.rng, templates).format(t=self.describe(obj), d=direction, px=int(abs(shift)))
                    new, new_obj = self._replace(obj, box=box)
                    self.commit(message, "move", new, targets=[obj.id], edited=[obj.box, box],
                                constraints=[self._fact(new_obj, "present", f"the {obj.noun} is at its new place")],
                                tags=["drift_trap"])
                    return True
        return False

    def _choose(self) -> GTObject | None:
        options = self.describable()
        return options[int(self.rng.integers(len(options)))] if options else None


