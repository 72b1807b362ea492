"""Filling the hole a thing leaves, as remove does: what replace, count and replace_text share.

Shared deliberately: each of them takes something out before it puts something else in, and the
hole must be filled the same way (grown by the retry loop's ``dilate``, the inpainting method the
retry loop chose, protected entities kept out, other objects never copied into the hole).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..regions import dilate
from .remove import INPAINT_METHODS

FILL = {"dilate": 3, "method": "auto"}


def fill_hole(executor, op, image: np.ndarray, target: np.ndarray, working, *, seed: int,
              cache_key: str | None, prompt: str = "") -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """(filled image, the hole that was filled, what the trace keeps about the call)."""
    shape = image.shape[:2]
    protected = executor.protected(op, working, shape)
    grow = int(op.strategy.get("dilate", FILL["dilate"]))
    hole = dilate(target, grow)
    if protected is not None:
        hole &= ~protected
    inpainter = executor.engines.inpainter
    previous = getattr(inpainter, "last_result", None)
    extra: dict[str, Any] = {}
    if executor.accepts(inpainter.inpaint, "avoid"):
        extra["avoid"] = executor.other_objects(image, target, cache_key)
    method = op.strategy.get("method", FILL["method"])
    result = inpainter.inpaint(image, hole, method=method, prompt=prompt, seed=seed, **extra)
    info = {"dilate": grow, "method": method, "method_used": getattr(inpainter, "last_method", ""), "seed": seed,
            **executor.engine_call(inpainter, previous)}
    return result, hole, info


def vary_method(op, variant: int) -> None:
    """A candidate of its own fills with another inpainting method (when the plan left it open)."""
    if op.strategy.get("method", "auto") == "auto":
        op.strategy["method"] = INPAINT_METHODS[variant % len(INPAINT_METHODS)]


def prompt_inpainter(inpainter) -> bool:
    """Whether the inpainter paints what a prompt says (a diffusion model), so it can draw the
    new thing into the hole itself."""
    return str(getattr(inpainter, "name", "")).startswith("neural")
