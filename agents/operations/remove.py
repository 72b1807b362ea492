"""remove: take the target out and fill the hole so it looks like its surroundings."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np

from state.models import ConstraintKind, OpKind

from ..artefacts import artefact_score
from ..measure import measured_color, region_pixels, window
from ..regions import dilate, erode
from .base import Operation, RunResult, target_phrase, verdict

INPAINT_METHODS = ("auto", "background", "patch", "telea", "ns")
SAMPLE_PIXELS = 100_000  # regions larger than this are measured on an even sample of their pixels


class Remove(Operation):
    kind = OpKind.REMOVE
    verb_families = frozenset({"remove", "take"})
    needs_target = True
    grows_on_retry = True

    def plan_object(self, builder, index, sub, clause, candidate, common):
        builder.add_op(index, sub, self.kind, clause, strategy={"dilate": 3, "method": "auto"},
                       protect=builder.others_protected(common["entity_ids"]), **common)

    def vary(self, op, variant, rng, shape):
        if op.strategy.get("method", "auto") == "auto":
            op.strategy["method"] = INPAINT_METHODS[variant % len(INPAINT_METHODS)]

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        target, protected, entity_id, outcome = executor.start(op, image, working)
        inpainter = executor.engines.inpainter
        grow = int(op.strategy.get("dilate", 3))
        hole = dilate(target, grow)
        if protected is not None:
            hole &= ~protected
        previous = getattr(inpainter, "last_result", None)
        extra: dict[str, Any] = {}
        if executor.accepts(inpainter.inpaint, "avoid"):
            extra["avoid"] = executor.other_objects(image, target, cache_key)
        if executor.accepts(inpainter.inpaint, "subject"):
            # What the hole was: a model-free fill refuses a face or a person (HoleTooLarge, which
            # the executor reports as a failed operation naming the neural inpainter).
            entity = working.get(entity_id) if entity_id else None
            extra["subject"] = entity.noun if entity is not None else (op.target.noun or "")
        result = inpainter.inpaint(image, hole, method=op.strategy.get("method", "auto"),
                                   prompt=op.params.get("prompt", ""), seed=seed, **extra)
        outcome.engine = inpainter.name
        outcome.before_mask = executor.images.put_mask(target)
        outcome.changed_mask = executor.images.put_mask(hole)
        outcome.info = {"dilate": grow, "method": op.strategy.get("method", "auto"),
                        "method_used": getattr(inpainter, "last_method", ""), "seed": seed,
                        **executor.engine_call(inpainter, previous)}
        executor.touch(working, entity_id, turn, present=False)
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        shape = context.after.shape[:2]
        mask = context.mask(outcome.before_mask, context.before.shape[:2])
        result, hint = check_removal(op, context.before, context.after, mask, context.detections,
                                     context.mask(outcome.changed_mask, shape))
        if hint is not None and hint.kind == "switch_inpaint" and outcome.info.get("method_used"):
            hint.tried = [outcome.info["method_used"]]
            if hint.tried == ["patch"] and result.metrics.get("texture_ratio", 1.0) < 1.0:
                # A texture copy that came out smeared is not helped by a diffusion (which smears
                # more): count those as tried, so the retry grows the hole and copies again.
                hint.tried += ["telea", "ns"]
        return result, [hint] if hint is not None else []

    def derive(self, op, entity, entities, add):
        if entity is not None and op.region is not None:
            add(ConstraintKind.ABSENT, entity.id, f"the {entity.label} stays removed", noun=entity.noun,
                color=entity.color, box=list(op.region.box))

    def supersedes(self, op, constraint, hit):
        return hit

    def describe(self, op):
        return f"removed {target_phrase(op)}"


def check_removal(op, before, after, mask, detections, hole_mask=None):
    """Gone, with no fragments, halo or new object left, and a fill like its surroundings."""
    from state.models import FeedbackHint

    if mask is None:
        return verdict(op, False, "no region was removed", 0.0), None
    # Every ring below reaches at most 26 px beyond the object: measure on that window only.
    area = window(mask if hole_mask is None else (mask | hole_mask), 28)
    if area is None:
        return verdict(op, False, "no region was removed", 0.0), None
    mask, before, after = mask[area], before[area], after[area]
    size = int(np.count_nonzero(mask))

    def overlap(detection, region) -> int:
        return int(np.count_nonzero(detection.mask[area] & region))

    def iou(detection) -> float:
        inter = overlap(detection, mask)
        union = _area(detection) + size - inter
        return inter / union if union else 0.0

    # One distance transform gives every ring (a dilation by a disc of radius r is distance ≤ r).
    distance = cv2.distanceTransform((~mask).view(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    zone = distance <= 4
    residue = [d for d in detections if overlap(d, zone) > 0.3 * _area(d)]
    removed_color = measured_color(before, mask)
    same = [d for d in residue if iou(d) > 0.3 and d.color == removed_color]
    if same:
        return verdict(op, False, f"a {removed_color} object is still there", 0.2), \
            FeedbackHint(kind="switch_inpaint", op_id=op.id, detail="the object was not erased")
    inside = erode(mask, 1)
    # Rings are measured outside the hole that was actually filled (the mask grows on retries)
    # and never on other objects, which are not "surroundings".
    hole = mask if hole_mask is None else hole_mask[area]
    others = np.zeros_like(mask)
    for d in detections:
        if d not in residue:
            others |= d.mask[area]
    others = dilate(others, 2)
    from_hole = distance if hole_mask is None else \
        cv2.distanceTransform((~hole).view(np.uint8), cv2.DIST_L2, cv2.DIST_MASK_PRECISE)
    near = (from_hole > 1) & (from_hole <= 6) & ~others
    far = (from_hole > 12) & (from_hole <= 22) & ~others
    fill_delta = _lab_delta(after, inside, near)
    # A halo (glow, shadow, anti-aliased fringe) is a near ring that differs from the wider
    # surroundings by more than they vary themselves: the mask must grow to take it.
    halo = _toward(after, near, far, before, mask)
    spread = _lab_spread(after, far)
    edge = zone & ~erode(mask, 2)
    ghosts = [d for d in residue if overlap(d, edge) > 0.5 * _area(d)]
    if ghosts or halo > max(12.0, 0.8 * spread):
        what = f"{len(ghosts)} fragment(s)" if ghosts else f"a halo around it (ΔE {halo:.0f})"
        return verdict(op, False, f"an outline of the removed object is left: {what}", 0.5,
                       fill_delta=fill_delta, halo=halo), \
            FeedbackHint(kind="grow_mask", op_id=op.id, detail="residue at the removed object's edge")
    if residue:
        return verdict(op, False, "something new appeared where the object was", 0.55, fill_delta=fill_delta), \
            FeedbackHint(kind="switch_inpaint", op_id=op.id, detail="the fill does not match its surroundings")
    if fill_delta > max(18.0, spread):
        return verdict(op, False, f"the filled hole differs from its surroundings (ΔE {fill_delta:.0f})", 0.6,
                       fill_delta=fill_delta), FeedbackHint(kind="switch_inpaint", op_id=op.id)
    # A smooth smear has the right median colour but none of the texture around it (seen only
    # against textured surroundings: on a plain or shaded ring the colour checks above say it all).
    looks = artefact_score(after, hole, exclude=others)
    figures = {"fill_delta": fill_delta, "artefact": looks.score, "texture_ratio": looks.texture_ratio,
               "seam": looks.seam}
    if looks.textured and not looks.passed:
        what = "smeared" if looks.texture_ratio < 1 else "noisier than its surroundings"
        return verdict(op, False, f"the fill looks {what} (texture {looks.texture_ratio:.2f}× the "
                       f"surroundings', artefact score {looks.score:.2f})", 0.5 + 0.2 * looks.score, **figures), \
            FeedbackHint(kind="switch_inpaint", op_id=op.id, detail="the fill does not look like its surroundings")
    return verdict(op, True, f"gone; the fill matches its surroundings (ΔE {fill_delta:.1f}, "
                   f"artefact score {looks.score:.2f})", 0.9 + 0.1 * max(0, 1 - fill_delta / 18), **figures), None


def _area(detection) -> int:
    """A detection's pixel count, as the grounder recorded it (counting a full-size mask is not free)."""
    area = detection.attributes.get("area") if detection.attributes else None
    return int(area) if area is not None else detection.area


def _sample(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return region_pixels(image, mask, SAMPLE_PIXELS)


def _lab_delta(image: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """ΔE between the median colours of two regions (0 when either is empty)."""
    from engines.classical.colors import rgb_to_lab

    if not a.any() or not b.any():
        return 0.0
    medians = np.stack([np.median(_sample(image, a), axis=0),
                        np.median(_sample(image, b), axis=0)]).astype(np.uint8)
    lab = rgb_to_lab(medians)
    return float(np.linalg.norm(lab[0] - lab[1]))


def _toward(image: np.ndarray, near: np.ndarray, far: np.ndarray, source: np.ndarray, obj: np.ndarray) -> float:
    """How far the near ring's colour is pulled from the wider surroundings toward the removed
    object's colour (ΔE along that direction): a glow or fringe of the object, not just a scene
    whose colours change with distance."""
    from engines.classical.colors import rgb_to_lab

    if not near.any() or not far.any() or not obj.any():
        return 0.0
    medians = np.stack([np.median(_sample(image, near), axis=0), np.median(_sample(image, far), axis=0),
                        np.median(_sample(source, obj), axis=0)]).astype(np.uint8)
    near_lab, far_lab, obj_lab = rgb_to_lab(medians)
    direction = obj_lab - far_lab
    length = float(np.linalg.norm(direction))
    if length < 1e-3:
        return 0.0
    return float(max(0.0, (near_lab - far_lab) @ direction / length))


def _lab_spread(image: np.ndarray, region: np.ndarray) -> float:
    """How much a region's colour varies: median distance to its median colour, in ΔE."""
    from engines.classical.colors import rgb_to_lab

    if not region.any():
        return 0.0
    lab = rgb_to_lab(_sample(image, region).reshape(-1, 1, 3)).reshape(-1, 3)
    return float(np.median(np.linalg.norm(lab - np.median(lab, axis=0), axis=1)))
