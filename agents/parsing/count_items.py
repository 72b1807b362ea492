"""Count slots: how many there should be ("5 skirts", "to four", "two fewer", "one more like that")
and the count clause they make (the make / add builders collect them; see agents.parsing.swaps)."""

from __future__ import annotations

from dataclasses import dataclass

from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.numbers import parse_number
from agents.parsing.slots import clause, object_spec
from state.models import IntentClause, OpKind

_COPIES = frozenset({"copy", "duplicate", "clone", "replica", "version"})


@dataclass
class CountItem:
    """ "5 skirts" (count), "two more" / "one fewer" (delta), with the noun phrase when one is said."""

    count: int | None = None
    delta: int | None = None
    np: NounPhrase | None = None


def count_of(cur: Cursor) -> bool | None:
    """ "the count of", "the number of", "how many": what follows "to" is a count."""
    for phrase in (("the", "count", "of"), ("the", "number", "of"), ("the", "amount", "of"), ("the", "quantity", "of"),
                   ("number", "of"), ("count", "of"), ("how", "many")):
        if cur.accept(*phrase):
            return True
    return None


def to_number(cur: Cursor) -> int | None:
    """ "to 4", "to four", "to just one"; a bare number at the clause's end ("make the apples 5")."""
    save = cur.pos
    led = bool(cur.accept("down", "to") or cur.accept("up", "to") or cur.accept("to") or cur.accept("into")
               or cur.accept("be"))
    cur.accept("just") or cur.accept("only") or cur.accept("exactly")
    value = parse_number(cur)
    if value is None or value != int(value) or value < 0 or (not led and not _count_ends(cur)):
        cur.pos = save
        return None
    _count_tail(cur)
    return int(value)


def by_number(cur: Cursor) -> int | None:
    """ "by two" after "the number of": how many more or fewer."""
    save = cur.pos
    if not cur.accept("by"):
        return None
    value = parse_number(cur)
    if value is None or value != int(value) or value <= 0 or not _count_ends(cur):
        cur.pos = save
        return None
    return int(value)


_VAGUE = {("a", "couple"): 2, ("couple",): 2, ("a", "couple", "of"): 2, ("a", "few"): 3, ("few",): 3,
          ("several",): 3, ("some",): 3, ("a", "pair", "of"): 2}


def _vague_before_more(cur: Cursor) -> int | None:
    """A vague quantity, only when "more" / "fewer" follows it (then it is how many more)."""
    found = cur.match(_VAGUE)
    if found is None or cur.word(found[1]) not in ("more", "fewer", "less", "extra"):
        return None
    cur.pos += found[1]
    return found[0]


def _count_ends(cur: Cursor) -> bool:
    w = cur.word()
    return cur.at_clause_end() or w in ("instead", "please", "in", "total", "altogether", "now", "rather")


def _count_tail(cur: Cursor) -> None:
    """ "in total", "instead (of one)", "rather than two": said after a count, adding nothing."""
    for tail in (("in", "total"), ("in", "all"), ("total",), ("altogether",), ("overall",)):
        if cur.accept(*tail):
            return
    like_that(cur)
    if cur.accept("instead", "of") or cur.accept("rather", "than") or cur.accept("instead"):
        save = cur.pos
        if parse_number(cur) is None:
            cur.pos = save
        cur.accept("of", "them") or cur.accept("ones") or cur.accept("one")


def like_that(cur: Cursor) -> bool | None:
    """ "(another bird) just like that one", "same as this one": a copy of the one there, adding nothing."""
    save = cur.pos
    cur.accept(",")
    cur.accept("just") or cur.accept("exactly")
    if cur.accept("like") or cur.accept("same", "as") or cur.accept("identical", "to") or cur.accept("the", "same", "as"):
        if cur.accept_any(frozenset({"that", "this", "it", "them", "those", "the"})) is not None:
            cur.accept("one") or cur.accept("ones") or cur.accept("other", "one") or cur.accept("other") or \
                cur.accept("others")
            return True
    cur.pos = save
    return None


def count_item(cur: Cursor) -> CountItem | None:
    """ "5 skirts", "three fewer chairs", "two more", "one less"."""
    save = cur.pos
    cur.accept("down", "to") or cur.accept("up", "to")  # "get it down to one tree"
    another = bool(cur.accept("another") or cur.accept("an", "extra") or cur.accept("all", "but"))
    all_but = cur.tokens[cur.pos - 1].word == "but" if another else False
    value = parse_number(cur)
    if value is None:
        value = _vague_before_more(cur)  # "a couple more chairs", "a few more birds"
    if value is None and not another and cur.word() in ("more", "fewer", "less"):
        return _one_more_or_fewer(cur, save)
    if value is None or value != int(value) or value < 0:
        cur.pos = save
        return None
    n = int(value)
    item = CountItem(count=n)
    if (another and not all_but) or cur.accept("more") or cur.accept("extra") or cur.accept("additional"):
        item = CountItem(delta=n)
    elif cur.accept("fewer") or cur.accept("less"):
        item = CountItem(delta=-n)
    start = cur.pos
    if item.count is not None and cur.accept("of"):  # "three of them", "two of the trees"
        of = parse_np(cur, "target", allow_compound=True)
        if of is not None and (of.spec.plural or of.spec.reference == "them"):
            item.np = of
            _count_tail(cur)
            return item
        cur.pos = start
    clause_start, cur.clause_start = cur.clause_start, cur.pos  # "5 skirts": a bare name is the slot
    np = parse_np(cur, "target")
    cur.clause_start = clause_start
    if np is not None and (np.spec.reference or np.spec.scope != "object" or np.definite):
        cur.pos, np = start, None
    if np is None and item.count is not None:
        cur.pos = save  # a bare number is some other amount
        return None
    if np is not None and np.spec.noun is None and not np.spec.colors:
        cur.pos, np = start, None
    if np is not None and np.spec.noun in _COPIES and cur.accept("of"):
        np = parse_np(cur, "target", allow_compound=True) or np  # "three copies of the star"
        item = CountItem(delta=n)
    _count_tail(cur)
    item.np = np
    return item


def _one_more_or_fewer(cur: Cursor, save: int) -> CountItem | None:
    """ "fewer chairs", "more cats": one more or one fewer of a plural name ("more contrast" is no count)."""
    delta = 1 if cur.word() == "more" else -1
    cur.pos += 1
    clause_start, cur.clause_start = cur.clause_start, cur.pos  # a bare name is the slot
    np = parse_np(cur, "target")
    cur.clause_start = clause_start
    if np is None or not np.spec.plural or np.spec.noun is None or np.spec.reference or np.definite:
        cur.pos = save
        return None
    _count_tail(cur)
    return CountItem(delta=delta, np=np)


def count_clause(np: NounPhrase, *, count: int | None = None, delta: int | None = None,
                 factor: float | None = None) -> IntentClause:
    """Set how many there are of what ``np`` names (``count``), change it by ``delta``, or by ``factor``."""
    spec = object_spec(np)
    spec.plural = True
    amount = {"count": count} if count is not None else {"delta": delta} if delta is not None else {"factor": factor}
    return clause(OpKind.COUNT, spec, noun=spec.noun or "object", **amount)


