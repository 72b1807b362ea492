"""A registry of engines by role and name, and the set of engines one editor uses.

Built-in engines register exactly like third-party ones: ``register("inpainter", "mine", factory)``.
Factories are called lazily, so naming a neural engine never imports torch until it is built.
"""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
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
                     options: dict[str, dict[str, Any]] | None = None, served_config: str | None = None) -> EngineSet:
    """Engines for ``mode`` (classical | neural | auto), with per-role names in ``overrides``.

    ``neural`` uses a neural engine for every role that has a model configured (and fails when the
    neural libraries are missing). ``auto`` uses one only where the libraries import, the configured
    device exists and the weights are on this machine (a local folder, or a hub id already in the
    Hugging Face cache), and falls back to classical otherwise. Every fallback is one line in
    ``notes``; callers show them (the CLI prints them, the Python API logs them once). ``ray://``
    calls the engines deployed there, read with ``served_config`` (the file they were served with).
    """
    _load_builtins()
    if mode.startswith("ray://"):  # engines deployed on a Ray cluster (engines/served), by handle
        from .served import ServeConfig, connect

        return connect(mode[len("ray://"):], ServeConfig.load(served_config))
    if mode not in ("classical", "neural", "auto"):
        raise UnknownEngine(f"unknown engine mode {mode!r}: use classical, neural, auto or ray://HOST:PORT")
    overrides = overrides or {}
    options = {role: dict(value) for role, value in (options or {}).items()}
    notes: list[str] = []
    chosen: dict[str, Any] = {}
    neural_ok, why = neural_available()
    if mode == "auto" and not neural_ok:
        notes.append(f"neural engines unavailable ({why}): using the classical engines")
    for role in ROLES:
        name = overrides.get(role)
        if name is None:
            name = "classical"
            if mode in ("neural", "auto") and "neural" in _FACTORIES[role] and neural_ok:
                reason = _not_ready(role, options.get(role, {}), check_local=mode == "auto")
                if reason is None:
                    name = "neural"
                else:
                    notes.append(f"{role}: classical ({reason})")
            elif mode == "neural" and "neural" in _FACTORIES[role]:
                raise UnknownEngine(f"neural engines requested but {why}")
        if name not in _FACTORIES[role]:
            if role == "generator":
                continue
            create(role, name)  # raises the helpful UnknownEngine
        chosen[role] = create(role, name, **options.get(role, {})) if name.startswith("neural") else create(role, name)
    return EngineSet(**chosen, notes=notes)


# Option keys that name weights, per engine; a role with none of them has nothing to load.
_WEIGHT_KEYS = ("model", "model_id", "path", "checkpoint", "config")


def _not_ready(role: str, role_options: dict[str, Any], *, check_local: bool) -> str | None:
    """Why the neural engine for ``role`` cannot run here, or None when it can.

    Without ``check_local`` (mode ``neural``) only a missing model counts: the engine itself reports
    missing weights or devices when it loads. With it (mode ``auto``) the device and the weights
    must be present now, so a fallback happens at start-up, not half-way through a turn.
    """
    if not any(role_options.get(key) for key in _WEIGHT_KEYS):
        return f"no model configured for the {role}"
    needs_sam2 = role == "segmenter" or "segmenter" in role_options
    if needs_sam2 and importlib.util.find_spec("sam2") is None:
        if role == "segmenter":
            return "sam2 is not installed (pip install 'retouch[neural]')"
        role_options.pop("segmenter")  # the engine still runs, with box masks instead of SAM 2's
    if not check_local:
        return None
    reason = _device_missing(str(role_options.get("device", "auto")))
    if reason:
        return reason
    for key in ("model", "checkpoint"):
        value = role_options.get(key)
        if value and (reason := _weights_missing(str(value), is_file=key == "checkpoint")):
            return reason
    return None


def _device_missing(device: str) -> str | None:
    import torch  # only reached when the neural libraries are installed

    if device == "auto":  # the engines resolve "auto" to CUDA or the CPU (name mps to use it)
        if torch.cuda.is_available():
            return None
        return "no GPU found; set RETOUCH_DEVICE=cpu to run the neural engines on the CPU anyway"
    if device.startswith("cuda") and not torch.cuda.is_available():
        return f"device {device} is not available (torch sees no CUDA GPU)"
    if device == "mps" and not torch.backends.mps.is_available():
        return "device mps is not available"
    return None


def _weights_missing(model: str, *, is_file: bool) -> str | None:
    """None when ``model`` (a local path or a hub id) is on this machine, else what to do about it."""
    path = Path(model).expanduser()
    if is_file or model.startswith(("/", "./", "../", "~")) or path.exists():
        return None if path.exists() else f"weights not found at {path}"
    try:
        from huggingface_hub import snapshot_download

        snapshot_download(model, local_files_only=True)
    except Exception:  # not cached (or not a hub id at all): either way nothing to load offline
        return (f"{model} is not in the Hugging Face cache; download it with `huggingface-cli download "
                f"{model}`, point the setting at a local folder, or use RETOUCH_ENGINES=neural to fetch it")
    return None
