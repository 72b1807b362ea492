"""Second thoughts inside one message: "make it green — no wait, orange", "paint it red, sorry, I meant
navy", "twice as big... actually 30% bigger". The marker is dropped so the later words stay in the
same clause, where the later value of a slot wins (agents.parsing.verbs_change keeps the last)."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token, phrase_at

_MARKERS = frozenset({
    ("no", "wait"), ("no", "wait", "make", "it"), ("wait", "no"), ("sorry", "i", "meant"), ("i", "meant"),
    ("sorry", "i", "mean"), ("i", "mean"), ("no", "sorry"), ("sorry",), ("oops",), ("actually",),
    ("actually", "make", "it"), ("or", "rather"), ("rather",), ("no",), ("wait",),
    ("scratch", "that"), ("on", "second", "thought"), ("hmm", "no"), ("no", "actually"), ("sorry", "no"),
    ("correction",), ("i", "mean", "it"),
})
_BREAKS = frozenset({"comma", "sep"})


_OPENERS = frozenset({"right", "well", "okay", "ok", "so", "alright", "oh", "ah", "yeah", "yes", "great", "nice", "cool",
                      "perfect", "awesome", "hmm", "um", "erm", "sure", "good", "thanks", "wow", "hey", "hi", "hello"})


def drop_openers(tokens: list[Token]) -> list[Token]:
    """ "Right, remove the star", "ok so yeah, …": words before the first comma that only open the
    message ("right" would otherwise read as a direction)."""
    k = 0
    while k < len(tokens) and tokens[k].kind == "word" and (tokens[k].word in _OPENERS or tokens[k].word in lx.FILLERS):
        k += 1
    if 0 < k < len(tokens) and tokens[k].kind in ("comma", "sep"):
        return tokens[k + 1:]
    return tokens


def merge_second_thoughts(tokens: list[Token]) -> list[Token]:
    """The tokens with each mid-message correction marker (and the break before it) removed, when a
    value follows it in the same message."""
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.kind in _BREAKS and out:
            j = i
            while j < len(tokens) and tokens[j].kind in _BREAKS:
                j += 1
            k, found = j, False
            while True:  # "— no wait, sorry, I meant …"
                n = phrase_at(tokens, k, _MARKERS)
                if not n:
                    break
                found, k = True, k + n
                while k < len(tokens) and tokens[k].kind in _BREAKS:
                    k += 1
            if found and k < len(tokens) and not _new_request(tokens, k):
                _drop_corrected(out, tokens[k])
                out.append(Token(",", "comma"))  # the value after it stays in the same clause
                i = k
                continue
        out.append(tok)
        i += 1
    return out


def _new_request(tokens: list[Token], k: int) -> bool:
    """ "…, actually remove it too": after the marker a new request starts, not a corrected value."""
    return tokens[k].word in ("remove", "add", "delete", "and", "also", "then", "can", "could", "please", "move",
                              "make", "change", "undo", "i", "you", "we", "it", "that")


_ARTICLES = frozenset({"a", "an", "the", "some"})
_LEADS = frozenset({"to", "the", "towards", "toward", "in", "into"})


def _kind(tok: Token) -> str | None:
    if tok.kind != "word":
        return None
    if lx.canonical_color(tok.word) is not None:
        return "color"
    if tok.word in lx.DIRECTION_WORDS:
        return "direction"
    if tok.word in _ARTICLES:
        return "article"
    return None


def _drop_corrected(out: list[Token], first_after: Token) -> None:
    """ "paint it red, sorry, navy" → "paint it navy"; "move it left — no wait, up" → "move it up";
    "add a cyan, no, a green bush" → "add a green bush": the value said first goes."""
    kind = _kind(first_after)
    if kind is None:
        return
    for j in range(len(out) - 1, max(-1, len(out) - 7), -1):
        tok = out[j]
        if tok.kind in ("sep", "comma"):
            return
        if kind == "article" and tok.word in _ARTICLES:
            del out[j:]  # the whole first try at the noun phrase
            return
        if kind != "article" and _kind(tok) == kind:
            del out[j]
            while j > 0 and j - 1 < len(out) and out[j - 1].word in _LEADS and kind == "direction":
                del out[j - 1]
                j -= 1
            return


_GERUND_AFTER = frozenset({"about", "try", "mind", "consider", "suggest", "recommend", "start", "by"})


def base_gerunds(tokens: list[Token]) -> list[Token]:
    """ "what about making the roof pink", "try removing the star": the -ing form as the verb."""
    out = list(tokens)
    for i in range(1, len(out)):
        w = out[i].word
        if out[i].kind != "word" or not w.endswith("ing") or out[i - 1].word not in _GERUND_AFTER:
            continue
        stem = w[:-3]
        for base in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None):
            if base and (base,) in lx.VERBS:
                out[i] = Token(base, "word", raw=base)
                break
    return out


def replaced_last(tokens: list[Token]) -> list[Token]:
    """ "instead of the cat, put a dog" → "put a dog instead of the cat": the old thing said first."""
    if len(tokens) < 4 or tokens[0].word not in ("instead", "rather") or tokens[1].word not in ("of", "than"):
        return tokens
    comma = next((i for i, t in enumerate(tokens) if t.kind in ("comma", "sep")), None)
    if comma is None or comma + 1 >= len(tokens):
        return tokens
    rest = tokens[comma + 1:]
    end = next((i for i, t in enumerate(rest) if t.kind == "sep"), len(rest))
    return [*rest[:end], *tokens[:comma], *rest[end:]]
