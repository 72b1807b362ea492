"""More everyday replacement wording, rewritten in the token list before the clause builders read it:

- "for the cat, use a dog", "where the cat is, put a dog", "in the cat's place, a dog", "do you think the
  cat could be a dog" → "replace the cat with a dog" / "the cat could be a dog";
- "what if we replaced the cat with a dog", "how about we swapped …" → "replace the cat with a dog";
- "i'd love it if the cat were a dog" → "the cat should be a dog";
- "dog in place of cat", "have a dog take the place of the cat", "let a dog take the cat's place" →
  "… instead of …";
- "cat out, dog in" → "replace cat with dog"; "replace the cat with a dog and the mug with a teacup": the
  verb said again for the second pair;
- "replace the cat with a dog, the cat looks weird": a judgement of a thing said as the reason asks
  nothing and is dropped (only after a request; it would otherwise read as a second request).
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token

_DEFINITE = frozenset({"the", "that", "this", "my", "his", "her", "their", "our", "your", "its"})
_NEW = frozenset({"a", "an", "some"}) | frozenset(lx.NUMBER_WORDS)
_PAST = {"replaced": "replace", "swapped": "swap", "changed": "change", "turned": "turn", "exchanged": "exchange",
         "switched": "switch", "traded": "trade", "substituted": "substitute", "made": "make", "put": "put",
         "used": "use", "removed": "remove", "added": "add"}
_SUPPOSE = (("what", "if"), ("how", "about"), ("suppose",), ("maybe",), ("perhaps",))
_JUDGED = frozenset({"weird", "odd", "wrong", "off", "ugly", "bad", "strange", "boring", "silly", "creepy", "fake",
                     "terrible", "awful", "horrible", "dated", "cheap", "tacky", "plain", "dull", "messy", "funny",
                     "place", "big", "small", "huge", "tiny", "distracting"})
_LOOKS = frozenset({"looks", "look", "is", "seems", "feels", "was"})


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def replacements_more(tokens: list[Token]) -> list[Token]:
    for rule in (_do_you_think, _supposed_past, _love_it_if, _old_said_first, _take_the_place, _in_place_of,
                 _out_and_in, _judgement_dropped, _gapped_replace, _is_to_be, _old_said_indefinite, _done_to_old,
                 _make_it_instead, _rather_new_than_old, _bare_plural_wanted):
        tokens = rule(tokens)
    return tokens


def _do_you_think(tokens: list[Token]) -> list[Token]:
    """ "do you think the cat could be a dog": the question asks for the change."""
    words = [t.word for t in tokens]
    for lead in (("do", "you", "think"), ("i", "am", "thinking"), ("i", "was", "thinking")):
        n = len(lead)
        if tuple(words[:n]) == lead and len(words) > n + 2:
            n += words[n] == "that"
            if words[n] in _DEFINITE or tokens[n].word in _NEW:
                return tokens[n:]
    return tokens


_FIRST_OLD = (("for",), ("where",), ("in",))
_THEN_NEW = (("use",), ("put",), ("add",), ("try",), ("give", "me"), ("i", "want"), ("i", "would", "like"),
             ("have",), ("let", "us", "have"), ("we", "want"), ("put", "in"), ("pop", "in"))


def _old_said_first(tokens: list[Token]) -> list[Token]:
    """ "for the cat, use a dog", "where the cat is, put a dog", "in the cat's place, a dog" → "replace the
    cat with a dog"."""
    words = [t.word for t in tokens]
    if not words or words[0] not in ("for", "where", "in") or len(words) < 5 or words[1] not in _DEFINITE:
        return tokens
    comma = next((k for k in range(2, min(9, len(tokens) - 1)) if tokens[k].kind == "comma"), None)
    if comma is None:
        return tokens
    old = tokens[1:comma]
    if words[0] == "where" and words[comma - 1] in ("is", "was", "sits", "stands", "are"):
        old = old[:-1]
    elif words[0] == "in" and words[comma - 2:comma] == ["'s", "place"]:
        old = old[:-2]
    elif words[0] != "for":
        return tokens
    k = comma + 1
    lead = max((len(w) for w in _THEN_NEW if tuple(words[k:k + len(w)]) == w), default=0)
    if (lead == 0 and words[0] == "for") or k + lead >= len(tokens) or tokens[k + lead].word not in _NEW:
        return tokens
    return [_tok("replace"), *old, _tok("with"), *tokens[k + lead:]]


def _supposed_past(tokens: list[Token]) -> list[Token]:
    """ "what if we replaced the cat with a dog": a suggestion, read as the request."""
    words = [t.word for t in tokens]
    for lead in _SUPPOSE:
        n = len(lead)
        if tuple(words[:n]) == lead and len(words) > n + 2 and words[n] in ("we", "you", "i") and \
                words[n + 1] in _PAST and words[n + 2] in _DEFINITE:
            return [_tok(_PAST[words[n + 1]]), *tokens[n + 2:]]
    return tokens


def _love_it_if(tokens: list[Token]) -> list[Token]:
    """ "i'd love it if the cat were a dog", "it would be nice if the cat was a dog" → "the cat should be …"."""
    words = [t.word for t in tokens]
    for i in range(len(words) - 4):
        if words[i] != "if" or words[i + 1] not in _DEFINITE or "it" not in words[max(0, i - 4):i]:
            continue
        for k in range(i + 2, min(i + 8, len(words) - 1)):
            if words[k] in ("was", "were", "became") and tokens[k + 1].word in _NEW:
                return [*tokens[i + 1:k], _tok("should"), _tok("be"), *tokens[k + 1:]]
    return tokens


def _take_the_place(tokens: list[Token]) -> list[Token]:
    """ "have a dog take the place of the cat", "let a dog take the cat's place"."""
    words = [t.word for t in tokens]
    for i in range(1, len(words) - 3):
        if words[i] not in ("take", "takes") or words[i - 1] in _DEFINITE:
            continue
        lead = [_tok("have")] if words[0] in ("let", "have") else []
        start = 1 if lead else 0
        if words[i + 1:i + 4] == ["the", "place", "of"]:
            return [*lead, *tokens[start:i], _tok("instead"), _tok("of"), *tokens[i + 4:]]
        if words[i + 1] in _DEFINITE:
            for k in range(i + 2, min(i + 7, len(words) - 1)):
                if words[k] == "'s" and words[k + 1] in ("place", "spot"):
                    return [*lead, *tokens[start:i], _tok("instead"), _tok("of"), *tokens[i + 1:k], *tokens[k + 2:]]
    return tokens


def _in_place_of(tokens: list[Token]) -> list[Token]:
    """ "dog in place of cat": said as "dog instead of cat", which the terse notes read."""
    for i in range(1, len(tokens) - 3):
        if [t.word for t in tokens[i:i + 3]] == ["in", "place", "of"] and tokens[i - 1].is_word:
            return [*tokens[:i], _tok("instead"), _tok("of"), *tokens[i + 3:]]
    return tokens


def _out_and_in(tokens: list[Token]) -> list[Token]:
    """ "cat out, dog in", "the mug out and a teacup in" → "replace cat with dog"."""
    words = [t.word for t in tokens]
    if len(words) < 5 or words[-1] != "in":
        return tokens
    for j in range(1, len(words) - 3):
        if words[j] == "out" and (tokens[j + 1].kind == "comma" or words[j + 1] == "and"):
            return [_tok("replace"), *tokens[:j], _tok("with"), *tokens[j + 2:-1]]
    return tokens


def _judgement_dropped(tokens: list[Token]) -> list[Token]:
    """ "replace the cat with a dog, the cat looks weird": the reason after a request is dropped."""
    for i in range(2, len(tokens) - 2):
        if tokens[i].kind not in ("comma", "sep") or not any((t.word,) in lx.VERBS for t in tokens[:i]):
            continue
        k = i + 1
        if tokens[k].word in _DEFINITE:
            k += 1
            while k < len(tokens) and tokens[k].is_word and tokens[k].word not in _LOOKS and k < i + 5:
                k += 1
        else:  # "…, it looks weird" reads as it is: the words it did not take are listed, not a clause
            continue
        if k >= len(tokens) or tokens[k].word not in _LOOKS:
            continue
        rest = [t.word for t in tokens[k + 1:] if t.is_word]
        if rest and len(rest) <= 5 and rest[-1] in _JUDGED and all(t.kind != "sep" for t in tokens[k + 1:]):
            return tokens[:i]
    return tokens


_REPLACE_VERBS = frozenset({"replace", "swap", "exchange", "switch", "trade", "substitute"})


def _gapped_replace(tokens: list[Token]) -> list[Token]:
    """ "replace the cat with a dog and the mug with a teacup": the second pair is replaced too."""
    words = [t.word for t in tokens]
    if not words or words[0] not in _REPLACE_VERBS:
        return tokens
    for i in range(3, len(words) - 4):
        if words[i] != "and" or words[i + 1] not in _DEFINITE:
            continue
        for k in range(i + 2, min(i + 7, len(words) - 1)):
            if (t := tokens[k]).word in ("with", "for", "by") and tokens[k + 1].word in _NEW:
                return [*tokens[:i + 1], _tok(words[0]), *tokens[i + 1:]]
            if not t.is_word or (t.word,) in lx.VERBS:
                break
    return tokens


def _is_to_be(tokens: list[Token]) -> list[Token]:
    """ "the cat is to be replaced with a dog" → "the cat should be replaced …"."""
    for i in range(1, len(tokens) - 3):
        if tokens[i].word in ("is", "are") and tokens[i + 1].word == "to" and tokens[i + 2].word == "be":
            return [*tokens[:i], _tok("should"), *tokens[i + 2:]]
    return tokens


def _old_said_indefinite(tokens: list[Token]) -> list[Token]:
    """ "a dog instead of a cat", "not a cat, a dog": the old thing is one that is there, said "a"."""
    for i in range(len(tokens) - 2):
        lead = tokens[i].word == "not" or tokens[i].word == "of" and i > 0 and tokens[i - 1].word == "instead"
        if lead and tokens[i + 1].word in ("a", "an") and any(t.word in _NEW for t in tokens[:i] + tokens[i + 3:]):
            return [*tokens[:i + 1], _tok("the"), *tokens[i + 2:]]
    return tokens


_DONE = frozenset({"replaced", "swapped", "switched", "exchanged", "traded", "substituted"})


def _done_to_old(tokens: list[Token]) -> list[Token]:
    """ "cat replaced by dog", "the mug swapped for a teacup" (a note, no verb before) → "replace … with …"."""
    for i in range(1, min(6, len(tokens) - 2)):
        if tokens[i].word in _DONE and tokens[i + 1].word in ("by", "for", "with") and \
                all(t.is_word and (t.word,) not in lx.VERBS and t.word not in ("be", "is", "was", "get", "gets",
                                                                             "been", "have", "had")
                    for t in tokens[:i]):
            return [_tok("replace"), *tokens[:i], _tok("with"), *tokens[i + 2:]]
    return tokens


def _make_it_instead(tokens: list[Token]) -> list[Token]:
    """ "make it a dog instead of the cat", "make it a dog, not a cat": "it" is the cat → "replace the cat
    with a dog"."""
    words = [t.word for t in tokens]
    for i in range(len(words) - 5):
        if words[i:i + 2] != ["make", "it"] or tokens[i + 2].word not in _NEW:
            continue
        for k in range(i + 3, min(i + 8, len(words) - 2)):
            n = 2 if words[k:k + 2] == ["instead", "of"] else 1 if words[k] == "not" else 0
            if n and words[k + n] in _DEFINITE:  # "make it a dog instead of the cat", "… a dog, not the cat"
                end = k - (tokens[k - 1].kind == "comma")
                return [*tokens[:i], _tok("replace"), *tokens[k + n:], _tok("with"), *tokens[i + 2:end]]
    return tokens


def _rather_new_than_old(tokens: list[Token]) -> list[Token]:
    """ "we'd rather have roses than the tulips", "i'd rather a fox than the dog" → "i want … instead of …"."""
    words = [t.word for t in tokens]
    at = next((i for i, w in enumerate(words) if w == "rather"), None)
    if at is None or not all(w in ("i", "we", "would", "much", "really", "honestly") for w in words[:at]):
        return tokens
    start = at + 1 + (at + 1 < len(words) and words[at + 1] in ("have", "get", "see", "use"))
    for k in range(start + 1, min(start + 6, len(words) - 1)):
        if words[k] == "than" and words[k + 1] in _DEFINITE:
            return [_tok("i"), _tok("want"), *tokens[start:k], _tok("instead"), _tok("of"), *tokens[k + 1:]]
        if not tokens[k].is_word:
            break
    return tokens


_WANT = (("i", "want"), ("we", "want"), ("i", "would", "like"), ("we", "would", "like"), ("give", "me"),
         ("i", "need"), ("can", "we", "have"), ("could", "we", "have"), ("let", "us", "have"))


def _bare_plural_wanted(tokens: list[Token]) -> list[Token]:
    """ "i want roses instead of the tulips": bare new things wanted are "some roses"."""
    words = [t.word for t in tokens]
    n = max((len(w) for w in _WANT if tuple(words[:len(w)]) == w), default=0)
    if not n or n >= len(words) or words[n] in _NEW or words[n] in _DEFINITE or not words[n].endswith("s"):
        return tokens
    if any(words[k:k + 2] == ["instead", "of"] for k in range(n + 1, min(n + 5, len(words)))):
        return [*tokens[:n], _tok("some"), *tokens[n:]]
    return tokens
