"""Engines served by Ray Serve: deployments per engine kind, and the EngineSet that calls them.

Nothing here imports Ray until it is used: ``RETOUCH_ENGINES=ray://HOST:PORT`` (see
``engines.registry.build_engine_set``) and ``retouch engines serve`` are the entry points.
"""

from __future__ import annotations

from typing import Any

from .config import KINDS, ClusterConfig, DeploymentConfig, ServeConfig

RAY_SCHEME = "ray://"


def connect(address: str, config: ServeConfig | None = None) -> Any:
    """An EngineSet over the engines deployed on the Ray cluster at ``address`` (host:port or auto)."""
    from .client import connect as _connect

    return _connect(address, config)


__all__ = ["KINDS", "RAY_SCHEME", "ClusterConfig", "DeploymentConfig", "ServeConfig", "connect"]
