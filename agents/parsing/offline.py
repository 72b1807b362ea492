"""The offline intent parser: a grammar, no model. One message + the dialogue state → an Intent."""

from __future__ import annotations

from agents.errors import EmptyInstruction, UnparseableInstruction
from agents.parsing import lexicon as lx
from agents.parsing.clauses import parse_clauses, verb_at
from agents.parsing.counts_said import counts_said
from agents.parsing.cursor import Context, Cursor
from agents.parsing.dialogue import (
    ELLIPSIS_LEADS,
    REVISION_LEADS,
    REVISION_TAILS,
    SAME_LEADS,
    SAME_TAILS,
    parse_answer,
    revise_last,
    same_for,
    strip_markers,
)
from agents.parsing.generation import (
    describes_picture,
    parse_generation,
    parse_pick,
    parse_refine,
    parse_variations,
)
from agents.parsing.gradients import gradients
from agents.parsing.history import parse_history
from agents.parsing.instead import instead_said_of_a_removal, merge_remove_then_put
from agents.parsing.keep import split_keep
from agents.parsing.new_for_old import new_for_old
from agents.parsing.references import resolve_clauses
from agents.parsing.rephrase import rephrase
from agents.parsing.replacements_more import replacements_more
from agents.parsing.replacements_said import replacements_said
from agents.parsing.second_thoughts import base_gerunds, drop_openers, merge_second_thoughts, replaced_last
from agents.parsing.terse import counts_said_of_a_pronoun
from agents.parsing.tokens import Token, quote_capitals, tokenize
from agents.parsing.topics import topics
from agents.parsing.typos import correct_typos
from agents.types import ParseRequest
from state.models import Intent, IntentClause, OpKind

_IMAGE_LEVEL = (OpKind.FILTER, OpKind.ROTATE, OpKind.FLIP, OpKind.CROP)


class OfflineIntentParser:
    """Deterministic intent parser over the documented grammar (docs/grammar.md).

    Raises EmptyInstruction for a message with no words, and UnparseableInstruction naming the words
    it did not understand (or a hint when the words are known but something is missing). A message is
    parsed whole or not at all.
    """

    name = "offline"

    def parse(self, request: ParseRequest) -> Intent:
        tokens = tokenize(request.text)
        if not any(t.kind in ("word", "number", "quote") for t in tokens):
            raise EmptyInstruction("the message has no words; say what to change, e.g. 'remove the red circle'")
        tokens, corrections = correct_typos(quote_capitals(tokens, request.text, _emphasis))
        tokens = replaced_last(base_gerunds(merge_second_thoughts(drop_openers(tokens))))
        tokens = replacements_said(replacements_more(topics(gradients(tokens))))
        tokens = rephrase(counts_said_of_a_pronoun(counts_said(new_for_old(tokens))))
        intent = self._parse(request, tokens)
        intent.corrections = corrections
        return intent

    def _parse(self, request: ParseRequest, tokens: list[Token]) -> Intent:
        text = request.text
        context = Context(text, request.has_user_region, request.has_reference_image)

        # 1. history commands are whole-message forms
        normalized = _normalized(tokens, context)
        history = parse_history(normalized)
        if history is not None:
            return Intent(kind="history", text=text, history=history)

        # 1b. pictures: variations, a pick among them, whole-image refinement, generation from words
        picture = _picture_intent(text, normalized, request, context)
        if picture is not None:
            return picture

        # 1c. "but leave the square alone": what to keep is cut out and kept aside
        tokens, keep = split_keep(tokens, context, verb_at)
        if keep and not any(t.kind in ("word", "number", "quote") for t in tokens):
            kept = ", ".join(k.phrase or k.noun or "it" for k in keep)
            raise UnparseableInstruction(text, [], f"I understood to keep {kept} as it is; say what to change")
        # 2. "actually … instead" marks a revision of the last edit
        own_instead = instead_said_of_a_removal(tokens)
        tokens, lead, tail = strip_markers(tokens, REVISION_LEADS, frozenset() if own_instead else REVISION_TAILS)
        revision = lead or tail
        if not any(t.kind in ("word", "number", "quote") for t in tokens):
            raise UnparseableInstruction(text, [], "say what to do instead, e.g. 'actually, make it green'")
        cursor = self._cursor(tokens, context)
        starts_with_verb = verb_at(cursor)

        # 3. a reply to a pending clarification question
        if request.pending is not None and not starts_with_verb:
            answer = parse_answer(self._cursor(tokens, context), request.pending)
            vague = answer is not None and answer.noun is None and answer.modifiers and not (
                answer.colors or answer.position or answer.superlative or answer.ordinal or answer.reference)
            if vague:  # "the wobbly one": nothing the candidates can be told apart by
                raise UnparseableInstruction(text, [w for w in answer.modifiers if not lx.is_known(w)])  # type: ignore[union-attr]
            if answer is not None:
                return Intent(kind="answer", text=text, answer=answer)

        clauses: list[IntentClause] | None = None
        ignored: list[str] = []
        if not starts_with_verb:
            # 4. "do the same to the square", "and the triangle too"
            inner, same_lead, same_tail = strip_markers(tokens, SAME_LEADS, SAME_TAILS)
            if (same_lead or same_tail) and inner:
                same_cursor = self._cursor(inner, context)
                try:
                    clauses = same_for(same_cursor, request.recent_turns, same_lead)
                    ignored += self._check(same_cursor, clauses)
                except UnparseableInstruction as first:
                    if request.recent_turns:
                        raise
                    # "how about a forest as the background?" with nothing to repeat: a whole request
                    clauses = self._whole(tokens, context, first)
            # 5. "no, green": only the new parameter; "and the other one black": the last edit, new target
            elliptic = not revision and _first_word(tokens) in ELLIPSIS_LEADS
            if clauses is None and (revision or elliptic):
                cursor = self._cursor(tokens, context)
                try:
                    clauses = revise_last(cursor, request.recent_turns, revision=revision)
                    ignored += self._check(cursor, clauses)
                except UnparseableInstruction as first:
                    if not revision:
                        raise
                    # "could the taco be a carrot instead?" is a whole request, not a revision
                    clauses = self._whole(tokens, context, first)
        if clauses is None:
            cursor = self._cursor(tokens, context)
            clauses = parse_clauses(cursor)
            ignored += self._check(cursor, clauses)
            if not clauses:
                raise UnparseableInstruction(text, [], "say what to do, e.g. 'remove the red circle'")
            if revision:
                for clause in clauses:
                    clause.revision = True

        clauses = resolve_clauses(merge_remove_then_put(clauses), request.head, request.recent_turns)
        return Intent(kind="edit", text=text, clauses=[_image_fallback(c) for c in clauses], ignored_words=ignored,
                      keep=keep)

    @staticmethod
    def _cursor(tokens: list[Token], context: Context) -> Cursor:
        cursor = Cursor(tokens, context, verb_at)
        cursor.skip_prefixes()
        return cursor

    def _whole(self, tokens: list[Token], context: Context, first: UnparseableInstruction) -> list[IntentClause]:
        """The message read as a whole request after a dialogue reading failed; else that failure."""
        whole = self._cursor(tokens, context)
        try:
            clauses = parse_clauses(whole)
            self._check(whole, clauses)
        except UnparseableInstruction:
            raise first from None
        if not clauses:
            raise first from None
        return clauses

    @staticmethod
    def _check(cursor: Cursor, clauses: list[IntentClause]) -> list[str]:
        """Words no rule took: listed when the message still says what to do, refused when it does not."""
        if cursor.refused or (cursor.unknown and not clauses):
            words = cursor.refused or [w for w in cursor.unknown if not lx.is_known(w)] or cursor.unknown
            hint = f"I understood {understood(clauses)} but not {', '.join(map(repr, words))}" if clauses else ""
            raise UnparseableInstruction(cursor.context.text, words, hint)
        return list(dict.fromkeys(cursor.unknown))


def _picture_intent(text: str, normalized: str, request: ParseRequest, context: Context) -> Intent | None:
    """The whole-message picture constructs of agents/parsing/generation.py, or None."""
    count = parse_variations(normalized)
    if count is not None and request.pending is None:
        if request.head is None:
            raise UnparseableInstruction(text, [], "there is no picture yet: describe one first")
        return Intent(kind="variations", text=text, count=count)
    if request.pending is None:
        pick = parse_pick(normalized, request.recent_turns, request.head.id if request.head else None)
        if pick is not None:
            return Intent(kind="pick", text=text, pick=pick)
    if request.head is None:
        if request.pending is not None or not describes_picture(text, _cursor_of(text, context)):
            return None
        intent, unknown = parse_generation(text, context)
        # Words the picture grammar does not take: the ordinary grammar says what it makes of them.
        return None if unknown else intent
    refine = parse_refine(normalized)
    if refine is not None:
        return Intent(kind="edit", text=text, clauses=[refine])
    return None


def _cursor_of(text: str, context: Context) -> Cursor:
    cursor = Cursor(tokenize(text), context, verb_at)
    cursor.skip_prefixes()
    return cursor


def _first_word(tokens: list[Token]) -> str | None:
    return next((t.word for t in tokens if t.kind != "comma"), None)


def _image_fallback(clause: IntentClause) -> IntentClause:
    """ "make it brighter" with nothing touched yet means the image."""
    target = clause.target
    if clause.op in _IMAGE_LEVEL and target.reference in ("it", "them") and not target.entity_ids:
        clause.target = target.model_copy(update={"reference": None, "scope": "image", "plural": False})
    return clause


def _normalized(tokens: list[Token], context: Context) -> str:
    """Words joined by spaces, without politeness or punctuation: what history patterns match."""
    cursor = Cursor(tokens, context, verb_at)
    cursor.skip_prefixes()
    words = []
    while not cursor.at_end:
        cursor.skip_fillers()
        tok = cursor.peek()
        if tok is None:
            break
        if tok.kind in ("word", "number"):
            words.append(tok.word)
        cursor.pos += 1
    return " ".join(words)


def understood(clauses: list[IntentClause]) -> str:
    """What the parsed clauses ask, in words: "remove the red circle and blur the background"."""
    parts = []
    for c in clauses:
        what = c.target.phrase or c.target.noun or ("the image" if c.target.scope == "image" else "it")
        parts.append(f"{c.op.value.replace('_', ' ')} {what}".strip())
    return " and ".join(parts)


_PLAIN = frozenset({"please", "pls", "plz", "just", "now", "thanks", "thx", "ok", "okay", "all", "every", "the", "not",
                    "dont", "no", "do", "it", "and", "then", "more", "less", "very", "really", "asap"})


def _emphasis(word: str) -> bool:
    """Words typed in capitals for emphasis ("REMOVE it", "NOT the star"), not text on the image."""
    return word in _PLAIN or lx.VERBS.get((word,)) is not None
