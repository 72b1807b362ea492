"""Colours and sizes told by another thing, in the make / turn / paint frame: "make the circle the
same colour as the star", "… the colour of the star" (after the target), "as big as the square",
"the same size as the tree", "smaller than the triangle". The other thing is a target of its own
(an anchor), grounded when the plan is made (agents/operations/recolor.py, resize.py)."""

from __future__ import annotations

from typing import Any

from agents.parsing.cursor import Cursor
from agents.parsing.nouns import parse_np
from agents.parsing.tokens import phrase_at

_SAME_COLOR = frozenset({
    ("same", "color", "as"), ("same", "colour", "as"), ("the", "same", "color", "as"), ("the", "same", "colour", "as"),
    ("same", "shade", "as"), ("the", "same", "shade", "as"), ("the", "same", "color", "that"),
    ("the", "same", "colour", "that"), ("a", "color", "like"), ("a", "colour", "like"), ("matching",),
})
# "the colour of X" names the thing to recolour right after the verb ("change the colour of the
# circle to blue"); after the target it is the colour to take ("make the circle the colour of the star").
_COLOR_OF = frozenset({("the", "color", "of"), ("the", "colour", "of"), ("the", "shade", "of")})
_SAME_SIZE = frozenset({
    ("same", "size", "as"), ("the", "same", "size", "as"), ("the", "size", "of"), ("as", "big", "as"),
    ("as", "large", "as"), ("as", "small", "as"), ("as", "tiny", "as"), ("as", "tall", "as"), ("as", "wide", "as"),
    ("as", "huge", "as"), ("just", "as", "big", "as"), ("exactly", "as", "big", "as"), ("equal", "in", "size", "to"),
})
_AS_FAR = {"big": 10.0, "large": 10.0, "huge": 10.0, "wide": 10.0, "tall": 10.0, "small": 0.3, "tiny": 0.2}
_COMPARATIVE = {"bigger": "larger", "larger": "larger", "greater": "larger", "taller": "larger", "wider": "larger",
                "huger": "larger", "smaller": "smaller", "tinier": "smaller", "littler": "smaller",
                "shorter": "smaller", "narrower": "smaller"}


# "as big as possible", "as small as before": no other thing is named.
_NOT_A_THING = frozenset({"possible", "ever", "before", "usual", "normal", "needed", "necessary", "original",
                          "can", "could", "you", "i", "we", "now", "then", "last", "first"})


def _anchor(cur: Cursor, save: int) -> dict[str, Any] | None:
    np = parse_np(cur)
    if np is None or np.spec.noun is None or np.spec.noun in _NOT_A_THING:
        cur.pos = save
        return None
    return np.spec.model_dump(exclude_defaults=True)


def color_like(cur: Cursor) -> dict[str, Any] | None:
    """The anchor whose colour to take, after "the same colour as" (or "the colour of" after the target)."""
    save = cur.pos
    n = phrase_at(cur.tokens, cur.pos, _SAME_COLOR)
    if not n and cur.pos > cur.clause_start:
        n = phrase_at(cur.tokens, cur.pos, _COLOR_OF)
    if not n:
        return None
    cur.pos += n
    return _anchor(cur, save)


def size_against(cur: Cursor) -> dict[str, Any] | None:
    """``{"anchor": …, "compare": same | smaller | larger}`` for "as big as X", "smaller than X"."""
    save = cur.pos
    n = phrase_at(cur.tokens, cur.pos, _SAME_SIZE)
    compare = "same"
    if not n:
        cur.accept("much") or cur.accept("a", "bit") or cur.accept("slightly") or cur.accept("way")
        compare = _COMPARATIVE.get(cur.word() or "", "")
        if not compare or cur.word(1) != "than":
            cur.pos = save
            return None
        n = 2
    said = cur.word(n - 2) if n >= 2 else None
    cur.pos += n
    if cur.accept("possible") or cur.accept("it", "can", "be") or cur.accept("it", "gets"):
        if said in _AS_FAR:  # "as big as possible": as far as the picture allows (the planner caps it)
            return {"factor": _AS_FAR[said]}
        cur.pos = save
        return None
    anchor = _anchor(cur, save)
    return None if anchor is None else {"anchor": anchor, "compare": compare}
