"""Clause builders for looks: filter verbs ("blur the background") and quantities raised or lowered
("increase the contrast", "lower the saturation")."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.attributes import filter_item
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import parse_np
from agents.parsing.numbers import amount, parse_axis, parse_degree
from agents.parsing.slots import clause, collect, np_target, object_spec, scoped, skipper
from agents.parsing.swaps import count_clause, count_item, count_of, to_number
from agents.parsing.verbs_geometry import build_flip
from state.models import IntentClause, OpKind, TargetSpec

_FILTER_SKIP = skipper(("out",), ("up",), ("down",), ("a", "bit", "of"), ("filter",), ("effect",),
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
    noise = noise_in(cur) if name == "denoise" else None  # "clean up the grain in the background"
    return [noise] if noise is not None else build_filter_named(cur, name)


_NOISE = frozenset({"noise", "grain", "graininess", "noisiness", "speckles"})


def noise_in(cur: Cursor) -> IntentClause | None:
    """ "remove the noise (from the backdrop)": denoise there, or the whole image; nothing is removed."""
    save = cur.pos
    cur.accept("the") or cur.accept("all", "the") or cur.accept("some") or cur.accept("that") or cur.accept("this")
    cur.accept("digital") or cur.accept("ugly")
    if cur.accept_any(_NOISE) is None:
        cur.pos = save
        return None
    where = TargetSpec(scope="image")
    at = cur.pos
    if cur.accept_any(frozenset({"in", "from", "on", "of", "off", "across", "over"})) is not None:
        np = parse_np(cur, "target")
        if np is None:
            cur.pos = at
        elif np.spec.scope == "object" and np.spec.noun not in lx.IMAGE_NOUNS:
            where = object_spec(np)
        else:
            where = np.spec if np.spec.scope == "background" else where
    return clause(OpKind.FILTER, where, filter="denoise", strength=1.0)


def build_filter_named(cur: Cursor, name: str | None) -> list[IntentClause]:
    """A filter clause; with ``name`` None the filter is said after the verb ("add a sepia filter")."""
    items = collect(cur, [("filter", filter_item), ("degree", parse_degree), ("skip", _FILTER_SKIP),
                          ("np", np_target)])
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
    return [clause(OpKind.FILTER, scoped(np), filter=kind, strength=lx.FILTER_STRENGTH[level])
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
        return [clause(OpKind.FILTER, TargetSpec(scope="image"), filter="denoise", strength=1.0)]
    lower = bool(_LOWER_VERBS & set(verb))
    if verb in (("more",), ("less",)) and not _names_quantity(cur):
        cur.pos -= 1
        item = count_item(cur)  # "more cats", "less trees": one more or fewer of them
        if item is not None and item.np is not None:
            return [count_clause(item.np, delta=item.delta)]
        cur.pos += 1
    if verb[0] == "add" and not _names_quantity(cur):
        from agents.parsing.verbs_objects import build_insert  # "add some flowers to the vase"

        cur.pos -= len(verb) - 1
        return build_insert(cur, verb[:1])
    if _count_change_ahead(cur):
        from agents.parsing.verbs_change import build_make  # "increase the number of stars to five"

        cur.sign = -1 if lower else 1
        try:
            return build_make(cur, verb)
        finally:
            cur.sign = 1
    items = collect(cur, [("noun", _filter_noun), ("degree", parse_degree),
                          ("skip", skipper(("of",), ("on",), ("in",), ("for",), ("to",), ("'s",), ("up",))),
                          ("amount", amount), ("np", np_target)])
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
            return [IntentClause(op=OpKind.MOVE, target=object_spec(np), params=dict(params)) for np in nps]
        raise cur.fail("say what to increase or reduce: contrast, brightness, saturation, sharpness, warmth, "
                       "noise or size")
    clauses: list[IntentClause] = []
    for noun in nouns:
        if noun == "size":
            if not nps:
                raise cur.fail("say what to resize, e.g. 'increase the size of the star'")
            step = lx.RESIZE_STEP[degree or "normal"]
            factor = round(1 / step if lower else step, 3)
            clauses.extend(clause(OpKind.RESIZE, object_spec(np), factor=factor) for np in nps)
            continue
        up, down = lx.FILTER_NOUNS[noun]
        kind = down if lower else up
        for np in nps or [None]:
            clauses.append(clause(OpKind.FILTER, scoped(np), filter=kind,
                                   strength=lx.FILTER_STRENGTH[degree or "normal"]))
    return clauses


def _count_change_ahead(cur: Cursor) -> bool:
    """ "the number of stars to five", "the circles to two": a count, not a look."""
    save = cur.pos
    try:
        if count_of(cur):
            return True
        np = parse_np(cur, "target", allow_compound=True)
        if np is None:
            return False
        if np.spec.plural and to_number(cur) is not None:
            return True
        item = count_item(cur)  # "cut it down to three birds"
        return item is not None and item.np is not None and item.count is not None
    finally:
        cur.pos = save


def _names_quantity(cur: Cursor) -> bool:
    """Whether a quantity of the image follows ("add some contrast"), not a thing ("add some flowers")."""
    save = cur.pos
    try:
        return _filter_noun(cur) is not None
    finally:
        cur.pos = save
