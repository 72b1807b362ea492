"""Clause builder for text: "add text 'SALE' at the top", "write Hello", "label the star 'A'"."""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.attributes import parse_quote
from agents.parsing.cursor import Cursor
from agents.parsing.nouns import parse_relation
from agents.parsing.places import insert_position
from agents.parsing.slots import collect, np_target, quote_ahead, skipper
from agents.parsing.swaps import quote_old
from agents.parsing.tokens import Token
from state.models import IntentClause, OpKind, TargetSpec

TEXT_START = frozenset({
    ("text",), ("a", "caption"), ("the", "caption"), ("caption",), ("a", "label"), ("label",), ("a", "title"),
    ("title",), ("the", "word"), ("the", "words"), ("a", "text"), ("some", "text"), ("the", "text"),
    ("a", "heading"), ("words",), ("a", "word"),
})


_TEXT_SKIP = skipper(
    ("text",), ("the", "text"), ("a", "text"), ("some", "text"), ("caption",), ("a", "caption"),
    ("the", "caption"), ("label",), ("a", "label"), ("title",), ("a", "title"), ("heading",), ("a", "heading"),
    ("the", "word"), ("the", "words"), ("word",), ("words",), ("saying",), ("that", "says"), ("which", "says"),
    ("reading",), ("that", "reads"), ("with", "the", "text"), ("with", "the", "words"), ("with", "the", "word"),
    ("says",), ("that", "said"), ("with",), ("a", "word"), ("the", "label"), ("the", "title"), ("in",),
)
_LETTERS = frozenset({"letters", "letter", "font", "type", "print", "text", "lettering", "writing", "ink"})


def _text_size(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("in") and (cur.accept("a") or cur.accept("an"))
    w = cur.word()
    if w in lx.SIZE_ADJECTIVES:
        cur.pos += 1
        cur.accept_any(_LETTERS)
        return lx.SIZE_ADJECTIVES[w]
    cur.pos = save
    return None


def _text_color(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("in")
    cur.accept_any(frozenset({"dark", "light", "bright"}))
    color = lx.canonical_color(cur.word() or "")
    if color is None:
        cur.pos = save
        return None
    cur.pos += 1
    cur.accept_any(_LETTERS | {"colored", "coloured"})
    return color


_TEXT_MARKERS = frozenset({"text", "word", "words", "saying", "says", "reads", "caption", "label", "title",
                           "heading", "write", "letter", "type", "print"})


_PLACEHOLDERS = frozenset({"something", "anything", "stuff", "whatever", "some"})
_GREETINGS = frozenset({"hello", "hi", "hey", "thanks", "ok", "okay", "yes", "no", "welcome"})


def _unquoted_text(cur: Cursor) -> None:
    """Unquoted text to draw becomes a quote token: a run of words typed Capitalised or in CAPITALS
    ("write SALE at the top", "caption it Happy Birthday"), or one unknown word right after the verb or
    after "text"/"word"/"saying" ("write hello"). Only when the clause has no quoted text."""
    if quote_ahead(cur):
        return
    start = cur.pos
    end = start
    while end < len(cur.tokens) and cur.tokens[end].kind != "sep":
        end += 1
    run: list[int] = []
    for i in range(start, end):
        tok = cur.tokens[i]
        typed = tok.raw if tok.kind == "word" else ""
        capital = len(typed) > 0 and typed[0].isupper() and typed != "I" and not (
            typed in ("A", "An") and i + 1 < end and cur.tokens[i + 1].kind == "word")
        if capital and (not run or run[-1] == i - 1):
            run.append(i)
        elif run:
            break
    if not run:
        prev = cur.tokens[start - 1].word if start > 0 else ""
        i = start
        while i < end and cur.tokens[i].word in _TEXT_MARKERS | {"the", "a", "some"}:
            prev, i = cur.tokens[i].word, i + 1
        word = cur.tokens[i].word if i < end else ""
        following = cur.tokens[i + 1].word if i + 1 < end else ""
        if i < end and cur.tokens[i].kind == "word" and prev in _TEXT_MARKERS and (
                not lx.is_known(word) or word in _GREETINGS) and word not in _PLACEHOLDERS and (
                not following or lx.is_known(following)):
            run = [i]
    if run:
        text = " ".join(cur.tokens[i].raw or cur.tokens[i].word for i in run)
        cur.tokens = [*cur.tokens[:run[0]], Token(text, "quote", raw=text), *cur.tokens[run[-1] + 1:]]


def build_text(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    _unquoted_text(cur)
    items = collect(cur, [
        ("old", quote_old), ("quote", parse_quote), ("color", _text_color), ("size", _text_size), ("relation", parse_relation),
        ("position", insert_position), ("skip", _TEXT_SKIP), ("np", np_target),
    ])
    quotes = [v for n, v in items if n == "quote"]
    old = next((v for n, v in items if n == "old"), None)
    if old is not None and quotes:  # "write OPEN instead of CLOSED", "put 'OPEN' where it says 'CLOSED'"
        return [IntentClause(op=OpKind.REPLACE_TEXT, target=TargetSpec(noun="text", phrase=f"the text {old!r}"),
                             params={"new": quotes[0], "old": old})]
    if not quotes:
        raise cur.fail("put the text to draw in quotes, e.g. add text 'SALE' at the top")
    params: dict[str, Any] = {
        "position": next((v for n, v in items if n == "position"), None),
        "color": next((v for n, v in items if n == "color"), None),
        "size": next((v for n, v in items if n == "size"), "medium"),
    }
    relation = next((v for n, v in items if n == "relation"), None)
    anchor = next((v for n, v in items if n == "np"), None)
    if relation is None and anchor is not None:
        relation = {"rel": "below" if verb[0] == "label" else "on", "anchor": anchor.spec}  # "label the star 'A'"
    if relation is not None:
        params["relation"] = relation
    return [IntentClause(op=OpKind.TEXT, target=TargetSpec(phrase=q, noun="text", scope="image"),
                         params={"text": q, **params}) for q in quotes]
