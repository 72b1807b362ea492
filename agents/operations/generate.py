"""generate: paint a whole picture from words, each named object in its planned box.

Planning is layout.py's (the graph's decompose node calls it for a ``generate``
intent); this module runs the plan through whichever generator is configured, checks that every
planned object is there, and keeps the drawn objects as entities."""

from __future__ import annotations

import numpy as np

from engines.classical.scene import parse_scene
from state.models import ConstraintKind, OpKind

from ..measure import measured_color
from ..placement import clamp_box
from ..regions import box_iou, box_of_mask, mask_iou
from .base import Operation, RunResult, verdict
from .layout import run_generate


class Generate(Operation):
    kind = OpKind.GENERATE

    def vary(self, op, variant, rng, shape):
        height, width = shape
        for obj in op.params["objects"]:
            x0, y0, x1, y1 = obj["box"]
            dx, dy = int(rng.uniform(-0.05, 0.05) * width), int(rng.uniform(-0.05, 0.05) * height)
            obj["box"] = list(clamp_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy), shape))
        op.params["seed"] = int(op.params.get("seed", 0)) + variant
        op.params["variant"] = variant

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        images = executor.images
        picture, created, masks, engine = run_generate(op, executor.engines, turn=turn, seed=seed)
        for entity, mask in zip(created, masks, strict=True):
            if entity.region:
                entity.region = entity.region.model_copy(update={"mask_ref": images.put_mask(mask)})
        union = np.logical_or.reduce(masks) if masks else np.zeros(picture.shape[:2], bool)
        outcome = executor.outcome(op, created[0].id if created else None)
        outcome.after_mask = images.put_mask(union)
        outcome.geometry_changed = True
        outcome.engine = engine
        outcome.info = {"objects": {e.id: e.region.mask_ref for e in created if e.region},
                        "seed": int(op.params.get("seed", seed))}
        for entity in created:  # the drawn objects replace whatever had their ids
            if entity.id in working:
                order.remove(entity.id)
            working[entity.id] = entity
            order.append(entity.id)
        ids = [int(e.id[1:]) + 1 for e in created if e.id[1:].isdigit()]
        return RunResult(picture, outcome, max([next_entity, *ids]))

    def check(self, context, op, outcome):
        """Every planned object is in the picture, in its colour, near its box."""
        image, images = context.after, context.images
        detections = parse_scene(image)
        masks = outcome.info.get("objects", {})
        problems, ious = [], []
        for obj in op.params["objects"]:
            ref = masks.get(obj["id"])
            mask = images.get_mask(ref) if ref else None
            if mask is None or not mask.any():
                problems.append(f"the {obj['label']} is not visible")
                continue
            color = measured_color(image, mask)
            if color != obj["color"]:
                problems.append(f"the {obj['label']} came out {color}")
            ious.append(max((mask_iou(d.mask, mask) for d in detections), default=0.0))
            box = box_of_mask(mask) or (0, 0, 1, 1)
            if box_iou(tuple(obj["box"]), tuple(int(v) for v in box)) < 0.3:
                problems.append(f"the {obj['label']} is not where it was planned")
        score = 0.95 if not problems else max(0.2, 0.9 - 0.2 * len(problems))
        reason = "; ".join(problems) or f"{len(op.params['objects'])} object(s) drawn as planned"
        return verdict(op, not problems, reason, score, objects=float(len(op.params["objects"])),
                       min_iou=float(min(ious)) if ious else 0.0), []

    def derive(self, op, entity, entities, add):
        for generated_id in op.entity_ids:
            generated = entities.get(generated_id)
            if generated is not None and generated.present:
                add(ConstraintKind.PRESENT, generated_id, f"the {generated.label} stays visible where it is",
                    color=generated.color, noun=generated.noun)

    def describe(self, op):
        objects = ", ".join(o["label"] for o in op.params.get("objects", []))
        return f"drew {objects} on a {op.params.get('background', {}).get('kind', 'plain')} background"
