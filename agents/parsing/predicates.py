"""Subject-first phrasings rewritten as the imperative the clause builders read:
"the star should be blue" → "make the star blue", "the circle is too small" → "make the circle bigger"."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import parse_np, parse_relation
from agents.parsing.places import POSITION_PREPS, parse_position
from agents.parsing.tokens import Token, phrase_at

# "<thing> should be blue": what the thing should be or look like, said after it.
_SHOULD_BE: frozenset[tuple[str, ...]] = frozenset({
    *((*modal, verb) for modal in (
        ("should",), ("must",), ("could",), ("can",), ("needs", "to"), ("need", "to"), ("has", "to"), ("have", "to"),
        ("ought", "to"), ("is", "supposed", "to"), ("are", "supposed", "to"), ("would", "be", "better"),
        ("would", "look", "better"), ("will",), ("wants", "to"), ("might",))
      for verb in ("be", "look", "become", "get", "turn", "say", "read")),
    ("would", "look", "better"), ("would", "be", "better"), ("would", "look", "nicer"), ("looks", "better"),
    ("becomes",), ("turns", "into"), ("become",), ("turn", "into"),  # "the cat becomes a fox"
})
# "<thing> should go (away / to the left)": leave the picture, or move.
_SHOULD_GO: frozenset[tuple[str, ...]] = frozenset({
    *((*modal, verb) for modal in (
        ("should",), ("must",), ("can",), ("needs", "to"), ("need", "to"), ("has", "to"), ("have", "to"),
        ("ought", "to"), ("is", "supposed", "to"), ("will",))
      for verb in ("go", "move", "disappear", "vanish", "leave")),
    ("goes",), ("go",), ("moves",), ("move",), ("disappears",), ("vanishes",), ("belongs",), ("belong",),
    ("should", "not", "be", "there"), ("should", "not", "be", "here"), ("does", "not", "belong", "here"),
    ("does", "not", "belong", "there"), ("does", "not", "belong"), ("must", "not", "be", "there"),
    ("needs", "to", "disappear"), ("has", "got", "to", "go"), ("should", "sit"), ("sits",),
})
# Questions and wishes that ask for a change: "can the star be blue?", "what if the circle was green".
_QUESTION_LEADS: frozenset[tuple[str, ...]] = frozenset({
    ("can",), ("could",), ("would",), ("will",), ("should",), ("may",), ("might",), ("what", "if"),
    ("how", "about", "if"), ("what", "would"), ("how", "would"), ("how", "will"), ("how", "does"), ("i", "wish"), ("imagine", "if"), ("suppose",), ("i", "would", "like", "it", "if"),
    ("would", "it", "work", "if"), ("is", "it", "possible", "that"), ("what", "would", "happen", "if"), ("let",),
})
_ASKED_BE: frozenset[tuple[str, ...]] = frozenset({
    ("be",), ("look",), ("become",), ("get",), ("turn",), ("was",), ("were",), ("is",), ("looked",), ("became",),
    ("turned",), ("got",), ("look", "like"), ("looked", "like"), ("said",), ("say",), ("read",), ("reads",), ("says",), ("be", "made"), ("was", "made"),
    ("were", "made"),
})
_ASKED_GO: frozenset[tuple[str, ...]] = frozenset({
    ("go",), ("disappear",), ("vanish",), ("leave",), ("be", "gone"), ("went",), ("was", "gone"), ("disappeared",),
    ("be", "removed"), ("be", "deleted"), ("be", "erased"), ("go", "away"), ("move",), ("sit",), ("moved",),
})
# The last word of a "go" predicate that means the thing is removed, not moved.
_GONE = frozenset({"disappear", "vanish", "leave", "disappears", "vanishes", "there", "here", "removed", "deleted",
                   "erased", "gone", "disappeared", "away"})
_REPLACES: frozenset[tuple[str, ...]] = frozenset({
    (*lead, "replace") for lead in (("should",), ("could",), ("can",), ("will",), ("must",), ("needs", "to"), ("to",))
} | {("replaces",), ("takes", "the", "place", "of"), ("should", "take", "the", "place", "of"),
     ("take", "the", "place", "of")})
_REPLACED: frozenset[tuple[str, ...]] = frozenset({
    (*lead, done) for lead in (("be",), ("should", "be"), ("must", "be"), ("needs", "to", "be"), ("could", "be"),
                               ("get",), ("gets",), ("is",), ("to", "be"))
    for done in ("replaced", "swapped", "exchanged", "substituted", "switched")
})
_BESIDE = frozenset({"above", "below", "under", "underneath", "beneath", "next", "beside", "near", "by", "on", "onto",
                     "over", "left", "right", "to", "at", "close", "closer", "behind", "atop"})
_COPULA: frozenset[str] = frozenset({"is", "are", "looks", "look", "seems", "seem", "appears", "feels"})
# "<thing> is too small" asks for the opposite.
_TOO: dict[str, str] = {
    "small": "bigger", "tiny": "bigger", "little": "bigger", "short": "bigger", "big": "smaller", "large": "smaller",
    "huge": "smaller", "tall": "smaller", "dark": "brighter", "dim": "brighter", "bright": "darker",
    "light": "darker", "blurry": "sharper", "fuzzy": "sharper", "saturated": "less saturated",
    "colorful": "less saturated", "dull": "more vivid", "pale": "more vivid", "flat": "more contrast",
}


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def rewrite_predicate(cur: Cursor) -> bool:
    """Subject-first phrasings as the imperative the clause builders read, in the token list:
    "the star should be blue" → "make the star blue", "it needs to be bigger" → "make it bigger",
    "the circle is too small" → "make the circle bigger", "the star should go away" → "remove the star",
    "the star should go to the left" → "move the star to the left". False (nothing changed) otherwise."""
    start, unknown = cur.pos, len(cur.unknown)
    lead = phrase_at(cur.tokens, cur.pos, _QUESTION_LEADS)  # "can the star be blue?", "what if it was red"
    cur.pos += lead
    quoted = cur.peek()
    if lead and quoted is not None and quoted.kind == "quote" and cur.word(1) in ("become", "be", "say", "read"):
        # "can 'Bar' become 'Hello'?": the text changes
        cur.tokens = [*cur.tokens[:start], _tok("change"), quoted, _tok("to"), *cur.tokens[cur.pos + 2:]]
        cur.pos = start
        return True
    subject_at = cur.pos
    np = parse_np(cur, "target")
    if np is None or np.place:
        cur.pos = start
        del cur.unknown[unknown:]
        return False
    subject = cur.tokens[subject_at:cur.pos]
    after = cur.pos
    head: list[Token] | None = None
    n = phrase_at(cur.tokens, after, _REPLACES)
    if n:  # "the dog should replace the cat": replace the cat with the dog
        rest = cur.tokens[after + n:]
        end = next((i for i, t in enumerate(rest) if t.kind in ("sep", "comma")), len(rest))
        cur.tokens = [*cur.tokens[:start], _tok("replace"), *rest[:end], _tok("with"), *subject, *rest[end:]]
        cur.pos = start
        del cur.unknown[unknown:]
        return True
    n = phrase_at(cur.tokens, after, _REPLACED)
    if n:  # "can the cat be replaced with a lion?", "the cat should be swapped for a dog"
        cur.tokens = [*cur.tokens[:start], _tok("replace"), *subject, *cur.tokens[after + n:]]
        cur.pos = start
        del cur.unknown[unknown:]
        return True
    n = phrase_at(cur.tokens, after, _SHOULD_BE)
    if not n and lead and phrase_at(cur.tokens, after, _ASKED_GO) <= phrase_at(cur.tokens, after, _ASKED_BE):
        n = phrase_at(cur.tokens, after, _ASKED_BE)
        if n and cur.tokens[after + n - 1].word in ("said", "say", "read", "reads", "says"):
            head = [_tok("make"), *subject, _tok("say")]  # "what if it said 'Boston' instead of 'Gym'"
            cur.tokens = [*cur.tokens[:start], *head, *cur.tokens[after + n:]]
            cur.pos = start
            del cur.unknown[unknown:]
            return True
    if n:
        cur.pos = after + n
        said = cur.tokens[after + n - 1].word
        # "would look better above the door" is a place; "would look better in gray" is a colour
        placed = (said in ("be", "was", "were", "is") or said in ("better", "nicer") and cur.word() in _BESIDE) and (
            parse_position(cur, POSITION_PREPS) is not None or parse_relation(cur) is not None)
        head = [_tok("move" if placed else "make"), *subject]  # "should be on the left" is a place
    else:
        n = phrase_at(cur.tokens, after, _SHOULD_GO) or (phrase_at(cur.tokens, after, _ASKED_GO) if lead else 0)
        if n:
            cur.pos = after + n
            said = cur.tokens[after + n - 1].word
            if said in _GONE or (
                    said == "belong" and cur.tokens[after + n - 2].word == "not") or (
                    said in ("go", "goes") and (cur.at_clause_end() or phrase_at(cur.tokens, cur.pos, lx.REMOVE_TAILS))):
                head = [_tok("remove"), *subject]  # "the star has to go (away)"
            else:
                head = [_tok("move"), *subject]
    cur.pos = after
    if head is None and cur.word() in _COPULA:
        k = 1
        degree: list[Token] = []
        while cur.word(k) in ("a", "bit", "little", "way", "much", "far", "slightly", "kind", "of", "rather"):
            degree.append(cur.tokens[cur.pos + k])
            k += 1
        if cur.word(k) == "too" and cur.word(k + 1) in _TOO:
            kept = [t for t in degree if t.word not in ("kind", "of", "rather")]
            head = [_tok("make"), *subject, *kept, *(_tok(w) for w in _TOO[cur.word(k + 1)].split())]  # type: ignore[index]
            n = k + 2
    if head is None:
        cur.pos = start
        del cur.unknown[unknown:]  # the words are reported once, by whoever reads them next
        return False
    del cur.unknown[unknown:]
    cur.tokens = [*cur.tokens[:start], *head, *cur.tokens[cur.pos + n:]]
    cur.pos = start
    return True


def opposite_of_too(word: str | None) -> str | None:
    """What "too <word>" asks for ("too dark" → "brighter"), or None."""
    return _TOO.get(word or "")
