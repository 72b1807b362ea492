"""Noun phrases: determiners and quantifiers, pre-modifiers (colours, sizes, ordinals, superlatives,
places), the head noun, post-modifiers ("on the left", "that I added"), pronouns and fixed phrases,
and relations to another noun phrase ("above the circle")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.colour_nouns import colour_head, names_thing_at
from agents.parsing.cursor import Cursor
from agents.parsing.modifiers import SHADES, added_clause, color_word, post_modifiers
from agents.parsing.names import is_name_word, name_run, singular, trim_run
from agents.parsing.numbers import parse_count, parse_ordinal
from agents.parsing.places import RELATIONS, image_tail, place_words
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
        "foreground", "people", "everyone") or word in lx.BACKGROUND_WORDS


def _head(cur: Cursor, np: NounPhrase, *, allow_unknown: bool, allow_compound: bool) -> bool:
    """The head noun; fills noun / plural / scope. False when there is none."""
    w = cur.word()
    if w is None:
        return False
    spec = np.spec
    nxt = cur.word(1)
    object_named = nxt is not None and ((nxt == "frame" and w != "frame") or (
        nxt not in lx.IMAGE_NOUNS and not lx.is_known(nxt) and is_name_word(nxt, cur.peek(1))))
    object_named = object_named or (w == "frame" and np.indefinite)  # "a frame" is a thing, "the frame" the image
    if w in lx.IMAGE_NOUNS and w != "whole" and not object_named:  # "the picture frame" is a thing
        cur.pos += 1
        cur.accept_any(lx.IMAGE_NOUNS)
        spec.scope = "image"
        return True
    if w in lx.BACKGROUND_WORDS:
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
    if w in lx.PLACE_NOUNS and (spec.position or spec.superlative == "centermost"):
        # "the top part", "the left half": a part of the image rather than an object
        cur.pos += 1
        spec.scope = "region"
        if spec.superlative == "centermost":
            spec.superlative, spec.position = None, "center"
        image_tail(cur)
        return True
    words, colors, n = name_run(cur.tokens, cur.pos)
    trimmed = trim_run(words, make_clause=cur.frame in ("make", "want"))
    n -= len(words) - len(trimmed)
    words = trimmed
    canonical = lx.canonical_noun(w)
    if len(words) > 1 and (canonical is not None or (allow_unknown and _may_name(cur, np))):
        cur.pos += n
        _name(spec, words, colors)
        return True
    if canonical is not None:
        cur.pos += 1
        generic = canonical == "object"
        plural = lx.is_plural_noun(w)
        said = singular(w)[0]  # the word as said ("the kitten", "the ball"): engines map it to what they know
        spec.noun = None if generic else said if lx.canonical_noun(said) == canonical else canonical
        spec.plural = spec.plural or plural
        return True
    if allow_unknown and cur.word(1) not in ("one", "ones") and (
            is_name_word(w, cur.peek()) or w in lx.NOUN_LIKE or w in lx.VERB_WORDS) and _may_name(cur, np):
        cur.pos += 1
        _name(spec, [w], [])
        return True
    return False


def _may_name(cur: Cursor, np: NounPhrase) -> bool:
    """Whether unknown words here are taken as a name (after a determiner, a modifier or the verb)."""
    spec = np.spec
    return bool(np.definite or np.indefinite or spec.colors or spec.size or spec.all or spec.possessor
                or _bare_slot(cur))


def _name(spec: TargetSpec, words: list[str], colors: list[str]) -> None:
    """Fill the head noun, its modifiers and plural from a name's words."""
    if len(words) > 1 and words[-1] in ("one", "ones"):
        spec.modifiers = [*spec.modifiers, *words[:-1]]  # "the wobbly one": any thing, so described
        spec.plural = spec.plural or words[-1] == "ones"
        return
    if len(words) > 1 and lx.canonical_noun(words[-1]) == "object":
        words = words[:-1]  # "the star shape", "the blue round thing"
    head, plural = singular(words[-1])
    spec.noun = head
    spec.modifiers = [*spec.modifiers, *words[:-1]]
    spec.colors = spec.colors + [c for c in colors if c not in spec.colors]
    spec.plural = spec.plural or plural


def _possessed(cur: Cursor, np: NounPhrase, mode: str, allow_compound: bool) -> None:
    """ "the cat's fur", "the car's front wheel": the thing named after 's belongs to the one before."""
    if cur.word() != "'s" or not is_name_word(cur.word(1), cur.peek(1)) or cur.word(1) in _NOT_POSSESSED:
        return
    save = cur.pos
    cur.pos += 1
    owner = np.spec.noun or (np.spec.phrase or None)
    inner = NounPhrase(TargetSpec(possessor=owner), definite=True)
    if not _modifiers_and_head(cur, inner, mode, allow_compound):
        cur.pos = save
        return
    np.spec.noun, np.spec.possessor, np.spec.plural = inner.spec.noun, owner, inner.spec.plural
    np.spec.modifiers, np.spec.colors = inner.spec.modifiers, inner.spec.colors
    np.spec.position = inner.spec.position or np.spec.position


_NOT_POSSESSED = frozenset({"color", "colour", "colors", "colours", "size", "shape", "position", "place", "material",
                            "texture", "surface", "finish", "count", "number", "look"})


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
    return prev is not None and (prev.kind == "comma" or prev.word in _BARE_AFTER)


# Words after which a name may come without an article ("add a cap on koala", "replace it with space").
_BARE_AFTER = frozenset({"and", "or", "then", "of", "to", "from", "with", "into", "as", "for", "above", "below",
                         "under", "over", "near", "beside", "behind", "on", "onto", "beneath", "underneath", "by"})


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
    if cur.accept("what", "is", "behind") or cur.accept("everything", "behind") or cur.accept("whatever", "is", "behind") \
            or cur.accept("the", "area", "behind") or cur.accept("the", "space", "behind"):
        if parse_np(cur, "target") is not None:  # "replace what's behind him with a library": the backdrop
            return NounPhrase(TargetSpec(noun="background", scope="background", phrase="the background"), definite=True)
        cur.pos = save
    if cur.accept("what") or cur.accept("whatever"):
        if added_clause(cur):  # "what I just added"
            return NounPhrase(TargetSpec(reference="added"), definite=True)
        cur.pos = save
    w = cur.word()
    nxt = cur.word(1)
    if w == "this" and ctx.has_user_region and not _starts_np_body(cur, 1):
        cur.pos += 1
        return NounPhrase(TargetSpec(reference="user_region", scope="region"), definite=True)
    if w in ("her", "him") and not _starts_np_body(cur, 1):
        cur.pos += 1  # "blur her": in a photo of one person, that person
        return NounPhrase(TargetSpec(noun="person", phrase=w), definite=True)
    if w == "it" or (w in ("that", "this") and (nxt is None or nxt == "one" or not _starts_np_body(cur, 1))):
        cur.pos += 1
        if w != "it":
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
        if names_thing_at(cur.tokens, cur.pos + k):
            return True  # "this lime with a kiwi"
        if (lx.canonical_color(w) is not None or w in lx.SIZE_ADJECTIVES or w in lx.ORDINALS or w in SHADES
                or w in lx.VERTICAL or w in lx.HORIZONTAL or w in ("other", "new")
                or longest_match(cur.tokens, cur.pos + k, lx.SUPERLATIVES) is not None):
            k += 1
            continue
        return bool(name_run(cur.tokens, cur.pos + k)[0])  # "that old cake", "that bright grey pineapple"


def _parse_np(cur: Cursor, mode: str, allow_compound: bool) -> NounPhrase | None:
    fixed = _fixed_phrases(cur, mode)
    if fixed is not None:
        if mode != "insert":
            post_modifiers(cur, fixed)
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
    elif cur.word() in ("her", "his") and _starts_np_body(cur, 1):
        cur.pos += 1  # "her face", "his shirt": in a photo of one person, that person's
        np.definite, spec.possessor = True, "person"
    elif cur.word() in ("the", "this", "that", "these", "those", "my", "its", "their", "your", "our"):
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
    last_color: tuple[int, int] | None = None
    determined = np.definite or np.indefinite  # said with a determiner, not made indefinite by a colour
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
        color_at = cur.pos
        color = color_word(cur)
        if color is not None:
            last_color = (color_at, cur.pos)
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
    if not has_head and last_color is not None and last_color[1] == cur.pos and determined:
        has_head = colour_head(cur.tokens, last_color, cur.word(), np.spec)  # "the brown lime", "a cherry"
    if not has_head and not (modifiers and (np.definite or mode == "answer")):
        return False
    np.place = spec.scope == "region" or (
        not has_head and (spec.position is not None or spec.superlative == "centermost") and not spec.colors
        and spec.superlative in (None, "centermost") and spec.ordinal is None)
    if spec.plural and not spec.reference and np.count is None:
        spec.all = True
    if np.count is not None and np.count > 1:
        spec.plural = True
    if has_head:
        _possessed(cur, np, mode, allow_compound)
    # 4. post-modifiers
    if mode != "insert":
        post_modifiers(cur, np)
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
    if rel == "between":  # "between the two chairs", "between the cat and the dog"
        if cur.accept("and"):
            other = parse_np(cur, "target")
            if other is not None and not other.place:
                return {"rel": rel, "anchor": anchor.spec, "and": other.spec}
        elif anchor.spec.plural:
            return {"rel": rel, "anchor": anchor.spec}
        cur.pos = save
        return None
    return {"rel": rel, "anchor": anchor.spec}
