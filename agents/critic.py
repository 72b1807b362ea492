"""The critic: scores an edited image against this turn's intent and every standing constraint.

Scoring is by measurement, not opinion: the edited image is re-grounded and each operation is
checked for what it promised (removed things gone, recoloured things the new colour, moved things
at their new place), pixels outside the edit are compared with the original (PSNR/SSIM), and
every live constraint of earlier turns is checked. The score is the weakest of these, so one
broken promise cannot be averaged away; hints tell the decomposer what to change on a retry.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import cv2
import numpy as np

from engines.classical.colors import color_distance, rgb_to_lab
from engines.registry import EngineSet
from state.blobs import ImageRepository
from state.models import (
    Constraint,
    ConstraintVerdict,
    Critique,
    EditOperation,
    Entity,
    FeedbackHint,
    OperationVerdict,
    OpKind,
    Plan,
)

from .constraints import ConstraintChecker
from .executor import Execution, OpOutcome
from .measure import lab_stats, measured_color, preservation, preservation_score, region_pixels, window
from .regions import box_iou, box_mask, box_of_mask, dilate, erode, mask_iou

# Things the scene parser finds less than twice its detection floor (ΔE 10) apart from their
# surroundings are photo texture (a camera's knob, a shadow), not bystanders a fill could damage.
BYSTANDER_CONTRAST = 20.0
SAMPLE_PIXELS = 100_000  # regions larger than this are measured on an even sample of their pixels


@dataclass
class CritiqueRequest:
    before: np.ndarray
    after: np.ndarray
    after_ref: str
    plan: Plan
    execution: Execution
    constraints: list[Constraint]
    entities_before: list[Entity]
    threshold: float = 0.85
    intent_text: str = ""
    extra: dict = field(default_factory=dict)
    before_ref: str | None = None
    check_bystanders: bool = True


class OfflineCritic:
    name = "offline"

    def __init__(self, engines: EngineSet, images: ImageRepository) -> None:
        self.engines = engines
        self.images = images
        self.last_engine_ms = 0.0
        """Time the last critique spent in engine calls (re-grounding), for the turn's ``trace.engine_ms``."""

    def critique(self, request: CritiqueRequest) -> Critique:
        after = request.after
        started = time.perf_counter()
        detections = self.engines.grounder.ground(after, None, (), cache_key=request.after_ref)
        self.last_engine_ms = (time.perf_counter() - started) * 1000
        outcomes = {o.op_id: o for o in request.execution.outcomes}
        entities_after = {e.id: e for e in request.execution.entities}
        verdicts: list[OperationVerdict] = []
        hints: list[FeedbackHint] = []
        for op in request.plan.operations:
            outcome = outcomes.get(op.id)
            if outcome is None:
                verdicts.append(OperationVerdict(op_id=op.id, kind=op.kind, ok=False, score=0.0,
                                                 reason="the operation did not run"))
                continue
            verdict, hint = self._check_op(op, outcome, request, detections)
            if hint is not None and hint.kind == "switch_inpaint" and outcome.info.get("method_used"):
                hint.tried = [outcome.info["method_used"]]
            verdicts.append(verdict)
            if hint is not None:
                hints.append(hint)

        geometry = any(o.geometry_changed for o in request.execution.outcomes)
        changed = self._changed_union(request.execution.outcomes, request.before.shape[:2])
        global_change = geometry or (changed is None and bool(request.execution.outcomes))
        # A whole-image edit (a global filter, a crop) changes every pixel on purpose: nothing to preserve.
        metrics = {} if global_change else preservation(request.before, after, changed)

        touched = {i for op in request.plan.operations for i in op.entity_ids} | {
            o.entity_id for o in request.execution.outcomes if o.entity_id}
        checker = ConstraintChecker(after, request.before, detections, entities_after, self._entity_mask(after),
                                    touched, global_change)
        constraint_verdicts = [checker.check(c) for c in request.constraints if c.live]
        if request.check_bystanders and not global_change:
            bystanders, bystander_hints = self._bystanders(request, detections)
            constraint_verdicts += bystanders
            hints += bystander_hints
        for verdict in constraint_verdicts:
            if not verdict.holds:
                hints.extend(self._constraint_hints(verdict, request, changed))

        scores = [v.score for v in verdicts] + [v.score for v in constraint_verdicts]
        if metrics:
            scores.append(preservation_score(metrics))
        score = float(min(scores)) if scores else 1.0
        passed = score >= request.threshold
        feedback = self._feedback(verdicts, constraint_verdicts, metrics, passed)
        return Critique(score=round(score, 4), passed=passed, operations=verdicts, constraints=constraint_verdicts,
                        preservation={k: (round(v, 3) if v != float("inf") else 99.0) for k, v in metrics.items()},
                        feedback=feedback, hints=hints, backend=self.name)

    # ------------------------------------------------------------------ helpers

    def _mask(self, ref: str | None, shape) -> np.ndarray | None:
        if ref is None:
            return None
        mask = self.images.get_mask(ref)
        return mask if mask.shape == shape else None

    def _entity_mask(self, image: np.ndarray):
        shape = image.shape[:2]

        def mask_of(entity: Entity) -> np.ndarray | None:
            if entity.region is None:
                return None
            mask = self._mask(entity.region.mask_ref, shape)
            return mask if mask is not None else box_mask(entity.region.box, shape)

        return mask_of

    def _changed_union(self, outcomes: list[OpOutcome], shape) -> np.ndarray | None:
        union = np.zeros(shape, dtype=bool)
        for outcome in outcomes:
            if outcome.geometry_changed or outcome.changed_mask is None:
                return None
            mask = self._mask(outcome.changed_mask, shape)
            if mask is None:
                return None
            union |= mask
        return union

    def _bystanders(self, request: CritiqueRequest, detections) -> tuple[list[ConstraintVerdict], list[FeedbackHint]]:
        """Objects no operation was aimed at must still be there: an insertion or a move that
        lands on an object nobody mentioned is drift too, constraint or not."""
        before = request.before
        shape = before.shape[:2]
        earlier = self.engines.grounder.ground(before, None, (), cache_key=request.before_ref)
        targets, changes = [], []
        for op, outcome in zip(request.plan.operations, request.execution.outcomes, strict=False):
            target = self._mask(outcome.before_mask, shape)
            if target is not None:
                targets.append(target)
            changes.append((op, outcome, self._mask(outcome.changed_mask, shape)))
        verdicts, hints = [], []
        target_areas = [int(t.sum()) for t in targets]
        for index, thing in enumerate(earlier):
            if thing.attributes.get("contrast", BYSTANDER_CONTRAST) < BYSTANDER_CONTRAST:
                continue  # barely apart from its surroundings: photo texture, not an object to protect
            # Overlaps are counted inside the thing's box only: the rest of the image cannot add to them.
            x0, y0, x1, y1 = thing.box
            inside = (slice(y0, y1), slice(x0, x1))
            own = thing.mask[inside]
            area = int(own.sum())

            def shared(other: np.ndarray, own=own, inside=inside) -> int:
                return int(np.count_nonzero(own & other[inside]))

            # A part of a target (a sun's ray, a house's roof) is the target, not a bystander.
            if any((inter := shared(t)) > 0.5 * area or inter > 0.3 * (area + t_area - inter)
                   for t, t_area in zip(targets, target_areas, strict=True)):
                continue
            culprits = [(op, outcome) for op, outcome, changed in changes
                        if changed is not None and shared(changed) > 0.1 * area
                        and not op.params.get("overlap_ok")]
            if not culprits:
                continue
            if any(d.color == thing.color and box_iou(d.box, thing.box) >= 0.4 and mask_iou(d.mask, thing.mask) >= 0.5
                   for d in detections):
                continue
            name = f"the {thing.color or ''} {thing.noun}".replace("  ", " ")
            verdicts.append(ConstraintVerdict(constraint_id=f"scene-{index + 1}", description=f"{name} stays",
                                              holds=False, score=0.5, reason=f"{name} was covered or damaged"))
            for op, _ in culprits:
                kind = "avoid_entities" if op.kind in (OpKind.MOVE, OpKind.INSERT, OpKind.RESIZE, OpKind.TEXT) \
                    else "protect_entities"
                hints.append(FeedbackHint(kind=kind, op_id=op.id, entity_ids=["scene"],
                                          detail=f"{op.id} reached into {name}"))
        return verdicts, hints

    def _constraint_hints(self, verdict: ConstraintVerdict, request: CritiqueRequest, changed) -> list[FeedbackHint]:
        """Which operation broke the constraint, and how it should keep clear next time."""
        hints = []
        entity = next((e for e in request.execution.entities if e.id == verdict.entity_id), None)
        before_entity = next((e for e in request.entities_before if e.id == verdict.entity_id), None)
        region_entity = entity or before_entity
        if region_entity is None or region_entity.region is None:
            return [FeedbackHint(kind="retry", detail=verdict.reason)]
        shape = request.after.shape[:2]
        entity_mask = self._entity_mask(request.after)(region_entity)
        for op, outcome in zip(request.plan.operations, request.execution.outcomes, strict=False):
            op_mask = self._mask(outcome.changed_mask, shape)
            if op_mask is None or entity_mask is None or not (op_mask & entity_mask).any():
                continue
            kind = "avoid_entities" if op.kind in (OpKind.MOVE, OpKind.INSERT, OpKind.RESIZE, OpKind.TEXT) \
                else "protect_entities"
            hints.append(FeedbackHint(kind=kind, op_id=op.id, entity_ids=[verdict.entity_id],
                                      detail=f"{op.id} reached into {verdict.entity_id}: {verdict.reason}"))
        return hints or [FeedbackHint(kind="retry", detail=verdict.reason)]

    def _feedback(self, verdicts, constraint_verdicts, metrics, passed: bool) -> str:
        if passed:
            return ""
        lines = [f"{v.op_id} ({v.kind}): {v.reason}" for v in verdicts if not v.ok]
        lines += [f"constraint {v.constraint_id} broken: {v.reason}" for v in constraint_verdicts if not v.holds]
        if metrics and preservation_score(metrics) < 0.85:
            lines.append(f"pixels outside the edit changed (PSNR {metrics.get('psnr', 0):.1f} dB)")
        return "; ".join(lines) or "score below threshold"

    # ------------------------------------------------------------------ per-operation checks

    def _check_op(self, op: EditOperation, outcome: OpOutcome, request: CritiqueRequest, detections):
        before, after = request.before, request.after
        shape = after.shape[:2]
        before_mask = self._mask(outcome.before_mask, before.shape[:2])
        after_mask = self._mask(outcome.after_mask, shape)

        def verdict(ok: bool, reason: str, score: float | None = None, **metrics) -> OperationVerdict:
            value = score if score is not None else (0.95 if ok else 0.4)
            return OperationVerdict(op_id=op.id, kind=op.kind, ok=ok, score=round(float(value), 4), reason=reason,
                                    metrics={k: float(v) for k, v in metrics.items()})

        if op.kind == OpKind.REMOVE:
            return self._check_remove(op, before, after, before_mask, detections, verdict,
                                      self._mask(outcome.changed_mask, shape))

        if op.kind == OpKind.RECOLOR:
            color = measured_color(after, before_mask)
            wanted = op.params["color"]
            if color == wanted:
                return verdict(True, f"now {wanted}"), None
            return verdict(False, f"measured {color}, wanted {wanted}", 0.3), \
                FeedbackHint(kind="stronger", op_id=op.id, detail="the new colour did not take")

        if op.kind in (OpKind.MOVE, OpKind.RESIZE) or (op.kind in (OpKind.ROTATE, OpKind.FLIP) and after_mask is not None):
            return self._check_transform(op, request, before, after, before_mask, after_mask, detections, verdict)

        if op.kind == OpKind.INSERT:
            if after_mask is None or not after_mask.any():
                return verdict(False, "nothing was drawn", 0.0), FeedbackHint(kind="retry", op_id=op.id)
            best = max((mask_iou(d.mask, after_mask) for d in detections), default=0.0)
            changed = float((np.abs(after[after_mask].astype(np.int16) - before[after_mask].astype(np.int16))
                             .max(axis=1) > 20).mean()) if before.shape == after.shape else 1.0
            color = op.params.get("color")
            if color and op.params.get("noun") in _SHAPES and not op.params.get("use_reference"):
                measured = measured_color(after, after_mask)
                if best >= 0.6 and measured == color:
                    return verdict(True, f"a {color} {op.params.get('noun')} is there (IoU {best:.2f})", iou=best), None
                return verdict(False, f"found IoU {best:.2f}, colour {measured}", 0.45, iou=best), \
                    FeedbackHint(kind="avoid_entities", op_id=op.id, detail="the new object does not stand out")
            if changed > 0.3:
                return verdict(True, f"drawn ({changed:.0%} of its pixels new)", changed=changed), None
            return verdict(False, f"only {changed:.0%} of the object's pixels changed", 0.4), \
                FeedbackHint(kind="avoid_entities", op_id=op.id)

        if op.kind == OpKind.TEXT:
            if after_mask is None or not after_mask.any():
                return verdict(False, "no text was drawn", 0.0), FeedbackHint(kind="retry", op_id=op.id)
            ink = after[after_mask].astype(np.float32).mean(axis=0)
            distance = color_distance(tuple(int(v) for v in ink), tuple(op.params.get("rgb") or (0, 0, 0)))
            return verdict(distance < 40, f"text drawn (ink ΔE {distance:.0f})", ink_delta=distance), None

        if op.kind == OpKind.FILTER:
            return self._check_filter(op, before, after, before_mask)

        if op.kind in (OpKind.CROP, OpKind.ROTATE, OpKind.FLIP):
            return self._check_geometry(op, before, after, verdict), None

        return verdict(True, "not checked"), None

    def _check_remove(self, op, before, after, mask, detections, verdict, hole_mask=None):
        if mask is None:
            return verdict(False, "no region was removed", 0.0), None
        # Every ring below reaches at most 26 px beyond the object: measure on that window only.
        area = window(mask if hole_mask is None else (mask | hole_mask), 28)
        if area is None:
            return verdict(False, "no region was removed", 0.0), None
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
        grown = {radius: distance <= radius for radius in (4, 5, 10, 16, 26)}
        zone = grown[4]
        residue = [d for d in detections if overlap(d, zone) > 0.3 * _area(d)]
        removed_color = measured_color(before, mask)
        same = [d for d in residue if iou(d) > 0.3 and d.color == removed_color]
        if same:
            return verdict(False, f"a {removed_color} object is still there", 0.2), \
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
            return verdict(False, f"an outline of the removed object is left: {what}", 0.5,
                           fill_delta=fill_delta, halo=halo), \
                FeedbackHint(kind="grow_mask", op_id=op.id, detail="residue at the removed object's edge")
        if residue:
            return verdict(False, "something new appeared where the object was", 0.55, fill_delta=fill_delta), \
                FeedbackHint(kind="switch_inpaint", op_id=op.id, detail="the fill does not match its surroundings")
        if fill_delta > max(18.0, spread):
            return verdict(False, f"the filled hole differs from its surroundings (ΔE {fill_delta:.0f})", 0.6,
                           fill_delta=fill_delta), FeedbackHint(kind="switch_inpaint", op_id=op.id)
        delta = fill_delta
        return verdict(True, f"gone; the fill matches its surroundings (ΔE {delta:.1f})", 0.9 + 0.1 * max(0, 1 - delta / 18),
                       fill_delta=delta), None

    def _check_transform(self, op, request, before, after, before_mask, after_mask, detections, verdict):
        if after_mask is None or not after_mask.any():
            return verdict(False, "the object left the image", 0.2), FeedbackHint(kind="retry", op_id=op.id)
        best = max(detections, key=lambda d: mask_iou(d.mask, after_mask), default=None)
        iou = mask_iou(best.mask, after_mask) if best is not None else 0.0
        color_before = measured_color(before, before_mask) if before_mask is not None else None
        color_after = measured_color(after, after_mask)
        entity = next((e for e in request.execution.entities if e.id in op.entity_ids), None)
        is_shape = entity is not None and entity.noun in _SHAPES
        if iou < 0.6:
            # Composite objects are several detections: accept when the moved pixels look the same.
            # A plain shape must be found again as itself.
            if not is_shape and color_before is not None and color_before == color_after and \
                    (best is None or not _is_flat(best)):
                return verdict(True, f"moved (colour kept: {color_after})", 0.9, iou=iou), None
            return verdict(False, f"not found at its new place (IoU {iou:.2f})", 0.4, iou=iou), \
                FeedbackHint(kind="grow_mask", op_id=op.id)
        old_zone = before_mask & ~dilate(after_mask, 2) if before_mask is not None else None
        if old_zone is not None and old_zone.sum() > 0.2 * before_mask.sum():
            residue = [d for d in detections if (d.mask & old_zone).sum() > 0.5 * d.area
                       and d.color == color_before and mask_iou(d.mask, after_mask) < 0.3]
            if residue:
                return verdict(False, "a copy or trace is left at the old place", 0.5, iou=iou), \
                    FeedbackHint(kind="grow_mask", op_id=op.id, detail="residue at the old place")
        return verdict(True, f"at its new place (IoU {iou:.2f})", 0.9 + 0.1 * iou, iou=iou), None

    def _check_filter(self, op, before, after, mask):
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
        verdict = OperationVerdict(op_id=op.id, kind=op.kind, ok=bool(ok), score=0.95 if ok else 0.45,
                                   reason=f"{name} {'took effect' if ok else 'had too little effect'}",
                                   metrics={k: round(float(v), 3) for k, v in metrics.items()})
        return verdict, (None if ok else FeedbackHint(kind="stronger", op_id=op.id))

    def _check_geometry(self, op, before, after, verdict):
        if op.kind == OpKind.CROP:
            x0, y0, x1, y1 = op.params["box"]
            ok = after.shape[:2] == (y1 - y0, x1 - x0) and np.array_equal(after, before[y0:y1, x0:x1])
            return verdict(ok, f"cropped to {x1 - x0}x{y1 - y0}" if ok else "crop size is wrong")
        if op.kind == OpKind.FLIP:
            axis = 1 if op.params.get("axis") == "horizontal" else 0
            ok = np.array_equal(after, np.flip(before, axis=axis))
            return verdict(ok, f"flipped {op.params.get('axis')}" if ok else "not a mirror image")
        angle = float(op.params.get("angle", 90)) % 360
        if angle in (90.0, 270.0):
            ok = after.shape[:2] == before.shape[1::-1]
        elif angle == 180.0:
            ok = after.shape == before.shape
        else:
            ok = after.shape[0] >= before.shape[0] * 0.9
        return verdict(ok, f"rotated {angle:g}°" if ok else "rotation size is wrong")


def _area(detection) -> int:
    """A detection's pixel count, as the grounder recorded it (counting a full-size mask is not free)."""
    area = detection.attributes.get("area") if detection.attributes else None
    return int(area) if area is not None else detection.area


def _sample(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return region_pixels(image, mask, SAMPLE_PIXELS)


def _lab_delta(image: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    """ΔE between the median colours of two regions (0 when either is empty)."""
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
    if not region.any():
        return 0.0
    lab = rgb_to_lab(_sample(image, region).reshape(-1, 1, 3)).reshape(-1, 3)
    return float(np.median(np.linalg.norm(lab - np.median(lab, axis=0), axis=1)))


_SHAPES = {"circle", "ellipse", "square", "rectangle", "triangle", "star", "hexagon", "pentagon", "diamond", "heart"}


def _is_flat(detection) -> bool:
    return detection.noun in _SHAPES


__all__ = ["CritiqueRequest", "OfflineCritic", "box_of_mask"]
