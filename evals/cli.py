"""``python -m evals …`` / ``retouch eval …``: run splits, ablations, comparisons and the core check."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .harness import VARIANTS, RunConfig, run
from .language.cli import language
from .report import compare, compare_html, delta_class, write_report
from .summary import fmt, headline, summarize

app = typer.Typer(help="Retouch evaluation: synthetic multi-turn benchmark, ablations, reports.",
                  no_args_is_help=True, add_completion=False)
console = Console()

Split = Annotated[str, typer.Option("--split", help="dev | test | hard")]
Out = Annotated[Path | None, typer.Option("--out", help="run folder (default eval-runs/<split>)")]
Workers = Annotated[int, typer.Option("--workers", help="parallel dialogues (processes)")]
Limit = Annotated[int | None, typer.Option("--limit", help="only the first N dialogues")]
Seed = Annotated[int | None, typer.Option("--seed", help="draw the split from another seed")]
Resume = Annotated[bool, typer.Option("--resume/--fresh", help="continue a run folder or start it over")]


def _settings(pairs: list[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        try:
            settings[key] = json.loads(value)
        except json.JSONDecodeError:
            settings[key] = value
    return settings


def _print_summary(title: str, summary: dict[str, Any]) -> None:
    table = Table(title=title)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for label, value in headline(summary):
        table.add_row(label, fmt(value))
    console.print(table)
    ops = Table(title="per operation")
    ops.add_column("operation")
    ops.add_column("turns", justify="right")
    ops.add_column("success", justify="right")
    for op, row in {**summary["by_op"], **{f"[{k}]": v for k, v in summary["by_tag"].items()}}.items():
        ops.add_row(escape(op), str(row["n"]), fmt(row["success"]))
    console.print(ops)


@app.command("run")
def run_cmd(split: Split = "dev", out: Out = None, workers: Workers = 2, limit: Limit = None, seed: Seed = None,
            resume: Resume = True,
            setting: Annotated[list[str] | None, typer.Option("--set", help="Settings override KEY=VALUE")] = None,
            variant: Annotated[str, typer.Option(help=f"one of {', '.join(VARIANTS)}")] = "full") -> None:
    """Replay a split through the Python API, score it, and write report.html + figures.json."""
    folder = out or Path("eval-runs") / split
    start = time.perf_counter()
    records = run(RunConfig(split=split, out=folder, workers=workers, limit=limit, seed=seed, resume=resume,
                            variant=variant, settings=_settings(setting or [])))
    elapsed = time.perf_counter() - start
    summary = summarize(records)
    report = write_report(folder)
    _print_summary(f"{split} ({len(records)} dialogues, {summary['turns']} turns, {elapsed:.0f} s)", summary)
    console.print(f"report: {report}")


@app.command()
def ablate(split: Split = "dev", out: Out = None, workers: Workers = 2, limit: Limit = None, seed: Seed = None,
           resume: Resume = True) -> None:
    """Full system vs no critic loop vs no dialogue memory vs no constraint checking, as one table."""
    root = out or Path("eval-runs") / f"ablate-{split}"
    summaries = {}
    for variant in VARIANTS:
        records = run(RunConfig(split=split, out=root / variant, workers=workers, limit=limit, seed=seed,
                                resume=resume, variant=variant))
        write_report(root / variant)
        summaries[variant] = summarize(records)
    table = Table(title=f"ablations on {split}")
    table.add_column("figure")
    for variant in VARIANTS:
        table.add_column(variant, justify="right")
    rows = {v: dict(headline(s)) for v, s in summaries.items()}
    for label in rows["full"]:
        table.add_row(label, *(fmt(rows[v][label]) for v in VARIANTS))
    console.print(table)
    (root / "ablations.json").write_text(json.dumps(summaries, indent=2, default=str))


@app.command("compare")
def compare_cmd(a: Path, b: Path,
                html: Annotated[Path | None, typer.Option(help="also write an HTML comparison")] = None) -> None:
    """Headline figures of two run folders side by side, with B − A highlighted."""
    table = Table(title=f"{a} → {b}")
    for column in ("figure", "A", "B", "Δ"):
        table.add_column(column, justify="left" if column == "figure" else "right")
    for label, va, vb, delta in compare(a, b):
        style = {"pos": "green", "neg": "red"}.get(delta_class(label, delta), "")
        table.add_row(label, fmt(va), fmt(vb), f"[{style}]{fmt(delta)}[/]" if style else fmt(delta))
    console.print(table)
    if html:
        console.print(f"written {compare_html(a, b, html)}")


@app.command()
def report(run_dir: Path) -> None:
    """(Re)write report.html and figures.json for a run folder."""
    console.print(f"written {write_report(run_dir)}")


@app.command("core-check")
def core_check(out: Out = None, workers: Workers = 2, resume: Resume = True,
               limit: Annotated[int | None, typer.Option(help="fewer cases (smoke test)")] = None) -> None:
    """200 single-turn edits (remove/recolor/move/resize/add) on 3–8 shapes over plain, gradient and
    textured backgrounds, judged by re-grounding; and 50 five-turn dialogues, judged on every turn
    being right with no earlier edit undone."""
    root = out or Path("eval-runs") / "core-check"
    start = time.perf_counter()
    single = run(RunConfig(split="core-single", out=root / "single", workers=workers, resume=resume, limit=limit))
    dialogues = run(RunConfig(split="core-dialogue", out=root / "dialogue", workers=workers, resume=resume,
                              limit=None if limit is None else max(1, limit // 4)))
    elapsed = time.perf_counter() - start
    s1, s2 = summarize(single), summarize(dialogues)
    intact = [r for r in dialogues if r.all_success and all(t.drift_broken == 0 for t in r.turns)]
    figures = {
        "single_turn_right": s1["turn_success"], "single_turn_cases": len(single), "single_by_op": s1["by_op"],
        "dialogues_right": len(intact) / len(dialogues) if dialogues else None, "dialogue_cases": len(dialogues),
        "dialogue_turn_success": s2["turn_success"], "dialogue_drift": s2["drift"], "seconds": elapsed,
    }
    write_report(root / "single")
    write_report(root / "dialogue")
    (root / "core-check.json").write_text(json.dumps(figures, indent=2, default=str))
    console.print(f"single-turn edits right: {100 * (s1['turn_success'] or 0):.1f}% of {len(single)}")
    for op, row in s1["by_op"].items():
        console.print(f"  {op:8s} {100 * (row['success'] or 0):5.1f}% of {row['n']}")
    console.print(f"five-turn dialogues fully right, no earlier edit undone: "
                  f"{100 * (figures['dialogues_right'] or 0):.1f}% of {len(dialogues)}")
    console.print(f"({elapsed:.0f} s)")


@app.command("magicbrush")
def magicbrush_cmd(root: Path, limit: Limit = None,
                   clip: Annotated[str | None, typer.Option(help="local CLIP folder (CLIP-I, CLIP-T)")] = None,
                   dino: Annotated[str | None, typer.Option(help="local DINO folder")] = None) -> None:
    """MagicBrush-format data through Retouch: L1, L2 (+ CLIP-I, CLIP-T, DINO with local models)."""
    from .embeddings import EmbeddingScorer
    from .magicbrush import evaluate, load_magicbrush, retouch_editor

    figures = evaluate(load_magicbrush(root, limit), retouch_editor(), EmbeddingScorer(clip, dino))
    console.print_json(json.dumps(figures))


app.command("language")(language)


def main() -> None:
    app()
