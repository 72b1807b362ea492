"""Scale, memory: engine memory is paid once per replica, not once per API worker.

``python -m evals.bench.scale_memory [--workers 2 --width 256]``. Two API worker processes over one
Redis run removal turns whose inpainter is a diffusion model (a random-weight Stable-Diffusion
inpainting pipeline of ``--width`` UNet channels, saved to a folder: the real loading and inference
path, meaningless pixels). Measured in one run: the workers with the model in each process, then the
same workers with the model served by one Ray replica on a two-node loopback cluster. Printed: peak
RSS of every worker and of the replica, the sum, and the ratio of the sums.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from .scale import build_model, peak_rss_mb, run_setup

MESSAGES = ("remove the red circle", "remove the blue square", "remove the green triangle")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--clients", type=int, default=1, help="concurrent sessions per worker")
    parser.add_argument("--turns", type=int, default=2, help="turns per session")
    parser.add_argument("--side", type=int, default=256, help="image side in pixels")
    parser.add_argument("--width", type=int, default=256, help="UNet channels of the model (its size)")
    args = parser.parse_args(argv)

    from tests.ray_cluster import engine_config, start_cluster, stop_cluster  # noqa: I001  (first: loopback only)
    from tests.redis_server import RedisServer, find_redis_server

    from engines.served.config import DeploymentConfig
    from engines.served.deploy import deploy
    from ray import serve

    model = build_model(args.width)
    weights_mb = sum(f.stat().st_size for f in model.rglob("*.safetensors")) / 2**20
    print(f"model: {model} ({weights_mb:.0f} MB of weights)", flush=True)
    options = {"model": str(model), "device": "cpu", "steps": 2}
    settings = {"inpaint_model": str(model), "device": "cpu", "diffusion_steps": 2, "max_rounds": 1}
    redis = RedisServer(find_redis_server(), Path(tempfile.mkdtemp(prefix="retouch-scale-redis-"))).start()
    rows: list[dict[str, Any]] = []

    def measure(label: str, engines: str, replica_mb: list[float]) -> None:
        row = run_setup(engines, redis.url, args.workers, args.clients, args.turns, args.side, MESSAGES,
                        {**settings, "store_prefix": label.replace(" ", "-")})
        row.update(setup=label, replica_mb=[round(v) for v in replica_mb],
                   total_mb=sum(row["rss_mb"]) + sum(replica_mb))
        rows.append(row)
        print(f"{label:28} workers {row['rss_mb']} MB, replicas {row['replica_mb']} MB, total {row['total_mb']:.0f} "
              f"MB, {row['turns']} turns, errors {row['errors']}", flush=True)

    cluster, address = start_cluster()
    try:
        measure("model in every worker", "neural", [])
        config = engine_config(None, inpainter_replicas=1, timeout_s=300)
        config.deployments["inpainter"] = DeploymentConfig(
            engine="tests.ray_cluster:neural_engine", num_cpus=0.5, replicas=1, max_ongoing_requests=2,
            options={"role": "inpainter", "name": "neural", **options})
        config.cluster.address = address
        deploy(config)
        handle = serve.get_deployment_handle("inpainter", app_name=config.app_name("inpainter"))
        replica_pid = handle.info.remote().result(timeout_s=60)["pid"]
        row_label = "model in one Ray replica"
        measure(row_label, f"ray://{address}", [])
        rows[-1]["replica_mb"] = [round(peak_rss_mb(replica_pid))]
        rows[-1]["total_mb"] += rows[-1]["replica_mb"][0]
    finally:
        stop_cluster(cluster)
        redis.stop()
    print(f"\n| setup ({args.workers} API workers, {weights_mb:.0f} MB model) | peak RSS per worker (MB) | "
          "engine replica (MB) | total (MB) | × in-process total |")
    print("|---|---|---:|---:|---:|")
    base = rows[0]["total_mb"]
    for row in rows:
        replica = ", ".join(map(str, row["replica_mb"])) or "–"
        print(f"| {row['setup']} | {', '.join(map(str, row['rss_mb']))} | {replica} | {row['total_mb']:.0f} | "
              f"{row['total_mb'] / base:.2f} |")
    return rows


if __name__ == "__main__":
    main()
