"""Parsing speed: median and p95 milliseconds per message of the offline parser over the whole
language corpus (evals/language, dev and test), against the grammar before open vocabulary.

Run: ``python -m evals.bench.parsing [--repeat 3]``. The target is the issue's: not slower than
twice the strict grammar's median, measured at 0.38 ms per message on this machine class
(commit a8b8988, the same corpus).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass, field

from agents.errors import RetouchError
from agents.parsing import OfflineIntentParser
from evals.language.run import load, request_for, select

from .common import Figure

STRICT_GRAMMAR_MEDIAN_MS = 0.38


@dataclass
class ParsingBench:
    figures: list[Figure] = field(default_factory=list)


def run(repeat: int = 3) -> ParsingBench:
    parser = OfflineIntentParser()
    lines = select(load(), "all")
    times: list[float] = []
    for _ in range(repeat):
        for line in lines:
            request = request_for(line)
            start = time.perf_counter()
            try:
                parser.parse(request)
            except RetouchError:
                pass  # a refusal costs what it costs
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    bench = ParsingBench([
        Figure("parsing", "median ms per message (corpus)", median, 2 * STRICT_GRAMMAR_MEDIAN_MS, "ms"),
        Figure("parsing", "p95 ms per message", p95, None, "ms"),
        Figure("parsing", "median vs strict grammar (×)", median / STRICT_GRAMMAR_MEDIAN_MS, 2.0, "×"),
    ])
    return bench


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    for figure in run(args.repeat).figures:
        print(figure.row())


if __name__ == "__main__":
    main()
