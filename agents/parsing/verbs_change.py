"""Clause builders that change a target's attributes: make / turn / change (colour, size, look, angle,
removal tails) and resize / scale / enlarge / shrink."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.attributes import filter_item, parse_color_param, parse_quote
from agents.parsing.compared import color_like, size_against
from agents.parsing.cursor import Cursor
from agents.parsing.modifiers import shade_of
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.numbers import ResizeItem, parse_angle, parse_degree, parse_resize, resize_factor
from agents.parsing.slots import (
    Item,
    Recognizer,
    clause,
    collect,
    np_target,
    object_spec,
    remove_tail,
    scoped,
    segments,
    skipper,
)
from agents.parsing.swaps import (
    by_number,
    count_clause,
    count_item,
    count_of,
    gradient_item,
    material_item,
    material_of,
    new_thing,
    new_thing_led,
    quote_old,
    swap_clauses,
    to_number,
)
from agents.parsing.verbs_move import moved_participle
from state.models import IntentClause, OpKind

_COLOR_OF = skipper(
    ("the", "color", "of"), ("the", "colour", "of"), ("'s", "color"), ("'s", "colour"), ("its", "color"),
    ("its", "colour"), ("color", "of"), ("colour", "of"), ("the", "color"), ("the", "colour"),
    ("their", "color"), ("their", "colour"), ("'s", "colors"), ("'s", "colours"), ("color",), ("colour",),
)
_FROM_COLOR_WORDS = frozenset({"from"})


def _from_color(cur: Cursor) -> str | None:
    save = cur.pos
    if cur.accept_any(_FROM_COLOR_WORDS) is None:
        return None
    color = parse_color_param(cur)
    if color is None:
        cur.pos = save
    return color


_SENSE_ONLY = {("clockwise",): 1, ("cw",): 1, ("counterclockwise",): -1, ("counter", "clockwise"): -1,
               ("anticlockwise",): -1, ("anti", "clockwise"): -1, ("ccw",): -1}


def _sense_item(cur: Cursor) -> int | None:
    return cur.take(_SENSE_ONLY)


MAKE_RECOGNIZERS: list[Recognizer] = [
    ("like", color_like), ("against", size_against), ("moved", moved_participle), ("skip", _COLOR_OF), ("count_of", count_of), ("material_of", material_of), ("quote", parse_quote),
    ("quote_old", quote_old), ("new", new_thing_led), ("from_color", _from_color), ("gradient", gradient_item), ("filter", filter_item),
    ("material", material_item), ("color", parse_color_param), ("resize", parse_resize), ("angle", parse_angle),
    ("sense", _sense_item), ("to_number", to_number), ("by_number", by_number), ("count", count_item), ("degree", parse_degree),
    ("remove", remove_tail),
    ("skip", skipper(("look",), ("appear",), ("seem",), ("be",), ("more",), ("to", "be"), ("to", "look"),
                     ("say",), ("read",), ("says",), ("reads",), ("instead",), ("become",), ("to", "say"),
                     ("to", "read"), ("look", "like"), ("like",), ("it", "is"), ("as", "if", "it", "was"),
                     ("as", "if", "it", "were"), ("as", "though", "it", "was"), ("as", "though", "it", "were"),
                     ("should", "be"), ("should", "say"), ("should", "read"), ("as",), ("was",), ("were",),
                     ("instead", "of", "being"), ("the", "typo"), ("typo",), ("the", "spelling"))),
    ("new", new_thing),
    ("np", np_target),
]
_LAST_WINS = frozenset({"color", "resize", "material"})  # "red, sorry, I meant navy": one colour, the last


def _apply_params(cur: Cursor, target_np: NounPhrase | None, params: list[Item]) -> list[IntentClause]:
    params = [(n, v) for i, (n, v) in enumerate(params)
              if n not in _LAST_WINS or not any(m == n for m, _ in params[i + 1:])]
    clauses: list[IntentClause] = swap_clauses(cur, target_np, params)
    degree = next((v for n, v in params if n == "degree" and v != "all"), None)
    sense = next((v for n, v in params if n == "sense"), 1)
    if target_np is not None and target_np.post_colors and not any(n == "color" for n, _ in params):
        params.append(("color", target_np.post_colors[-1]))  # "make everything red"
        target_np = NounPhrase(target_np.spec, post_colors=[])
    from_colors = [v for n, v in params if n == "from_color"]
    for name, value in params:
        if name == "color":
            if target_np is None:
                raise cur.fail("say what to recolor, e.g. 'make the circle blue'")
            spec = object_spec(target_np)
            spec.colors = spec.colors or from_colors
            clauses.append(clause(OpKind.RECOLOR, spec, color=value, **shade_of(value)))
        elif name == "filter":
            kind, own = value
            level = own if own != "normal" or degree is None else degree
            clauses.append(clause(OpKind.FILTER, scoped(target_np), filter=kind,
                                   strength=lx.FILTER_STRENGTH.get(level, 1.0)))
        elif name == "resize":
            if target_np is None:
                raise cur.fail("say what to resize, e.g. 'make the star bigger'")
            item: ResizeItem = value
            if item.kind == "cmp" and degree is not None and item.value == lx.RESIZE_STEP["normal"]:
                item = ResizeItem("cmp", lx.RESIZE_STEP.get(degree, item.value), item.sign)
            clauses.append(clause(OpKind.RESIZE, object_spec(target_np), factor=resize_factor(item, 0)))
        elif name == "moved":
            if target_np is None:
                raise cur.fail("say what to move, e.g. 'I need the circle moved left'")
            clauses.append(clause(OpKind.MOVE, object_spec(target_np), **value))
        elif name in ("like", "against"):  # told by another thing: "the same colour as the star"
            if target_np is None:
                raise cur.fail("say what to change, e.g. 'make the circle the same colour as the star'")
            spec = object_spec(target_np)
            clauses.append(clause(OpKind.RECOLOR, spec, like=value) if name == "like" else
                           clause(OpKind.RESIZE, spec, factor=value["factor"]) if "factor" in value else
                           clause(OpKind.RESIZE, spec, relative_to=value))
        elif name == "angle":
            clauses.append(clause(OpKind.ROTATE, scoped(target_np), angle=float(value) * sense))
        elif name == "remove":
            if target_np is None:
                raise cur.fail("say what to remove, e.g. 'make the red circle disappear'")
            clauses.append(clause(OpKind.REMOVE, object_spec(target_np)))
    return clauses


_REPAIR = frozenset({"fix", "correct", "sort", "adjust", "redo", "rework"})


def build_make(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, MAKE_RECOGNIZERS)
    if verb and verb[0] in _REPAIR and all(n == "np" and v.spec.reference == "it" for n, v in items) and \
            cur.clause_start > 1:
        return []  # "the hexagon is too tiny, fix it": what to fix was said before
    clauses: list[IntentClause] = []
    for nps, params in segments(items):
        targets: list[NounPhrase | None] = list(nps) or [None]
        for np in targets:
            made = _apply_params(cur, np, params)
            if not made:
                what = np.spec.phrase if np is not None else "it"
                raise cur.fail(f"say what to change about {what!r}: a colour ('make it blue'), a size "
                               "('bigger', 'twice as big') or a look ('blurry', 'black and white')")
            clauses.extend(made)
    if not clauses:
        raise cur.fail("say what to change: a colour ('make it blue'), a size ('bigger') or a look ('blurry')")
    return clauses


_ENLARGE = frozenset({"enlarge", "grow", "magnify", "expand", "upscale", "maximize", "widen", "inflate", "double",
                      "triple", "blow", "up"})
_SHRINK = frozenset({"shrink", "downscale", "minimize", "compress", "halve", "down"})
_VERB_MULT = {"double": 2.0, "triple": 3.0, "halve": 0.5, "quadruple": 4.0}
_SIZE_WORDS = skipper(("the", "size", "of"), ("its", "size"), ("their", "size"), ("in", "size"), ("the", "size"),
                       ("size", "of"), ("'s", "size"), ("size",))


def _particle(cur: Cursor) -> int | None:
    if cur.accept("up"):
        return 1
    if cur.accept("down"):
        return -1
    return None


_NUMBER_OF = (("the", "number", "of"), ("the", "count", "of"), ("the", "amount", "of"), ("the", "quantity", "of"),
              ("how", "many"))


def _multiplied_count(cur: Cursor, factor: float) -> IntentClause | None:
    """ "double the number of cats", "triple the flowers": how many there are, not how big."""
    save = cur.pos
    said = any(cur.accept(*words) for words in _NUMBER_OF)
    np = parse_np(cur, "target")
    if np is not None and (said or np.spec.plural) and not np.spec.reference:
        return count_clause(np, factor=factor)
    cur.pos = save
    return None


def build_resize(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    if verb[0] in _VERB_MULT:
        counted = _multiplied_count(cur, _VERB_MULT[verb[0]])
        if counted is not None:
            return [counted]
    sign = 1 if _ENLARGE & set(verb) else -1 if _SHRINK & set(verb) else 0
    items = collect(cur, [("skip", _SIZE_WORDS), ("resize", parse_resize), ("degree", parse_degree),
                          ("particle", _particle), ("np", np_target)])
    clauses: list[IntentClause] = []
    for nps, params in segments(items):
        if not nps:
            raise cur.fail("say what to resize, e.g. 'enlarge the star by 50%'")
        s = next((v for n, v in params if n == "particle"), sign)
        item = next((v for n, v in params if n == "resize"), None)
        degree = next((v for n, v in params if n == "degree" and v in lx.RESIZE_STEP), None)
        if item is not None:
            factor = resize_factor(item, s)
        elif verb[0] in _VERB_MULT:
            factor = _VERB_MULT[verb[0]]
        elif s != 0:
            step = lx.RESIZE_STEP[degree or "normal"]
            factor = round(step if s > 0 else 1 / step, 3)
        else:
            raise cur.fail("say how much, e.g. 'scale it by 150%' or 'scale it up'")
        for np in nps:
            clauses.append(clause(OpKind.RESIZE, object_spec(np), factor=factor))
    return clauses
