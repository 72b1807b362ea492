"""The refinement agent: super-resolution, detail enhancement, denoising and style, on a whole
image or on one region, keeping the entities' regions true.

Offline it uses OpenCV: Lanczos resampling plus an edge-aware unsharp mask for upscaling (this is
*not* learned super-resolution: it adds no detail that was not there, it only keeps edges crisp,
and the result says so), non-local-means denoising, and the photo module's stylization filters with
colour grading for styles. With models configured it uses a diffusers upscaler
(``StableDiffusionUpscalePipeline``) and low-strength img2img with a style prompt instead.

Upscaling scales every entity's box and mask by the same factor, so "the balloon" still means the
balloon afterwards. Region refinements leave every pixel outside the region as it was; the critic
checks both (``check_refine``).
"""

from __future__ import annotations

import math
from typing import Any

import cv2
import numpy as np

from engines.base import EngineError
from state.blobs import ImageRepository
from state.models import EditOperation, Entity, FeedbackHint, Region

from .measure import lab_stats
from .outcomes import OpOutcome
from .regions import box_of_mask, dilate

MODES = ("upscale", "sharpen", "denoise", "style")
STYLES = ("painting", "oil painting", "watercolor", "pastel", "pencil", "comic", "vintage", "cinematic")
MAX_FACTOR = 4.0
PRINT_LONG_SIDE = 2400  # pixels on the long side for an 8-inch print at 300 dpi
NOT_LEARNED = "Lanczos resampling + edge-aware sharpening (not learned super-resolution: no new detail)"


def print_factor(width: int, height: int) -> float:
    """The upscale factor that makes an image print-size, between 2 and 4."""
    return float(min(MAX_FACTOR, max(2.0, math.ceil(PRINT_LONG_SIDE / max(width, height)))))


# --------------------------------------------------------------------------- classical operations


def edge_aware_sharpen(image: np.ndarray, amount: float = 0.8, sigma: float = 1.2) -> np.ndarray:
    """Unsharp mask whose amount follows edge strength: edges get crisper, flat areas and noise
    are left alone (a plain unsharp mask would amplify grain and JPEG blocks everywhere)."""
    source = image.astype(np.float32)
    blurred = cv2.GaussianBlur(source, (0, 0), sigma)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    magnitude = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    scale = float(np.percentile(magnitude, 95)) or 1.0
    weight = np.clip(magnitude / scale, 0.0, 1.0)[..., None]
    return np.clip(np.round(source + amount * weight * (source - blurred)), 0, 255).astype(np.uint8)


def snap_edges(image: np.ndarray, iterations: int = 1, threshold: float = 0.1) -> np.ndarray:
    """Toggle mapping on strong edges: each edge pixel takes the colour of its brightest or darkest
    3x3 neighbour, whichever it is closer to. A resampled edge ramp several pixels wide becomes a
    step again, with no overshoot (only colours already next to it are used); weak edges and flat
    areas are left as they are."""
    out = image.copy()
    height, width = image.shape[:2]
    for _ in range(iterations):
        luma = cv2.cvtColor(out, cv2.COLOR_RGB2GRAY).astype(np.int16)
        padded = np.pad(out, ((1, 1), (1, 1), (0, 0)), mode="edge")
        padded_luma = np.pad(luma, 1, mode="edge")
        high_luma, low_luma, high, low = luma.copy(), luma.copy(), out.copy(), out.copy()
        for dy in range(3):
            for dx in range(3):
                shifted_luma = padded_luma[dy:dy + height, dx:dx + width]
                shifted = padded[dy:dy + height, dx:dx + width]
                brighter, darker = shifted_luma > high_luma, shifted_luma < low_luma
                high_luma = np.where(brighter, shifted_luma, high_luma)
                high = np.where(brighter[..., None], shifted, high)
                low_luma = np.where(darker, shifted_luma, low_luma)
                low = np.where(darker[..., None], shifted, low)
        # Edge strength over all channels: yellow on white hardly differs in brightness.
        kernel = np.ones((3, 3), np.uint8)
        contrast = (cv2.dilate(out, kernel).astype(np.int16) - cv2.erode(out, kernel)).max(axis=2).astype(np.float32)
        strong = contrast > max(24.0, threshold * float(np.percentile(contrast, 99.5)))
        snapped = np.where(((high_luma - luma) < (luma - low_luma))[..., None], high, low)
        out = np.where(strong[..., None], snapped, out)
    return out


def classical_upscale(image: np.ndarray, factor: float) -> np.ndarray:
    """Lanczos, an edge-aware unsharp mask, a clamp to each source neighbourhood's colour range
    (no ringing halos) and edge snapping: crisp outlines, flat areas untouched, nothing invented."""
    height, width = image.shape[:2]
    size = (int(round(width * factor)), int(round(height * factor)))
    resized = cv2.resize(image, size, interpolation=cv2.INTER_LANCZOS4)
    sharpened = edge_aware_sharpen(resized, amount=0.6, sigma=0.6 * math.sqrt(factor))
    kernel = np.ones((3, 3), np.uint8)
    low = cv2.resize(cv2.erode(image, kernel), size, interpolation=cv2.INTER_NEAREST)
    high = cv2.resize(cv2.dilate(image, kernel), size, interpolation=cv2.INTER_NEAREST)
    return snap_edges(np.clip(sharpened, low, high), iterations=max(1, int(round(factor)) - 1))


def classical_denoise(image: np.ndarray, strength: float = 1.0) -> np.ndarray:
    h = 4.0 + 6.0 * strength
    return cv2.fastNlMeansDenoisingColored(np.ascontiguousarray(image), None, h, h, 5, 15)


def _grade(image: np.ndarray, gains: tuple[float, float, float], lift: float = 0.0, saturation: float = 1.0) \
        -> np.ndarray:
    out = image.astype(np.float32) * np.array(gains, np.float32) + lift
    gray = out.mean(axis=2, keepdims=True)
    out = gray + (out - gray) * saturation
    return np.clip(np.round(out), 0, 255).astype(np.uint8)


def classical_style(image: np.ndarray, style: str, strength: float = 0.4) -> np.ndarray:
    """A look from OpenCV's stylization filters and colour grading, blended by ``strength``."""
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    if style in ("painting", "oil painting"):
        styled = cv2.stylization(bgr, sigma_s=60, sigma_r=0.45)
        styled = cv2.cvtColor(styled, cv2.COLOR_BGR2RGB)
        styled = _grade(styled, (1.02, 1.0, 0.97), saturation=1.15)
    elif style == "watercolor":
        smooth = cv2.edgePreservingFilter(bgr, flags=cv2.RECURS_FILTER, sigma_s=50, sigma_r=0.5)
        styled = cv2.cvtColor(cv2.stylization(smooth, sigma_s=40, sigma_r=0.6), cv2.COLOR_BGR2RGB)
        styled = _grade(styled, (1.0, 1.0, 1.0), lift=18.0, saturation=0.85)  # paper shows through
    elif style == "pastel":
        smooth = cv2.cvtColor(cv2.edgePreservingFilter(bgr, flags=cv2.NORMCONV_FILTER, sigma_s=40, sigma_r=0.4),
                              cv2.COLOR_BGR2RGB)
        styled = _grade(smooth, (1.0, 1.0, 1.0), lift=35.0, saturation=0.7)
    elif style == "pencil":
        _, color = cv2.pencilSketch(bgr, sigma_s=50, sigma_r=0.07, shade_factor=0.05)
        styled = cv2.cvtColor(color, cv2.COLOR_BGR2RGB)
    elif style == "comic":
        smooth = cv2.bilateralFilter(bgr, 9, 80, 80)
        edges = cv2.adaptiveThreshold(cv2.medianBlur(cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY), 5), 255,
                                      cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 9, 4)
        styled = cv2.cvtColor(cv2.bitwise_and(smooth, smooth, mask=edges), cv2.COLOR_BGR2RGB)
        styled = _grade(styled, (1.0, 1.0, 1.0), saturation=1.3)
    elif style == "vintage":
        styled = _grade(image, (1.08, 1.0, 0.82), lift=20.0, saturation=0.7)
    elif style == "cinematic":
        styled = _grade(image, (1.06, 0.98, 0.92), saturation=1.1)
        shadows = (styled.astype(np.float32).mean(axis=2, keepdims=True) < 90)
        styled = np.where(shadows, _grade(styled, (0.92, 1.0, 1.08)), styled)
    else:
        raise EngineError(f"unknown style {style!r}; styles are {', '.join(STYLES)}")
    alpha = float(np.clip(0.35 + strength * 1.6, 0.3, 1.0))
    return np.clip(np.round(image * (1 - alpha) + styled.astype(np.float32) * alpha), 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------- the agent


class Refiner:
    """Runs REFINE operations; neural back-ends are used when their models are configured."""

    name = "refiner"

    def __init__(self, images: ImageRepository, *, upscale_model: str | None = None,
                 style_model: str | None = None, device: str = "auto", dtype: str = "auto",
                 upscaler: Any = None, restyler: Any = None) -> None:
        self.images = images
        self._upscaler = upscaler
        self._restyler = restyler
        self.upscale_model = upscale_model
        self.style_model = style_model
        self.device, self.dtype = device, dtype

    def upscaler(self) -> Any:
        if self._upscaler is None and self.upscale_model:
            from engines.neural.upscale import DiffusionUpscaler

            self._upscaler = DiffusionUpscaler(model=self.upscale_model, device=self.device, dtype=self.dtype)
        return self._upscaler

    def restyler(self) -> Any:
        if self._restyler is None and self.style_model:
            from engines.neural.img2img import Img2ImgRestyler

            self._restyler = Img2ImgRestyler(model=self.style_model, device=self.device, dtype=self.dtype)
        return self._restyler

    def run(self, op: EditOperation, image: np.ndarray, working: dict[str, Entity], *, turn: int,
            seed: int = 0) -> tuple[np.ndarray, OpOutcome]:
        """Apply one REFINE op; ``working`` entities are updated in place (regions scaled on upscale)."""
        mode = op.params.get("mode", "sharpen")
        if mode not in MODES:
            raise EngineError(f"unknown refinement {mode!r}; modes are {', '.join(MODES)}")
        outcome = OpOutcome(op_id=op.id, kind=op.kind)
        shape = image.shape[:2]
        if mode == "upscale":
            factor = op.params.get("factor") or print_factor(image.shape[1], image.shape[0])
            factor = float(factor)
            if not 1.0 < factor <= MAX_FACTOR:
                raise EngineError(f"upscale factor {factor:g} is out of range (above 1, at most {MAX_FACTOR:g})")
            upscaler = self.upscaler()
            if upscaler is not None:
                result = upscaler.upscale(image, factor, prompt=op.params.get("prompt", ""), seed=seed)
                outcome.engine, note = upscaler.name, f"learned super-resolution ({self.upscale_model})"
            else:
                result = classical_upscale(image, factor)
                outcome.engine, note = "classical", NOT_LEARNED
            self._scale_entities(working, factor, shape, result.shape[:2], turn)
            outcome.geometry_changed = True
            outcome.info = {"factor": factor, "note": note, "size": [int(result.shape[1]), int(result.shape[0])]}
            return result, outcome
        region = self._region_mask(op, shape)
        strength = float(op.params.get("strength", 1.0 if mode != "style" else 0.4))
        if mode == "sharpen":
            result, outcome.engine = edge_aware_sharpen(image, amount=0.9 * strength), "classical"
        elif mode == "denoise":
            result, outcome.engine = classical_denoise(image, strength), "classical"
        else:
            style = op.params.get("style", "painting")
            restyler = self.restyler()
            if restyler is not None:
                result = restyler.restyle(image, style, strength=strength, seed=seed)
                outcome.engine = restyler.name
            else:
                result, outcome.engine = classical_style(image, style, strength), "classical"
            outcome.info = {"style": style, "strength": strength}
        if region is not None:
            result = np.where(region[..., None], result, image)
            outcome.before_mask = self.images.put_mask(region)
            outcome.changed_mask = self.images.put_mask(region)
        return result, outcome

    def _region_mask(self, op: EditOperation, shape: tuple[int, int]) -> np.ndarray | None:
        if op.target.scope == "image" or op.region is None:
            return None
        if op.region.mask_ref:
            mask = self.images.get_mask(op.region.mask_ref)
            if mask.shape == shape:
                return dilate(mask, 2)
        from .regions import box_mask

        return box_mask(op.region.box, shape)

    def _scale_entities(self, working: dict[str, Entity], factor: float, before: tuple[int, int],
                        after: tuple[int, int], turn: int) -> None:
        height, width = after
        for entity in working.values():
            if entity.region is None:
                continue
            mask = None
            if entity.region.mask_ref:
                small = self.images.get_mask(entity.region.mask_ref)
                if small.shape == before:
                    mask = cv2.resize(small.astype(np.uint8), (width, height), interpolation=cv2.INTER_NEAREST) > 0
            if mask is not None and mask.any():
                entity.region = Region(box=box_of_mask(mask), mask_ref=self.images.put_mask(mask), area=int(mask.sum()))
            else:
                x0, y0, x1, y1 = entity.region.box
                box = (int(x0 * factor), int(y0 * factor), min(width, max(int(x0 * factor) + 1, int(round(x1 * factor)))),
                       min(height, max(int(y0 * factor) + 1, int(round(y1 * factor)))))
                entity.region = Region(box=box, area=(box[2] - box[0]) * (box[3] - box[1]))


# --------------------------------------------------------------------------- checks for the critic


def _noise(image: np.ndarray) -> float:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.median(np.abs(gray - cv2.medianBlur(gray.astype(np.uint8), 3).astype(np.float32))))


def check_refine(op: EditOperation, before: np.ndarray, after: np.ndarray, region: np.ndarray | None) \
        -> tuple[bool, float, str, dict[str, float]]:
    """(ok, score, reason, metrics) for one REFINE op: the promised change, measured."""
    mode = op.params.get("mode", "sharpen")
    if mode == "upscale":
        factor = float(op.params.get("factor") or print_factor(before.shape[1], before.shape[0]))
        want = (int(round(before.shape[0] * factor)), int(round(before.shape[1] * factor)))
        if after.shape[:2] != want:
            return False, 0.2, f"size {after.shape[1]}x{after.shape[0]}, wanted {want[1]}x{want[0]}", {}
        back = cv2.resize(after, (before.shape[1], before.shape[0]), interpolation=cv2.INTER_AREA)
        error = float(np.mean((back.astype(np.float32) - before.astype(np.float32)) ** 2))
        psnr = 99.0 if error == 0 else 10 * math.log10(255.0 ** 2 / error)
        ok = psnr >= 26.0
        return ok, 0.95 if ok else 0.45, f"{factor:g}x to {want[1]}x{want[0]}; content kept (PSNR {psnr:.1f} dB " \
            "against the original)", {"factor": factor, "psnr": psnr}
    if before.shape != after.shape:
        return False, 0.2, "the image size changed", {}
    b, a = lab_stats(before, region), lab_stats(after, region)
    changed = float(np.abs(after.astype(np.int16) - before.astype(np.int16)).mean())
    metrics = {"before_sharpness": b["sharpness"], "after_sharpness": a["sharpness"], "mean_change": changed}
    if mode == "sharpen":
        ok = a["sharpness"] > 1.05 * b["sharpness"] or b["sharpness"] < 1
        return ok, 0.95 if ok else 0.45, "edges crisper" if ok else "edges no sharper", metrics
    if mode == "denoise":
        nb, na = _noise(before), _noise(after)
        ok = na <= nb
        return ok, 0.95 if ok else 0.45, f"noise {nb:.2f} → {na:.2f}", metrics | {"noise_before": nb, "noise_after": na}
    ok = changed > 2.0
    return ok, 0.95 if ok else 0.45, f"{op.params.get('style')} look applied (mean change {changed:.1f})" if ok \
        else "the style had too little effect", metrics


def refinement_hints(plan_ops: list[EditOperation], outcomes: list[OpOutcome], before: np.ndarray,
                     after: np.ndarray, images: ImageRepository) -> list[FeedbackHint]:
    """Where the critic should ask for refinement: an object enlarged (resized) ≥1.5× whose edges went soft."""
    hints = []
    by_id = {o.op_id: o for o in outcomes}
    for op in plan_ops:
        outcome = by_id.get(op.id)
        if float(op.params.get("factor", 1)) < 1.5 or outcome is None:
            continue
        if outcome.before_mask is None or outcome.after_mask is None or before.shape != after.shape:
            continue
        old, new = images.get_mask(outcome.before_mask), images.get_mask(outcome.after_mask)
        if old.shape != before.shape[:2] or new.shape != after.shape[:2] or not old.any() or not new.any():
            continue
        ring_old, ring_new = dilate(old, 2) & ~_erode(old, 2), dilate(new, 2) & ~_erode(new, 2)
        # The steepest edge steps, not their count: a bigger outline has more of them, a blurred one
        # has lower ones.
        sharp_before, sharp_after = _edge_peak(before, ring_old), _edge_peak(after, ring_new)
        if sharp_after < 0.7 * sharp_before:
            hints.append(FeedbackHint(kind="refine", op_id=op.id, entity_ids=list(op.entity_ids),
                                      detail=f"sharpen: edges softened ({sharp_before:.0f} → {sharp_after:.0f})"))
    return hints


def _edge_peak(image: np.ndarray, ring: np.ndarray) -> float:
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32)
    magnitude = cv2.magnitude(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1))
    return float(np.percentile(magnitude[ring], 90)) if ring.any() else 0.0


def _erode(mask: np.ndarray, pixels: int) -> np.ndarray:
    from .regions import erode

    return erode(mask, pixels)


__all__ = ["MODES", "NOT_LEARNED", "STYLES", "Refiner", "check_refine", "classical_denoise", "classical_style",
           "classical_upscale", "edge_aware_sharpen", "print_factor", "refinement_hints", "snap_edges"]
