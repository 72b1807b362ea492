"""SAM 2 box / point → mask, with the image embedding computed once per image version.

The image encoder is the expensive part (hundreds of ms on a GPU at 1024 px); the prompt decoder
is cheap. Every prompt on the same ``cache_key`` reuses the stored embedding, and the last few
embeddings are kept in an LRU so going back to a recent version costs nothing either.

Weights, in order of precedence: ``config`` + ``checkpoint`` (a bundled sam2 config name such as
``configs/sam2.1/sam2.1_hiera_t.yaml`` and a ``.pt`` file); ``model`` as a local folder holding
``sam2.json`` (``{"config": …, "checkpoint": "model.pt", "image_size": …}``); ``model`` as a hub id
(``facebook/sam2.1-hiera-tiny`` … ``-large``), fetched through sam2's own downloader.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import Box, EngineError
from .models import ModelManager, default_manager, parse_options, resolve_device


class Sam2Options(BaseModel):
    """Settings of the SAM 2 segmenter (engine options ``segmenter: {...}``)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = Field("facebook/sam2.1-hiera-tiny", description="hub id, or a folder with sam2.json")
    config: str | None = Field(None, description="bundled sam2 config name, used with `checkpoint`")
    checkpoint: str | None = Field(None, description=".pt file; None with `config` = random weights (tests)")
    image_size: int | None = Field(None, ge=64, description="input size override (multiple of 16)")
    device: str = "auto"
    cache_size: int = Field(4, ge=1, description="image embeddings kept (LRU)")
    multimask: bool = Field(False, description="for box prompts; point-only prompts always pick the best of 3")


def _feature_sizes(image_size: int) -> list[tuple[int, int]]:
    # The predictor hard-codes these for 1024 px; other sizes need them scaled (strides 4, 8, 16).
    return [(image_size // 4,) * 2, (image_size // 8,) * 2, (image_size // 16,) * 2]


class Sam2Segmenter:
    """Segmenter over ``sam2``'s SAM2ImagePredictor with a per-``cache_key`` embedding LRU."""

    name = "neural-sam2"
    _lock = threading.Lock()  # the predictor is shared process-wide and holds one image at a time

    def __init__(self, manager: ModelManager | None = None, **options: Any) -> None:
        self.options = parse_options(Sam2Options, options)
        if not (self.options.model or self.options.config):
            raise EngineError("SAM 2 needs weights: set `model` (hub id or folder) or `config` + `checkpoint`")
        self.manager = manager or default_manager()
        self.set_image_calls = 0  # image encoder runs; the tests assert on it
        self._embeddings: OrderedDict[str, tuple[dict[str, Any], tuple[int, int]]] = OrderedDict()

    # -- loading -----------------------------------------------------------------------------------
    def _resolve(self) -> tuple[str, str | None, int | None, str]:
        """(config name, checkpoint path, image size, cache id)."""
        o = self.options
        if o.config:
            return o.config, o.checkpoint, o.image_size, f"{o.config}:{o.checkpoint}"
        model = str(o.model)
        folder = Path(model).expanduser()
        if folder.is_dir():
            spec_file = folder / "sam2.json"
            if not spec_file.exists():
                raise EngineError(f"{folder} has no sam2.json; write {{\"config\": \"configs/sam2.1/…yaml\", "
                                  "\"checkpoint\": \"model.pt\"}} there, or set `config` and `checkpoint`")
            spec = json.loads(spec_file.read_text())
            return (spec["config"], str(folder / spec.get("checkpoint", "model.pt")),
                    o.image_size or spec.get("image_size"), str(folder))
        if model.startswith(("/", ".", "~")):
            raise EngineError(f"SAM 2 folder {folder} does not exist")
        try:
            from sam2.build_sam import HF_MODEL_ID_TO_FILENAMES, _hf_download
        except ImportError as exc:
            raise EngineError("SAM 2 needs the sam2 package: pip install sam2") from exc
        if model not in HF_MODEL_ID_TO_FILENAMES:
            raise EngineError(f"unknown SAM 2 id {model!r}; known: {', '.join(HF_MODEL_ID_TO_FILENAMES)}")
        try:
            config, checkpoint = _hf_download(model)
        except Exception as exc:  # hub errors come in many types; all mean "weights not here"
            raise EngineError(f"could not fetch SAM 2 weights {model!r} ({exc}); download them once, or set "
                              "`config` and `checkpoint` to a local .pt file") from exc
        return config, checkpoint, o.image_size, model

    def predictor(self) -> Any:
        config, checkpoint, image_size, model_id = self._resolve()
        device, dtype = resolve_device(self.options.device, "fp32")

        def load() -> Any:
            try:
                from sam2.build_sam import build_sam2
                from sam2.sam2_image_predictor import SAM2ImagePredictor
            except ImportError as exc:
                raise EngineError("SAM 2 needs the sam2 package: pip install sam2") from exc
            if checkpoint is not None and not Path(checkpoint).exists():
                raise EngineError(f"SAM 2 checkpoint {checkpoint} not found")
            overrides = [f"++model.image_size={image_size}"] if image_size else []
            model = build_sam2(config, ckpt_path=checkpoint, device=str(device),
                               hydra_overrides_extra=overrides)
            # No compiled _C extension is required: hole filling (max_hole_area) stays off.
            predictor = SAM2ImagePredictor(model, max_hole_area=0.0)
            if image_size:
                predictor._bb_feat_sizes = _feature_sizes(image_size)
            return predictor

        return self.manager.get("sam2", model_id, device, dtype, load)

    # -- segmenting --------------------------------------------------------------------------------
    def segment(self, image: np.ndarray, box: Box | None = None, points: list[tuple[int, int]] | None = None,
                *, cache_key: str | None = None) -> np.ndarray:
        # 1. Check inputs
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
        if box is None and not points:
            raise EngineError("SAM 2 needs a box or at least one point")
        height, width = image.shape[:2]
        if box is not None:
            x0, y0, x1, y1 = box
            if x1 <= x0 or y1 <= y0:
                raise EngineError(f"empty box {box}")
        key = cache_key or hashlib.sha1(image.tobytes()).hexdigest() + f"{image.shape}"
        import torch

        with self._lock, torch.inference_mode():
            # 2. Image embedding: reuse, or compute once
            predictor = self.predictor()
            self._use_embedding(predictor, image, key)
            # 3. Decode the prompt
            point_coords = np.asarray(points, dtype=np.float32) if points else None
            point_labels = np.ones(len(points), dtype=np.int32) if points else None
            multimask = self.options.multimask or box is None
            masks, scores, _ = predictor.predict(
                point_coords=point_coords, point_labels=point_labels,
                box=np.asarray(box, dtype=np.float32) if box is not None else None, multimask_output=multimask,
            )
        best = int(np.argmax(scores)) if multimask else 0
        mask = np.asarray(masks[best]) > 0
        if mask.shape != (height, width):
            raise EngineError(f"SAM 2 returned a {mask.shape} mask for a {(height, width)} image")
        return mask

    def _use_embedding(self, predictor: Any, image: np.ndarray, key: str) -> None:
        cached = self._embeddings.get(key)
        if cached is not None:
            self._embeddings.move_to_end(key)
            predictor._features, orig_hw = cached
            predictor._orig_hw = [orig_hw]
            predictor._is_image_set = True
            predictor._is_batch = False
            return
        predictor.set_image(image)
        self.set_image_calls += 1
        self._embeddings[key] = (predictor._features, tuple(image.shape[:2]))
        while len(self._embeddings) > self.options.cache_size:
            self._embeddings.popitem(last=False)
