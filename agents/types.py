"""Typed inputs of the agents (their outputs are the state models: Intent, Plan, Critique)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from state.models import Clarification, Turn, Version


class ParseRequest(BaseModel):
    """Everything the intent parser may look at for one message."""

    model_config = ConfigDict(extra="forbid")

    text: str
    head: Version | None = Field(default=None, description="current version: entities and constraints")
    recent_turns: list[Turn] = Field(default_factory=list, description="oldest first")
    pending: Clarification | None = None
    has_user_region: bool = False
    has_reference_image: bool = False
    image_size: tuple[int, int] | None = Field(default=None, description="(width, height)")
    turn_index: int = 1
