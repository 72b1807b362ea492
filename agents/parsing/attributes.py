"""Attribute parameters said after a target: a colour ("to blue"), a look ("a bit blurry"), quoted text."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.colour_nouns import names_thing_at
from agents.parsing.cursor import Cursor
from agents.parsing.names import is_name_word
from agents.parsing.nouns import color_word, is_noun_word
from agents.parsing.numbers import parse_degree
from agents.parsing.tokens import longest_match

# Colour words that also name things, read as the thing after "a" / "an".
_THING_COLORS = frozenset({"orange", "lime", "lemon", "peach", "plum", "cherry", "rose", "olive", "salmon", "mint",
                           "chestnut", "coral", "tomato", "banana", "chocolate", "coffee", "ruby", "emerald",
                           "sapphire", "amber", "lavender", "wine", "mustard", "honey", "sky", "pumpkin", "brick"})


def parse_color_param(cur: Cursor) -> str | None:
    """ "blue", "to blue", "into dark red", "in red", "a green colour" (not "red circles")."""
    save = cur.pos
    cur.accept("to", "be") or cur.accept_any(frozenset({"to", "into", "in", "with", "as"}))
    definite = cur.accept("the")
    article = bool(cur.accept("a") or cur.accept("an"))
    cur.accept("some")
    color = color_word(cur)
    one = cur.word() in ("one", "ones")
    if (article or definite) and color is not None and cur.tokens[cur.pos - 1].word in _THING_COLORS and not one and \
            cur.word() not in ("color", "colour", "shade", "tone", "hue", "paint"):
        cur.pos = save  # "make the apple an orange": a thing; "make it an orange colour" is the colour
        return None
    # "the red one" names a thing; "a red one" / "into a blue one" is the colour it should get
    if color is None or ((is_noun_word(cur.word()) or _names_thing(cur)) and not one) or (definite and one):
        cur.pos = save
        return None
    if one:
        cur.pos += 1
    cur.accept_any(frozenset({"color", "colour", "paint", "instead"}))
    return color


def parse_filter_param(cur: Cursor) -> tuple[str, str] | None:
    """A look after make/turn/convert/apply: "a bit blurry", "into a sketch", "black and white", "more contrast"."""
    save = cur.pos
    cur.accept("look") and (cur.accept("like") or cur.accept("more"))
    cur.accept("into") or cur.accept("to") or cur.accept("in")
    degree = parse_degree(cur)
    cur.accept("a") or cur.accept("an") or cur.accept("some")
    adjective = lx.LOOK_STRENGTH.get(cur.word() or "")
    if adjective is not None and lx.canonical_color(cur.word(1) or "") is None and \
            longest_match(cur.tokens, cur.pos + 1, lx.FILTER_PHRASES) is not None:
        cur.pos += 1  # "a strong blur", "a subtle sepia"
        degree = degree or adjective
    found = cur.match(lx.FILTER_PHRASES)
    if found is None:
        more = cur.accept_any(frozenset({"more", "less", "higher", "lower"}))
        noun = cur.word()
        if more is not None and noun in lx.FILTER_NOUNS:
            cur.pos += 1
            up, down = lx.FILTER_NOUNS[noun]
            return (up if more in ("more", "higher") else down), degree or "normal"
        cur.pos = save
        return None
    name, n = found
    cur.pos += n
    while cur.accept_any(lx.FILTER_TAILS):
        pass
    cur.accept("effect") or cur.accept("style")
    if degree is None:
        degree = parse_degree(cur)
    return name, degree if degree in lx.FILTER_STRENGTH else "normal"


def parse_quote(cur: Cursor) -> str | None:
    tok = cur.peek()
    if tok is not None and tok.kind == "quote":
        cur.pos += 1
        return tok.word
    return None


def filter_item(cur: Cursor) -> tuple[str, str] | None:
    save = cur.pos
    found = parse_filter_param(cur)
    if found is None:
        return None
    # "dark red" / "light blue" are colours, not looks
    if found[0] in ("darken", "brighten") and lx.canonical_color(cur.word() or "") is not None:
        cur.pos = save
        return None
    if cur.pos - save == 1 and (lx.canonical_color(cur.word() or "") is not None or _names_thing(cur)):
        cur.pos = save  # "the old brown coat": a word said of the thing
        return None
    return found


def _names_thing(cur: Cursor) -> bool:
    """Whether a name follows a colour ("the brown billboard"): then the colour is said of that thing."""
    w = cur.word()
    if names_thing_at(cur.tokens, cur.pos):
        return True  # "the brown lime with a kiwi": a thing named by a colour word
    return w is not None and is_name_word(w, cur.peek()) and lx.canonical_color(w) is None and not lx.is_known(w)
