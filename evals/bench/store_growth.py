"""Does a turn cost more when the session is long? Commit 500 turns to one session per store.

For SQLite and Redis (a throwaway ``redis-server`` started here, AOF with ``appendfsync everysec``
as a production server would run), each turn is committed and the session loaded again as the
graph does; the benchmark prints the median time of commit + load and the bytes each commit
writes, early (around turn 10) and late (around the last turn), and their ratio. A store that
rewrote the history per turn would show a ratio far above 1; the target is at most 1.2.

Bytes written per commit: SQLite, the bytes the process hands to ``write()`` during the commit
(``wchar`` in /proc/self/io; the WAL frames) and the growth of the database (its page count: the
WAL file is reused after each checkpoint, so its size says little); Redis,
the bytes the server receives for the commit (``total_net_input_bytes``) and the growth of its AOF.

Run: ``python -m evals.bench.store_growth [--turns 500] [--window 10] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from state.redis_store import RedisSessionStore
from state.sqlite_store import SQLiteSessionStore
from state.store import SessionStore
from tests.redis_server import start_redis_server
from tests.store_payloads import make_turn, make_version, new_session


@dataclass
class Growth:
    """Per-turn measurements of one store; index i is turn i + 1."""

    store: str
    seconds: list[float] = field(default_factory=list)
    bytes_written: dict[str, list[float]] = field(default_factory=dict)

    def window(self, values: list, turn: int, width: int, average=statistics.median) -> float:
        """``average`` of ``values`` over the ``width`` turns ending at ``turn`` (1-based)."""
        return average(values[max(turn - width, 0) : turn])


def _wchar() -> int:
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


def _size(paths: list[Path]) -> int:
    return sum(p.stat().st_size for p in paths if p.exists())


def run(store: SessionStore, name: str, turns: int, probes: dict[str, Callable[[], int]], repeat: int) -> Growth:
    """``repeat`` sessions of ``turns`` turns each; per turn, the median time and mean bytes over them."""
    runs = [run_once(store, name, turns, probes) for _ in range(repeat)]
    return Growth(
        store=name,
        seconds=[statistics.median(values) for values in zip(*(r.seconds for r in runs), strict=True)],
        bytes_written={
            key: [statistics.mean(v) for v in zip(*(r.bytes_written[key] for r in runs), strict=True)]
            for key in probes
        },
    )


def run_once(store: SessionStore, name: str, turns: int, probes: dict[str, Callable[[], int]]) -> Growth:
    """Commit ``turns`` edit turns; time commit + load and read every byte probe around each commit."""
    growth = Growth(store=name, bytes_written={key: [] for key in probes})
    meta, _ = new_session(store, title="growth")
    for index in range(1, turns + 1):
        version = make_version(store.images, index, parent=meta.head)  # images are stored before the clock starts
        turn = make_turn(index, meta.head, version.id)
        updated = meta.model_copy(update={"head": version.id, "turn_count": index})
        before = {key: probe() for key, probe in probes.items()}
        started = time.perf_counter()
        meta = store.commit(updated, meta.revision, turn, [version])
        committed = time.perf_counter()
        after = {key: probe() for key, probe in probes.items()}
        snapshot = store.load(meta.id)
        growth.seconds.append(committed - started + time.perf_counter() - committed)
        assert snapshot.meta.revision == index and len(snapshot.recent_turns) == min(index, 6)
        for key in probes:
            growth.bytes_written[key].append(after[key] - before[key])
    return growth


def report(results: list[Growth], turns: int, width: int, repeat: int) -> str:
    early = min(10 + width // 2, turns)
    lines = [
        f"{turns} commits on one session, {repeat} sessions per store; per turn, time is the median and bytes the "
        f"mean over the sessions, then over the {width} turns ending at turn {early} (early) and {turns} (late)",
        f"{'store':8} {'measure':34} {'early':>10} {'late':>10} {'late/early':>10}",
    ]

    def row(store: str, measure: str, first: float, last: float, unit: str) -> str:
        ratio = f"{last / first:.2f}" if first else "n/a"
        return f"{store:8} {measure:34} {first:>8.{2 if unit == 'ms' else 0}f}{unit:>2} {last:>8.{2 if unit == 'ms' else 0}f}{unit:>2} {ratio:>10}"

    for growth in results:
        ms = [s * 1000 for s in growth.seconds]
        lines.append(row(growth.store, "commit + load time", growth.window(ms, early, width),
                         growth.window(ms, turns, width), "ms"))
        for key, values in growth.bytes_written.items():
            # bytes are lumpy (pages, allocations): a mean says more than a median
            lines.append(row(growth.store, key, growth.window(values, early, width, statistics.mean),
                             growth.window(values, turns, width, statistics.mean), " B"))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Growth]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--window", type=int, default=10, help="turns per median")
    parser.add_argument("--repeat", type=int, default=3, help="sessions per store (damps timing noise)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="retouch-growth-"))
    results: list[Growth] = []
    try:
        db = workdir / "growth.db"
        sqlite = SQLiteSessionStore(db)
        connection = sqlite._connect()

        def database_bytes() -> int:  # the logical size, WAL included (the WAL file itself is reused)
            pages = connection.execute("PRAGMA page_count").fetchone()[0]
            return pages * connection.execute("PRAGMA page_size").fetchone()[0]

        results.append(run(sqlite, "sqlite", args.turns, {
            "bytes written by the commit (write())": _wchar,
            "database size growth (page_count)": database_bytes,
        }, args.repeat))
        sqlite.close()

        server = start_redis_server(workdir / "redis", appendfsync="everysec")
        try:
            redis_store = RedisSessionStore.from_url(server.url, prefix=f"bench{uuid.uuid4().hex[:6]}")
            client = redis_store.client
            aof = server.directory
            results.append(run(redis_store, "redis", args.turns, {
                "bytes received for the commit": lambda: int(client.info("stats")["total_net_input_bytes"]),
                "AOF growth": lambda: _size([p for p in aof.rglob("*.aof*")]),
            }, args.repeat))
            redis_store.close()
        finally:
            server.stop()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(report(results, args.turns, args.window, args.repeat))
    return results


if __name__ == "__main__":
    main()
