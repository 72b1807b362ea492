"""Noun phrases: determiners and quantifiers, pre-modifiers (colours, sizes, ordinals, superlatives,
places), the head noun, post-modifiers ("on the left", "that I added"), pronouns and fixed phrases,
and relations to another noun phrase ("above the circle")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.numbers import parse_count, parse_ordinal
from agents.parsing.places import RELATIONS, TARGET_POSITION_PREPS, image_tail, parse_position, place_words
from agents.parsing.tokens import longest_match, phrase_at
from state.models import TargetSpec


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


def is_noun_word(word: str | None) -> bool:
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
        image_tail(cur)
        return True
    if allow_unknown and not lx.is_known(w) and is_noun_word(cur.word(1)):
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


def color_word(cur: Cursor) -> str | None:
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
            image_tail(cur)
            spec.ordinal_axis = axis
            continue
        if cur.accept("in", "the", "middle") or cur.accept("in", "the", "center") or cur.accept(
                "in", "the", "centre") or cur.accept("at", "the", "center") or cur.accept("at", "the", "centre"):
            image_tail(cur)
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
            color = color_word(cur)
            if color is not None:
                spec.colors.append(color)
                continue
            cur.pos = save
            return
        cur.pos = save
        if np.spec.reference == "everything":
            color = color_word(cur)
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
        if is_noun_word(w) or w in ("one", "ones") or (not lx.is_known(w) and w not in lx.FILLERS):
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
            if value != "centermost" or nxt is None or nxt in ("one", "ones") or is_noun_word(nxt) or \
                    lx.canonical_color(nxt) is not None:
                cur.pos += n
                spec.superlative = value
                modifiers += 1
                continue
        color = color_word(cur)
        if color is not None:
            if np.count is None and not np.indefinite and mode == "insert":
                np.indefinite, np.count = True, 1
            spec.colors.append(color)
            modifiers += 1
            cur.accept("and") if lx.canonical_color(cur.word(1) or "") and not is_noun_word(cur.word(1)) else None
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
            place = place_words(cur)
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
