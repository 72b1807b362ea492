"""A real two-node Ray cluster on loopback for the tests and the scale benchmark.

Both nodes bind to 127.0.0.1 (``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` in every Ray process's
environment), with one CPU each, small object stores and no dashboard. The classical engines are
deployed on it; the inpainter runs behind :class:`GatedInpainter`, which a test can make hold one
call until it has killed the replica holding it (no sleeps: the test waits for the gate's file).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"  # before Ray starts a process: loopback only
os.environ.setdefault("RAY_DEDUP_LOGS", "0")

OBJECT_STORE = 200_000_000
NODE = {"num_cpus": 1, "include_dashboard": False, "object_store_memory": OBJECT_STORE}


def ray_available() -> bool:
    try:
        import ray  # noqa: F401
        from ray import serve  # noqa: F401
    except ImportError:
        return False
    return True


class GatedInpainter:
    """The classical inpainter, except that a call finding ``armed`` in the gate folder claims it,
    writes which replica holds it, and waits for ``release`` (or the test to kill the replica)."""

    def __init__(self, gate_dir: str, wait_s: float = 60.0) -> None:
        from engines.classical import ClassicalInpainter

        self._engine = ClassicalInpainter()
        self.name = self._engine.name
        self.methods = self._engine.methods
        self.gate = Path(gate_dir)
        self.wait_s = wait_s

    @property
    def last_method(self) -> str:
        return self._engine.last_method

    def _hold(self) -> None:
        tokens = sorted(self.gate.glob("armed-*"))
        for token in tokens:
            claimed = self.gate / f"held-{token.name}"
            try:
                os.rename(token, claimed)  # atomic: one replica wins each token
            except FileNotFoundError:
                continue
            import ray

            claimed.write_text(json.dumps({"actor": ray.get_runtime_context().get_actor_name(), "pid": os.getpid()}))
            deadline = time.monotonic() + self.wait_s
            while not (self.gate / "release").exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            return

    def inpaint(self, image, mask, *, prompt: str = "", method: str = "auto", seed=None, avoid=None):
        self._hold()
        return self._engine.inpaint(image, mask, prompt=prompt, method=method, seed=seed, avoid=avoid)


def neural_engine(role: str, name: str = "neural", **options: Any) -> Any:
    """A neural engine built in a replica (``engine = "tests.ray_cluster:neural_engine"``): the
    registry's own factory, after the test environment's torchvision shim (tests/neural_models.py)."""
    from engines.registry import create
    from tests.neural_models import install_torchvision_cpu_shim

    install_torchvision_cpu_shim()
    return create(role, name, **options)


@dataclass
class LocalCluster:
    cluster: Any
    address: str
    gate: Path
    config: Any

    def arm(self, count: int = 1) -> None:
        """The next ``count`` inpainting calls each hold until killed or released."""
        (self.gate / "release").unlink(missing_ok=True)
        for index in range(count):
            (self.gate / f"armed-{index}").write_text("")

    def held(self, count: int = 1, timeout: float = 60.0) -> list[dict[str, Any]]:
        """Wait for ``count`` held calls; which replica (actor name, pid) holds each."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = sorted(self.gate.glob("held-*"))
            ready = [p for p in found if p.stat().st_size]
            if len(ready) >= count:
                return [json.loads(p.read_text()) for p in ready]
            time.sleep(0.01)
        raise TimeoutError(f"no inpainting call reached the gate within {timeout} s")

    def kill(self, actor_name: str) -> None:
        import ray

        ray.kill(ray.get_actor(actor_name, namespace="serve"), no_restart=True)

    def release(self) -> None:
        (self.gate / "release").write_text("")
        for path in self.gate.glob("held-*"):
            path.unlink(missing_ok=True)
        for path in self.gate.glob("armed-*"):
            path.unlink(missing_ok=True)


def engine_config(gate: Path | None = None, *, inpainter_replicas: int = 2, store: str | None = None,
                  cpus: float = 0.1, timeout_s: float = 60.0) -> Any:
    """The classical engines with fractional CPUs (they fit two 1-CPU nodes), two inpainters."""
    from engines.served.config import DeploymentConfig, ServeConfig

    small = {"num_cpus": cpus, "max_ongoing_requests": 4}
    deployments = {kind: DeploymentConfig(**small) for kind in ("grounder", "segmenter", "inserter", "imaging",
                                                                 "generator")}
    inpainter: dict[str, Any] = {"num_cpus": 0.4, "replicas": inpainter_replicas, "max_ongoing_requests": 2}
    if gate is not None:
        inpainter.update(engine="tests.ray_cluster:GatedInpainter", options={"gate_dir": str(gate)})
    deployments["inpainter"] = DeploymentConfig(**inpainter)
    return ServeConfig(cluster={"call_timeout_s": timeout_s, "store": store}, deployments=deployments)


def start_cluster(nodes: int = 2) -> tuple[Any, str]:
    """A head and ``nodes - 1`` more nodes on 127.0.0.1; returns (cluster, GCS address)."""
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args=dict(NODE))
    for _ in range(nodes - 1):
        cluster.add_node(**NODE)
    if not cluster.address.startswith("127.0.0.1:"):
        cluster.shutdown()
        raise RuntimeError(f"the Ray head bound to {cluster.address}, not loopback")
    return cluster, cluster.address


def stop_cluster(cluster: Any) -> None:
    import ray
    from ray import serve

    try:
        serve.shutdown()
    finally:
        ray.shutdown()
        cluster.shutdown()


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[LocalCluster]:
    if not ray_available():
        pytest.skip("ray[serve] is not installed (pip install 'retouch[ray]')")
    from engines.served.deploy import deploy

    gate = Path(tempfile.mkdtemp(prefix="retouch-ray-gate-"))
    cluster, address = start_cluster()
    try:
        config = engine_config(gate)
        config.cluster.address = address
        deploy(config)
        yield LocalCluster(cluster=cluster, address=address, gate=gate, config=config)
    finally:
        stop_cluster(cluster)
