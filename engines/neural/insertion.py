"""Object insertion: generate the object in its box with spatial attention enhancement, blended into
the background over a shared noise schedule.

Seed 000: "objects are pre-generated with spatial attention enhancement from noise level t = 1.0 to
T_n = 0.6, then blended with the background up to T_m = 0.8". The interpretation implemented here,
on one text-to-image denoising run of N steps over the box's work window (noise level of step i is
t_i = 1 − i/N):

* **Spatial attention enhancement, t from 1.0 down to T_n** — for the first ``round((1 − T_n)·N)``
  steps, every cross-attention layer multiplies the attention that queries inside the box give to
  the object's prompt tokens (noun and colour words) by ``boost`` and renormalises each row, so the
  object forms inside the box. Later steps use plain attention.
* **Background blending with a shared schedule, up to T_m** — background and object share one
  noise sample and the scheduler's own timesteps. After each of the first ``round(T_m·N)`` steps
  (t from 1.0 down to 1 − T_m), a ``callback_on_step_end`` replaces the latents outside the box by
  the background's latents noised to the next timestep (``scheduler.add_noise``), so the object is
  generated in the real context. The remaining steps denoise the whole window freely, which
  harmonises the seam. Finally only the box is pasted into the image (outside pixels bit-identical).

``T_n = 1`` disables the enhancement; ``T_m = 1`` keeps the background clamped to the end.
Reference images go through IP-Adapter when its weights are configured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import Box, EngineError, InsertSpec, Segmenter
from . import imaging
from .models import ModelManager, default_manager, exclusive, parse_options

DEFAULT_TEXT2IMG_MODEL = "stable-diffusion-v1-5/stable-diffusion-v1-5"


class InserterOptions(BaseModel):
    """Settings of the diffusion inserter (engine options ``inserter: {...}``)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(DEFAULT_TEXT2IMG_MODEL, description="hub id or local folder of a text-to-image pipeline")
    device: str = "auto"
    dtype: str = "auto"
    steps: int = Field(30, ge=1, le=200)
    guidance_scale: float = Field(7.5, ge=0.0)
    negative_prompt: str = "blurry, artifacts, watermark, text, cropped"
    t_n: float = Field(0.6, gt=0.0, le=1.0, description="attention enhancement runs from t = 1.0 down to T_n")
    t_m: float = Field(0.8, gt=0.0, le=1.0, description="background clamped for the first T_m of the schedule")
    boost: float = Field(2.5, ge=1.0, description="cross-attention gain for the object's tokens inside its box")
    resolution: int | None = Field(None, ge=64, description="model input size; None = the UNet's native size")
    context: float = Field(1.0, ge=0.0, description="context around the box, as a fraction of its size")
    min_context_px: int = Field(32, ge=0)
    feather_px: int = Field(3, ge=0)
    cpu_offload: bool = False
    ip_adapter: str | None = Field(None, description="IP-Adapter folder or hub id, for reference images")
    ip_adapter_subfolder: str = "models"
    ip_adapter_weight_name: str = "ip-adapter_sd15.bin"
    ip_adapter_scale: float = Field(0.7, ge=0.0, le=1.0)


@dataclass
class InsertResult:
    """What one call did; the executor copies ``seed`` into the trace."""

    image: np.ndarray
    mask: np.ndarray
    seed: int
    prompt: str
    window: Box
    model_size: tuple[int, int]
    steps: int
    enhanced_steps: list[int] = field(default_factory=list)  # steps where the boost actually ran
    blended_steps: list[int] = field(default_factory=list)  # steps after which the background was clamped
    callback_steps: list[int] = field(default_factory=list)
    seconds: float = 0.0


def schedule_counts(steps: int, t_n: float, t_m: float) -> tuple[int, int]:
    """(enhanced steps, blended steps) for an N-step schedule: round((1 − T_n)·N), round(T_m·N)."""
    if not 0.0 < t_n <= 1.0 or not 0.0 < t_m <= 1.0:
        raise EngineError(f"T_n and T_m must lie in (0, 1]; got T_n={t_n}, T_m={t_m}")
    return int(round((1.0 - t_n) * steps)), int(round(t_m * steps))


def object_prompt(spec: InsertSpec) -> tuple[str, list[str]]:
    """The generation prompt and the words whose attention is boosted inside the box."""
    words = [w for w in (spec.color, spec.noun) if w]
    if spec.prompt:
        return spec.prompt, words or spec.prompt.split()
    return f"a photo of a {' '.join(words)}".strip(), words


def token_positions(tokenizer: Any, prompt: str, words: list[str]) -> list[int]:
    """Positions in the encoded prompt of the tokens spelling ``words`` (all content tokens if none match)."""
    ids = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True).input_ids
    wanted = {t for w in words for t in tokenizer(w, add_special_tokens=False).input_ids}
    special = set(tokenizer.all_special_ids)
    positions = [i for i, t in enumerate(ids) if t in wanted and t not in special]
    if not positions:
        positions = [i for i, t in enumerate(ids) if t not in special]
    return positions


class DiffusionInserter:
    """Inserter over a text-to-image pipeline with box attention enhancement and background blending."""

    name = "neural-diffusion"

    def __init__(self, manager: ModelManager | None = None, segmenter: Segmenter | None = None,
                 **options: Any) -> None:
        self.options = parse_options(InserterOptions, options)
        schedule_counts(self.options.steps, self.options.t_n, self.options.t_m)
        self.manager = manager or default_manager()
        self.segmenter = segmenter
        self.last_seed: int | None = None
        self.last_result: InsertResult | None = None

    def pipeline(self) -> Any:
        o = self.options
        return self.manager.pipeline("text2img", o.model, o.device, o.dtype, cpu_offload=o.cpu_offload)

    def insert(self, image: np.ndarray, box: Box, spec: InsertSpec, *,
               seed: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        import torch

        from .attention import BoxCrossAttnProcessor, ScheduleState, install_box_boost

        # 1. Check inputs
        imaging.check_image(image)
        box = imaging.check_box(image, box)
        o = self.options
        if spec.reference is not None and not o.ip_adapter:
            raise EngineError(
                "inserting a reference image needs IP-Adapter weights: set the inserter's `ip_adapter` option "
                "to a folder or hub id (e.g. a local copy of h94/IP-Adapter) and `ip_adapter_weight_name` "
                "(ip-adapter_sd15.bin for SD 1.5); or use the classical inserter for reference images")
        started = time.perf_counter()
        seed = imaging.new_seed(seed)
        n_enhance, n_blend = schedule_counts(o.steps, o.t_n, o.t_m)

        # 2. Load the pipeline and size the work window
        pipe = self.pipeline()
        factor = getattr(pipe, "vae_scale_factor", 8)
        native = o.resolution or int(pipe.unet.config.sample_size) * factor
        multiple = max(8, factor * 2 ** (len(pipe.unet.config.block_out_channels) - 1))
        window = imaging.work_window(image.shape[:2], box, native, multiple, o.context, o.min_context_px)
        crop, _ = imaging.to_model(image, None, window)
        mx0, my0, mx1, my1 = window.to_model(box)
        lat_h, lat_w = window.model_h // factor, window.model_w // factor
        inside = torch.zeros(lat_h, lat_w, dtype=torch.bool)
        inside[max(0, my0 // factor):min(lat_h, -(-my1 // factor)),
               max(0, mx0 // factor):min(lat_w, -(-mx1 // factor))] = True

        # 3. Background latents and the one noise sample both samplers share
        device = pipe._execution_device
        generator = torch.Generator("cpu").manual_seed(seed)
        with torch.inference_mode():
            background = self._encode(pipe, crop, device)
        noise = torch.randn(background.shape, generator=generator, dtype=torch.float32).to(device, background.dtype)
        inside_dev = inside.to(device)[None, None]

        # 4. Prompt and the tokens to enhance
        prompt, words = object_prompt(spec)
        positions = token_positions(pipe.tokenizer, prompt, words)
        state = ScheduleState(enhance_steps=n_enhance, guided_batch=o.guidance_scale > 1.0)
        processor = BoxCrossAttnProcessor(inside, positions, o.boost, state)
        blended: list[int] = []
        called: list[int] = []

        def on_step_end(pipeline: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
            called.append(i)
            latents = kwargs["latents"]
            if i < n_blend:
                timesteps = pipeline.scheduler.timesteps
                if i + 1 < len(timesteps):
                    noised = pipeline.scheduler.add_noise(background, noise, timesteps[i + 1:i + 2])
                else:
                    noised = background
                latents = torch.where(inside_dev, latents, noised.to(latents.dtype))
                blended.append(i)
            state.step = i + 1
            return {"latents": latents}

        # 5. Denoise with the boost installed (and IP-Adapter for reference images)
        extra: dict[str, Any] = {}
        if spec.reference is not None:
            extra["ip_adapter_image"] = self._load_ip_adapter(pipe, spec)
        try:
            with exclusive(pipe), install_box_boost(pipe.unet, processor), torch.inference_mode():
                result = pipe(
                    prompt=prompt, negative_prompt=o.negative_prompt or None, height=window.model_h,
                    width=window.model_w, num_inference_steps=o.steps, guidance_scale=o.guidance_scale,
                    generator=generator, latents=noise.clone(), callback_on_step_end=on_step_end,
                    callback_on_step_end_tensor_inputs=["latents"], output_type="pil", **extra,
                )
        finally:
            if spec.reference is not None:
                pipe.unload_ip_adapter()

        # 6. Paste the box back; the object mask is the box, or SAM 2's mask inside it
        box_mask = np.zeros(image.shape[:2], dtype=bool)
        box_mask[box[1]:box[3], box[0]:box[2]] = True
        out = imaging.paste(image, result.images[0], box_mask, window, o.feather_px)
        mask = box_mask
        if self.segmenter is not None:
            found = self.segmenter.segment(out, box=box) & box_mask
            mask = found if found.any() else box_mask
        self.last_seed = seed
        self.last_result = InsertResult(
            out, mask, seed, prompt, window.box, (window.model_w, window.model_h), o.steps,
            sorted(state.fired), blended, called, time.perf_counter() - started)
        return out, mask

    @staticmethod
    def _encode(pipe: Any, crop: Any, device: Any) -> Any:
        import torch

        vae = pipe.vae
        pixels = pipe.image_processor.preprocess(crop).to(device)
        # SDXL's VAE overflows in fp16; diffusers flags it with force_upcast.
        upcast = getattr(vae.config, "force_upcast", False) and vae.dtype == torch.float16
        if upcast:
            vae.to(torch.float32)
        try:
            latents = vae.encode(pixels.to(vae.dtype)).latent_dist.mean * vae.config.scaling_factor
        finally:
            if upcast:
                vae.to(torch.float16)
        return latents.to(pipe.unet.dtype)

    def _load_ip_adapter(self, pipe: Any, spec: InsertSpec) -> Any:
        from PIL import Image

        o = self.options
        try:
            pipe.load_ip_adapter(o.ip_adapter, subfolder=o.ip_adapter_subfolder, weight_name=o.ip_adapter_weight_name)
        except (OSError, ValueError) as exc:
            raise EngineError(f"could not load IP-Adapter weights from {o.ip_adapter!r} ({exc}); point the "
                              "inserter's `ip_adapter` option at a folder holding "
                              f"{o.ip_adapter_subfolder}/{o.ip_adapter_weight_name} and its image encoder") from exc
        pipe.set_ip_adapter_scale(o.ip_adapter_scale)
        reference = np.asarray(spec.reference)
        if reference.ndim == 3 and reference.shape[2] == 4:
            alpha = reference[..., 3:4].astype(np.float32) / 255.0
            reference = (reference[..., :3] * alpha + 255 * (1 - alpha)).astype(np.uint8)  # on white
        return Image.fromarray(reference.astype(np.uint8))
