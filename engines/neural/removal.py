"""Object removal by attention modulation (seed 000): inpainting whose self-attention ignores the object.

The inpainting pipeline alone tends to redraw "something" in the hole, often the object again. Here
every self-attention layer, at every step, gives zero weight to keys inside the removal mask, so the
hole can only be filled with what its surroundings look like. Windowing, seeding and compositing are
the DiffusionInpainter's: outside-mask pixels come back bit-identical.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from pydantic import Field

from ..base import EngineError
from .inpainting import DiffusionInpainter, InpainterOptions
from .models import ModelManager, parse_options


class RemovalOptions(InpainterOptions):
    """Inpainter options plus how the removal mask maps onto each attention layer's token grid."""

    default_prompt: str = "empty background"
    mask_threshold: float = Field(0.3, ge=0.0, lt=1.0,
                                  description="a token is masked when more than this fraction of it is in the hole")


class AttentionRemovalInpainter(DiffusionInpainter):
    """Inpainter (``neural-attention``) that installs MaskedSelfAttnProcessor for the duration of one call."""

    name = "neural-attention"

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        super().__init__(manager)
        self.options = parse_options(RemovalOptions, options)
        self.last_processor_calls = 0

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None) -> np.ndarray:
        if method not in ("auto", "attention"):
            raise EngineError(f"the {self.name} inpainter has one method, 'attention' (got {method!r})")
        return super().inpaint(image, mask, prompt=prompt, method="auto", seed=seed)

    def _run(self, pipe: Any, crop: Any, crop_mask: Any, prompt: str, seed: int) -> Any:
        import torch

        from .attention import MaskedSelfAttnProcessor, install_removal

        factor = getattr(pipe, "vae_scale_factor", 8)
        hole = torch.from_numpy(np.asarray(crop_mask) > 0)
        # The latent-resolution mask; each layer resizes it again to its own grid.
        latent = torch.nn.functional.interpolate(hole[None, None].float(),
                                                 size=(crop.height // factor, crop.width // factor),
                                                 mode="area")[0, 0]
        processor = MaskedSelfAttnProcessor(latent > 0, threshold=self.options.mask_threshold)
        with install_removal(pipe.unet, processor):
            edited = super()._run(pipe, crop, crop_mask, prompt, seed)
        self.last_processor_calls = processor.calls
        return edited
