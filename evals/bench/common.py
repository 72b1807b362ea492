"""Shared pieces of the benchmarks: a deterministic scene of shapes, timers, table printing."""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from engines.classical.colors import PALETTE
from engines.classical.insertion import draw_shape

# (noun, colour, centre x, centre y, side) as fractions of the image; the red circle is the
# usual edit target and covers about 10% of the image.
SHAPES: tuple[tuple[str, str, float, float, float], ...] = (
    ("circle", "red", 0.30, 0.35, 0.36),
    ("square", "blue", 0.72, 0.28, 0.22),
    ("triangle", "green", 0.70, 0.72, 0.24),
    ("star", "yellow", 0.25, 0.78, 0.20),
)


def scene(side: int, *, background: tuple[int, int, int] = (236, 232, 224)) -> np.ndarray:
    """A ``side``×``side`` image of four flat shapes on a soft vertical gradient."""
    ramp = np.linspace(0.0, 1.0, side, dtype=np.float32)[:, None, None]
    top = np.array(background, np.float32)
    image = np.broadcast_to(top - 18 * ramp, (side, side, 3)).astype(np.uint8).copy()
    for noun, color, cx, cy, size in SHAPES:
        half = size * side / 2
        box = (int(cx * side - half), int(cy * side - half), int(cx * side + half), int(cy * side + half))
        image, _ = draw_shape(image, noun, box, PALETTE[color])
    return image


def png_save_seconds(image: np.ndarray, repeat: int = 3) -> float:
    """Fastest of ``repeat`` ``PIL.Image.save(buffer, "PNG", compress_level=1)`` of ``image``: the yardstick
    the per-turn overhead is divided by (what a plain program pays just to write the result once)."""
    pil = Image.fromarray(image)

    def save() -> None:
        pil.save(io.BytesIO(), "PNG", compress_level=1)

    return fastest(save, repeat)


def fastest(function: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` timed calls, in seconds (the least disturbed by other load)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def timed(function: Callable[[], object], repeat: int) -> list[float]:
    """Seconds of each of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times


@dataclass
class Figure:
    """One figure of a benchmark: a measured value against its target (``None``: no target)."""

    bench: str
    name: str
    value: float
    target: float | None = None
    unit: str = ""
    lower_is_better: bool = True
    note: str = ""

    @property
    def ok(self) -> bool | None:
        if self.target is None:
            return None
        return self.value <= self.target if self.lower_is_better else self.value >= self.target

    def row(self) -> str:
        target = "" if self.target is None else f"{'≤' if self.lower_is_better else '≥'} {self.target:g}{self.unit}"
        verdict = {True: "ok", False: "OVER", None: ""}[self.ok]
        return f"{self.bench:14} {self.name:44} {self.value:>10.3g}{self.unit:<3} {target:>11} {verdict:>5}  {self.note}"


@dataclass
class Table:
    """The figures of one or more benchmarks, printed last."""

    figures: list[Figure] = field(default_factory=list)

    def add(self, *figures: Figure) -> None:
        self.figures.extend(figures)

    def render(self) -> str:
        header = f"{'benchmark':14} {'figure':44} {'value':>13} {'target':>11} {'':>5}"
        return "\n".join([header, "-" * len(header)] + [f.row() for f in self.figures])

    def markdown(self) -> str:
        lines = ["| benchmark | figure | value | target | |", "|---|---|---:|---:|---|"]
        for f in self.figures:
            target = "" if f.target is None else f"{'≤' if f.lower_is_better else '≥'} {f.target:g}{f.unit}"
            verdict = {True: "ok", False: "over", None: ""}[f.ok]
            lines.append(f"| {f.bench} | {f.name} | {f.value:.3g}{f.unit} | {target} | {verdict} |")
        return "\n".join(lines)


def median(values: list[float]) -> float:
    return statistics.median(values)
