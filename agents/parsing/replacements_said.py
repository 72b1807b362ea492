"""Replacements and relative counts said in everyday ways, rewritten in the token list as the forms the
clause builders read:

- "rather than the mug, a teacup", "a rhino rather than the hippo" → "instead of …";
- "instead of the mug put a teacup", "instead of the cat i'd like a dog" → "replace the mug with a teacup";
- "i want a fox, not the dog", "a beret, not that fedora", "not the cat but a dog" → "… instead of …";
- "i'd prefer a fox to the dog" → "i want a fox instead of the dog"; "prefer 4 hedgehogs" → "i want 4 …";
  "it'd be better with two peacocks" → "i want two peacocks";
- "could you make it so the cat is a dog" → "could you make the cat a dog";
- "get rid of the cap and put in a hat" → "… and put a hat there" (one replacement, see instead.py);
- "a dog would be better than the cat", "could we try a dog instead of the cat", "i'd rather the cat was a
  dog", "i don't want the cat, give me a dog", "swap out the cat and swap in a dog", "out with the cat, in
  with a dog" → the forms above or "replace the cat with a dog";
- "twice as many ducks", "three times as many", "half (as many) the ducks", "cut the ducks in half" →
  "double / triple / halve the ducks"; "remove a couple of the cups" → "remove two of the cups".
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token

_DEFINITE = frozenset({"the", "that", "this", "my", "his", "her", "their", "our", "your", "its", "those", "these"})
_NEW = frozenset({"a", "an", "some"}) | frozenset(lx.NUMBER_WORDS)
_WISHES = (("i", "want"), ("i", "would", "like"), ("we", "want"), ("give", "me"), ("i", "would", "love"),
           ("we", "would", "like"), ("i", "need"), ("we", "need"), ("can", "we", "have"), ("could", "we", "have"),
           ("can", "we", "get"), ("could", "we", "get"), ("can", "i", "have"), ("can", "i", "get"),
           ("let", "us", "have"), ("let", "us", "use"), ("let", "us", "go", "with"), ("i", "would", "go", "with"),
           ("go", "with"), ("put",), ("add",), ("use",), ("have",), ("put", "in"), ("pop", "in"), ("please", "put"))
_FILLERS = frozenset({"make", "it", "i", "want", "can", "could", "we", "have", "only", "just", "please", "you", "let",
                      "us", "need", "would", "like", "get", "there", "be", "should", "so", "give", "me"})
_REMOVALS = frozenset({"remove", "delete", "erase", "lose", "rid", "of", "away", "out", "ditch", "drop"})


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _is_new(tok: Token | None) -> bool:
    return tok is not None and (tok.word in _NEW or tok.kind == "number")


def _wish_at(tokens: list[Token], i: int) -> int:
    """Length of a wish ("i would like", "put") starting at ``i``, 0 when none."""
    words = [t.word for t in tokens[i:i + 4]]
    return max((len(w) for w in _WISHES if tuple(words[:len(w)]) == w), default=0)


def replacements_said(tokens: list[Token]) -> list[Token]:
    tokens = _rather_than(tokens)
    for rule in (_prefer, _better_with, _better_than, _make_it_so, _instead_lead, _not_old, _out_then_in,
                 _do_not_want, _try_instead, _rather_was, _put_in_after_removal, _relative, _couple_of_the):
        tokens = rule(tokens)
    return tokens


def _rather_than(tokens: list[Token]) -> list[Token]:
    """ "rather than X" (side by side) says "instead of X"; "i'd rather have a dog than the cat" stays."""
    for i in range(len(tokens) - 1):
        if tokens[i].word == "rather" and tokens[i + 1].word == "than":
            return [*tokens[:i], _tok("instead"), _tok("of"), *tokens[i + 2:]]
    return tokens


def _prefer(tokens: list[Token]) -> list[Token]:
    """ "i'd prefer a fox to the dog", "i would prefer five pillows to two", "prefer 4 hedgehogs"."""
    at = next((i for i, t in enumerate(tokens) if t.word == "prefer"), None)
    if at is None or not _is_new(tokens[at + 1] if at + 1 < len(tokens) else None):
        return tokens
    start = at
    while start > 0 and tokens[start - 1].word in ("i", "we", "would", "really", "think", "much"):
        start -= 1
    rest = tokens[at + 1:]
    for k, t in enumerate(rest):
        if t.word in ("to", "over", "than") and k > 0:
            nxt = rest[k + 1] if k + 1 < len(rest) else None
            if nxt is not None and nxt.word in _DEFINITE:
                rest = [*rest[:k], _tok("instead"), _tok("of"), *rest[k + 1:]]
            elif nxt is not None and (nxt.kind == "number" or nxt.word in lx.NUMBER_WORDS):
                rest = [*rest[:k], *rest[k + 2:]]  # "four roses to two": the count now is only said
            break
    return [*tokens[:start], _tok("i"), _tok("want"), *rest]


def _better_with(tokens: list[Token]) -> list[Token]:
    """ "it'd be better with two peacocks", "it would look nicer with a dog": what is wanted."""
    for i in range(len(tokens) - 4):
        words = [t.word for t in tokens[i:i + 5]]
        if words[0] in ("it", "this", "that") and words[1] in ("would", "will") and words[2] in ("be", "look") and \
                words[3] in ("better", "nicer") and words[4] == "with" and _is_new(tokens[i + 5] if i + 5 < len(
                    tokens) else None):
            return [*tokens[:i], _tok("i"), _tok("want"), *tokens[i + 5:]]
    return tokens


def _better_than(tokens: list[Token]) -> list[Token]:
    """ "a dog would be better than the cat" → "a dog instead of the cat"."""
    words = [t.word for t in tokens]
    start = 2 if words[:2] == ["i", "think"] else 0
    if not _is_new(tokens[start] if start < len(tokens) else None):
        return tokens
    for i in range(start + 1, min(start + 6, len(words) - 4)):
        if words[i] in ("would", "will") and words[i + 1] in ("be", "look") and words[i + 2] in (
                "better", "nicer") and words[i + 3] == "than" and words[i + 4] in _DEFINITE:
            return [*tokens[start:i], _tok("instead"), _tok("of"), *tokens[i + 4:]]
    return tokens


_OUT = (("swap", "out"), ("switch", "out"), ("take", "out"), ("pull", "out"), ("take", "away"), ("out", "with"),
        ("get", "rid", "of"), ("remove",), ("delete",), ("lose",), ("ditch",))
_IN = (("swap", "in"), ("switch", "in"), ("put", "in"), ("pop", "in"), ("bring", "in"), ("in", "with"),
       ("stick", "in"))


def _out_then_in(tokens: list[Token]) -> list[Token]:
    """ "swap out the cat and swap in a dog", "take out the cat, put in a dog", "out with the cat, in with a
    dog" → "replace the cat with a dog" (only when nothing says where the new thing goes)."""
    words = [t.word for t in tokens]
    out = next((o for o in _OUT if tuple(words[:len(o)]) == o), None)
    if out is None or len(words) <= len(out) or words[len(out)] not in _DEFINITE:
        return tokens
    for j in range(len(out) + 1, min(len(out) + 8, len(words) - 2)):
        k = j + (words[j] in ("and", "then") or tokens[j].kind == "comma")
        k += k < len(words) and words[k] in ("and", "then") and k > j
        into = next((w for w in _IN if tuple(words[k:k + len(w)]) == w), None)
        if k == j or into is None or not _is_new(tokens[k + len(into)] if k + len(into) < len(tokens) else None):
            continue
        rest = words[k + len(into):]
        if any(w in ("on", "at", "next", "beside", "near", "above", "below", "under", "behind") for w in rest):
            return tokens
        return [_tok("replace"), *tokens[len(out):j], _tok("with"), *tokens[k + len(into):]]
    return tokens


def _do_not_want(tokens: list[Token]) -> list[Token]:
    """ "i don't want the cat, give me a dog" → "replace the cat with a dog"."""
    words = [t.word for t in tokens]
    if words[:2] not in (["i", "do"], ["we", "do"]) or words[2:4] not in (["not", "want"], ["not", "like"]):
        return tokens
    if len(words) < 6 or words[4] not in _DEFINITE:
        return tokens
    for j in range(5, min(11, len(words) - 1)):
        k = j + (tokens[j].kind == "comma") + (words[j] in ("but", "so"))
        k += k < len(words) and words[k] in ("but", "so", "just") and k > j
        n = _wish_at(tokens, k) if k > j else 0
        if n and k + n < len(tokens) and _is_new(tokens[k + n]):
            return [_tok("replace"), *tokens[4:j], _tok("with"), *tokens[k + n:]]
    return tokens


def _try_instead(tokens: list[Token]) -> list[Token]:
    """ "could we try a dog instead of the cat" → "… put a dog instead of the cat"."""
    for i, t in enumerate(tokens[:-3]):
        if t.word == "try" and _is_new(tokens[i + 1]) and any(
                w.word in ("instead", "place") for w in tokens[i + 2:i + 8]):
            return [*tokens[:i], _tok("put"), *tokens[i + 1:]]
    return tokens


def _rather_was(tokens: list[Token]) -> list[Token]:
    """ "i'd rather the cat was a dog" → "the cat should be a dog"."""
    words = [t.word for t in tokens]
    for i in range(len(words) - 3):
        if words[i] == "rather" and words[i + 1] in _DEFINITE:
            for k in range(i + 2, min(i + 7, len(words) - 1)):
                if words[k] in ("was", "were", "is", "be") and _is_new(tokens[k + 1]):
                    return [*tokens[i + 1:k], _tok("should"), _tok("be"), *tokens[k + 1:]]
    return tokens


def _make_it_so(tokens: list[Token]) -> list[Token]:
    """ "could you make it so the cat is a dog" → "could you make the cat a dog"."""
    for i in range(len(tokens) - 4):
        if [t.word for t in tokens[i:i + 3]] != ["make", "it", "so"]:
            continue
        j = i + 3 + (tokens[i + 3].word == "that")
        if j >= len(tokens) or tokens[j].word not in _DEFINITE:
            return tokens
        for k in range(j + 1, min(j + 7, len(tokens) - 1)):
            if tokens[k].word in ("is", "are", "becomes", "turns") and _is_new(tokens[k + 1]):
                return [*tokens[:i], _tok("make"), *tokens[j:k], *tokens[k + 1:]]
    return tokens


def _instead_lead(tokens: list[Token]) -> list[Token]:
    """ "instead of the mug put a teacup", "in place of the cat, i'd like a dog" → "replace … with …"."""
    lead = 2 if [t.word for t in tokens[:2]] == ["instead", "of"] else 3 if [
        t.word for t in tokens[:3]] == ["in", "place", "of"] else 0
    if not lead or len(tokens) <= lead or tokens[lead].word not in _DEFINITE:
        return tokens
    for j in range(lead + 1, min(lead + 8, len(tokens))):
        k = j + (tokens[j].kind == "comma")
        n = _wish_at(tokens, k) if k < len(tokens) else 0
        if n and k + n < len(tokens) and _is_new(tokens[k + n]):
            return [_tok("replace"), *tokens[lead:j], _tok("with"), *tokens[k + n:]]
    return tokens


def _not_old(tokens: list[Token]) -> list[Token]:
    """ "i want a fox, not the dog", "a beret, not that fedora", "not the cat but a dog", "not the cat, a dog"."""
    if len(tokens) > 2 and tokens[0].word == "not" and tokens[1].word in _DEFINITE:
        for k in range(2, min(8, len(tokens) - 1)):
            if tokens[k].word == "but" or tokens[k].kind == "comma":
                j = k + (tokens[k].kind == "comma" and tokens[k + 1].word == "but")
                if j + 1 < len(tokens) and _is_new(tokens[j + 1]):
                    return [*tokens[j + 1:], _tok("instead"), _tok("of"), *tokens[1:k]]
        return tokens
    start = _wish_at(tokens, 0)
    if start and tokens[start - 1].word in ("put", "add", "use", "have"):
        return tokens  # "put a hat on, not the cap" is not said this way
    if start >= len(tokens) or not _is_new(tokens[start]):
        return tokens
    for k in range(start + 1, min(start + 7, len(tokens) - 1)):
        word = tokens[k].word
        if word in ("and", "with", "on", "in", "to", "at"):
            return tokens
        if word == "not" and tokens[k + 1].word in _DEFINITE:
            end = k - (tokens[k - 1].kind == "comma")
            end -= tokens[end - 1].word in ("please", "pls")  # "a dog please, not the cat"
            return [*tokens[:end], _tok("instead"), _tok("of"), *tokens[k + 1:]]
    return tokens


def _put_in_after_removal(tokens: list[Token]) -> list[Token]:
    """ "get rid of the cap and put in a hat": the new thing goes where the old one was."""
    for i in range(1, len(tokens) - 3):
        if tokens[i].word != "and" or tokens[i + 1].word not in ("put", "pop", "stick", "bring") or \
                tokens[i + 2].word != "in" or not _is_new(tokens[i + 3]):
            continue
        if not any(t.word in _REMOVALS for t in tokens[:i]):
            return tokens
        end = i + 4
        while end < len(tokens) and tokens[end].is_word and tokens[end].word not in ("please", "pls", "thanks"):
            end += 1
        if any(t.word in ("on", "at", "next", "beside", "near", "there", "instead") for t in tokens[i + 3:end]):
            return tokens
        return [*tokens[:i + 2], *tokens[i + 3:end], _tok("there"), *tokens[end:]]
    return tokens


_AS_MANY = {"twice": "double", "double": "double", "half": "halve", "thrice": "triple"}
_TIMES = {"two": "double", "three": "triple", "four": "quadruple", "2": "double", "3": "triple", "4": "quadruple"}
_MULTIPLY = frozenset({"double", "triple", "quadruple", "twice"})
_CUT = frozenset({"reduce", "cut", "decrease", "lower", "bring"})


def _relative(tokens: list[Token]) -> list[Token]:
    """ "twice as many ducks", "three times as many", "half as many", "half the ducks", "cut the ducks in half"."""
    words = [t.word for t in tokens]
    for i, w in enumerate(words):
        verb, n = None, 0
        if w in _AS_MANY and words[i + 1:i + 3] == ["as", "many"]:
            verb, n = _AS_MANY[w], 3
        elif w in _TIMES and words[i + 1:i + 4] == ["times", "as", "many"]:
            verb, n = _TIMES[w], 4
        elif w == "half" and i + 1 < len(words) and words[i + 1] in ("the", "of"):
            verb, n = "halve", 1 + (words[i + 1] == "of")
        elif w in _MULTIPLY and i + 1 < len(words) and words[i + 1] == "the" and (i > 0 or w == "twice"):
            verb, n = ("double" if w == "twice" else w), 1  # "i want double the ducks", "twice the number of …"
        if verb is None:
            continue
        removal = w == "half" and i > 0 and words[i - 1] in _REMOVALS  # "get rid of half the ducks"
        if not (removal or all(x in _FILLERS for x in words[:i])) or not _plural_things(words[i + n:]):
            return tokens
        return [_tok(verb), *([] if tokens[i + n].word in _DEFINITE else [_tok("the")]), *tokens[i + n:]]
    halved = words[-2:] == ["in", "half"] and words[0] == "cut" or words[-2:] == ["by", "half"] and words[0] in _CUT
    if len(words) > 4 and halved and words[1] in _DEFINITE and words[-3].endswith("s"):
        return [_tok("halve"), *tokens[1:-2]]  # "cut the ducks in half", "reduce the ducks by half"
    return tokens


def _plural_things(words: list[str]) -> bool:
    """Whether the words left are only the things counted ("the ducks", "orchids please"), plural."""
    body = [w for w in words if w not in ("please", "pls", "thanks", "instead", "now", "again")]
    return 0 < len(body) <= 4 and body[-1].endswith("s") and not {"are", "is", "was", "were", "be"} & set(body)


def _couple_of_the(tokens: list[Token]) -> list[Token]:
    """ "remove a couple of the cups": two of them."""
    for i in range(len(tokens) - 3):
        if [t.word for t in tokens[i:i + 4]] == ["a", "couple", "of", "the"]:
            return [*tokens[:i], _tok("two"), *tokens[i + 2:]]
    return tokens
