"""``python -m evals language``: how much of the language corpus a parser understands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console()


def _table(title: str, rows: dict[str, dict[str, Any]], overall: dict[str, Any], first: str = "task") -> Table:
    table = Table(title=title)
    table.add_column(first)
    for column in ("n", "ops right", "target right", "params right", "errors"):
        table.add_column(column, justify="right")
    for name, row in [*rows.items(), ("overall", overall)]:
        cells = [f"{row[level]} ({row[f'{level}_pct']:.1f}%)" for level in ("ops", "target", "params")]
        table.add_row(escape(name), str(row["n"]), *cells, str(row["errors"]), end_section=name == list(rows)[-1])
    return table


def language(
    split: Annotated[str, typer.Option("--split", help="dev | test | all")] = "dev",
    limit: Annotated[int | None, typer.Option("--limit", help="a fixed sample of N lines")] = None,
    backend: Annotated[str, typer.Option("--backend", help="offline, llm, hybrid or llm,hybrid")] = "offline",
    json_path: Annotated[Path | None, typer.Option("--json", help="write the figures to this file")] = None,
    failures: Annotated[int, typer.Option("--failures", help="print N failing lines with what was parsed")] = 0,
    by_voice: Annotated[bool, typer.Option("--by-voice", help="also a table per voice")] = False,
    corpus: Annotated[Path | None, typer.Option("--corpus", help="another corpus file in the same line format "
                                                "(e.g. evals/language/probe.jsonl)")] = None,
) -> None:
    """Parse every corpus line of a split and print understanding per task type and overall:
    ops right, target right (and head noun), params right (and every parameter), and the median
    parse time. Tune the grammar on dev; test is for reporting only."""
    from .generate import CORPUS
    from .run import evaluate, load, make_parser, select, summarize
    from .score import expected_text

    corpus_path = corpus or CORPUS
    if not corpus_path.is_file():
        raise typer.BadParameter(f"no corpus file at {corpus_path}", param_hint="--corpus")

    if split not in ("dev", "test", "all"):
        raise typer.BadParameter("choose dev, test or all", param_hint="--split")
    chosen_split: Literal["dev", "test", "all"] = split  # type: ignore[assignment]
    if backend != "offline":  # model back-ends, measured next to the grammar on the same lines
        from .backends import report_cli

        try:
            report_cli(backend, select(load(corpus_path), chosen_split, limit), json_path, console)
        except ValueError as err:
            raise typer.BadParameter(str(err), param_hint="--backend") from err
        return
    try:
        parser = make_parser(backend)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--backend") from err
    lines = select(load(corpus_path), chosen_split, limit)
    results = evaluate(parser, lines)
    summary = summarize(results)
    console.print(_table(f"{corpus_path.name}, {split} split, {backend} parser ({len(results)} lines)",
                         summary["by_task"], summary["overall"]))
    if by_voice:
        console.print(_table("per voice", summary["by_voice"], summary["overall"], first="voice"))
    console.print(f"median parse time: {summary['median_ms']:.2f} ms per message")
    wrong = [r for r in results if not r.params]
    for r in wrong[:failures]:
        line = next(line for line in lines if line.id == r.id)
        level = "target" if r.ops and not r.target else "params" if r.target else "ops"
        console.print(f"[bold]{escape(r.id)}[/] ({level} wrong) {escape(r.text)!r}")
        console.print(f"    expected: {escape(expected_text(line))}")
        console.print(f"    got:      {escape(r.error or r.got)}")
    if json_path:
        figures = {"corpus": str(corpus_path), "split": split, "backend": backend, "limit": limit, **summary,
                   "failures": [r.model_dump() for r in wrong]}
        json_path.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
        console.print(f"written {json_path}")
