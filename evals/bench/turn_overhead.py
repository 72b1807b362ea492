"""What a turn costs beyond its engine calls, in units of one PNG save of the result.

For each image size a session is opened on a scene of shapes (the upload turn is not timed), then
edit turns are timed through the Python API: alternately a recolour and a removal of the red circle
(each on a fresh session, so every timed turn does the same work). Overhead = the turn's wall time
minus ``trace.engine_ms`` (every engine call: grounding, the critic's re-grounding, segmentation,
the edit itself). The yardstick is one ``PIL.Image.save(buffer, "PNG", compress_level=1)`` of the
result at the same size, timed in the same run; the figure is overhead / PNG save (fastest of the
repeats of each, the runs least disturbed by other load).

Run: ``python -m evals.bench.turn_overhead [--sizes 512 1024 2048 4096] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time

from graph import Editor

from .common import Figure, Table, png_save_seconds, scene

TURNS = {"recolor": "make the red circle blue", "remove": "remove the red circle"}
TARGETS = {1024: 2.0, 4096: 1.5}


def measure(side: int, kind: str, repeat: int, editor: Editor) -> dict[str, float]:
    """Fastest wall time, its engine time and the PNG yardstick for ``repeat`` turns of ``kind``."""
    image = scene(side)
    best: tuple[float, float] | None = None
    for _ in range(repeat):
        session = editor.session()
        session.send("make the blue square blue", image=image)  # uploads and parses the scene (not timed)
        started = time.perf_counter()
        result = session.send(TURNS[kind])
        wall = time.perf_counter() - started
        if result.critique is None or not result.passed:
            raise RuntimeError(f"{kind} at {side}² did not pass: {result.reply}")
        engine = result.trace.engine_ms / 1000
        if best is None or wall - engine < best[0] - best[1]:
            best = (wall, engine)
    assert best is not None
    png = png_save_seconds(scene(side), repeat=max(3, repeat))
    wall, engine = best
    return {"wall_ms": wall * 1000, "engine_ms": engine * 1000, "overhead_ms": (wall - engine) * 1000,
            "png_ms": png * 1000, "ratio": (wall - engine) / png}


def run(sizes: list[int], repeat: int, kinds: list[str] | None = None) -> Table:
    table = Table()
    kinds = kinds or list(TURNS)
    with Editor(store="memory://") as editor:
        editor.session().send("make the blue square blue", image=scene(256))  # warm imports and caches
        for side in sizes:
            for kind in kinds:
                m = measure(side, kind, repeat, editor)
                print(f"{side:>5}² {kind:8} wall {m['wall_ms']:8.1f} ms  engines {m['engine_ms']:8.1f} ms  "
                      f"overhead {m['overhead_ms']:7.1f} ms  PNG save {m['png_ms']:6.1f} ms  ratio {m['ratio']:.2f}",
                      flush=True)
                table.add(Figure("turn_overhead", f"{kind} {side}²: overhead / PNG save", m["ratio"],
                                 TARGETS.get(side), note=f"overhead {m['overhead_ms']:.0f} ms, "
                                 f"engines {m['engine_ms']:.0f} ms, PNG {m['png_ms']:.0f} ms"))
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024, 2048, 4096])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    table = run(args.sizes, args.repeat)
    print(table.render())
    return table


if __name__ == "__main__":
    main()
