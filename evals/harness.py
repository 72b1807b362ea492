"""Replays benchmark dialogues through the Python API and scores every turn.

One session per dialogue; dialogues run in a process pool (each worker keeps one ``Editor``), and
each finished dialogue is appended as one JSON line to ``<run>/results.jsonl``, so a killed run
resumes where it stopped (``resume=True`` skips dialogues already recorded). Dialogues are drawn
from their seeds inside the workers, so generation is parallel too and any prefix is stable.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .metrics import (
    changed,
    collapsed,
    constraint_holds,
    constraint_in_truth,
    match_objects,
    pixel_metrics,
    preservation,
)
from .models import Dialogue, GTState
from .records import DialogueRecord, TurnRecord
from .scenes import render, render_background
from .synthetic import generate, make_dialogue, split_config

RESULTS = "results.jsonl"
VARIANTS: dict[str, dict[str, Any]] = {
    "full": {},
    "no_critic_loop": {"max_rounds": 1},
    "no_memory": {"memory": False},
    "no_constraints": {"check_constraints": False},
}


@dataclass
class RunConfig:
    """What to run: a split (or explicit dialogues) under one settings variant."""

    split: str = "dev"
    out: Path = Path("eval-runs/dev")
    workers: int = 2
    limit: int | None = None
    seed: int | None = None
    resume: bool = True
    variant: str = "full"
    settings: dict[str, Any] = field(default_factory=dict)
    save_images: bool = True

    def overrides(self) -> dict[str, Any]:
        return {"store": "memory://", **VARIANTS.get(self.variant, {}), **self.settings}


# ------------------------------------------------------------------------------------- worker side

_EDITORS: dict[str, Any] = {}


def _editor(overrides: dict[str, Any]):
    key = json.dumps(overrides, sort_keys=True, default=str)
    if key not in _EDITORS:
        from graph import Editor, Settings

        _EDITORS[key] = Editor(Settings.load(**overrides))
    return _EDITORS[key]


def _array(image: Image.Image | None) -> np.ndarray | None:
    return None if image is None else np.asarray(image.convert("RGB"))


def _save(image: np.ndarray, path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(path, compress_level=1)
    return str(path)


def _critic_fields(result) -> dict[str, Any]:
    if result is None:
        return {}
    attempts = list(result.trace.attempts) if result.trace else []
    first = attempts[0].critique if attempts else None
    return {
        "critic_score": result.critique.score if result.critique else None,
        "critic_passed": result.critique.passed if result.critique else None,
        "attempts": len(attempts),
        "first_attempt_passed": first.passed if first else None,
        "total_ms": float(result.trace.total_ms) if result.trace else 0.0,
        "engine_ms": float(result.trace.engine_ms) if result.trace else 0.0,
    }


def _fact_key(c) -> tuple:
    return (c.set_by_turn, c.object_id, c.kind)


def score_turn(dialogue: Dialogue, turn_index: int, output: np.ndarray, before: np.ndarray,
               background: list, *, needs_answer: bool = False, achieved: set | None = None) -> dict[str, Any]:
    """Every figure for one turn's output (``before`` is the previous output, for text checks).

    Drift counts only facts that held when their turn ended (``achieved``, updated here): a fact
    never achieved is that turn's failure, not drift.
    """
    from engines.classical.scene import parse_scene

    scene = dialogue.scene
    turn = dialogue.turns[turn_index - 1]
    state: GTState = turn.state
    gray = "grayscale" in state.effects
    detections = parse_scene(output)
    match = match_objects(detections, state.objects, scene.width, scene.height, free_boxes=state.free_boxes,
                          background=background, grayscale=gray)
    figures: dict[str, Any] = {
        "objects_ok": match.success, "precision": match.precision, "recall": match.recall, "f1": match.f1,
        "missing": match.missing, "extra": [detections[j].label for j in match.extra], "exact": state.exact,
    }
    ok = match.success
    if turn.must_change is not None:
        ok = ok and changed(output, before, turn.must_change)
    ok = ok and (needs_answer == turn.expect_clarify)
    figures["success"] = bool(ok)
    ssim = None
    if state.exact:
        target = render(scene, state)
        figures.update(pixel_metrics(output, target))
        figures.update(preservation(output, target, turn.edited_boxes))
        ssim = figures["ssim"]
    achieved = set() if achieved is None else achieved
    earlier = [c for t in dialogue.turns[: turn_index - 1] for c in t.constraints if _fact_key(c) in achieved]
    for c in turn.constraints:
        if constraint_holds(c, detections, scene.width, scene.height, grayscale=gray):
            achieved.add(_fact_key(c))
    live = [c for c in earlier if constraint_in_truth(c, state.objects)]
    broken = [c for c in live if not constraint_holds(c, detections, scene.width, scene.height, grayscale=gray)]
    figures.update(drift_live=len(live), drift_broken=len(broken), collapsed=collapsed(match.f1, ssim))
    return figures


def run_dialogue(dialogue: Dialogue, overrides: dict[str, Any], image_dir: Path | None,
                 variant: str = "full") -> DialogueRecord:
    """Play one dialogue in a fresh session and score each turn."""
    from engines.classical.scene import parse_scene

    start = time.perf_counter()
    editor = _editor(overrides)
    session = editor.session()
    scene = dialogue.scene
    current = render(scene)
    background = parse_scene(render_background(scene.background, scene.width, scene.height))
    folder = image_dir / dialogue.id if image_dir else None
    record = DialogueRecord(id=dialogue.id, split=dialogue.split, variant=variant, dialogue=dialogue, turns=[],
                            input_image=_save(current, folder / "input.png") if folder else None)
    uploaded = False
    achieved: set = set()
    for turn in dialogue.turns:
        t0 = time.perf_counter()
        result, error = None, None
        try:
            # The image goes with the first message; a failed turn stores nothing, so until one
            # succeeds the image is sent again, as a user would.
            result = session.send(turn.message, image=None if uploaded else Image.fromarray(current))
            uploaded = True
        except Exception as exc:  # a typed product error is a failed turn, not a failed run
            error = f"{type(exc).__name__}: {exc}"
        wall = (time.perf_counter() - t0) * 1000
        output = _array(result.image) if result is not None else None
        if output is None:
            head = session.image if uploaded else None
            output = _array(head) if head is not None else current
        if output.shape != current.shape:
            output = np.asarray(Image.fromarray(output).resize((scene.width, scene.height)))
        figures = score_turn(dialogue, turn.index, output, current, background,
                             needs_answer=bool(result and result.needs_answer), achieved=achieved)
        if error:
            figures["success"] = False
        rec = TurnRecord(index=turn.index, op=turn.op, tags=turn.tags, message=turn.message,
                         reply=result.reply if result else "", kind=str(result.kind) if result else "error",
                         error=error, expect_clarify=turn.expect_clarify,
                         needs_answer=bool(result and result.needs_answer), wall_ms=wall,
                         **_critic_fields(result), **figures)
        if folder:
            rec.output_image = _save(output, folder / f"t{turn.index}.png")
            rec.target_image = _save(render(scene, turn.state), folder / f"gt{turn.index}.png")
        record.turns.append(rec)
        current = output
    try:
        editor.delete_session(session.id)
    except Exception:  # deleting is housekeeping; the record is what matters
        pass
    record.wall_ms = (time.perf_counter() - start) * 1000
    return record


def _job(split: str, index: int, seed: int | None, overrides: dict[str, Any], image_dir: str | None,
         variant: str) -> str:
    dialogue = make_dialogue(split, index, split_config(split), seed=seed)
    record = run_dialogue(dialogue, overrides, Path(image_dir) if image_dir else None, variant)
    return record.model_dump_json()


# ------------------------------------------------------------------------------------ driver side


def load_records(path: Path) -> list[DialogueRecord]:
    """Records of a run folder (or a results.jsonl); a torn last line from a killed run is dropped."""
    file = path / RESULTS if path.is_dir() else path
    if not file.exists():
        return []
    records, good = [], []
    for line in file.read_text().splitlines():
        if not line.strip():
            continue
        try:
            records.append(DialogueRecord.model_validate_json(line))
            good.append(line)
        except ValueError:
            continue
    if len(good) != sum(1 for line in file.read_text().splitlines() if line.strip()):
        file.write_text("".join(g + "\n" for g in good))
    return records


def source_fingerprint() -> str:
    """A hash of the product's code and prompts: results written by other code are not resumed."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("agents", "engines", "graph", "state", "prompts", "evals"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".txt", ".md", ".jinja", ".json"):
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _previous_meta(out: Path) -> dict | None:
    try:
        return json.loads((out / "run.json").read_text())
    except (OSError, ValueError):
        return None


def run(config: RunConfig, *, progress: bool = True,
        on_record: Callable[[DialogueRecord], None] | None = None) -> list[DialogueRecord]:
    """Run (or resume) a split; returns every record of the run folder, in dialogue order."""
    out = Path(config.out)
    out.mkdir(parents=True, exist_ok=True)
    split = split_config(config.split)
    total = split.count if config.limit is None else min(config.limit, split.count)
    meta = {"split": config.split, "seed": config.seed, "variant": config.variant,
            "settings": config.overrides(), "count": total, "source": source_fingerprint()}
    previous = _previous_meta(out)
    stale = previous is not None and {k: v for k, v in previous.items() if k != "count"} != \
        json.loads(json.dumps({k: v for k, v in meta.items() if k != "count"}, default=str))
    if stale and config.resume and (out / RESULTS).exists() and progress:
        print(f"{out}: the code or the settings changed since these results were written; starting over")
    if (not config.resume or stale) and (out / RESULTS).exists():
        (out / RESULTS).unlink()
    (out / "run.json").write_text(json.dumps(meta, indent=2, default=str))
    done = {r.id for r in load_records(out)}
    todo = [i for i in range(total) if f"{config.split}-{i:04d}" not in done]
    image_dir = str(out / "images") if config.save_images else None
    args = [(config.split, i, config.seed, config.overrides(), image_dir, config.variant) for i in todo]
    with open(out / RESULTS, "a") as sink, _Progress(progress, len(args), f"{config.split}/{config.variant}") as bar:
        def keep(line: str) -> None:
            sink.write(line + "\n")
            sink.flush()
            os.fsync(sink.fileno())
            if on_record:
                on_record(DialogueRecord.model_validate_json(line))
            bar.advance()

        if config.workers <= 1:
            for a in args:
                keep(_job(*a))
        else:
            with ProcessPoolExecutor(config.workers, mp_context=get_context("spawn")) as pool:
                futures = [pool.submit(_job, *a) for a in args]
                for future in as_completed(futures):
                    keep(future.result())
    records = load_records(out)
    order = {f"{config.split}-{i:04d}": i for i in range(total)}
    return sorted((r for r in records if r.id in order), key=lambda r: order[r.id])


def run_dialogues(dialogues: Iterable[Dialogue], overrides: dict[str, Any] | None = None,
                  image_dir: Path | None = None) -> list[DialogueRecord]:
    """In-process replay of explicit dialogues (tests, notebooks)."""
    merged = {"store": "memory://", **(overrides or {})}
    return [run_dialogue(d, merged, image_dir) for d in dialogues]


class _Progress:
    """A rich progress bar, or nothing."""

    def __init__(self, enabled: bool, total: int, label: str) -> None:
        self.enabled, self.total, self.label = enabled, total, label

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self.progress = Progress("[bold]{task.description}", BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TimeRemainingColumn())
            self.progress.__enter__()
            self.task = self.progress.add_task(self.label, total=self.total)
        return self

    def advance(self) -> None:
        if self.enabled:
            self.progress.advance(self.task)

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.progress.__exit__(*exc)


__all__ = ["RunConfig", "VARIANTS", "generate", "load_records", "run", "run_dialogue", "run_dialogues", "score_turn"]
