"""The offline demo: a scripted conversation on a drawn scene and one on a real photograph.

Runs with no network and no GPU, on the embedded defaults, and writes every image plus a
self-contained HTML trace per conversation.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from agents.operations.layout import compose

from .api import Editor, TurnResult
from .report import write_session_report

SCENE_SCRIPT = [
    "remove the green triangle",
    "make the red circle blue",
    "now make it bigger",
    "add a yellow star at the top right",
    "actually, make the circle purple instead",
    "move the square to the left a bit",
    "undo",
    "blur the background",
]

PHOTO_SCRIPT = [
    "make the background grayscale",
    "add text 'ASTRONAUT' at the bottom",
    "change 'ASTRONAUT' to 'EXPLORER'",
    "blur the face a bit",
    "remove the text",
]


def demo_scene(width: int = 640, height: int = 480) -> np.ndarray:
    """A sky with four shapes, drawn exactly (the same every run)."""
    return compose(width, height, [("circle", "red", (70, 180, 200, 310)), ("square", "orange", (300, 300, 400, 400)),
                                   ("triangle", "green", (440, 80, 570, 200)),
                                   ("hexagon", "purple", (450, 300, 560, 410))])


def demo_photo() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def run_demo(out_dir: str | Path, editor: Editor | None = None,
             on_turn: Callable[[str, TurnResult], None] | None = None) -> dict[str, Path]:
    """Run both conversations; returns the paths of the two HTML reports."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    own = editor is None
    editor = editor or Editor(store="memory://")
    reports = {}
    try:
        for name, image, script in (("scene", demo_scene(), SCENE_SCRIPT), ("photo", demo_photo(), PHOTO_SCRIPT)):
            session = editor.session()
            folder = out / name
            folder.mkdir(exist_ok=True)
            from PIL import Image

            Image.fromarray(image).save(folder / "00-input.png")
            for index, message in enumerate(script, start=1):
                result = session.send(message, image=image if index == 1 else None)
                if result.image is not None:
                    result.image.save(folder / f"{index:02d}-{_slug(message)}.png")
                if on_turn:
                    on_turn(name, result)
            engines = ", ".join(f"{k}={v}" for k, v in editor.engine_names.items())
            reports[name] = write_session_report(editor.store, session.id, folder / "report.html", engines)
    finally:
        if own:
            editor.close()
    return reports


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")[:40]
