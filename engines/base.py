"""Engine protocols: the small interfaces the agents call, whatever runs behind them.

Images cross these interfaces as ``HxWx3`` uint8 RGB arrays, masks as ``HxW`` bool arrays.
Engines never mutate their inputs; they return new arrays.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

Box = tuple[int, int, int, int]  # (x0, y0, x1, y1), x1/y1 exclusive


@dataclass(eq=False)  # identity equality: comparing mask arrays field by field is ambiguous
class Detection:
    """One object found in an image."""

    mask: np.ndarray
    box: Box
    label: str = "object"
    noun: str = "object"
    color: str | None = None
    rgb: tuple[int, int, int] | None = None
    score: float = 1.0
    attributes: dict[str, Any] = field(default_factory=dict)
    alpha: np.ndarray | None = None
    """A soft matte (float32 in [0, 1]) where the edge is soft (hair, fur); ``mask`` is its hard cut."""

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    @property
    def center(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return ((x0 + x1) / 2, (y0 + y1) / 2)


@dataclass
class InsertSpec:
    """What to insert: a shape, a described object, or a reference image (RGBA or RGB)."""

    noun: str = "circle"
    color: str | None = None
    rgb: tuple[int, int, int] | None = None
    prompt: str = ""
    reference: np.ndarray | None = None
    reference_mask: np.ndarray | None = None
    rotation: float = 0.0


@runtime_checkable
class Grounder(Protocol):
    """Text → regions. ``noun`` None means every object in the scene."""

    name: str

    def ground(
        self, image: np.ndarray, noun: str | None = None, colors: tuple[str, ...] = (), *,
        tolerance: float = 1.0, cache_key: str | None = None,
    ) -> list[Detection]: ...


@runtime_checkable
class Segmenter(Protocol):
    """Box / points → mask; ``cache_key`` names the image version so its embedding is reused."""

    name: str

    def segment(
        self, image: np.ndarray, box: Box | None = None, points: list[tuple[int, int]] | None = None,
        *, cache_key: str | None = None,
    ) -> np.ndarray: ...


@runtime_checkable
class Inpainter(Protocol):
    """Fills the masked pixels from their surroundings (optionally guided by a prompt).

    Pixels outside the mask must come back unchanged.
    """

    name: str

    def inpaint(
        self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
        seed: int | None = None,
    ) -> np.ndarray: ...


@runtime_checkable
class Inserter(Protocol):
    """Puts a new object into a box; returns the image and the object's mask."""

    name: str

    def insert(
        self, image: np.ndarray, box: Box, spec: InsertSpec, *, seed: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]: ...


@runtime_checkable
class Recolorer(Protocol):
    name: str

    def recolor(self, image: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray: ...


@runtime_checkable
class Filter(Protocol):
    """Whole-image or masked filters by name (blur, sharpen, sepia, cartoon, …)."""

    name: str
    filters: tuple[str, ...]

    def apply(
        self, image: np.ndarray, filter_name: str, *, mask: np.ndarray | None = None, strength: float = 1.0
    ) -> np.ndarray: ...


@runtime_checkable
class TextDrawer(Protocol):
    name: str

    def draw(
        self, image: np.ndarray, text: str, box: Box, *, rgb: tuple[int, int, int] = (0, 0, 0)
    ) -> tuple[np.ndarray, np.ndarray]: ...


@runtime_checkable
class Generator(Protocol):
    """Words (and a layout) → a new image. Used when a session starts with no image."""

    name: str

    def generate(
        self, prompt: str, width: int, height: int, *, layout: list[tuple[Box, InsertSpec]] = (),
        background: str = "", seed: int | None = None,
    ) -> np.ndarray: ...


class EngineError(RuntimeError):
    """An engine could not do what was asked (bad input, missing weights, out of memory)."""


class HoleTooLarge(EngineError):
    """The hole is too large, or sits in too much structure, to fill plausibly without a model.

    Raised before anything is painted; ``figures`` says what was measured. The way to do it is the
    neural inpainter (``RETOUCH_ENGINES=auto`` with ``RETOUCH_INPAINT_MODEL`` set).
    """

    def __init__(self, message: str, figures: dict[str, float] | None = None):
        self.figures = dict(figures or {})
        super().__init__(message)


class UnknownTarget(EngineError):
    """A grounder was asked for a kind of thing it cannot recognise (the agents turn this into a
    TargetNotFound that offers a drawn box or a grounding model)."""

    def __init__(self, noun: str, message: str) -> None:
        super().__init__(message)
        self.noun = noun


class EngineUnavailable(EngineError):
    """A remote engine cannot be reached: its cluster is down, or a replica died and the retry failed too.

    Nothing of the turn was written; the same message can be sent again once the engines are back.
    """

    code = "engine_unavailable"


# The input checks every inpainter shares: the same typed errors whatever runs behind it.
def check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")


def check_mask(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    mask = np.asarray(mask)
    if mask.shape != image.shape[:2]:
        raise EngineError(f"mask shape {mask.shape} does not match image {image.shape[:2]}")
    mask = mask.astype(bool)
    if not mask.any():
        raise EngineError("the mask is empty: nothing to fill")
    if mask.all():
        raise EngineError("the mask covers the whole image: there is nothing to fill it from")
    return mask
