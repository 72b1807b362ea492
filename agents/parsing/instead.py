"""A new thing said first and the thing it replaces after: "I want a swan instead of the elephant",
"use a green poster in place of the shelf", "put a clock where the pot is", "have a cake replace my
headphone". The insert builder reads the new thing; these rules read the old one."""

from __future__ import annotations

from typing import Any

from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.slots import object_spec
from agents.parsing.swaps import new_thing_params
from state.models import IntentClause, OpKind

_LEADS = (("instead", "of"), ("in", "place", "of"), ("rather", "than"), ("in", "lieu", "of"), ("to", "replace"),
          ("replacing",), ("replace",), ("where",), ("in", "the", "place", "of"), ("over", "the", "top", "of"),
          )
_RATHER_THAN = ("than",)  # "I'd rather have a dog than the cat": only after "rather"
_WHERE_TAILS = (("used", "to", "be"), ("is",), ("was",), ("are",), ("sits",), ("stands",), ("is", "now"))


def replaced_thing(cur: Cursor) -> NounPhrase | None:
    """ "instead of the elephant", "where the pot is", "replace my headphone": the old thing."""
    save = cur.pos
    lead = next((phrase for phrase in _LEADS if cur.accept(*phrase)), None)
    if lead is None and any(t.word == "rather" for t in cur.tokens[:cur.pos]) and cur.accept(*_RATHER_THAN):
        lead = _RATHER_THAN
    if lead is None:
        return None
    np = parse_np(cur, "target", allow_compound=True)
    if np is None or np.place or np.spec.scope != "object":
        cur.pos = save
        return None
    if lead == ("where",):
        if next((tail for tail in _WHERE_TAILS if cur.accept(*tail)), None) is None:
            cur.pos = save  # "where" starts no replacement here
            return None
    return np


def replace_from_insert(cur: Cursor, items: list[tuple[str, Any]], replaced: NounPhrase) -> list[IntentClause]:
    new = next((v for n, v in items if n == "np"), None)
    if new is None:
        raise cur.fail("say what to put in its place, e.g. 'a swan instead of the elephant'")
    params = new_thing_params(new)
    color = next((v for n, v in items if n == "color"), None)
    if color is not None:
        params["color"] = color
    return [IntentClause(op=OpKind.REPLACE, target=object_spec(replaced), params=params)]
