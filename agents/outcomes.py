"""What the executor hands the critic: per operation, what it did, by reference (masks are blobs)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from state.models import Entity, OpKind


class OpOutcome(BaseModel):
    """What one operation did, by reference (masks are blobs)."""

    model_config = ConfigDict(extra="forbid")

    op_id: str
    kind: OpKind
    entity_id: str | None = None
    before_mask: str | None = Field(default=None, description="the object before the op")
    after_mask: str | None = Field(default=None, description="the object after the op")
    changed_mask: str | None = Field(default=None, description="every pixel the op may change; None = all")
    geometry_changed: bool = False
    ms: float = 0.0
    engine: str = ""
    info: dict[str, Any] = Field(default_factory=dict)


class Execution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_ref: str
    width: int
    height: int
    intermediate_refs: list[str] = Field(default_factory=list)
    outcomes: list[OpOutcome] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    next_entity: int = 1
    engine_ms: float = 0.0


__all__ = ["Execution", "OpOutcome"]
