"""A thing named first, then what to do with "it": "the vase: make it a lamp", "the tree looks tiny,
double its size", "there are 2 dogs, make it 4". The pronoun is the thing named, so the message is
rewritten as one clause about it ("make the vase a lamp", "double the size of the tree", "change the
number of dogs to 4"). Also "swap the vase out with a plant" → "swap out the vase with a plant"."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.names import name_run
from agents.parsing.tokens import Token, longest_match

_LEADS = frozenset({"the", "that", "this", "my", "those", "these", "our"})
_COPULA = frozenset({"looks", "look", "is", "are", "seems", "seem", "looked", "appears", "was"})
_POLITE = frozenset({"please", "pls", "just", "so", "can", "could", "you", "now", "then"})
_SWAPS = frozenset({"swap", "switch", "trade", "exchange", "change"})


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _number(tok: Token) -> float | None:
    return tok.value if tok.kind == "number" else lx.NUMBER_WORDS.get(tok.word)


def topics(tokens: list[Token]) -> list[Token]:
    return _swap_out(_stated_count(_topic(tokens)))


_FEELINGS = (("i", "hate"), ("i", "dislike"), ("i", "do", "not", "like"), ("i", "can", "not", "stand"),
             ("i", "love"), ("i", "like"), ("we", "hate"), ("i", "really", "hate"), ("i", "really", "like"))


def _topic(tokens: list[Token]) -> list[Token]:
    feeling = 0
    if tokens and tokens[0].word in ("i", "we"):
        feeling = next((len(f) for f in _FEELINGS if tuple(t.word for t in tokens[:len(f)]) == f), 0)
    if feeling:  # "i hate the cat, remove it": the cat is what "it" means
        rest = _topic(tokens[feeling:])
        return rest if len(rest) != len(tokens) - feeling or rest != tokens[feeling:] else tokens
    if len(tokens) < 5 or tokens[0].word not in _LEADS:
        return tokens
    comma = next((i for i, t in enumerate(tokens[:9]) if t.kind == "comma"), None)
    if comma is None or comma < 2:
        return tokens
    before = tokens[:comma]
    if any(t.kind != "word" or t.word in ("too", "and", "but") for t in before):
        return tokens
    cop = next((i for i, t in enumerate(before) if t.word in _COPULA), len(before))
    subject = before[:cop]
    if len(subject) < 2 or any((t.word,) in lx.VERBS for t in subject[1:]):
        return tokens
    rest = tokens[comma + 1:]
    k = 0
    while k < len(rest) and rest[k].word in _POLITE:
        k += 1
    if k >= len(rest) or longest_match(rest, k, lx.VERBS) is None:
        return tokens
    pronoun = next((i for i, t in enumerate(rest) if t.word in ("it", "its") and t.is_word), None)
    if pronoun is None or any(t.kind == "comma" or t.kind == "sep" for t in rest[:pronoun]):
        return tokens
    if rest[pronoun].word == "its":  # "double its size" → "double the size of the tree"
        if pronoun + 1 >= len(rest) or not rest[pronoun + 1].is_word:
            return tokens
        said = [_tok("the"), rest[pronoun + 1], _tok("of"), *subject]
        return [*rest[:pronoun], *said, *rest[pronoun + 2:]]
    return [*rest[:pronoun], *subject, *rest[pronoun + 1:]]


def _stated_count(tokens: list[Token]) -> list[Token]:
    """ "there are 2 dogs, make it 4": the dogs, to that number."""
    for i in range(len(tokens) - 4):
        if tokens[i].word != "there" or tokens[i + 1].word not in ("are", "is") or _number(tokens[i + 2]) is None:
            continue
        j = i + 3
        while j < len(tokens) and lx.canonical_color(tokens[j].word) is not None:
            j += 1  # "there are 3 red balloons"
        words, _colors, n = name_run(tokens, j)
        if not words:
            continue
        name = tokens[i + 3:j + n]
        rest = tokens[j + n:]
        k = 0
        while k < len(rest) and (rest[k].kind in ("comma", "sep") or rest[k].word in _POLITE or rest[k].word in (
                "but", "i", "we", "let", "us")):
            k += 1
        if k < len(rest) and rest[k].word in ("make", "want", "need", "change"):
            k += 1
            k += 1 if k < len(rest) and rest[k].word in ("it", "that", "them") else 0
            k += 1 if k < len(rest) and rest[k].word in ("to", "into") else 0
        if k < len(rest) and _number(rest[k]) is not None and k > 0:
            value = _number(rest[k])
            number = Token(str(int(value)), "number", float(value))  # type: ignore[arg-type]
            return [*tokens[:i], _tok("change"), _tok("the"), _tok("number"), _tok("of"), *name, _tok("to"), number,
                    *rest[k + 1:]]
    return tokens


def _swap_out(tokens: list[Token]) -> list[Token]:
    """ "swap the vase out with a plant": the particle said after the thing."""
    for i, t in enumerate(tokens[:-3]):
        if t.word not in _SWAPS:
            continue
        for j in range(i + 2, min(i + 7, len(tokens) - 1)):
            if tokens[j].word == "out" and tokens[j + 1].word in ("with", "for"):
                return [*tokens[:i + 1], _tok("out"), *tokens[i + 1:j], *tokens[j + 1:]]
            if not tokens[j].is_word:
                break
    return tokens
