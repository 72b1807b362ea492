"""Positions, directions and relations: "in the top left corner", "to the left", "next to"."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.tokens import phrase_at
from state.models import TargetSpec


def place_words(cur: Cursor) -> str | None:
    """top / left / top left / upper right / middle …, without preposition."""
    save = cur.pos
    vertical = horizontal = None
    center = False
    for _ in range(3):
        w = cur.word()
        if w in lx.VERTICAL and vertical is None:
            vertical = lx.VERTICAL[w]
        elif w in lx.HORIZONTAL and horizontal is None:
            horizontal = lx.HORIZONTAL[w]
            cur.accept("hand")  # "left hand side"
        elif w in lx.CENTER_WORDS and not center:
            center = True
        else:
            break
        cur.pos += 1
    if vertical is None and horizontal is None and not center:
        cur.pos = save
        return None
    if vertical and horizontal:
        return f"{vertical}-{horizontal}"
    return vertical or horizontal or "center"


def image_tail(cur: Cursor) -> None:
    """ "of the image" / "of the picture" after a place."""
    save = cur.pos
    if cur.accept("of") or cur.accept("in"):
        cur.accept("the") or cur.accept("this")
        if cur.accept_any(lx.IMAGE_NOUNS):
            cur.accept_any(lx.IMAGE_NOUNS)
            return
    cur.pos = save


def parse_position(cur: Cursor, preps: frozenset[str], *, require_prep: bool = True) -> str | None:
    """ "in the top left corner", "at the bottom", "on the left side of the image", "in the middle"."""
    save = cur.pos
    prep = cur.accept_any(preps)
    if prep is None and require_prep:
        return None
    cur.accept("the") or cur.accept("a")
    cur.accept("very") or cur.accept("far")
    place = place_words(cur)
    if place is None:
        cur.pos = save
        return None
    cur.accept_any(lx.PLACE_NOUNS)
    image_tail(cur)
    return place


POSITION_PREPS = frozenset({"in", "at", "on", "to", "towards", "toward", "into", "near", "along", "across"})
TARGET_POSITION_PREPS = frozenset({"in", "at", "on", "near", "along"})


def parse_direction(cur: Cursor) -> str | None:
    """left / right / up / down / to the left / towards the top / upwards."""
    save = cur.pos
    if cur.word() == "over" and cur.word(1) in ("to", "towards", "toward", "into"):  # "over to the left"
        cur.pos += 1
    if cur.accept("to", "the") or cur.accept("towards", "the") or cur.accept("toward", "the") or cur.accept(
            "into", "the"):
        w = cur.word()
        mapping = {"left": "left", "right": "right", "top": "up", "bottom": "down"}
        if w in mapping and cur.word(1) != "of":
            cur.pos += 1
            cur.accept_any(lx.PLACE_NOUNS)
            image_tail(cur)
            return mapping[w]
        cur.pos = save
        return None
    w = cur.word()
    if w in lx.DIRECTION_WORDS and cur.word(1) != "of":
        cur.pos += 1
        return lx.DIRECTION_WORDS[w]
    cur.pos = save
    return None


RELATIONS: dict[tuple[str, ...], str] = {
    ("next", "to"): "next_to", ("right", "next", "to"): "next_to", ("beside",): "next_to",
    ("besides",): "next_to", ("alongside",): "next_to", ("near",): "next_to", ("close", "to"): "next_to",
    ("by",): "next_to", ("nearby",): "next_to", ("around",): "next_to", ("closer", "to"): "next_to",
    ("nearer", "to"): "next_to", ("nearer",): "next_to", ("closer",): "next_to", ("up", "against"): "next_to",
    ("above",): "above", ("over",): "above", ("on", "top", "of"): "on", ("on",): "on", ("onto",): "on",
    ("in", "front", "of"): "on", ("inside",): "on", ("within",): "on", ("in",): "on", ("into",): "on",
    ("on", "to"): "on",
    ("below",): "below", ("under",): "below", ("underneath",): "below", ("beneath",): "below",
    ("left", "of"): "left_of", ("to", "the", "left", "of"): "left_of", ("on", "the", "left", "of"): "left_of",
    ("right", "of"): "right_of", ("to", "the", "right", "of"): "right_of",
    ("on", "the", "right", "of"): "right_of", ("at", "the", "left", "of"): "left_of",
    ("at", "the", "right", "of"): "right_of",
    ("between",): "between", ("in", "between"): "between", ("right", "between"): "between",
}


def user_place(cur: Cursor) -> dict[str, Any] | None:
    """ "here", "in the selected area" → on the user's region."""
    save = cur.pos
    cur.accept_any(frozenset({"in", "on", "at", "into", "inside", "over", "to"}))
    n = phrase_at(cur.tokens, cur.pos, lx.USER_REGION_PHRASES)
    if not n:
        cur.pos = save
        return None
    if not cur.context.has_user_region:
        words = [t.word for t in cur.tokens[cur.pos:cur.pos + n]]
        raise cur.fail("mark an area on the image first, then refer to it", words)
    cur.pos += n
    return {"rel": "on", "anchor": TargetSpec(reference="user_region", scope="region", phrase="here")}


def insert_position(cur: Cursor) -> str | None:
    return parse_position(cur, POSITION_PREPS)
