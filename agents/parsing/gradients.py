"""Gradient backdrops said any way ("gradient background, red to yellow", "a gradient background going
from pink to blue", "add a blue to white gradient background", "background fading from orange to
purple") rewritten as the one form the backdrop rule reads: "set the background to a gradient from
<first> to <second>". Only a clause made of these words is rewritten; one naming a thing is left."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token

_GRADIENT = frozenset({"gradient", "gradients", "fade", "fading", "fades", "faded", "ombre", "blend", "blending"})
_LINKS = frozenset({"to", "into", "and", "then"})
# The other words such a clause may hold.
_ALLOWED = frozenset({
    "a", "an", "the", "from", "going", "goes", "go", "make", "set", "change", "add", "give", "use", "put", "turn",
    "i", "want", "would", "like", "love", "it", "with", "nice", "smooth", "soft", "subtle", "linear", "that",
    "me", "can", "you", "please", "pls", "could", "as", "for", "colour", "color", "light", "dark", "pale", "deep",
    "bright", "behind", "everything", "them", "him", "her", "us", "some", "kind", "of", "sort", "maybe", "how",
    "about", "we", "have", "just", "do", "is", "be", "should", "background", "backdrop", "bg", "backgrounds",
    "sky", "gradually", "slowly", "in", "style", "instead", "now", "to", "into", "and", "then",
})


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _clause(tokens: list[Token], at: int) -> tuple[int, int]:
    """The clause around ``at``: from the last full stop (or "and" + a verb) before it to the next."""
    start = 0
    for i in range(at - 1, -1, -1):
        if tokens[i].kind == "sep" or (tokens[i].word in ("and", "then") and i + 1 < len(tokens) and (
                (tokens[i + 1].word,) in lx.VERBS and tokens[i + 1].word not in _ALLOWED)):
            start = i + 1
            break
    end = len(tokens)
    for i in range(at + 1, len(tokens)):
        if tokens[i].kind == "sep" or (tokens[i].word in ("and", "then") and i + 1 < len(tokens) and (
                (tokens[i + 1].word,) in lx.VERBS)):
            end = i
            break
    return start, end


def gradients(tokens: list[Token]) -> list[Token]:
    g = next((i for i, t in enumerate(tokens) if t.word in _GRADIENT and t.is_word), None)
    if g is None:
        return tokens
    start, end = _clause(tokens, g)
    colors: list[str] = []
    for i in range(start, end):
        t = tokens[i]
        if t.kind == "comma":
            continue
        if not t.is_word:
            return tokens
        c = lx.canonical_color(t.word)
        if c is not None and t.word not in ("light", "dark", "pale", "deep", "bright"):
            if colors and tokens[i - 1].word not in _LINKS:
                return tokens  # colours not said as a pair
            colors.append(c)
        elif t.word not in _ALLOWED and t.word not in _GRADIENT:
            return tokens
    if len(colors) != 2:
        return tokens
    said = [_tok(w) for w in ("set", "the", "background", "to", "a", "gradient", "from")]
    return [*tokens[:start], *said, _tok(colors[0]), _tok("to"), _tok(colors[1]), *tokens[end:]]
