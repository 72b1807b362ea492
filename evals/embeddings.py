"""CLIP-I, CLIP-T and DINO similarities from local model folders, loaded lazily.

None of this imports torch until a scorer is built; without model folders the figures are skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


class EmbeddingScorer:
    """Cosine similarities with CLIP (image–image, image–text) and DINO (image–image)."""

    def __init__(self, clip_model: str | None = None, dino_model: str | None = None, device: str = "cpu") -> None:
        self.clip_model, self.dino_model, self.device = clip_model, dino_model, device
        self._clip = None
        self._dino = None

    @property
    def available(self) -> set[str]:
        names = set()
        if self.clip_model:
            names |= {"clip_i", "clip_t"}
        if self.dino_model:
            names.add("dino")
        return names

    def _clip_scorer(self):
        if self._clip is None:
            from engines.neural.clip_scorer import ClipScorer  # optional: only with the neural extra

            self._clip = ClipScorer(model=self.clip_model, device=self.device)
        return self._clip

    def clip_i(self, a: np.ndarray, b: np.ndarray) -> float:
        emb = self._clip_scorer().image_embeddings([a, b])
        return float(emb[0] @ emb[1])

    def clip_t(self, image: np.ndarray, text: str) -> float:
        scorer = self._clip_scorer()
        return float(scorer.image_embeddings([image])[0] @ scorer.text_embeddings([text])[0])

    def _dino_parts(self):
        if self._dino is None:
            from transformers import AutoImageProcessor, AutoModel

            self._dino = (AutoImageProcessor.from_pretrained(self.dino_model),
                          AutoModel.from_pretrained(self.dino_model).to(self.device).eval())
        return self._dino

    def dino(self, a: np.ndarray, b: np.ndarray) -> float:
        import torch

        processor, model = self._dino_parts()
        with torch.inference_mode():
            pixels = processor(images=[a, b], return_tensors="pt")["pixel_values"].to(self.device)
            cls = model(pixel_values=pixels).last_hidden_state[:, 0]
            cls = torch.nn.functional.normalize(cls.float(), dim=-1)
        return float(cls[0] @ cls[1])

    def scores(self, output: np.ndarray, target: np.ndarray, caption: str | None = None) -> dict[str, float]:
        figures: dict[str, float] = {}
        if self.clip_model:
            figures["clip_i"] = self.clip_i(output, target)
            if caption:
                figures["clip_t"] = self.clip_t(output, caption)
        if self.dino_model:
            figures["dino"] = self.dino(output, target)
        return figures


def mean_scores(rows: Sequence[dict[str, float]]) -> dict[str, float]:
    keys = sorted({k for r in rows for k in r})
    return {k: float(np.mean([r[k] for r in rows if k in r])) for k in keys}
