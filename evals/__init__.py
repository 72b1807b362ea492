"""Evaluation: the multi-turn harness, the synthetic benchmark, reports and benchmarks.

Public names: ``generate`` (synthetic dialogues with ground truth), ``RunConfig``/``run`` (replay
through the Python API), ``summarize`` (run figures), ``write_report`` (HTML + JSON), and the
Typer ``app`` behind ``python -m evals`` and ``retouch eval``. Submodules import lazily so that
``evals.bench`` stays cheap to import.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "generate": "evals.synthetic", "make_dialogue": "evals.synthetic", "RunConfig": "evals.harness",
    "run": "evals.harness", "load_records": "evals.harness", "summarize": "evals.summary",
    "write_report": "evals.report", "app": "evals.cli",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'evals' has no attribute {name!r}")
