"""Scale: clients x turns through 1 and 2 API worker processes over one Redis, with the engines in
each process or served by Ray with 1 and 2 replicas of the engine the turns spend their time in.

``python -m evals.bench.scale [--clients 4 --turns 3 --side 768] [--engine diffusion]``. Every figure
is measured in the same run against the single-process set-up (one worker, engines in process), on a
two-node Ray cluster on loopback (tests/ray_cluster.py). ``--engine imaging``: cartoon and denoise
filters over the whole image, served by the ``imaging`` deployment, whose replicas are the ones
scaled. ``--engine diffusion``: removals by a random-weight Stable-Diffusion inpainter of ``--width``
UNet channels (the real loading and inference path; meaningless pixels) in every worker, or served
by the scaled ``inpainter`` replicas: turns whose time is the model's.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from .common import scene

MESSAGES = ("make it cartoon", "denoise it", "make it cartoon", "denoise it")


def _worker(engines: str, store: str, clients: int, turns: int, side: int, queue: Any,
            messages: tuple[str, ...] = MESSAGES, settings: dict[str, Any] | None = None) -> None:
    """One API worker: an Editor over the shared Redis, ``clients`` sessions sent turns concurrently."""
    if engines == "neural":  # this machine's torchvision needs the test environment's shim
        from tests.neural_models import install_torchvision_cpu_shim

        install_torchvision_cpu_shim()
    from graph import Editor

    latencies: list[float] = []
    errors: list[str] = []
    with Editor(store=store, engines=engines, **(settings or {})) as editor:
        image = scene(side)
        editor.session().send(messages[0], image=image)  # warm: engines built (models loaded), caches filled
        lock = threading.Lock()

        def client() -> None:
            session = editor.session()
            for index in range(turns):
                started = time.perf_counter()
                try:
                    session.send(messages[index % len(messages)], image=image if index == 0 else None)
                except Exception as exc:  # reported, not raised: a benchmark counts failures
                    errors.append(f"{type(exc).__name__}: {exc}")
                with lock:
                    latencies.append(time.perf_counter() - started)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    queue.put({"latencies": latencies, "wall": wall, "errors": errors, "rss_mb": peak_rss_mb()})


def peak_rss_mb(pid: int | str = "self") -> float:
    """Peak RSS (VmHWM) of a process. Not ``ru_maxrss``: that survives exec, so a spawned worker would
    report its parent's peak at the fork."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: the best there is


def run_setup(engines: str, store: str, workers: int, clients: int, turns: int, side: int,
              messages: tuple[str, ...] = MESSAGES, settings: dict[str, Any] | None = None) -> dict[str, Any]:
    context = mp.get_context("spawn")
    queue = context.Queue()
    processes = [context.Process(target=_worker, args=(engines, store, clients, turns, side, queue, messages, settings))
                 for _ in range(workers)]
    for process in processes:
        process.start()
    results = [queue.get(timeout=900) for _ in processes]
    for process in processes:
        process.join(timeout=60)
    latencies = sorted(v for r in results for v in r["latencies"])
    wall = max(r["wall"] for r in results)
    return {"turns": len(latencies), "throughput": len(latencies) / wall,
            "p50": float(np.percentile(latencies, 50)), "p95": float(np.percentile(latencies, 95)),
            "rss_mb": [round(r["rss_mb"]) for r in results], "errors": sum(len(r["errors"]) for r in results),
            "first_error": next((e for r in results for e in r["errors"]), "")}


# What a turn spends its time in, per --engine: the messages, the deployment whose replicas are
# scaled, and the worker settings. "diffusion" is a random-weight SD inpainter of --width channels.
REMOVALS = ("remove the red circle", "remove the blue square", "remove the green triangle", "remove the yellow star")


def build_model(width: int) -> Path:
    from tests.neural_models import build_tiny_sd_inpaint, install_torchvision_cpu_shim

    install_torchvision_cpu_shim()
    return build_tiny_sd_inpaint(Path(tempfile.mkdtemp(prefix="retouch-scale-sd-")) / "sd-inpaint", width=width)


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=4, help="concurrent sessions per worker")
    parser.add_argument("--turns", type=int, default=3, help="turns per session")
    parser.add_argument("--side", type=int, default=768, help="image side in pixels")
    parser.add_argument("--replicas", default="1,2", help="engine replica counts to measure")
    parser.add_argument("--engine", choices=("imaging", "diffusion"), default="imaging",
                        help="imaging: cartoon/denoise filters; diffusion: removals by a diffusion inpainter")
    parser.add_argument("--width", type=int, default=128, help="UNet channels of the diffusion model")
    parser.add_argument("--steps", type=int, default=4, help="denoising steps of the diffusion model")
    parser.add_argument("--skip-local", action="store_true", help="leave out the in-process set-ups")
    args = parser.parse_args(argv)

    from tests.ray_cluster import engine_config, start_cluster, stop_cluster  # noqa: I001  (first: loopback only)
    from tests.redis_server import RedisServer, find_redis_server

    from engines.served.config import DeploymentConfig
    from engines.served.deploy import deploy

    messages, settings, local, scaled, options = MESSAGES, None, "classical", "imaging", {}
    if args.engine == "diffusion":
        model = build_model(args.width)
        options = {"role": "inpainter", "name": "neural", "model": str(model), "device": "cpu", "steps": args.steps}
        messages, local, scaled = REMOVALS, "neural", "inpainter"
        settings = {"inpaint_model": str(model), "device": "cpu", "diffusion_steps": args.steps, "max_rounds": 1}
    redis = RedisServer(find_redis_server(), Path(tempfile.mkdtemp(prefix="retouch-scale-redis-"))).start()
    rows: list[dict[str, Any]] = []
    cluster, address = start_cluster()
    try:
        def measure(label: str, engines: str, workers: int) -> None:
            row = {"setup": label, "workers": workers,
                   **run_setup(engines, redis.url, workers, args.clients, args.turns, args.side, messages, settings)}
            rows.append(row)
            print(f"{label:34} workers={workers} turns={row['turns']} {row['throughput']:.2f} turns/s "
                  f"p50 {row['p50']:.2f} s p95 {row['p95']:.2f} s rss {row['rss_mb']} MB errors {row['errors']} "
                  f"{row['first_error'][:200]}", flush=True)

        if not args.skip_local:
            measure("in process", local, 1)
            measure("in process", local, 2)
        for replicas in [int(v) for v in args.replicas.split(",")]:
            config = engine_config(None, inpainter_replicas=1, timeout_s=300, store=redis.url)  # images by reference
            # two nodes of one CPU each: the scaled replicas get half a CPU, the rest share what is left
            config.deployments["inpainter"].num_cpus = 0.1
            engine = "tests.ray_cluster:neural_engine" if options else "classical"
            config.deployments[scaled] = DeploymentConfig(engine=engine, options=options, num_cpus=0.5,
                                                          replicas=replicas, max_ongoing_requests=2)
            config.cluster.address = address
            deploy(config)
            for workers in (1, 2):
                measure(f"ray, {replicas} {scaled} replica(s)", f"ray://{address}", workers)
    finally:
        stop_cluster(cluster)
        redis.stop()
    base = rows[0]["throughput"] if rows else 1.0
    print("\n| setup | API workers | turns/s | × one process | p50 s | p95 s | peak RSS per worker (MB) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        print(f"| {row['setup']} | {row['workers']} | {row['throughput']:.2f} | {row['throughput'] / base:.2f} | "
              f"{row['p50']:.2f} | {row['p95']:.2f} | {', '.join(map(str, row['rss_mb']))} |")
    return rows


if __name__ == "__main__":
    main()
