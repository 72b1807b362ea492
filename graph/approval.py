"""Plan approval: the review step before a plan runs, and what every interface needs to pause a
turn for it and to resume it later, in this process or another one.

The graph pauses with a LangGraph ``interrupt`` at the start of the ``execute`` (or ``refine``)
node when ``confirm_plan`` is on and this turn's plan has not been approved yet. The node keeps
its name (Studio shows ``next == ["execute"]`` as before); :func:`reviewed` wraps it. An approval
lets the node run; a rejection sends the reviewer's feedback to the decomposer as a critique, and
the new plan waits for approval again. Critic retries after an approved plan do not ask again.

Threads: each turn runs on its own LangGraph thread, ``"{session_id}:{turn}"`` (the turn number
the turn will get when it commits). The session store, not the thread, is the conversation's
memory (``load_session`` reads it at the start of every turn), so a thread needs to hold only one
turn; a per-turn id means any process that can read the session knows where its paused turn is
(``turn_count + 1``) without another index, and a finished turn's checkpoints can be pruned
without touching the others.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import BaseModel, Field

import state.models as _models
from agents.operations import describe
from state.errors import RetouchError
from state.models import Critique, FeedbackHint, Intent, Plan, Trace

from .nodes.common import PlanRejected, approved, emit, services, setting
from .state import Context, GraphState

QUESTION = "Run this plan?"
HOW_TO_DECIDE = ("approve it (session.approve(), POST /sessions/{id}/plan {\"approve\": true}) or reject it "
                 "with feedback (session.reject(\"…\"), {\"approve\": false, \"feedback\": \"…\"})")


class PlanPending(RetouchError):
    """A plan of this session waits for approval: a new message cannot start another turn."""

    code = "plan_pending"

    def __init__(self, pending: PendingPlan) -> None:
        self.pending = pending
        self.details = {"turn": pending.turn_index, "steps": pending.steps}
        super().__init__(f"turn {pending.turn_index} of session {pending.session_id} waits for approval of its "
                         f"plan ({'; '.join(pending.steps)}): {HOW_TO_DECIDE.replace('{id}', pending.session_id)}")


class NoPendingPlan(RetouchError):
    """Approve or reject was asked for, but no plan of this session waits (never paused, or decided)."""

    code = "no_pending_plan"


class PlanDiscarded(RetouchError):
    """The plan that waited was dropped without running (the reason kept with the sent image)."""

    code = "plan_discarded"


class PlanDecision(BaseModel):
    """What the reviewer said: approve, or reject with feedback for the next plan."""

    approve: bool
    feedback: str = Field(default="", max_length=2000, description="why not, for the decomposer's next plan")

    @classmethod
    def of(cls, value: Any) -> PlanDecision:
        """A resume value in any form Studio users send: a decision, a dict, True/False, 'yes'."""
        if isinstance(value, PlanDecision):
            return value
        feedback = value.get("feedback", "") if isinstance(value, dict) else ""
        return cls(approve=approved(value), feedback=str(feedback or ""))


@dataclass
class PendingPlan:
    """A plan waiting for approval, as read back from the checkpointer."""

    session_id: str
    turn_index: int
    plan: Plan
    question: str = QUESTION
    steps: list[str] = dataclasses.field(default_factory=list)
    intent: Intent | None = None
    trace: Trace | None = None
    image_ref: str | None = None
    message: str = ""
    sent_image_ref: str | None = None
    """The image that came with the paused message (kept if the turn fails after all)."""

    @property
    def thread_id(self) -> str:
        return thread_id(self.session_id, self.turn_index)

    @property
    def operations(self):
        return self.plan.operations

    def as_json(self) -> dict[str, Any]:
        return {"session_id": self.session_id, "turn": self.turn_index, "question": self.question,
                "message": self.message, "round": self.plan.round, "steps": self.steps,
                "notes": list(self.plan.notes), "plan": self.plan.model_dump(mode="json")}


# ---------------------------------------------------------------------- threads


def thread_id(session_id: str, turn: int) -> str:
    return f"{session_id}:{turn}"


def thread_config(session_id: str, turn: int) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id(session_id, turn)}}


def pending_in(snapshot, session_id: str, turn: int) -> PendingPlan | None:
    """The plan a thread's state waits on, if its last run stopped at the review interrupt."""
    for item in getattr(snapshot, "interrupts", ()) or ():
        value = item.value
        if isinstance(value, dict) and "plan" in value:
            values = snapshot.values or {}
            plan = Plan.model_validate(value["plan"])
            base = values.get("base")
            sent = next((v.image_ref for v in values.get("new_versions") or [] if v.note == "uploaded"), None)
            return PendingPlan(session_id=session_id, turn_index=turn, plan=plan,
                               question=value.get("question", QUESTION), steps=list(value.get("steps", [])),
                               intent=values.get("intent"), trace=values.get("trace"),
                               image_ref=base.image_ref if base is not None else None,
                               message=values.get("message") or "", sent_image_ref=sent)
    return None


# ---------------------------------------------------------------------- the graph's review step


def _review(state: GraphState) -> dict | None:
    review = state.get("review")
    return review if review and review.get("turn") == state.get("turn_index") else None


def needs_review(state: GraphState, runtime: Runtime[Context]) -> bool:
    review = _review(state)
    return bool(setting(runtime, "confirm_plan", services(runtime))) and not (review and review["approved"])


def rejection(decision: PlanDecision) -> Critique:
    """The reviewer's no as a critique: the decomposer's retry path makes the next plan from it."""
    said = decision.feedback.strip() or "no reason given"
    return Critique(score=0.0, passed=False, feedback=f"the reviewer rejected the plan: {said}",
                    hints=[FeedbackHint(kind="retry", detail=said)], backend="reviewer")


def reviewed(node: Callable[..., dict]) -> Callable[..., dict]:
    """``node`` (execute or refine) behind the plan review."""

    @functools.wraps(node)
    def run(state: GraphState, runtime: Runtime[Context]) -> dict:
        update: dict[str, Any] = {}
        if needs_review(state, runtime):
            plan: Plan = state["plan"]
            steps = [f"{op.kind}: {describe(op)}" for op in plan.operations]  # what each step will do
            # Nothing above this line has side effects: the node re-runs from the top on resume.
            decision = PlanDecision.of(interrupt({"question": QUESTION, "plan": plan.model_dump(mode="json"),
                                                  "steps": steps, "turn": state["turn_index"]}))
            trace: Trace = state["trace"]
            review = {"turn": state["turn_index"], "round": plan.round, "approved": decision.approve,
                      "feedback": decision.feedback}
            if not decision.approve:
                said = decision.feedback.strip() or "no reason given"
                trace.add("approve", f"round {plan.round}: plan rejected: {said}", approved=False,
                          feedback=decision.feedback, steps=steps)
                emit("approve", "plan rejected: asking the decomposer for another", approved=False)
                # "trace" is written back so the checkpoint keeps the events added in place.
                return {"review": review, "critique": rejection(decision), "trace": trace}
            trace.add("approve", f"round {plan.round}: plan approved", approved=True, steps=steps)
            emit("approve", "plan approved", approved=True)
            update = {"review": review, "trace": trace}
        # The node's own confirm() must not ask a second time.
        context = dataclasses.replace(runtime.context or Context(), confirm_plan=False)
        return node(state, runtime.override(context=context)) | update

    return run


def fresh_run(node: Callable[..., dict]) -> Callable[..., dict]:
    """``load_session``, also clearing what an earlier run on the same thread left that this run
    must not see: its result image (read as an upload), its review, its per-run flags (``extra``:
    "refined", candidate counts) and the entity counter its plan advanced."""

    @functools.wraps(node)
    def run(state: GraphState, runtime: Runtime[Context]) -> dict:
        if state.get("image_ref") and _is_head_image(state, runtime):
            # image_ref is also the graph's output: on a thread that keeps its state between turns
            # (Studio) it still names the last result, which is no new image (and an "upload" of it
            # would hide the entities the conversation knows).
            state = {**state, "image_ref": None}
        update = node(state, runtime)
        base = update.get("base")
        return update | {"review": None, "extra": {}, "next_entity": base.next_entity if base is not None else 1}

    return run


def _is_head_image(state: GraphState, runtime: Runtime[Context]) -> bool:
    store, session_id = services(runtime).store, state.get("session_id")
    if not session_id or not store.exists(session_id):
        return False
    head = store.load(session_id, recent=0).head
    return head is not None and head.image_ref == state["image_ref"]


def after_decompose(route: Callable[..., str]) -> Callable[..., str]:
    """``route`` after decompose, refusing the turn when a rejected plan has no alternative."""

    @functools.wraps(route)
    def run(state: GraphState, runtime: Runtime[Context]) -> str:
        review, plan = _review(state), state.get("plan")
        if review and not review["approved"] and plan is not None and plan.exhausted and not state.get("attempts"):
            raise PlanRejected("the plan was rejected and the planner has no other plan for "
                               f"{state['intent'].text!r}; nothing was changed (try other words)")
        return route(state, runtime)

    return run


def route_after_review(state: GraphState) -> Literal["critique", "decompose"]:
    """After execute/refine: a rejected plan goes back to the decomposer, anything run to the critic."""
    review = _review(state)
    return "decompose" if review and not review["approved"] else "critique"


# ---------------------------------------------------------------------- checkpoint serialisation


def state_types() -> list[type]:
    """The classes the graph's state holds (pydantic models and enums), for the checkpoint
    serialiser's allow-list: only these are rebuilt from a checkpoint, nothing else is imported."""
    from agents import outcomes

    found: list[type] = []
    for module in (_models, outcomes):
        found += [value for value in vars(module).values() if inspect.isclass(value)
                  and issubclass(value, (BaseModel, Enum)) and value.__module__ == module.__name__]
    return found


def allow_state_types(saver):
    """``saver`` with a serialiser that rebuilds exactly the graph's state types."""
    from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

    if not getattr(saver, "_retouch_types", False):
        saver.serde = JsonPlusSerializer(allowed_msgpack_modules=state_types())
        saver._retouch_types = True
    return saver
