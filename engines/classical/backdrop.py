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


def _local_mean(image: np.ndarray, where: np.ndarray, size: int) -> np.ndarray:
    """Each pixel's mean colour over the pixels of ``where`` within ``size`` px (a normalised box blur)."""
    weight = cv2.blur(where.astype(np.float32), (size, size))
    total = cv2.blur(image.astype(np.float32) * where[..., None], (size, size))
    return total / np.maximum(weight, 1e-6)[..., None]


def decontaminated(image: np.ndarray, backdrop: np.ndarray, foreground: np.ndarray, alpha: np.ndarray,
                   rim: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """The composite with the old backdrop taken out of the foreground's edge: its outermost ``rim`` px
    and the feathered band outside it.

    A mask grown over an anti-aliased edge holds pixels that are partly the old background: kept as
    they are they draw a light or dark halo on the new backdrop. On that rim each pixel is read as a
    mix of the object's local colour F and the old background's B (its coverage is where it lies on
    the line from B to F), and is re-mixed with the new backdrop: I + (1 − a)(B_new − B). Returns the
    image and the matte with the rim's coverage (the rest of the kept mask stays exactly the original).
    """
    result = composite(image, backdrop, alpha)
    hard = foreground.astype(np.uint8)
    if not foreground.any() or foreground.all():
        return result, alpha
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * rim + 1, 2 * rim + 1))
    core = cv2.erode(hard, kernel).astype(bool)
    band = (foreground & ~core) | ((alpha > 0) & (alpha < 1))  # the rim and the feathered edge outside it
    outside = ~cv2.dilate(hard, kernel, iterations=2).astype(bool) & (alpha <= 0)
    if not band.any() or not core.any() or not outside.any():
        return result, alpha
    ys, xs = np.nonzero(band)
    y0, y1 = max(0, ys.min() - 12), min(image.shape[0], ys.max() + 13)
    x0, x1 = max(0, xs.min() - 12), min(image.shape[1], xs.max() + 13)
    window = (slice(y0, y1), slice(x0, x1))
    pixels = image[window].astype(np.float32)
    old = _local_mean(pixels, outside[window], 11)
    obj = _local_mean(pixels, core[window], 7)
    line = obj - old
    length2 = (line ** 2).sum(axis=2)
    coverage = np.clip(((pixels - old) * line).sum(axis=2) / np.maximum(length2, 1e-6), 0.0, 1.0)
    usable = band[window] & (length2 > 20.0 ** 2)  # too little contrast: nothing to take out
    a = np.where(usable, coverage, alpha[window]).astype(np.float32)
    fixed = np.clip(pixels + (1.0 - a)[..., None] * (backdrop[window].astype(np.float32) - old), 0, 255)
    out_window = result[window]
    out_window[usable] = np.round(fixed[usable]).astype(np.uint8)
    matte = alpha.copy()
    matte[window] = np.where(usable, a, matte[window])
    return result, matte


__all__ = ["SCENES", "Backdrop", "backdrop_of", "composite", "decontaminated", "edge_radius", "paint_backdrop", "scene_words",
           "soft_alpha"]
