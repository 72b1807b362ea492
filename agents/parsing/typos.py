"""Typos: a word the grammar does not know, one edit away from a word it does, is read as that word
and said back ("I read 'remvoe' as 'remove'"). Matching is rapidfuzz's optimal string alignment
distance (Damerau–Levenshtein without repeated edits).

A name is never "corrected" into a grammar word: nouns are open vocabulary, so "cake" must stay a
cake and not become "make". Verbs are corrected only where a verb can stand (the start of a clause);
function words, colours and image words anywhere, but a three-letter word only by swapping two
letters ("teh", "rdi"), since most three-letter neighbours are other real words ("van" / "can").
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from agents.parsing import lexicon as lx
from agents.parsing.materials import is_material
from agents.parsing.names import FUNCTION_WORDS
from agents.parsing.tokens import Token

# Words people mistype that no edit distance finds safely.
_SHORT = {"te": "the", "th": "the", "teh": "the", "hte": "the", "tge": "the", "tje": "the", "thw": "the", "rhe": "the",
          "yhe": "the", "tha": "the", "da": "the", "u": "you", "ur": "your", "thru": "through",
          "wih": "with", "wth": "with", "wiht": "with", "whith": "with", "witht": "with"}
_SHORT_VERBS = {"ad": "add", "mk": "make", "mak": "make", "rm": "remove", "mv": "move"}
_FUNCTION = ("the", "with", "from", "into", "onto", "of", "to", "and", "then", "that", "this", "them", "there",
             "could", "would", "should", "please", "instead", "background", "image", "picture", "photo",
             "bigger", "smaller", "larger", "left", "right", "bottom", "top", "middle", "center", "corner",
             "colour", "color", "twice", "half", "percent", "rid", "away", "everything", "else", "alone",
             "unchanged", "slightly", "little", "more", "less", "brighter", "darker", "blurry", "text",
             "gradient", "material", "number", "count", "size", "below", "above", "beside", "next", "behind")
_NAMED = ("background", "image", "picture", "photo", "colour", "color", "number", "count", "material", "gradient")
_NOT_VERBS = frozenset({"how", "what", "there", "can", "could", "let", "give", "we", "i"})
_CLAUSE_OPENERS = frozenset({"and", "then", "also", "but", "plus", "now", "just", "please", "pls", "you", "u", "to", "not",
                             "so", "ok", "okay", "first", "finally", "next", "lastly"})
_DETERMINERS = frozenset({"the", "a", "an", "my", "this", "that", "your", "his", "her", "its", "their", "our"})


@lru_cache(maxsize=1)
def _verbs() -> tuple[str, ...]:
    words = {w for key in lx.VERBS for w in key[:1] if len(w) >= 3 and w not in FUNCTION_WORDS}
    return tuple(sorted(words - _NOT_VERBS))


@lru_cache(maxsize=1)
def _long_words() -> tuple[str, ...]:
    """Colours and looks, matched only from six letters on: shorter ones have too many real neighbours
    among names ("tray" / "gray", "wine" / "line")."""
    words = {w for w in lx.COLOR_WORDS if " " not in w and len(w) >= 5}
    words |= {w for key in lx.FILTER_PHRASES for w in key if len(w) >= 6}
    return tuple(sorted(words))


def _limit(word: str) -> int:
    return 2 if len(word) >= 8 else 1


def _best(word: str, choices: tuple[str, ...], *, verb_slot: bool = False, swap_only: bool = False) -> str | None:
    found = process.extract(word, choices, scorer=OSA.distance, score_cutoff=_limit(word), limit=8)
    for candidate, _distance, _index in sorted(found, key=lambda f: f[1]):
        if candidate[0] != word[0] and not (len(word) > 1 and candidate[:2] == word[1::-1]):
            continue  # people rarely mistype the first letter: "jump" is no "bump", "rmove" no "move"
        swapped = len(candidate) == len(word) and sorted(candidate) == sorted(word)
        if (len(word) == 3 or swap_only) and not swapped and not verb_slot:
            continue  # three letters: only a swap of two letters is safe, or a verb where a verb stands
        return candidate
    return None


def _after_name(tokens: list[Token], i: int) -> bool:
    """Whether the word before is a name ("the polka dot frog"): a word after it may be the head, so it is
    corrected into a grammar word only by a swap of two letters ("the circle form the image")."""
    prev = tokens[i - 1] if i > 0 else None
    if prev is None or prev.kind != "word" or not prev.word.isalpha() or prev.word in FUNCTION_WORDS:
        return False
    return lx.canonical_noun(prev.word) is not None or not lx.is_known(prev.word)


def _clause_start(tokens: list[Token], i: int) -> bool:
    if i == 0:
        return True
    prev = tokens[i - 1]
    return prev.kind in ("sep", "comma") or prev.word in _CLAUSE_OPENERS or prev.word in lx.FILLERS


def _terse_note(tokens: list[Token], i: int) -> bool:
    """ "apple into pear", "apple -> pear pls": a name said to become another, not a mistyped verb."""
    rest = [t.word for t in tokens[i + 1:] if t.word not in ("please", "pls", "thanks")]
    return len(rest) == 2 and rest[0] in ("to", "into") and rest[1].isalpha() and rest[1] not in _DETERMINERS


# Function words with the word that usually follows them: a one-edit typo (after a name, or of a word that
# is often a name's neighbour, "plate" / "place") is read as the function word only when that word follows
# ("a dog insted of the cat", "the cat shoud be a dog", "in palce of").
_CONTINUES = {"instead": frozenset({"of"}), "should": frozenset({"be", "look"}), "could": frozenset({"be", "look"}),
              "would": frozenset({"be", "look"}), "with": frozenset({"a", "an", "the", "some"}),
              "into": frozenset({"a", "an", "the", "some"}), "place": frozenset({"of"})}


def _continued(word: str, after: str | None) -> str | None:
    fixed = _best(word, tuple(_CONTINUES)) if after is not None else None
    return fixed if fixed is not None and after in _CONTINUES[fixed] else None


def _said_to_become(tokens: list[Token], i: int) -> bool:
    """ "change the sneakers to boots": after a thing and "to" stands what it becomes, not a verb."""
    if i < 2 or tokens[i - 1].word not in ("to", "into"):
        return False
    before = tokens[i - 2].word
    return tokens[i - 2].kind == "word" and (lx.canonical_noun(before) is not None or not lx.is_known(before))


def correct_typos(tokens: list[Token]) -> tuple[list[Token], list[str]]:
    """The tokens with mistyped words replaced, and what was read as what ("remvoe → remove")."""
    out: list[Token] = []
    said: list[str] = []
    for i, tok in enumerate(tokens):
        w = tok.word
        if tok.kind != "word" or lx.is_known(w) or not w.isalpha() or is_material(w) or w in FUNCTION_WORDS:
            out.append(tok)
            continue
        fixed = _SHORT.get(w)
        if fixed is None and _clause_start(tokens, i):
            fixed = _SHORT_VERBS.get(w)  # "ad three more stools"
        if fixed is None and w == "rd" and i > 0 and tokens[i - 1].word == "get":
            fixed = "rid"
        prev = tokens[i - 1].word if i > 0 else ""
        # "the cake", "little wine", "the bear's nose": a name, whatever word it is close to
        named = prev in _DETERMINERS or prev == "'s" or prev in lx.SIZE_ADJECTIVES or \
            lx.canonical_color(prev) is not None
        if fixed is None and named and len(w) >= 5:
            fixed = _best(w, _NAMED)  # "the backgroud"
        if fixed is None and not named and len(w) >= 3:
            if _clause_start(tokens, i) and not _terse_note(tokens, i) and not _said_to_become(tokens, i):
                fixed = _best(w, _verbs(), verb_slot=True)
            noted = _terse_note(tokens, i) or (_said_to_become(tokens, i) and all(
                t.word in ("please", "pls", "thanks") for t in tokens[i + 1:]))  # "pear -> frog", "frog -> wallet"
            if fixed is None and not noted:
                fixed = _best(w, _FUNCTION, swap_only=_after_name(tokens, i))
            if fixed is None:
                fixed = _continued(w, tokens[i + 1].word if i + 1 < len(tokens) else None)
            if fixed is None and len(w) >= 6:
                fixed = _best(w, _long_words())
        if fixed is None or fixed == w:
            out.append(tok)
            continue
        said.append(f"{w} → {fixed}")
        out.append(Token(fixed, "word", raw=fixed))
    return out, said
