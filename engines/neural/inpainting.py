"""Diffusion inpainting (SD 1.5 / 2 / SDXL inpainting ids or local folders) at any image resolution.

The model only ever sees the mask's bounding box plus context, resized to its native size; the
result is resized back and pasted through the feathered mask, so a 4096² photo costs the same as a
512² one and every pixel outside the mask comes back bit-identical.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import Box, EngineError
from . import imaging
from .models import ModelManager, default_manager, exclusive, parse_options

DEFAULT_INPAINT_MODEL = "stable-diffusion-v1-5/stable-diffusion-inpainting"


class InpainterOptions(BaseModel):
    """Settings of the diffusion inpainters (engine options ``inpainter: {...}``)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(DEFAULT_INPAINT_MODEL, description="hub id or local folder of an inpainting pipeline")
    device: str = Field("auto", description="auto | cuda | cuda:N | cpu")
    dtype: str = Field("auto", description="auto (fp16 on GPU, fp32 on CPU) | fp16 | bf16 | fp32")
    steps: int = Field(30, ge=1, le=200)
    guidance_scale: float = Field(7.5, ge=0.0)
    strength: float = Field(1.0, gt=0.0, le=1.0)
    negative_prompt: str = "blurry, artifacts, watermark, text"
    default_prompt: str = Field("", description="used when the caller gives no prompt")
    resolution: int | None = Field(None, ge=64, description="model input size; None = the UNet's native size")
    context: float = Field(0.5, ge=0.0, description="context around the mask, as a fraction of its size")
    min_context_px: int = Field(32, ge=0)
    feather_px: int = Field(3, ge=0, description="blend ramp inside the mask edge")
    cpu_offload: bool = Field(False, description="accelerate's model CPU offload (GPU only)")


@dataclass
class InpaintResult:
    """What one call did; the executor copies ``seed`` into the trace."""

    image: np.ndarray
    seed: int
    window: Box
    model_size: tuple[int, int]  # (width, height) the model saw
    steps: int
    seconds: float


class DiffusionInpainter:
    """Inpainter over ``AutoPipelineForInpainting``; the pipeline loads once per process (see models.py)."""

    name = "neural-diffusion"

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(InpainterOptions, options)
        self.manager = manager or default_manager()
        self.last_seed: int | None = None
        self.last_result: InpaintResult | None = None

    def pipeline(self) -> Any:
        o = self.options
        return self.manager.pipeline("inpaint", o.model, o.device, o.dtype, cpu_offload=o.cpu_offload)

    def native_size(self, pipe: Any) -> tuple[int, int]:
        """(model side, size multiple): the UNet's training size and the stride its shapes need."""
        vae_factor = getattr(pipe, "vae_scale_factor", 8)
        native = self.options.resolution or int(pipe.unet.config.sample_size) * vae_factor
        levels = len(pipe.unet.config.block_out_channels) - 1
        return native, max(8, vae_factor * 2**levels)

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None) -> np.ndarray:
        # 1. Check inputs
        imaging.check_image(image)
        mask = imaging.check_mask(image, mask)
        if method not in ("auto", "diffusion"):
            raise EngineError(f"the {self.name} inpainter has one method, 'diffusion' (got {method!r})")
        started = time.perf_counter()
        seed = imaging.new_seed(seed)
        # 2. Load the pipeline (once per process)
        pipe = self.pipeline()
        native, multiple = self.native_size(pipe)
        # 3. Cut the work window and size it for the model
        o = self.options
        window = imaging.work_window(image.shape[:2], imaging.bbox(mask), native, multiple, o.context,
                                     o.min_context_px)
        crop, crop_mask = imaging.to_model(image, mask, window)
        # 4. Denoise
        with exclusive(pipe):  # removal installs its attention processors inside _run
            edited = self._run(pipe, crop, crop_mask, prompt or o.default_prompt, seed)
        # 5. Paste back through the mask
        out = imaging.paste(image, edited, mask, window, o.feather_px)
        self.last_seed = seed
        self.last_result = InpaintResult(out, seed, window.box, (window.model_w, window.model_h), o.steps,
                                         time.perf_counter() - started)
        return out

    def _run(self, pipe: Any, crop: Any, crop_mask: Any, prompt: str, seed: int) -> Any:
        import torch

        o = self.options
        generator = torch.Generator("cpu").manual_seed(seed)  # CPU generator: same noise on any device
        with torch.inference_mode():
            result = pipe(
                prompt=prompt, negative_prompt=o.negative_prompt or None, image=crop, mask_image=crop_mask,
                height=crop.height, width=crop.width, num_inference_steps=o.steps,
                guidance_scale=o.guidance_scale, strength=o.strength, generator=generator, output_type="pil",
            )
        return result.images[0]
