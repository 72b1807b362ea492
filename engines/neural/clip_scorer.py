"""CLIP similarities for the critic and the evals: image–text (CLIP-T) and image–image (CLIP-I).

Not an engine role: the critic and evals/ create one directly. Cosine similarities of the
normalised embeddings, in [-1, 1], batched.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import EngineError
from .models import ModelManager, default_manager, load_pretrained, parse_options, resolve_device


class ClipOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = Field("openai/clip-vit-base-patch32", description="hub id or local folder (model + processor)")
    device: str = "auto"
    dtype: str = "auto"
    batch_size: int = Field(16, ge=1)


class ClipScorer:
    """Batched CLIP embeddings and cosine similarities."""

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(ClipOptions, options)
        self.manager = manager or default_manager()
        self._processor: Any = None

    def _load(self) -> tuple[Any, Any]:
        from transformers import CLIPModel, CLIPProcessor

        device, dtype = resolve_device(self.options.device, self.options.dtype)
        model = self.manager.get(
            "clip", self.options.model, device, dtype,
            lambda: load_pretrained(lambda mid: CLIPModel.from_pretrained(mid), self.options.model, "CLIP")
            .to(device=device, dtype=dtype).eval(),
        )
        if self._processor is None:
            self._processor = load_pretrained(CLIPProcessor.from_pretrained, self.options.model, "CLIP processor")
        return model, self._processor

    def image_embeddings(self, images: Sequence[np.ndarray]) -> np.ndarray:
        """(N, D) unit vectors."""
        import torch
        from PIL import Image

        for image in images:
            if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
                raise EngineError("CLIP scores HxWx3 uint8 RGB images")
        model, processor = self._load()
        param = next(model.parameters())
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(images), self.options.batch_size):
                batch = [Image.fromarray(i) for i in images[start:start + self.options.batch_size]]
                pixels = processor(images=batch, return_tensors="pt")["pixel_values"].to(param.device, param.dtype)
                chunks.append(_features(model.get_image_features(pixel_values=pixels)))
        return _unit(torch.cat(chunks)) if chunks else np.zeros((0, 0), np.float32)

    def text_embeddings(self, texts: Sequence[str]) -> np.ndarray:
        """(N, D) unit vectors."""
        import torch

        model, processor = self._load()
        param = next(model.parameters())
        chunks = []
        with torch.inference_mode():
            for start in range(0, len(texts), self.options.batch_size):
                tokens = processor(text=list(texts[start:start + self.options.batch_size]), return_tensors="pt",
                                   padding=True, truncation=True).to(param.device)
                chunks.append(_features(model.get_text_features(input_ids=tokens["input_ids"],
                                                                attention_mask=tokens["attention_mask"])))
        return _unit(torch.cat(chunks)) if chunks else np.zeros((0, 0), np.float32)

    def image_text(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N_images, N_texts) cosine similarities."""
        return self.image_embeddings(images) @ self.text_embeddings(texts).T

    def image_image(self, images_a: Sequence[np.ndarray], images_b: Sequence[np.ndarray]) -> np.ndarray:
        """(N_a, N_b) cosine similarities."""
        return self.image_embeddings(images_a) @ self.image_embeddings(images_b).T

    def pairwise_image_text(self, images: Sequence[np.ndarray], texts: Sequence[str]) -> np.ndarray:
        """(N,) similarity of image i with text i (CLIP-T over a batch of edits)."""
        if len(images) != len(texts):
            raise EngineError("pairwise scores need as many texts as images")
        return np.einsum("nd,nd->n", self.image_embeddings(images), self.text_embeddings(texts))


def _features(output: Any) -> Any:
    # transformers 5 returns a model output object here; 4.x returned the tensor itself.
    return getattr(output, "pooler_output", output) if not hasattr(output, "norm") else output


def _unit(features: Any) -> np.ndarray:
    features = features.float()
    return (features / features.norm(dim=-1, keepdim=True).clamp_min(1e-12)).cpu().numpy()
