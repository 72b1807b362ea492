"""The graph's state, its input and output schemas, and its runtime context.

Images travel by reference (content hash), never as raw bytes. The input schema is what a user
supplies (what LangGraph Studio's form shows); the output schema is what a turn returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from typing_extensions import TypedDict

from agents.executor import Execution
from state.models import (
    Attempt,
    Clarification,
    Critique,
    Entity,
    Intent,
    Plan,
    SessionSnapshot,
    Trace,
    Version,
)


class TurnInput(TypedDict, total=False):
    """One user message to a session."""

    session_id: str
    """The session to continue; leave empty to start a new one."""
    message: str
    """What to do, in words: "remove the red circle", "undo", "make it bigger"."""
    image: str
    """An image to edit: a file path, a base64 string or a data URL (first turn, or to replace it)."""
    image_ref: str
    """An image already in the blob store (by content hash)."""
    mask: str
    """A drawn mask pointing at the target ("remove this"): path, base64 or data URL."""
    box: list[int]
    """A drawn box [x0, y0, x1, y1] pointing at the target."""
    reference_images: list[str]
    """Images to insert ("put this logo on the shirt"): paths, base64 or data URLs."""
    mask_ref: str
    """A drawn mask already in the blob store."""
    reference_refs: list[str]
    """Reference images already in the blob store."""
    command: str
    """A history command that needs no parsing: undo, redo, revert:N, start_over."""
    conflict_retries: int
    """How many times this turn was re-run after a SessionConflict (set by the Python API)."""


class TurnOutput(TypedDict, total=False):
    """What a turn produced."""

    session_id: str
    turn_index: int
    reply: str
    """What Retouch says back: a summary, or a clarification question."""
    version_id: str | None
    image_ref: str | None
    score: float | None
    passed: bool | None
    error: str | None


def per_turn(left: list | None, right: list | None) -> list:
    """Append within a turn; ``None`` resets (load_session starts each turn with a clean list,
    so a thread that keeps state between turns never mixes one turn's attempts into the next)."""
    if right is None:
        return []
    return (left or []) + right


class GraphState(TurnInput, TurnOutput, total=False):
    """Everything a turn carries from node to node."""

    user_mask_ref: str | None
    references: list[str]
    history_command: str | None
    snapshot: SessionSnapshot
    base: Version | None
    new_versions: list[Version]
    intent: Intent
    plan: Plan | None
    discovered: list[Entity]
    next_entity: int
    execution: Execution | None
    critique: Critique | None
    attempts: Annotated[list[Attempt], per_turn]
    executions: Annotated[list[Execution], per_turn]
    round: int
    clarification: Clarification | None
    trace: Trace
    review: dict[str, Any] | None
    """This turn's plan review (graph/approval.py): {"turn", "round", "approved", "feedback"}."""
    extra: dict[str, Any]


@dataclass
class Context:
    """Run-time settings of a graph run (Studio shows these as the assistant's configuration)."""

    services_key: str = ""
    """Name of services registered in-process (the Python API sets it); empty = build from settings."""
    threshold: float | None = None
    """Critic score needed to accept an attempt (default 0.85)."""
    max_rounds: int | None = None
    """Decompose → critique rounds per turn (default 3)."""
    confirm_plan: bool | None = None
    """Pause before executing a turn's plan so a person can approve it, or reject it with feedback
    for a new plan (which waits again); resume with ``{"approve": true}`` or
    ``{"approve": false, "feedback": "…"}``."""
    store: str | None = None
    """Store URL override (memory://, sqlite:///PATH, redis://HOST:PORT/DB)."""
    engines: str | None = None
    """Engine family override: classical, neural or auto."""
