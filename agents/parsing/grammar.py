"""Phrase rules: the cursor over the tokens and the recognizers for each kind of phrase.

Every recognizer has the same shape: it looks at the cursor, and either consumes a whole phrase and
returns its value, or consumes nothing and returns None. Clause builders (agents.parsing.clauses) are
slot fillers over these recognizers, so the grammar stays a set of small, separately testable rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from agents.errors import UnparseableInstruction
from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token, longest_match, phrase_at
from state.models import TargetSpec

V = TypeVar("V")

CONNECTORS: dict[tuple[str, ...], bool] = {
    ("and",): True, ("then",): True, ("and", "then"): True, ("and", "also"): True, ("after", "that"): True,
    ("afterwards",): True, ("next",): True, ("finally",): True, ("first",): True, ("lastly",): True,
    ("plus",): True, ("as", "well", "as"): True, ("and", "after", "that"): True, ("once", "done"): True,
    ("and", "finally"): True, ("but",): True, ("also",): True,
}


@dataclass
class Context:
    """What the rules may know besides the words: the message and the attachments."""

    text: str
    has_user_region: bool = False
    has_reference_image: bool = False


class Cursor:
    """A position in the token list, with the unknown words met so far."""

    def __init__(self, tokens: list[Token], context: Context, verb_at: Callable[[Cursor], bool]):
        self.tokens = tokens
        self.pos = 0
        self.context = context
        self.unknown: list[str] = []
        self.clause_start = 0  # where the current clause's slots begin (just after its verb)
        self._verb_at = verb_at

    # -- looking
    def peek(self, k: int = 0) -> Token | None:
        i = self.pos + k
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def word(self, k: int = 0) -> str | None:
        tok = self.peek(k)
        return tok.word if tok is not None and tok.kind == "word" else None

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def match(self, table: Mapping[tuple[str, ...], V]) -> tuple[V, int] | None:
        return longest_match(self.tokens, self.pos, table)

    def take(self, table: Mapping[tuple[str, ...], V]) -> V | None:
        found = self.match(table)
        if found is None:
            return None
        self.pos += found[1]
        return found[0]

    def accept(self, *words: str) -> bool:
        """Consume exactly this word sequence, or nothing."""
        for i, w in enumerate(words):
            if self.word(i) != w:
                return False
        self.pos += len(words)
        return True

    def accept_any(self, words: frozenset[str] | set[str]) -> str | None:
        w = self.word()
        if w is not None and w in words:
            self.pos += 1
            return w
        return None

    # -- skipping
    def skip_fillers(self) -> None:
        while not self.at_end:
            w = self.word()
            if w in lx.FILLERS:
                self.pos += 1
                continue
            n = phrase_at(self.tokens, self.pos, lx.FILLER_PHRASES)
            if n == 0:
                return
            self.pos += n

    def skip_prefixes(self) -> None:
        """Politeness at a clause start: "please could you", "I want you to", "let's", …"""
        while True:
            before = self.pos
            self.skip_fillers()
            n = phrase_at(self.tokens, self.pos, lx.PREFIXES)
            self.pos += n
            if self.pos == before:
                return

    def verb_ahead(self) -> bool:
        """Whether, past connectors and politeness, a new clause's verb starts here."""
        save = self.pos
        try:
            while True:
                tok = self.peek()
                if tok is not None and tok.kind == "comma":
                    self.pos += 1
                    continue
                if self.take(CONNECTORS) is None:
                    before = self.pos
                    self.skip_prefixes()
                    if self.pos == before:
                        break
            return self._verb_at(self)
        finally:
            self.pos = save

    def at_clause_end(self) -> bool:
        tok = self.peek()
        if tok is None or tok.kind == "sep":
            return True
        if tok.kind == "comma" or self.match(CONNECTORS) is not None:
            return self.verb_ahead()
        return False

    def skip_connector(self) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "comma":
            self.pos += 1
            return True
        return self.take(CONNECTORS) is not None

    def mark_unknown(self) -> None:
        """Record the current token as not understood and move past it."""
        tok = self.tokens[self.pos]
        if tok.kind in ("word", "number", "quote"):
            self.unknown.append(tok.word)
        self.pos += 1

    def fail(self, hint: str, words: list[str] | None = None) -> UnparseableInstruction:
        """The error to raise: the words not understood so far (or ``words``), with a hint."""
        if words is None:
            strange = [w for w in self.unknown if not lx.is_known(w)]
            words = strange or list(self.unknown)
        return UnparseableInstruction(self.context.text, words, hint)


# --------------------------------------------------------------------------- numbers


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


# --------------------------------------------------------------------------- places


def _place_words(cur: Cursor) -> str | None:
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


def _image_tail(cur: Cursor) -> None:
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
    place = _place_words(cur)
    if place is None:
        cur.pos = save
        return None
    cur.accept_any(lx.PLACE_NOUNS)
    _image_tail(cur)
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
            _image_tail(cur)
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
    ("above",): "above", ("over",): "above", ("on", "top", "of"): "on", ("on",): "on", ("onto",): "on",
    ("in", "front", "of"): "on", ("inside",): "on", ("within",): "on", ("in",): "on", ("into",): "on",
    ("on", "to"): "on",
    ("below",): "below", ("under",): "below", ("underneath",): "below", ("beneath",): "below",
    ("left", "of"): "left_of", ("to", "the", "left", "of"): "left_of", ("on", "the", "left", "of"): "left_of",
    ("right", "of"): "right_of", ("to", "the", "right", "of"): "right_of",
    ("on", "the", "right", "of"): "right_of", ("at", "the", "left", "of"): "left_of",
    ("at", "the", "right", "of"): "right_of",
}


# --------------------------------------------------------------------------- noun phrases


@dataclass
class NounPhrase:
    """A parsed noun phrase; ``spec`` is what the contract carries, the rest steers the builders."""

    spec: TargetSpec
    count: int | None = None
    definite: bool = False
    indefinite: bool = False
    post_colors: list[str] = field(default_factory=list)
    reference_image: bool = False
    size_word: str | None = None
    place: bool = False  # names a part of the image ("the left side"), not a thing
    post_position: str | None = None  # "on the left" said after the noun


def _is_noun_word(word: str | None) -> bool:
    if word is None:
        return False
    return lx.canonical_noun(word) is not None or word in lx.IMAGE_NOUNS or word in (
        "background", "backdrop", "bg", "foreground", "people", "everyone")


def _singular(word: str) -> tuple[str, bool]:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y", True
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1], True
    return word, False


def _head(cur: Cursor, np: NounPhrase, *, allow_unknown: bool, allow_compound: bool) -> bool:
    """The head noun; fills noun / plural / scope. False when there is none."""
    w = cur.word()
    if w is None:
        return False
    spec = np.spec
    if w in lx.IMAGE_NOUNS and w != "whole":
        cur.pos += 1
        cur.accept_any(lx.IMAGE_NOUNS)
        spec.scope = "image"
        return True
    if w in ("background", "backdrop", "bg"):
        cur.pos += 1
        spec.noun, spec.scope = "background", "background"
        return True
    if w == "foreground":
        cur.pos += 1
        spec.noun = "subject"
        return True
    if w in ("people", "everyone", "persons"):
        cur.pos += 1
        spec.noun, spec.plural = "person", True
        return True
    canonical = lx.canonical_noun(w)
    if canonical is not None:
        cur.pos += 1
        generic = canonical == "object"
        plural = lx.is_plural_noun(w)
        spec.noun = None if generic else canonical
        spec.plural = spec.plural or plural
        return True
    if w in lx.PLACE_NOUNS and (spec.position or spec.superlative == "centermost"):
        # "the top part", "the left half": a part of the image rather than an object
        cur.pos += 1
        spec.scope = "region"
        if spec.superlative == "centermost":
            spec.superlative, spec.position = None, "center"
        _image_tail(cur)
        return True
    if allow_unknown and not lx.is_known(w) and _is_noun_word(cur.word(1)):
        cur.unknown.append(w)  # an adjective we do not know ("the fluffy circle"): reported, not guessed
        cur.pos += 1
        return _head(cur, np, allow_unknown=allow_unknown, allow_compound=allow_compound)
    if allow_unknown and cur.word(1) not in ("one", "ones") and (not lx.is_known(w) or w in lx.NOUN_LIKE) and (
            np.definite or np.indefinite or spec.colors or spec.size or spec.all or _bare_slot(cur)):
        words = [w]
        cur.pos += 1
        nxt = cur.word()
        if allow_compound and nxt is not None and not lx.is_known(nxt):
            words.append(nxt)
            cur.pos += 1
        last, plural = _singular(words[-1])
        spec.noun = " ".join([*words[:-1], last])
        spec.plural = spec.plural or plural
        return True
    return False


def _bare_slot(cur: Cursor) -> bool:
    """A bare unknown noun ("remove dog") only right after the verb or a conjunction, so that a stray
    word after a finished phrase ("make it pretty") is reported rather than taken for a noun."""
    after = cur.peek(1)
    if after is not None and (after.kind == "quote" or after.word in lx.DETERMINERS or after.word in (
            "this", "that", "these", "those", "it", "them")):
        return False  # "sparkle the circle": a verb we do not know, not a noun
    if cur.pos == cur.clause_start:
        return True
    prev = cur.peek(-1)
    return prev is not None and (prev.kind == "comma" or prev.word in ("and", "or", "then", "of", "to", "from"))


_LIGHTNESS = frozenset({"light", "dark", "bright", "pale", "deep", "pastel", "neon", "dull"})
_RELATIVE = frozenset({"that", "which", "who"})


def _color_word(cur: Cursor) -> str | None:
    """A colour, with an optional shade word in front ("dark blue"), not "black and white"."""
    save = cur.pos
    cur.accept_any(_LIGHTNESS)
    w = cur.word()
    color = lx.canonical_color(w) if w else None
    look = cur.match(lx.FILTER_PHRASES)
    if color is None or (look is not None and look[1] > 1):  # "black and white" is a look
        cur.pos = save
        return None
    cur.pos += 1
    cur.accept("ish") or cur.accept_any(_COLORED)
    return color


_COLORED = frozenset({"colored", "coloured", "tinted"})


def _added_clause(cur: Cursor) -> bool:
    """ "(that) I added", "you just drew", "we put in"."""
    save = cur.pos
    cur.accept_any(_RELATIVE)
    if cur.accept_any(frozenset({"i", "you", "we"})) is not None:
        cur.accept("just") or cur.accept("recently") or cur.accept("have") or cur.accept("had")
        cur.accept("just")
        if cur.accept_any(lx.ADDED_VERBS) is not None:
            cur.accept("in") or cur.accept("there")
            cur.accept("earlier") or cur.accept("before") or cur.accept("last") or cur.accept(
                "most", "recently") or cur.accept("recently") or cur.accept("just", "now") or cur.accept(
                "a", "moment", "ago") or cur.accept("a", "second", "ago")
            return True
    cur.pos = save
    return False


def _post_modifiers(cur: Cursor, np: NounPhrase) -> None:
    spec = np.spec
    while True:
        save = cur.pos
        if spec.ordinal is not None and spec.ordinal_axis is None and cur.accept("from"):
            cur.accept("the")
            w = cur.word()
            axis = {"left": "left", "right": "right", "top": "top", "bottom": "bottom", "bot": "bottom"}.get(w or "")
            if axis is None:
                cur.pos = save
                return
            cur.pos += 1
            _image_tail(cur)
            spec.ordinal_axis = axis
            continue
        if cur.accept("in", "the", "middle") or cur.accept("in", "the", "center") or cur.accept(
                "in", "the", "centre") or cur.accept("at", "the", "center") or cur.accept("at", "the", "centre"):
            _image_tail(cur)
            if spec.superlative is None:
                spec.superlative = "centermost"
                np.post_position = "center"  # "put the circle in the middle": maybe where it goes
            continue
        place = parse_position(cur, TARGET_POSITION_PREPS)
        if place is not None:
            spec.position = np.post_position = place
            continue
        if _added_clause(cur):
            spec.reference = "added"
            continue
        if cur.accept_any(_RELATIVE) is not None and cur.accept_any(frozenset({"is", "are", "was"})):
            color = _color_word(cur)
            if color is not None:
                spec.colors.append(color)
                continue
            cur.pos = save
            return
        cur.pos = save
        if np.spec.reference == "everything":
            color = _color_word(cur)
            if color is not None:
                np.post_colors.append(color)
                continue
        return


_PREMODS_STOP = frozenset({"and", "or"})


def parse_np(cur: Cursor, mode: str = "target", *, allow_compound: bool = False) -> NounPhrase | None:
    """A noun phrase. ``mode``: "target" (an existing thing), "insert" (a new thing), "answer"."""
    start = cur.pos
    np = _parse_np(cur, mode, allow_compound)
    if np is None:
        cur.pos = start
        return None
    phrase = " ".join(t.word for t in cur.tokens[start:cur.pos])
    np.spec.phrase = phrase
    return np


def _fixed_phrases(cur: Cursor, mode: str) -> NounPhrase | None:
    ctx = cur.context
    if mode == "insert":
        n = phrase_at(cur.tokens, cur.pos, lx.REFERENCE_IMAGE_PHRASES)
        if n:
            words = [t.word for t in cur.tokens[cur.pos:cur.pos + n]]
            has_logo = "logo" in words
            if not ctx.has_reference_image and not has_logo:
                raise cur.fail("attach a reference image to insert it", [])
            cur.pos += n
            spec = TargetSpec(noun="logo" if has_logo else None)
            return NounPhrase(spec, count=1, indefinite=True, reference_image=ctx.has_reference_image)
        return None
    n = phrase_at(cur.tokens, cur.pos, lx.USER_REGION_PHRASES)
    if n:
        if ctx.has_user_region:
            cur.pos += n
            return NounPhrase(TargetSpec(reference="user_region", scope="region"), definite=True)
        if cur.word() not in ("this", "that", "there"):
            words = [t.word for t in cur.tokens[cur.pos:cur.pos + n]]
            raise cur.fail("mark an area on the image first, then refer to it", words)
    save = cur.pos
    if cur.accept("what") or cur.accept("whatever"):
        if _added_clause(cur):  # "what I just added"
            return NounPhrase(TargetSpec(reference="added"), definite=True)
        cur.pos = save
    w = cur.word()
    nxt = cur.word(1)
    if w == "this" and ctx.has_user_region and not _starts_np_body(cur, 1):
        cur.pos += 1
        return NounPhrase(TargetSpec(reference="user_region", scope="region"), definite=True)
    if w == "it" or (w in ("that", "this") and (nxt is None or nxt == "one" or not _starts_np_body(cur, 1))):
        cur.pos += 1
        cur.accept("one")
        return NounPhrase(TargetSpec(reference="it"), definite=True)
    if w in lx.PRONOUNS_PLURAL and (nxt is None or nxt == "ones" or not _starts_np_body(cur, 1)):
        cur.pos += 1
        cur.accept("ones")
        return NounPhrase(TargetSpec(reference="them", plural=True), definite=True)
    if w == "both":
        cur.pos += 1
        if cur.accept("of", "them") or cur.accept("of", "those") or cur.accept("ones") or not _starts_np_body(cur, 0):
            return NounPhrase(TargetSpec(reference="both", plural=True), definite=True)
        cur.accept("the") or cur.accept("of", "the")
        np = NounPhrase(TargetSpec(reference="both", plural=True), definite=True, count=2)
        return np if _modifiers_and_head(cur, np, mode, False) else None
    if cur.accept("all", "of", "them") or cur.accept("all", "of", "those") or cur.accept("all", "those"):
        return NounPhrase(TargetSpec(reference="them", plural=True, all=True), definite=True)
    if cur.accept("everything", "else") or cur.accept("the", "rest") or cur.accept("all", "the", "others") or \
            cur.accept("the", "others") or cur.accept("all", "the", "rest"):
        return NounPhrase(TargetSpec(reference="other", plural=True, all=True), definite=True)
    if cur.accept("everything") or cur.accept("every", "thing") or cur.accept("all", "objects") or cur.accept(
            "all", "the", "objects") or cur.accept("all", "the", "shapes") or cur.accept("all", "shapes"):
        return NounPhrase(TargetSpec(reference="everything", plural=True, all=True), definite=True)
    return None


def _starts_np_body(cur: Cursor, k: int) -> bool:
    """Whether a noun follows at offset k, maybe after modifiers ("that red circle", not "those left")."""
    while True:
        w = cur.word(k)
        if w is None:
            return False
        if _is_noun_word(w) or w in ("one", "ones") or (not lx.is_known(w) and w not in lx.FILLERS):
            return True
        if (lx.canonical_color(w) is not None or w in lx.SIZE_ADJECTIVES or w in lx.ORDINALS
                or w in lx.VERTICAL or w in lx.HORIZONTAL or w in ("other", "new")
                or longest_match(cur.tokens, cur.pos + k, lx.SUPERLATIVES) is not None):
            k += 1
            continue
        return False


def _parse_np(cur: Cursor, mode: str, allow_compound: bool) -> NounPhrase | None:
    fixed = _fixed_phrases(cur, mode)
    if fixed is not None:
        if mode != "insert":
            _post_modifiers(cur, fixed)
        return fixed
    np = NounPhrase(TargetSpec())
    spec = np.spec
    # 1. determiner / quantifier
    if cur.accept("all", "of", "the") or cur.accept("all", "the") or cur.accept("every") or cur.accept(
            "each") or cur.accept("all"):
        spec.all, spec.plural, np.definite = True, True, True
    elif cur.accept("another") or cur.accept("one", "more") or cur.accept("an", "extra") or cur.accept(
            "a", "second") or cur.accept("an", "additional"):
        np.indefinite, np.count = True, 1
    elif cur.word() in ("a", "an") and cur.match(lx.QUANTITY_PHRASES) is None:
        cur.pos += 1
        np.indefinite, np.count = True, 1
    elif cur.word() in ("the", "this", "that", "these", "those", "my", "its", "their"):
        np.definite = True
        demonstrative_plural = cur.word() in ("these", "those")
        cur.pos += 1
        if demonstrative_plural:
            spec.plural = True
    if not np.definite:
        count = None if np.indefinite or mode == "answer" else parse_count(cur)
        if count is not None:
            np.count, np.indefinite = count, True
    elif mode != "answer":
        save = cur.pos
        count = parse_count(cur)  # "the two circles" ("the one at the top" is no count)
        if count is not None and count > 1:
            np.count, spec.plural = count, True
        else:
            cur.pos = save
    return np if _modifiers_and_head(cur, np, mode, allow_compound) else None


# Pre-modifiers naming the most recently added thing ("the new heart", "the most recent one").
_RECENT: dict[tuple[str, ...], bool] = dict.fromkeys([
    ("new",), ("newly", "added"), ("added",), ("recently", "added"), ("newest",), ("latest",), ("recent",),
    ("most", "recent"), ("most", "recently", "added"), ("last", "added"), ("just", "added"), ("freshly", "added"),
    ("latest", "added"), ("newly", "inserted"), ("just", "inserted"), ("recently", "inserted"),
], True)


def _modifiers_and_head(cur: Cursor, np: NounPhrase, mode: str, allow_compound: bool) -> bool:
    spec = np.spec
    modifiers = 0
    # 2. pre-modifiers
    while True:
        ordinal = parse_ordinal(cur) if (np.definite or mode == "answer") else None
        if ordinal is not None:
            spec.ordinal = ordinal
            modifiers += 1
            continue
        if cur.take(_RECENT) is not None:
            spec.reference = "added"
            modifiers += 1
            continue
        if cur.accept("other") or cur.accept("remaining"):
            spec.reference = "other"
            modifiers += 1
            continue
        if cur.accept("whole") or cur.accept("entire") or cur.accept("full"):
            continue
        found = cur.match(lx.SUPERLATIVES)
        if found is not None and mode != "insert":
            value, n = found
            nxt = cur.word(n)
            if value != "centermost" or nxt is None or nxt in ("one", "ones") or _is_noun_word(nxt) or \
                    lx.canonical_color(nxt) is not None:
                cur.pos += n
                spec.superlative = value
                modifiers += 1
                continue
        color = _color_word(cur)
        if color is not None:
            if np.count is None and not np.indefinite and mode == "insert":
                np.indefinite, np.count = True, 1
            spec.colors.append(color)
            modifiers += 1
            cur.accept("and") if lx.canonical_color(cur.word(1) or "") and not _is_noun_word(cur.word(1)) else None
            continue
        w = cur.word()
        if w in lx.SIZE_ADJECTIVES and not (w == "little" and cur.word(1) == "bit"):
            cur.pos += 1
            np.size_word = lx.SIZE_ADJECTIVES[w]
            if np.size_word in ("small", "large"):
                spec.size = np.size_word  # type: ignore[assignment]
            modifiers += 1
            continue
        if mode != "insert":
            place = _place_words(cur)
            if place is not None:
                spec.position = place
                modifiers += 1
                continue
        break
    # 3. head
    has_head = _head(cur, np, allow_unknown=True, allow_compound=allow_compound)
    if not has_head and not (modifiers and (np.definite or mode == "answer")):
        return False
    np.place = spec.scope == "region" or (
        not has_head and (spec.position is not None or spec.superlative == "centermost") and not spec.colors
        and spec.superlative in (None, "centermost") and spec.ordinal is None)
    if spec.plural and not spec.reference and np.count is None:
        spec.all = True
    if np.count is not None and np.count > 1:
        spec.plural = True
    # 4. post-modifiers
    if mode != "insert":
        _post_modifiers(cur, np)
    if spec.reference == "added" and spec.ordinal == -1 and spec.ordinal_axis is None:
        spec.ordinal = None  # "the last one I added": recency is the reference itself
    return True


def parse_relation(cur: Cursor) -> dict[str, Any] | None:
    """ "above the circle", "next to it", "to the left of the square" → {"rel", "anchor"}."""
    save = cur.pos
    rel = cur.take(RELATIONS)
    if rel is None:
        return None
    anchor = parse_np(cur, "target")
    if anchor is None or anchor.place or (anchor.spec.scope == "image" and rel != "on"):
        cur.pos = save
        return None
    return {"rel": rel, "anchor": anchor.spec}


# --------------------------------------------------------------------------- parameters


def parse_color_param(cur: Cursor) -> str | None:
    """ "blue", "to blue", "into dark red", "in red", "a green colour" (not "red circles")."""
    save = cur.pos
    cur.accept("to", "be") or cur.accept_any(frozenset({"to", "into", "in", "with", "as"}))
    definite = cur.accept("the")
    cur.accept("a") or cur.accept("some")
    color = _color_word(cur)
    one = cur.word() in ("one", "ones")
    # "the red one" names a thing; "a red one" / "into a blue one" is the colour it should get
    if color is None or (_is_noun_word(cur.word()) and not one) or (definite and one):
        cur.pos = save
        return None
    if one:
        cur.pos += 1
    cur.accept_any(frozenset({"color", "colour", "paint", "instead"}))
    return color


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
    w = cur.word()
    if w in lx.MULTIPLIERS:
        cur.pos += 1
        mult = lx.MULTIPLIERS[w]
        if cur.accept("as"):
            if cur.accept_any(_BIGGER):
                cur.accept("as", "before") or cur.accept("as", "it", "is") or cur.accept("as", "now")
                return ResizeItem("mult", mult, 1)
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


def parse_quote(cur: Cursor) -> str | None:
    tok = cur.peek()
    if tok is not None and tok.kind == "quote":
        cur.pos += 1
        return tok.word
    return None
