"""Tokenizer: one chat message → a flat list of typed tokens.

Quoted text stays one token with its original casing (it is what gets drawn); words are lowercased,
contractions expanded, hyphenated words split ("top-left" → top, left), units separated from numbers
("50px" → 50, px) and anything that is no word, number or punctuation (emoji, symbols) dropped.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

TokenKind = Literal["word", "number", "quote", "sep", "comma"]


@dataclass(frozen=True, slots=True)
class Token:
    """One token; ``word`` is the lowercased form (the text itself for quotes)."""

    word: str
    kind: TokenKind
    value: float | None = None
    raw: str = ""  # the word as typed: unquoted text to draw keeps its casing ("write SALE")

    @property
    def is_word(self) -> bool:
        return self.kind == "word"


_TRANSLATE = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "«": '"', "»": '"', "–": "-", "—": "-"})

_TOKEN_RE = re.compile(
    r"""
    (?P<dq>"[^"]*")
    |(?P<sq>(?<![\w])'(?:[^']|'(?=\w))+'(?![\w]))
    |(?P<ord>\d+(?:st|nd|rd|th)\b)
    |(?P<num>\d+(?:\.\d+)?)
    |(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)
    |(?P<sym>[&%°#×])
    |(?P<sep>[.;!?]+)
    |(?P<comma>[,:]|(?<!\S)-+(?!\S))
    """,
    re.VERBOSE,
)

_WITH = re.compile(r"\b[wW]/(?=\s|\w)")
_ARROW = re.compile(r"\s*(?:-+>|=+>|[→⇒➔➜]|(?<=\s)=(?=\s))\s*")  # "cat -> dog": a terse "to"
_CONTRACTIONS: dict[str, tuple[str, ...]] = {
    "can't": ("can", "not"), "won't": ("will", "not"), "let's": ("let", "us"), "it's": ("it", "is"),
    "that's": ("that", "is"), "what's": ("what", "is"), "there's": ("there", "is"),
    "here's": ("here", "is"), "i'm": ("i", "am"),
}
# Run-together words people type: "gimme a dog", "lemme see 3 cats", "i wanna have a beach"
_SLANG: dict[str, tuple[str, ...]] = {"gimme": ("give", "me"), "lemme": ("let", "me"), "wanna": ("want", "to"),
                                      "gotta": ("got", "to"), "plz": ("please",), "thx": ("thanks",),
                                      "n": ("and",), "im": ("i", "am")}  # "the cat n the dog", "im thinking"
_SUFFIXES: dict[str, str] = {"n't": "not", "'d": "would", "'ll": "will", "'re": "are", "'ve": "have", "'m": "am"}
_SYMBOLS: dict[str, str] = {"&": "&", "%": "percent", "°": "degrees", "#": "number", "×": "x"}


def _expand(word: str) -> list[str]:
    if "'" not in word:
        return list(_SLANG.get(word, (word,)))
    if word in _CONTRACTIONS:
        return list(_CONTRACTIONS[word])
    for suffix, full in _SUFFIXES.items():
        if word.endswith(suffix):
            stem = word[: -len(suffix)]
            return [stem, full] if stem else [full]
    if word.endswith("'s"):
        return [word[:-2], "'s"]  # possessive: "the circle's colour"
    return [word.replace("'", "")]


def tokenize(text: str) -> list[Token]:
    """Split a message into tokens; see the module docstring for the rules."""
    tokens: list[Token] = []
    text = _ARROW.sub(" to ", _WITH.sub("with ", text.translate(_TRANSLATE)))  # "w/" is "with"
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup
        chunk = match.group()
        if kind in ("dq", "sq"):
            tokens.append(Token(chunk[1:-1].strip(), "quote"))
        elif kind == "ord":
            tokens.append(Token(chunk.lower(), "word"))
        elif kind == "num":
            tokens.append(Token(chunk, "number", float(chunk)))
        elif kind == "word":
            expanded = _expand(chunk.lower())
            tokens.extend(Token(w, "word", raw=chunk if len(expanded) == 1 else "") for w in expanded)
        elif kind == "sym":
            tokens.append(Token(_SYMBOLS[chunk], "word"))
        elif kind == "sep":
            tokens.append(Token(chunk[0], "sep"))
        else:
            tokens.append(Token(",", "comma"))
    return tokens


V = TypeVar("V")


def max_len(table: Mapping[tuple[str, ...], object] | Sequence[tuple[str, ...]] | frozenset) -> int:
    return max((len(k) for k in table), default=0)


_MAX_CACHE: dict[int, tuple[Mapping[tuple[str, ...], object], int]] = {}


def longest_match(tokens: Sequence[Token], pos: int, table: Mapping[tuple[str, ...], V]) -> tuple[V, int] | None:
    """The entry of ``table`` whose key matches the most word tokens at ``pos`` (value, length)."""
    cached = _MAX_CACHE.get(id(table))
    if cached is None or cached[0] is not table:
        # the table is kept referenced so that its id is never reused by another object
        cached = _MAX_CACHE[id(table)] = (table, max_len(table))
    limit = cached[1]
    words: list[str] = []
    for tok in tokens[pos: pos + limit]:
        if tok.kind != "word":
            break
        words.append(tok.word)
    for n in range(len(words), 0, -1):
        key = tuple(words[:n])
        if key in table:
            return table[key], n
    return None


def phrase_at(tokens: Sequence[Token], pos: int, phrases: frozenset[tuple[str, ...]]) -> int:
    """Length of the longest phrase of ``phrases`` at ``pos`` (0 when none)."""
    table = _AS_TABLE.get(phrases)
    if table is None:
        table = _AS_TABLE[phrases] = dict.fromkeys(phrases, True)
    found = longest_match(tokens, pos, table)
    return found[1] if found else 0


_AS_TABLE: dict[frozenset[tuple[str, ...]], dict[tuple[str, ...], bool]] = {}


_NOT_TEXT = frozenset({"I", "OK", "PLS", "TBH", "LOL", "BG", "PS", "UI", "AI", "BW", "PNG", "JPG", "RGB", "PX", "ASAP"})


def quote_capitals(tokens: list[Token], text: str, is_emphasis: Callable[[str], bool]) -> list[Token]:
    """Words in capitals in a message that is not all capitals are text as it is written on the image
    ("change SALE to OPEN"): each run of them becomes one quoted token."""
    if not any(tok.kind == "word" and tok.raw and not tok.raw.isupper() for tok in tokens):
        return tokens  # all in capitals: shouting, not text
    out: list[Token] = []
    run: list[str] = []
    for tok in tokens:
        if tok.kind == "word" and len(tok.raw) >= 2 and tok.raw.isupper() and tok.raw not in _NOT_TEXT and \
                not is_emphasis(tok.word):  # "Please REMOVE the circle" is emphasis, not text
            run.append(tok.raw)
            continue
        if run:
            out.append(Token(" ".join(run), "quote"))
            run = []
        out.append(tok)
    if run:
        out.append(Token(" ".join(run), "quote"))
    return out
