"""Clause builders for things coming and going: remove, insert, put / place, take, and wishes
("I want a black circle")."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.attributes import parse_color_param, parse_filter_param
from agents.parsing.cursor import Cursor
from agents.parsing.instead import IN_PLACE, in_its_place, replace_from_insert, replaced_thing
from agents.parsing.nouns import NounPhrase, parse_np, parse_relation
from agents.parsing.places import insert_position, parse_direction, user_place
from agents.parsing.slots import (
    REMOVE_DECORATION,
    clause,
    collect,
    np_target_compound,
    object_spec,
    quote_ahead,
    remove_tail,
    segments,
)
from agents.parsing.swaps import count_clause, count_item, like_that
from agents.parsing.tokens import phrase_at
from agents.parsing.verbs_change import build_make
from agents.parsing.verbs_exist import BACKGROUND_TAILS, backdrop_of_insert, background_placement, build_exist
from agents.parsing.verbs_looks import build_filter_named, noise_in
from agents.parsing.verbs_move import build_move
from agents.parsing.verbs_text import TEXT_START, build_text
from state.models import IntentClause, OpKind, TargetSpec


def build_remove(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    fewer = _some_of(cur)
    if fewer:
        return fewer
    noise = noise_in(cur)
    if noise is not None:
        return [noise]
    items = collect(cur, [("skip", REMOVE_DECORATION), ("from", _taken_from), ("np", np_target_compound)])
    for i, (name, value) in enumerate(items):
        if name == "from" and i > 0 and items[i - 1][0] == "np" and items[i - 1][1].spec.possessor is None:
            items[i - 1][1].spec.possessor = value.spec.noun  # "the text from the sign": the sign's text
    nps = [v for n, v in items if n == "np"]
    if not nps:
        raise cur.fail("say what to remove, e.g. 'remove the red circle'")
    clauses = []
    for np in nps:
        if np.spec.noun in ("noise", "grain"):
            clauses.append(clause(OpKind.FILTER, TargetSpec(scope="image"), filter="denoise", strength=1.0))
        else:
            clauses.append(clause(OpKind.REMOVE, object_spec(np)))
    return clauses


def _taken_from(cur: Cursor) -> NounPhrase | None:
    """ "(remove the text) from the sign", "off the table": where the thing is, not another target."""
    save = cur.pos
    if not (cur.accept("from") or cur.accept("off") or cur.accept("out", "of")):
        return None
    np = parse_np(cur, "target")
    if np is None or np.spec.scope != "object" or np.spec.reference:
        cur.pos = save
        return None
    return np


def _onto_thing(cur: Cursor) -> dict[str, Any] | None:
    """ "add some flowers to the vase": onto that thing (not "to the left", not "to the image")."""
    save = cur.pos
    if not cur.accept("to"):
        return None
    np = parse_np(cur, "target")
    if np is None or np.place or np.spec.scope != "object" or np.indefinite:
        cur.pos = save
        return None
    return {"rel": "on", "anchor": np.spec}


def _np_insert(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "insert", allow_compound=True)


def _some_of(cur: Cursor) -> list[IntentClause]:
    """ "remove two of the circles" (two fewer), "get rid of all but one circle" (one left)."""
    save = cur.pos
    item = count_item(cur)
    if item is None or item.np is None or item.count is None:
        cur.pos = save
        return []
    if cur.tokens[save].word == "all":
        return [count_clause(item.np, count=item.count)]
    said_of = save + 1 < len(cur.tokens) and cur.tokens[save + 1].word == "of"  # "one of the circles"
    if item.np.spec.plural and item.count > 0 and (item.count >= 2 or said_of):
        return [count_clause(item.np, delta=-item.count)]  # "get rid of two trees": two fewer, not all
    cur.pos = save
    return []


def _text_verb_ahead(cur: Cursor) -> bool:
    return any(t.word in ("say", "says", "read", "reads", "instead", "rather") for t in cur.tokens[cur.pos:])


def _placement_ahead(cur: Cursor) -> bool:
    """A thing already there, then where it should be ("the penguin more to the left", "it on the right")."""
    save = cur.pos
    try:
        np = parse_np(cur, "target", allow_compound=True)
        if np is None or np.indefinite:
            return False
        cur.accept("more") or cur.accept("further") or cur.accept("a", "bit") or cur.accept("a", "little")
        cur.accept("to", "be") or cur.accept("be")
        return parse_direction(cur) is not None or parse_relation(cur) is not None or (
            np.post_position is not None and cur.at_clause_end())
    finally:
        cur.pos = save


def _counted_things_ahead(cur: Cursor) -> bool:
    """A number said as such before things ("five hexagons", not "a hexagon" or "some stars")."""
    save = cur.pos
    try:
        tok = cur.peek()
        if tok is None or not (tok.kind == "number" or tok.word in lx.NUMBER_WORDS) or tok.word == "one":
            return False
        item = count_item(cur)
        # "I want three stars in the top left" places new ones: an addition, not a count
        return item is not None and item.count is not None and item.np is not None and (
            item.np.post_position is None) and (
            phrase_at(cur.tokens, cur.pos, BACKGROUND_TAILS) == 0) and cur.at_clause_end()
    finally:
        cur.pos = save


def _more_or_fewer(cur: Cursor) -> list[IntentClause]:
    """ "add two more stars", "I want one fewer teapot": the count of those things changes."""
    save = cur.pos
    item = count_item(cur)
    if item is None or item.delta is None or item.np is None:
        cur.pos = save
        return []
    return [count_clause(item.np, delta=item.delta)]


def build_insert(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    more = _more_or_fewer(cur) or backdrop_of_insert(cur)
    if more:
        return more
    if quote_ahead(cur) or phrase_at(cur.tokens, cur.pos, TEXT_START):
        return build_text(cur, verb)
    save = cur.pos
    if parse_filter_param(cur) is not None and cur.word() != "of":
        cur.pos = save
        return build_filter_named(cur, None)
    cur.pos = save
    items = collect(cur, [
        (IN_PLACE, in_its_place), ("relation", parse_relation), ("relation", user_place), ("position", insert_position),
        ("replaces", replaced_thing), ("relation", _onto_thing), ("np", _np_insert), ("color", parse_color_param),
        ("skip", like_that),
    ])
    replaced = next((v for n, v in items if n == "replaces"), None)
    if replaced is not None:
        return replace_from_insert(cur, items, replaced)
    clauses = []
    for nps, params in segments(items):
        if not nps:
            raise cur.fail("say what to add, e.g. 'add a red star at the top'")
        for np in nps:
            spec = np.spec
            if spec.noun is None and not np.reference_image:
                raise cur.fail("say what to add, e.g. 'add a red star at the top'")
            count = np.count if np.count is not None else (2 if spec.plural else 1)
            out: dict[str, Any] = {
                "noun": spec.noun, "color": spec.colors[0] if spec.colors else None, "count": count,
                "use_reference": np.reference_image,
            }
            if np.size_word:
                out["size"] = np.size_word
            for name, value in params:
                if name != "skip":
                    out[name] = value
            target = TargetSpec(phrase=spec.phrase, noun=spec.noun, size=spec.size,
                                colors=[out["color"]] if out.get("color") else list(spec.colors),
                                plural=count > 1)
            clauses.append(IntentClause(op=OpKind.INSERT, target=target, params=out))
    if not clauses:
        raise cur.fail("say what to add, e.g. 'add a red star at the top'")
    return clauses


def build_place(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """put / place: an existing thing moves ("put the circle on the left"), a new one is inserted."""
    backdrop = background_placement(cur)
    if backdrop is not None:
        return backdrop
    tok = cur.peek()
    if tok is not None and tok.kind == "quote":
        return build_text(cur, verb)
    save = cur.pos
    np = parse_np(cur, "target")
    cur.pos = save
    if np is not None and (np.definite or np.spec.reference) and not np.indefinite and not (
            np.spec.reference is None and phrase_at(cur.tokens, cur.pos, lx.REFERENCE_IMAGE_PHRASES)):
        return build_move(cur, verb)
    return build_insert(cur, verb)


def build_take(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """ "take the blue one away / out" removes; "take the star to the left" moves."""
    save = cur.pos
    # "take the cat off the sofa": where it is taken from, not a second thing taken
    items = collect(cur, [("from", _taken_from), ("remove", remove_tail), ("skip", REMOVE_DECORATION),
                          ("np", np_target_compound)])
    if any(n in ("remove", "from") for n, _ in items) and not cur.unknown:
        nps = [v for n, v in items if n == "np"]
        if not nps:
            raise cur.fail("say what to take away, e.g. 'take the red circle away'")
        return [clause(OpKind.REMOVE, object_spec(np)) for np in nps]
    cur.pos, cur.unknown = save, []
    return build_move(cur, verb)


def _names_new_thing(cur: Cursor) -> bool:
    """Whether an indefinite noun phrase starts here ("a black circle", "two stars", "another one")."""
    save = cur.pos
    np = parse_np(cur, "insert", allow_compound=True)
    cur.pos = save
    return np is not None and np.indefinite and not np.definite


def count_item_ahead(cur: Cursor) -> bool:
    save = cur.pos
    try:
        item = count_item(cur)
        return item is not None and item.np is not None
    finally:
        cur.pos = save


def build_want(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """A wish: "I want a black circle" adds it; "I'd like the circle in cyan" / "I want it gone" change it."""
    cur.accept("to", "have") or cur.accept("to", "see") or cur.accept("to", "add")
    if quote_ahead(cur) and _text_verb_ahead(cur):
        return build_make(cur, verb)  # "have the banner read 'Library' rather than 'Paris'"
    more = _more_or_fewer(cur)
    if more:
        return more
    if _counted_things_ahead(cur) or ({"only", "just"} & set(verb) and count_item_ahead(cur)):
        return build_exist(cur, verb)  # "I want five hexagons", "I only want one lamp": that many in all
    if _placement_ahead(cur):
        return build_move(cur, verb)  # "I'd like the penguin more to the left"
    if quote_ahead(cur) or _names_new_thing(cur):
        return build_insert(cur, verb)
    return build_make(cur, verb)
