"""The intent parser on a language model: message + dialogue state → Intent.

It produces exactly what the offline parser produces (the clause parameter contract), so the
decomposer, the constraints and the history code cannot tell the two apart. The model resolves
references to entity ids from the entity list it is shown; references it leaves open ("it" with
no ids) are resolved by the same rules the offline parser uses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import Field

from agents.errors import EmptyInstruction, UnparseableInstruction
from agents.operations import operation
from agents.types import ParseRequest
from prompts import load_examples, load_prompt
from state.blobs import ImageRepository
from state.models import HistoryAction, HistoryKind, Intent, IntentClause, TargetSpec

from .client import CallLog, CallRecord, LLMClient
from .context import constraints_text, entities_text, pending_text, turns_text, vocabulary
from .media import image_part
from .wire import Wire, WireClause, WireTarget, to_clause, to_target


class WireHistory(Wire):
    kind: HistoryKind
    turn: int | None = Field(default=None, description="revert: the turn to go back to")


class LLMIntent(Wire):
    """The parser model's answer. ``kind`` comes first and is required, so a grammar-constrained
    small model commits to what the message is before it describes anything."""

    kind: Literal["edit", "history", "answer", "unclear"]
    clauses: list[WireClause] = Field(default_factory=list)
    keep: list[WireTarget] = Field(default_factory=list, description="what the user said to leave alone")
    history: WireHistory | None = None
    answer_candidate: int | None = Field(default=None, description="answer: 1-based number of the candidate")
    answer: WireTarget | None = Field(default=None, description="answer: the pick, described")
    reason: str = Field(default="", description="one short sentence: what the user wants, or why it is unclear")


class LLMIntentParser(CallLog):
    """Intent parsing through any OpenAI-compatible chat model.

    ``images`` lets the parser show the model the current image; it does so only when the client
    has a vision model distinct from its text model (``attach_image`` overrides), because a
    text-only model would reject the image part. ``check`` may reject a well-formed intent with a
    ValueError, which goes back to the model as its one repair round (the hybrid parser's checks).
    """

    name = "llm"

    def __init__(self, llm: LLMClient, images: ImageRepository | None = None, *,
                 attach_image: bool | None = None,
                 check: Callable[[Intent, ParseRequest], None] | None = None) -> None:
        super().__init__()
        self.llm = llm
        self.images = images
        self.attach_image = attach_image
        self.check = check

    def parse(self, request: ParseRequest) -> Intent:
        records = self._begin()
        text = request.text.strip()
        if not text:
            raise EmptyInstruction("the message has no words; say what to change, e.g. 'remove the red circle'")
        head = request.head
        shape = (request.image_size[1], request.image_size[0]) if request.image_size else None
        image = self._image(request)
        session = load_prompt(
            "intent_session",
            image_size=list(request.image_size) if request.image_size else "(no image yet)",
            image_note="The current image is attached to the message." if image is not None else "",
            entities=entities_text(head.entities if head else [], shape),
            constraints=constraints_text(head.constraints if head else []),
            turns=turns_text(request.recent_turns), pending=pending_text(request.pending),
            user_region="yes" if request.has_user_region else "no",
            reference_image="yes" if request.has_reference_image else "no",
        )
        content: str | list[dict] = text
        if image is not None:
            content = [{"type": "text", "text": text}, image_part(image)]
        # The fixed part first (rules, vocabulary, examples), so a server's prefix cache reuses it;
        # what changes per message (the session, the message) last.
        messages: list[dict[str, Any]] = [
            {"role": "system", "content": load_prompt("intent_parser", vocabulary=vocabulary())},
            *load_examples("intent_parser"),
            {"role": "system", "content": session},
            {"role": "user", "content": content},
        ]
        known = {e.id for e in head.entities} if head else set()
        return self.llm.structured(messages, LLMIntent, convert=lambda wire: self._checked(wire, request, known),
                                   vision=image is not None, purpose="parse", records=records)

    def _checked(self, wire: LLMIntent, request: ParseRequest, known: set[str]) -> Intent:
        intent = self._intent(wire, request, known)
        if self.check is not None:
            self.check(intent, request)
        return intent

    def _image(self, request: ParseRequest):
        attach = self.attach_image if self.attach_image is not None else (
            self.llm.vision_model is not None and self.llm.vision_model != self.llm.model)
        if not attach or self.images is None or request.head is None:
            return None
        return self.images.get_array(request.head.image_ref)

    def _intent(self, wire: LLMIntent, request: ParseRequest, known: set[str]) -> Intent:
        """The model's answer as an Intent; ValueError sends it back for repair."""
        text = request.text
        if wire.kind == "unclear":
            raise UnparseableInstruction(text, [], wire.reason or "say what to change, e.g. 'remove the red circle'")
        if wire.kind == "history":
            if wire.history is None:
                raise ValueError("kind 'history' needs the history object")
            if wire.history.kind == HistoryKind.REVERT and wire.history.turn is None and "start" not in text.lower():
                raise ValueError("a revert needs history.turn (use start_over for the original image)")
            return Intent(kind="history", text=text, history=HistoryAction(kind=wire.history.kind,
                                                                           turn=wire.history.turn),
                          backend=self.name)
        if wire.kind == "answer":
            return Intent(kind="answer", text=text, answer=self._answer(wire, request, known), backend=self.name)
        if not wire.clauses:
            raise ValueError("kind 'edit' needs at least one clause (or use kind 'unclear' with a reason)")
        clauses = [to_clause(c, known) for c in wire.clauses]
        clauses = _resolve_references(clauses, request)
        keep = [to_target(k, known) for k in wire.keep]
        return Intent(kind="edit", text=text, clauses=[_image_fallback(c) for c in clauses], keep=keep,
                      backend=self.name)

    @staticmethod
    def _answer(wire: LLMIntent, request: ParseRequest, known: set[str]) -> TargetSpec:
        pending = request.pending
        if pending is None:
            raise ValueError("there is no pending question, so the message cannot be an answer; parse it as an edit")
        if wire.answer_candidate is not None:
            count = len(pending.candidates)
            if not 1 <= wire.answer_candidate <= count:
                raise ValueError(f"answer_candidate must be between 1 and {count}")
            # An ordinal without an axis picks the candidate by its number in the question.
            return TargetSpec(phrase=request.text, ordinal=wire.answer_candidate)
        if wire.answer is None:
            raise ValueError("kind 'answer' needs answer_candidate or answer")
        return to_target(wire.answer, known)


def _resolve_references(clauses: list[IntentClause], request: ParseRequest) -> list[IntentClause]:
    """Open references ("it" without ids) resolved with the offline parser's rules."""
    if not any(c.target.reference and not c.target.entity_ids for c in clauses):
        return clauses
    from agents.parsing.references import resolve_clauses

    return resolve_clauses(clauses, request.head, request.recent_turns)


def _image_fallback(clause: IntentClause) -> IntentClause:
    """ "make it brighter" with nothing touched yet means the whole image."""
    target = clause.target
    if operation(clause.op).image_level and target.reference in ("it", "them") and not target.entity_ids:
        clause.target = target.model_copy(update={"reference": None, "scope": "image", "plural": False})
    return clause


__all__ = ["CallRecord", "LLMIntent", "LLMIntentParser"]
