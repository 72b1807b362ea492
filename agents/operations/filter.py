"""filter: a look (blur, sharpen, grayscale, sepia, brightness, …) on the image, an object or the background."""

from __future__ import annotations

import numpy as np

from state.models import ConstraintKind, FeedbackHint, OperationVerdict, OpKind

from ..measure import lab_stats
from ..regions import dilate
from .base import Operation, RunResult, image_or

COLOR_CHANGING_FILTERS = {"grayscale", "sepia", "invert", "desaturate", "cartoon", "sketch", "warm", "cool"}


def _params(clause) -> dict:
    return {"filter": clause.params["filter"], "strength": float(clause.params.get("strength", 1.0))}


class Filter(Operation):
    kind = OpKind.FILTER
    verb_families = frozenset({"filter", "make", "adjust", "want"})
    image_level = True

    def complete_params(self, params, target):
        if "filter" not in params:
            raise ValueError("a filter operation needs params.filter")
        return params

    def plan(self, builder, index, clause, intent):
        if clause.target.scope == "image":
            builder.add_op(index, 0, self.kind, clause, params=_params(clause))
            return None
        return builder.each_target(self, index, clause, intent)

    def plan_object(self, builder, index, sub, clause, candidate, common):
        is_background = not common["entity_ids"]
        protect = builder.others_protected(common["entity_ids"]) if is_background else []
        builder.add_op(index, sub, self.kind, clause, params=_params(clause), protect=protect, **common)

    def vary(self, op, variant, rng, shape):
        op.params["strength"] = round(float(op.params.get("strength", 1.0)) * (1.0 + 0.25 * variant), 3)

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        target, protected, _, outcome = executor.start(op, image, working)
        mask = None if op.target.scope == "image" else target
        if protected is not None:
            mask = ~protected if mask is None else mask & ~protected
        result = executor.engines.filter.apply(image, op.params["filter"], mask=mask,
                                               strength=float(op.params.get("strength", 1.0)))
        outcome.engine = executor.engines.filter.name
        outcome.changed_mask = None if mask is None else executor.images.put_mask(dilate(mask, 3))
        outcome.before_mask = None if mask is None else executor.images.put_mask(mask)
        executor.recolor_entities_in(result, mask, working, turn)
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        mask = context.mask(outcome.before_mask, before.shape[:2])
        name = op.params["filter"]
        region = mask if op.target.scope != "image" else None
        b, a = lab_stats(before, region), lab_stats(after, region)
        expectations = {
            "blur": a["sharpness"] < 0.8 * b["sharpness"] or b["sharpness"] < 1,
            "denoise": a["sharpness"] <= b["sharpness"],
            "sharpen": a["sharpness"] > 1.1 * b["sharpness"] or b["sharpness"] < 1,
            "brighten": a["lightness"] > b["lightness"] + 2 or b["lightness"] > 97,
            "darken": a["lightness"] < b["lightness"] - 2 or b["lightness"] < 3,
            "contrast": a["contrast"] > b["contrast"] * 1.05 or b["contrast"] < 1,
            "soften_contrast": a["contrast"] < b["contrast"] * 0.95 or b["contrast"] < 1,
            "saturate": a["chroma"] > b["chroma"] * 1.05 or b["chroma"] < 2,
            "desaturate": a["chroma"] < b["chroma"] * 0.9 or b["chroma"] < 2,
            "grayscale": a["chroma"] < 3,
            "sepia": a["chroma"] < 40 and a["warmth"] > 2,
            "invert": abs(a["mean_rgb"] - (255 - b["mean_rgb"])) < 6,
            "warm": a["warmth"] > b["warmth"],
            "cool": a["warmth"] < b["warmth"],
        }
        changed = float(np.abs(after.astype(np.int16) - before.astype(np.int16)).mean()) \
            if before.shape == after.shape else 255.0
        ok = expectations.get(name, changed > 1.0)
        metrics = {f"before_{k}": v for k, v in b.items()} | {f"after_{k}": v for k, v in a.items()}
        result = OperationVerdict(op_id=op.id, kind=op.kind, ok=bool(ok), score=0.95 if ok else 0.45,
                                  reason=f"{name} {'took effect' if ok else 'had too little effect'}",
                                  metrics={k: round(float(v), 3) for k, v in metrics.items()})
        return result, ([] if ok else [FeedbackHint(kind="stronger", op_id=op.id)])

    def supersedes(self, op, constraint, hit):
        return op.params.get("filter") in COLOR_CHANGING_FILTERS and constraint.kind == ConstraintKind.COLOR \
            and (op.target.scope == "image" or hit)

    def describe(self, op):
        return f"applied {op.params.get('filter')} to {image_or(op)}"
