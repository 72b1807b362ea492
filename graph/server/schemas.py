"""Request and response bodies of the HTTP API (what /openapi.json documents)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MessageRequest(Body):
    """One chat message. Images are base64 strings or data URLs."""

    text: str = Field(max_length=4000, description="the instruction: 'remove the red circle', 'undo', …")
    image: str | None = Field(default=None, description="a new image to edit (replaces the current one)")
    mask: str | None = Field(default=None, description="a drawn mask (white = the thing meant by 'this')")
    box: list[int] | None = Field(default=None, min_length=4, max_length=4,
                                  description="a drawn box [x0, y0, x1, y1] in image pixels (exclusive)")
    reference_images: list[str] = Field(default_factory=list, max_length=4,
                                        description="images to insert ('add this logo')")
    confirm_plan: bool | None = Field(default=None, description="stop before the plan runs: the stream ends with "
                                      "a `plan` event; decide with POST /sessions/{id}/plan (default: the server's "
                                      "setting)")


class PlanRequest(Body):
    """The decision on the plan that waits."""

    approve: bool = Field(description="true runs the plan; false asks for another one")
    feedback: str = Field(default="", max_length=2000, description="with approve=false: what to do differently")


class PendingPlanInfo(BaseModel):
    """A plan waiting for approval."""

    session_id: str
    turn: int = Field(description="the turn it belongs to (not committed yet)")
    question: str
    message: str = Field(default="", description="the message the plan answers")
    round: int
    steps: list[str] = Field(description="each operation in words")
    notes: list[str] = Field(default_factory=list, description="what changed against the last plan")
    plan: dict = Field(description="the plan's operations as the decomposer made them")


class RevertRequest(Body):
    turn: int = Field(ge=0, le=1_000_000, description="the turn whose image to return to (0 = the original)")


class BranchRequest(Body):
    version_id: str | None = Field(default=None, max_length=64, description="where to fork (default: the head)")


class SessionInfo(BaseModel):
    id: str
    revision: int
    turn_count: int
    title: str
    created_at: float
    updated_at: float
    head: str | None
    parent_session: str | None = None
    width: int | None = None
    height: int | None = None
    image_url: str | None = None
    entities: list[dict] = Field(default_factory=list, description="things the conversation talks about")
    constraints: list[str] = Field(default_factory=list, description="live constraints from earlier turns")


class TurnInfo(BaseModel):
    """The result of one turn (the ``done`` event's ``result``)."""

    session_id: str
    turn_index: int
    kind: str
    reply: str
    version_id: str | None
    score: float | None = None
    passed: bool | None = None
    needs_answer: bool = False
    image_url: str | None = None
    options: list[str] = Field(default_factory=list, description="what a clarification question offers")
    needs_approval: bool = False
    pending_plan: PendingPlanInfo | None = Field(default=None, description="the plan waiting for approval")


class PendingPlanState(BaseModel):
    pending_plan: PendingPlanInfo | None = None


class HistoryEntry(BaseModel):
    index: int
    kind: str
    message: str
    reply: str
    version_id: str | None
    score: float | None = None
    passed: bool | None = None
    created_at: float
    image_url: str | None = None
    thumbnail_url: str | None = None


class History(BaseModel):
    session_id: str
    head: str | None
    turns: list[HistoryEntry]


class SessionList(BaseModel):
    sessions: list[SessionInfo]


class ErrorDetail(BaseModel):
    code: str = Field(description="stable: session_not_found, session_conflict, image_too_large, …")
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail
