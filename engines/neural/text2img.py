"""Text-to-image generation (SD 1.x/2.x/SDXL ids or local folders) that follows a layout.

The ``Generator`` for a session that starts from words when a text-to-image model is configured.
The plan's layout is honoured the way the inserter honours its box: during the first part of the
schedule every object's colour-and-noun tokens get their cross-attention multiplied by ``box_boost``
for the latent positions inside that object's box (the same boost as engines/neural/insertion.py,
one box per object here). Nothing else steers the layout, so with random or weak weights objects
may still land elsewhere; the graph segments each object inside its planned box afterwards.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import Box, EngineError, InsertSpec
from . import imaging
from .models import ModelManager, default_manager, exclusive, parse_options

DEFAULT_TEXT2IMG_MODEL = "stable-diffusion-v1-5/stable-diffusion-v1-5"


class GeneratorOptions(BaseModel):
    """Settings of the text-to-image generator (engine options ``generator: {...}``)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field(DEFAULT_TEXT2IMG_MODEL, description="hub id or local folder of a text-to-image pipeline")
    device: str = Field("auto", description="auto | cuda | cuda:N | cpu")
    dtype: str = Field("auto", description="auto (fp16 on GPU, fp32 on CPU) | fp16 | bf16 | fp32")
    steps: int = Field(30, ge=1, le=200)
    guidance_scale: float = Field(7.5, ge=0.0)
    negative_prompt: str = "blurry, low quality, watermark, text"
    box_boost: float = Field(2.5, ge=1.0, description="cross-attention gain for an object's tokens in its box; "
                                                       "1 = no layout guidance")
    boost_until: float = Field(0.4, ge=0.0, le=1.0, description="fraction of the steps the boost is on for")
    cpu_offload: bool = Field(False, description="accelerate's model CPU offload (GPU only)")


@dataclass
class GenerateResult:
    image: np.ndarray
    seed: int
    size: tuple[int, int]
    steps: int
    boosted_steps: list[int] = field(default_factory=list)
    seconds: float = 0.0


class LayoutCrossAttnProcessor:
    """Cross-attention that boosts each object's tokens inside its own box (conditional rows only),
    while ``state.enhancing``; self-attention and later steps are plain attention."""

    def __init__(self, boxes: list[tuple[Any, list[int]]], factor: float, state: Any) -> None:
        if factor < 1.0:
            raise ValueError("the attention boost factor must be ≥ 1")
        self.boxes = [(mask.bool(), tokens) for mask, tokens in boxes]
        self.factor = factor
        self.state = state
        self._grids: dict[tuple[int, int], Any] = {}

    def __call__(self, attn: Any, hidden_states: Any, encoder_hidden_states: Any = None, attention_mask: Any = None,
                 temb: Any = None, *args: Any, **kwargs: Any) -> Any:
        import torch

        from .attention import _attend, boosted_attention_probs, mask_to_grid, token_grid

        plain = lambda q, k, m, rows=None: attn.get_attention_scores(q, k, m)  # noqa: E731
        if encoder_hidden_states is None or not self.state.enhancing or not self.boxes:
            return _attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb, plain)
        tokens = hidden_states.shape[1] if hidden_states.ndim == 3 else hidden_states.shape[2] * hidden_states.shape[3]
        grids = []
        for index, (mask, token_ids) in enumerate(self.boxes):
            if (index, tokens) not in self._grids:
                self._grids[(index, tokens)] = mask_to_grid(mask, token_grid(tokens, tuple(mask.shape)), 0.5)
            grids.append((self._grids[(index, tokens)].to(hidden_states.device), token_ids))
        self.state.fired.add(self.state.step)
        first_cond = hidden_states.shape[0] // 2 * attn.heads if self.state.guided_batch else 0

        def probs(q: Any, k: Any, m: Any, rows: slice) -> Any:
            p = plain(q, k, m)
            skip = max(0, first_cond - rows.start)
            if skip >= p.shape[0]:
                return p
            boosted = p[skip:]
            for query_mask, token_ids in grids:
                boosted = boosted_attention_probs(boosted, query_mask, token_ids, self.factor)
            return torch.cat([p[:skip], boosted]) if skip else boosted

        return _attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb, probs)


class DiffusionGenerator:
    """Generator over ``AutoPipelineForText2Image``; the pipeline loads once per process."""

    name = "neural-text2img"

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(GeneratorOptions, options)
        self.manager = manager or default_manager()
        self.last_result: GenerateResult | None = None

    def pipeline(self) -> Any:
        o = self.options
        return self.manager.pipeline("text2img", o.model, o.device, o.dtype, cpu_offload=o.cpu_offload)

    def generate(self, prompt: str, width: int, height: int, *, layout: list[tuple[Box, InsertSpec]] = (),
                 background: str | dict = "", seed: int | None = None) -> np.ndarray:
        import torch
        from PIL import Image

        from .attention import ScheduleState, installed
        from .insertion import token_positions

        # 1. Check inputs
        if not prompt.strip():
            raise EngineError("text-to-image needs a prompt: describe the picture")
        if not (16 <= width <= 4096 and 16 <= height <= 4096):
            raise EngineError(f"image size {width}x{height} is out of range (16 to 4096 px a side)")
        started = time.perf_counter()
        seed = imaging.new_seed(seed)
        o = self.options
        # 2. Load the pipeline and fit the size to the model's stride (the result is resized back)
        pipe = self.pipeline()
        levels = len(pipe.unet.config.block_out_channels) - 1
        vae_factor = getattr(pipe, "vae_scale_factor", 8)
        multiple = max(8, vae_factor * 2**levels)
        model_w, model_h = (max(multiple, round(v / multiple) * multiple) for v in (width, height))
        latent_hw = (model_h // vae_factor, model_w // vae_factor)
        # 3. One boosted box per object, in latent coordinates
        boxes = []
        for box, spec in layout:
            mask = torch.zeros(latent_hw, dtype=torch.bool)
            x0, y0, x1, y1 = box
            ly0, ly1 = int(y0 * latent_hw[0] / height), max(int(y0 * latent_hw[0] / height) + 1,
                                                             round(y1 * latent_hw[0] / height))
            lx0, lx1 = int(x0 * latent_hw[1] / width), max(int(x0 * latent_hw[1] / width) + 1,
                                                            round(x1 * latent_hw[1] / width))
            mask[ly0:ly1, lx0:lx1] = True
            words = [w for w in (spec.color, spec.noun) if w]
            boxes.append((mask, token_positions(pipe.tokenizer, prompt, words) if words else []))
        n_boost = int(round(o.boost_until * o.steps)) if o.box_boost > 1.0 and boxes else 0
        state = ScheduleState(enhance_steps=n_boost, guided_batch=o.guidance_scale > 1.0)
        processor = LayoutCrossAttnProcessor(boxes, o.box_boost, state)

        def on_step_end(pipeline: Any, i: int, t: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
            state.step = i + 1
            return {}

        # 4. Denoise (CPU generator: the same noise on any device)
        generator = torch.Generator("cpu").manual_seed(seed)
        choose = lambda name, proc: processor if name.endswith("attn2.processor") else proc  # noqa: E731
        with exclusive(pipe), installed(pipe.unet, choose), torch.inference_mode():
            result = pipe(prompt=prompt, negative_prompt=o.negative_prompt or None, height=model_h, width=model_w,
                          num_inference_steps=o.steps, guidance_scale=o.guidance_scale, generator=generator,
                          callback_on_step_end=on_step_end, output_type="pil")
        picture = result.images[0]
        if picture.size != (width, height):
            picture = picture.resize((width, height), Image.LANCZOS)
        image = np.asarray(picture.convert("RGB"), dtype=np.uint8).copy()
        self.last_result = GenerateResult(image, seed, (model_w, model_h), o.steps, sorted(state.fired),
                                          time.perf_counter() - started)
        return image


__all__ = ["DEFAULT_TEXT2IMG_MODEL", "DiffusionGenerator", "GenerateResult", "GeneratorOptions",
           "LayoutCrossAttnProcessor"]
