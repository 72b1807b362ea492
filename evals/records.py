"""What a run records: one JSON line per dialogue, each holding its turns' scores."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from .models import Dialogue


class TurnRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    index: int
    op: str
    tags: list[str] = Field(default_factory=list)
    message: str
    reply: str = ""
    kind: str = ""
    error: str | None = None
    expect_clarify: bool = False
    needs_answer: bool = False
    success: bool = False
    objects_ok: bool = False
    precision: float = 0.0
    recall: float = 0.0
    f1: float = 0.0
    missing: list[str] = Field(default_factory=list)
    extra: list[str] = Field(default_factory=list, description="labels of unexpected detections")
    exact: bool = True
    l1: float | None = None
    l2: float | None = None
    psnr: float | None = None
    ssim: float | None = None
    preserve_l1: float | None = None
    preserve_frac: float | None = None
    drift_live: int = 0
    drift_broken: int = 0
    collapsed: bool = False
    critic_score: float | None = None
    critic_passed: bool | None = None
    attempts: int = 0
    first_attempt_passed: bool | None = None
    total_ms: float = 0.0
    engine_ms: float = 0.0
    wall_ms: float = 0.0
    output_image: str | None = None
    target_image: str | None = None

    @property
    def drift(self) -> float | None:
        return self.drift_broken / self.drift_live if self.drift_live else None


class DialogueRecord(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    split: str
    variant: str = "full"
    dialogue: Dialogue
    input_image: str | None = None
    turns: list[TurnRecord]
    wall_ms: float = 0.0

    @property
    def all_success(self) -> bool:
        return all(t.success for t in self.turns)
