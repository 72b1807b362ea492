"""One place that loads models, keeps each loaded once per process, and fits them in a memory budget.

Every neural engine asks the manager for its model with a ``kind`` (``"inpaint"``, ``"text2img"``,
``"detector"``, ``"clip"``, ``"sam2"``), an id (hub id or local folder), a device and a dtype, and a
loader. The first ask loads; later asks return the same object. When a VRAM budget is set and a new
model would not fit, the least recently used models are offloaded to the CPU (``policy="offload"``)
or dropped (``policy="release"``) until it does; an offloaded model moves back on its next use.

Inpaint and text-to-image pipelines of the same id share their components (``from_pipe``), so
asking for both costs one load.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..base import EngineError

log = logging.getLogger("retouch.engines.neural")

Key = tuple[str, str, str, str]  # (kind, model id, device, dtype)
PIPELINE_KINDS = ("inpaint", "text2img")


def resolve_device(device: str = "auto", dtype: str = "auto") -> tuple[Any, Any]:
    """``"auto"`` → CUDA with fp16 when a GPU is there, else CPU with fp32 (fp16 on CPU is slow and lossy)."""
    import torch

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    dev = torch.device(device)
    if dtype == "auto":
        return dev, (torch.float16 if dev.type == "cuda" else torch.float32)
    try:
        return dev, {"fp16": torch.float16, "float16": torch.float16, "bf16": torch.bfloat16,
                     "bfloat16": torch.bfloat16, "fp32": torch.float32, "float32": torch.float32}[dtype]
    except KeyError:
        raise EngineError(f"unknown dtype {dtype!r}: use auto, fp16, bf16 or fp32") from None


def looks_local(model_id: str) -> bool:
    """Paths (absolute, relative, home) name local folders; ``owner/name`` names a hub id."""
    return model_id.startswith(("/", "./", "../", "~")) or Path(model_id).exists()


def load_pretrained(loader: Callable[[str], Any], model_id: str, what: str) -> Any:
    """Call ``loader(model_id)`` and turn every way weights can be missing into one clear EngineError."""
    if not model_id:
        raise EngineError(f"no {what} model configured: set its `model` option to a hub id or a local folder")
    if looks_local(model_id):
        path = Path(model_id).expanduser()
        if not path.exists():
            raise EngineError(f"{what} weights not found: the folder {path} does not exist. "
                              "Point the engine's `model` option at a folder saved with save_pretrained().")
        model_id = str(path)
    try:
        return loader(model_id)
    except (OSError, ValueError) as exc:
        offline = os.environ.get("HF_HUB_OFFLINE", "") not in ("", "0")
        hint = ("HF_HUB_OFFLINE is set, so only weights already in the Hugging Face cache can load; "
                if offline else "")
        raise EngineError(
            f"could not load the {what} model {model_id!r}: {exc}. {hint}Download it once with "
            f"`huggingface-cli download {model_id}` or set the engine's `model` option to a local folder "
            "saved with save_pretrained()."
        ) from exc


def modules_of(model: Any) -> list[Any]:
    """The torch modules that hold a model's memory: the model itself, or a pipeline's components."""
    import torch

    if isinstance(model, torch.nn.Module):
        return [model]
    components = getattr(model, "components", None)
    if isinstance(components, dict):
        return [m for m in components.values() if isinstance(m, torch.nn.Module)]
    inner = getattr(model, "model", None)  # predictors wrap their module
    return [inner] if isinstance(inner, torch.nn.Module) else []


def module_bytes(modules: Iterable[Any]) -> int:
    seen: set[int] = set()
    total = 0
    for module in modules:
        for tensor in [*module.parameters(), *module.buffers()]:
            if id(tensor) not in seen:
                seen.add(id(tensor))
                total += tensor.numel() * tensor.element_size()
    return total


@dataclass
class Entry:
    key: Key
    model: Any
    nbytes: int
    device: str
    resident: bool = True
    cpu_offload: bool = False  # accelerate moves the components itself; the budget does not count them
    last_used: float = field(default_factory=time.monotonic)


class ModelManager:
    """Load-once model cache with an LRU memory budget.

    ``budget_bytes`` None means unlimited. The budget counts every resident model once per shared
    module (pipelines built with ``from_pipe`` share theirs), whatever device it is on, so the same
    logic serves a GPU's VRAM and, in tests, a CPU.
    """

    def __init__(self, budget_bytes: int | None = None, policy: Literal["offload", "release"] = "offload",
                 offload_device: str = "cpu") -> None:
        if budget_bytes is not None and budget_bytes <= 0:
            raise EngineError("the model memory budget must be a positive number of bytes")
        if policy not in ("offload", "release"):
            raise EngineError("policy must be 'offload' (move to CPU) or 'release' (drop)")
        self.budget_bytes = budget_bytes
        self.policy = policy
        self.offload_device = offload_device
        self.load_count: Counter[Key] = Counter()
        self.events: list[tuple[str, Key]] = []  # (what happened, to which model), for logs and tests
        self._entries: OrderedDict[Key, Entry] = OrderedDict()
        self._lock = threading.RLock()

    # -- queries -----------------------------------------------------------------------------------
    def loaded(self) -> list[Key]:
        return list(self._entries)

    def resident(self) -> list[Key]:
        return [k for k, e in self._entries.items() if e.resident and not e.cpu_offload]

    def resident_bytes(self, exclude: Key | None = None) -> int:
        return module_bytes(m for k in self.resident() if k != exclude for m in modules_of(self._entries[k].model))

    def total_loads(self, kind: str | None = None) -> int:
        return sum(n for k, n in self.load_count.items() if kind is None or k[0] == kind)

    # -- loading -----------------------------------------------------------------------------------
    def get(self, kind: str, model_id: str, device: Any, dtype: Any, loader: Callable[[], Any], *,
            cpu_offload: bool = False) -> Any:
        """The model for this key, loading it with ``loader()`` (already on ``device``) on first use."""
        key: Key = (kind, str(model_id), str(device), str(dtype))
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                model = loader()
                self.load_count[key] += 1
                self.events.append(("load", key))
                entry = Entry(key, model, module_bytes(modules_of(model)), str(device), cpu_offload=cpu_offload)
                self._entries[key] = entry
            elif not entry.resident:
                self._move(entry, entry.device)
                entry.resident = True
                self.events.append(("restore", key))
            entry.last_used = time.monotonic()
            self._entries.move_to_end(key)
            self._fit(key)
            return entry.model

    def put(self, kind: str, model_id: str, device: Any, dtype: Any, model: Any) -> None:
        """Register a model built elsewhere (e.g. by ``from_pipe``) so the budget sees it."""
        self.get(kind, model_id, device, dtype, lambda: model)

    def release(self, key: Key | None = None) -> None:
        """Forget one model (or all), freeing its memory once no engine holds it."""
        with self._lock:
            keys = [key] if key else list(self._entries)
            for k in keys:
                if self._entries.pop(k, None) is not None:
                    self.events.append(("release", k))
        _empty_cuda_cache()

    def _fit(self, newest: Key) -> None:
        if self.budget_bytes is None:
            return
        for key in list(self._entries):  # oldest first
            if self.resident_bytes() <= self.budget_bytes:
                return
            entry = self._entries[key]
            if key == newest or not entry.resident or entry.cpu_offload:
                continue
            self._evict(entry)
        if self.resident_bytes() > self.budget_bytes:
            log.warning("model %s alone needs %d bytes, over the %d-byte budget", newest,
                        self.resident_bytes(), self.budget_bytes)

    def _evict(self, entry: Entry) -> None:
        shared = {id(m) for m in modules_of(entry.model)}
        if self.policy == "release":
            del self._entries[entry.key]
            self.events.append(("release", entry.key))
        else:
            self._move(entry, self.offload_device)
            entry.resident = False
            self.events.append(("offload", entry.key))
        # Models sharing modules with the evicted one (from_pipe) lost them too.
        for other in list(self._entries.values()):
            if other.resident and shared & {id(m) for m in modules_of(other.model)}:
                other.resident = False
                self.events.append(("offload", other.key))
        _empty_cuda_cache()

    @staticmethod
    def _move(entry: Entry, device: str) -> None:
        if hasattr(entry.model, "to"):
            entry.model.to(device)
        else:
            for module in modules_of(entry.model):
                module.to(device)

    # -- pipelines ---------------------------------------------------------------------------------
    def pipeline(self, kind: Literal["inpaint", "text2img"], model_id: str, device: str = "auto",
                 dtype: str = "auto", *, cpu_offload: bool = False) -> Any:
        """A diffusers pipeline loaded once per (kind, id, device, dtype).

        A pipeline of the other kind already loaded from the same id lends its components
        (``from_pipe``) when its UNet suits this kind (a 9-channel inpainting UNet cannot do text to image).
        """
        if kind not in PIPELINE_KINDS:
            raise EngineError(f"unknown pipeline kind {kind!r}: use {' or '.join(PIPELINE_KINDS)}")
        dev, torch_dtype = resolve_device(device, dtype)
        key: Key = (kind, str(model_id), str(dev), str(torch_dtype))
        with self._lock:
            if key in self._entries:
                return self.get(kind, model_id, dev, torch_dtype, _unreachable)
            other = ("text2img" if kind == "inpaint" else "inpaint", key[1], key[2], key[3])
            source = self._entries.get(other)
            if source is not None and _can_share(source.model, kind):
                auto = _auto_class(kind)
                if not source.resident:
                    self.get(*other, loader=_unreachable)
                pipe = auto.from_pipe(source.model)
                self.events.append(("from_pipe", key))
                self._entries[key] = Entry(key, pipe, module_bytes(modules_of(pipe)), str(dev),
                                           cpu_offload=source.cpu_offload)
                return self.get(kind, model_id, dev, torch_dtype, _unreachable)

            def load() -> Any:
                auto = _auto_class(kind)

                def from_pretrained(mid: str) -> Any:
                    kwargs: dict[str, Any] = {dtype_kwarg(): torch_dtype}
                    if _is_sd15(mid):
                        kwargs.update(safety_checker=None, requires_safety_checker=False)
                    return auto.from_pretrained(mid, **kwargs)

                pipe = load_pretrained(from_pretrained, model_id, f"{kind} pipeline")
                pipe.set_progress_bar_config(disable=True)
                if cpu_offload and dev.type == "cuda":
                    pipe.enable_model_cpu_offload(device=dev)
                else:
                    pipe.to(dev)
                return pipe

            return self.get(kind, model_id, dev, torch_dtype, load, cpu_offload=cpu_offload and dev.type == "cuda")


    def class_pipeline(self, kind: str, class_name: str, model_id: str, device: str = "auto",
                       dtype: str = "auto") -> Any:
        """A diffusers pipeline of one class (``"StableDiffusionUpscalePipeline"``, ``"AutoPipelineForImage2Image"``),
        loaded once per (kind, id, device, dtype); nothing is shared with other kinds."""
        dev, torch_dtype = resolve_device(device, dtype)

        def load() -> Any:
            import diffusers

            cls = getattr(diffusers, class_name)
            kwargs = {dtype_kwarg(): torch_dtype}
            pipe = load_pretrained(lambda mid: cls.from_pretrained(mid, **kwargs), model_id, f"{kind} pipeline")
            pipe.set_progress_bar_config(disable=True)
            return pipe.to(dev)

        return self.get(kind, model_id, dev, torch_dtype, load)


_CALL_LOCKS: weakref.WeakKeyDictionary[Any, threading.RLock] = weakref.WeakKeyDictionary()
_CALL_LOCKS_GUARD = threading.Lock()


@contextmanager
def exclusive(pipe: Any) -> Iterator[None]:
    """One denoising call at a time per UNet. A diffusers pipeline is not thread-safe (its scheduler
    keeps the call's timesteps, and the attention processors installed for one call are the UNet's),
    and pipelines built with ``from_pipe`` share their UNet; turns run in threads (HTTP workers)."""
    owner = getattr(pipe, "unet", None) or pipe
    with _CALL_LOCKS_GUARD:
        lock = _CALL_LOCKS.setdefault(owner, threading.RLock())
    with lock:
        yield


def _unreachable() -> Any:
    raise AssertionError("model expected in the cache")


def _auto_class(kind: str) -> Any:
    from diffusers import AutoPipelineForInpainting, AutoPipelineForText2Image

    return AutoPipelineForInpainting if kind == "inpaint" else AutoPipelineForText2Image


def dtype_kwarg() -> str:
    # Newer diffusers renamed ``torch_dtype`` to ``dtype``; older releases only know the old name.
    import importlib

    try:
        module = importlib.import_module("diffusers.utils.deprecation_utils")
    except ImportError:
        return "torch_dtype"
    return "dtype" if hasattr(module, "_resolve_dtype") else "torch_dtype"


def _can_share(pipe: Any, kind: str) -> bool:
    unet = getattr(pipe, "unet", None)
    if unet is None:
        return False
    # text2img needs a plain 4-channel UNet; inpainting works with either.
    return kind == "inpaint" or unet.config.in_channels == 4


def _is_sd15(model_id: str) -> bool:
    # SD 1.x/2.x pipelines accept safety-checker arguments; SDXL's do not.
    index = Path(model_id) / "model_index.json"
    if index.exists():
        return "safety_checker" in index.read_text()
    return "xl" not in model_id.lower()


def _empty_cuda_cache() -> None:
    import torch

    if torch.cuda.is_available():
        torch.cuda.empty_cache()


_DEFAULT: ModelManager | None = None
_DEFAULT_LOCK = threading.Lock()


def default_manager() -> ModelManager:
    """The process-wide manager. ``RETOUCH_VRAM_BUDGET`` (bytes, or with a GB/MB suffix) sets its budget."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = ModelManager(parse_bytes(os.environ.get("RETOUCH_VRAM_BUDGET", "")))
        return _DEFAULT


def set_default_manager(manager: ModelManager) -> None:
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = manager


def parse_bytes(text: str) -> int | None:
    """``"12GB"`` → 12·2³⁰; ``""`` → None (no budget)."""
    text = text.strip().upper()
    if not text:
        return None
    for suffix, factor in (("GB", 2**30), ("G", 2**30), ("MB", 2**20), ("M", 2**20), ("KB", 2**10), ("B", 1)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * factor)
    return int(text)


def parse_options(schema: type[Any], options: dict[str, Any]) -> Any:
    """Validate engine options with their pydantic schema; a bad value is an EngineError that names it."""
    from pydantic import ValidationError

    try:
        return schema(**options)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise EngineError(f"invalid {schema.__name__}: {problems}") from None
