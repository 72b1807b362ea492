"""A new thing described by what it has on or holds: "a dog wearing a hat", "a dog with a red collar",
"a girl holding a balloon". The description is part of the new thing's phrase; its head stays the dog."""

from __future__ import annotations

from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np

_LEADS = frozenset({"wearing", "holding", "carrying", "with", "having", "in"})


def attached_description(cur: Cursor, np: NounPhrase) -> None:
    """Take "wearing a hat" after the new thing into its phrase; leave the cursor as it was if none."""
    if cur.word() not in _LEADS or cur.word(1) not in ("a", "an"):
        return
    at = cur.pos
    cur.pos += 1
    clause_start, cur.clause_start = cur.clause_start, cur.pos
    more = parse_np(cur, "insert", allow_compound=True)
    cur.clause_start = clause_start
    if more is None or more.spec.noun is None:
        cur.pos = at
        return
    np.spec.phrase = f"{np.spec.phrase} {' '.join(t.word for t in cur.tokens[at:cur.pos])}"
