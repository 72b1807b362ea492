"""History commands: undo, redo, revert to turn N, start over.

These are whole-message forms, matched over the normalized word string (lowercase words joined by
single spaces, politeness removed) with anchored regular expressions.
"""

from __future__ import annotations

import re

from agents.errors import UnparseableInstruction
from agents.parsing.lexicon import NUMBER_WORDS, ORDINALS
from state.models import HistoryAction, HistoryKind

_LAST = r"(?: (?:that|it|this|the last (?:change|edit|step|one|thing|action|turn|operation)|the change|my last (?:change|edit|request)|last (?:change|edit|step)|the edit|one step|a step|that change|that edit))?"
_NUM = r"(?P<n>\d+|" + "|".join(sorted((w for w in NUMBER_WORDS if NUMBER_WORDS[w] > 0), key=len, reverse=True)) + r")"
_ORD = r"(?P<o>" + "|".join(sorted((w for w in ORDINALS if w != "last"), key=len, reverse=True)) + r")"
_BACK = r"(?:go back|back|revert|return|roll back|rollback|restore|jump back|reset|undo back|take me back|get back|revert back|switch back|step back)"
_ORIGINAL = r"(?:the )?(?:original|initial|first|starting|start)(?: (?:image|picture|photo|version|one|state))?"

PATTERNS: list[tuple[re.Pattern[str], HistoryKind]] = [
    (re.compile(rf"(?:undo|revert|go back|step back|take that back|cancel|reverse){_LAST}(?: please)?"), HistoryKind.UNDO),
    (re.compile(r"(?:undo|revert|scrap|cancel|discard) (?:the last|that|my last) (?:change|edit|step)"), HistoryKind.UNDO),
    (re.compile(rf"(?:redo|redo{_LAST}|do (?:that|it)(?: again)?|reapply{_LAST}|put (?:that|it) back)"), HistoryKind.REDO),
    (re.compile(r"(?:start over|start again|start|start fresh|start anew|start from scratch|begin again|restart|reset|reset (?:everything|all|it|the image|the picture|the photo)|"
                r"undo (?:everything|all(?: (?:the )?changes)?|all edits)|revert (?:everything|all(?: (?:the )?changes)?)|"
                r"clear (?:all )?(?:the )?(?:changes|edits)|from scratch)"), HistoryKind.START_OVER),
    (re.compile(rf"(?:{_BACK}|undo) (?:to |back to )?{_ORIGINAL}"), HistoryKind.START_OVER),
    (re.compile(rf"restore {_ORIGINAL}"), HistoryKind.START_OVER),
]
_REVERT = [
    re.compile(rf"(?:{_BACK}|undo|go|jump)(?: back)?(?: to)?(?: how it was| the image| the picture| what it was| the version)?"
               rf"(?: (?:after|at|in|from))? (?:turn|step|version|edit|message|change|stage|point) (?:number )?{_NUM}"),
    re.compile(rf"(?:{_BACK}|go)(?: back)?(?: to)? (?:the )?{_ORD} (?:turn|step|version|edit|message|change)"),
    re.compile(rf"(?:{_BACK}|go)(?: back)?(?: to)? (?:how it was |what it was |the image )?(?:after|at) (?:the )?{_ORD} (?:turn|step|edit|change)"),
]


_UNITS = r"(?:changes|edits|steps|actions|things|operations|turns|versions|moves|times)"
_UNDO_VERB = r"(?P<verb>undo|redo|revert|reverse|roll back|take back|scrap|cancel|discard|go back|step back|jump back)"
_STEPS: list[re.Pattern[str]] = [
    # "undo twice", "undo that three times", "go back twice"
    re.compile(rf"{_UNDO_VERB}(?: (?:that|it|this|the last (?:change|edit|step)))?(?: (?P<m>twice|thrice)|"
               rf" {_NUM} times)"),
    # "undo the last two changes", "revert my last 3 edits", "go back two steps"
    re.compile(rf"{_UNDO_VERB}(?: back)? (?:the |my )?(?:last |previous |latest |past )?{_NUM} {_UNITS}"),
    re.compile(rf"{_UNDO_VERB} (?:the |my )?(?:last |previous |latest |past )?(?P<m>couple of|few) {_UNITS}"),
]
_MULTIPLE = {"twice": 2, "thrice": 3, "couple of": 2, "few": 3}


def _steps(normalized: str) -> tuple[HistoryKind, int] | None:
    """(undo or redo, how many steps) for "undo twice", "undo the last two changes", …"""
    for pattern in _STEPS:
        match = pattern.fullmatch(normalized)
        if match:
            groups = match.groupdict()
            n = _MULTIPLE[groups["m"]] if groups.get("m") else _number(groups["n"])
            return (HistoryKind.REDO if groups["verb"] == "redo" else HistoryKind.UNDO), n
    return None


def _counted(normalized: str, kind: HistoryKind, n: int) -> HistoryAction:
    """An undo/redo of ``n`` steps; while HistoryAction has no step count, several steps are refused
    with a hint rather than silently undoing one."""
    if n <= 1:
        return HistoryAction(kind=kind)
    if "count" in HistoryAction.model_fields:
        return HistoryAction.model_validate({"kind": kind, "count": n})
    word = "undo" if kind == HistoryKind.UNDO else "redo"
    raise UnparseableInstruction(normalized, [], f"{word} one step at a time: say '{word}', then '{word}' again")


def _number(word: str) -> int:
    if word.isdigit():
        return int(word)
    return NUMBER_WORDS.get(word) or ORDINALS[word]


def parse_history(normalized: str) -> HistoryAction | None:
    """The history action a whole normalized message asks for, or None when it asks for none."""
    steps = _steps(normalized)
    if steps is not None:
        return _counted(normalized, *steps)
    for pattern in _REVERT:
        match = pattern.fullmatch(normalized)
        if match:
            groups = match.groupdict()
            word = groups.get("n") or groups.get("o")
            assert word is not None
            turn = _number(word)
            if turn == 0:
                return HistoryAction(kind=HistoryKind.START_OVER)
            return HistoryAction(kind=HistoryKind.REVERT, turn=turn)
    for pattern, kind in PATTERNS:
        if pattern.fullmatch(normalized):
            return HistoryAction(kind=kind)
    return None
