"""Style refinement by img2img at low strength: the picture is re-noised part of the way and
denoised toward a style prompt ("a watercolor painting"), so composition and objects stay where
they are while the look changes. Uses any text-to-image id or folder (SD 1.x/2.x/SDXL)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import EngineError
from . import imaging
from .models import ModelManager, default_manager, exclusive, parse_options

STYLE_PROMPTS = {
    "painting": "a painting, visible brush strokes",
    "oil painting": "an oil painting, thick impasto brush strokes",
    "watercolor": "a watercolor painting, soft washes on paper",
    "pastel": "a soft pastel drawing",
    "pencil": "a pencil drawing, graphite shading",
    "comic": "a comic book illustration, bold ink outlines",
    "vintage": "a faded vintage photograph",
    "cinematic": "a cinematic film still, teal and orange grade",
}


class RestylerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(..., description="hub id or local folder of a text-to-image pipeline")
    device: str = "auto"
    dtype: str = "auto"
    steps: int = Field(30, ge=1, le=200)
    guidance_scale: float = Field(7.0, ge=0.0)
    negative_prompt: str = "blurry, low quality, distorted"
    max_strength: float = Field(0.6, gt=0.0, le=1.0, description="never re-noise further than this")


class Img2ImgRestyler:
    """Restyler over ``AutoPipelineForImage2Image``, loaded once per process by the model manager."""

    name = "neural-img2img"

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(RestylerOptions, options)
        self.manager = manager or default_manager()
        self.last_seconds = 0.0

    def pipeline(self) -> Any:
        o = self.options
        return self.manager.class_pipeline("img2img", "AutoPipelineForImage2Image", o.model, o.device, o.dtype)

    def restyle(self, image: np.ndarray, style: str, *, strength: float = 0.4, prompt: str = "",
                seed: int | None = None) -> np.ndarray:
        import torch
        from PIL import Image

        # 1. Check inputs
        imaging.check_image(image)
        if style not in STYLE_PROMPTS:
            raise EngineError(f"unknown style {style!r}; styles are {', '.join(STYLE_PROMPTS)}")
        if not 0.0 < strength <= 1.0:
            raise EngineError(f"style strength {strength:g} must be in (0, 1]")
        started = time.perf_counter()
        seed = imaging.new_seed(seed)
        o = self.options
        # 2. Load, and size the image for the model's stride
        pipe = self.pipeline()
        levels = len(pipe.unet.config.block_out_channels) - 1
        multiple = max(8, getattr(pipe, "vae_scale_factor", 8) * 2**levels)
        height, width = image.shape[:2]
        model_w, model_h = (max(multiple, round(v / multiple) * multiple) for v in (width, height))
        source = Image.fromarray(image).resize((model_w, model_h), Image.LANCZOS)
        # 3. Denoise toward the style, from part way up the schedule
        generator = torch.Generator("cpu").manual_seed(seed)
        text = ", ".join(p for p in (STYLE_PROMPTS[style], prompt) if p)
        with exclusive(pipe), torch.inference_mode():
            result = pipe(prompt=text, negative_prompt=o.negative_prompt or None, image=source,
                          strength=min(strength, o.max_strength), num_inference_steps=o.steps,
                          guidance_scale=o.guidance_scale, generator=generator, output_type="pil")
        out = result.images[0].convert("RGB").resize((width, height), Image.LANCZOS)
        self.last_seconds = time.perf_counter() - started
        return np.asarray(out, dtype=np.uint8).copy()


__all__ = ["Img2ImgRestyler", "RestylerOptions", "STYLE_PROMPTS"]
