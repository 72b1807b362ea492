"""Learned super-resolution with a diffusers upscaler (``StableDiffusionUpscalePipeline``, e.g.
``stabilityai/stable-diffusion-x4-upscaler``, or a local folder).

The x4 model upscales by its VAE's factor (4 for the real one); other factors run it once and
resample the result with area averaging, so "2x" is a learned 4x brought down to 2x. Big images are
processed in overlapping tiles of ``tile`` pixels so memory stays bounded.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import EngineError
from . import imaging
from .models import ModelManager, default_manager, exclusive, parse_options

DEFAULT_UPSCALE_MODEL = "stabilityai/stable-diffusion-x4-upscaler"


class UpscalerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field(DEFAULT_UPSCALE_MODEL, description="hub id or local folder of an upscale pipeline")
    device: str = "auto"
    dtype: str = "auto"
    steps: int = Field(20, ge=1, le=200)
    guidance_scale: float = Field(0.0, ge=0.0, description="the upscaler works best without guidance")
    noise_level: int = Field(20, ge=0, le=350)
    prompt: str = Field("high quality, detailed", description="used when the caller gives none")
    tile: int = Field(256, ge=32, description="input tile side; larger images are upscaled tile by tile")
    overlap: int = Field(16, ge=0)


class DiffusionUpscaler:
    """Upscaler over ``StableDiffusionUpscalePipeline``, loaded once per process by the model manager."""

    name = "neural-upscale"

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(UpscalerOptions, options)
        self.manager = manager or default_manager()
        self.last_seconds = 0.0

    def pipeline(self) -> Any:
        o = self.options
        return self.manager.class_pipeline("upscale", "StableDiffusionUpscalePipeline", o.model, o.device, o.dtype)

    def native_factor(self, pipe: Any) -> int:
        return int(getattr(pipe, "vae_scale_factor", 4))

    def upscale(self, image: np.ndarray, factor: float, *, prompt: str = "", seed: int | None = None) -> np.ndarray:
        import cv2

        # 1. Check inputs
        imaging.check_image(image)
        if not 1.0 < factor <= 8.0:
            raise EngineError(f"upscale factor {factor:g} is out of range (above 1, at most 8)")
        started = time.perf_counter()
        seed = imaging.new_seed(seed)
        # 2. Load the pipeline
        pipe = self.pipeline()
        native = self.native_factor(pipe)
        # 3. Upscale tile by tile at the model's own factor
        o = self.options
        height, width = image.shape[:2]
        big = np.zeros((height * native, width * native, 3), np.float32)
        weight = np.zeros((height * native, width * native, 1), np.float32)
        step = max(8, o.tile - o.overlap)
        for y0 in range(0, max(1, height - o.overlap), step):
            for x0 in range(0, max(1, width - o.overlap), step):
                y1, x1 = min(height, y0 + o.tile), min(width, x0 + o.tile)
                tile = self._run(pipe, image[y0:y1, x0:x1], prompt or o.prompt, seed)
                tile = cv2.resize(tile, ((x1 - x0) * native, (y1 - y0) * native), interpolation=cv2.INTER_LANCZOS4)
                big[y0 * native:y1 * native, x0 * native:x1 * native] += tile.astype(np.float32)
                weight[y0 * native:y1 * native, x0 * native:x1 * native] += 1.0
        big = np.clip(np.round(big / np.maximum(weight, 1.0)), 0, 255).astype(np.uint8)
        # 4. Bring the model's factor to the one asked for
        size = (int(round(width * factor)), int(round(height * factor)))
        if big.shape[1::-1] != size:
            interpolation = cv2.INTER_AREA if size[0] < big.shape[1] else cv2.INTER_LANCZOS4
            big = cv2.resize(big, size, interpolation=interpolation)
        self.last_seconds = time.perf_counter() - started
        return big

    def _run(self, pipe: Any, tile: np.ndarray, prompt: str, seed: int) -> np.ndarray:
        import torch
        from PIL import Image

        o = self.options
        # The pipeline wants sides that its UNet can halve: pad to a multiple of 8 and crop back.
        h, w = tile.shape[:2]
        ph, pw = -h % 8, -w % 8
        padded = np.pad(tile, ((0, ph), (0, pw), (0, 0)), mode="edge")
        generator = torch.Generator("cpu").manual_seed(seed)
        with exclusive(pipe), torch.inference_mode():
            result = pipe(prompt=prompt, image=Image.fromarray(padded), num_inference_steps=o.steps,
                          guidance_scale=o.guidance_scale, noise_level=o.noise_level, generator=generator,
                          output_type="np")
        out = np.clip(np.round(result.images[0] * 255), 0, 255).astype(np.uint8)
        native = out.shape[0] // padded.shape[0]
        return out[:h * native, :w * native]


__all__ = ["DEFAULT_UPSCALE_MODEL", "DiffusionUpscaler", "UpscalerOptions"]
