"""Messages that lean on the conversation: clarification answers, "the same for X", "actually … instead"."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.numbers import ResizeItem, parse_number, resize_factor
from agents.parsing.places import insert_position
from agents.parsing.slots import Item, collect, segments
from agents.parsing.tokens import Token
from agents.parsing.verbs_change import MAKE_RECOGNIZERS
from agents.parsing.verbs_move import MOVE_RECOGNIZERS, move_params
from state.models import Clarification, IntentClause, OpKind, TargetSpec, Turn

# --------------------------------------------------------------------------- markers

REVISION_LEADS: frozenset[tuple[str, ...]] = frozenset({
    ("actually",), ("no",), ("nope",), ("wait",), ("sorry",), ("oops",), ("i", "meant"), ("i", "mean"),
    ("rather",), ("not", "that"), ("scratch", "that"), ("on", "second", "thought"), ("instead",),
    ("no", "wait"), ("hmm", "actually"), ("never", "mind"), ("change", "of", "plan"), ("no", "no"),
})
REVISION_TAILS: frozenset[tuple[str, ...]] = frozenset({
    ("instead",), ("rather",), ("instead", "of", "that"), ("after", "all"), ("instead", "please"),
})
SAME_LEADS: frozenset[tuple[str, ...]] = frozenset({
    ("do", "the", "same"), ("the", "same"), ("same",), ("do", "that"), ("same", "thing"),
    ("do", "the", "same", "thing"), ("apply", "the", "same"), ("apply", "that"), ("same", "goes"),
    ("do", "it"), ("do", "this"), ("repeat", "that"), ("repeat", "it"), ("now", "do", "the", "same"),
    ("do", "the", "same", "here"), ("and", "the", "same"), ("what", "about"), ("how", "about"),
    ("same", "with"), ("same", "for"), ("same", "to"),
})
SAME_TAILS: frozenset[tuple[str, ...]] = frozenset({("too",), ("as", "well"), ("also",)})
_SAME_PREPS = frozenset({"to", "for", "with", "on", "goes"})


def _trim_punct(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    while out and out[0].kind in ("sep", "comma"):
        out.pop(0)
    while out and out[-1].kind in ("sep", "comma"):
        out.pop()
    return out


def strip_markers(tokens: list[Token], leads: frozenset[tuple[str, ...]],
                  tails: frozenset[tuple[str, ...]]) -> tuple[list[Token], bool, bool]:
    """Remove leading / trailing marker phrases; says whether each side had one."""
    tokens = _trim_punct(tokens)
    words = [t.word if t.kind == "word" else None for t in tokens]
    lead = tail = False
    changed = True
    while changed and tokens:
        changed = False
        for phrase in sorted(leads, key=len, reverse=True):
            if tuple(words[: len(phrase)]) == phrase:
                tokens, words = _trim_punct(tokens[len(phrase):]), None  # type: ignore[assignment]
                words = [t.word if t.kind == "word" else None for t in tokens]
                lead = changed = True
                break
    changed = True
    while changed and tokens:
        changed = False
        for phrase in sorted(tails, key=len, reverse=True):
            if len(words) >= len(phrase) and tuple(words[-len(phrase):]) == phrase:
                tokens = _trim_punct(tokens[: -len(phrase)])
                words = [t.word if t.kind == "word" else None for t in tokens]
                tail = changed = True
                break
    return tokens, lead, tail


# --------------------------------------------------------------------------- the last edit


def last_edit_clauses(turns: list[Turn]) -> list[IntentClause]:
    """The clauses of the most recent edit turn (oldest-first ``turns``)."""
    for turn in reversed(turns):
        if turn.intent is not None and turn.intent.kind == "edit" and turn.intent.clauses and turn.kind != "failed":
            return [c.model_copy(deep=True) for c in turn.intent.clauses]
    return []


def parse_np_list(cur: Cursor) -> list[NounPhrase] | None:
    """ "the square", "the star and the triangle": noun phrases filling the whole cursor, or None."""
    nps: list[NounPhrase] = []
    while True:
        cur.skip_fillers()
        if cur.at_end or cur.peek().kind == "sep":  # type: ignore[union-attr]
            break
        if cur.skip_connector():
            continue
        np = parse_np(cur, "target", allow_compound=True)
        if np is None:
            return None
        nps.append(np)
    return nps or None


def same_for(cur: Cursor, turns: list[Turn], lead: bool) -> list[IntentClause] | None:
    """ "do the same to the square" / "and the triangle too": the last edit's clauses, new target."""
    if lead:
        cur.accept_any(_SAME_PREPS)
        cur.accept("for") or cur.accept("to") or cur.accept("with")
    nps = parse_np_list(cur)
    if nps is None:
        return None
    last = last_edit_clauses(turns)
    if not last:
        raise cur.fail("there is no earlier edit to repeat yet")
    clauses = []
    for np in nps:
        for clause in last:
            spec = np.spec.model_copy(deep=True)
            clauses.append(clause.model_copy(update={"target": spec, "revision": False}))
    return clauses


# --------------------------------------------------------------------------- revisions


REVISION_RECOGNIZERS = [r for r in MAKE_RECOGNIZERS if r[0] != "np"] + [("position", insert_position)] + [
    r for r in MOVE_RECOGNIZERS if r[0] in ("relation", "position", "direction", "amount")] + [
    r for r in MAKE_RECOGNIZERS if r[0] == "np"]


ELLIPSIS_LEADS = frozenset({"and", "also", "plus", "then", "now"})


def revise_last(cur: Cursor, turns: list[Turn], *, revision: bool = True) -> list[IntentClause]:
    """ "no, green" / "actually, bigger": the last edit again with the new parameter. With
    ``revision`` False it is a further edit said without its verb: "and the other one black"."""
    items = collect(cur, REVISION_RECOGNIZERS)
    last = last_edit_clauses(turns)
    if not last:
        raise cur.fail("there is no earlier edit to change yet")
    if not items:
        raise cur.fail("say what to do instead, e.g. 'actually, make it green'")
    base = last[0]
    clauses: list[IntentClause] = []
    groups = segments(items)
    for nps, params in groups:
        if nps and not params:
            for np in nps:  # "no, the square": same edit, other target
                clauses.extend(c.model_copy(update={"target": np.spec.model_copy(deep=True)}) for c in last)
            continue
        target = nps[0].spec if nps else base.target
        clauses.extend(_revised(cur, base, target, params, named=bool(nps),
                                existing=bool(nps) and (nps[0].definite or nps[0].spec.reference is not None)))
    for clause in clauses:
        clause.revision = revision
    return clauses


def _revised(cur: Cursor, base: IntentClause, target: TargetSpec, params: list[Item], *,
             named: bool = False, existing: bool = False) -> list[IntentClause]:
    """``existing``: the target is one already in the picture ("the other one", "it"), so a colour
    after an insertion recolours it rather than inserting again."""
    out: list[IntentClause] = []
    moves = [p for p in params if p[0] in ("relation", "position", "direction", "amount", "degree")]
    degree = next((v for n, v in params if n == "degree" and v in lx.FILTER_STRENGTH), None)
    for name, value in params:
        if name == "color":
            if base.op == OpKind.RECOLOR or (base.op in (OpKind.INSERT, OpKind.TEXT) and not existing):
                new_params = {**base.params, "color": value}
                new_target = (target if named and base.op == OpKind.RECOLOR else base.target).model_copy(deep=True)
                if base.op == OpKind.INSERT:
                    new_target.colors = [value]
                out.append(base.model_copy(update={"params": new_params, "target": new_target}))
            else:
                out.append(IntentClause(op=OpKind.RECOLOR, target=target.model_copy(deep=True),
                                        params={"color": value}))
        elif name == "filter":
            kind, level = value
            level = level if level != "normal" or degree is None else degree
            out.append(IntentClause(op=OpKind.FILTER, target=target.model_copy(deep=True),
                                    params={"filter": kind, "strength": lx.FILTER_STRENGTH[level]}))
        elif name == "resize":
            factor = resize_factor(value if isinstance(value, ResizeItem) else ResizeItem("cmp", 1.3, 1), 0)
            if base.op == OpKind.INSERT:
                out.append(base.model_copy(update={"params": {**base.params,
                                                              "size": "large" if factor > 1 else "small"}}))
            else:
                out.append(IntentClause(op=OpKind.RESIZE, target=target.model_copy(deep=True),
                                        params={"factor": factor}))
        elif name == "angle":
            out.append(IntentClause(op=OpKind.ROTATE, target=target.model_copy(deep=True),
                                    params={"angle": float(value)}))
    if moves and any(n in ("relation", "position", "direction") for n, _ in moves):
        place: dict[str, Any] = move_params(cur, moves)
        if base.op in (OpKind.INSERT, OpKind.TEXT):
            kept = {k: v for k, v in base.params.items() if k not in ("position", "relation")}
            out.append(base.model_copy(update={"params": {**kept, **{k: v for k, v in place.items()
                                                                     if k in ("position", "relation")}}}))
        else:
            out.append(IntentClause(op=OpKind.MOVE, target=target.model_copy(deep=True), params=place))
    if not out:
        raise cur.fail("say what to do instead, e.g. 'actually, make it green'")
    return out


# --------------------------------------------------------------------------- clarification answers


_NUMBER_LEADS = frozenset({"number", "option", "choice", "candidate", "no"})


def parse_answer(cur: Cursor, pending: Clarification) -> TargetSpec | None:
    """A short reply to a clarification question, filling the whole cursor, or None."""
    start = cur.pos
    cur.skip_prefixes()
    cur.accept("i", "meant") or cur.accept("i", "mean") or cur.accept("i", "want") or cur.accept("go", "with")
    spec = _answer_spec(cur, pending)
    cur.skip_fillers()
    cur.accept("one") or cur.accept("please")
    cur.skip_fillers()
    while not cur.at_end and cur.peek().kind in ("sep", "comma"):  # type: ignore[union-attr]
        cur.pos += 1
    if spec is None or not cur.at_end or cur.unknown:
        cur.pos = start
        cur.unknown.clear()
        return None
    _match_candidates(spec, pending)
    return spec


def _answer_spec(cur: Cursor, pending: Clarification) -> TargetSpec | None:
    ids = [i for i in pending.candidate_entity_ids if i is not None]
    all_ids = ids if len(ids) == len(pending.candidate_entity_ids) else []
    if cur.accept("both") and (cur.accept("of", "them") or cur.accept("of", "those") or True):
        cur.accept("ones")
        return TargetSpec(reference="both", plural=True, all=True, phrase="both",
                          entity_ids=all_ids if len(all_ids) == 2 else [])
    if cur.accept("all", "of", "them") or cur.accept("all", "of", "those") or cur.accept("every", "one") or \
            cur.accept("everything") or cur.accept("all", "of", "the", "above") or cur.accept("all"):
        number = parse_number(cur)
        del number
        cur.accept("of", "them")
        return TargetSpec(reference="them", plural=True, all=True, phrase="all", entity_ids=all_ids)
    save = cur.pos
    cur.accept("the")
    if cur.accept_any(_NUMBER_LEADS) is not None or cur.peek() is not None and cur.peek().kind == "number":  # type: ignore[union-attr]
        value = parse_number(cur)
        if value is not None and value == int(value) and value >= 1:
            return TargetSpec(ordinal=int(value), phrase=f"number {int(value)}")
    cur.pos = save
    np = parse_np(cur, "answer")
    return np.spec if np is not None else None


def _match_candidates(spec: TargetSpec, pending: Clarification) -> None:
    """Fill entity_ids when the answer picks exactly one candidate by its list position or label."""
    ids = pending.candidate_entity_ids
    if spec.entity_ids or not ids:
        return
    if spec.ordinal is not None and spec.ordinal_axis is None:
        index = spec.ordinal - 1 if spec.ordinal > 0 else len(ids) + spec.ordinal
        if 0 <= index < len(ids) and ids[index] is not None:
            spec.entity_ids = [ids[index]]  # type: ignore[list-item]
        return
    if spec.position or spec.superlative or spec.size or spec.reference:
        return
    words_needed = set(spec.colors) | ({spec.noun} if spec.noun else set())
    if not words_needed:
        return
    hits = [i for i, label in enumerate(pending.candidate_labels) if words_needed <= set(label.lower().split())]
    if len(hits) == 1 and hits[0] < len(ids) and ids[hits[0]] is not None:
        spec.entity_ids = [ids[hits[0]]]  # type: ignore[list-item]
