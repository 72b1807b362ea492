"""Terse notes with no verb, the way designers and people in a hurry write them, read as the
imperative the clause builders know, in the token list:

- "cat -> dog", "bg: beach", "circle to red", "trees to 3" → "change … to …"
  (the change builder decides replace, background, recolour, material, size or count);
- "cat to the left", "logo: top right" → "move … to …";
- "tree gone", "the cup? gone.", "no more cats" → "remove …";
- "lion instead of the cat" → "replace the cat with a lion".

Arrows (``->``, ``=>``, ``→``, ``=``) are read as "to" by the tokenizer.
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.materials import is_material
from agents.parsing.nouns import parse_np, parse_relation
from agents.parsing.places import POSITION_PREPS, parse_direction, parse_position
from agents.parsing.tokens import Token

_GONE = frozenset({"gone", "out", "removed", "deleted", "away", "begone", "bye", "erased", "nope", "delete", "remove"})
_NO_MORE = (("no", "more"), ("no", "longer"), ("bye", "bye"), ("goodbye",), ("bye",), ("away", "with"))


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _rewrite(cur: Cursor, start: int, head: list[Token], rest_from: int) -> bool:
    cur.tokens = [*cur.tokens[:start], *head, *cur.tokens[rest_from:]]
    cur.pos = start
    return True


def rewrite_terse(cur: Cursor) -> bool:
    """A verbless note as an imperative (see the module docstring); False (nothing changed) otherwise."""
    start, unknown = cur.pos, len(cur.unknown)
    try:
        if _no_more(cur, start):
            return True
        cur.pos = start
        np = parse_np(cur, "target")
        if np is None or np.place or (np.spec.reference is not None and np.spec.noun is None):
            return False
        subject_end = cur.pos
        if cur.accept("instead", "of"):  # "lion instead of the cat"
            old_at = cur.pos
            old = parse_np(cur, "target")
            if old is None:
                return False
            new = cur.tokens[start:subject_end]
            article = [] if new[0].word in ("a", "an", "the", "some") else [_tok("a")]
            return _rewrite(cur, start, [_tok("replace"), *cur.tokens[old_at:cur.pos], _tok("with"), *article, *new],
                            cur.pos)
        nxt = cur.peek()
        if nxt is not None and nxt.kind == "sep" and nxt.word == "?":
            cur.pos += 1  # "the cup? gone."
            nxt = cur.peek()
        if nxt is not None and nxt.kind in ("comma", "sep"):
            cur.pos += 1
        if cur.word() in _GONE and _ends_clause(cur, cur.pos + 1):
            return _rewrite(cur, start, [_tok("remove"), *cur.tokens[start:subject_end]], cur.pos + 1)
        if cur.pos == subject_end and _says_how(cur.word()):  # "circle bigger", "the sky darker pls"
            return _rewrite(cur, start, [_tok("make"), *cur.tokens[start:subject_end]], subject_end)
        linked = cur.pos > subject_end or cur.word() in ("to", "into")
        if not linked:
            return False
        cur.accept("to") or cur.accept("into")
        value_at = cur.pos
        placed = parse_position(cur, POSITION_PREPS, require_prep=False) is not None or \
            parse_direction(cur) is not None or parse_relation(cur) is not None
        cur.pos = value_at
        if cur.at_end or cur.peek().kind == "sep":  # type: ignore[union-attr]
            return False
        verb = "move" if placed else "change"
        return _rewrite(cur, start, [_tok(verb), *cur.tokens[start:subject_end], _tok("to")], value_at)
    finally:
        if cur.pos == start and len(cur.unknown) > unknown:
            del cur.unknown[unknown:]


_HOW = frozenset({"bigger", "smaller", "larger", "taller", "shorter", "wider", "narrower", "brighter", "darker",
                  "lighter", "sharper", "blurrier", "blurry", "smoother", "warmer", "cooler", "huger", "tinier"})


def _says_how(word: str | None) -> bool:
    return word is not None and (word in _HOW or lx.canonical_color(word) is not None or is_material(word))


def _no_more(cur: Cursor, start: int) -> bool:
    """ "no more cats", "bye bye lamp": those go."""
    for words in _NO_MORE:
        if cur.accept(*words):
            at = cur.pos
            np = parse_np(cur, "target")
            if np is not None and _ends_clause(cur, cur.pos):
                return _rewrite(cur, start, [_tok("remove"), *cur.tokens[at:cur.pos]], cur.pos)
            cur.pos = start
    return False


def _ends_clause(cur: Cursor, pos: int) -> bool:
    save = cur.pos
    cur.pos = pos
    try:
        return cur.at_clause_end() or cur.word() in ("please", "pls", "plz", "thanks")
    finally:
        cur.pos = save
