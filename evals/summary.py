"""Run-level figures from dialogue records: the numbers the CLI prints and the report plots."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from statistics import mean, median
from typing import Any

from .metrics import collapse_at_k, critic_calibration, success_at_k
from .records import DialogueRecord, TurnRecord


def _mean(values: Sequence[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return float(mean(kept)) if kept else None


def _rate(turns: Sequence[TurnRecord]) -> dict[str, Any]:
    return {"n": len(turns), "success": _mean([float(t.success) for t in turns])}


def summarize(records: Sequence[DialogueRecord], max_k: int = 10) -> dict[str, Any]:
    """Every headline figure of a run, as plain JSON-able values."""
    turns = [t for r in records for t in r.turns]
    exact = [t for t in turns if t.exact]
    edits = [t for t in turns if t.op not in ("undo", "redo", "revert", "clarify")]
    longest = max((len(r.turns) for r in records), default=0)
    successes = [[t.success for t in r.turns] for r in records]
    collapses = [[t.collapsed for t in r.turns] for r in records]
    by_op: dict[str, list[TurnRecord]] = defaultdict(list)
    by_tag: dict[str, list[TurnRecord]] = defaultdict(list)
    by_background: dict[str, list[TurnRecord]] = defaultdict(list)
    for r in records:
        for t in r.turns:
            by_op[t.op].append(t)
            by_background[r.dialogue.scene.background.kind].append(t)
            for tag in t.tags:
                by_tag[tag].append(t)
    drift_by_turn: dict[int, list[float]] = defaultdict(list)
    for t in turns:
        if t.drift is not None:
            drift_by_turn[t.index].append(t.drift)
    calibration = critic_calibration([t.model_dump() for t in edits])
    times = [t.wall_ms for t in turns]
    return {
        "dialogues": len(records),
        "turns": len(turns),
        "turn_success": _mean([float(t.success) for t in turns]),
        "dialogue_success": _mean([float(r.all_success) for r in records]),
        "object_f1": _mean([t.f1 for t in turns]),
        "errors": sum(t.error is not None for t in turns),
        "sr_at_k": {k: success_at_k(successes, k) for k in range(1, min(longest, max_k) + 1)},
        "cr_at_k": {k: collapse_at_k(collapses, k) for k in range(1, min(longest, max_k) + 1)},
        "drift": _mean([t.drift for t in turns]),
        "drift_by_turn": {k: float(mean(v)) for k, v in sorted(drift_by_turn.items())},
        "l1": _mean([t.l1 for t in exact]), "l2": _mean([t.l2 for t in exact]),
        "psnr": _mean([t.psnr for t in exact]), "ssim": _mean([t.ssim for t in exact]),
        "preserve_l1": _mean([t.preserve_l1 for t in exact]),
        "preserve_frac": _mean([t.preserve_frac for t in exact]),
        "by_op": {op: _rate(ts) for op, ts in sorted(by_op.items())},
        "by_tag": {tag: _rate(ts) for tag, ts in sorted(by_tag.items())},
        "by_background": {kind: _rate(ts) for kind, ts in sorted(by_background.items())},
        "critic": {
            "accuracy": calibration.accuracy, "false_pass": calibration.false_pass,
            "false_fail": calibration.false_fail, "first_failed": calibration.first_failed,
            "fixed_by_loop": calibration.fixed_by_loop, "fix_rate": calibration.fix_rate,
        },
        "calibration_points": calibration.points,
        "rounds_per_turn": _mean([float(t.attempts) for t in edits if t.attempts]),
        "ms_per_turn": _mean(times), "ms_per_turn_p50": float(median(times)) if times else None,
        "ms_per_turn_p95": float(sorted(times)[int(0.95 * (len(times) - 1))]) if times else None,
    }


HEADLINE = [("turn_success", "turn success"), ("dialogue_success", "dialogue success"), ("object_f1", "object F1"),
            ("drift", "constraint drift"), ("psnr", "PSNR"), ("ssim", "SSIM"), ("preserve_frac", "preserved"),
            ("rounds_per_turn", "rounds/turn"), ("ms_per_turn", "ms/turn")]


def headline(summary: dict[str, Any]) -> list[tuple[str, float | None]]:
    """The figures one table row shows: headline values plus SR@k and CR@k at k = 1, 3, 5."""
    rows = [(label, summary.get(key)) for key, label in HEADLINE]
    for k in (1, 3, 5):
        rows.append((f"SR@{k}", summary["sr_at_k"].get(k)))
    for k in (3, 5):
        rows.append((f"CR@{k}", summary["cr_at_k"].get(k)))
    rows.append(("critic accuracy", summary["critic"]["accuracy"]))
    return rows


def fmt(value: float | None) -> str:
    if value is None:
        return "–"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"
