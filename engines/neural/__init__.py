"""Neural engines: diffusion inpainting and attention-modulated removal, box-guided diffusion
insertion, SAM 2 segmentation, open-vocabulary grounding, CLIP scoring.

Importing this package imports no torch: the factories registered here import their engine module
(and through it torch, diffusers, transformers, sam2) only when an engine is built. Every engine
takes a ``model`` option (hub id or local folder) plus ``device`` / ``dtype``; see each module's
``…Options`` for the rest.

Registered names: grounder ``neural``; segmenter ``neural``; inpainter ``neural`` (attention-
modulated removal), ``neural-attention`` (the same) and ``neural-diffusion`` (plain inpainting);
inserter ``neural``; generator ``neural`` (text-to-image with per-object box attention). The refinement
agent uses upscale.py (``DiffusionUpscaler``) and img2img.py (``Img2ImgRestyler``) directly.
"""

from __future__ import annotations

from typing import Any

from ..registry import register

__all__ = ["ClipScorer", "ModelManager", "default_manager"]


def _grounder(**options: Any) -> Any:
    from .grounding import NeuralGrounder

    # ``segmenter: {...}`` turns box masks into SAM 2 masks.
    segmenter_options = options.pop("segmenter", None)
    segmenter = _segmenter(**segmenter_options) if segmenter_options else None
    return NeuralGrounder(segmenter=segmenter, **options)


def _segmenter(**options: Any) -> Any:
    from .sam2_segmenter import Sam2Segmenter

    return Sam2Segmenter(**options)


def _attention_inpainter(**options: Any) -> Any:
    from .removal import AttentionRemovalInpainter

    return AttentionRemovalInpainter(**options)


def _diffusion_inpainter(**options: Any) -> Any:
    from .inpainting import DiffusionInpainter

    return DiffusionInpainter(**options)


def _inserter(**options: Any) -> Any:
    from .insertion import DiffusionInserter

    segmenter_options = options.pop("segmenter", None)
    segmenter = _segmenter(**segmenter_options) if segmenter_options else None
    return DiffusionInserter(segmenter=segmenter, **options)


def _generator(**options: Any) -> Any:
    from .text2img import DiffusionGenerator

    return DiffusionGenerator(**options)


register("grounder", "neural", _grounder)
register("segmenter", "neural", _segmenter)
register("inpainter", "neural", _attention_inpainter)
register("inpainter", "neural-attention", _attention_inpainter)
register("inpainter", "neural-diffusion", _diffusion_inpainter)
register("inserter", "neural", _inserter)
register("generator", "neural", _generator)


def __getattr__(name: str) -> Any:
    # Lazy public names: ``from engines.neural import ClipScorer`` imports torch only then.
    if name == "ClipScorer":
        from .clip_scorer import ClipScorer

        return ClipScorer
    if name in ("ModelManager", "default_manager"):
        from . import models

        return getattr(models, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
