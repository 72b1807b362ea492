"""Scores for edited images and dialogues.

Object level (the primary figure): the output is re-grounded with the classical scene parser and
matched one-to-one against the ground-truth object list; a turn succeeds when every expected object
is found (right shape, colour, position and size within tolerances) and nothing unexpected is.
Pixel figures (L1, L2, PSNR, SSIM, preservation outside the edited area) are secondary: they are
only meaningful when the rendered target is exact (no text or stylistic filter in play).

Dialogue figures:
- SR@k: among dialogues with at least k turns, the fraction whose turns 1..k all succeed.
- CR@k: among dialogues with at least k turns, the fraction that collapsed by turn k; a turn has
  collapsed when its object F1 < ``COLLAPSE_F1`` or, with an exact target, SSIM < ``COLLAPSE_SSIM``.
- Constraint drift at a turn: of the facts earlier turns established that still hold in the ground
  truth (a later edit or undo retires the rest), the fraction the output breaks.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from engines.base import Detection

from .models import Box, GTConstraint, GTObject

COLLAPSE_F1 = 0.5
COLLAPSE_SSIM = 0.3
POS_TOL_FRACTION = 0.04  # default centre tolerance, of the longer image side
SIZE_TOL = 0.12  # default relative size tolerance (size = sqrt of box area)
NOISE_AREA = 0.004  # unexpected detections smaller than this share of the image are ignored
ACHROMATIC = frozenset({"gray", "black", "white"})
_NOUN_GROUP = {"ellipse": "circle", "rectangle": "square"}


def noun_group(noun: str) -> str:
    """Circle/ellipse and square/rectangle differ only by aspect, which a resize can change."""
    return _NOUN_GROUP.get(noun, noun)


def _size(box: Sequence[float]) -> float:
    return float(max(0.0, (box[2] - box[0]) * (box[3] - box[1])) ** 0.5)


def _center(box: Sequence[float]) -> tuple[float, float]:
    return ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)


def box_iou(a: Sequence[float], b: Sequence[float]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = _size(a) ** 2 + _size(b) ** 2 - inter
    return inter / union if union > 0 else 0.0


def colors_match(expected: str, found: str | None, *, grayscale: bool = False) -> bool:
    if grayscale:
        return found in ACHROMATIC
    return found == expected


def object_fits(obj: GTObject, det: Detection, width: int, height: int, *, grayscale: bool = False) -> bool:
    """Does a detection count as this ground-truth object?"""
    if noun_group(det.noun) != noun_group(obj.noun) or not colors_match(obj.color, det.color, grayscale=grayscale):
        return False
    pos_tol = obj.pos_tol if obj.pos_tol is not None else max(6.0, POS_TOL_FRACTION * max(width, height))
    (cx, cy), (dx, dy) = obj.center, det.center
    if ((cx - dx) ** 2 + (cy - dy) ** 2) ** 0.5 > pos_tol:
        return False
    size_tol = obj.size_tol if obj.size_tol is not None else SIZE_TOL
    return abs(_size(det.box) / max(obj.size, 1e-6) - 1.0) <= size_tol


@dataclass
class ObjectMatch:
    """One-to-one match of re-grounded detections against the expected objects."""

    matched: dict[str, int] = field(default_factory=dict)  # object id → detection index
    missing: list[str] = field(default_factory=list)
    extra: list[int] = field(default_factory=list)
    n_expected: int = 0

    @property
    def precision(self) -> float:
        found = len(self.matched) + len(self.extra)
        return len(self.matched) / found if found else 1.0

    @property
    def recall(self) -> float:
        return len(self.matched) / self.n_expected if self.n_expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def success(self) -> bool:
        return not self.missing and not self.extra


def _ignorable(det: Detection, width: int, height: int, free_boxes: Iterable[Box],
               background: Sequence[Detection]) -> bool:
    if det.area < NOISE_AREA * width * height:
        return True
    cx, cy = det.center
    if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in free_boxes):
        return True
    return any(box_iou(det.box, bg.box) >= 0.3 for bg in background)


def match_objects(detections: Sequence[Detection], objects: Sequence[GTObject], width: int, height: int, *,
                  free_boxes: Iterable[Box] = (), background: Sequence[Detection] = (),
                  grayscale: bool = False) -> ObjectMatch:
    """Greedy one-to-one matching, closest centres first.

    ``background`` are detections the parser finds in the background alone (photo regions) and
    ``free_boxes`` areas where new marks are expected (text): unmatched detections there are not
    counted as extra.
    """
    pairs: list[tuple[float, str, int]] = []
    for obj in objects:
        for j, det in enumerate(detections):
            if object_fits(obj, det, width, height, grayscale=grayscale):
                (cx, cy), (dx, dy) = obj.center, det.center
                pairs.append(((cx - dx) ** 2 + (cy - dy) ** 2, obj.id, j))
    pairs.sort()
    match = ObjectMatch(n_expected=len(objects))
    used: set[int] = set()
    for _, oid, j in pairs:
        if oid in match.matched or j in used:
            continue
        match.matched[oid] = j
        used.add(j)
    match.missing = [o.id for o in objects if o.id not in match.matched]
    free = list(free_boxes)
    match.extra = [j for j, det in enumerate(detections)
                   if j not in used and not _ignorable(det, width, height, free, background)]
    return match


def constraint_holds(constraint: GTConstraint, detections: Sequence[Detection], width: int, height: int, *,
                     grayscale: bool = False) -> bool:
    """A "present" fact holds when a matching object is there; an "absent" one when none is."""
    obj = GTObject(id=constraint.object_id, noun=constraint.noun, color=constraint.color, box=constraint.box,
                   pos_tol=max(8.0, 0.06 * max(width, height)), size_tol=0.25)
    found = any(object_fits(obj, det, width, height, grayscale=grayscale) for det in detections)
    return found if constraint.kind == "present" else not found


def constraint_in_truth(constraint: GTConstraint, objects: Sequence[GTObject]) -> bool:
    """Whether the ground truth still holds an earlier fact (later edits and undos retire facts)."""
    same = [o for o in objects if o.id == constraint.object_id]
    if constraint.kind == "absent":
        return not same
    return bool(same) and same[0].color == constraint.color and _close(same[0].box, constraint.box)


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(abs(x - y) < 1.0 for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------------------------------- pixels


def _as_float(image: np.ndarray) -> np.ndarray:
    return np.asarray(image, dtype=np.float64) / 255.0


def pixel_metrics(output: np.ndarray, target: np.ndarray) -> dict[str, float]:
    """L1 and L2 (mean absolute / squared error on [0, 1]), PSNR (dB, capped at 99) and SSIM."""
    from skimage.metrics import structural_similarity

    if output.shape != target.shape:
        raise ValueError(f"output {output.shape} and target {target.shape} differ in size")
    a, b = _as_float(output), _as_float(target)
    l1 = float(np.abs(a - b).mean())
    l2 = float(((a - b) ** 2).mean())
    psnr = 99.0 if l2 == 0 else min(99.0, float(10 * np.log10(1.0 / l2)))
    ssim = float(structural_similarity(output, target, channel_axis=2, data_range=255))
    return {"l1": l1, "l2": l2, "psnr": psnr, "ssim": ssim}


def outside_mask(shape_hw: tuple[int, int], boxes: Iterable[Sequence[float]], margin: int = 4) -> np.ndarray:
    """True outside every box (each grown by ``margin`` px for anti-aliased rims)."""
    keep = np.ones(shape_hw, dtype=bool)
    height, width = shape_hw
    for box in boxes:
        x0, y0 = max(0, int(np.floor(box[0])) - margin), max(0, int(np.floor(box[1])) - margin)
        x1, y1 = min(width, int(np.ceil(box[2])) + margin), min(height, int(np.ceil(box[3])) + margin)
        keep[y0:y1, x0:x1] = False
    return keep


def preservation(output: np.ndarray, target: np.ndarray, edited_boxes: Iterable[Sequence[float]], *,
                 margin: int = 4, tolerance: int = 12) -> dict[str, float]:
    """How well everything outside the edited area was kept: mean abs error there and the share of
    its pixels within ``tolerance`` (0–255) on every channel."""
    keep = outside_mask(output.shape[:2], edited_boxes, margin)
    if not keep.any():
        return {"preserve_l1": 0.0, "preserve_frac": 1.0}
    diff = np.abs(output.astype(np.int16) - target.astype(np.int16))[keep]
    return {"preserve_l1": float(diff.mean() / 255.0), "preserve_frac": float((diff.max(axis=1) <= tolerance).mean())}


def changed(output: np.ndarray, before: np.ndarray, box: Sequence[float], threshold: float = 0.02) -> bool:
    """Did the pixels in ``box`` visibly change (used for text, whose exact pixels are unknown)?"""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    a = output[y0:y1, x0:x1].astype(np.int16)
    b = before[y0:y1, x0:x1].astype(np.int16)
    if a.size == 0:
        return False
    return float((np.abs(a - b).max(axis=2) > 40).mean()) >= threshold


def collapsed(f1: float, ssim: float | None) -> bool:
    """A turn whose image no longer resembles the target (see the module docstring)."""
    return f1 < COLLAPSE_F1 or (ssim is not None and ssim < COLLAPSE_SSIM)


# ------------------------------------------------------------------------------------ dialogues


def success_at_k(dialogue_successes: Sequence[Sequence[bool]], k: int) -> float | None:
    """SR@k over dialogues with at least k turns (None when there are none)."""
    eligible = [turns for turns in dialogue_successes if len(turns) >= k]
    if not eligible:
        return None
    return sum(all(turns[:k]) for turns in eligible) / len(eligible)


def collapse_at_k(dialogue_collapses: Sequence[Sequence[bool]], k: int) -> float | None:
    """CR@k over dialogues with at least k turns (None when there are none)."""
    eligible = [turns for turns in dialogue_collapses if len(turns) >= k]
    if not eligible:
        return None
    return sum(any(turns[:k]) for turns in eligible) / len(eligible)


@dataclass
class Calibration:
    """How far the critic's verdict can be trusted, and what its loop achieves."""

    accuracy: float | None  # passed == truly succeeded, over edit turns with a critique
    false_pass: float | None  # critic passed, truth failed, share of edit turns
    false_fail: float | None
    first_failed: int  # turns whose first attempt the critic rejected
    fixed_by_loop: int  # … of which the final result truly succeeded
    fix_rate: float | None
    points: list[tuple[float, bool]]  # (score, success) for plots


def critic_calibration(turns: Iterable[dict]) -> Calibration:
    """``turns``: dicts with critic_passed, critic_score, success, first_attempt_passed."""
    rows = [t for t in turns if t.get("critic_passed") is not None]
    n = len(rows)
    agree = sum(bool(t["critic_passed"]) == bool(t["success"]) for t in rows)
    false_pass = sum(bool(t["critic_passed"]) and not t["success"] for t in rows)
    false_fail = sum((not t["critic_passed"]) and bool(t["success"]) for t in rows)
    first_failed = [t for t in rows if t.get("first_attempt_passed") is False and (t.get("attempts") or 0) > 1]
    fixed = sum(bool(t["success"]) for t in first_failed)
    return Calibration(
        accuracy=agree / n if n else None, false_pass=false_pass / n if n else None,
        false_fail=false_fail / n if n else None, first_failed=len(first_failed), fixed_by_loop=fixed,
        fix_rate=fixed / len(first_failed) if first_failed else None,
        points=[(float(t["critic_score"] or 0.0), bool(t["success"])) for t in rows],
    )
