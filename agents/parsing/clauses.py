"""Clauses: find each clause's verb and hand the rest to the verb family's builder.

A builder (agents.parsing.verbs_*) starts after its verb, fills slots (targets, colours, directions, …)
over the phrase rules until the clause ends, and returns the IntentClauses the clause means.
``BUILDERS`` maps a verb family (lexicon.VERBS) to its builder, so a new construct is a verb entry
plus one function.
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.numbers import parse_degree
from agents.parsing.predicates import rewrite_predicate
from agents.parsing.settings import setting_clause
from agents.parsing.slots import Builder
from agents.parsing.terse import rewrite_terse
from agents.parsing.verbs_change import build_make, build_resize
from agents.parsing.verbs_exist import build_duplicate, build_exist, verbless, verbless_change, verbless_look
from agents.parsing.verbs_geometry import build_crop, build_flip, build_rotate
from agents.parsing.verbs_looks import build_adjust, build_filter
from agents.parsing.verbs_move import build_move
from agents.parsing.verbs_objects import build_insert, build_place, build_remove, build_take, build_want
from agents.parsing.verbs_text import build_text
from state.models import IntentClause

__all__ = ["BUILDERS", "parse_clauses", "take_verb", "verb_at"]

BUILDERS: dict[str, Builder] = {
    "remove": build_remove,
    "insert": build_insert,
    "place": build_place,
    "take": build_take,
    "want": build_want,
    "make": build_make,
    "move": build_move,
    "resize": build_resize,
    "filter": build_filter,
    "adjust": build_adjust,
    "text": build_text,
    "crop": build_crop,
    "rotate": build_rotate,
    "flip": build_flip,
    "exist": build_exist,
    "duplicate": build_duplicate,
}
# Verbs that only start a clause at the start of a message, never after "and" ("… and more contrast").
_ONLY_FIRST = frozenset({("more",), ("less",), ("tone",), ("cut",), ("get",), ("set",), ("frame",), ("type",),
                         ("print",), ("drop",), ("title",), ("letter",), ("give",), ("have",),
                         ("take",)})


def verb_at(cur: Cursor) -> bool:
    found = cur.match(lx.VERBS)
    if found is None:
        return False
    words = tuple(t.word for t in cur.tokens[cur.pos:cur.pos + found[1]])
    return words not in _ONLY_FIRST


def take_verb(cur: Cursor) -> tuple[str, tuple[str, ...]] | None:
    """The verb at the cursor: (family, words), consumed."""
    found = cur.match(lx.VERBS)
    if found is None:
        return None
    family, n = found
    words = tuple(t.word for t in cur.tokens[cur.pos:cur.pos + n])
    cur.pos += n
    return family, words


_DEGREE_FAMILIES = frozenset({"make", "move", "resize", "filter", "adjust", "rotate"})


def _adverb_after_verb(cur: Cursor) -> None:
    """ "completely desaturate the photo", "slightly blur the background": a degree said before the
    verb is moved after it, where the clause builders read degrees."""
    start = cur.pos
    if parse_degree(cur) is None:
        return
    end = cur.pos
    # At the start of the message any verb may follow ("a little less saturation").
    found = cur.match(lx.VERBS) if verb_at(cur) or not any(t.is_word for t in cur.tokens[:start]) else None
    if found is None and end - start > 1:
        cur.pos = end = end - 1  # "a bit more contrast": the degree's last word is the verb
        found = cur.match(lx.VERBS)
    if found is not None:
        family, n = found
        tokens = cur.tokens
        # Removals and the like have no degree: "really remove the circle" is just a removal.
        degree = tokens[start:end] if family in _DEGREE_FAMILIES else []
        cur.tokens = tokens[:start] + tokens[end:end + n] + degree + tokens[end + n:]
    cur.pos = start


def parse_clauses(cur: Cursor) -> list[IntentClause]:
    """Every clause of the message; unknown words are collected on the cursor, not raised here."""
    clauses: list[IntentClause] = []
    while True:
        while not cur.at_end and (cur.peek().kind == "sep" or cur.skip_connector()):  # type: ignore[union-attr]
            if cur.peek() is not None and cur.peek().kind == "sep":  # type: ignore[union-attr]
                cur.pos += 1
        cur.skip_prefixes()
        if cur.at_end:
            return clauses
        _adverb_after_verb(cur)
        cur.clause_start = cur.pos  # a bare name may open a verbless clause ("space as the background?")
        setting = setting_clause(cur)  # "move the dog to a park": a new setting, not a move
        if setting:
            clauses.extend(setting)
            continue
        verb = take_verb(cur)
        if verb is None and rewrite_predicate(cur):
            verb = take_verb(cur)
        if verb is None and verbless(cur):
            verb = ("exist", ())
        if verb is None and (verbless_change(cur) or verbless_look(cur)):
            verb = ("make", ())
        if verb is None and rewrite_terse(cur):
            verb = take_verb(cur)
        if verb is None:
            _stray_words(cur)
            continue
        family, words = verb
        if family != "text":  # "write Hello": a filler word may be the text itself
            cur.skip_fillers()
        cur.clause_start = cur.pos
        cur.frame = family
        clauses.extend(BUILDERS[family](cur, words))
        cur.frame = None


def _stray_words(cur: Cursor) -> None:
    """Words before any verb: the unknown ones are reported; all known means the verb is missing."""
    start = cur.pos
    while not cur.at_end and not cur.at_clause_end() and not verb_at(cur):
        cur.pos += 1
    words = [t.word for t in cur.tokens[start:cur.pos] if t.kind in ("word", "number", "quote")]
    unknown = [w for w in words if not lx.is_known(w)]
    if _asks_something(words):
        cur.refused.extend(unknown or words[:2])
    content = [w for w in words if w not in lx.FILLERS and w not in lx.DETERMINERS]
    cur.unknown.extend(unknown or content or words)


_OBJECT_STARTS = frozenset({"the", "a", "an", "it", "them", "this", "that", "these", "those", "my", "all", "every"})


def _asks_something(words: list[str]) -> bool:
    """Whether words with no verb we know still read as a request: an unknown verb before its object
    ("sparkle the circle"), or a negated one ("do not remove it"); a remark or a greeting does not."""
    if len(words) >= 2 and words[0] in ("do", "dont") and words[1] in ("not", "n't") or words[:1] == ["dont"]:
        return True
    return len(words) >= 2 and not lx.is_known(words[0]) and words[1] in _OBJECT_STARTS and words[0].isalpha() \
        and not words[0].endswith(("ly", "s"))
