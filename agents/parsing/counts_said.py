"""How many there should be, said other ways, rewritten in the token list as the forms the count
builder reads:

- "the number of apples should be 3" → "change the number of apples to 3";
- "reduce the trees by one", "increase the dogs by 2" → "reduce the number of trees by one";
- "get rid of all the cups except one" → "change the number of cups to one";
- "i want 3 cats, not 2", "five candles rather than three" → "i want 3 cats" (the old count is no request).
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.names import name_run, singular
from agents.parsing.tokens import Token, longest_match

_SHOULD = (("should", "be"), ("must", "be"), ("needs", "to", "be"), ("has", "to", "be"), ("is",), ("to", "be"),
           ("will", "be"), ("could", "be"), ("ought", "to", "be"))
_COUNT_WORDS = frozenset({"number", "amount", "count", "quantity"})
_BY_VERBS = frozenset({"reduce", "decrease", "lower", "cut", "increase", "raise", "boost", "bump"})
_EXCEPT = (("except", "for"), ("except",), ("but",), ("apart", "from"), ("other", "than"), ("save",))
_NOT = ((",", "not"), ("not",), ("rather", "than"), ("instead", "of"), (",", "instead", "of"))


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _number(tok: Token) -> float | None:
    return tok.value if tok.kind == "number" else lx.NUMBER_WORDS.get(tok.word)


def _num_tok(value: float) -> Token:
    return Token(str(int(value)), "number", float(value))


def _words(tokens: list[Token], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(t.word for t in tokens[i:i + len(phrase)]) == phrase


def counts_said(tokens: list[Token]) -> list[Token]:
    return _coloured_count(_none_of(_to_count(_old_count_dropped(_all_but(_by_amount(_number_should_be(tokens)))))))


def _number_should_be(tokens: list[Token]) -> list[Token]:
    for i, t in enumerate(tokens[:-4]):
        if t.word not in _COUNT_WORDS or tokens[i + 1].word != "of" or (i > 0 and tokens[i - 1].word not in (
                "the", "total")):
            continue
        if i > 1 and longest_match(tokens, 0, lx.VERBS) is not None:
            return tokens  # "change the number of cats to 3" is read as it is
        words, _colors, n = name_run(tokens, i + 2)
        at = i + 2 + n
        if not words:
            return tokens
        for said in _SHOULD:
            if _words(tokens, at, said) and at + len(said) < len(tokens) and _number(tokens[at + len(said)]) is not None:
                start = i - 1 if i > 0 else i
                value = _number(tokens[at + len(said)])
                return [*tokens[:start], _tok("change"), _tok("the"), _tok("number"), _tok("of"),
                        *tokens[i + 2:at], _tok("to"), _num_tok(value), *tokens[at + len(said) + 1:]]  # type: ignore[arg-type]
    return tokens


def _by_amount(tokens: list[Token]) -> list[Token]:
    """ "reduce the trees by one": the number of those things, not a look."""
    for i, t in enumerate(tokens[:-4]):
        if t.word not in _BY_VERBS or tokens[i + 1].word not in ("the", "those", "these", "my"):
            continue
        words, _colors, n = name_run(tokens, i + 2)
        at = i + 2 + n
        if words and singular(words[-1])[1] and at + 1 < len(tokens) and tokens[at].word == "by" and (
                _number(tokens[at + 1]) is not None):
            return [*tokens[:i + 2], _tok("number"), _tok("of"), *tokens[i + 2:]]
    return tokens


def _all_but(tokens: list[Token]) -> list[Token]:
    """ "get rid of all the cups except one": one cup left."""
    for i, t in enumerate(tokens[:-3]):
        if t.word != "all" or i == 0:
            continue
        if not any((found := longest_match(tokens, k, lx.VERBS)) is not None and found[0] == "remove"
                   for k in range(i)):
            return tokens
        j = i + 1 + (tokens[i + 1].word in ("the", "of") and 1 or 0)
        j += 1 if j < len(tokens) and tokens[j].word == "the" else 0
        words, _colors, n = name_run(tokens, j)
        at = j + n
        if not words:
            return tokens
        for lead in _EXCEPT:
            k = at + len(lead)
            if _words(tokens, at, lead) and k < len(tokens) and _number(tokens[k]) is not None:
                return [_tok("change"), _tok("the"), _tok("number"), _tok("of"), *tokens[j:at], _tok("to"),
                        _num_tok(_number(tokens[k])), *tokens[k + 1:]]  # type: ignore[arg-type]
        return tokens
    return tokens


def _old_count_dropped(tokens: list[Token]) -> list[Token]:
    """ "i want 3 cats, not 2": the count that was is no request of its own."""
    if not any(t.word in ("not", "than", "instead") for t in tokens):
        return tokens
    for i in range(2, len(tokens) - 1):
        for lead in _NOT:
            k = i + len(lead)
            if tuple(t.word for t in tokens[i:k]) != lead or k >= len(tokens) or _number(tokens[k]) is None:
                continue
            if k + 1 < len(tokens) and tokens[k + 1].kind not in ("sep", "comma") and tokens[k + 1].word not in (
                    "please", "pls", "thanks"):
                continue  # "… instead of two cats" names the things again: read as it is
            before = [j for j in range(i) if _number(tokens[j]) is not None]
            if before and tokens[before[-1] + 1].is_word and singular(tokens[i - 1].word)[1]:
                return [*tokens[:i], *tokens[k + 1:]]
    return tokens


_TO_VERBS = frozenset({"reduce", "decrease", "cut", "increase", "raise", "bring", "bump", "lower", "drop", "trim"})


def _to_count(tokens: list[Token]) -> list[Token]:
    """ "reduce to two birds", "cut down to three chairs": the number of those things."""
    for i, t in enumerate(tokens[:-3]):
        if t.word not in _TO_VERBS:
            continue
        j = i + 1 + (tokens[i + 1].word in ("down", "up", "back"))
        if j + 2 >= len(tokens) or tokens[j].word != "to" or _number(tokens[j + 1]) is None:
            return tokens
        words, _colors, n = name_run(tokens, j + 2)
        if words and (singular(words[-1])[1] or _number(tokens[j + 1]) == 1):
            return [*tokens[:i], _tok("change"), _tok("the"), _tok("number"), _tok("of"), *tokens[j + 2:j + 2 + n],
                    _tok("to"), tokens[j + 1], *tokens[j + 2 + n:]]
    return tokens


def _none_of(tokens: list[Token]) -> list[Token]:
    """ "there should be no birds", "no birds please": those go."""
    words = [t.word for t in tokens]
    at = None
    if words[:4] == ["there", "should", "be", "no"]:
        at = 4
    elif words[:1] == ["no"] and len(words) > 1 and words[1] not in ("more", "longer", "wait", "not"):
        at = 1
    if at is None:
        return tokens
    names, _colors, n = name_run(tokens, at)
    end = at + n
    if not names or not singular(names[-1])[1] or not (end >= len(tokens) or tokens[end].kind == "sep" or (
            words[end] in ("please", "pls", "thanks", "at", "anymore", "in"))):
        return tokens
    return [_tok("remove"), _tok("the"), *tokens[at:]]


def _coloured_count(tokens: list[Token]) -> list[Token]:
    """ "change the number of blue cars to 3": the blue cars, to 3 (a colour after "number of" is no new
    colour)."""
    for i in range(1, len(tokens) - 3):
        if tokens[i].word in _COUNT_WORDS and tokens[i - 1].word == "the" and tokens[i + 1].word == "of" and (
                any(lx.canonical_color(t.word) is not None for t in tokens[i + 2:i + 4])) and not any(
                t.word == "by" for t in tokens[i:]):  # "… by two" is read with "the number of"
            return [*tokens[:i], *tokens[i + 2:]]
    return tokens
