"""The cursor over a message's tokens: looking ahead, consuming phrases, skipping filler and
politeness, finding where a clause ends, and recording the words no rule took."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from agents.errors import UnparseableInstruction
from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token, longest_match, phrase_at

V = TypeVar("V")

CONNECTORS: dict[tuple[str, ...], bool] = {
    ("and",): True, ("then",): True, ("and", "then"): True, ("and", "also"): True, ("after", "that"): True,
    ("afterwards",): True, ("next",): True, ("finally",): True, ("first",): True, ("lastly",): True,
    ("plus",): True, ("as", "well", "as"): True, ("and", "after", "that"): True, ("once", "done"): True,
    ("and", "finally"): True, ("but",): True, ("also",): True,
}


# A remark after a comma: "<subject> <verb> …" where the verb is no request ("it ruins the shot").
_REMARK_SUBJECTS = frozenset({"it", "this", "that", "they", "i", "we", "you", "which", "she", "he", "my", "the"})
_EDIT_MODALS = frozenset({"should", "must", "needs", "need", "has", "have", "could", "can", "would", "will",
                          "ought", "might", "goes", "go"})
_REMARK_VERBS = frozenset({"is", "are", "was", "looks", "look", "seems", "feels", "am", "love", "like", "hate",
                           "think", "guess", "mean", "meant", "do", "does", "did", "just", "really", "kinda", "ruins",
                           "clashes", "bugs", "blocks", "distracts", "loves", "likes", "hates", "thinks"})
_REMARK_OPENERS = frozenset({"because", "since", "cause", "cuz", "coz", "as", "if", "thanks", "thank", "lol",
                             "haha", "cheers", "sorry"})


@dataclass
class Context:
    """What the rules may know besides the words: the message and the attachments."""

    text: str
    has_user_region: bool = False
    has_reference_image: bool = False


class Cursor:
    """A position in the token list, with the unknown words met so far."""

    def __init__(self, tokens: list[Token], context: Context, verb_at: Callable[[Cursor], bool]):
        self.tokens = tokens
        self.pos = 0
        self.context = context
        self.unknown: list[str] = []
        self.refused: list[str] = []  # requests no rule reads ("sparkle the circle"): fatal, even with others
        self.clause_start = 0  # where the current clause's slots begin (just after its verb)
        self.frame: str | None = None
        self.sign = 1  # -1 while a lowering verb's clause is read ("reduce the number of chairs by two")  # the verb family of the clause being read ("make", "remove", …)
        self._verb_at = verb_at

    # -- looking
    def peek(self, k: int = 0) -> Token | None:
        i = self.pos + k
        return self.tokens[i] if 0 <= i < len(self.tokens) else None

    def word(self, k: int = 0) -> str | None:
        tok = self.peek(k)
        return tok.word if tok is not None and tok.kind == "word" else None

    @property
    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def match(self, table: Mapping[tuple[str, ...], V]) -> tuple[V, int] | None:
        return longest_match(self.tokens, self.pos, table)

    def match_at(self, pos: int, table: Mapping[tuple[str, ...], V]) -> tuple[V, int] | None:
        return longest_match(self.tokens, pos, table)

    def take(self, table: Mapping[tuple[str, ...], V]) -> V | None:
        found = self.match(table)
        if found is None:
            return None
        self.pos += found[1]
        return found[0]

    def accept(self, *words: str) -> bool:
        """Consume exactly this word sequence, or nothing."""
        for i, w in enumerate(words):
            if self.word(i) != w:
                return False
        self.pos += len(words)
        return True

    def accept_any(self, words: frozenset[str] | set[str]) -> str | None:
        w = self.word()
        if w is not None and w in words:
            self.pos += 1
            return w
        return None

    # -- skipping
    def skip_fillers(self) -> None:
        while not self.at_end:
            w = self.word()
            if w in lx.FILLERS:
                self.pos += 1
                continue
            n = phrase_at(self.tokens, self.pos, lx.FILLER_PHRASES)
            if n == 0:
                return
            self.pos += n

    def skip_prefixes(self) -> None:
        """Politeness at a clause start: "please could you", "I want you to", "let's", …"""
        while True:
            before = self.pos
            self.skip_fillers()
            n = phrase_at(self.tokens, self.pos, lx.PREFIXES)
            verb = self.match(lx.VERBS)
            if n and verb is not None:
                after = self.match_at(self.pos + n, lx.VERBS)
                if verb[1] >= n + (after[1] if after else 0):
                    return  # "can we have …" is a verb of its own; "can we | get rid of" is not
            self.pos += n
            if self.pos == before:
                return

    def verb_ahead(self) -> bool:
        """Whether, past connectors and politeness, a new clause's verb starts here."""
        save = self.pos
        try:
            while True:
                tok = self.peek()
                if tok is not None and tok.kind == "comma":
                    self.pos += 1
                    continue
                if self.take(CONNECTORS) is None:
                    before = self.pos
                    self.skip_prefixes()
                    if self.pos == before:
                        break
            return self._verb_at(self)
        finally:
            self.pos = save

    def at_clause_end(self) -> bool:
        tok = self.peek()
        if tok is None or tok.kind == "sep":
            return True
        if tok.kind == "comma" or self.match(CONNECTORS) is not None:
            return self.verb_ahead() or self.remark_ahead() or self.unknown_request_ahead()
        return False

    def unknown_request_ahead(self) -> bool:
        """ "… and sparkle the circle": a verb we do not know before its object starts a new clause,
        which is refused rather than read as more targets of this one."""
        found = self.match(CONNECTORS)
        k = found[1] if found is not None else 1
        w, nxt = self.word(k), self.word(k + 1)
        return w is not None and w.isalpha() and not lx.is_known(w) and nxt in (
            "the", "a", "an", "it", "them", "this", "that", "these", "those", "my", "all", "every")

    def remark_ahead(self) -> bool:
        """Whether, past a comma, dash or "but", a remark starts: a reason, a feeling or a hedge
        ("— it's for my mom", ", it ruins the shot", "but I love it", "if you can"), not more of the edit."""
        k = 1
        if self.word(k) in _REMARK_OPENERS:
            return True
        subject = self.word(k)
        if subject not in _REMARK_SUBJECTS:
            return False
        if subject in ("the", "my"):  # "but the light is bad": a remark has a verb after its noun, while
            # "and the lamp" is one more thing to edit
            return any(self.word(k + j) in _REMARK_VERBS for j in range(2, 5))
        nxt = self.word(k + 1)
        return nxt is not None and nxt not in _EDIT_MODALS and (nxt in _REMARK_VERBS or not lx.is_known(nxt))

    def skip_connector(self) -> bool:
        tok = self.peek()
        if tok is not None and tok.kind == "comma":
            self.pos += 1
            return True
        return self.take(CONNECTORS) is not None

    def mark_unknown(self) -> None:
        """Record the current token as not understood and move past it."""
        tok = self.tokens[self.pos]
        if tok.kind in ("word", "number", "quote"):
            self.unknown.append(tok.word)
        self.pos += 1

    def fail(self, hint: str, words: list[str] | None = None) -> UnparseableInstruction:
        """The error to raise: the words not understood so far (or ``words``), with a hint."""
        if words is None:
            strange = [w for w in self.unknown if not lx.is_known(w)]
            words = strange or list(self.unknown)
        return UnparseableInstruction(self.context.text, words, hint)
