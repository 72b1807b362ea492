"""Modifiers of a noun phrase the grammar knows by heart: colour words ("dark blue"), "(that) I added",
and what follows a head noun ("on the left", "from the right", "that is red")."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.places import TARGET_POSITION_PREPS, image_tail, parse_position
from engines.classical.colors import shade_rgb

if TYPE_CHECKING:
    from agents.parsing.nouns import NounPhrase

# Words that shade a colour ("bright grey").
SHADES = frozenset({"light", "dark", "bright", "pale", "deep", "pastel", "neon", "dull", "solid", "plain", "pure",
                    "vivid", "hot", "royal", "electric", "off", "dusty", "muted", "rich", "soft"})
_RELATIVE = frozenset({"that", "which", "who"})


class SaidColor(str):
    """A palette colour that remembers the shade word it was said as ("navy" is blue, said navy)."""

    said: str | None = None

    @classmethod
    def of(cls, color: str, said: str | None) -> str:
        if not said or said == color or shade_rgb(said) is None:
            return color
        value = cls(color)
        value.said = said
        return value


def shade_of(color: object) -> dict[str, str]:
    """``{"shade": "navy"}`` for a colour said as a shade, else {} (params of a recolour or insert)."""
    said = getattr(color, "said", None)
    return {"shade": said} if said else {}


def color_word(cur: Cursor) -> str | None:
    """A colour, with an optional shade word in front ("dark blue"), not "black and white"."""
    save = cur.pos
    cur.accept_any(SHADES)
    w = cur.word()
    color = (lx.canonical_color(w) or comparative_color(w)) if w else None
    look = cur.match(lx.FILTER_PHRASES)
    if color is None or (look is not None and look[1] > 1):  # "black and white" is a look
        cur.pos = save
        return None
    cur.pos += 1
    cur.accept("ish") or cur.accept_any(_COLORED)
    return SaidColor.of(color, w)


_COLORED = frozenset({"colored", "coloured", "tinted"})


def added_clause(cur: Cursor) -> bool:
    """ "(that) I added", "you just drew", "we put in"."""
    save = cur.pos
    cur.accept_any(_RELATIVE)
    if cur.accept_any(frozenset({"i", "you", "we"})) is not None:
        cur.accept("just") or cur.accept("recently") or cur.accept("have") or cur.accept("had")
        cur.accept("just")
        if cur.accept_any(lx.ADDED_VERBS) is not None:
            cur.accept("in") or cur.accept("there")
            cur.accept("earlier") or cur.accept("before") or cur.accept("last") or cur.accept(
                "most", "recently") or cur.accept("recently") or cur.accept("just", "now") or cur.accept(
                "a", "moment", "ago") or cur.accept("a", "second", "ago")
            return True
    cur.pos = save
    return False


def post_modifiers(cur: Cursor, np: NounPhrase) -> None:
    spec = np.spec
    while True:
        save = cur.pos
        if spec.ordinal is not None and spec.ordinal_axis is None and cur.accept("from"):
            cur.accept("the")
            w = cur.word()
            axis = {"left": "left", "right": "right", "top": "top", "bottom": "bottom", "bot": "bottom"}.get(w or "")
            if axis is None:
                cur.pos = save
                return
            cur.pos += 1
            image_tail(cur)
            spec.ordinal_axis = axis
            continue
        if cur.accept("in", "the", "middle") or cur.accept("in", "the", "center") or cur.accept(
                "in", "the", "centre") or cur.accept("at", "the", "center") or cur.accept("at", "the", "centre"):
            image_tail(cur)
            if spec.superlative is None:
                spec.superlative = "centermost"
                np.post_position = "center"  # "put the circle in the middle": maybe where it goes
            continue
        if spec.scope == "object" and spec.noun not in (None, "background") and (
                cur.accept("in", "the", "background") or cur.accept("in", "the", "back") or
                cur.accept("in", "the", "foreground") or cur.accept("in", "front")):
            spec.modifiers = [*spec.modifiers, " ".join(t.word for t in cur.tokens[save:cur.pos])]
            continue  # "the people in the background": where they are, not a second target
        if spec.scope == "object" and spec.possessor is None and spec.noun and cur.frame in _DESCRIBED_FRAMES and \
                _owner_after_of(cur, spec):
            continue  # "the face of the man on the left": the man's face
        if spec.scope == "object" and spec.relation is None and cur.frame in _DESCRIBED_FRAMES and \
                spec.reference is None and _described_by_another(cur, spec):
            continue  # "remove the cup next to the laptop": which cup, not a second target
        place = parse_position(cur, TARGET_POSITION_PREPS)
        if place is not None and cur.word() == "of":
            cur.pos = save  # "on the left of the mug" relates it to another thing
            return
        if place is not None:
            spec.position = np.post_position = place
            continue
        if added_clause(cur):
            spec.reference = "added"
            continue
        if cur.accept_any(_RELATIVE) is not None and cur.accept_any(frozenset({"is", "are", "was"})):
            color = color_word(cur)
            if color is not None:
                spec.colors.append(color)
                continue
            cur.pos = save
            return
        cur.pos = save
        if np.spec.reference == "everything":
            color = color_word(cur)
            if color is not None:
                np.post_colors.append(color)
                continue
        return


# Clauses whose target a relation describes; in move, put and add clauses it says where the thing goes.
_DESCRIBED_FRAMES = frozenset({"remove", "make", "resize", "filter", "adjust", "take", "duplicate", "keep"})
_BEHIND = (("behind",), ("in", "back", "of"), ("at", "the", "back", "of"))


def _described_by_another(cur: Cursor, spec) -> bool:
    """ "(the cup) next to the laptop", "(the book) under the lamp", "(the wall) behind her"."""
    from agents.parsing.nouns import parse_np, parse_relation  # nouns imports this module

    save = cur.pos
    relation = None
    if cur.word() == "into":
        return False  # "turn the cat into dogs", "put the ball into the box": what it becomes or where it goes
    if any(cur.accept(*words) for words in _BEHIND):
        anchor = parse_np(cur, "target")
        if anchor is not None and not anchor.place and anchor.spec.scope == "object":
            relation = {"rel": "behind", "anchor": anchor.spec}
    else:
        relation = parse_relation(cur)
    indefinite = cur.tokens[save + 1].word in ("a", "an", "some") if save + 1 < len(cur.tokens) else False
    if relation is None or relation["anchor"].scope != "object" or indefinite:
        cur.pos = save  # "in a park" is a place said of the whole clause
        return False
    from state.models import TargetRelation

    spec.relation = TargetRelation(rel=relation["rel"], anchor=relation["anchor"])
    return True


def _owner_after_of(cur: Cursor, spec) -> bool:
    from agents.parsing.nouns import parse_np

    save = cur.pos
    if not cur.accept("of") or cur.word() not in ("the", "her", "his", "their", "my", "that", "this"):
        cur.pos = save
        return False
    owner = parse_np(cur, "target")
    if owner is None or owner.place or owner.spec.scope != "object" or not owner.spec.noun:
        cur.pos = save
        return False
    spec.possessor = owner.spec.noun
    if owner.spec.position and not spec.position:
        spec.position = owner.spec.position  # "the face of the man on the left"
    return True


def comparative_color(word: str) -> str | None:
    """ "greener", "redder", "bluer", "whiter": the colour a comparative asks for ("darker" is a look)."""
    if not word.endswith("er") or len(word) < 5:
        return None
    stem = word[:-2]
    for candidate in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else ""):
        if candidate and lx.canonical_color(candidate) is not None:
            return lx.canonical_color(candidate)
    return None
