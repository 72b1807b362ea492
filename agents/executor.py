"""The executor: runs a plan over the engines, keeping every intermediate image and a timing.

It is deliberately free of judgement: it does what the plan says and records what changed
(before/after masks of every touched object, updated entities) so the critic can check it. What
each kind of operation does is in its module in agents/operations/; this is the loop over them and
the bookkeeping they share.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import numpy as np

from engines.base import EngineError, EngineUnavailable
from engines.classical.colors import color_name
from engines.registry import EngineSet
from state.blobs import ImageRepository
from state.models import EditOperation, Entity, Plan, Region

from .errors import OperationFailed
from .measure import window
from .operations import operation
from .outcomes import Execution, OpOutcome
from .regions import box_mask, box_of_mask, dilate, erode

# What a neural engine's ``last_result`` says about its call that belongs in the trace (no arrays).
_RESULT_FIELDS = ("seed", "window", "model_size", "steps", "seconds", "prompt", "enhanced_steps", "blended_steps")


def engine_call(engine: Any, previous: Any) -> dict[str, Any]:
    """The seed and settings of the engine's call during this op, when it keeps a ``last_result``
    (the neural engines do) and made a new one; the seed makes a diffusion edit reproducible."""
    result = getattr(engine, "last_result", None)
    if result is None or result is previous:
        return {}
    info: dict[str, Any] = {"seed": getattr(engine, "last_seed", None)}
    for name in _RESULT_FIELDS:
        value = getattr(result, name, None)
        if value is not None:
            info[name] = [int(v) for v in value] if isinstance(value, tuple | list) else value
    if isinstance(info.get("seconds"), float):
        info["seconds"] = round(info["seconds"], 3)
    return info


def _accepts(method, name: str) -> bool:
    """Whether an engine method takes an optional keyword (engines differ in what they offer)."""
    try:
        return name in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


class Executor:
    """Runs plans with one engine set; images and masks go to ``images``."""

    def __init__(self, engines: EngineSet, images: ImageRepository, refiner: Any = None) -> None:
        self.engines = engines
        self.images = images
        self._refiner = refiner

    @property
    def refiner(self) -> Any:
        """The refinement agent refine operations run through (classical unless models are configured)."""
        if self._refiner is None:
            from .refiner import Refiner

            self._refiner = Refiner(self.images)
        return self._refiner

    def run(
        self, plan: Plan, image: np.ndarray, entities: list[Entity], *, turn: int, next_entity: int,
        references: list[np.ndarray] = (), seed: int = 0, cache_key: str | None = None,
    ) -> Execution:
        current = image
        working = {e.id: e.model_copy(deep=True) for e in entities}
        order = [e.id for e in entities]
        outcomes: list[OpOutcome] = []
        intermediates: list[str] = []
        engine_ms = 0.0
        # Refinements run after the rest, whatever their place in the plan (they polish the result).
        ops = [op for op in plan.operations if not operation(op.kind).runs_last] + \
            [op for op in plan.operations if operation(op.kind).runs_last]
        for index, op in enumerate(ops):
            started, stored = time.perf_counter(), self.images.busy_ms
            try:
                ran = operation(op.kind).run(
                    self, op, current, working, order, turn=turn, next_entity=next_entity, references=references,
                    seed=seed + index, cache_key=cache_key if index == 0 else None,
                )
            except EngineUnavailable:
                raise  # the engines are down, not the request wrong: a 503, try again later
            except EngineError as exc:
                raise OperationFailed(f"could not {operation(op.kind).describe_request(op)}: {exc}") from exc
            current, outcome, next_entity = ran.image, ran.outcome, ran.next_entity
            outcome.ms = (time.perf_counter() - started) * 1000
            engine_ms += outcome.ms - (self.images.busy_ms - stored)  # storing masks is not engine work
            outcomes.append(outcome)
            # Engines return new arrays and never write to their inputs: freezing the result lets the
            # image cache keep it as it is instead of copying it.
            current.setflags(write=False)
            intermediates.append(self.images.put_image(current))
        final_ref = intermediates[-1] if intermediates else self.images.put_image(current)
        return Execution(
            image_ref=final_ref, width=current.shape[1], height=current.shape[0],
            intermediate_refs=intermediates, outcomes=outcomes,
            entities=[working[i] for i in order], next_entity=next_entity, engine_ms=engine_ms,
        )

    # ------------------------------------------------------------------ what operations share

    @staticmethod
    def outcome(op: EditOperation, entity_id: str | None) -> OpOutcome:
        return OpOutcome(op_id=op.id, kind=op.kind, entity_id=entity_id)

    def start(self, op: EditOperation, image: np.ndarray, working: dict[str, Entity]):
        """What an operation on an object starts from: its mask, the protected pixels, its
        entity and a fresh outcome."""
        shape = image.shape[:2]
        entity_id = op.entity_ids[0] if op.entity_ids else None
        return (self.mask_of(op.region, shape), self.protected(op, working, shape), entity_id,
                self.outcome(op, entity_id))

    @staticmethod
    def engine_call(engine: Any, previous: Any) -> dict[str, Any]:
        return engine_call(engine, previous)

    @staticmethod
    def accepts(method, name: str) -> bool:
        return _accepts(method, name)

    def mask_of(self, region: Region | None, shape: tuple[int, int]) -> np.ndarray | None:
        if region is None:
            return None
        if region.mask_ref:
            mask = self.images.get_mask(region.mask_ref)
            if mask.shape == shape:
                return mask
        return box_mask(region.box, shape)

    def other_objects(self, image: np.ndarray, target: np.ndarray, cache_key: str | None) -> np.ndarray | None:
        """Every object but the target: what a texture fill must not copy into the hole."""
        area = window(target, 0)
        if area is None:
            return None
        ty, tx = area
        others = np.zeros(target.shape, bool)
        for d in self.engines.grounder.ground(image, None, (), cache_key=cache_key):
            x0, y0, x1, y1 = d.box
            # Overlap is only possible inside both boxes: count it there, not over the whole image.
            inside = (slice(max(y0, ty.start), min(y1, ty.stop)), slice(max(x0, tx.start), min(x1, tx.stop)))
            shared = np.count_nonzero(d.mask[inside] & target[inside]) \
                if inside[0].start < inside[0].stop and inside[1].start < inside[1].stop else 0
            box = (slice(y0, y1), slice(x0, x1))
            if shared < 0.5 * max(np.count_nonzero(d.mask[box]), 1):
                others[box] |= d.mask[box]
        return dilate(others, 3) if others.any() else None

    def protected(self, op: EditOperation, working: dict[str, Entity], shape: tuple[int, int]) -> np.ndarray | None:
        masks = [self.mask_of(working[i].region, shape) for i in op.protect_entity_ids
                 if i in working and working[i].present and working[i].region]
        masks = [m for m in masks if m is not None]
        return np.logical_or.reduce(masks) if masks else None

    # ------------------------------------------------------------------ entity bookkeeping

    def touch(self, working: dict[str, Entity], entity_id: str | None, turn: int, *, present: bool | None = None,
               color: str | None = None, mask: np.ndarray | None = None, mask_ref: str | None = None) -> None:
        if entity_id is None or entity_id not in working:
            return
        entity = working[entity_id]
        entity.last_turn = turn
        if present is not None:
            entity.present = present
        if color is not None:
            entity.attributes["color"] = color
            entity.label = " ".join(w for w in (color, entity.noun) if w)
        if mask is not None:
            box = box_of_mask(mask)
            if box is None:
                entity.present = False
            else:
                entity.region = Region(box=box, mask_ref=mask_ref or self.images.put_mask(mask), area=int(mask.sum()))

    def recolor_entities_in(self, image: np.ndarray, mask: np.ndarray | None, working: dict[str, Entity],
                             turn: int) -> None:
        """A filter can change what colour things are (grayscale, sepia); keep entity labels true."""
        shape = image.shape[:2]
        for entity in working.values():
            if not entity.present or entity.region is None or "color" not in entity.attributes:
                continue
            entity_mask = self.mask_of(entity.region, shape)
            if entity_mask is None or (mask is not None and not (entity_mask & mask).any()):
                continue
            inner = erode(entity_mask, 2)
            measured = color_name(tuple(int(v) for v in np.median(image[inner], axis=0)))
            if measured != entity.attributes["color"]:
                entity.attributes["color"] = measured
                entity.label = f"{measured} {entity.noun}"
                entity.last_turn = turn

    def warp_entities(self, working: dict[str, Entity], warp, shape: tuple[int, int], turn: int) -> None:
        for entity in working.values():
            if not entity.present or entity.region is None:
                continue
            mask = self.mask_of(entity.region, shape)
            moved = warp(mask)
            box = box_of_mask(moved)
            if box is None:
                entity.present = False
            else:
                entity.region = Region(box=box, mask_ref=self.images.put_mask(moved), area=int(moved.sum()))
