"""Run every benchmark and print one table of figures against their targets (``make bench``).

Run: ``python -m evals.bench [--quick] [--skip neural_cache ...] [--markdown docs/performance-table.md]``
``--quick`` uses fewer sizes, turns and repeats (a smoke run; the figures are noisier).
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

from . import engines, memory, session_growth, turn_overhead
from .common import Table

BENCHES = ("turn_overhead", "session_growth", "engines", "memory", "neural_cache", "photo_removal", "parsing")


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip", nargs="*", default=[], choices=BENCHES)
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    args = parser.parse_args(argv)
    quick = args.quick
    table = Table()
    wanted = [b for b in BENCHES if b not in args.skip]
    if "turn_overhead" in wanted:
        table.add(*turn_overhead.run([512, 1024] if quick else [512, 1024, 2048, 4096], 2 if quick else 3).figures)
    if "session_growth" in wanted:
        table.add(*session_growth.run(60 if quick else 500, 10, 256).figures)
    if "engines" in wanted:
        table.add(*engines.run(2 if quick else 5).figures)
    if "memory" in wanted:
        table.add(*memory.run(1024 if quick else 2048, [10, 40] if quick else [50, 200]).figures)
    if "photo_removal" in wanted:
        from . import photo_removal

        table.add(*photo_removal.run(2 if quick else 3, photo_removal.PHOTOS[:2] if quick else photo_removal.PHOTOS).figures)
    if "parsing" in wanted:
        from . import parsing

        table.add(*parsing.run(1 if quick else 3).figures)
    if "neural_cache" in wanted:
        if importlib.util.find_spec("torch") is None or importlib.util.find_spec("sam2") is None:
            print("neural_cache skipped: torch and sam2 are not installed (pip install -e '.[neural]')")
        else:
            from . import neural_cache

            table.add(*neural_cache.run().figures)
    print()
    print(table.render())
    if args.markdown:
        args.markdown.write_text(table.markdown() + "\n")
    return table


if __name__ == "__main__":
    main()
