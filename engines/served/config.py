"""The deployment config: which engine serves each kind, on what resources, with how many replicas.

A TOML file (``retouch engines serve --config engines.toml``)::

    [cluster]
    address = "127.0.0.1:6379"      # the Ray cluster (GCS address); "auto" = the local one
    app_prefix = "retouch"

    [deployments.inpainter]
    engine = "neural"                # a registry name, or "package.module:factory"
    options = { model = "stable-diffusion-v1-5/stable-diffusion-inpainting", device = "cuda" }
    min_replicas = 1
    max_replicas = 4                 # autoscales between the two on queued requests
    num_gpus = 0.5                   # two replicas share one GPU

    [deployments.grounder]
    engine = "classical"
    replicas = 2
    num_cpus = 1
    batch_size = 8                   # serve.batch: requests grouped per call

Kinds left out of the file are served by the classical engine with one replica and one CPU; a kind
with ``deploy = false`` is not served at all: workers run it in process.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

# The deployment kinds, and the EngineSet roles each one serves.
KINDS: dict[str, tuple[str, ...]] = {
    "grounder": ("grounder",),
    "segmenter": ("segmenter",),
    "inpainter": ("inpainter",),
    "inserter": ("inserter",),
    "imaging": ("recolorer", "filter", "text"),  # cheap per-pixel work: one CPU pool
    "generator": ("generator",),
    "clip": (),  # CLIP scoring (critic and evals); deployed only when configured
}
BATCHED = ("grounder", "clip")


class DeploymentConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    engine: str = Field("classical", description="registry name, or module:factory")
    deploy: bool = Field(True, description="false: not deployed; each worker runs this kind in process "
                                           "(cheap per-pixel work, where a network hop costs more than it saves)")
    options: dict[str, Any] = Field(default_factory=dict, description="factory options (model ids, device …)")
    replicas: int | None = Field(None, ge=1, description="fixed replica count (else min/max autoscale)")
    min_replicas: int = Field(1, ge=0)
    max_replicas: int = Field(1, ge=1)
    num_cpus: float = Field(1.0, ge=0)
    num_gpus: float = Field(0.0, ge=0)
    max_ongoing_requests: int = Field(4, ge=1, description="requests a replica holds at once")
    batch_size: int = Field(8, ge=1, description="serve.batch size (grounder, clip)")
    batch_wait_s: float = Field(0.005, ge=0, description="how long a batch waits to fill")

    @model_validator(mode="after")
    def _bounds(self) -> DeploymentConfig:
        if self.replicas is None and self.max_replicas < self.min_replicas:
            raise ValueError(f"max_replicas {self.max_replicas} is below min_replicas {self.min_replicas}")
        return self

    def serve_options(self) -> dict[str, Any]:
        """Keyword arguments of ``Deployment.options``."""
        options: dict[str, Any] = {
            "ray_actor_options": {"num_cpus": self.num_cpus, "num_gpus": self.num_gpus},
            "max_ongoing_requests": self.max_ongoing_requests,
            "health_check_period_s": 2.0, "health_check_timeout_s": 10.0,
            "graceful_shutdown_timeout_s": 2.0,
        }
        if self.replicas is not None or self.min_replicas == self.max_replicas:
            options["num_replicas"] = self.replicas or self.max_replicas
        else:
            options["autoscaling_config"] = {
                "min_replicas": self.min_replicas, "max_replicas": self.max_replicas,
                "target_ongoing_requests": max(1, self.max_ongoing_requests // 2),
            }
        return options


class ClusterConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    address: str = Field("auto", description="Ray GCS address (host:port) or auto")
    app_prefix: str = Field("retouch", description="Serve application names are PREFIX-KIND")
    namespace: str = Field("retouch")
    call_timeout_s: float = Field(120.0, gt=0, description="longest engine call before EngineUnavailable")
    connect_timeout_s: float = Field(10.0, gt=0)
    max_pixels: int = Field(64_000_000, ge=1, description="largest image an engine call carries")
    encoding: str = Field("npy", pattern="^(npy|png)$", description="npy on fast links, png across slow ones")
    store: str | None = Field(None, description="redis://… shared with the API workers: images already "
                                                "stored cross by reference")
    store_prefix: str = Field("retouch")


class ServeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cluster: ClusterConfig = Field(default_factory=ClusterConfig)
    deployments: dict[str, DeploymentConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_kinds(self) -> ServeConfig:
        unknown = set(self.deployments) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown deployment kind(s) {', '.join(sorted(unknown))}; kinds are {', '.join(KINDS)}")
        for kind in KINDS:
            if kind != "clip":  # CLIP has no classical stand-in: it is served only when configured
                self.deployments.setdefault(kind, DeploymentConfig())
        return self

    @classmethod
    def load(cls, path: str | Path | None = None, **cluster: Any) -> ServeConfig:
        data: dict[str, Any] = {}
        if path:
            with open(path, "rb") as handle:
                data = tomllib.load(handle)
        config = cls.model_validate(data)
        if cluster:
            config.cluster = config.cluster.model_copy(update={k: v for k, v in cluster.items() if v is not None})
        return config

    def app_name(self, kind: str) -> str:
        return f"{self.cluster.app_prefix}-{kind}"
