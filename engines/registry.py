"""A registry of engines by role and name, and the set of engines one editor uses.

Built-in engines register exactly like third-party ones: ``register("inpainter", "mine", factory)``.
Factories are called lazily, so naming a neural engine never imports torch until it is built.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .base import Filter, Generator, Grounder, Inpainter, Inserter, Recolorer, Segmenter, TextDrawer

log = logging.getLogger("retouch.engines")

ROLES = ("grounder", "segmenter", "inpainter", "inserter", "recolorer", "filter", "text", "generator")

_FACTORIES: dict[str, dict[str, Callable[..., Any]]] = {role: {} for role in ROLES}


class UnknownEngine(ValueError):
    pass


def register(role: str, name: str, factory: Callable[..., Any]) -> None:
    if role not in _FACTORIES:
        raise UnknownEngine(f"unknown engine role {role!r}; roles are {', '.join(ROLES)}")
    _FACTORIES[role][name] = factory


def available(role: str) -> list[str]:
    _load_builtins()
    return sorted(_FACTORIES[role])


def create(role: str, name: str, **options: Any) -> Any:
    _load_builtins()
    try:
        factory = _FACTORIES[role][name]
    except KeyError:
        raise UnknownEngine(
            f"no {role} engine named {name!r}; available: {', '.join(available(role))}. "
            "Set RETOUCH_ENGINES or the per-engine setting to one of those."
        ) from None
    return factory(**options)


@dataclass
class EngineSet:
    """The engines one editor works with, one per role."""

    grounder: Grounder
    segmenter: Segmenter
    inpainter: Inpainter
    inserter: Inserter
    recolorer: Recolorer
    filter: Filter
    text: TextDrawer
    generator: Generator | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> dict[str, str]:
        return {role: getattr(getattr(self, role), "name", "?") for role in ROLES if getattr(self, role)}


_loaded = False


def _load_builtins() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    from . import classical  # noqa: F401  (registers the classical engines)

    try:
        from . import neural  # noqa: F401  (registers neural engines; imports no torch itself)
    except ImportError:  # the neural package is optional
        pass


def neural_available() -> tuple[bool, str]:
    """Whether the neural stack can run here, and why not when it cannot."""
    for module in ("torch", "diffusers", "transformers"):
        if importlib.util.find_spec(module) is None:
            return False, f"{module} is not installed (pip install 'retouch[neural]')"
    return True, ""


def build_engine_set(mode: str = "classical", overrides: dict[str, str] | None = None,
                     options: dict[str, dict[str, Any]] | None = None) -> EngineSet:
    """Engines for ``mode`` (classical | neural | auto), with per-role names in ``overrides``.

    ``auto`` uses a neural engine for a role when one is registered, its libraries import and its
    weights are configured, and falls back to classical otherwise, saying so once in ``notes``.
    """
    _load_builtins()
    if mode not in ("classical", "neural", "auto"):
        raise UnknownEngine(f"unknown engine mode {mode!r}: use classical, neural or auto")
    overrides = overrides or {}
    options = options or {}
    notes: list[str] = []
    chosen: dict[str, Any] = {}
    neural_ok, why = neural_available()
    for role in ROLES:
        name = overrides.get(role)
        if name is None:
            name = "classical"
            if mode in ("neural", "auto") and "neural" in _FACTORIES[role]:
                configured = _neural_configured(role, options.get(role, {}))
                if neural_ok and configured:
                    name = "neural"
                elif mode == "neural" and not neural_ok:
                    raise UnknownEngine(f"neural engines requested but {why}")
                else:
                    reason = why if not neural_ok else f"no model configured for the {role}"
                    notes.append(f"{role}: classical ({reason})")
        if name not in _FACTORIES[role]:
            if role == "generator":
                continue
            create(role, name)  # raises the helpful UnknownEngine
        chosen[role] = create(role, name, **options.get(role, {})) if name == "neural" else create(role, name)
    if notes:
        log.info("engines: %s", "; ".join(notes))
    return EngineSet(**chosen, notes=notes)


def _neural_configured(role: str, role_options: dict[str, Any]) -> bool:
    # A neural engine needs a model id or a local folder; with neither there is nothing to load.
    return any(role_options.get(key) for key in ("model", "model_id", "path", "checkpoint", "config"))
