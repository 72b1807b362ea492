"""New backdrops without a model: a plain colour, a two-colour gradient or one of the scene
composer's backgrounds, and a soft-edged composite of the kept foreground over it.

Scene words the composer has no background for ("forest", "beach", "studio") are mapped to the
nearest one it has (sky over green ground, sky over sand, a grey gradient), and the mapping is said,
so a reply can tell the user it is an approximation; an inpainting model paints the real scene.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..base import EngineError
from .colors import PALETTE, canonical_color, rgb_of
from .generator import BACKGROUNDS, Background, paint_background

# Scene word → the composer background that stands in for it ("kind" or "kind+ground colour").
SCENES: dict[str, str] = {
    "sky": "sky", "sunset": "sunset", "night": "night",
    "blue sky": "sky", "clouds": "sky", "air": "sky", "heaven": "sky",
    "sunrise": "sunset", "dawn": "sunset", "dusk": "sunset", "evening": "sunset", "golden hour": "sunset",
    "night sky": "night", "space": "night", "stars": "night", "starry sky": "night", "galaxy": "night",
    "forest": "sky+green", "woods": "sky+green", "jungle": "sky+green", "park": "sky+green",
    "garden": "sky+green", "field": "sky+green", "meadow": "sky+green", "grass": "sky+green",
    "countryside": "sky+green", "lawn": "sky+green", "hills": "sky+green",
    "beach": "sky+yellow", "sand": "sky+yellow", "desert": "sunset+orange", "dunes": "sunset+orange",
    "sea": "sky+blue", "ocean": "sky+blue", "lake": "sky+blue", "water": "sky+blue", "river": "sky+blue",
    "snow": "sky+white", "winter": "sky+white", "mountains": "sky+white", "mountain": "sky+white",
    "city": "sky+gray", "street": "sky+gray", "town": "sky+gray", "road": "sky+gray", "skyline": "sky+gray",
    "studio": "gradient:gray", "office": "plain:white", "room": "plain:white", "wall": "plain:white",
    "indoors": "plain:white", "paper": "plain:white",
}


@dataclass(frozen=True)
class Backdrop:
    """What goes behind the foreground: ``color`` (one colour), ``gradient`` (top → bottom) or ``scene``."""

    kind: str
    colors: tuple[str, ...] = ()
    scene: str = ""

    @property
    def composer(self) -> str:
        """The composer background a scene is painted as ("" for colours and gradients)."""
        return SCENES.get(self.scene, "") if self.kind == "scene" else ""

    @property
    def approximated(self) -> bool:
        """Whether a scene is painted as a stand-in rather than as what was asked."""
        return self.kind == "scene" and self.composer not in BACKGROUNDS


def scene_words() -> list[str]:
    return sorted(SCENES)


def backdrop_of(*, color: str | None = None, gradient: list[str] | tuple[str, ...] | None = None,
                scene: str | None = None) -> Backdrop:
    """A backdrop from exactly one of a colour, two gradient colours or a scene word."""
    given = [name for name, value in (("color", color), ("gradient", gradient), ("scene", scene)) if value]
    if len(given) != 1:
        raise EngineError(f"a backdrop is one of a colour, a gradient or a scene, got {given or 'none'}")
    if color:
        return Backdrop("color", (_color(color),))
    if gradient:
        if len(gradient) != 2:
            raise EngineError(f"a gradient has two colours, got {list(gradient)}")
        return Backdrop("gradient", tuple(_color(c) for c in gradient))
    word = " ".join(str(scene).lower().split()).removeprefix("a ").removeprefix("the ")
    for candidate in (word, word.removesuffix("s"), word + "s"):
        if candidate in SCENES:
            return Backdrop("scene", scene=candidate)
    if canonical_color(word):
        return Backdrop("color", (canonical_color(word),))
    raise EngineError(f"no offline backdrop for {scene!r}; known scenes: {', '.join(scene_words())} "
                      "(or a colour, or a gradient of two colours)")


def _color(word: str) -> str:
    name = canonical_color(str(word))
    if name is None:
        raise EngineError(f"unknown colour {word!r}; known colours: {', '.join(sorted(PALETTE))}")
    return name


def paint_backdrop(width: int, height: int, backdrop: Backdrop) -> np.ndarray:
    """The backdrop as an HxWx3 uint8 image, the same every time."""
    if backdrop.kind == "color":
        return np.full((height, width, 3), rgb_of(backdrop.colors[0]), np.uint8)
    if backdrop.kind == "gradient":
        top, bottom = (np.array(rgb_of(c), np.float32) for c in backdrop.colors)
        t = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None, None]
        ramp = np.broadcast_to(top * (1 - t) + bottom * t, (height, width, 3))
        return np.clip(np.round(ramp), 0, 255).astype(np.uint8)
    return paint_background(width, height, Background.parse(backdrop.composer), seed=None)


def soft_alpha(image: np.ndarray, foreground: np.ndarray, radius: int) -> np.ndarray:
    """The foreground's matte in [0, 1]: exactly 1 over the whole foreground mask (its pixels stay
    the original's), 0 farther than ``radius`` px outside it, and in that outer band the edge
    re-drawn along the image's own edges (a guided filter, when OpenCV's contrib modules are
    installed; a Gaussian feather otherwise), so hair and fur just outside a conservative mask are
    blended into the new backdrop rather than cut off, while a crisp edge stays crisp."""
    hard = foreground.astype(np.uint8)
    if radius <= 0 or not foreground.any():
        return hard.astype(np.float32)
    source = hard.astype(np.float32)
    if hasattr(cv2, "ximgproc"):
        alpha = cv2.ximgproc.guidedFilter(image.astype(np.float32) / 255.0, source, radius, 1e-3)
    else:
        alpha = cv2.GaussianBlur(source, (0, 0), radius / 2)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    outer = cv2.dilate(hard, kernel).astype(bool)
    # Twice the filter's value: it is about one half right at the mask's edge.
    band = np.clip(2.0 * alpha, 0.0, 1.0) * np.clip(1.0 - _distance(hard) / (radius + 1), 0.0, 1.0)
    return np.where(foreground, 1.0, np.where(outer, band, 0.0)).astype(np.float32)


def _distance(mask: np.ndarray) -> np.ndarray:
    """Each pixel's distance to the mask (0 inside)."""
    return cv2.distanceTransform((1 - mask).astype(np.uint8), cv2.DIST_L2, 3)


def edge_radius(shape: tuple[int, int]) -> int:
    """The soft edge's half-width: 3 px at 512 px, scaled with the image."""
    return max(2, int(round(3 * max(shape) / 512)))


def composite(image: np.ndarray, backdrop: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """The foreground over the backdrop; where the matte is 1 the pixels are the original's, bit for bit."""
    if image.shape != backdrop.shape or alpha.shape != image.shape[:2]:
        raise EngineError(f"image {image.shape}, backdrop {backdrop.shape} and matte {alpha.shape} differ in size")
    a = alpha[..., None]
    blended = np.round(a * image.astype(np.float32) + (1 - a) * backdrop.astype(np.float32))
    out = np.clip(blended, 0, 255).astype(np.uint8)
    keep = alpha >= 1.0
    out[keep] = image[keep]
    return out


__all__ = ["SCENES", "Backdrop", "backdrop_of", "composite", "edge_radius", "paint_backdrop", "scene_words",
           "soft_alpha"]
