"""Deploying the engine applications on a Ray cluster (``retouch engines serve``).

Each engine kind is its own Serve application (``PREFIX-KIND``) with no HTTP route: API workers
reach it through deployment handles only, so no HTTP proxy is started.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from ..base import EngineUnavailable
from .config import ServeConfig

log = logging.getLogger("retouch.engines.served")

# Ray's own processes bind to loopback with this set (its default is the network interface); a
# single-machine cluster then stays on 127.0.0.1. Real clusters set their node IPs explicitly.
LOOPBACK_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}


def connect_ray(address: str, *, namespace: str, timeout_s: float) -> None:
    """Join the cluster at ``address`` as a driver, or raise :class:`EngineUnavailable` naming it."""
    import ray

    from .client import check_reachable

    check_reachable(address, timeout_s)
    if ray.is_initialized():
        joined = ray.get_runtime_context().gcs_address
        if address not in ("auto", joined):
            raise EngineUnavailable(f"this process already belongs to the Ray cluster at {joined}, not {address}")
        return
    for key, value in LOOPBACK_ENV.items():
        os.environ.setdefault(key, value)
    try:
        ray.init(address=address, namespace=namespace, log_to_driver=False, include_dashboard=False,
                 ignore_reinit_error=True, logging_level=logging.WARNING)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise EngineUnavailable(f"cannot join the Ray cluster at {address}: {exc}") from exc


def deploy(config: ServeConfig, *, kinds: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Deploy (or update) every configured engine kind; returns ``{kind: serve options}``."""
    from ray import serve

    from .deployments import DEPLOYMENTS

    connect_ray(config.cluster.address, namespace=config.cluster.namespace,
                timeout_s=config.cluster.connect_timeout_s)
    serve.start(proxy_location="Disabled", http_options={"host": "127.0.0.1"})
    cluster = config.cluster.model_dump()
    deployed: dict[str, Any] = {}
    for kind, deployment in config.deployments.items():
        if (kinds is not None and kind not in kinds) or not deployment.deploy:
            continue
        options = deployment.serve_options()
        app = DEPLOYMENTS[kind].options(**options).bind(deployment.model_dump(), cluster)
        serve.run(app, name=config.app_name(kind), route_prefix=None, blocking=False)
        deployed[kind] = options
    for kind in deployed:  # wait until each answers: a broken config fails here, not in a turn
        _wait_ready(config, kind)
    log.info("deployed %s", ", ".join(deployed))
    return deployed


def _wait_ready(config: ServeConfig, kind: str) -> None:
    from ray import serve

    handle = serve.get_deployment_handle(kind, app_name=config.app_name(kind))
    try:
        handle.info.remote().result(timeout_s=max(60.0, config.cluster.call_timeout_s))
    except Exception as exc:
        raise EngineUnavailable(f"the {kind} deployment did not start on {config.cluster.address}: {exc}") from exc


def undeploy(config: ServeConfig) -> None:
    from ray import serve

    for kind in config.deployments:
        serve.delete(config.app_name(kind), _blocking=True)
