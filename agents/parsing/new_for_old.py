"""The new thing said before the old one: "substitute a dog for the cat", "swap in a dog for the
cat", "sub a pear in for the apple", "use a mug for the cup", "put a dog there instead of the cat",
read as "replace the cat with a dog"; and "the cat needs replacing with a dog" as "… needs to be
replaced …"."""

from __future__ import annotations

from agents.parsing.tokens import Token

_VERBS = frozenset({"substitute", "sub", "swap", "switch", "put", "use", "pop", "drop", "bring", "slot", "trade"})
_NEW = frozenset({"a", "an", "some"})
_OLD = frozenset({"the", "that", "this", "my", "those", "these", "his", "her", "their", "our"})
_GERUNDS = {"replacing": "replaced", "swapping": "swapped", "changing": "changed", "exchanging": "exchanged",
            "switching": "switched", "substituting": "substituted"}


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def new_for_old(tokens: list[Token]) -> list[Token]:
    return _there_instead(_gerund_replacing(_substitute(tokens)))


def _substitute(tokens: list[Token]) -> list[Token]:
    for i, t in enumerate(tokens[:-4]):
        if t.word not in _VERBS or (i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].word not in (
                "please", "pls", "just", "you", "and", "then", "can", "could", "to")):
            continue
        j = i + 1 + (tokens[i + 1].word == "in")
        if j >= len(tokens) or tokens[j].word not in _NEW:
            continue
        k = j + 1
        while k < len(tokens) and tokens[k].is_word and tokens[k].word not in ("for", "in", "instead") and k < j + 5:
            k += 1
        new = tokens[j:k]
        if k < len(tokens) and tokens[k].word == "in":
            k += 1
        if k + 1 >= len(tokens) or tokens[k].word != "for" or tokens[k + 1].word not in _OLD or len(new) < 2:
            continue
        end = k + 2
        while end < len(tokens) and tokens[end].is_word and tokens[end].word not in ("and", "then", "please", "pls"):
            end += 1
        return [*tokens[:i], _tok("replace"), *tokens[k + 1:end], _tok("with"), *new, *tokens[end:]]
    return tokens


def _gerund_replacing(tokens: list[Token]) -> list[Token]:
    """ "the cat needs replacing with a dog"."""
    for i, t in enumerate(tokens[1:], 1):
        if t.word in _GERUNDS and tokens[i - 1].word in ("needs", "need", "wants"):
            return [*tokens[:i], _tok("to"), _tok("be"), _tok(_GERUNDS[t.word]), *tokens[i + 1:]]
    return tokens


def _there_instead(tokens: list[Token]) -> list[Token]:
    """ "put a dog there instead of the cat": "there" is where the cat is."""
    for i, t in enumerate(tokens[1:-2], 1):
        if t.word in ("there", "here") and tokens[i + 1].word in ("instead", "in") and tokens[i + 2].word in (
                "of", "place"):
            return [*tokens[:i], *tokens[i + 1:]]
    return tokens
