"""Numbers and degrees: counts, ordinals, "a bit" / "a lot", size changes, amounts, angles and axes."""

from __future__ import annotations

from dataclasses import dataclass

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor


def parse_number(cur: Cursor) -> float | None:
    tok = cur.peek()
    if tok is None:
        return None
    if tok.kind == "number":
        cur.pos += 1
        return tok.value
    if tok.word in lx.NUMBER_WORDS and tok.kind == "word":
        cur.pos += 1
        value = float(lx.NUMBER_WORDS[tok.word])
        if cur.word() == "hundred":  # "two hundred"
            cur.pos += 1
            value *= 100
        return value
    return None


def parse_count(cur: Cursor) -> int | None:
    """A count before a noun: "two", "3", "a couple of", "some"."""
    save = cur.pos
    quantity = cur.take(lx.QUANTITY_PHRASES)
    if quantity is not None:
        return quantity
    value = parse_number(cur)
    if value is not None and value == int(value) and value >= 1:
        return int(value)
    cur.pos = save
    return None


def parse_ordinal(cur: Cursor) -> int | None:
    """first … tenth, 1st, last, second to last / second last (→ -2)."""
    w = cur.word()
    if w is None or w not in lx.ORDINALS:
        return None
    value = lx.ORDINALS[w]
    cur.pos += 1
    if value > 1 and (cur.accept("to", "last") or cur.accept("last") or cur.accept("from", "last")):
        return -value
    return value


def parse_degree(cur: Cursor) -> str | None:
    """How much: "a bit", "slightly" → bit; "a lot", "much" → lot."""
    if cur.accept("all", "the", "way"):
        return "all"
    found = cur.match(lx.DEGREE_PHRASES)
    if found is None:
        return None
    value, n = found
    # "a lot of stars" is a quantity; "more contrast" is left to the filter rules.
    if cur.word(n) == "of" or value == "normal":
        return None
    cur.pos += n
    return value


@dataclass
class ResizeItem:
    """A size change as said: a multiplier, a percentage, or a comparative with a degree."""

    kind: str  # "mult" | "pct" | "abs_pct" | "cmp"
    value: float
    sign: int = 0  # +1 bigger, -1 smaller, 0 unsaid


_BIGGER = frozenset({"bigger", "larger", "greater", "taller", "wider", "huger", "big", "large", "up"})
_SMALLER = frozenset({"smaller", "tinier", "shorter", "narrower", "littler", "small", "down"})


def _comparative(cur: Cursor) -> int:
    w = cur.word()
    if w in _BIGGER and w not in ("big", "large", "up"):
        cur.pos += 1
        return 1
    if w in _SMALLER and w not in ("small", "down"):
        cur.pos += 1
        return -1
    return 0


def parse_resize(cur: Cursor) -> ResizeItem | None:
    """ "twice as big", "2x", "by 150%", "50% bigger", "half the size", "a bit smaller", "3 times larger"."""
    save = cur.pos
    cur.accept("to") or cur.accept("by")
    if cur.accept("a", "factor", "of"):
        value = parse_number(cur)
        if value is None:
            cur.pos = save
            return None
        return ResizeItem("mult", value, _comparative(cur))
    for words, part in ((("a", "quarter"), 0.25), (("one", "quarter"), 0.25), (("a", "third"), 1 / 3),
                        (("one", "third"), 1 / 3), (("a", "fifth"), 0.2), (("three", "quarters"), 0.75)):
        if cur.accept(*words):
            if cur.accept("of", "the", "size") or cur.accept("the", "size") or cur.accept("of", "its", "size") or \
                    cur.accept("as", "big") or cur.accept("as", "large") or cur.accept("size"):
                return ResizeItem("mult", part, 0)  # "a quarter of the size"
            cur.pos = save
            break
    w = cur.word()
    if w in lx.MULTIPLIERS:
        cur.pos += 1
        mult = lx.MULTIPLIERS[w]
        if cur.accept("as"):
            if cur.accept_any(_BIGGER):
                cur.accept("as", "before") or cur.accept("as", "it", "is") or cur.accept("as", "now")
                return ResizeItem("mult", mult, 0)  # "half as big" is 0.5, "twice as big" 2
            if cur.accept_any(_SMALLER):
                return ResizeItem("mult", 1 / mult if mult > 1 else mult, 0)
            cur.pos = save
            return None
        if cur.accept("the", "size") or cur.accept("its", "size") or cur.accept("size") or cur.accept(
                "of", "the", "size") or cur.accept("of", "its", "size"):
            cur.accept("of", "it") or cur.accept("of", "that")
            return ResizeItem("mult", mult, 0)
        sign = _comparative(cur)
        return ResizeItem("mult", mult, sign)
    value = parse_number(cur)
    if value is not None:
        if cur.accept_any(lx.PERCENT_UNITS):
            cur.accept("cent")
            sign = _comparative(cur)
            kind = "abs_pct" if cur.tokens[save].word == "to" else "pct"
            return ResizeItem(kind, value, sign)
        if cur.accept("x") or cur.accept("times"):
            cur.accept("as")
            sign = _comparative(cur)
            if sign == 0 and cur.accept_any(_BIGGER):
                sign = 1
            elif sign == 0 and cur.accept_any(_SMALLER):
                return ResizeItem("mult", 1 / value if value > 1 else value, 0)
            cur.accept("the", "size") or cur.accept("size")
            return ResizeItem("mult", value, sign)
        cur.pos = save
        return None
    if cur.word() == "x" and cur.peek(1) is not None and cur.peek(1).kind == "number":  # type: ignore[union-attr]
        cur.pos += 1
        value = parse_number(cur)
        return ResizeItem("mult", value or 1.0, 0)
    degree = parse_degree(cur)
    sign = _comparative(cur)
    if sign == 0 and degree is not None and cur.accept("more"):
        cur.pos = save
        return None
    if sign == 0:
        cur.pos = save
        return None
    cur.accept("in", "size") or cur.accept("than", "before") or cur.accept("than", "now")
    return ResizeItem("cmp", lx.RESIZE_STEP[degree if degree in lx.RESIZE_STEP else "normal"], sign)


def resize_factor(item: ResizeItem, verb_sign: int) -> float:
    """The scale factor an item means, given the verb's own direction (enlarge +1, shrink -1)."""
    sign = item.sign or verb_sign
    if item.kind == "cmp":
        factor = item.value if sign >= 0 else 1 / item.value
    elif item.kind == "mult":
        factor = item.value
        if sign < 0 and factor > 1:
            factor = 1 / factor
        elif sign > 0 and factor < 1:
            factor = 1 + factor  # "enlarge by half"
    elif item.kind == "abs_pct":
        factor = item.value / 100
    else:  # "by 150%", "50% bigger", "shrink by 20%"
        pct = item.value / 100
        if sign > 0:
            factor = pct if pct > 1 else 1 + pct
        elif sign < 0:
            factor = 1 - pct if pct < 1 else 1 / pct
        else:
            factor = pct
    return round(factor, 3)


def parse_angle(cur: Cursor) -> float | None:
    """An angle in degrees: "90 degrees", "45°", "by 30 deg", "a quarter turn", "upside down" (180)."""
    save = cur.pos
    cur.accept("by")
    if cur.accept("upside", "down") or cur.accept("around") or cur.accept("half", "a", "turn") or cur.accept(
            "a", "half", "turn") or cur.accept("180"):
        return 180.0
    if cur.accept("a", "quarter", "turn") or cur.accept("a", "quarter") or cur.accept("sideways") or cur.accept(
            "on", "its", "side"):
        return 90.0
    value = parse_number(cur)
    if value is not None and cur.accept_any(lx.DEGREE_UNITS):
        return value
    cur.pos = save
    return None


def parse_rotation_sense(cur: Cursor) -> int | None:
    return cur.take(lx.CLOCKWISE)


def parse_axis(cur: Cursor) -> str | None:
    """horizontally / vertically / "upside down" / "left to right"."""
    return cur.take(_AXES)


_AXES: dict[tuple[str, ...], str] = {
        ("horizontally",): "horizontal", ("horizontal",): "horizontal", ("left", "to", "right"): "horizontal",
        ("right", "to", "left"): "horizontal", ("left", "right"): "horizontal", ("sideways",): "horizontal",
        ("along", "the", "vertical", "axis"): "horizontal", ("vertically",): "vertical",
        ("vertical",): "vertical", ("upside", "down"): "vertical", ("top", "to", "bottom"): "vertical",
        ("bottom", "to", "top"): "vertical", ("along", "the", "horizontal", "axis"): "vertical",
        ("up", "down"): "vertical", ("over",): "vertical",
}


def amount(cur: Cursor) -> tuple[str, float] | None:
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
