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
    return _in_its_place(_wanted_replaced(_there_instead(_gerund_replacing(_substitute(tokens)))))


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


_DONE = frozenset({"replaced", "swapped", "switched", "exchanged", "substituted", "traded"})
_WISH = (("i", "want"), ("i", "would", "like"), ("we", "want"), ("i", "need"), ("we", "need"), ("have",), ("get",),
         ("i", "would", "love"), ("we", "would", "like"))


def _wanted_replaced(tokens: list[Token]) -> list[Token]:
    """ "i want the cat replaced by a dog", "have the mug swapped for a glass"."""
    if not any(t.word in _DONE for t in tokens):
        return tokens
    words = [t.word for t in tokens]
    for wish in _WISH:
        n = len(wish)
        at = next((i for i in range(min(3, len(words))) if tuple(words[i:i + n]) == wish), None)
        if at is None or at + n >= len(words) or words[at + n] not in _OLD:
            continue
        for k in range(at + n + 1, min(at + n + 7, len(words) - 1)):
            if words[k] in _DONE:
                j = k + 1 + (words[k + 1] == "out")
                if j < len(words) and words[j] in ("by", "with", "for"):
                    return [*tokens[:at], _tok("replace"), *tokens[at + n:k], _tok("with"), *tokens[j + 1:]]
            if not tokens[k].is_word:
                break
    return tokens


def _in_its_place(tokens: list[Token]) -> list[Token]:
    """ "put a dog in the cat's place": instead of the cat."""
    for i, t in enumerate(tokens[:-3]):
        if t.word != "in":
            continue
        for k in range(i + 2, min(i + 6, len(tokens) - 1)):
            if tokens[k].word == "'s" and tokens[k + 1].word in ("place", "spot") and tokens[i + 1].word in _OLD:
                return [*tokens[:i], _tok("instead"), _tok("of"), *tokens[i + 1:k], *tokens[k + 2:]]
    return tokens
