"""The dialogue-state model: what a conversation with an image is made of.

Everything here is plain pydantic data (no arrays, no images): images and masks are referenced
by the content hash of their blobs, so the model serialises to small JSON and can be stored,
diffed, exported and sent over HTTP as it is.
"""

from __future__ import annotations

import time
import uuid
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def new_id(prefix: str = "") -> str:
    """A random 128-bit id, hex encoded."""
    return prefix + uuid.uuid4().hex


def now() -> float:
    return time.time()


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --------------------------------------------------------------------------- regions, entities


Box = tuple[int, int, int, int]
"""(x0, y0, x1, y1) in pixels, x1/y1 exclusive."""


class Region(Model):
    """Where something is: a box, and optionally an exact mask (blob reference)."""

    box: Box
    mask_ref: str | None = None
    area: int | None = Field(default=None, description="pixels in the mask (box area when no mask)")

    @field_validator("box")
    @classmethod
    def _ordered(cls, box: Box) -> Box:
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            raise ValueError(f"empty box {box}")
        return box

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    @property
    def width(self) -> int:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]


class Entity(Model):
    """A thing the conversation talks about, with a stable id across turns."""

    id: str
    label: str = Field(description="how the user would name it, e.g. 'red circle'")
    noun: str = Field(description="the object class: circle, square, star, face, text, logo, …")
    attributes: dict[str, Any] = Field(default_factory=dict, description="color, size, text, …")
    region: Region | None = None
    origin: Literal["detected", "added", "user", "generated"] = "detected"
    created_turn: int = 0
    last_turn: int = 0
    present: bool = True

    @property
    def color(self) -> str | None:
        return self.attributes.get("color")


class ConstraintKind(StrEnum):
    COLOR = "color"  # entity has colour X
    ABSENT = "absent"  # no object matching a description (a removed thing stays gone)
    PRESENT = "present"  # entity still visible near its region
    POSITION = "position"  # entity stays at its place
    SIZE = "size"  # entity keeps its size
    TEXT = "text"  # text still drawn
    GLOBAL = "global"  # a whole-image look (grayscale, sepia, …)


class Constraint(Model):
    """A standing goal from an earlier turn that later turns must keep."""

    id: str
    kind: ConstraintKind
    entity_id: str | None = None
    params: dict[str, Any] = Field(default_factory=dict)
    description: str
    set_by_turn: int
    superseded_by_turn: int | None = None

    @property
    def live(self) -> bool:
        return self.superseded_by_turn is None


# --------------------------------------------------------------------------- intent


class OpKind(StrEnum):
    REMOVE = "remove"
    INSERT = "insert"
    RECOLOR = "recolor"
    MOVE = "move"
    RESIZE = "resize"
    FILTER = "filter"
    TEXT = "text"
    CROP = "crop"
    ROTATE = "rotate"
    FLIP = "flip"
    GENERATE = "generate"
    REFINE = "refine"
    REPLACE = "replace"
    MATERIAL = "material"
    BACKGROUND = "background"
    COUNT = "count"
    REPLACE_TEXT = "replace_text"


class HistoryKind(StrEnum):
    UNDO = "undo"
    REDO = "redo"
    REVERT = "revert"
    START_OVER = "start_over"


class TargetSpec(Model):
    """What an operation acts on, as said: the grounding step turns this into regions."""

    phrase: str = ""
    noun: str | None = Field(default=None, description="head noun (open vocabulary); None = any object")
    modifiers: list[str] = Field(
        default_factory=list, description="the phrase's other words that describe it: material, pattern, size, …"
    )
    possessor: str | None = Field(default=None, description="'the cat's fur' → cat; 'her face' → person")
    colors: list[str] = Field(default_factory=list)
    position: str | None = Field(default=None, description="left, right, top, bottom, center, top-left, …")
    superlative: str | None = Field(default=None, description="largest, smallest, leftmost, …")
    ordinal: int | None = Field(default=None, description="1-based; with ordinal_axis")
    ordinal_axis: str | None = Field(default=None, description="left, right, top, bottom")
    size: Literal["small", "large"] | None = None
    plural: bool = False
    all: bool = False
    reference: str | None = Field(
        default=None, description="it, them, added, other, both, previous, user_region, everything"
    )
    exclude_entity_ids: list[str] = Field(default_factory=list)
    entity_ids: list[str] = Field(default_factory=list, description="filled when resolved to entities")
    scope: Literal["object", "image", "background", "region"] = "object"
    relation: TargetRelation | None = Field(
        default=None, description="'the mug left of the laptop': where it is relative to another thing"
    )


class TargetRelation(Model):
    """A target described by another thing: rel is left_of, right_of, above, below, on, next_to, behind."""

    rel: str
    anchor: TargetSpec


TargetSpec.model_rebuild()


class IntentClause(Model):
    """One requested action."""

    op: OpKind
    target: TargetSpec = Field(default_factory=TargetSpec)
    params: dict[str, Any] = Field(default_factory=dict)
    revision: bool = Field(default=False, description="'actually … instead': supersedes the last edit")


class HistoryAction(Model):
    kind: HistoryKind
    turn: int | None = None
    count: int = Field(default=1, ge=1, le=100, description="steps for undo/redo ('undo twice')")


class Intent(Model):
    """What the user wants this turn, with references resolved against the session."""

    kind: Literal["edit", "history", "answer", "generate", "variations", "pick"] = "edit"
    text: str
    clauses: list[IntentClause] = Field(default_factory=list)
    history: HistoryAction | None = None
    answer: TargetSpec | None = Field(default=None, description="the user's reply to a clarification")
    pick: int | None = None
    count: int | None = None
    keep: list[TargetSpec] = Field(default_factory=list, description="'but leave the square alone': kept this turn and after")
    understood: list[str] = Field(default_factory=list, description="what the parser read, in words, for replies")
    ignored_words: list[str] = Field(default_factory=list, description="words that changed nothing (filler, reasons)")
    corrections: list[str] = Field(default_factory=list, description="typos read as lexicon words: 'remvoe → remove'")
    backend: str = "offline"


# --------------------------------------------------------------------------- plan


class EditOperation(Model):
    """One typed edit the executor can run."""

    id: str
    kind: OpKind
    target: TargetSpec = Field(default_factory=TargetSpec)
    region: Region | None = Field(default=None, description="resolved target region")
    entity_ids: list[str] = Field(default_factory=list)
    params: dict[str, Any] = Field(default_factory=dict)
    strategy: dict[str, Any] = Field(
        default_factory=dict, description="how to run it: mask growth, inpaint method, …"
    )
    protect_entity_ids: list[str] = Field(
        default_factory=list, description="entities under live constraints the op must leave intact"
    )


class Plan(Model):
    operations: list[EditOperation] = Field(default_factory=list)
    round: int = 1
    notes: list[str] = Field(default_factory=list, description="what changed against the last attempt")
    exhausted: bool = Field(default=False, description="no further change is possible: stop retrying")


class Clarification(Model):
    """A question the turn ends with when a target is ambiguous; the next message answers it."""

    question: str
    candidates: list[Region] = Field(default_factory=list)
    candidate_labels: list[str] = Field(default_factory=list)
    candidate_entity_ids: list[str | None] = Field(default_factory=list)
    pending_intent: Intent
    clause_index: int = 0


# --------------------------------------------------------------------------- critique


class OperationVerdict(Model):
    op_id: str
    kind: OpKind
    ok: bool
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    metrics: dict[str, float] = Field(default_factory=dict)


class ConstraintVerdict(Model):
    constraint_id: str
    description: str
    holds: bool
    score: float = Field(ge=0.0, le=1.0)
    reason: str
    entity_id: str | None = None


class FeedbackHint(Model):
    """A machine-readable suggestion from the critic to the decomposer."""

    kind: Literal[
        "grow_mask", "switch_inpaint", "loosen_tolerance", "avoid_entities", "protect_entities",
        "stronger", "retry", "refine",
    ]
    op_id: str | None = None
    entity_ids: list[str] = Field(default_factory=list)
    detail: str = ""
    tried: list[str] = Field(default_factory=list, description="methods the attempt actually used")


class Critique(Model):
    score: float = Field(ge=0.0, le=1.0)
    passed: bool
    operations: list[OperationVerdict] = Field(default_factory=list)
    constraints: list[ConstraintVerdict] = Field(default_factory=list)
    preservation: dict[str, float] = Field(default_factory=dict, description="psnr/ssim outside the edit")
    feedback: str = ""
    hints: list[FeedbackHint] = Field(default_factory=list)
    backend: str = "offline"


# --------------------------------------------------------------------------- trace


class TraceEvent(Model):
    stage: str
    message: str
    ms: float = 0.0
    data: dict[str, Any] = Field(default_factory=dict)
    at: float = Field(default_factory=now)


class Attempt(Model):
    round: int
    plan: Plan
    image_ref: str | None = None
    intermediate_refs: list[str] = Field(default_factory=list, description="image after each operation")
    op_ms: list[float] = Field(default_factory=list)
    critique: Critique | None = None


class Trace(Model):
    events: list[TraceEvent] = Field(default_factory=list)
    attempts: list[Attempt] = Field(default_factory=list)
    engine_ms: float = 0.0
    total_ms: float = 0.0
    retries: int = Field(default=0, description="commits retried after a SessionConflict")

    def add(self, stage: str, message: str, ms: float = 0.0, **data: Any) -> TraceEvent:
        event = TraceEvent(stage=stage, message=message, ms=ms, data=data)
        self.events.append(event)
        return event


# --------------------------------------------------------------------------- versions, turns, session


class Version(Model):
    """One image state. Versions form a tree; each carries the entities and constraints as they
    stand in it, so undo and revert restore the dialogue state together with the pixels."""

    id: str
    parent: str | None = None
    image_ref: str
    width: int
    height: int
    turn: int = Field(description="the turn that made it (0 = the uploaded image)")
    entities: list[Entity] = Field(default_factory=list)
    constraints: list[Constraint] = Field(default_factory=list)
    next_entity: int = 1
    note: str = ""
    created_at: float = Field(default_factory=now)

    def entity(self, entity_id: str) -> Entity | None:
        return next((e for e in self.entities if e.id == entity_id), None)

    @property
    def live_constraints(self) -> list[Constraint]:
        return [c for c in self.constraints if c.live]


class TurnKind(StrEnum):
    EDIT = "edit"
    HISTORY = "history"
    CLARIFY = "clarify"
    UPLOAD = "upload"
    GENERATE = "generate"
    VARIATIONS = "variations"
    PICK = "pick"
    FAILED = "failed"


class Turn(Model):
    index: int = Field(description="1-based position in the conversation")
    message: str
    kind: TurnKind
    base_version: str | None = None
    version_id: str | None = Field(default=None, description="head after this turn")
    candidate_versions: list[str] = Field(default_factory=list, description="variations offered")
    intent: Intent | None = None
    plan: Plan | None = None
    critique: Critique | None = None
    clarification: Clarification | None = None
    reply: str = Field(default="", description="what Retouch said back")
    trace: Trace = Field(default_factory=Trace)
    created_at: float = Field(default_factory=now)


class SessionMeta(Model):
    """The small, often-rewritten part of a session: head, redo stack, counters."""

    id: str
    revision: int = 0
    head: str | None = None
    redo: list[str] = Field(default_factory=list, description="versions undone, most recent last")
    pending: Clarification | None = None
    turn_count: int = 0
    parent_session: str | None = None
    created_at: float = Field(default_factory=now)
    updated_at: float = Field(default_factory=now)
    title: str = ""


class Session(Model):
    """A whole session, as exported or inspected; the graph works on a :class:`SessionSnapshot`."""

    meta: SessionMeta
    turns: list[Turn] = Field(default_factory=list)
    versions: dict[str, Version] = Field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def head(self) -> Version | None:
        return self.versions.get(self.meta.head) if self.meta.head else None

    @property
    def entities(self) -> list[Entity]:
        return self.head.entities if self.head else []

    @property
    def constraints(self) -> list[Constraint]:
        return self.head.constraints if self.head else []


class SessionSnapshot(Model):
    """What one turn needs: the meta, the head version and the last few turns (not the history)."""

    meta: SessionMeta
    head: Version | None = None
    recent_turns: list[Turn] = Field(default_factory=list)
