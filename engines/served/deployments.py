"""Ray Serve deployments: one per engine kind, each holding its engine once per replica.

Every method takes and returns plain dicts of bytes and numbers (see :mod:`.wire`), and reports an
engine's own refusal as ``{"error": …}`` so the client raises the same typed error it would raise in
process; only a lost replica or a timeout is a transport failure. Engines are not assumed to be
thread-safe: a replica runs one engine call at a time (its lock), off the event loop, so health
checks and batching keep running while it works. Grounding and CLIP scoring use ``serve.batch``:
concurrent requests to a replica are grouped into one call, which a model engine runs as one batch.
"""

from __future__ import annotations

import asyncio
import dataclasses
import importlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from ray import serve

from ..base import EngineError
from .config import KINDS, ClusterConfig, DeploymentConfig
from .wire import (
    WireLimits,
    box_of,
    pack_detection,
    pack_image,
    pack_mask,
    store_identity,
    unpack_image,
    unpack_mask,
    unpack_spec,
)


def build_engine(role: str, engine: str, options: dict[str, Any]) -> Any:
    """An engine by registry name, or by ``module:factory`` for one that lives outside Retouch."""
    if ":" in engine:
        module, _, attribute = engine.partition(":")
        try:
            factory = getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as exc:
            raise EngineError(f"cannot load engine factory {engine!r}: {exc}") from exc
        return factory(**options)
    from ..registry import create

    return create(role, engine, **options)


DECODED_CACHE = 8  # images a replica keeps decoded, by blob reference


def call_record(engine: Any, previous: Any) -> dict[str, Any]:
    """What a model engine's ``last_result`` says about the call just made (seed, window, steps, …),
    as plain values, so the worker's trace reads as it would in process; {} when nothing new."""
    result = getattr(engine, "last_result", None)
    if result is None or result is previous or not dataclasses.is_dataclass(result):
        return {}
    record: dict[str, Any] = {}
    for name, value in ((f.name, getattr(result, f.name)) for f in dataclasses.fields(result)):
        if isinstance(value, bool | int | float | str):
            record[name] = value
        elif isinstance(value, tuple | list) and all(isinstance(v, int | float) for v in value):
            record[name] = list(value)
    return {"last_result": record, "last_seed": getattr(engine, "last_seed", None)}


class _Replica:
    """What every deployment shares: config, wire limits, the optional shared store, one lock."""

    kind = ""

    def __init__(self, deployment: dict[str, Any], cluster: dict[str, Any]) -> None:
        self.config = DeploymentConfig.model_validate(deployment)
        self.cluster = ClusterConfig.model_validate(cluster)
        self.limits = WireLimits(self.cluster.max_pixels, self.cluster.encoding)
        self.blobs = None
        if self.cluster.store:
            import redis

            from state.redis_blobs import RedisBlobStore  # read-only here: replicas never write blobs

            client = redis.Redis.from_url(self.cluster.store, socket_timeout=10, socket_connect_timeout=5)
            self.blobs = RedisBlobStore(client, prefix=self.cluster.store_prefix, url=self.cluster.store)
        self.engines = {role: build_engine(role, self.config.engine, dict(self.config.options))
                        for role in KINDS[self.kind]}
        for engine in self.engines.values():  # load the model now: a replica Serve reports ready (a new
            load = getattr(engine, "pipeline", None)  # one, or one scaled up) must not make its first turn wait
            if callable(load):
                load()
        self._lock = threading.Lock()
        self._decoded: OrderedDict[str, Any] = OrderedDict()  # blob ref -> decoded image
        self._decoded_lock = threading.Lock()

    def _image(self, payload: dict[str, Any], what: str = "image") -> Any:
        ref = payload.get("ref") if isinstance(payload, dict) else None
        if ref is None:
            return unpack_image(payload, self.limits, blobs=self.blobs, what=what)
        # Blobs are content-addressed, so a decoded one never goes stale: a turn asks about the same
        # version several times (grounding, segmentation, the edit, the critic's re-grounding).
        with self._decoded_lock:
            if ref in self._decoded:
                self._decoded.move_to_end(ref)
                return self._decoded[ref]
        array = unpack_image(payload, self.limits, blobs=self.blobs, what=what)
        array.setflags(write=False)
        with self._decoded_lock:
            self._decoded[ref] = array
            while len(self._decoded) > DECODED_CACHE:
                self._decoded.popitem(last=False)
        return array

    def _call(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            with self._lock:
                result = work()
        except EngineError as exc:
            return {"error": str(exc), "type": type(exc).__name__, "pid": os.getpid()}
        except Exception as exc:  # an engine bug: the caller gets a typed error, the replica lives on
            return {"error": f"{type(exc).__name__}: {exc}", "type": "EngineError", "pid": os.getpid()}
        result["pid"] = os.getpid()
        result["ms"] = (time.perf_counter() - started) * 1000
        return result

    async def _run(self, work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return await asyncio.to_thread(self._call, work)

    async def info(self) -> dict[str, Any]:
        """Engine names and what the client mirrors (methods, filters, optional keywords)."""
        import inspect

        described: dict[str, Any] = {"pid": os.getpid(), "kind": self.kind, "engines": {},
                                     "store": None if self.blobs is None else store_identity(self.blobs)}
        for role, engine in self.engines.items():
            entry: dict[str, Any] = {"name": getattr(engine, "name", self.config.engine)}
            if hasattr(engine, "methods"):
                entry["methods"] = list(engine.methods)
            if hasattr(engine, "filters"):
                entry["filters"] = list(engine.filters)
            method = getattr(engine, {"inpainter": "inpaint"}.get(role, ""), None)
            if method is not None:
                entry["accepts"] = [p for p in inspect.signature(method).parameters if p != "self"]
            described["engines"][role] = entry
        return described

    def check_health(self) -> None:
        """Serve's health probe: a replica whose engines failed to build never reports healthy."""
        if not self.engines:
            raise RuntimeError("no engine built")


@serve.deployment(name="grounder")
class GrounderDeployment(_Replica):
    kind = "grounder"

    def __init__(self, deployment: dict[str, Any], cluster: dict[str, Any]) -> None:
        super().__init__(deployment, cluster)
        self.ground.set_max_batch_size(self.config.batch_size)
        self.ground.set_batch_wait_timeout_s(self.config.batch_wait_s)

    def _ground_many(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        engine = self.engines["grounder"]
        results = []
        for request in requests:  # one lock hold per batch; a model grounder may batch inside
            def work(request: dict[str, Any] = request) -> dict[str, Any]:
                found = engine.ground(self._image(request["image"]), request.get("noun"),
                                      tuple(request.get("colors", ())), tolerance=float(request.get("tolerance", 1.0)),
                                      cache_key=request.get("cache_key"))
                return {"detections": [pack_detection(d, self.limits) for d in found]}
            results.append(self._call(work))
        for result in results:
            result["batch"] = len(requests)
        return results

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.005)
    async def ground(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._ground_many, requests)


@serve.deployment(name="segmenter")
class SegmenterDeployment(_Replica):
    kind = "segmenter"

    async def segment(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            points = [tuple(int(v) for v in p) for p in request["points"]] if request.get("points") else None
            mask = self.engines["segmenter"].segment(self._image(request["image"]), box=box_of(request.get("box")),
                                                     points=points, cache_key=request.get("cache_key"))
            return {"mask": pack_mask(mask, self.limits)}
        return await self._run(work)


@serve.deployment(name="inpainter")
class InpainterDeployment(_Replica):
    kind = "inpainter"

    async def inpaint(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            engine = self.engines["inpainter"]
            previous = getattr(engine, "last_result", None)
            image = self._image(request["image"])
            extra = {}
            avoid = unpack_mask(request.get("avoid"), self.limits, "avoid mask")
            if avoid is not None:
                extra["avoid"] = avoid
            out = engine.inpaint(image, unpack_mask(request["mask"], self.limits), prompt=request.get("prompt", ""),
                                 method=request.get("method", "auto"), seed=request.get("seed"), **extra)
            return {"image": pack_image(out, self.limits), "last_method": getattr(engine, "last_method", ""),
                    **call_record(engine, previous)}
        return await self._run(work)


@serve.deployment(name="inserter")
class InserterDeployment(_Replica):
    kind = "inserter"

    async def insert(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            spec = unpack_spec(request["spec"], self.limits, self.blobs)
            engine = self.engines["inserter"]
            previous = getattr(engine, "last_result", None)
            out, mask = engine.insert(self._image(request["image"]), box_of(request["box"]), spec,
                                      seed=request.get("seed"))
            return {"image": pack_image(out, self.limits), "mask": pack_mask(mask, self.limits),
                    **call_record(engine, previous)}
        return await self._run(work)


@serve.deployment(name="imaging")
class ImagingDeployment(_Replica):
    """Recolouring, filters and text: cheap per-pixel work, served from one CPU pool."""

    kind = "imaging"

    async def recolor(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            out = self.engines["recolorer"].recolor(self._image(request["image"]),
                                                    unpack_mask(request["mask"], self.limits),
                                                    tuple(int(v) for v in request["rgb"]))
            return {"image": pack_image(out, self.limits)}
        return await self._run(work)

    async def apply(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            out = self.engines["filter"].apply(self._image(request["image"]), request["filter"],
                                               mask=unpack_mask(request.get("mask"), self.limits),
                                               strength=float(request.get("strength", 1.0)))
            return {"image": pack_image(out, self.limits)}
        return await self._run(work)

    async def draw(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            out, mask = self.engines["text"].draw(self._image(request["image"]), request["text"],
                                                  box_of(request["box"]), rgb=tuple(int(v) for v in request["rgb"]))
            return {"image": pack_image(out, self.limits), "mask": pack_mask(mask, self.limits)}
        return await self._run(work)


@serve.deployment(name="generator")
class GeneratorDeployment(_Replica):
    kind = "generator"

    async def generate(self, request: dict[str, Any]) -> dict[str, Any]:
        def work() -> dict[str, Any]:
            layout = [(box_of(box), unpack_spec(spec, self.limits, self.blobs)) for box, spec in request.get("layout", [])]
            pixels = int(request["width"]) * int(request["height"])
            if pixels > self.limits.max_pixels:
                raise EngineError(f"{request['width']}x{request['height']} is over the pixel limit")
            engine = self.engines["generator"]
            previous = getattr(engine, "last_result", None)
            out = engine.generate(request.get("prompt", ""), int(request["width"]), int(request["height"]),
                                  layout=layout, background=request.get("background", ""), seed=request.get("seed"))
            return {"image": pack_image(out, self.limits), **call_record(engine, previous)}
        return await self._run(work)


@serve.deployment(name="clip")
class ClipDeployment(_Replica):
    """CLIP image-text similarity, one request per (image, text) pair, scored a batch at a time."""

    kind = "clip"

    def __init__(self, deployment: dict[str, Any], cluster: dict[str, Any]) -> None:
        _Replica.__init__(self, {**deployment, "engine": "classical"}, cluster)  # no registry role for CLIP
        from ..neural.clip_scorer import ClipScorer

        self.engines = {"clip": ClipScorer(**self.config.options)}
        self.score.set_max_batch_size(self.config.batch_size)
        self.score.set_batch_wait_timeout_s(self.config.batch_wait_s)

    def _score_many(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        def work() -> dict[str, Any]:
            images = [self._image(r["image"]) for r in requests]
            scores = self.engines["clip"].pairwise_image_text(images, [r["text"] for r in requests])
            return {"scores": [float(s) for s in scores]}
        result = self._call(work)
        if "error" in result:
            return [result] * len(requests)
        return [{"score": s, "batch": len(requests), "pid": result["pid"]} for s in result["scores"]]

    @serve.batch(max_batch_size=8, batch_wait_timeout_s=0.01)
    async def score(self, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._score_many, requests)


DEPLOYMENTS = {
    "grounder": GrounderDeployment, "segmenter": SegmenterDeployment, "inpainter": InpainterDeployment,
    "inserter": InserterDeployment, "imaging": ImagingDeployment, "generator": GeneratorDeployment,
    "clip": ClipDeployment,
}
