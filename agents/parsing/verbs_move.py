"""Clause builder for moves: directions, amounts, places and relations."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import parse_np, parse_relation
from agents.parsing.numbers import amount, parse_degree
from agents.parsing.places import POSITION_PREPS, parse_direction, parse_position, user_place
from agents.parsing.slots import Item, Recognizer, collect, np_target, object_spec, segments, skipper
from agents.parsing.swaps import count_of
from state.models import IntentClause, OpKind


def _move_position(cur: Cursor) -> str | None:
    save = cur.pos
    place = parse_position(cur, POSITION_PREPS)
    if place in ("left", "right", "top", "bottom"):
        cur.pos = save
        return None
    return place


def _combine_directions(dirs: list[str]) -> str | None:
    vertical = next((d for d in dirs if d in ("up", "down")), None)
    horizontal = next((d for d in dirs if d in ("left", "right")), None)
    if vertical and horizontal:
        return f"{vertical}-{horizontal}"
    return vertical or horizontal


def _where_thing(cur: Cursor) -> dict[str, Any] | None:
    """ "to where the cup is": onto the other thing's place."""
    save = cur.pos
    if not (cur.accept("to", "where") or cur.accept("where")):
        return None
    np = parse_np(cur, "target")
    if np is None or not (cur.accept("is") or cur.accept("was") or cur.accept("sits") or cur.accept("are")):
        cur.pos = save
        return None
    return {"rel": "on", "anchor": np.spec}


MOVE_RECOGNIZERS: list[Recognizer] = [
    ("relation", _where_thing), ("relation", parse_relation), ("relation", user_place), ("position", _move_position),
    ("direction", parse_direction), ("amount", amount), ("degree", parse_degree),
    ("skip", skipper(("over",), ("diagonally",), ("back",), ("across",), ("a", "little", "over"), ("further",),
                      ("farther",), ("even", "further"), ("even", "farther"), ("so", "it", "is"), ("so", "that", "it", "is"),
                      ("so", "it", "sits"), ("so", "they", "are"), ("so", "it", "ends", "up"), ("until", "it", "is"),
                      ("so", "that", "they", "are"), ("so", "it", "is", "right"), ("so", "it", "lands"), ("it", "is"),
                      ("they", "are"), ("that", "it", "is"), ("it", "sits"))),
    ("np", np_target),
]


def build_move(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    save = cur.pos
    if count_of(cur):
        from agents.parsing.verbs_change import build_make  # "bring the number of cats up to four"

        cur.pos = save
        return build_make(cur, verb)
    items = collect(cur, MOVE_RECOGNIZERS)
    if verb in (("raise",), ("lift",)):
        items.append(("direction", "up"))
    if verb[0] in ("center", "centre", "recenter") and not any(n in ("position", "relation") for n, _ in items):
        items.append(("position", "center"))  # "center the logo"
    if verb[0] in lx.SMALL_MOVE_VERBS and not any(n in ("degree", "amount") for n, _ in items):
        items.append(("degree", "bit"))  # "nudge it left": a small step unless an amount is said
    clauses: list[IntentClause] = []
    for nps, params in segments(items):
        if not nps:
            raise cur.fail("say what to move, e.g. 'move the circle to the left'")
        if not params and nps[-1].post_position is not None:
            # "put the circle on the right": the place said after the noun is where it goes
            last = nps[-1]
            params = [("position", last.post_position)]
            last.spec.position = None
            if last.post_position == "center" and last.spec.superlative == "centermost":
                last.spec.superlative = None
            last.spec.phrase = last.spec.phrase.rsplit(" on ", 1)[0].rsplit(" at ", 1)[0].rsplit(" in ", 1)[0]
        out = move_params(cur, params)
        for np in nps:
            clauses.append(IntentClause(op=OpKind.MOVE, target=object_spec(np), params=dict(out)))
    return clauses


def move_params(cur: Cursor, params: list[Item]) -> dict[str, Any]:
    dirs = [v for n, v in params if n == "direction"]
    relation = next((v for n, v in params if n == "relation"), None)
    position = next((v for n, v in params if n == "position"), None)
    if relation is not None:
        return {"relation": relation}
    if position is not None:
        return {"position": position}
    direction = _combine_directions(dirs)
    if direction is None:
        raise cur.fail("say where to move it: a direction ('left', 'up a bit'), a place ('to the top left') "
                       "or a relation ('next to the square')")
    out: dict[str, Any] = {"direction": direction, "amount_px": None, "amount_fraction": None, "degree": "normal"}
    for name, value in params:
        if name == "amount":
            unit, amount = value
            if unit == "px":
                out["amount_px"] = int(amount)
            else:
                out["amount_fraction"] = round(amount, 4)
        elif name == "degree":
            if value == "all":
                out["amount_fraction"], out["degree"] = 1.0, "lot"
            else:
                out["degree"] = value
    return out


_MOVED = frozenset({"moved", "shifted", "dragged", "pushed", "nudged", "slid", "repositioned",
                    "relocated"})


def moved_participle(cur: Cursor) -> dict[str, Any] | None:
    """"I need the square moved left", "I'd like the star shifted up a bit": the move's parameters
    after a participle in a wish (the wish frame reads the rest like make)."""
    if cur.word() not in _MOVED:
        return None
    save = cur.pos
    small = cur.word() == "nudged"
    cur.pos += 1
    params = [(n, v) for n, v in collect(cur, MOVE_RECOGNIZERS) if n not in ("np", "skip")]
    if not params:
        cur.pos = save
        return None
    if small and not any(n in ("degree", "amount") for n, _ in params):
        params.append(("degree", "bit"))
    return move_params(cur, params)
