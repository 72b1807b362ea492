"""The executor: runs a plan over the engines, keeping every intermediate image and a timing.

It is deliberately free of judgement: it does what the plan says and records what changed
(before/after masks of every touched object, updated entities) so the critic can check it.
"""

from __future__ import annotations

import inspect
import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from engines.base import EngineError, InsertSpec
from engines.classical.colors import color_name, rgb_of
from engines.registry import EngineSet
from state.blobs import ImageRepository
from state.models import EditOperation, Entity, OpKind, Plan, Region

from . import transforms
from .measure import window
from .regions import box_mask, box_of_mask, dilate, erode


class OpOutcome(BaseModel):
    """What one operation did, by reference (masks are blobs)."""

    model_config = ConfigDict(extra="forbid")

    op_id: str
    kind: OpKind
    entity_id: str | None = None
    before_mask: str | None = Field(default=None, description="the object before the op")
    after_mask: str | None = Field(default=None, description="the object after the op")
    changed_mask: str | None = Field(default=None, description="every pixel the op may change; None = all")
    geometry_changed: bool = False
    ms: float = 0.0
    engine: str = ""
    info: dict[str, Any] = Field(default_factory=dict)


class Execution(BaseModel):
    model_config = ConfigDict(extra="forbid")

    image_ref: str
    width: int
    height: int
    intermediate_refs: list[str] = Field(default_factory=list)
    outcomes: list[OpOutcome] = Field(default_factory=list)
    entities: list[Entity] = Field(default_factory=list)
    next_entity: int = 1
    engine_ms: float = 0.0


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

    def __init__(self, engines: EngineSet, images: ImageRepository) -> None:
        self.engines = engines
        self.images = images

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
        for index, op in enumerate(plan.operations):
            started, stored = time.perf_counter(), self.images.busy_ms
            current, outcome, next_entity = self._run_op(
                op, current, working, order, turn=turn, next_entity=next_entity, references=references,
                seed=seed + index, cache_key=cache_key if index == 0 else None,
            )
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

    # ------------------------------------------------------------------ one operation

    def _mask(self, region: Region | None, shape: tuple[int, int]) -> np.ndarray | None:
        if region is None:
            return None
        if region.mask_ref:
            mask = self.images.get_mask(region.mask_ref)
            if mask.shape == shape:
                return mask
        return box_mask(region.box, shape)

    def _other_objects(self, image: np.ndarray, target: np.ndarray, cache_key: str | None) -> np.ndarray | None:
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

    def _protected(self, op: EditOperation, working: dict[str, Entity], shape: tuple[int, int]) -> np.ndarray | None:
        masks = [self._mask(working[i].region, shape) for i in op.protect_entity_ids
                 if i in working and working[i].present and working[i].region]
        masks = [m for m in masks if m is not None]
        return np.logical_or.reduce(masks) if masks else None

    def _run_op(
        self, op: EditOperation, image: np.ndarray, working: dict[str, Entity], order: list[str], *,
        turn: int, next_entity: int, references, seed: int, cache_key: str | None = None,
    ) -> tuple[np.ndarray, OpOutcome, int]:
        shape = image.shape[:2]
        target = self._mask(op.region, shape)
        protected = self._protected(op, working, shape)
        entity_id = op.entity_ids[0] if op.entity_ids else None
        outcome = OpOutcome(op_id=op.id, kind=op.kind, entity_id=entity_id)
        kind = op.kind

        if kind == OpKind.REMOVE:
            grow = int(op.strategy.get("dilate", 3))
            hole = dilate(target, grow)
            if protected is not None:
                hole &= ~protected
            previous = getattr(self.engines.inpainter, "last_result", None)
            extra = {}
            if _accepts(self.engines.inpainter.inpaint, "avoid"):
                extra["avoid"] = self._other_objects(image, target, cache_key)
            result = self.engines.inpainter.inpaint(image, hole, method=op.strategy.get("method", "auto"),
                                                    prompt=op.params.get("prompt", ""), seed=seed, **extra)
            outcome.engine = self.engines.inpainter.name
            outcome.before_mask = self.images.put_mask(target)
            outcome.changed_mask = self.images.put_mask(hole)
            outcome.info = {"dilate": grow, "method": op.strategy.get("method", "auto"),
                            "method_used": getattr(self.engines.inpainter, "last_method", ""), "seed": seed,
                            **engine_call(self.engines.inpainter, previous)}
            self._touch(working, entity_id, turn, present=False)
            return result, outcome, next_entity

        if kind == OpKind.RECOLOR:
            rgb = tuple(op.params.get("rgb") or rgb_of(op.params["color"]))
            mask = target if protected is None else target & ~protected
            result = self.engines.recolorer.recolor(image, mask, rgb)
            outcome.engine = self.engines.recolorer.name
            outcome.before_mask = outcome.after_mask = self.images.put_mask(target)
            outcome.changed_mask = self.images.put_mask(dilate(target, 2))
            self._touch(working, entity_id, turn, color=op.params["color"])
            return result, outcome, next_entity

        if kind in (OpKind.MOVE, OpKind.RESIZE) or (kind in (OpKind.ROTATE, OpKind.FLIP) and target is not None
                                                     and op.target.scope != "image"):
            from engines.classical.geometry import transform_object

            previous = getattr(self.engines.inpainter, "last_result", None)
            result, new_mask = transform_object(
                image, target,
                dx=int(op.params.get("dx", 0)), dy=int(op.params.get("dy", 0)),
                scale=float(op.params.get("factor", 1.0)), angle=float(op.params.get("angle", 0.0)),
                flip=op.params.get("axis") if kind == OpKind.FLIP else None,
                inpainter=self.engines.inpainter, fill_method=op.strategy.get("method", "auto"),
                avoid_mask=protected,
            )
            outcome.engine = f"geometry+{self.engines.inpainter.name}"
            outcome.info = engine_call(self.engines.inpainter, previous)  # the background fill's seed
            outcome.before_mask = self.images.put_mask(target)
            outcome.after_mask = self.images.put_mask(new_mask)
            outcome.changed_mask = self.images.put_mask(dilate(target | new_mask, 3))
            self._touch(working, entity_id, turn, mask=new_mask, mask_ref=outcome.after_mask)
            return result, outcome, next_entity

        if kind == OpKind.INSERT:
            box = tuple(op.params["box"])
            reference = None
            if op.params.get("use_reference"):
                if not references:
                    raise EngineError("the instruction uses a reference image, but none was attached")
                reference = references[int(op.params.get("reference_index", 0))]
            spec = InsertSpec(noun=op.params.get("noun", "circle"), color=op.params.get("color"),
                              rgb=tuple(op.params["rgb"]) if op.params.get("rgb") else None,
                              prompt=op.params.get("prompt", ""), reference=reference)
            previous = getattr(self.engines.inserter, "last_result", None)
            result, mask = self.engines.inserter.insert(image, box, spec, seed=seed)
            if not mask.any():
                mask = box_mask(box, shape)
            outcome.engine = self.engines.inserter.name
            outcome.info = {"seed": seed, **engine_call(self.engines.inserter, previous)}
            outcome.after_mask = self.images.put_mask(mask)
            outcome.changed_mask = self.images.put_mask(dilate(box_mask(box, shape) | mask, 2))
            new_id = f"e{next_entity}"
            color = op.params.get("color")
            noun = op.params.get("noun", "object") if reference is None else op.params.get("noun", "logo")
            working[new_id] = Entity(
                id=new_id, label=" ".join(w for w in (color, noun) if w), noun=noun,
                attributes={"color": color} if color else {}, origin="added",
                region=Region(box=box_of_mask(mask), mask_ref=outcome.after_mask, area=int(mask.sum())),
                created_turn=turn, last_turn=turn,
            )
            order.append(new_id)
            outcome.entity_id = new_id
            return result, outcome, next_entity + 1

        if kind == OpKind.TEXT:
            box = tuple(op.params["box"])
            rgb = tuple(op.params.get("rgb") or (0, 0, 0))
            result, mask = self.engines.text.draw(image, op.params["text"], box, rgb=rgb)
            outcome.engine = self.engines.text.name
            outcome.after_mask = self.images.put_mask(mask)
            outcome.changed_mask = self.images.put_mask(dilate(box_mask(box, shape), 2))
            new_id = f"e{next_entity}"
            working[new_id] = Entity(
                id=new_id, label=f"text '{op.params['text']}'", noun="text",
                attributes={"text": op.params["text"], "rgb": list(rgb)}, origin="added",
                region=Region(box=box_of_mask(mask) or box, mask_ref=outcome.after_mask, area=int(mask.sum())),
                created_turn=turn, last_turn=turn,
            )
            order.append(new_id)
            outcome.entity_id = new_id
            return result, outcome, next_entity + 1

        if kind == OpKind.FILTER:
            mask = None if op.target.scope == "image" else target
            if protected is not None:
                mask = ~protected if mask is None else mask & ~protected
            result = self.engines.filter.apply(image, op.params["filter"], mask=mask,
                                               strength=float(op.params.get("strength", 1.0)))
            outcome.engine = self.engines.filter.name
            outcome.changed_mask = None if mask is None else self.images.put_mask(dilate(mask, 3))
            outcome.before_mask = None if mask is None else self.images.put_mask(mask)
            self._recolor_entities_in(result, mask, working, turn)
            return result, outcome, next_entity

        if kind in (OpKind.CROP, OpKind.ROTATE, OpKind.FLIP):
            if kind == OpKind.CROP:
                result, warp = transforms.crop(image, tuple(op.params["box"]))
            elif kind == OpKind.ROTATE:
                result, warp = transforms.rotate(image, float(op.params.get("angle", 90)))
            else:
                result, warp = transforms.flip(image, op.params.get("axis", "horizontal"))
            self._warp_entities(working, warp, shape, turn)
            outcome.engine = "transform"
            outcome.geometry_changed = True
            outcome.info = {"size": [int(result.shape[1]), int(result.shape[0])]}
            return result, outcome, next_entity

        raise EngineError(f"the executor cannot run a {kind} operation")

    # ------------------------------------------------------------------ entity bookkeeping

    def _touch(self, working: dict[str, Entity], entity_id: str | None, turn: int, *, present: bool | None = None,
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

    def _recolor_entities_in(self, image: np.ndarray, mask: np.ndarray | None, working: dict[str, Entity],
                             turn: int) -> None:
        """A filter can change what colour things are (grayscale, sepia); keep entity labels true."""
        shape = image.shape[:2]
        for entity in working.values():
            if not entity.present or entity.region is None or "color" not in entity.attributes:
                continue
            entity_mask = self._mask(entity.region, shape)
            if entity_mask is None or (mask is not None and not (entity_mask & mask).any()):
                continue
            inner = erode(entity_mask, 2)
            measured = color_name(tuple(int(v) for v in np.median(image[inner], axis=0)))
            if measured != entity.attributes["color"]:
                entity.attributes["color"] = measured
                entity.label = f"{measured} {entity.noun}"
                entity.last_turn = turn

    def _warp_entities(self, working: dict[str, Entity], warp, shape: tuple[int, int], turn: int) -> None:
        for entity in working.values():
            if not entity.present or entity.region is None:
                continue
            mask = self._mask(entity.region, shape)
            moved = warp(mask)
            box = box_of_mask(moved)
            if box is None:
                entity.present = False
            else:
                entity.region = Region(box=box, mask_ref=self.images.put_mask(moved), area=int(moved.sum()))
