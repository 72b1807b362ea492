"""The worker side: an :class:`EngineSet` whose engines are Ray Serve deployment handles.

Each proxy has the signature of the engine protocol it stands for, so agents and graph cannot tell
it from an engine in process. A call that loses its replica (killed, crashed, node gone) is sent once
more, which Serve routes to a live replica; a second loss, or no answer within the call timeout,
raises :class:`EngineUnavailable`. A refusal by the engine itself comes back as the same
:class:`EngineError` it raises in process. A retried call is named in the engine's ``name`` for the
rest of that thread's operation, so the executor's trace says which operation needed it.
"""

from __future__ import annotations

import hashlib
import logging
import socket
import threading
from collections import OrderedDict, deque
from types import SimpleNamespace
from typing import Any

import numpy as np

from ..base import Box, Detection, EngineError, EngineUnavailable, InsertSpec
from .config import KINDS, ServeConfig
from .wire import (
    WireLimits,
    pack_image,
    pack_mask,
    pack_spec,
    store_identity,
    unpack_detection,
    unpack_image,
    unpack_mask,
)

log = logging.getLogger("retouch.engines.served")


def check_reachable(address: str, timeout_s: float) -> None:
    """Fail fast, naming the address, when nothing listens there (``ray.init`` would retry for a minute)."""
    if address == "auto":
        return
    host, _, port = address.rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout_s):
            pass
    except (OSError, ValueError) as exc:
        raise EngineUnavailable(
            f"no Ray cluster answers at {address} ({exc}); start one (`ray start --head`) and deploy the "
            "engines on it (`retouch engines serve`)") from exc


def _transport_errors() -> tuple[type[BaseException], ...]:
    import ray.exceptions as rex

    errors: list[type[BaseException]] = [rex.RayActorError, rex.WorkerCrashedError, rex.ObjectLostError,
                                         rex.NodeDiedError if hasattr(rex, "NodeDiedError") else rex.RayActorError]
    try:
        from ray.serve import exceptions as sex

        errors += [getattr(sex, name) for name in ("BackPressureError", "DeploymentUnavailableError")
                   if hasattr(sex, name)]
    except ImportError:
        pass
    return tuple(errors)


class Link:
    """Handles to the deployed kinds, the wire limits, and the one-retry call."""

    def __init__(self, config: ServeConfig) -> None:
        from ray import serve

        self.config = config
        self.address = config.cluster.address
        self.timeout_s = config.cluster.call_timeout_s
        self.limits = WireLimits(config.cluster.max_pixels, config.cluster.encoding)
        self.retries: deque[dict[str, Any]] = deque(maxlen=256)  # recent retries, newest last
        self._transport = _transport_errors()
        self.images: Any = None  # the worker's ImageRepository, once the replicas are known to share it
        self.replica_store: dict[str, Any] | None = None  # the Redis blob store every replica reads
        self.sent = {"ref": 0, "bytes": 0}  # how images went out (blob reference or encoded)
        self._handles = {}
        deployed = serve.status().applications
        for kind in KINDS:
            if config.app_name(kind) in deployed:
                self._handles[kind] = serve.get_deployment_handle(kind, app_name=config.app_name(kind))

    def has(self, kind: str) -> bool:
        return kind in self._handles

    def use_store(self, images: Any) -> bool:
        """Send images the worker's store already holds by reference, when every replica reads the same
        Redis keys (same server, db and prefix); otherwise every image goes as bytes."""
        mine = store_identity(getattr(images, "blobs", None))
        self.images = images if mine is not None and mine == self.replica_store else None
        return self.images is not None

    def pack(self, image: np.ndarray) -> dict[str, Any]:
        ref = self.images.ref_of(image) if self.images is not None else None
        self.sent["ref" if ref else "bytes"] += 1
        return pack_image(image, self.limits, ref=ref)

    def call(self, kind: str, method: str, request: dict[str, Any], on_retry: Any = None) -> dict[str, Any]:
        for attempt in (1, 2):
            try:
                result = getattr(self._handles[kind], method).remote(request).result(timeout_s=self.timeout_s)
            except TimeoutError as exc:
                raise EngineUnavailable(f"the {kind} engine at {self.address} did not answer {method} within "
                                        f"{self.timeout_s:g} s; nothing was written") from exc
            except self._transport as exc:
                reason = type(exc).__name__
                if attempt == 2:
                    raise EngineUnavailable(f"the {kind} engine at {self.address} lost its replica twice during "
                                            f"{method} ({reason}); nothing was written") from exc
                log.warning("%s.%s lost its replica (%s): retrying once on another", kind, method, reason)
                self.retries.append({"kind": kind, "method": method, "reason": reason})
                if on_retry is not None:
                    on_retry(reason)
                continue
            if "error" in result:
                raise (EngineUnavailable if result.get("type") == "EngineUnavailable" else EngineError)(result["error"])
            return result
        raise AssertionError("unreachable")


class _Remote:
    """One role's proxy: the remote engine's name, and this thread's retry note."""

    def __init__(self, link: Link, kind: str, info: dict[str, Any]) -> None:
        self.link = link
        self.kind = kind
        self.remote_name = info.get("name", "?")
        self._local = threading.local()

    @property
    def name(self) -> str:
        retried = getattr(self._local, "retried", None)
        base = f"ray:{self.remote_name}"
        return base if not retried else f"{base} (retried on another replica after {retried})"

    def _mark(self, reason: str) -> None:
        self._local.retried = reason

    @property
    def last_result(self) -> Any:
        """The replica's record of this thread's last model call (seed, window, steps …), or None."""
        return getattr(self._local, "last_result", None)

    @property
    def last_seed(self) -> int | None:
        return getattr(self._local, "last_seed", None)

    def _call(self, method: str, request: dict[str, Any]) -> dict[str, Any]:
        self._local.retried = None
        result = self.link.call(self.kind, method, request, on_retry=self._mark)
        if "last_result" in result:  # a new object per call: the executor tells calls apart by identity
            self._local.last_result = SimpleNamespace(**result["last_result"])
            self._local.last_seed = result.get("last_seed")
        return result

    def _pack(self, image: np.ndarray) -> dict[str, Any]:
        return self.link.pack(image)

    def _unpack(self, payload: dict[str, Any]) -> np.ndarray:
        return unpack_image(payload, self.link.limits)


class RemoteGrounder(_Remote):
    """Grounding results are kept per ``cache_key`` as the in-process grounder keeps them, so repeated
    questions about one image version cost no transfer and return the same Detection objects."""

    def __init__(self, link: Link, kind: str, info: dict[str, Any], cache_size: int = 128) -> None:
        super().__init__(link, kind, info)
        self._results: OrderedDict[tuple, list[Detection]] = OrderedDict()
        self._objects: OrderedDict[tuple, Detection] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def ground(self, image: np.ndarray, noun: str | None = None, colors: tuple[str, ...] = (), *,
               tolerance: float = 1.0, cache_key: str | None = None) -> list[Detection]:
        key = None if cache_key is None else (cache_key, noun, tuple(colors), float(tolerance))
        if key is not None:
            with self._lock:
                if key in self._results:
                    self._results.move_to_end(key)
                    return list(self._results[key])
        result = self._call("ground", {"image": self._pack(image), "noun": noun, "colors": list(colors),
                                       "tolerance": float(tolerance), "cache_key": cache_key})
        found = [self._identity(cache_key, d) for d in result["detections"]]
        if key is not None:
            with self._lock:
                self._results[key] = found
                while len(self._results) > self._cache_size:
                    self._results.popitem(last=False)
        return list(found)

    def _identity(self, cache_key: str | None, payload: dict[str, Any]) -> Detection:
        detection = unpack_detection(payload, self.link.limits)
        if cache_key is None:
            return detection
        digest = hashlib.blake2b(payload["mask"]["bits"], digest_size=16).digest()
        key = (cache_key, tuple(detection.box), detection.label, detection.noun, detection.score, digest)
        with self._lock:
            known = self._objects.get(key)
            if known is not None:
                self._objects.move_to_end(key)
                return known
            self._objects[key] = detection
            while len(self._objects) > 8 * self._cache_size:
                self._objects.popitem(last=False)
        return detection


class RemoteSegmenter(_Remote):
    def segment(self, image: np.ndarray, box: Box | None = None, points: list[tuple[int, int]] | None = None,
                *, cache_key: str | None = None) -> np.ndarray:
        result = self._call("segment", {"image": self._pack(image), "box": None if box is None else list(box),
                                        "points": None if points is None else [list(p) for p in points],
                                        "cache_key": cache_key})
        return unpack_mask(result["mask"], self.link.limits)


class RemoteInpainter(_Remote):
    def __init__(self, link: Link, kind: str, info: dict[str, Any]) -> None:
        super().__init__(link, kind, info)
        self.methods = tuple(info.get("methods", ("auto",)))

    @property
    def last_method(self) -> str:
        return getattr(self._local, "last_method", "")

    def _inpaint(self, image: np.ndarray, mask: np.ndarray, prompt: str, method: str, seed: int | None,
                 avoid: np.ndarray | None) -> np.ndarray:
        limits = self.link.limits
        result = self._call("inpaint", {
            "image": self._pack(image), "mask": pack_mask(mask, limits), "prompt": prompt, "method": method,
            "seed": seed, "avoid": None if avoid is None else pack_mask(avoid, limits)})
        self._local.last_method = result.get("last_method", "")
        return self._unpack(result["image"])

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None) -> np.ndarray:
        return self._inpaint(image, mask, prompt, method, seed, None)


class RemoteAvoidingInpainter(RemoteInpainter):
    """For an engine that takes ``avoid`` (pixels a texture fill must not copy): the executor asks."""

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None, avoid: np.ndarray | None = None) -> np.ndarray:
        return self._inpaint(image, mask, prompt, method, seed, avoid)


class RemoteInserter(_Remote):
    def insert(self, image: np.ndarray, box: Box, spec: InsertSpec, *,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        result = self._call("insert", {"image": self._pack(image), "box": list(box),
                                       "spec": pack_spec(spec, self.link.limits), "seed": seed})
        return self._unpack(result["image"]), unpack_mask(result["mask"], self.link.limits)


class RemoteRecolorer(_Remote):
    def recolor(self, image: np.ndarray, mask: np.ndarray, rgb: tuple[int, int, int]) -> np.ndarray:
        result = self._call("recolor", {"image": self._pack(image), "mask": pack_mask(mask, self.link.limits),
                                        "rgb": [int(v) for v in rgb]})
        return self._unpack(result["image"])


class RemoteFilter(_Remote):
    def __init__(self, link: Link, kind: str, info: dict[str, Any]) -> None:
        super().__init__(link, kind, info)
        self.filters = tuple(info.get("filters", ()))

    def apply(self, image: np.ndarray, filter_name: str, *, mask: np.ndarray | None = None,
              strength: float = 1.0) -> np.ndarray:
        result = self._call("apply", {"image": self._pack(image), "filter": filter_name, "strength": float(strength),
                                      "mask": None if mask is None else pack_mask(mask, self.link.limits)})
        return self._unpack(result["image"])


class RemoteTextDrawer(_Remote):
    def draw(self, image: np.ndarray, text: str, box: Box, *,
             rgb: tuple[int, int, int] = (0, 0, 0)) -> tuple[np.ndarray, np.ndarray]:
        result = self._call("draw", {"image": self._pack(image), "text": text, "box": list(box),
                                     "rgb": [int(v) for v in rgb]})
        return self._unpack(result["image"]), unpack_mask(result["mask"], self.link.limits)


class RemoteGenerator(_Remote):
    def generate(self, prompt: str, width: int, height: int, *, layout: list[tuple[Box, InsertSpec]] = (),
                 background: str = "", seed: int | None = None) -> np.ndarray:
        limits = self.link.limits
        result = self._call("generate", {
            "prompt": prompt, "width": int(width), "height": int(height), "background": background, "seed": seed,
            "layout": [[list(box), pack_spec(spec, limits)] for box, spec in layout]})
        return self._unpack(result["image"])


class RemoteClipScorer(_Remote):
    """CLIP similarity of each image with its text; concurrent callers are batched on the replica."""

    def pairwise_image_text(self, images: list[np.ndarray], texts: list[str]) -> np.ndarray:
        if len(images) != len(texts):
            raise EngineError("pairwise scores need as many texts as images")
        handle = self.link._handles[self.kind]
        responses = [handle.score.remote({"image": self._pack(i), "text": t}) for i, t in zip(images, texts, strict=True)]
        scores = []
        for response in responses:
            result = response.result(timeout_s=self.link.timeout_s)
            if "error" in result:
                raise EngineError(result["error"])
            scores.append(result["score"])
        return np.asarray(scores, np.float32)


_PROXIES = {"grounder": RemoteGrounder, "segmenter": RemoteSegmenter, "inserter": RemoteInserter,
            "recolorer": RemoteRecolorer, "filter": RemoteFilter, "text": RemoteTextDrawer,
            "generator": RemoteGenerator}


def connect(address: str, config: ServeConfig | None = None) -> Any:
    """An EngineSet over the engines deployed at ``address``; kinds not deployed run in process."""
    from ..registry import ROLES, EngineSet, create
    from .deploy import connect_ray

    config = config or ServeConfig.load(None)
    config.cluster = config.cluster.model_copy(update={"address": address})
    connect_ray(address, namespace=config.cluster.namespace, timeout_s=config.cluster.connect_timeout_s)
    try:
        link = Link(config)
    except Exception as exc:  # Serve is not running on that cluster
        raise EngineUnavailable(f"no Retouch engines are deployed on the Ray cluster at {address} ({exc}); "
                                "run `retouch engines serve`") from exc
    chosen: dict[str, Any] = {}
    notes: list[str] = []
    replica_stores: list[dict[str, Any] | None] = []
    for kind, roles in KINDS.items():
        if not roles:
            continue
        if not link.has(kind):
            notes.append(f"{kind}: not deployed at {address}; running the classical engine in this process")
            for role in roles:
                chosen[role] = create(role, "classical")
            continue
        info = _info(link, kind)
        replica_stores.append(info.get("store"))
        for role in roles:
            role_info = info["engines"].get(role, {})
            if role == "inpainter":
                avoid = "avoid" in role_info.get("accepts", ())
                chosen[role] = (RemoteAvoidingInpainter if avoid else RemoteInpainter)(link, kind, role_info)
            else:
                chosen[role] = _PROXIES[role](link, kind, role_info)
    engines = EngineSet(**{role: chosen[role] for role in ROLES if role in chosen}, notes=notes)
    engines.link = link  # type: ignore[attr-defined]  (retries and the cluster address, for callers)
    # the worker's store is attached later (graph/services.py): what the replicas read is kept till then
    link.replica_store = replica_stores[0] if replica_stores and all(
        store == replica_stores[0] for store in replica_stores) else None
    return engines


def _info(link: Link, kind: str) -> dict[str, Any]:
    try:
        return link._handles[kind].info.remote().result(timeout_s=link.config.cluster.connect_timeout_s * 3)
    except Exception as exc:
        raise EngineUnavailable(f"the {kind} engine at {link.address} does not answer ({exc})") from exc


def remote_clip(engines: Any) -> RemoteClipScorer | None:
    """The CLIP scorer deployed next to ``engines``' deployments, if one is."""
    link = getattr(engines, "link", None)
    if link is None or not link.has("clip"):
        return None
    return RemoteClipScorer(link, "clip", _info(link, "clip")["engines"].get("clip", {"name": "clip"}))
