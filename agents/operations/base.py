"""The protocol every operation kind implements, with the defaults most kinds share.

An operation kind is one module in agents/operations/ holding everything about it: how a parsed
clause becomes planned operations (``plan`` / ``plan_object`` / ``amend_insert``, and ``vary`` for
best-of-N candidates), how it runs over the engines (``run``), how the critic checks it (``check``),
which constraints it leaves and which earlier ones it contradicts (``derive`` / ``supersedes``),
and how it is said in replies (``describe``). The decomposer, executor, critic and constraint
checker are loops over the registry that call these methods; they never name a kind.

The methods receive the agent that calls them (a ``PlanBuilder``, an ``Executor``, the critic's
``CheckContext``), so the shared tools (grounding, masks, entity bookkeeping) live in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from state.models import (
    Clarification,
    Constraint,
    ConstraintKind,
    ConstraintVerdict,
    EditOperation,
    Entity,
    FeedbackHint,
    Intent,
    IntentClause,
    OperationVerdict,
    OpKind,
)

from ..errors import InstructionError

if TYPE_CHECKING:  # the agents import the registry, not the other way round
    from ..critic import CritiqueRequest
    from ..decomposer import PlanBuilder
    from ..executor import Executor, OpOutcome
    from ..targets import Candidate

# Flat shapes the grounder finds as one detection each (composite objects are several).
SHAPES = frozenset({"circle", "ellipse", "square", "rectangle", "triangle", "star", "hexagon", "pentagon",
                    "diamond", "heart"})

Verdict = tuple[OperationVerdict, list[FeedbackHint]]
AddConstraint = Callable[..., None]


@dataclass
class RunResult:
    """What one operation's run hands back to the executor."""

    image: np.ndarray
    outcome: OpOutcome
    next_entity: int


@dataclass
class CheckContext:
    """What the critic knows when it checks one operation."""

    request: CritiqueRequest
    detections: list
    mask: Callable[[str | None, tuple[int, int]], np.ndarray | None]
    images: Any
    engines: Any

    @property
    def before(self) -> np.ndarray:
        return self.request.before

    @property
    def after(self) -> np.ndarray:
        return self.request.after


def verdict(op: EditOperation, ok: bool, reason: str, score: float | None = None, **metrics: float) -> OperationVerdict:
    """An operation's verdict; the score defaults to a clear pass or a clear fail."""
    value = score if score is not None else (0.95 if ok else 0.4)
    return OperationVerdict(op_id=op.id, kind=op.kind, ok=ok, score=round(float(value), 4), reason=reason,
                            metrics={k: float(v) for k, v in metrics.items()})


def target_phrase(op: EditOperation) -> str:
    """How a reply names what an operation acted on."""
    return op.target.phrase or "it"


def image_or(op: EditOperation) -> str:
    return "the image" if op.target.scope == "image" else target_phrase(op)


class Operation:
    """One operation kind. Subclasses set ``kind`` and override what their kind does differently."""

    kind: ClassVar[OpKind]
    places_things: ClassVar[bool] = False
    """It puts something somewhere (insert, move): a broken constraint is fixed by keeping clear of
    the object, not by protecting it from the edit."""
    grows_on_retry: ClassVar[bool] = False
    """With no hint to follow, a retry grows this kind's mask (it fills a hole)."""
    runs_last: ClassVar[bool] = False
    """Runs after every other operation of the plan, whatever its place (refinement)."""
    refinement: ClassVar[bool] = False
    """A plan made only of such operations goes to the refinement node."""

    # What a parser may say of a clause of this kind (the model back-ends check replies with these).
    verb_families: ClassVar[frozenset[str]] = frozenset()
    """The grammar's verb families (agents.parsing.lexicon.VERBS) that can say this kind; empty = any."""
    needs_target: ClassVar[bool] = False
    """A clause of this kind must say what it applies to."""
    makes_new: ClassVar[bool] = False
    """It brings a new thing (insert, replace): the thing must be said in the message."""
    image_level: ClassVar[bool] = False
    """'it' with nothing to refer to means the whole picture (a look, a turn, a crop)."""
    target_scope: ClassVar[str | None] = None
    """The scope every target of this kind has (the background operation's is the background)."""

    def complete_params(self, params: dict[str, Any], target) -> dict[str, Any]:
        """A parsed clause's params checked and completed for this kind; raises ValueError saying
        what is missing (the model back-ends turn it into a repair request)."""
        return params

    # ------------------------------------------------------------------ plan

    def plan(self, builder: PlanBuilder, index: int, clause: IntentClause, intent: Intent) -> Clarification | None:
        """Plan one clause; by default ground its target and plan the operation on each thing found."""
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder: PlanBuilder, index: int, sub: int, clause: IntentClause, candidate: Candidate,
                    common: dict[str, Any]) -> None:
        raise InstructionError(f"{self.kind} cannot be applied to an object")

    def amend_insert(self, builder: PlanBuilder, insert: EditOperation, clause: IntentClause) -> None:
        """'add a star and make it red': change how the thing added earlier in the message is drawn."""
        raise InstructionError(f"to {clause.op.value} something added in the same message, send it as a new message")

    def vary(self, op: EditOperation, variant: int, rng: np.random.Generator, shape: tuple[int, int]) -> None:
        """Change what this operation leaves open, for the ``variant``-th candidate (in place)."""

    # ------------------------------------------------------------------ run

    def run(self, executor: Executor, op: EditOperation, image: np.ndarray, working: dict[str, Entity],
            order: list[str], *, turn: int, next_entity: int, references, seed: int,
            cache_key: str | None) -> RunResult:
        raise NotImplementedError(f"the executor cannot run a {self.kind} operation")

    # ------------------------------------------------------------------ check

    def check(self, context: CheckContext, op: EditOperation, outcome: OpOutcome) -> Verdict:
        return verdict(op, True, "not checked"), []

    def recheck(self, context: CheckContext, op: EditOperation, constraints: list[ConstraintVerdict]) \
            -> list[ConstraintVerdict]:
        """Constraint verdicts as this operation sees them (a whole-image refinement changes how
        "still there" is measured); by default unchanged."""
        return constraints

    # ------------------------------------------------------------------ constraints

    def derive(self, op: EditOperation, entity: Entity | None, entities: dict[str, Entity], add: AddConstraint) \
            -> None:
        """The constraints this operation leaves behind: ``add(kind, entity_id, description, **params)``."""

    def supersedes(self, op: EditOperation, constraint: Constraint, hit: bool) -> bool:
        """Whether this operation contradicts a live constraint (``hit``: it acts on its entity)."""
        return False

    # ------------------------------------------------------------------ words

    def describe(self, op: EditOperation) -> str:
        return op.kind.value

    def describe_request(self, op: EditOperation) -> str:
        """The operation as asked, for errors ("remove the cup")."""
        what = op.target.phrase if op.target.scope != "image" else "the image"
        return f"{op.kind.value.replace('_', ' ')} {what}".strip()


def keeps_presence(op: EditOperation, entity: Entity | None, add: AddConstraint) -> None:
    """'the X stays visible where it is': what placing, moving and scaling leave behind."""
    if entity is not None and entity.present:
        add(ConstraintKind.PRESENT, entity.id, f"the {entity.label} stays visible where it is",
            color=entity.color, noun=entity.noun)


__all__ = ["SHAPES", "AddConstraint", "CheckContext", "Operation", "RunResult", "Verdict", "image_or",
           "keeps_presence", "target_phrase", "verdict"]
