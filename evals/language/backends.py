"""The language corpus through the model back-ends, next to the grammar on the same lines.

``python -m evals language --backend llm`` (or ``hybrid``, or ``llm,hybrid``) parses the chosen
lines with the offline grammar and with each model back-end, and prints per task type how many
each understood, and for the model's share of the work how often its first reply was unusable
(it broke the schema or the vocabulary), how often the one repair round fixed that, how many
messages ended in ModelOutputError, and the model's median latency and tokens per message.

The endpoint is ``--base-url`` / ``RETOUCH_LLM_BASE_URL``, else the server ``make local-llm``
left running; a CPU model is slow, so use ``--limit`` for a fixed sample.
"""

from __future__ import annotations

import os
import statistics
from typing import Any

from pydantic import BaseModel

from .models import CorpusLine
from .run import LineResult, parse_one
from .templates import TASKS

BACKENDS = ("offline", "llm", "hybrid")


class ModelLine(BaseModel):
    """One line's parse with the model calls it made."""

    result: LineResult
    asked: bool = False
    first_invalid: bool = False
    repaired: bool = False
    output_error: bool = False
    model_ms: float = 0.0
    tokens: int = 0


def endpoint(base_url: str | None, model: str | None) -> tuple[str, str]:
    """The base URL and model name to use: given, from the environment, or the local server."""
    base_url = base_url or os.environ.get("RETOUCH_LLM_BASE_URL")
    model = model or os.environ.get("RETOUCH_LLM_MODEL")
    if base_url is None:
        from evals.local_llm import running

        state = running()
        if state is None:
            raise ValueError("no model endpoint: pass --base-url, set RETOUCH_LLM_BASE_URL, or run `make local-llm`")
        base_url, model = state.base_url, model or state.model
    return base_url, model or "gpt-4o-mini"


def make_parser(backend: str, base_url: str | None = None, model: str | None = None, timeout_s: float = 120.0):
    if backend == "offline":
        from agents.parsing import OfflineIntentParser

        return OfflineIntentParser()
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; choose {', '.join(BACKENDS)}")
    from agents import build_parser
    from agents.llm import LLMClient

    url, name = endpoint(base_url, model)
    client = LLMClient(base_url=url, api_key=os.environ.get("RETOUCH_LLM_API_KEY"), model=name, timeout=timeout_s)
    return build_parser(backend, client)


def run_lines(parser: Any, lines: list[CorpusLine]) -> list[ModelLine]:
    out = []
    for line in lines:
        result = parse_one(parser, line)
        calls = [c for c in getattr(parser, "last_calls", []) if c.purpose == "parse"]
        attempts = [c for c in calls if c.error not in ("timeout", "connection") and not c.error.startswith("HTTP")]
        first = next((c for c in attempts if c.attempt == 1), None)
        second = next((c for c in attempts if c.attempt == 2), None)
        out.append(ModelLine(
            result=result, asked=bool(calls), first_invalid=first is not None and not first.ok,
            repaired=second is not None and second.ok,
            output_error=bool(result.error and result.error.startswith("ModelOutputError")) or (
                second is not None and not second.ok),
            model_ms=sum(c.latency_ms for c in calls),
            tokens=sum((c.prompt_tokens or 0) + (c.completion_tokens or 0) for c in calls)))
    return out


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures(rows: list[ModelLine]) -> dict[str, Any]:
    n = len(rows)
    asked = [r for r in rows if r.asked]
    invalid = [r for r in asked if r.first_invalid]
    return {
        "n": n,
        "ops_pct": _pct(sum(r.result.ops for r in rows), n),
        "target_pct": _pct(sum(r.result.target for r in rows), n),
        "params_pct": _pct(sum(r.result.params for r in rows), n),
        "crashes": sum(bool(r.result.error and r.result.error.startswith("crash")) for r in rows),
        "asked": len(asked),
        "invalid_first_pct": _pct(len(invalid), len(asked)),
        "repaired_pct": _pct(sum(r.repaired for r in invalid), len(invalid)),
        "output_errors": sum(r.output_error for r in asked),
        "median_model_ms": round(statistics.median(r.model_ms for r in asked), 1) if asked else None,
        "median_tokens": statistics.median(r.tokens for r in asked) if asked else None,
        "median_ms": round(statistics.median(r.result.ms for r in rows), 2) if rows else None,
    }


def compare(backends: list[str], lines: list[CorpusLine], *, base_url: str | None = None, model: str | None = None,
            timeout_s: float = 120.0) -> dict[str, Any]:
    """Per back-end (offline always first), figures per task type and overall, from the same lines."""
    wanted = ["offline", *[b for b in backends if b != "offline"]]
    report: dict[str, Any] = {"lines": len(lines), "backends": {}}
    for backend in wanted:
        rows = run_lines(make_parser(backend, base_url, model, timeout_s), lines)
        by_task = {task: figures([r for r in rows if r.result.task == task]) for task in TASKS
                   if any(r.result.task == task for r in rows)}
        report["backends"][backend] = {"overall": figures(rows), "by_task": by_task,
                                       "lines": [r.model_dump() for r in rows]}
    return report


def table_markdown(report: dict[str, Any]) -> str:
    """The comparison as a Markdown table (for the README): understanding per task and back-end,
    then the model figures per back-end."""
    backends = list(report["backends"])
    tasks = list(next(iter(report["backends"].values()))["by_task"])
    head = "| task | n | " + " | ".join(f"{b} ops / params" for b in backends) + " |"
    lines = [head, "|" + "---|" * (2 + len(backends))]
    for task in [*tasks, "overall"]:
        cells = []
        for backend in backends:
            data = report["backends"][backend]
            row = data["overall"] if task == "overall" else data["by_task"][task]
            cells.append(f"{row['ops_pct']:.0f} % / {row['params_pct']:.0f} %")
        n = report["backends"][backends[0]]["overall" if task == "overall" else "by_task"]
        count = n["n"] if task == "overall" else n[task]["n"]
        label = f"**{task}**" if task == "overall" else task
        lines.append(f"| {label} | {count} | " + " | ".join(cells) + " |")
    lines += ["", "| back-end | messages to the model | first reply unusable | repaired | ModelOutputError | "
                  "crashes | median model latency | median tokens per message |",
              "|---|---|---|---|---|---|---|---|"]
    for backend in backends:
        row = report["backends"][backend]["overall"]
        if not row["asked"]:
            lines.append(f"| {backend} | 0 | – | – | – | {row['crashes']} | {row['median_ms']} ms (grammar) | – |")
            continue
        lines.append(
            f"| {backend} | {row['asked']} | {row['invalid_first_pct']} % | {row['repaired_pct'] or 0} % | "
            f"{row['output_errors']} | {row['crashes']} | {row['median_model_ms']:.0f} ms | {row['median_tokens']:.0f} |")
    return "\n".join(lines)





def report_cli(backends: str, lines: list[CorpusLine], json_path: Any, console: Any) -> None:
    """What ``python -m evals language --backend llm|hybrid|llm,hybrid`` prints."""
    import json

    wanted = [b.strip() for b in backends.split(",") if b.strip()]
    unknown = [b for b in wanted if b not in BACKENDS]
    if unknown:
        raise ValueError(f"unknown backend {unknown[0]!r}; choose {', '.join(BACKENDS)} (or a comma list)")
    url, model = endpoint(None, None)
    console.print(f"{len(lines)} lines; model {model} at {url}", highlight=False)
    report = compare(wanted, lines)
    console.print(table_markdown(report), highlight=False, markup=False)
    if json_path:
        json_path.write_text(json.dumps(report, indent=1, ensure_ascii=False), encoding="utf-8")
        console.print(f"written {json_path}")
__all__ = ["BACKENDS", "ModelLine", "compare", "endpoint", "figures", "make_parser", "report_cli", "run_lines", "table_markdown"]
