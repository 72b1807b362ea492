"""background: change everything behind the kept foreground ("put it on a white background",
"change the background to a forest", "a gradient sky", "… but remain the bear unchanged").

The foreground is what the message keeps (``keep``, the clause's own object target, or the
intent's keep-constraints), else every object the grounder sees plus the segmented subject. Offline
the new backdrop is a colour, a two-colour gradient or a scene composer background (a scene word
it has none for is painted as the nearest one, and the reply says so); with an inpainter a prompt
steers, a scene is painted by the model. Either way the foreground goes back over it through a soft
matte, so its pixels are the original's bit for bit away from its edge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engines.base import EngineError
from engines.classical.backdrop import (
    Backdrop,
    backdrop_of,
    decontaminated,
    edge_radius,
    paint_backdrop,
    soft_alpha,
)
from engines.classical.colors import color_name, rgb_to_lab
from state.models import ConstraintKind, FeedbackHint, OpKind, Region, TargetSpec

from ..errors import InstructionError, TargetNotFound, cannot_find
from ..regions import box_of_mask, erode, mask_iou
from ..targets import Candidate, resolve
from .base import Operation, RunResult, keeps_presence, verdict
from .material import prompted

BACKGROUND = TargetSpec(phrase="the background", noun="background", scope="background")
NOT_OBJECTS = (None, "background", "object", "image")
BEHIND = ("background", "sky", "region", "image", "ground")  # entities that are part of what is replaced


def keep_specs(clause, intent) -> list[TargetSpec]:
    """What the message says stays: ``keep``, an object named as the clause's target, the intent's keeps."""
    raw = clause.params.get("keep") or []
    specs = [TargetSpec.model_validate(s) for s in (raw if isinstance(raw, list) else [raw])]
    target = clause.target
    if target.scope == "object" and (target.noun not in NOT_OBJECTS or target.entity_ids or target.reference):
        specs.append(target)
    specs += [s for s in intent.keep if s.scope != "image"]
    return specs


def _backdrop(params: dict[str, Any], neural: bool) -> Backdrop:
    scene = params.get("scene")
    try:
        return backdrop_of(color=params.get("color"), gradient=params.get("gradient"), scene=scene)
    except EngineError as exc:
        if neural and scene and not params.get("color") and not params.get("gradient"):
            return Backdrop("scene", scene=" ".join(str(scene).lower().split()))  # a model paints any scene
        raise InstructionError(f"cannot change the background: {exc}") from exc


class Background(Operation):
    kind = OpKind.BACKGROUND
    verb_families = frozenset({"make", "want", "place", "insert"})
    target_scope = "background"

    def complete_params(self, params, target):
        given = [k for k in ("color", "gradient", "scene") if params.get(k)]
        if len(given) != 1:
            raise ValueError("a background operation needs exactly one of params.color, params.gradient, params.scene"
                             + (f" (got {', '.join(given)})" if given else ""))
        if "gradient" in given and len(params["gradient"]) != 2:
            raise ValueError("params.gradient takes exactly two colours")
        return params

    def plan(self, builder, index, clause, intent):
        scene = builder.scene
        neural = prompted(scene.engines.inpainter)
        backdrop = _backdrop(clause.params, neural)
        kept: list[Candidate] = []
        specs = keep_specs(clause, intent)
        said_apart = [s for s in intent.keep if s.scope != "image"]  # "…, but keep the cat": a wish, not the target
        for spec in specs:
            try:
                kept += resolve(spec, scene).candidates  # every match stays: keeping is never ambiguous
            except TargetNotFound as exc:
                if any(spec is s for s in said_apart):
                    continue  # reported with the turn's other keep-constraints (agents/keep.py); the edit goes on
                raise exc.for_verb("keep") from exc.__cause__
        foreground = np.zeros(builder.shape, bool)
        for candidate in kept:
            foreground |= candidate.mask
        if not kept:
            foreground = subject_mask(scene)
        if not foreground.any() or foreground.all():
            raise cannot_find("what stays in front of the background", verb="keep",
                              why="no object or subject was found to keep")
        background = ~foreground
        keep_ids = sorted({builder.entity_for(c) for c in kept})
        covered = [e.id for e in scene.entities if e.present and e.id not in keep_ids
                   and (mask := scene.entity_mask(e)) is not None and (mask & background).sum() > 0.5 * mask.sum()]
        params = {"backdrop": {"kind": backdrop.kind, "colors": list(backdrop.colors), "scene": backdrop.scene},
                  "composer": backdrop.composer, "approximated": backdrop.approximated,
                  "render": "inpaint" if neural and backdrop.kind == "scene" else "paint",
                  "prompt": f"{backdrop.scene}, background, detailed, natural light" if backdrop.scene else "",
                  "keep_ids": keep_ids, "kept": [_said(spec) for spec in specs],
                  "covered_ids": covered}
        protect = sorted((set(keep_ids) | set(builder.protected_ids)) - set(covered))
        region = Region(box=box_of_mask(background), mask_ref=scene.images.put_mask(background),
                        area=int(background.sum()))
        builder.add_op(index, 0, self.kind, clause.model_copy(update={"target": BACKGROUND}), params=params,
                       region=region, protect=protect)
        return None

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        background = executor.mask_of(op.region, shape)
        foreground = ~background
        protected = executor.protected(op, working, shape)
        if protected is not None:
            foreground |= protected
        alpha = soft_alpha(image, foreground, edge_radius(shape))
        outcome = executor.outcome(op, None)
        inpainter = executor.engines.inpainter
        if op.params.get("render") == "inpaint" and prompted(inpainter):
            previous = getattr(inpainter, "last_result", None)
            backdrop = inpainter.inpaint(image, alpha < 1.0, prompt=op.params["prompt"], seed=seed)
            outcome.engine = inpainter.name
            outcome.info = {"render": "inpaint", **executor.engine_call(inpainter, previous)}
        else:
            backdrop = paint_backdrop(shape[1], shape[0], Backdrop(**op.params["backdrop"]))
            outcome.engine = "classical-backdrop"
            outcome.info = {"render": "paint", "composer": op.params.get("composer", "")}
        result, alpha = decontaminated(image, backdrop, foreground, alpha)  # no halo of the old backdrop
        outcome.info["edge_radius"] = edge_radius(shape)
        outcome.before_mask = executor.images.put_mask(background)
        outcome.changed_mask = executor.images.put_mask(alpha < 1.0)
        for entity_id in op.params.get("covered_ids", []):
            executor.touch(working, entity_id, turn, present=False)
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        shape = before.shape[:2]
        background = context.mask(outcome.before_mask, shape)
        changed = context.mask(outcome.changed_mask, shape)
        if background is None or changed is None or before.shape != after.shape:
            return verdict(op, False, "no background was replaced", 0.0), []
        kept = ~changed
        moved = int(np.count_nonzero(np.any(before[kept] != after[kept], axis=-1)))
        if moved:
            return verdict(op, False, f"{moved} pixels of the kept foreground changed", 0.3), \
                [FeedbackHint(kind="retry", op_id=op.id, detail="the foreground was painted over")]
        lost = _lost_objects(context, background)
        if lost:
            return verdict(op, False, f"{', '.join(lost)} can no longer be found in front", 0.4), \
                [FeedbackHint(kind="retry", op_id=op.id, detail="a kept object was lost")]
        core = erode(background, int(outcome.info.get("edge_radius", 3)) + 2)
        if not core.any():
            return verdict(op, True, "the foreground is kept; too little background left to measure"), []
        if outcome.info.get("render") == "inpaint":
            delta = float(np.abs(after[core].astype(np.int16) - before[core].astype(np.int16)).mean())
            ok = delta > 10
            return verdict(op, ok, f"a new {op.params['backdrop']['scene']} background (mean change {delta:.0f})"
                           if ok else f"the background barely changed ({delta:.0f})", change=delta), \
                [] if ok else [FeedbackHint(kind="retry", op_id=op.id)]
        ok, reason, metrics = _matches_backdrop(after, core, Backdrop(**op.params["backdrop"]))
        return verdict(op, ok, f"foreground kept bit for bit; {reason}", **metrics), \
            [] if ok else [FeedbackHint(kind="retry", op_id=op.id, detail=reason)]

    def derive(self, op, entity, entities, add):
        for entity_id in op.params.get("keep_ids", []):
            keeps_presence(op, entities.get(entity_id), add)

    def supersedes(self, op, constraint, hit):
        # A whole-image look no longer holds behind the subject; things that were in the background are gone.
        return constraint.kind == ConstraintKind.GLOBAL or constraint.entity_id in op.params.get("covered_ids", [])

    def describe(self, op):
        params = op.params
        backdrop = params.get("backdrop", {})
        who = " and ".join(params.get("kept") or []) or "it"
        colors = backdrop.get("colors") or []
        if backdrop.get("kind") == "color":
            return f"put {who} on a {colors[0]} background"
        if backdrop.get("kind") == "gradient":
            return f"put {who} on a {colors[0]}-to-{colors[1]} gradient background"
        scene = backdrop.get("scene", "")
        if params.get("render") == "inpaint":
            return f"painted {_article(scene)} {scene} background behind {who}"
        if params.get("approximated"):
            return (f"put {who} on {_composer_words(params.get('composer', ''))} for '{scene}' (offline: the "
                    f"nearest composer background; configure an inpainting model for a real {scene})")
        return f"put {who} on {_article(scene)} {scene} background"


def subject_mask(scene) -> np.ndarray:
    """Every object the grounder sees, the things the session talked about (a glass or wooden object
    is no flat detection any more), and the segmented subject of a photo."""
    foreground = np.zeros(scene.shape, bool)
    objects = [d for d in scene.ground() if d.noun != "background"]
    for detection in objects:
        foreground |= detection.mask
    for entity in scene.entities:
        if entity.present and entity.noun not in BEHIND:
            mask = scene.entity_mask(entity)
            if mask is not None:
                foreground |= mask
    try:
        subjects = scene.ground("subject")
    except EngineError:
        subjects = []
    found_things = foreground.any()
    for subject in subjects:
        # A person found from a face always counts; a guess (saliency, the centre) only when nothing
        # else was found, since a flat scene's things are better known than any guess.
        if subject.attributes.get("source") == "face" or not found_things:
            foreground |= subject.mask
    return foreground


def _said(spec: TargetSpec) -> str:
    return spec.phrase or f"the {spec.noun or 'object'}"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _composer_words(composer: str) -> str:
    kind, _, ground = composer.partition("+")
    kind, _, color = kind.partition(":")
    if kind == "gradient":
        return f"a {color} gradient"
    if kind == "plain":
        return f"a plain {color} background"
    return f"{_article(kind)} {kind} over {ground} ground" if ground else f"{_article(kind)} {kind}"


def _lost_objects(context, background: np.ndarray) -> list[str]:
    """Objects that stood wholly in front before and are not found again in the edited image."""
    earlier = context.engines.grounder.ground(context.before, None, (), cache_key=context.request.before_ref)
    lost = []
    for thing in earlier:
        if thing.noun == "background" or (thing.mask & background).sum() > 0.05 * max(thing.area, 1):
            continue
        if not any(mask_iou(d.mask, thing.mask) >= 0.6 for d in context.detections):
            lost.append(f"the {thing.color or ''} {thing.noun}".replace("  ", " "))
    return lost


def _matches_backdrop(after: np.ndarray, core: np.ndarray, backdrop: Backdrop) -> tuple[bool, str, dict]:
    """The new background measured against what was asked: its colour, its gradient's two ends, or
    the scene's painted rows, band by band from top to bottom."""
    height, width = core.shape
    expected = paint_backdrop(width, height, backdrop)
    rows = np.flatnonzero(core.any(axis=1))
    bands = np.array_split(rows, min(6, len(rows)))
    worst = 0.0
    for band in bands:
        band_mask = np.zeros_like(core)
        band_mask[band] = core[band]
        got = np.median(after[band_mask], axis=0)
        want = np.median(expected[band_mask], axis=0)
        lab = rgb_to_lab(np.stack([got, want]).astype(np.uint8))
        worst = max(worst, float(np.linalg.norm(lab[0] - lab[1])))
    metrics = {"worst_band_delta_e": worst}
    if backdrop.kind == "color":
        measured = color_name(tuple(int(v) for v in np.median(after[core], axis=0)))
        return measured == backdrop.colors[0] and worst < 6, f"the background is {measured}", metrics
    if backdrop.kind == "gradient":
        ends = [color_name(tuple(int(v) for v in np.median(after[_rows(core, band)], axis=0)))
                for band in (rows[: max(1, len(rows) // 12)], rows[-max(1, len(rows) // 12):])]
        ok = ends == list(backdrop.colors) and worst < 6
        return ok, f"the background runs from {ends[0]} to {ends[1]}", metrics
    ok = worst < 6
    return ok, f"the background is the {backdrop.scene} backdrop (worst band ΔE {worst:.1f})", metrics


def _rows(mask: np.ndarray, rows: np.ndarray) -> np.ndarray:
    picked = np.zeros_like(mask)
    picked[rows] = mask[rows]
    return picked


__all__ = ["Background", "keep_specs", "subject_mask"]
