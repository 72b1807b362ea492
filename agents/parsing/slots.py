"""Slot filling, shared by every clause builder: collect recognized slots until the clause ends, group
them by target, and make the targets and clauses the contract carries."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.tokens import phrase_at
from state.models import IntentClause, OpKind, TargetSpec

Item = tuple[str, Any]
Recognizer = tuple[str, Callable[[Cursor], Any]]
Builder = Callable[[Cursor, tuple[str, ...]], list[IntentClause]]


# --------------------------------------------------------------------------- slot filling


def collect(cur: Cursor, recognizers: list[Recognizer]) -> list[Item]:
    """Fill slots until the clause ends; a token no recognizer takes is recorded as unknown."""
    items: list[Item] = []
    while True:
        cur.skip_fillers()
        if cur.at_clause_end():
            return items
        for name, recognize in recognizers:
            value = recognize(cur)
            if value is not None:
                items.append((name, value))
                break
        else:
            if not cur.skip_connector():
                cur.mark_unknown()


def segments(items: list[Item]) -> list[tuple[list[NounPhrase], list[Item]]]:
    """Group slots by target: "make the circle blue and the square red" → two segments.

    Targets next to each other share the parameters after them ("the circle and the square blue");
    parameters said before any target belong to the first one; a target with no parameters of its own
    takes the previous target's ("blur the star and the circle").
    """
    groups: list[tuple[list[NounPhrase], list[Item]]] = []
    leading: list[Item] = []
    for name, value in items:
        if name == "np":
            if groups and not groups[-1][1]:
                groups[-1][0].append(value)
            else:
                groups.append(([value], leading))
                leading = []
        elif groups:
            groups[-1][1].append((name, value))
        else:
            leading.append((name, value))
    if leading:
        groups.append(([], leading))
    for i in range(1, len(groups)):
        if not groups[i][1]:
            groups[i] = (groups[i][0], groups[i - 1][1])
    return groups


def np_target(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "target")


def np_target_compound(cur: Cursor) -> NounPhrase | None:
    return parse_np(cur, "target", allow_compound=True)


def skipper(*phrases: tuple[str, ...]) -> Callable[[Cursor], bool | None]:
    """A recognizer for words that only decorate (returns True when it consumed one)."""
    table = frozenset(phrases)

    def skip(cur: Cursor) -> bool | None:
        n = phrase_at(cur.tokens, cur.pos, table)
        if n:
            cur.pos += n
            return True
        return None

    return skip


def scoped(np: NounPhrase | None) -> TargetSpec:
    """The target of an image-level op (filter, rotate, flip): the whole image unless one is named."""
    if np is None:
        return TargetSpec(scope="image")
    spec = np.spec.model_copy(deep=True)
    if spec.reference == "everything" and not spec.colors and not np.post_colors:
        spec.scope, spec.reference, spec.all, spec.plural = "image", None, False, False
    return spec


def object_spec(np: NounPhrase) -> TargetSpec:
    spec = np.spec.model_copy(deep=True)
    spec.colors = spec.colors + [c for c in np.post_colors if c not in spec.colors]
    return spec


def clause(op: OpKind, target: TargetSpec, **params: Any) -> IntentClause:
    return IntentClause(op=op, target=target, params=params)


REMOVE_DECORATION = skipper(*lx.REMOVE_DECORATION)


def remove_tail(cur: Cursor) -> bool | None:
    """ "disappear", "go away", "gone", "out of here": what makes "make X …" / "get X …" a removal."""
    n = phrase_at(cur.tokens, cur.pos, lx.REMOVE_TAILS)
    if not n:
        return None
    cur.pos += n
    REMOVE_DECORATION(cur)
    return True


def quote_ahead(cur: Cursor) -> bool:
    """Whether a quoted text comes before this clause ends: then the clause adds text."""
    save = cur.pos
    try:
        while not cur.at_clause_end():
            if cur.peek().kind == "quote":  # type: ignore[union-attr]
                return True
            cur.pos += 1
        return False
    finally:
        cur.pos = save
