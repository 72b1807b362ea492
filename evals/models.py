"""The benchmark's data: scenes, ground-truth objects, dialogue turns and their constraints.

Ground truth is data, not pixels: a turn's target image is rendered on demand from its object list
(``evals.scenes.render``), so a split is a few kilobytes of JSON and always reproducible.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Box = tuple[float, float, float, float]

Operation = Literal["remove", "add", "recolor", "move", "resize", "text", "filter", "undo", "redo",
                    "revert", "clarify", "answer"]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class GTObject(Model):
    """One object the target image holds: what a re-grounded output must contain."""

    id: str
    noun: str
    color: str
    box: Box = Field(description="(x0, y0, x1, y1), exclusive, pixels")
    pos_tol: float | None = Field(default=None, description="allowed centre error in px; None = the default")
    size_tol: float | None = Field(default=None, description="allowed relative size error; None = the default")
    added: bool = Field(default=False, description="inserted during the dialogue")

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)

    @property
    def size(self) -> float:
        x0, y0, x1, y1 = self.box
        return float(((x1 - x0) * (y1 - y0)) ** 0.5)


class Background(Model):
    kind: Literal["plain", "gradient", "textured", "photo"]
    colors: list[tuple[int, int, int]] = Field(default_factory=list)
    photo: str | None = Field(default=None, description="skimage.data image name")
    noise: float = 0.0
    seed: int = 0


class Scene(Model):
    width: int
    height: int
    background: Background
    objects: list[GTObject]


class GTConstraint(Model):
    """A fact a turn established that later turns must keep ("the square stays green")."""

    kind: Literal["present", "absent"]
    object_id: str
    noun: str
    color: str
    box: Box
    set_by_turn: int
    description: str


class GTState(Model):
    """Everything the target image after a turn is made of."""

    objects: list[GTObject]
    effects: list[str] = Field(default_factory=list, description="global edits applied (grayscale, …)")
    free_boxes: list[Box] = Field(default_factory=list, description="areas where new marks (text) are expected")
    exact: bool = Field(default=True, description="the rendered target is the exact expected image")


class TurnSpec(Model):
    index: int = Field(description="1-based")
    message: str
    op: Operation
    tags: list[str] = Field(default_factory=list, description="reference, revision, drift_trap, plural, …")
    expect_clarify: bool = False
    target_ids: list[str] = Field(default_factory=list)
    edited_boxes: list[Box] = Field(default_factory=list, description="where pixels may change")
    must_change: Box | None = Field(default=None, description="an area that must visibly change (text)")
    state: GTState
    constraints: list[GTConstraint] = Field(default_factory=list, description="set by this turn")


class Dialogue(Model):
    id: str
    split: str
    seed: int
    scene: Scene
    turns: list[TurnSpec]

    @property
    def initial_state(self) -> GTState:
        return GTState(objects=self.scene.objects)
