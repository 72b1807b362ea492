"""Terse notes with no verb, the way designers and people in a hurry write them, read as the
imperative the clause builders know, in the token list:

- "cat -> dog", "bg: beach", "circle to red", "trees to 3" → "change … to …"
  (the change builder decides replace, background, recolour, material, size or count);
- "cat to the left", "logo: top right" → "move … to …";
- "tree gone", "the cup? gone.", "no more cats" → "remove …";
- "lion instead of the cat" → "replace the cat with a lion";
- "cut it down to three birds", "there are too many trees, make it 2" → "change the number of … to …"
  (:func:`counts_said_of_a_pronoun`, a pass over the tokens before the clauses are read).

Arrows (``->``, ``=>``, ``→``, ``=``) are read as "to" by the tokenizer.
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.materials import is_material
from agents.parsing.names import name_run, singular
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
        if cur.verb_ahead():
            return False  # "one thing: remove that cactus" — the note is only a lead-in
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


_PRONOUNS = frozenset({"it", "them", "those", "these", "that", "this"})
_TOO_MANY = (("there", "are", "too", "many"), ("there", "is", "too", "many"), ("too", "many"), ("so", "many"))


def _number_then_plural(tokens: list[Token], i: int) -> tuple[float, list[Token], int] | None:
    """A number and a plural name at ``i`` ("three birds"): (number, name tokens, end)."""
    if i >= len(tokens):
        return None
    tok = tokens[i]
    value = tok.value if tok.kind == "number" else lx.NUMBER_WORDS.get(tok.word)
    if value is None:
        return None
    if i + 1 < len(tokens) and tokens[i + 1].word in ("more", "fewer", "less", "extra", "additional", "other"):
        return None  # "make it three fewer muffins": a change by three, read by the count builder
    words, _colors, n = name_run(tokens, i + 1)
    if not words or not (singular(words[-1])[1] or value == 1) or words[-1] in lx.PIXEL_UNITS or \
            words[-1] in lx.PERCENT_UNITS or words[-1] in lx.DEGREE_UNITS or words[-1] in ("times", "x"):
        return None
    return float(value), tokens[i + 1:i + 1 + n], i + 1 + n


def counts_said_of_a_pronoun(tokens: list[Token]) -> list[Token]:
    """ "cut it down to three birds" and "there are too many trees, make it 2" say how many there
    should be of a thing named apart from the verb's object: read as "change the number of birds to three"."""
    out = list(tokens)
    for i in range(len(out) - 3):
        if out[i].word not in _PRONOUNS or i == 0 or not out[i - 1].is_word:
            continue
        j = i + 1
        if j < len(out) and out[j].word in ("down", "up"):
            j += 1
        if j < len(out) and out[j].word in ("to", "into"):
            j += 1
        found = _number_then_plural(out, j)
        if found is None or j == i + 1 and out[j].kind != "number" and out[j].word not in lx.NUMBER_WORDS:
            continue
        value, name, end = found
        number = Token(str(int(value)), "number", value)
        return [*out[:i - 1], _tok("change"), _tok("the"), _tok("number"), _tok("of"), *name, _tok("to"), number,
                *out[end:]]
    return _too_many(out)


def _too_many(tokens: list[Token]) -> list[Token]:
    """ "there are too many trees, make it 2" / "…, keep two": the trees, to that number."""
    for i in range(len(tokens)):
        for lead in _TOO_MANY:
            if tuple(t.word for t in tokens[i:i + len(lead)]) != lead:
                continue
            words, _colors, n = name_run(tokens, i + len(lead))
            if not words:
                continue
            name = tokens[i + len(lead):i + len(lead) + n]
            rest = tokens[i + len(lead) + n:]
            k = 0
            while k < len(rest) and rest[k].kind in ("comma", "sep") or k < len(rest) and rest[k].word in (
                    "so", "just", "please", "can", "you", "could", "let", "us", "only"):
                k += 1
            if k < len(rest) and rest[k].word in ("make", "keep", "leave", "want"):
                k += 1
                if k < len(rest) and rest[k].word in _PRONOUNS:
                    k += 1
            k += 1 if k < len(rest) and rest[k].word in ("just", "only") else 0
            if k < len(rest) and (rest[k].kind == "number" or rest[k].word in lx.NUMBER_WORDS):
                value = rest[k].value if rest[k].kind == "number" else lx.NUMBER_WORDS[rest[k].word]
                number = Token(str(int(value)), "number", float(value))
                return [*tokens[:i], _tok("change"), _tok("the"), _tok("number"), _tok("of"), *name, _tok("to"),
                        number, *rest[k + 1:]]
    return tokens
