"""Does a turn through the Python API cost more late in a long session? 500 turns on one session.

One session per store (SQLite, and Redis on a throwaway ``redis-server`` as in
:mod:`evals.bench.store_growth`), a small scene (256²) and cheap turns (recolours of one shape,
alternating two colours). The figure is the median turn time over the ``window`` turns ending at the
last turn divided by the median over those ending at turn 10; the target is at most 1.2.

Run: ``python -m evals.bench.session_growth [--turns 500] [--window 10] [--side 256]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from graph import Editor
from state.redis_store import RedisSessionStore
from state.sqlite_store import SQLiteSessionStore
from tests.redis_server import start_redis_server

from .common import Figure, Table, scene

COLORS = ("blue", "red")


def turn_times(editor: Editor, turns: int, side: int) -> list[float]:
    """Seconds of each of ``turns`` recolour turns on one session (the upload turn not counted)."""
    session = editor.session()
    session.send("make the red circle red", image=scene(side))
    times = []
    for index in range(turns):
        started = time.perf_counter()
        result = session.send(f"make the circle {COLORS[index % 2]}")
        times.append(time.perf_counter() - started)
        if result.critique is None:
            raise RuntimeError(f"turn {index + 1} did not edit: {result.reply}")
    return times


def figure(store: str, times: list[float], window: int) -> Figure:
    early = statistics.median(times[max(0, 10 - window // 2):10 + window // 2])  # around turn 10, past warm-up
    late = statistics.median(times[-window:])
    return Figure("session_growth", f"{store}: turn {len(times)} / turn 10 time", late / early, 1.2,
                  note=f"{early * 1000:.0f} ms → {late * 1000:.0f} ms")


def run(turns: int, window: int, side: int) -> Table:
    table = Table()
    workdir = Path(tempfile.mkdtemp(prefix="retouch-session-growth-"))
    try:
        with Editor(store=SQLiteSessionStore(workdir / "growth.db")) as editor:
            table.add(figure("sqlite", turn_times(editor, turns, side), window))
            print(table.figures[-1].row(), flush=True)
        server = start_redis_server(workdir / "redis", appendfsync="everysec")
        try:
            store = RedisSessionStore.from_url(server.url, prefix=f"bench{uuid.uuid4().hex[:6]}")
            with Editor(store=store) as editor:
                table.add(figure("redis", turn_times(editor, turns, side), window))
                print(table.figures[-1].row(), flush=True)
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--side", type=int, default=256)
    args = parser.parse_args(argv)
    table = run(args.turns, args.window, args.side)
    print(table.render())
    return table


if __name__ == "__main__":
    main()
