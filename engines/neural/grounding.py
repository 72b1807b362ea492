"""Open-vocabulary grounding: "the red car" → boxes (and masks) with a transformers detector.

OWLv2 / OWL-ViT or GroundingDINO, picked from the checkpoint's own config, so swapping the model id
is the only thing needed to switch family. The text query is the noun with its colours ("red car");
boxes become box-filled masks, or SAM 2 masks when a segmenter is given.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..base import Detection, EngineError, Segmenter
from ..classical.colors import color_name
from .models import ModelManager, default_manager, load_pretrained, parse_options, resolve_device

OWL_TYPES = ("owlv2", "owlvit")
DINO_TYPES = ("grounding-dino",)


class GrounderOptions(BaseModel):
    """Settings of the neural grounder (engine options ``grounder: {...}``)."""

    model_config = ConfigDict(extra="forbid")

    model: str = Field("google/owlv2-base-patch16-ensemble", description="hub id or local folder of a detector")
    device: str = "auto"
    dtype: str = Field("fp32", description="detectors are small; fp32 avoids fp16 box drift")
    threshold: float = Field(0.2, ge=0.0, le=1.0, description="minimum detection score")
    text_threshold: float = Field(0.25, ge=0.0, le=1.0, description="GroundingDINO token score threshold")
    nms_iou: float = Field(0.5, gt=0.0, le=1.0, description="overlapping boxes above this IoU are merged")
    max_detections: int = Field(20, ge=1)
    cache_size: int = Field(16, ge=1)


def query_text(noun: str | None, colors: tuple[str, ...]) -> str:
    """The detector's query: ``("red", "blue"), "car"`` → ``"red and blue car"``; no noun → ``"object"``."""
    words = " and ".join(colors)
    return f"{words} {noun or 'object'}".strip()


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    """Greedy non-maximum suppression (numpy; torchvision.ops is not a dependency)."""
    order = list(np.argsort(-scores))
    keep: list[int] = []
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    while order:
        i = order.pop(0)
        keep.append(int(i))
        rest = np.array(order, dtype=int)
        if rest.size == 0:
            break
        xx0 = np.maximum(boxes[i, 0], boxes[rest, 0])
        yy0 = np.maximum(boxes[i, 1], boxes[rest, 1])
        xx1 = np.minimum(boxes[i, 2], boxes[rest, 2])
        yy1 = np.minimum(boxes[i, 3], boxes[rest, 3])
        inter = np.clip(xx1 - xx0, 0, None) * np.clip(yy1 - yy0, 0, None)
        overlap = inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9)
        order = [int(j) for j, o in zip(rest, overlap, strict=True) if o <= iou]
    return keep


class NeuralGrounder:
    """Grounder over a transformers zero-shot detector, with results cached per image version."""

    name = "neural-detector"

    def __init__(self, manager: ModelManager | None = None, segmenter: Segmenter | None = None,
                 **options: Any) -> None:
        self.options = parse_options(GrounderOptions, options)
        self.manager = manager or default_manager()
        self.segmenter = segmenter
        self._cache: OrderedDict[tuple[Any, ...], list[Detection]] = OrderedDict()

    def detector(self) -> tuple[Any, Any, str]:
        """(model, processor, model_type), loaded once per process."""
        device, dtype = resolve_device(self.options.device, self.options.dtype)

        def load() -> tuple[Any, Any, str]:
            from transformers import AutoConfig, AutoModelForZeroShotObjectDetection, AutoProcessor

            config = load_pretrained(AutoConfig.from_pretrained, self.options.model, "detector")
            if config.model_type not in OWL_TYPES + DINO_TYPES:
                raise EngineError(f"{self.options.model} is a {config.model_type!r} model; the grounder "
                                  "needs OWLv2, OWL-ViT or GroundingDINO")
            model = load_pretrained(lambda mid: AutoModelForZeroShotObjectDetection.from_pretrained(mid),
                                    self.options.model, "detector")
            processor = load_pretrained(AutoProcessor.from_pretrained, self.options.model, "detector processor")
            return model.to(device=device, dtype=dtype).eval(), processor, config.model_type

        return self.manager.get("detector", self.options.model, device, dtype, lambda: _Loaded(*load())).parts

    def ground(self, image: np.ndarray, noun: str | None = None, colors: tuple[str, ...] = (), *,
               tolerance: float = 1.0, cache_key: str | None = None) -> list[Detection]:
        # 1. Check inputs
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
        if tolerance <= 0:
            raise EngineError("tolerance must be positive")
        query = query_text(noun, tuple(colors))
        # A looser tolerance lowers the score bar proportionally.
        threshold = min(1.0, self.options.threshold / tolerance)
        key = (cache_key, query, threshold) if cache_key else None
        if key is not None and key in self._cache:
            self._cache.move_to_end(key)
            return [_copy(d) for d in self._cache[key]]
        # 2. Detect
        boxes, scores = self._detect(image, query, threshold)
        # 3. Merge overlaps, keep the best
        keep = nms(boxes, scores, self.options.nms_iou)[: self.options.max_detections] if len(boxes) else []
        # 4. Masks and attributes
        detections = [self._detection(image, boxes[i], float(scores[i]), noun, colors, query, cache_key)
                      for i in keep]
        detections = [d for d in detections if d is not None]
        if key is not None:
            self._cache[key] = [_copy(d) for d in detections]
            while len(self._cache) > self.options.cache_size:
                self._cache.popitem(last=False)
        return detections

    def _detect(self, image: np.ndarray, query: str, threshold: float) -> tuple[np.ndarray, np.ndarray]:
        import torch
        from PIL import Image

        model, processor, model_type = self.detector()
        height, width = image.shape[:2]
        pil = Image.fromarray(image)
        param = next(model.parameters())
        with torch.inference_mode():
            if model_type in DINO_TYPES:
                text = query.lower().rstrip(".") + "."
                inputs = processor(images=pil, text=text, return_tensors="pt").to(param.device)
                inputs["pixel_values"] = inputs["pixel_values"].to(param.dtype)
                outputs = model(**inputs)
                result = processor.post_process_grounded_object_detection(
                    outputs, inputs["input_ids"], threshold=threshold, text_threshold=self.options.text_threshold,
                    target_sizes=[(height, width)])[0]
            else:
                inputs = processor(text=[[query]], images=pil, return_tensors="pt").to(param.device)
                inputs["pixel_values"] = inputs["pixel_values"].to(param.dtype)
                outputs = model(**inputs)
                # OWLv2 pads to a square before resizing: its boxes are relative to the padded square.
                side = max(height, width)
                target = (side, side) if model_type == "owlv2" else (height, width)
                result = processor.post_process_grounded_object_detection(
                    outputs, threshold=threshold, target_sizes=[target])[0]
        boxes = result["boxes"].float().cpu().numpy().reshape(-1, 4)
        scores = result["scores"].float().cpu().numpy().reshape(-1)
        return boxes, scores

    def _detection(self, image: np.ndarray, raw: np.ndarray, score: float, noun: str | None,
                   colors: tuple[str, ...], query: str, cache_key: str | None) -> Detection | None:
        height, width = image.shape[:2]
        x0, y0 = int(np.clip(np.floor(raw[0]), 0, width)), int(np.clip(np.floor(raw[1]), 0, height))
        x1, y1 = int(np.clip(np.ceil(raw[2]), 0, width)), int(np.clip(np.ceil(raw[3]), 0, height))
        if x1 - x0 < 1 or y1 - y0 < 1:
            return None
        box = (x0, y0, x1, y1)
        if self.segmenter is not None:
            mask = self.segmenter.segment(image, box=box, cache_key=cache_key) & _box_mask(image, box)
            if not mask.any():
                mask = _box_mask(image, box)
        else:
            mask = _box_mask(image, box)
        rgb = tuple(int(v) for v in np.median(image[mask], axis=0))
        return Detection(mask=mask, box=box, label=query, noun=noun or "object",
                         color=colors[0] if colors else color_name(rgb), rgb=rgb,  # type: ignore[arg-type]
                         score=float(np.clip(score, 0.0, 1.0)),
                         attributes={"source": self.name, "query": query,
                                     "mask": "sam2" if self.segmenter is not None else "box"})


class _Loaded:
    """Holder so the manager can size the detector (its ``model``) while we keep the processor with it."""

    def __init__(self, model: Any, processor: Any, model_type: str) -> None:
        self.model = model
        self.parts = (model, processor, model_type)

    def to(self, device: Any) -> _Loaded:
        self.model.to(device)
        return self


def _box_mask(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    mask = np.zeros(image.shape[:2], dtype=bool)
    mask[box[1]:box[3], box[0]:box[2]] = True
    return mask


def _copy(d: Detection) -> Detection:
    return Detection(mask=d.mask.copy(), box=d.box, label=d.label, noun=d.noun, color=d.color, rgb=d.rgb,
                     score=d.score, attributes=dict(d.attributes))
