"""MagicBrush-format data: loading, replay through Retouch, and its reported metrics.

Layout (as released by OSU-NLP-Group/MagicBrush)::

    ROOT/edit_sessions.json        {image_id: [{"input", "output", "mask", "instruction"}, …]}
    ROOT/images/<image_id>/<image_id>-input.png, <image_id>-output1.png, <image_id>-mask1.png, …
    ROOT/global_descriptions.json  optional: {image_id: {"<image_id>-output1.png": caption, …}} (CLIP-T)

Metrics follow the MagicBrush evaluation: L1 and L2 (mean over pixels on [0, 1], the output resized
to the target's size), CLIP-I and DINO (cosine similarity to the target), CLIP-T (to the caption),
in two settings: final turn (the last output of iterative, multi-turn editing against the last
target) and all turns (each turn edited independently from its ground-truth input).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from pydantic import BaseModel

from .embeddings import EmbeddingScorer, mean_scores

SESSIONS = "edit_sessions.json"
CAPTIONS = "global_descriptions.json"


class MagicBrushError(ValueError):
    """The folder is not in MagicBrush layout; the message says what is missing."""


class MagicBrushTurn(BaseModel):
    image_id: str
    turn: int
    instruction: str
    input: Path
    output: Path
    mask: Path | None = None
    caption: str | None = None


def load_magicbrush(root: str | Path, limit: int | None = None) -> dict[str, list[MagicBrushTurn]]:
    """Every edit session under ``root``, turns in order, with file paths checked."""
    root = Path(root)
    sessions_file = root / SESSIONS
    if not sessions_file.exists():
        raise MagicBrushError(f"{sessions_file} not found: point at the folder holding {SESSIONS} and images/")
    sessions = json.loads(sessions_file.read_text())
    captions = json.loads((root / CAPTIONS).read_text()) if (root / CAPTIONS).exists() else {}
    loaded: dict[str, list[MagicBrushTurn]] = {}
    for image_id, turns in sorted(sessions.items()):
        if limit is not None and len(loaded) >= limit:
            break
        folder = root / "images" / str(image_id)
        items = []
        for k, turn in enumerate(turns, start=1):
            missing = [key for key in ("input", "output", "instruction") if key not in turn]
            if missing:
                raise MagicBrushError(f"session {image_id} turn {k} lacks {', '.join(missing)}")
            paths = {key: folder / turn[key] for key in ("input", "output")}
            for key, path in paths.items():
                if not path.exists():
                    raise MagicBrushError(f"session {image_id} turn {k}: {key} image {path} not found")
            mask = folder / turn["mask"] if turn.get("mask") else None
            caption = captions.get(str(image_id), {}).get(turn["output"])
            items.append(MagicBrushTurn(image_id=str(image_id), turn=k, instruction=turn["instruction"],
                                        input=paths["input"], output=paths["output"],
                                        mask=mask if mask and mask.exists() else None, caption=caption))
        loaded[str(image_id)] = items
    return loaded


def _rgb(path_or_image: Path | Image.Image) -> Image.Image:
    image = path_or_image if isinstance(path_or_image, Image.Image) else Image.open(path_or_image)
    return image.convert("RGB")


def l1_l2(output: Image.Image, target: Image.Image) -> tuple[float, float]:
    """MagicBrush's L1/L2: the output resized to the target, both on [0, 1]."""
    a = np.asarray(_rgb(output).resize(target.size, Image.BICUBIC), dtype=np.float64) / 255.0
    b = np.asarray(_rgb(target), dtype=np.float64) / 255.0
    return float(np.abs(a - b).mean()), float(((a - b) ** 2).mean())


Editor = Callable[[list[str], Image.Image], list[Image.Image]]


def retouch_editor(overrides: dict[str, Any] | None = None) -> Editor:
    """Edits with Retouch: one session per call, one message per instruction; a failed turn keeps the image."""
    from graph import Editor as RetouchEditor
    from graph import Settings

    editor = RetouchEditor(Settings.load(**{"store": "memory://", **(overrides or {})}))

    def edit(instructions: list[str], image: Image.Image) -> list[Image.Image]:
        session = editor.session()
        outputs, current, uploaded = [], image, False
        for text in instructions:
            try:
                result = session.send(text, image=None if uploaded else current)
                uploaded = True
                current = result.image or current
            except Exception:  # an edit Retouch refuses leaves the image as it was
                pass
            outputs.append(current)
        return outputs

    return edit


def evaluate(sessions: dict[str, list[MagicBrushTurn]], edit: Editor,
             scorer: EmbeddingScorer | None = None) -> dict[str, dict[str, float]]:
    """Final-turn and all-turn figures (means over sessions / turns)."""
    final_rows, all_rows = [], []
    for turns in sessions.values():
        iterative = edit([t.instruction for t in turns], _rgb(turns[0].input))
        last_target = _rgb(turns[-1].output)
        final_rows.append(_figures(iterative[-1], last_target, turns[-1].caption, scorer))
        for turn in turns:
            independent = edit([turn.instruction], _rgb(turn.input))[0]
            all_rows.append(_figures(independent, _rgb(turn.output), turn.caption, scorer))
    return {"final_turn": {**mean_scores(final_rows), "n": float(len(final_rows))},
            "all_turn": {**mean_scores(all_rows), "n": float(len(all_rows))}}


def _figures(output: Image.Image, target: Image.Image, caption: str | None,
             scorer: EmbeddingScorer | None) -> dict[str, float]:
    l1, l2 = l1_l2(output, target)
    figures = {"l1": l1, "l2": l2}
    if scorer and scorer.available:
        resized = np.asarray(_rgb(output).resize(target.size))
        figures.update(scorer.scores(resized, np.asarray(target), caption))
    return figures
