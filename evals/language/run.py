"""Running a parser over the corpus and summing up the figures.

The seam for other back-ends is :func:`evaluate`: it takes any object with ``parse(ParseRequest) ->
Intent``, so a model or hybrid parser is measured exactly like the offline grammar. Every line gets
the same request: the text over an open image with no entities, no history, no marked region.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from agents.types import ParseRequest
from state.errors import RetouchError
from state.models import Intent, Version

from .generate import CORPUS
from .models import CorpusLine
from .score import describe, score
from .templates import TASKS

# An image is open (without one the first message describes a picture to make), with no entities.
OPEN = Version(id="v0", image_ref="0" * 64, width=640, height=480, turn=0)
SAMPLE_SEED = 0


class Parser(Protocol):
    def parse(self, request: ParseRequest) -> Intent: ...


class LineResult(BaseModel):
    id: str
    task: str
    voice: str
    split: str
    text: str
    ops: bool
    target: bool
    params: bool
    error: str | None = None
    got: str = ""
    ms: float


def load(path: Path = CORPUS) -> list[CorpusLine]:
    return [CorpusLine.model_validate_json(row) for row in path.read_text(encoding="utf-8").splitlines() if row]


def select(lines: list[CorpusLine], split: Literal["dev", "test", "all"], limit: int | None = None) -> list[CorpusLine]:
    """The lines of a split; with a limit, a fixed sample of them (the same every run), in corpus order."""
    chosen = [line for line in lines if split == "all" or line.split == split]
    if limit is not None and limit < len(chosen):
        keep = set(random.Random(SAMPLE_SEED).sample(range(len(chosen)), limit))
        chosen = [line for i, line in enumerate(chosen) if i in keep]
    return chosen


def request_for(line: CorpusLine) -> ParseRequest:
    return ParseRequest(text=line.text, head=OPEN)


def parse_one(parser: Parser, line: CorpusLine, request: Callable[[CorpusLine], ParseRequest] = request_for
              ) -> LineResult:
    """One line: parse, score; an error is a wrong parse, named by its type."""
    start = time.perf_counter()
    try:
        intent = parser.parse(request(line))
    except RetouchError as err:
        ms = (time.perf_counter() - start) * 1000
        return LineResult(id=line.id, task=line.task, voice=line.voice, split=line.split, text=line.text, ops=False,
                          target=False, params=False, error=f"{type(err).__name__}: {err}", ms=ms)
    except Exception as err:  # a parser bug is a wrong answer here, named as a crash
        ms = (time.perf_counter() - start) * 1000
        return LineResult(id=line.id, task=line.task, voice=line.voice, split=line.split, text=line.text, ops=False,
                          target=False, params=False, error=f"crash {type(err).__name__}: {err}", ms=ms)
    ms = (time.perf_counter() - start) * 1000
    ops, target, params = score(line, intent)
    return LineResult(id=line.id, task=line.task, voice=line.voice, split=line.split, text=line.text, ops=ops,
                      target=target, params=params, got=describe(intent), ms=ms)


def evaluate(parser: Parser, lines: Iterable[CorpusLine],
             request: Callable[[CorpusLine], ParseRequest] = request_for) -> list[LineResult]:
    return [parse_one(parser, line, request) for line in lines]


def make_parser(backend: str) -> Parser:
    """The parser a back-end name stands for; only the offline grammar is wired here."""
    if backend == "offline":
        from agents.parsing import OfflineIntentParser

        return OfflineIntentParser()
    raise ValueError(f"unknown backend {backend!r}; choose 'offline'")


def _row(results: list[LineResult]) -> dict[str, Any]:
    n = len(results)
    row: dict[str, Any] = {"n": n}
    for level in ("ops", "target", "params"):
        right = sum(getattr(r, level) for r in results)
        row[level] = right
        row[f"{level}_pct"] = round(100 * right / n, 1) if n else None
    row["errors"] = sum(r.error is not None for r in results)
    return row


def summarize(results: list[LineResult]) -> dict[str, Any]:
    """Counts and percentages per task type, per voice and overall, and the median parse time."""
    by_task = {task: _row([r for r in results if r.task == task]) for task in TASKS
               if any(r.task == task for r in results)}
    voices = sorted({r.voice for r in results})
    by_voice = {voice: _row([r for r in results if r.voice == voice]) for voice in voices}
    return {"overall": _row(results), "by_task": by_task, "by_voice": by_voice,
            "median_ms": round(statistics.median(r.ms for r in results), 3) if results else None}
