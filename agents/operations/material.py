"""material: change what the target looks made of ("make the mug glass", "… to leather").

With an inpainter a prompt steers (a diffusion model), the object's mask is re-rendered from a
material prompt ("a glass mug"). Offline it gets a material look (engines/classical/materials.py)
that keeps its shading and edges, and the reply says it is a look, not a re-render.
"""

from __future__ import annotations

import cv2
import numpy as np

from engines.classical.colors import rgb_to_lab
from engines.classical.materials import Material as Look
from engines.classical.materials import apply_material, canonical_material, known_materials, material_of
from state.models import ConstraintKind, FeedbackHint, OpKind

from ..errors import InstructionError
from ..measure import measured_color, window
from ..regions import dilate, erode
from .base import Operation, RunResult, keeps_presence, target_phrase, verdict

PLAIN_NOUNS = ("region", "object", "image", "background", "subject")


class UnknownMaterial(InstructionError):
    """A material the offline looks do not know (a prompted inpainter takes any word)."""

    code = "unknown_material"

    def __init__(self, material: str) -> None:
        self.material = material
        self.known = known_materials()
        super().__init__(f"I don't know what {material!r} looks like offline; known materials: "
                         f"{', '.join(self.known)} (or configure an inpainting model, RETOUCH_INPAINT_MODEL)")


def prompted(inpainter) -> bool:
    """Whether the inpainter is one a prompt steers (a diffusion model), not the classical fill."""
    return str(getattr(inpainter, "name", "")).removeprefix("ray:").startswith("neural")


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


class Material(Operation):
    kind = OpKind.MATERIAL
    verb_families = frozenset({"make", "want"})
    needs_target = True

    def complete_params(self, params, target):
        if not params.get("material"):
            raise ValueError("a material operation needs params.material (glass, wood, metal, leather, ...)")
        return params

    def plan_object(self, builder, index, sub, clause, candidate, common):
        word = " ".join(str(clause.params.get("material") or "").lower().split())
        if not word:
            raise InstructionError(f"which material? say e.g. 'make it glass'; known materials: "
                                   f"{', '.join(known_materials())}")
        neural = prompted(builder.scene.engines.inpainter)
        name = canonical_material(word)
        if name is None and not neural:
            raise UnknownMaterial(word)
        material = name or word
        noun = clause.target.noun if clause.target.noun not in (None, *PLAIN_NOUNS) else candidate.noun
        noun = noun if noun not in PLAIN_NOUNS else "surface"
        params = {"material": material, "strength": 1.0, "render": "inpaint" if neural else "look",
                  "prompt": f"{_article(material)} {material} {noun}, {material} texture, detailed"}
        builder.add_op(index, sub, self.kind, clause, params=params,
                       protect=builder.others_protected(common["entity_ids"]), **common)

    def vary(self, op, variant, rng, shape):
        op.params["texture_seed"] = variant

    def run(self, executor, op, image, working, order, *, turn, next_entity, references, seed, cache_key):
        shape = image.shape[:2]
        target = executor.mask_of(op.region, shape)
        protected = executor.protected(op, working, shape)
        mask = target if protected is None else target & ~protected
        entity_id = op.entity_ids[0] if op.entity_ids else None
        outcome = executor.outcome(op, entity_id)
        inpainter = executor.engines.inpainter
        if op.params.get("render") == "inpaint" and prompted(inpainter):
            previous = getattr(inpainter, "last_result", None)
            result = inpainter.inpaint(image, mask, prompt=op.params["prompt"], seed=seed)
            outcome.engine = inpainter.name
            outcome.info = {"render": "inpaint", **executor.engine_call(inpainter, previous)}
        else:
            texture_seed = seed + int(op.params.get("texture_seed", 0))
            result = apply_material(image, mask, op.params["material"], seed=texture_seed,
                                    strength=float(op.params.get("strength", 1.0)))
            outcome.engine = "classical-materials"
            outcome.info = {"render": "look", "seed": texture_seed}
        outcome.before_mask = outcome.after_mask = executor.images.put_mask(target)
        outcome.changed_mask = executor.images.put_mask(dilate(target, 2))
        executor.touch(working, entity_id, turn, color=measured_color(result, target))
        if entity_id in working:
            working[entity_id].attributes["material"] = op.params["material"]
        return RunResult(result, outcome, next_entity)

    def check(self, context, op, outcome):
        before, after = context.before, context.after
        mask = context.mask(outcome.before_mask, before.shape[:2])
        if mask is None or not mask.any() or before.shape != after.shape:
            return verdict(op, False, "no region was given a material", 0.0), []
        area = window(mask, 16)
        mask, before, after = mask[area], before[area], after[area]
        inner = erode(mask, 2) if erode(mask, 2).any() else mask
        b, a = surface_stats(before, inner), surface_stats(after, inner)
        material = op.params["material"]
        metrics = {"before_detail": b["detail"], "after_detail": a["detail"]}
        if outcome.info.get("render") == "inpaint":
            changed = float(np.abs(after[inner].astype(np.int16) - before[inner].astype(np.int16)).mean())
            ok = changed > 6
            return verdict(op, ok, f"re-rendered as {material} (mean change {changed:.0f})" if ok else
                           f"the {material} re-render changed too little ({changed:.0f})", changed=changed), \
                [] if ok else [FeedbackHint(kind="retry", op_id=op.id, detail="the re-render did not take")]
        look = material_of(material)
        if look.transparent:
            ring = dilate(mask, 10) & ~dilate(mask, 3)
            before_gap, after_gap = _gap(before, inner, ring), _gap(after, inner, ring)
            ok = after_gap < 0.75 * before_gap or after_gap < 8
            metrics |= {"before_gap": before_gap, "after_gap": after_gap}
            reason = f"what is behind shows through (ΔE to the surroundings {before_gap:.0f} → {after_gap:.0f})" \
                if ok else f"it does not look transparent (ΔE to the surroundings {after_gap:.0f})"
            return verdict(op, ok, reason, **metrics), [] if ok else [FeedbackHint(kind="stronger", op_id=op.id)]
        problems = _look_problems(look, b, a, metrics)
        if not problems:
            return verdict(op, True, f"now looks {material} ({', '.join(_summary(look, metrics))})", **metrics), []
        return verdict(op, False, f"not {material} enough: {'; '.join(problems)}", 0.45, **metrics), \
            [FeedbackHint(kind="stronger", op_id=op.id, detail=problems[0])]

    def derive(self, op, entity, entities, add):
        keeps_presence(op, entity, add)

    def supersedes(self, op, constraint, hit):
        return hit and constraint.kind == ConstraintKind.COLOR  # a material brings its own colour

    def describe(self, op):
        material, what = op.params.get("material"), target_phrase(op)
        if op.params.get("render") == "inpaint":
            return f"re-rendered {what} as {material}"
        return f"gave {what} {_article(material)} {material} look (offline look; configure an inpainting model " \
               "for a real re-render)"


def surface_stats(image: np.ndarray, mask: np.ndarray) -> dict[str, float]:
    """Mean CIELAB colour and fine texture (lightness spread once the broad shading is taken out)."""
    lab = rgb_to_lab(image).astype(np.float32)
    lightness = lab[..., 0]
    side = max(8, min(image.shape[:2]))
    # The broad shading is a blur of the region's own pixels only (a normalised convolution), so
    # the object's edge against its surroundings does not count as texture.
    sigma = max(2.0, 0.04 * side)
    weight = mask.astype(np.float32)
    broad = cv2.GaussianBlur(lightness * weight, (0, 0), sigma) / np.maximum(
        cv2.GaussianBlur(weight, (0, 0), sigma), 1e-3)
    mean_rgb = image[mask].reshape(-1, 3).mean(axis=0)
    mean_lab = rgb_to_lab(np.round(mean_rgb).astype(np.uint8)[None, :])[0]
    return {"L": float(mean_lab[0]), "a": float(mean_lab[1]), "b": float(mean_lab[2]),
            "detail": float((lightness - broad)[mask].std())}


def _lab(stats: dict[str, float]) -> np.ndarray:
    return np.array([stats["L"], stats["a"], stats["b"]], np.float32)


def _look_problems(look: Look, b: dict[str, float], a: dict[str, float], metrics: dict[str, float]) -> list[str]:
    """What keeps the region from reading as the material: its colour and its texture."""
    problems = []
    if look.color is not None:
        wanted = rgb_to_lab(np.array([look.color], np.uint8))[0]
        before_gap, after_gap = float(np.linalg.norm(_lab(b) - wanted)), float(np.linalg.norm(_lab(a) - wanted))
        metrics |= {"before_color_gap": before_gap, "after_color_gap": after_gap}
        if after_gap > max(22.0, 0.8 * before_gap) and after_gap >= before_gap - 5:
            problems.append(f"its colour is ΔE {after_gap:.0f} from {look.name}'s")
    else:
        hue_gap = float(np.hypot(a["a"] - b["a"], a["b"] - b["b"]))
        metrics["hue_gap"] = hue_gap
        if hue_gap > 30:
            problems.append(f"its own colour was lost (Δab {hue_gap:.0f})")
    if look.detail >= 0.08 and a["detail"] < 1.15 * b["detail"] + 1.0:
        problems.append(f"too little {look.texture} texture ({b['detail']:.1f} → {a['detail']:.1f})")
    return problems


def _summary(look: Look, metrics: dict[str, float]) -> list[str]:
    parts = []
    if "after_color_gap" in metrics:
        parts.append(f"colour ΔE {metrics['after_color_gap']:.0f} from {look.name}")
    parts.append(f"texture {metrics['before_detail']:.1f} → {metrics['after_detail']:.1f}")
    return parts


def _gap(image: np.ndarray, inside: np.ndarray, ring: np.ndarray) -> float:
    """ΔE between the median colours of the object and its surroundings."""
    if not inside.any() or not ring.any():
        return 0.0
    medians = np.stack([np.median(image[inside], axis=0), np.median(image[ring], axis=0)]).astype(np.uint8)
    lab = rgb_to_lab(medians)
    return float(np.linalg.norm(lab[0] - lab[1]))


__all__ = ["Material", "UnknownMaterial", "prompted", "surface_stats"]
