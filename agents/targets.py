"""Target resolution: from what the user said (a TargetSpec) to regions in the current image.

This is where "the second circle from the left", "the other one" and "all the blue ones" become
masks. Grounding itself is the engines' job; this module filters, orders and disambiguates what
they find, and links it to the session's entities.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from engines.base import Detection, UnknownTarget
from engines.registry import EngineSet
from state.blobs import ImageRepository
from state.models import Entity, Region, TargetSpec

from .errors import TargetNotFound, cannot_find
from .kinds import same_kind
from .regions import (
    box_iou,
    box_mask,
    box_of_mask,
    canonical_position,
    describe_location,
    mask_iou,
    position_score,
)
from .relations import related

# Relative differences below this fraction of the image size count as a tie.
TIE_FRACTION = 0.06


@dataclass
class Candidate:
    """One thing a target could mean."""

    mask: np.ndarray
    box: tuple[int, int, int, int]
    noun: str
    color: str | None = None
    entity_id: str | None = None
    label: str = ""
    attributes: dict = field(default_factory=dict)

    @property
    def area(self) -> int:
        return int(self.mask.sum())

    def describe(self, shape: tuple[int, int]) -> str:
        words = " ".join(w for w in (self.color, self.noun) if w)
        return f"the {words or 'object'} {describe_location(self.box, shape)}"


@dataclass
class Resolution:
    candidates: list[Candidate]
    ambiguous: bool = False
    question: str = ""


@dataclass
class Scene:
    """What target resolution looks at: one image version and the entities in it."""

    image: np.ndarray
    image_ref: str
    entities: list[Entity]
    engines: EngineSet
    images: ImageRepository
    user_mask: np.ndarray | None = None
    tolerance: float = 1.0
    engine_ms: float = 0.0
    """Time spent inside engine calls (grounding, segmentation), for the turn's ``trace.engine_ms``."""
    _detections: dict[tuple, list[Detection]] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.image.shape[:2]

    def ground(self, noun: str | None = None, colors: tuple[str, ...] = ()) -> list[Detection]:
        key = (noun, colors, self.tolerance)
        if key not in self._detections:
            started = time.perf_counter()
            self._detections[key] = self.engines.grounder.ground(
                self.image, noun, colors, tolerance=self.tolerance, cache_key=self.image_ref
            )
            self.engine_ms += (time.perf_counter() - started) * 1000
        return self._detections[key]

    def segment(self, box: tuple[int, int, int, int]) -> np.ndarray | None:
        """The segmenter's mask for ``box`` in this image (its embedding cached per image version)."""
        started = time.perf_counter()
        try:
            return self.engines.segmenter.segment(self.image, box=box, cache_key=self.image_ref)
        finally:
            self.engine_ms += (time.perf_counter() - started) * 1000

    def entity_mask(self, entity: Entity) -> np.ndarray | None:
        if entity.region is None:
            return None
        if entity.region.mask_ref:
            mask = self.images.get_mask(entity.region.mask_ref)
            if mask.shape == self.shape:
                return mask
        return box_mask(entity.region.box, self.shape)

    def entity_candidate(self, entity: Entity) -> Candidate | None:
        """The entity as it is in this image: re-grounded when a detection matches its region."""
        stored = self.entity_mask(entity)
        if stored is None or not stored.any():
            return None
        best, best_iou = None, 0.0
        for detection in self.ground():
            iou = mask_iou(detection.mask, stored)
            if iou > best_iou:
                best, best_iou = detection, iou
        # A fresh detection tracks small drifts (anti-aliasing, a filter) better than the stored mask;
        # composite objects (a house, a logo) are several detections, so keep their stored mask.
        mask = best.mask if best is not None and best_iou > 0.6 else stored
        return Candidate(
            mask=mask, box=box_of_mask(mask) or entity.region.box, noun=entity.noun,
            color=entity.color, entity_id=entity.id, label=entity.label, attributes=dict(entity.attributes),
        )

    def match_entity(self, mask: np.ndarray, box: tuple[int, int, int, int] | None = None) -> Entity | None:
        box = box or box_of_mask(mask)
        if box is None:
            return None
        for entity in self.entities:
            if entity.present and entity.region is not None and box_iou(entity.region.box, box) > 0.5:
                stored = self.entity_mask(entity)
                if stored is not None and mask_iou(stored, mask) > 0.5:
                    return entity
        return None


def resolve(spec: TargetSpec, scene: Scene) -> Resolution:
    """All candidates the spec can mean, narrowed by its qualifiers; ambiguous when a singular
    target still has several."""
    thing = _thing(spec)
    try:
        candidates = _gather(spec, scene)
    except UnknownTarget as exc:  # the engines do not know this kind of thing at all
        raise cannot_find(thing, why="the offline grounder does not know what that looks like") from exc
    if not candidates:
        raise cannot_find(thing, why="nothing there matches it")
    candidates = narrow(candidates, spec, scene.shape)
    singular = not (spec.plural or spec.all)
    if spec.relation is not None and (len(candidates) > 1 or not singular):
        candidates = _by_relation(candidates, spec, scene)
    if singular and len(candidates) > 1:
        ordered = sorted(candidates, key=lambda c: (c.box[0], c.box[1]))
        names = [c.describe(scene.shape) for c in ordered]
        noun = spec.noun if spec.noun and spec.noun != "object" else "one"
        question = f"Which {noun} do you mean: " + ", ".join(names[:-1]) + f" or {names[-1]}?"
        return Resolution(candidates=ordered, ambiguous=True, question=question)
    return Resolution(candidates=candidates)


def _by_relation(candidates: list[Candidate], spec: TargetSpec, scene: Scene) -> list[Candidate]:
    """The candidates that stand in the said relation to the anchor ("the cup next to the laptop")."""
    relation = spec.relation
    assert relation is not None
    anchor = resolve(relation.anchor, scene)  # raises TargetNotFound naming the anchor when it is not there
    if anchor.ambiguous:
        return candidates  # which anchor is unclear: the question about the target says so
    anchor_box = anchor.candidates[0].box
    others = [c for c in candidates if not _same_thing(c.mask, anchor.candidates[0].mask)]
    picked = related([c.box for c in others], anchor_box, relation.rel)
    if not picked:
        raise cannot_find(_thing(spec), why=f"nothing like it is {relation.rel.replace('_', ' ')} "
                                            f"the {_thing(relation.anchor)}")
    return [others[i] for i in picked]  # several equally close: still ambiguous, the user is asked


def _spec_words(spec: TargetSpec) -> str:
    return " ".join([*spec.colors, spec.noun or "object"])


def _thing(spec: TargetSpec) -> str:
    """The target as the user said it, without its article ("the red cup" → "red cup")."""
    phrase = spec.phrase or _spec_words(spec)
    for article in ("the ", "a ", "an ", "this ", "that "):
        if phrase.lower().startswith(article):
            return phrase[len(article):]
    return phrase


def _gather(spec: TargetSpec, scene: Scene) -> list[Candidate]:
    shape = scene.shape
    if spec.reference == "user_region":
        if scene.user_mask is None or not scene.user_mask.any():
            raise TargetNotFound("the instruction points at a marked region, but no mask or box was given")
        mask = _refine_user_region(scene)
        entity = scene.match_entity(mask)
        return [Candidate(mask=mask, box=box_of_mask(mask), noun=entity.noun if entity else "region",
                          color=entity.color if entity else None, entity_id=entity.id if entity else None)]
    if spec.scope == "region" and spec.position:
        mask = named_area(spec.position, shape)
        return [Candidate(mask=mask, box=box_of_mask(mask), noun="region")]
    if spec.scope == "image":
        full = np.ones(shape, dtype=bool)
        return [Candidate(mask=full, box=(0, 0, shape[1], shape[0]), noun="image")]
    if spec.entity_ids:
        by_id = {e.id: e for e in scene.entities}
        found = [scene.entity_candidate(by_id[i]) for i in spec.entity_ids if i in by_id and by_id[i].present]
        found = [c for c in found if c is not None]
        if found:
            return found
        raise TargetNotFound("what the reference points at is no longer in the image")
    if spec.scope == "background" or spec.noun == "background":
        detections = scene.ground("background")
        return [_from_detection(d, scene) for d in detections]

    noun = None if spec.noun in (None, "object") else spec.noun
    detections = scene.ground(noun, tuple(spec.colors))
    candidates = [_from_detection(d, scene) for d in detections]
    # Entities the grounder cannot see as one object (a house, a pasted logo) are matched by name.
    seen = {c.entity_id for c in candidates if c.entity_id}
    for entity in scene.entities:
        if not entity.present or entity.id in seen:
            continue
        if noun is not None and not same_kind(entity.noun, noun):
            continue
        if noun is None and entity.origin not in ("added", "generated", "user"):
            continue
        if spec.colors and entity.color not in spec.colors:
            continue
        candidate = scene.entity_candidate(entity)
        if candidate is not None and not any(_same_thing(candidate.mask, c.mask) for c in candidates):
            candidates.append(candidate)
    if spec.exclude_entity_ids:
        excluded = [scene.entity_mask(e) for e in scene.entities if e.id in spec.exclude_entity_ids]
        candidates = [
            c for c in candidates
            if c.entity_id not in spec.exclude_entity_ids
            and not any(m is not None and mask_iou(m, c.mask) > 0.5 for m in excluded)
        ]
    return candidates


def _same_thing(a: np.ndarray, b: np.ndarray) -> bool:
    """Two masks of one thing: they overlap a lot, or one lies inside the other (a text entity's glyphs
    inside the box the text reader found around them)."""
    inter = int(np.logical_and(a, b).sum())
    return mask_iou(a, b) > 0.5 or inter > 0.7 * max(1, min(int(a.sum()), int(b.sum())))


def named_area(position: str, shape: tuple[int, int]) -> np.ndarray:
    """'the top half', 'the left side', 'the top-right corner', 'the middle' as a mask."""
    height, width = shape
    mask = np.zeros(shape, dtype=bool)
    position = canonical_position(position) or "center"
    if position == "center":
        mask[height // 4: height - height // 4, width // 4: width - width // 4] = True
        return mask
    rows = slice(0, height // 2) if "top" in position else slice(height - height // 2, height) \
        if "bottom" in position else slice(0, height)
    cols = slice(0, width // 2) if "left" in position else slice(width - width // 2, width) \
        if "right" in position else slice(0, width)
    mask[rows, cols] = True
    return mask


def _refine_user_region(scene: Scene) -> np.ndarray:
    """A drawn box or rough scribble → the object it points at (the object with most overlap)."""
    user = scene.user_mask
    best, best_cover = None, 0.0
    for detection in scene.ground():
        overlap = np.logical_and(detection.mask, user).sum()
        cover = overlap / max(detection.area, 1)
        if cover > best_cover:
            best, best_cover = detection, cover
    if best is not None and best_cover > 0.5:
        return best.mask
    box = box_of_mask(user)
    try:
        mask = scene.segment(box)
        if mask is not None and mask.any() and (mask & user).sum() > 0.3 * mask.sum():
            return mask
    except Exception:  # a segmenter failure falls back to the user's own region
        pass
    return user


def _from_detection(detection: Detection, scene: Scene) -> Candidate:
    entity = scene.match_entity(detection.mask, detection.box)
    return Candidate(
        mask=detection.mask, box=detection.box, noun=entity.noun if entity else detection.noun,
        color=detection.color, entity_id=entity.id if entity else None,
        label=entity.label if entity else detection.label, attributes=dict(detection.attributes),
    )


def narrow(candidates: list[Candidate], spec: TargetSpec, shape: tuple[int, int]) -> list[Candidate]:
    """Apply position, superlative, ordinal and size qualifiers."""
    height, width = shape
    tie = TIE_FRACTION * max(height, width)
    result = list(candidates)

    superlative = spec.superlative
    axis_for = {"leftmost": "left", "rightmost": "right", "topmost": "top", "bottommost": "bottom",
                "centermost": "center"}
    if superlative in axis_for:
        result = _extreme(result, lambda c: position_score(c.box, axis_for[superlative], shape) * max(shape),
                          tie)
    elif superlative in ("largest", "smallest"):
        sign = -1 if superlative == "largest" else 1
        result = _extreme(result, lambda c: sign * c.area, 0.15 * max(c.area for c in result), relative=True)

    position = canonical_position(spec.position)
    if position and len(result) > 1 and not (spec.plural or spec.all):
        result = _extreme(result, lambda c: position_score(c.box, position, shape) * max(shape), tie)
    elif position and (spec.plural or spec.all):
        result = [c for c in result if _in_area(c.box, position, shape)] or result

    if spec.ordinal is not None and result:
        axis = spec.ordinal_axis or "left"
        ordered = sorted(result, key=lambda c: position_score(c.box, canonical_position(axis) or "left", shape))
        index = spec.ordinal - 1 if spec.ordinal > 0 else len(ordered) + spec.ordinal
        if not 0 <= index < len(ordered):
            raise TargetNotFound(f"there are only {len(ordered)} matching objects, not {spec.ordinal}")
        result = [ordered[index]]

    if spec.size and len(result) > 1 and not (spec.plural or spec.all):
        sign = -1 if spec.size == "large" else 1
        result = _extreme(result, lambda c: sign * c.area, 0.15 * max(c.area for c in result), relative=True)
    return result


def _extreme(candidates: list[Candidate], key, tie: float, relative: bool = False) -> list[Candidate]:
    """The best candidate by ``key``, or every candidate within ``tie`` of it (still ambiguous)."""
    if len(candidates) <= 1:
        return candidates
    ordered = sorted(candidates, key=key)
    best = key(ordered[0])
    return [c for c in ordered if key(c) - best <= tie]


def _in_area(box, position: str, shape: tuple[int, int]) -> bool:
    height, width = shape
    cx, cy = (box[0] + box[2]) / 2 / width, (box[1] + box[3]) / 2 / height
    checks = {
        "left": cx < 0.5, "right": cx > 0.5, "top": cy < 0.5, "bottom": cy > 0.5,
        "center": abs(cx - 0.5) < 0.25 and abs(cy - 0.5) < 0.25,
    }
    return all(checks[part] for part in position.split("-"))


def candidate_region(candidate: Candidate, images: ImageRepository) -> Region:
    return Region(box=candidate.box, mask_ref=images.put_mask(candidate.mask), area=candidate.area)
