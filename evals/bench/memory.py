"""Peak memory of a long session at 2048²: 200 turns against 50, each in its own process.

Each child process opens an in-memory editor, uploads the benchmark scene at 2048² and sends
alternating recolours; it reports ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` (peak resident
set). Targets: under 1.5 GB, and the same for 200 turns as for 50 (ratio at most 1.2).

Run: ``python -m evals.bench.memory [--side 2048] [--turns 50 200]``
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from .common import Figure, Table

CHILD = """
import json, resource, sys
from evals.bench.common import scene
from graph import Editor
side, turns = int(sys.argv[1]), int(sys.argv[2])
with Editor(store="sqlite:///" + sys.argv[3]) as editor:
    session = editor.session()
    session.send("make the red circle red", image=scene(side))
    for index in range(turns):
        session.send("make the circle " + ("blue", "red")[index % 2])
print(json.dumps({"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def peak_mb(side: int, turns: int, workdir: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, str(side), str(turns), f"{workdir}/t{turns}.db"],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["maxrss_mb"]


def run(side: int, turns: list[int]) -> Table:
    import tempfile

    table = Table()
    with tempfile.TemporaryDirectory(prefix="retouch-memory-") as workdir:
        peaks = {n: peak_mb(side, n, workdir) for n in turns}
    for n, mb in peaks.items():
        print(f"{side}², {n} turns: peak RSS {mb:.0f} MB", flush=True)
        table.add(Figure("memory", f"peak RSS, {n} turns at {side}²", mb, 1536, " MB"))
    low, high = min(turns), max(turns)
    table.add(Figure("memory", f"peak RSS {high} turns / {low} turns", peaks[high] / peaks[low], 1.2))
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=2048)
    parser.add_argument("--turns", type=int, nargs=2, default=[50, 200])
    args = parser.parse_args(argv)
    table = run(args.side, args.turns)
    print(table.render())
    return table


if __name__ == "__main__":
    main()
