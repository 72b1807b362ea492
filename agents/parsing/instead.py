"""A new thing said first and the thing it replaces after: "I want a swan instead of the elephant",
"use a green poster in place of the shelf", "put a clock where the pot is", "have a cake replace my
headphone". The insert builder reads the new thing; these rules read the old one.

"Remove the cup and put a glass there" says the same in two clauses: the insertion is marked
(:func:`in_its_place`) and :func:`merge_remove_then_put` makes the pair one replacement."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.slots import object_spec
from agents.parsing.swaps import new_thing_params
from agents.parsing.tokens import longest_match
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


_IN_ITS_PLACE = (("in", "its", "place"), ("in", "their", "place"), ("where", "it", "was"), ("where", "they", "were"),
                 ("where", "it", "used", "to", "be"), ("in", "the", "same", "spot"), ("in", "the", "same", "place"),
                 ("in", "that", "spot"), ("there", "instead"), ("instead",), ("there",))
IN_PLACE = "in_place_of_removed"  # the marker a put-clause carries until it is merged


def in_its_place(cur: Cursor) -> bool | None:
    """ "there", "in its place", "instead" after a removal earlier in the message (not a marked region)."""
    if _first_removal(cur.tokens[:cur.clause_start]) is None:
        return None
    for phrase in _IN_ITS_PLACE:
        save = cur.pos
        if cur.accept(*phrase):
            if phrase in (("there",), ("instead",)) and not cur.at_clause_end():
                cur.pos = save
                continue
            return True
    return None


def merge_remove_then_put(clauses: list[IntentClause]) -> list[IntentClause]:
    """A removal followed by a put-clause marked :data:`IN_PLACE`: one replacement of the removed thing."""
    out: list[IntentClause] = []
    for clause in clauses:
        marked = clause.params.pop(IN_PLACE, False)
        if marked and clause.op == OpKind.INSERT and out and out[-1].op == OpKind.REMOVE:
            removed = out.pop()
            words = (clause.target.phrase or "").split()
            if words and words[0] in ("a", "an", "the", "some"):
                words = words[1:]
            params = {"noun": clause.params.get("noun"), "phrase": " ".join(words) or clause.params.get("noun")}
            if clause.params.get("color"):
                params["color"] = clause.params["color"]
            out.append(IntentClause(op=OpKind.REPLACE, target=removed.target, params=params))
            continue
        out.append(clause)
    return out


def _first_removal(tokens: list) -> int | None:
    """Where a removal verb is said ("delete", "get rid of", "take out"), or None."""
    for i, t in enumerate(tokens):
        found = longest_match(tokens, i, lx.VERBS)
        if t.word == "rid" or lx.VERBS.get((t.word,)) == "remove" or (found is not None and found[0] == "remove"):
            return i
    return None


def instead_said_of_a_removal(tokens: list) -> bool:
    """ "remove the cup and add a glass instead": "instead" belongs to this message, not to the last edit."""
    words = [t.word for t in tokens if t.kind == "word"]
    if not words or words[-1] != "instead":
        return False
    first = _first_removal(tokens)
    # "… and add a glass instead", "… and give me a dog instead"
    return first is not None and any(
        (found := longest_match(tokens, i, lx.VERBS)) is not None and found[0] in ("insert", "place", "exist", "want")
        for i in range(first + 1, len(tokens)))
