"""The long-lived objects a graph run uses (store, engines, agents), built once per configuration.

The one place graph/ touches engines/: it builds the ``EngineSet`` the agents run on.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from agents import Executor, IntentParser, OfflineCritic, OfflineDecomposer, build_parser
from agents.refiner import Refiner
from engines.registry import EngineSet, build_engine_set

__all__ = ["EngineSet", "Services", "build_services", "register", "services_for", "unregister"]
from state import SessionStore, open_store

from .settings import Settings


@dataclass
class Services:
    settings: Settings
    store: SessionStore
    engines: EngineSet
    parser: IntentParser
    decomposer: Any
    executor: Executor
    critic: Any
    notes: list[str] = field(default_factory=list)


def build_services(settings: Settings, store: SessionStore | None = None, engines: EngineSet | None = None) -> Services:
    store = store or _open_store(settings)
    if engines is None:
        if settings.engines != "classical" and settings.vram_budget_gb:
            _set_model_budget(settings.model_budget_bytes())
        engines = build_engine_set(settings.engines, options=settings.engine_options(),
                                   served_config=settings.engines_config)
    link = getattr(engines, "link", None)  # engines on Ray: images this store holds go by reference
    if link is not None:
        link.use_store(store.images)
    llm = None
    if settings.parser in ("llm", "hybrid") or settings.decomposer == "llm" or settings.critic == "vlm":
        from agents.llm import LLMClient  # the openai client is only needed for model back-ends

        llm = LLMClient(base_url=settings.llm_base_url, api_key=settings.llm_api_key, model=settings.llm_model,
                        vision_model=settings.vlm_model or settings.llm_model, timeout=settings.llm_timeout_s)
    parser = build_parser(settings.parser, llm, store.images)
    if settings.decomposer == "llm":
        from agents.llm import LLMDecomposer

        decomposer = LLMDecomposer(llm)
    else:
        decomposer = OfflineDecomposer()
    offline_critic = OfflineCritic(engines, store.images)
    if settings.critic == "vlm":
        from agents.llm import VLMCritic

        critic = VLMCritic(llm, measured=offline_critic, combine=settings.critic_combine)
    else:
        critic = offline_critic
    refiner = Refiner(store.images, upscale_model=settings.upscale_model,
                      style_model=settings.text2img_model if settings.engines != "classical" else None,
                      device=settings.device, dtype=settings.dtype)
    return Services(settings=settings, store=store, engines=engines, parser=parser, decomposer=decomposer,
                    executor=Executor(engines, store.images, refiner=refiner), critic=critic,
                    notes=list(engines.notes))


def _set_model_budget(budget: int | None) -> None:
    """Size the process-wide neural model manager (its models are shared by every editor)."""
    from engines.neural.models import default_manager  # no torch at import time

    default_manager().budget_bytes = budget


def _open_store(settings: Settings) -> SessionStore:
    url = settings.store_url()
    if url.startswith("redis"):
        return open_store(url, prefix=settings.store_prefix, ttl_seconds=settings.store_ttl_seconds,
                          max_versions=settings.max_versions, blob_dir=settings.blob_dir)
    if url.startswith("sqlite:///"):
        return open_store(url, blob_dir=settings.blob_dir)
    return open_store(url)


_REGISTRY: dict[str, Services] = {}
_LOCK = threading.Lock()


def register(key: str, services: Services) -> None:
    """Make ``services`` reachable from a graph run whose context names ``key``."""
    with _LOCK:
        _REGISTRY[key] = services


def unregister(key: str) -> None:
    with _LOCK:
        _REGISTRY.pop(key, None)


def services_for(key: str, settings: Settings) -> Services:
    """The services registered under ``key``, or ones built (once) from ``settings``."""
    with _LOCK:
        found = _REGISTRY.get(key) if key else None
        if found is None:
            cache_key = "settings:" + settings.model_dump_json()
            found = _REGISTRY.get(cache_key)
            if found is None:
                found = build_services(settings)
                _REGISTRY[cache_key] = found
        return found


# --------------------------------------------------------------------------- served engines (retouch engines …)


def serve_engines(config: str | None, address: str | None) -> tuple[Any, dict[str, Any]]:
    """Deploy the engines on a Ray cluster (engines/served): (the config, {kind: serve options})."""
    from engines.served.config import ServeConfig
    from engines.served.deploy import deploy

    settings = ServeConfig.load(config, address=address)
    return settings, deploy(settings)


def stop_engines(config: str | None, address: str | None, *, connect: bool = False) -> None:
    """Remove the engine deployments (joining the cluster first when this process is not in it)."""
    from engines.served.config import ServeConfig
    from engines.served.deploy import connect_ray, undeploy

    settings = ServeConfig.load(config, address=address)
    if connect:
        connect_ray(settings.cluster.address, namespace=settings.cluster.namespace,
                    timeout_s=settings.cluster.connect_timeout_s)
    undeploy(settings)
