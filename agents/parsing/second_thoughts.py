"""Second thoughts inside one message: "make it green — no wait, orange", "paint it red, sorry, I meant
navy", "twice as big... actually 30% bigger". The marker is dropped so the later words stay in the
same clause, where the later value of a slot wins (agents.parsing.verbs_change keeps the last)."""

from __future__ import annotations

from agents.parsing.tokens import Token, phrase_at

_MARKERS = frozenset({
    ("no", "wait"), ("no", "wait", "make", "it"), ("wait", "no"), ("sorry", "i", "meant"), ("i", "meant"),
    ("sorry", "i", "mean"), ("i", "mean"), ("no", "sorry"), ("sorry",), ("oops",), ("actually",),
    ("actually", "make", "it"), ("or", "rather"), ("rather",), ("no",), ("wait",), ("make", "that"),
    ("scratch", "that"), ("on", "second", "thought"), ("hmm", "no"), ("no", "actually"), ("sorry", "no"),
    ("correction",), ("i", "mean", "it"),
})
_BREAKS = frozenset({"comma", "sep"})


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
