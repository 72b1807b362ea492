"""What a turn returns through the Python API: its result, and the progress events of a streamed turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PIL import Image

from state import SessionStore
from state.models import Clarification, Critique, Intent, Plan, Trace, TurnKind

from .approval import PendingPlan


@dataclass
class TurnResult:
    """What one message did."""

    session_id: str
    turn_index: int
    kind: TurnKind
    reply: str
    version_id: str | None
    intent: Intent | None
    plan: Plan | None
    critique: Critique | None
    trace: Trace
    clarification: Clarification | None
    _store: SessionStore = field(repr=False)
    _image_ref: str | None = field(default=None, repr=False)
    pending_plan: PendingPlan | None = None
    """The plan waiting for approval (``confirm_plan``): nothing is committed until it is decided."""

    @property
    def image(self) -> Image.Image | None:
        """The session's image after this turn (PIL, RGB)."""
        return self._store.images.get_image(self._image_ref) if self._image_ref else None

    @property
    def needs_approval(self) -> bool:
        """True when the turn waits for its plan to be approved or rejected."""
        return self.pending_plan is not None

    @property
    def needs_answer(self) -> bool:
        """True when the turn ended with a question (an ambiguous target)."""
        return self.kind == TurnKind.CLARIFY

    @property
    def passed(self) -> bool | None:
        return self.critique.passed if self.critique else None

    @property
    def score(self) -> float | None:
        return self.critique.score if self.critique else None

    @classmethod
    def waiting_on(cls, pending: PendingPlan, store: SessionStore) -> TurnResult:
        """The result of a turn that waits for approval of ``pending``: nothing committed yet."""
        intent = pending.intent
        kind = TurnKind.GENERATE if intent is not None and intent.kind == "generate" else TurnKind.EDIT
        reply = f"{pending.question} {'; '.join(pending.steps)}. Approve or reject it (with feedback)."
        return cls(session_id=pending.session_id, turn_index=pending.turn_index, kind=kind, reply=reply,
                   version_id=None, intent=intent, plan=pending.plan, critique=None,
                   trace=pending.trace or Trace(), clarification=None, _store=store,
                   _image_ref=pending.image_ref, pending_plan=pending)


@dataclass
class ProgressEvent:
    """One step of a running turn (parse, plan, operation, critique, commit, done)."""

    stage: str
    message: str
    data: dict[str, Any] = field(default_factory=dict)
    result: TurnResult | None = None
