"""The procedural scene composer: a background and flat-shaded objects from a layout, no model.

It is the offline ``Generator``: a session that starts from words gets a real image whose objects
are exactly where the plan put them, drawn with the same ``draw_shape``/``draw_object`` the inserter
uses, so the classical grounder finds them again on the next turn ("make the balloon bigger").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..base import Box, EngineError, InsertSpec
from .colors import canonical_color, rgb_of
from .insertion import DEFAULT_OBJECT_COLORS, draw_object, draw_shape
from .vocabulary import OBJECTS, SHAPES

BACKGROUNDS = ("plain", "sky", "gradient", "sunset", "night")

# Top and bottom colours of each background kind (before the seed's small hue jitter).
_RAMPS: dict[str, tuple[tuple[int, int, int], tuple[int, int, int]]] = {
    "sky": ((120, 180, 235), (205, 228, 248)),
    "gradient": ((190, 215, 245), (250, 240, 225)),
    "sunset": ((92, 70, 150), (250, 170, 95)),
    "night": ((10, 14, 40), (40, 52, 96)),
}
GROUND_SHARE = 0.22  # fraction of the height a ground band takes


@dataclass
class Background:
    """What is behind the objects: a kind, an optional colour and an optional ground band."""

    kind: str = "plain"
    color: str | None = None
    ground: str | None = None

    @classmethod
    def parse(cls, spec: str | dict | None) -> Background:
        """``"sunset"``, ``"sky+green"`` (sky over green ground), ``"plain:white"`` or a dict."""
        if isinstance(spec, dict):
            return cls(kind=spec.get("kind") or "plain", color=spec.get("color"), ground=spec.get("ground"))
        text = (spec or "plain").strip().lower()
        kind, _, ground = text.partition("+")
        kind, _, color = kind.partition(":")
        background = cls(kind=kind or "plain", color=color or None, ground=ground or None)
        if background.kind not in BACKGROUNDS:
            raise EngineError(f"unknown background {background.kind!r}; use one of {', '.join(BACKGROUNDS)}")
        return background


def _ramp(top: np.ndarray, bottom: np.ndarray, height: int, width: int) -> np.ndarray:
    t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
    return np.broadcast_to(top * (1 - t) + bottom * t, (height, width, 3)).astype(np.float32)


def paint_background(width: int, height: int, background: Background, seed: int | None = None) -> np.ndarray:
    """The empty scene: smooth ramps only (the grounder must not see objects in the background)."""
    if width < 8 or height < 8:
        raise EngineError(f"image size {width}x{height} is too small (at least 8x8)")
    rng = np.random.default_rng(seed)
    # A seed shifts the ramp a little, so variations of one layout differ in light, not in content.
    jitter = rng.uniform(-12, 12, size=3).astype(np.float32) if seed is not None else np.zeros(3, np.float32)
    if background.kind == "plain":
        color = canonical_color(background.color or "") or "white"
        image = np.broadcast_to(np.array(rgb_of(color), np.float32), (height, width, 3)).astype(np.float32)
    elif background.kind == "gradient" and background.color:
        base = np.array(rgb_of(canonical_color(background.color) or "blue"), np.float32)
        image = _ramp(base * 0.55 + 255 * 0.45, base, height, width)
    else:
        top, bottom = _RAMPS[background.kind]
        image = _ramp(np.array(top, np.float32) + jitter, np.array(bottom, np.float32) + jitter, height, width)
    if background.ground:
        ground = np.array(rgb_of(canonical_color(background.ground) or "green"), np.float32)
        if background.kind in ("sunset", "night"):
            ground = ground * (0.6 if background.kind == "sunset" else 0.35)
        image[int(round(height * (1 - GROUND_SHARE))):] = ground
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def ground_line(height: int, background: Background) -> int | None:
    """The y where the ground band starts, or None without one."""
    return int(round(height * (1 - GROUND_SHARE))) if background.ground else None


def draw_thing(image: np.ndarray, spec: InsertSpec, box: Box) -> tuple[np.ndarray, np.ndarray]:
    """One object of a layout, by noun: a shape, or a composite object."""
    noun = spec.noun
    if spec.rgb is not None:
        rgb = tuple(int(v) for v in spec.rgb)
    else:
        rgb = rgb_of(canonical_color(spec.color or "") or DEFAULT_OBJECT_COLORS.get(noun, "red"))
    if noun in SHAPES:
        return draw_shape(image, noun, box, rgb, rotation=spec.rotation)  # type: ignore[arg-type]
    if noun in OBJECTS:
        return draw_object(image, noun, box, rgb)  # type: ignore[arg-type]
    raise EngineError(f"the procedural generator cannot draw {noun!r}; it draws shapes ({', '.join(SHAPES)}) "
                      f"and objects ({', '.join(OBJECTS)}); configure a text-to-image model for others")


class ProceduralGenerator:
    """Background + layout → image, deterministically (the seed only shifts the background light)."""

    name = "classical"

    def generate(self, prompt: str, width: int, height: int, *, layout: list[tuple[Box, InsertSpec]] = (),
                 background: str | dict = "", seed: int | None = None) -> np.ndarray:
        image, _ = self.compose(width, height, layout=layout, background=background, seed=seed)
        return image

    def compose(self, width: int, height: int, *, layout: list[tuple[Box, InsertSpec]] = (),
                background: str | dict = "", seed: int | None = None) -> tuple[np.ndarray, list[np.ndarray]]:
        """The image and each layout object's visible mask (later objects cover earlier ones)."""
        image = paint_background(width, height, Background.parse(background or None), seed)
        masks: list[np.ndarray] = []
        for box, spec in layout:
            image, mask = draw_thing(image, spec, box)
            for earlier in masks:
                earlier &= ~mask
            masks.append(mask)
        return image, masks


__all__ = ["BACKGROUNDS", "Background", "ProceduralGenerator", "draw_thing", "ground_line", "paint_background"]
