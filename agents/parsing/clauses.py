"""Clause builders: one per verb family, each a slot filler over the phrase rules of grammar.py.

A builder starts after its verb, fills slots (targets, colours, directions, …) until the clause ends,
and returns the IntentClauses the clause means. ``BUILDERS`` maps a verb family (lexicon.VERBS) to its
builder, so a new construct is a verb entry plus one function.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.grammar import (
    POSITION_PREPS,
    Cursor,
    NounPhrase,
    ResizeItem,
    parse_angle,
    parse_axis,
    parse_color_param,
    parse_degree,
    parse_direction,
    parse_filter_param,
    parse_np,
    parse_number,
    parse_position,
    parse_quote,
    parse_relation,
    parse_resize,
    parse_rotation_sense,
    resize_factor,
)
from agents.parsing.tokens import Token, phrase_at
from state.models import IntentClause, OpKind, TargetSpec

Item = tuple[str, Any]
Recognizer = tuple[str, Callable[[Cursor], Any]]
Builder = Callable[[Cursor, tuple[str, ...]], list[IntentClause]]


# --------------------------------------------------------------------------- slot filling


def collect(cur: Cursor, recognizers: list[Recognizer]) -> list[Item]:
    """Fill slots until the clause ends; a token no recognizer takes is recorded as unknown."""
    items: list[Item] = []
    while True:
        cur.skip_fillers()
        if cur.at_clause_end():
            return items
        for name, recognize in recognizers:
            value = recognize(cur)
            if value is not None:
                items.append((name, value))
                break
        else:
            if not cur.skip_connector():
                cur.mark_unknown()


def segments(items: list[Item]) -> list[tuple[list[NounPhrase], list[Item]]]:
    """Group slots by target: "make the circle blue and the square red" → two segments.

    Targets next to each other share the parameters after them ("the circle and the square blue");
    parameters said before any target belong to the first one; a target with no parameters of its own
    takes the previous target's ("blur the star and the circle").
    """
    groups: list[tuple[list[NounPhrase], list[Item]]] = []
    leading: list[Item] = []
    for name, value in items:
        if name == "np":
            if groups and not groups[-1][1]:
                groups[-1][0].append(value)
            else:
                groups.append(([value], leading))
                leading = []
        elif groups:
            groups[-1][1].append((name, value))
        else:
            leading.append((name, value))
    if leading:
        groups.append(([], leading))
    for i in range(1, len(groups)):
        if not groups[i][1]:
            groups[i] = (groups[i][0], groups[i - 1][1])
    return groups


def _np_target(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "target")


def _np_target_compound(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "target", allow_compound=True)


def _skipper(*phrases: tuple[str, ...]) -> Callable[[Cursor], bool | None]:
    """A recognizer for words that only decorate (returns True when it consumed one)."""
    table = frozenset(phrases)

    def skip(cur: Cursor) -> bool | None:
        n = phrase_at(cur.tokens, cur.pos, table)
        if n:
            cur.pos += n
            return True
        return None

    return skip


def _scoped(np: NounPhrase | None) -> TargetSpec:
    """The target of an image-level op (filter, rotate, flip): the whole image unless one is named."""
    if np is None:
        return TargetSpec(scope="image")
    spec = np.spec.model_copy(deep=True)
    if spec.reference == "everything" and not spec.colors and not np.post_colors:
        spec.scope, spec.reference, spec.all, spec.plural = "image", None, False, False
    return spec


def _object_spec(np: NounPhrase) -> TargetSpec:
    spec = np.spec.model_copy(deep=True)
    spec.colors = spec.colors + [c for c in np.post_colors if c not in spec.colors]
    return spec


def _clause(op: OpKind, target: TargetSpec, **params: Any) -> IntentClause:
    return IntentClause(op=op, target=target, params=params)


# --------------------------------------------------------------------------- remove


_REMOVE_DECORATION = _skipper(*lx.REMOVE_DECORATION)


def build_remove(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("skip", _REMOVE_DECORATION), ("np", _np_target_compound)])
    nps = [v for n, v in items if n == "np"]
    if not nps:
        raise cur.fail("say what to remove, e.g. 'remove the red circle'")
    clauses = []
    for np in nps:
        if np.spec.noun in ("noise", "grain"):
            clauses.append(_clause(OpKind.FILTER, TargetSpec(scope="image"), filter="denoise", strength=1.0))
        else:
            clauses.append(_clause(OpKind.REMOVE, _object_spec(np)))
    return clauses


# --------------------------------------------------------------------------- insert / place


def _np_insert(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "insert", allow_compound=True)


def _user_place(cur: Cursor) -> dict[str, Any] | None:
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


def _insert_position(cur: Cursor) -> str | None:
    return parse_position(cur, POSITION_PREPS)


_TEXT_START = frozenset({
    ("text",), ("a", "caption"), ("the", "caption"), ("caption",), ("a", "label"), ("label",), ("a", "title"),
    ("title",), ("the", "word"), ("the", "words"), ("a", "text"), ("some", "text"), ("the", "text"),
    ("a", "heading"), ("words",), ("a", "word"),
})


def _quote_ahead(cur: Cursor) -> bool:
    """Whether a quoted text comes before this clause ends: then the clause adds text."""
    save = cur.pos
    try:
        while not cur.at_clause_end():
            if cur.peek().kind == "quote":  # type: ignore[union-attr]
                return True
            cur.pos += 1
        return False
    finally:
        cur.pos = save


def build_insert(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    if _quote_ahead(cur) or phrase_at(cur.tokens, cur.pos, _TEXT_START):
        return build_text(cur, verb)
    save = cur.pos
    if parse_filter_param(cur) is not None and cur.word() != "of":
        cur.pos = save
        return build_filter_named(cur, None)
    cur.pos = save
    items = collect(cur, [
        ("relation", parse_relation), ("relation", _user_place), ("position", _insert_position),
        ("np", _np_insert),
    ])
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
                out[name] = value
            target = TargetSpec(phrase=spec.phrase, noun=spec.noun, colors=list(spec.colors), size=spec.size,
                                plural=count > 1)
            clauses.append(IntentClause(op=OpKind.INSERT, target=target, params=out))
    if not clauses:
        raise cur.fail("say what to add, e.g. 'add a red star at the top'")
    return clauses


def build_place(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """put / place: an existing thing moves ("put the circle on the left"), a new one is inserted."""
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


# --------------------------------------------------------------------------- make / turn / change


_COLOR_OF = _skipper(
    ("the", "color", "of"), ("the", "colour", "of"), ("'s", "color"), ("'s", "colour"), ("its", "color"),
    ("its", "colour"), ("color", "of"), ("colour", "of"), ("the", "color"), ("the", "colour"),
    ("their", "color"), ("their", "colour"), ("'s", "colors"), ("'s", "colours"),
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


def _filter_item(cur: Cursor) -> tuple[str, str] | None:
    save = cur.pos
    found = parse_filter_param(cur)
    if found is None:
        return None
    # "dark red" / "light blue" are colours, not looks
    if found[0] in ("darken", "brighten") and lx.canonical_color(cur.word() or "") is not None:
        cur.pos = save
        return None
    return found


def _angle_item(cur: Cursor) -> float | None:
    return parse_angle(cur)


_SENSE_ONLY = {("clockwise",): 1, ("cw",): 1, ("counterclockwise",): -1, ("counter", "clockwise"): -1,
               ("anticlockwise",): -1, ("anti", "clockwise"): -1, ("ccw",): -1}


def _sense_item(cur: Cursor) -> int | None:
    return cur.take(_SENSE_ONLY)


def _remove_tail(cur: Cursor) -> bool | None:
    """ "disappear", "go away", "gone", "out of here": what makes "make X …" / "get X …" a removal."""
    n = phrase_at(cur.tokens, cur.pos, lx.REMOVE_TAILS)
    if not n:
        return None
    cur.pos += n
    _REMOVE_DECORATION(cur)
    return True


MAKE_RECOGNIZERS: list[Recognizer] = [
    ("skip", _COLOR_OF), ("from_color", _from_color), ("filter", _filter_item), ("color", parse_color_param),
    ("resize", parse_resize), ("angle", _angle_item), ("sense", _sense_item), ("degree", parse_degree),
    ("remove", _remove_tail),
    ("skip", _skipper(("look",), ("appear",), ("seem",), ("be",), ("more",), ("to", "be"), ("to", "look"))),
    ("np", _np_target),
]


def _apply_params(cur: Cursor, target_np: NounPhrase | None, params: list[Item]) -> list[IntentClause]:
    degree = next((v for n, v in params if n == "degree" and v != "all"), None)
    sense = next((v for n, v in params if n == "sense"), 1)
    clauses: list[IntentClause] = []
    params = list(params)
    if target_np is not None and target_np.post_colors and not any(n == "color" for n, _ in params):
        params.append(("color", target_np.post_colors[-1]))  # "make everything red"
        target_np = NounPhrase(target_np.spec, post_colors=[])
    from_colors = [v for n, v in params if n == "from_color"]
    for name, value in params:
        if name == "color":
            if target_np is None:
                raise cur.fail("say what to recolor, e.g. 'make the circle blue'")
            spec = _object_spec(target_np)
            spec.colors = spec.colors or from_colors
            clauses.append(_clause(OpKind.RECOLOR, spec, color=value))
        elif name == "filter":
            kind, own = value
            level = own if own != "normal" or degree is None else degree
            clauses.append(_clause(OpKind.FILTER, _scoped(target_np), filter=kind,
                                   strength=lx.FILTER_STRENGTH.get(level, 1.0)))
        elif name == "resize":
            if target_np is None:
                raise cur.fail("say what to resize, e.g. 'make the star bigger'")
            item: ResizeItem = value
            if item.kind == "cmp" and degree is not None and item.value == lx.RESIZE_STEP["normal"]:
                item = ResizeItem("cmp", lx.RESIZE_STEP.get(degree, item.value), item.sign)
            clauses.append(_clause(OpKind.RESIZE, _object_spec(target_np), factor=resize_factor(item, 0)))
        elif name == "angle":
            clauses.append(_clause(OpKind.ROTATE, _scoped(target_np), angle=float(value) * sense))
        elif name == "remove":
            if target_np is None:
                raise cur.fail("say what to remove, e.g. 'make the red circle disappear'")
            clauses.append(_clause(OpKind.REMOVE, _object_spec(target_np)))
    return clauses


def build_make(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, MAKE_RECOGNIZERS)
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


# --------------------------------------------------------------------------- move


def _move_position(cur: Cursor) -> str | None:
    save = cur.pos
    place = parse_position(cur, POSITION_PREPS)
    if place in ("left", "right", "top", "bottom"):
        cur.pos = save
        return None
    return place


def _amount(cur: Cursor) -> tuple[str, float] | None:
    """ "by 50 pixels", "50px", "20%", "a few pixels", "halfway"."""
    save = cur.pos
    cur.accept("by") or cur.accept("about") or cur.accept("around") or cur.accept("roughly")
    if cur.accept("a", "few", "pixels") or cur.accept("a", "couple", "of", "pixels") or cur.accept(
            "a", "few", "px"):
        return "px", 10.0
    if cur.accept("halfway") or cur.accept("half", "way") or cur.accept("half", "the", "way"):
        return "fraction", 0.5
    value = parse_number(cur)
    if value is None:
        cur.pos = save
        return None
    if cur.accept_any(lx.PIXEL_UNITS):
        return "px", value
    if cur.accept_any(lx.PERCENT_UNITS):
        cur.accept("cent")
        return "fraction", value / 100
    if cur.word() in lx.DIRECTION_WORDS or cur.word() == "to" or cur.at_clause_end():
        return "px", value  # "move it 30 to the left"
    cur.pos = save
    return None


def _combine_directions(dirs: list[str]) -> str | None:
    vertical = next((d for d in dirs if d in ("up", "down")), None)
    horizontal = next((d for d in dirs if d in ("left", "right")), None)
    if vertical and horizontal:
        return f"{vertical}-{horizontal}"
    return vertical or horizontal


MOVE_RECOGNIZERS: list[Recognizer] = [
    ("relation", parse_relation), ("relation", _user_place), ("position", _move_position),
    ("direction", parse_direction), ("amount", _amount), ("degree", parse_degree),
    ("skip", _skipper(("over",), ("diagonally",), ("back",), ("across",), ("a", "little", "over"), ("further",),
                      ("farther",), ("even", "further"), ("even", "farther"))),
    ("np", _np_target),
]


def build_move(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, MOVE_RECOGNIZERS)
    if verb in (("raise",), ("lift",)):
        items.append(("direction", "up"))
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
        out = _move_params(cur, params)
        for np in nps:
            clauses.append(IntentClause(op=OpKind.MOVE, target=_object_spec(np), params=dict(out)))
    return clauses


def _move_params(cur: Cursor, params: list[Item]) -> dict[str, Any]:
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


# --------------------------------------------------------------------------- take / want


def build_take(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """ "take the blue one away / out" removes; "take the star to the left" moves."""
    save = cur.pos
    items = collect(cur, [("remove", _remove_tail), ("skip", _REMOVE_DECORATION), ("np", _np_target_compound)])
    if any(n == "remove" for n, _ in items) and not cur.unknown:
        nps = [v for n, v in items if n == "np"]
        if not nps:
            raise cur.fail("say what to take away, e.g. 'take the red circle away'")
        return [_clause(OpKind.REMOVE, _object_spec(np)) for np in nps]
    cur.pos, cur.unknown = save, []
    return build_move(cur, verb)


def _names_new_thing(cur: Cursor) -> bool:
    """Whether an indefinite noun phrase starts here ("a black circle", "two stars", "another one")."""
    save = cur.pos
    np = parse_np(cur, "insert", allow_compound=True)
    cur.pos = save
    return np is not None and np.indefinite and not np.definite


def build_want(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """A wish: "I want a black circle" adds it; "I'd like the circle in cyan" / "I want it gone" change it."""
    cur.accept("to", "have") or cur.accept("to", "see") or cur.accept("to", "add")
    if _quote_ahead(cur) or _names_new_thing(cur):
        return build_insert(cur, verb)
    return build_make(cur, verb)


# --------------------------------------------------------------------------- resize


_ENLARGE = frozenset({"enlarge", "grow", "magnify", "expand", "upscale", "maximize", "widen", "inflate", "double",
                      "triple", "blow", "up"})
_SHRINK = frozenset({"shrink", "downscale", "minimize", "compress", "halve", "down"})
_VERB_MULT = {"double": 2.0, "triple": 3.0, "halve": 0.5}
_SIZE_WORDS = _skipper(("the", "size", "of"), ("its", "size"), ("their", "size"), ("in", "size"), ("the", "size"),
                       ("size", "of"), ("'s", "size"), ("size",))


def _particle(cur: Cursor) -> int | None:
    if cur.accept("up"):
        return 1
    if cur.accept("down"):
        return -1
    return None


def build_resize(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    sign = 1 if _ENLARGE & set(verb) else -1 if _SHRINK & set(verb) else 0
    items = collect(cur, [("skip", _SIZE_WORDS), ("resize", parse_resize), ("degree", parse_degree),
                          ("particle", _particle), ("np", _np_target)])
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
            clauses.append(_clause(OpKind.RESIZE, _object_spec(np), factor=factor))
    return clauses


# --------------------------------------------------------------------------- filters


_FILTER_SKIP = _skipper(("out",), ("up",), ("down",), ("a", "bit", "of"), ("filter",), ("effect",),
                        ("the", "colors", "of"), ("the", "colours", "of"), ("to",), ("on",), ("over",),
                        ("for",), ("across",), ("with",), ("using",), ("by", "applying"))


def build_filter(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    name = lx.FILTER_VERBS[verb]
    if name == "invert":
        save = cur.pos
        np = parse_np(cur, "target")
        if parse_axis(cur) is not None:
            cur.pos = save
            return build_flip(cur, verb)
        cur.pos = save
        del np
    return build_filter_named(cur, name)


def build_filter_named(cur: Cursor, name: str | None) -> list[IntentClause]:
    """A filter clause; with ``name`` None the filter is said after the verb ("add a sepia filter")."""
    items = collect(cur, [("filter", _filter_item), ("degree", parse_degree), ("skip", _FILTER_SKIP),
                          ("np", _np_target)])
    named = [v for n, v in items if n == "filter"]
    if name is None and not named:
        raise cur.fail("say which look to apply, e.g. 'add a sepia filter'")
    degree = next((v for n, v in items if n == "degree" and v in lx.FILTER_STRENGTH), None)
    if name is not None:
        # "soften the background with a strong blur": the look named after the verb adds to it
        same = next((d for k, d in named if k == name and d != "normal"), None)
        filters = [(name, degree or same or "normal")] + [(k, d) for k, d in named if k != name]
    else:
        filters = [(k, d if d != "normal" else degree or "normal") for k, d in named]
    nps = [v for n, v in items if n == "np"] or [None]
    return [_clause(OpKind.FILTER, _scoped(np), filter=kind, strength=lx.FILTER_STRENGTH[level])
            for np in nps for kind, level in filters]


def _filter_noun(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("the") or cur.accept("some") or cur.accept("a", "bit", "of") or cur.accept("its") or cur.accept(
        "overall") or cur.accept("'s")
    w = cur.word()
    if w in lx.FILTER_NOUNS or w == "size":
        cur.pos += 1
        cur.accept("level") or cur.accept("levels")
        return w
    cur.pos = save
    return None


_LOWER_VERBS = frozenset({"lower", "reduce", "decrease", "less", "tone", "cut", "weaken", "diminish", "down"})


def build_adjust(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """increase / boost / lower / reduce + a quantity: contrast, saturation, brightness, size, …"""
    if verb[-1] == "noise":
        return [_clause(OpKind.FILTER, TargetSpec(scope="image"), filter="denoise", strength=1.0)]
    lower = bool(_LOWER_VERBS & set(verb))
    items = collect(cur, [("noun", _filter_noun), ("degree", parse_degree),
                          ("skip", _skipper(("of",), ("on",), ("in",), ("for",), ("to",), ("'s",), ("up",))),
                          ("amount", _amount), ("np", _np_target)])
    nouns = [v for n, v in items if n == "noun"]
    nps = [v for n, v in items if n == "np"]
    degree = next((v for n, v in items if n == "degree" and v in lx.FILTER_STRENGTH), None)
    if not nouns:
        if nps and verb[0] in ("lower", "raise"):
            # "lower the circle": a move
            params = {"direction": "down" if lower else "up", "amount_px": None, "amount_fraction": None,
                      "degree": degree or "normal"}
            for name, value in items:
                if name == "amount":
                    params["amount_px" if value[0] == "px" else "amount_fraction"] = (
                        int(value[1]) if value[0] == "px" else value[1])
            return [IntentClause(op=OpKind.MOVE, target=_object_spec(np), params=dict(params)) for np in nps]
        raise cur.fail("say what to increase or reduce: contrast, brightness, saturation, sharpness, warmth, "
                       "noise or size")
    clauses: list[IntentClause] = []
    for noun in nouns:
        if noun == "size":
            if not nps:
                raise cur.fail("say what to resize, e.g. 'increase the size of the star'")
            step = lx.RESIZE_STEP[degree or "normal"]
            factor = round(1 / step if lower else step, 3)
            clauses.extend(_clause(OpKind.RESIZE, _object_spec(np), factor=factor) for np in nps)
            continue
        up, down = lx.FILTER_NOUNS[noun]
        kind = down if lower else up
        for np in nps or [None]:
            clauses.append(_clause(OpKind.FILTER, _scoped(np), filter=kind,
                                   strength=lx.FILTER_STRENGTH[degree or "normal"]))
    return clauses


# --------------------------------------------------------------------------- text


_TEXT_SKIP = _skipper(
    ("text",), ("the", "text"), ("a", "text"), ("some", "text"), ("caption",), ("a", "caption"),
    ("the", "caption"), ("label",), ("a", "label"), ("title",), ("a", "title"), ("heading",), ("a", "heading"),
    ("the", "word"), ("the", "words"), ("word",), ("words",), ("saying",), ("that", "says"), ("which", "says"),
    ("reading",), ("that", "reads"), ("with", "the", "text"), ("with", "the", "words"), ("with", "the", "word"),
    ("says",), ("that", "said"), ("with",), ("a", "word"), ("the", "label"), ("the", "title"), ("in",),
)
_LETTERS = frozenset({"letters", "letter", "font", "type", "print", "text", "lettering", "writing", "ink"})


def _text_size(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("in") and (cur.accept("a") or cur.accept("an"))
    w = cur.word()
    if w in lx.SIZE_ADJECTIVES:
        cur.pos += 1
        cur.accept_any(_LETTERS)
        return lx.SIZE_ADJECTIVES[w]
    cur.pos = save
    return None


def _text_color(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("in")
    cur.accept_any(frozenset({"dark", "light", "bright"}))
    color = lx.canonical_color(cur.word() or "")
    if color is None:
        cur.pos = save
        return None
    cur.pos += 1
    cur.accept_any(_LETTERS | {"colored", "coloured"})
    return color


_TEXT_MARKERS = frozenset({"text", "word", "words", "saying", "says", "reads", "caption", "label", "title",
                           "heading", "write", "letter", "type", "print"})


_PLACEHOLDERS = frozenset({"something", "anything", "stuff", "whatever", "some"})
_GREETINGS = frozenset({"hello", "hi", "hey", "thanks", "ok", "okay", "yes", "no", "welcome"})


def _unquoted_text(cur: Cursor) -> None:
    """Unquoted text to draw becomes a quote token: a run of words typed Capitalised or in CAPITALS
    ("write SALE at the top", "caption it Happy Birthday"), or one unknown word right after the verb or
    after "text"/"word"/"saying" ("write hello"). Only when the clause has no quoted text."""
    if _quote_ahead(cur):
        return
    start = cur.pos
    end = start
    while end < len(cur.tokens) and cur.tokens[end].kind != "sep":
        end += 1
    run: list[int] = []
    for i in range(start, end):
        tok = cur.tokens[i]
        typed = tok.raw if tok.kind == "word" else ""
        capital = len(typed) > 0 and typed[0].isupper() and typed != "I" and not (
            typed in ("A", "An") and i + 1 < end and cur.tokens[i + 1].kind == "word")
        if capital and (not run or run[-1] == i - 1):
            run.append(i)
        elif run:
            break
    if not run:
        prev = cur.tokens[start - 1].word if start > 0 else ""
        i = start
        while i < end and cur.tokens[i].word in _TEXT_MARKERS | {"the", "a", "some"}:
            prev, i = cur.tokens[i].word, i + 1
        word = cur.tokens[i].word if i < end else ""
        following = cur.tokens[i + 1].word if i + 1 < end else ""
        if i < end and cur.tokens[i].kind == "word" and prev in _TEXT_MARKERS and (
                not lx.is_known(word) or word in _GREETINGS) and word not in _PLACEHOLDERS and (
                not following or lx.is_known(following)):
            run = [i]
    if run:
        text = " ".join(cur.tokens[i].raw or cur.tokens[i].word for i in run)
        cur.tokens = [*cur.tokens[:run[0]], Token(text, "quote", raw=text), *cur.tokens[run[-1] + 1:]]


def build_text(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    _unquoted_text(cur)
    items = collect(cur, [
        ("quote", parse_quote), ("color", _text_color), ("size", _text_size), ("relation", parse_relation),
        ("position", _insert_position), ("skip", _TEXT_SKIP), ("np", _np_target),
    ])
    quotes = [v for n, v in items if n == "quote"]
    if not quotes:
        raise cur.fail("put the text to draw in quotes, e.g. add text 'SALE' at the top")
    params: dict[str, Any] = {
        "position": next((v for n, v in items if n == "position"), None),
        "color": next((v for n, v in items if n == "color"), None),
        "size": next((v for n, v in items if n == "size"), "medium"),
    }
    relation = next((v for n, v in items if n == "relation"), None)
    anchor = next((v for n, v in items if n == "np"), None)
    if relation is None and anchor is not None:
        relation = {"rel": "below" if verb[0] == "label" else "on", "anchor": anchor.spec}  # "label the star 'A'"
    if relation is not None:
        params["relation"] = relation
    return [IntentClause(op=OpKind.TEXT, target=TargetSpec(phrase=q, noun="text", scope="image"),
                         params={"text": q, **params}) for q in quotes]


# --------------------------------------------------------------------------- crop / rotate / flip


_CROP_REGIONS = {
    ("left", "half"): "left-half", ("right", "half"): "right-half", ("top", "half"): "top-half",
    ("bottom", "half"): "bottom-half", ("upper", "half"): "top-half", ("lower", "half"): "bottom-half",
    ("left", "side"): "left-half", ("right", "side"): "right-half", ("top", "part"): "top-half",
    ("bottom", "part"): "bottom-half", ("center",): "center", ("centre",): "center", ("middle",): "center",
    ("square",): "square", ("a", "square"): "square", ("square", "format"): "square",
    ("a", "square", "format"): "square", ("the", "middle"): "center", ("the", "center"): "center",
    ("the", "centre"): "center", ("left", "part"): "left-half", ("right", "part"): "right-half",
}


def _crop_region(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("to") or cur.accept("into") or cur.accept("out")
    cur.accept("just")
    had_the = cur.accept("the")
    region = cur.take(_CROP_REGIONS)
    if region is None or (had_the and region == "square" and cur.tokens[cur.pos - 1].word == "square"):
        cur.pos = save
        return None
    cur.accept("of", "the", "image") or cur.accept("of", "the", "picture") or cur.accept("of", "the", "photo")
    cur.accept("part") or cur.accept("area") or cur.accept("crop")
    return region


def _margin(cur: Cursor) -> float | None:
    if cur.accept("tightly") or cur.accept("tight") or cur.accept("closely"):
        return 0.02
    if cur.accept("loosely") or cur.accept("with", "some", "margin") or cur.accept("with", "a", "margin") or \
            cur.accept("with", "some", "padding") or cur.accept("with", "padding"):
        return 0.2
    return None


def build_crop(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("region", _crop_region), ("margin", _margin),
                          ("skip", _skipper(("to",), ("around",), ("on",), ("in",), ("it", "down"))),
                          ("np", _np_target)])
    region = next((v for n, v in items if n == "region"), None)
    margin = next((v for n, v in items if n == "margin"), None)
    objects = [v for n, v in items if n == "np" and v.spec.scope != "image"]
    if region is not None:
        return [_clause(OpKind.CROP, TargetSpec(scope="image"), region=region, margin=margin or 0.0)]
    if objects:
        return [_clause(OpKind.CROP, _object_spec(objects[0]), margin=margin if margin is not None else 0.1)]
    raise cur.fail("say what to crop to: an object ('crop to the circle'), a half ('the left half') or "
                   "'a square'")


def build_rotate(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("angle", _angle_item), ("sense", parse_rotation_sense),
                          ("skip", _skipper(("by",), ("it", "round"), ("round",))), ("np", _np_target)])
    angle = next((v for n, v in items if n == "angle"), 90.0)
    sense = next((v for n, v in items if n == "sense"), 1)
    nps = [v for n, v in items if n == "np"] or [None]
    return [_clause(OpKind.ROTATE, _scoped(np), angle=float(angle) * sense) for np in nps]


def build_flip(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("axis", parse_axis), ("skip", _skipper(("it", "over"), ("around",))),
                          ("np", _np_target)])
    axis = next((v for n, v in items if n == "axis"), "horizontal")
    nps = [v for n, v in items if n == "np"] or [None]
    return [_clause(OpKind.FLIP, _scoped(np), axis=axis) for np in nps]


# --------------------------------------------------------------------------- the table


BUILDERS: dict[str, Builder] = {
    "remove": build_remove,
    "insert": build_insert,
    "place": build_place,
    "take": build_take,
    "want": build_want,
    "make": build_make,
    "move": build_move,
    "resize": build_resize,
    "filter": build_filter,
    "adjust": build_adjust,
    "text": build_text,
    "crop": build_crop,
    "rotate": build_rotate,
    "flip": build_flip,
}
# Verbs that only start a clause at the start of a message, never after "and" ("… and more contrast").
_ONLY_FIRST = frozenset({("more",), ("less",), ("tone",), ("cut",), ("get",), ("set",), ("frame",), ("type",),
                         ("print",), ("drop",), ("lose",), ("title",), ("letter",), ("give",), ("have",),
                         ("take",)})


def verb_at(cur: Cursor) -> bool:
    found = cur.match(lx.VERBS)
    if found is None:
        return False
    words = tuple(t.word for t in cur.tokens[cur.pos:cur.pos + found[1]])
    return words not in _ONLY_FIRST


def take_verb(cur: Cursor) -> tuple[str, tuple[str, ...]] | None:
    """The verb at the cursor: (family, words), consumed."""
    found = cur.match(lx.VERBS)
    if found is None:
        return None
    family, n = found
    words = tuple(t.word for t in cur.tokens[cur.pos:cur.pos + n])
    cur.pos += n
    return family, words


_DEGREE_FAMILIES = frozenset({"make", "move", "resize", "filter", "adjust", "rotate"})


def _adverb_after_verb(cur: Cursor) -> None:
    """ "completely desaturate the photo", "slightly blur the background": a degree said before the
    verb is moved after it, where the clause builders read degrees."""
    start = cur.pos
    if parse_degree(cur) is None:
        return
    end = cur.pos
    # At the start of the message any verb may follow ("a little less saturation").
    found = cur.match(lx.VERBS) if verb_at(cur) or not any(t.is_word for t in cur.tokens[:start]) else None
    if found is None and end - start > 1:
        cur.pos = end = end - 1  # "a bit more contrast": the degree's last word is the verb
        found = cur.match(lx.VERBS)
    if found is not None:
        family, n = found
        tokens = cur.tokens
        # Removals and the like have no degree: "really remove the circle" is just a removal.
        degree = tokens[start:end] if family in _DEGREE_FAMILIES else []
        cur.tokens = tokens[:start] + tokens[end:end + n] + degree + tokens[end + n:]
    cur.pos = start


def parse_clauses(cur: Cursor) -> list[IntentClause]:
    """Every clause of the message; unknown words are collected on the cursor, not raised here."""
    clauses: list[IntentClause] = []
    while True:
        while not cur.at_end and (cur.peek().kind == "sep" or cur.skip_connector()):  # type: ignore[union-attr]
            if cur.peek() is not None and cur.peek().kind == "sep":  # type: ignore[union-attr]
                cur.pos += 1
        cur.skip_prefixes()
        if cur.at_end:
            return clauses
        _adverb_after_verb(cur)
        verb = take_verb(cur)
        if verb is None and rewrite_predicate(cur):
            verb = take_verb(cur)
        if verb is None:
            _stray_words(cur)
            continue
        family, words = verb
        if family != "text":  # "write Hello": a filler word may be the text itself
            cur.skip_fillers()
        cur.clause_start = cur.pos
        clauses.extend(BUILDERS[family](cur, words))


# --------------------------------------------------------------------------- subject first

# "<thing> should be blue": what the thing should be or look like, said after it.
_SHOULD_BE: frozenset[tuple[str, ...]] = frozenset({
    *((*modal, verb) for modal in (
        ("should",), ("must",), ("could",), ("can",), ("needs", "to"), ("need", "to"), ("has", "to"), ("have", "to"),
        ("ought", "to"), ("is", "supposed", "to"), ("are", "supposed", "to"), ("would", "be", "better"),
        ("would", "look", "better"), ("will",), ("wants", "to"), ("might",))
      for verb in ("be", "look", "become", "get", "turn")),
    ("would", "look", "better"), ("would", "be", "better"), ("would", "look", "nicer"), ("looks", "better"),
})
# "<thing> should go (away / to the left)": leave the picture, or move.
_SHOULD_GO: frozenset[tuple[str, ...]] = frozenset({
    *((*modal, verb) for modal in (
        ("should",), ("must",), ("can",), ("needs", "to"), ("need", "to"), ("has", "to"), ("have", "to"),
        ("ought", "to"), ("is", "supposed", "to"), ("will",))
      for verb in ("go", "move", "disappear", "vanish", "leave")),
    ("goes",), ("go",), ("moves",), ("move",), ("disappears",), ("vanishes",),
})
_COPULA: frozenset[str] = frozenset({"is", "are", "looks", "look", "seems", "seem", "appears", "feels"})
# "<thing> is too small" asks for the opposite.
_TOO: dict[str, str] = {
    "small": "bigger", "tiny": "bigger", "little": "bigger", "short": "bigger", "big": "smaller", "large": "smaller",
    "huge": "smaller", "tall": "smaller", "dark": "brighter", "dim": "brighter", "bright": "darker",
    "light": "darker", "blurry": "sharper", "fuzzy": "sharper", "saturated": "less saturated",
    "colorful": "less saturated", "dull": "more vivid", "pale": "more vivid", "flat": "more contrast",
}


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def rewrite_predicate(cur: Cursor) -> bool:
    """Subject-first phrasings as the imperative the clause builders read, in the token list:
    "the star should be blue" → "make the star blue", "it needs to be bigger" → "make it bigger",
    "the circle is too small" → "make the circle bigger", "the star should go away" → "remove the star",
    "the star should go to the left" → "move the star to the left". False (nothing changed) otherwise."""
    start, unknown = cur.pos, len(cur.unknown)
    np = parse_np(cur, "target")
    if np is None or np.place:
        cur.pos = start
        del cur.unknown[unknown:]
        return False
    subject = cur.tokens[start:cur.pos]
    after = cur.pos
    head: list[Token] | None = None
    n = phrase_at(cur.tokens, after, _SHOULD_BE)
    if n:
        cur.pos = after + n
        placed = cur.tokens[after + n - 1].word == "be" and (
            parse_position(cur, POSITION_PREPS) is not None or parse_relation(cur) is not None)
        head = [_tok("move" if placed else "make"), *subject]  # "should be on the left" is a place
    else:
        n = phrase_at(cur.tokens, after, _SHOULD_GO)
        if n:
            cur.pos = after + n
            said = cur.tokens[after + n - 1].word
            if said in ("disappear", "vanish", "leave", "disappears", "vanishes") or (
                    said in ("go", "goes") and (cur.at_clause_end() or phrase_at(cur.tokens, cur.pos, lx.REMOVE_TAILS))):
                head = [_tok("remove"), *subject]  # "the star has to go (away)"
            else:
                head = [_tok("move"), *subject]
    cur.pos = after
    if head is None and cur.word() in _COPULA:
        k = 1
        degree: list[Token] = []
        while cur.word(k) in ("a", "bit", "little", "way", "much", "far", "slightly", "kind", "of", "rather"):
            degree.append(cur.tokens[cur.pos + k])
            k += 1
        if cur.word(k) == "too" and cur.word(k + 1) in _TOO:
            kept = [t for t in degree if t.word not in ("kind", "of", "rather")]
            head = [_tok("make"), *subject, *kept, *(_tok(w) for w in _TOO[cur.word(k + 1)].split())]  # type: ignore[index]
            n = k + 2
    if head is None:
        cur.pos = start
        del cur.unknown[unknown:]  # the words are reported once, by whoever reads them next
        return False
    del cur.unknown[unknown:]
    cur.tokens = [*cur.tokens[:start], *head, *cur.tokens[cur.pos + n:]]
    cur.pos = start
    return True


def _stray_words(cur: Cursor) -> None:
    """Words before any verb: the unknown ones are reported; all known means the verb is missing."""
    start = cur.pos
    while not cur.at_end and not cur.at_clause_end() and not verb_at(cur):
        cur.pos += 1
    words = [t.word for t in cur.tokens[start:cur.pos] if t.kind in ("word", "number", "quote")]
    unknown = [w for w in words if not lx.is_known(w)]
    content = [w for w in words if w not in lx.FILLERS and w not in lx.DETERMINERS]
    cur.unknown.extend(unknown or content or words)
