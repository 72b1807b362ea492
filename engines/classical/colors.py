"""Colour names and their measurement in CIELAB, a perceptual space.

One palette serves the parser (which words are colours), the engines (what RGB to paint) and the
critic (what colour a region is), so all three agree on what "blue" means.
"""

from __future__ import annotations

import functools

import cv2
import numpy as np

# Representative sRGB value for each name (what Retouch paints when asked for that colour).
PALETTE: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 35),
    "orange": (245, 140, 20),
    "yellow": (250, 220, 30),
    "green": (40, 170, 60),
    "blue": (35, 80, 220),
    "cyan": (30, 200, 220),
    "purple": (130, 50, 180),
    "pink": (245, 130, 190),
    "brown": (130, 80, 40),
    "black": (20, 20, 20),
    "white": (245, 245, 245),
    "gray": (128, 128, 128),
}

SYNONYMS: dict[str, str] = {
    "grey": "gray", "violet": "purple", "magenta": "pink", "crimson": "red", "scarlet": "red",
    "navy": "blue", "azure": "blue", "turquoise": "cyan", "teal": "cyan", "aqua": "cyan",
    "lime": "green", "golden": "yellow", "gold": "yellow", "silver": "gray", "maroon": "red",
    "lavender": "purple", "beige": "brown", "tan": "brown",
    # colours said of hair and clothes (words that are not also common names of things)
    "blonde": "yellow", "blond": "yellow", "brunette": "brown", "ginger": "orange", "auburn": "red",
    "fuchsia": "pink", "indigo": "blue", "cobalt": "blue", "khaki": "brown", "charcoal": "black",
    "lilac": "purple", "burgundy": "red", "coral": "orange",
    # names of things that are colours too, kept to those seldom edited as things (the parser tells
    # the thing from the colour by where the word stands: agents/parsing/colour_nouns.py)
    "olive": "green", "mint": "green", "salmon": "pink", "mustard": "yellow",
    # designers' and paint-chart names (none is also the name of a common thing)
    "mauve": "purple", "taupe": "brown", "ochre": "orange", "vermilion": "red", "cerulean": "blue",
    "chartreuse": "green", "periwinkle": "blue", "sienna": "brown", "umber": "brown", "ecru": "white",
}

COLOR_WORDS: frozenset[str] = frozenset(PALETTE) | frozenset(SYNONYMS)

# What a synonym looks like itself: "navy" is painted navy, though it is told and checked as blue.
SHADE_RGB: dict[str, tuple[int, int, int]] = {
    "navy": (25, 35, 110), "crimson": (200, 20, 60), "scarlet": (240, 40, 20), "azure": (0, 127, 255),
    "turquoise": (64, 210, 200), "teal": (0, 128, 128), "aqua": (40, 230, 230), "lime": (120, 210, 40),
    "golden": (230, 180, 30), "gold": (230, 180, 30), "silver": (192, 192, 192), "maroon": (128, 20, 30),
    "lavender": (180, 150, 220), "beige": (225, 205, 170), "tan": (210, 180, 140), "blonde": (240, 220, 130),
    "blond": (240, 220, 130), "brunette": (100, 60, 30), "ginger": (200, 100, 40), "auburn": (150, 50, 30),
    "fuchsia": (230, 30, 200), "indigo": (75, 20, 130), "cobalt": (0, 71, 171), "khaki": (195, 176, 145),
    "charcoal": (54, 60, 66), "lilac": (200, 162, 200), "burgundy": (128, 0, 32), "coral": (255, 127, 80),
    "magenta": (230, 30, 160), "violet": (143, 60, 220), "mauve": (190, 150, 190), "taupe": (110, 95, 80),
    "ochre": (204, 119, 34), "vermilion": (227, 66, 52), "cerulean": (0, 123, 167), "chartreuse": (160, 230, 30),
    "periwinkle": (160, 160, 240), "sienna": (160, 82, 45), "umber": (99, 81, 71), "ecru": (220, 210, 180),
    "olive": (128, 128, 0), "mint": (150, 230, 170), "salmon": (250, 128, 114), "mustard": (225, 173, 20),
}


def shade_rgb(word: str | None) -> tuple[int, int, int] | None:
    """The RGB of a colour word that names a shade of a palette hue ("navy", "teal"), else None."""
    return SHADE_RGB.get(word.lower().strip()) if word else None


def canonical_color(word: str) -> str | None:
    """The palette name for a colour word, or None if the word is no colour."""
    word = word.lower().strip()
    if word in PALETTE:
        return word
    return SYNONYMS.get(word)


def rgb_of(name: str) -> tuple[int, int, int]:
    canonical = canonical_color(name)
    if canonical is None:
        raise ValueError(f"unknown colour {name!r}; known colours: {', '.join(sorted(PALETTE))}")
    return PALETTE[canonical]


def rgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (…x3) → CIELAB float32 with L in [0, 100]."""
    array = np.asarray(rgb, dtype=np.uint8)
    shape = array.shape
    flat = array.reshape(-1, 1, 3)
    lab = cv2.cvtColor(flat.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    return lab.reshape(shape).astype(np.float32)


@functools.cache
def _palette_lab() -> tuple[list[str], np.ndarray]:
    names = list(PALETTE)
    return names, rgb_to_lab(np.array([PALETTE[n] for n in names], dtype=np.uint8))


def color_name(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """The nearest palette name to a colour, deciding achromatic colours by lightness first."""
    lab = rgb_to_lab(np.asarray(rgb, dtype=np.uint8).reshape(1, 3))[0]
    lightness, a, b = float(lab[0]), float(lab[1]), float(lab[2])
    chroma = (a * a + b * b) ** 0.5
    if chroma < 12:
        if lightness < 25:
            return "black"
        if lightness > 85:
            return "white"
        return "gray"
    names, palette = _palette_lab()
    weights = np.array([0.5, 1.0, 1.0], dtype=np.float32)  # hue matters more than lightness
    distances = (((palette - lab) * weights) ** 2).sum(axis=1)
    chromatic = [i for i, n in enumerate(names) if n not in ("black", "white", "gray")]
    return names[min(chromatic, key=lambda i: distances[i])]


def color_distance(rgb_a: tuple[int, int, int], rgb_b: tuple[int, int, int]) -> float:
    """Euclidean distance in CIELAB (ΔE76)."""
    lab = rgb_to_lab(np.array([rgb_a, rgb_b], dtype=np.uint8))
    return float(np.linalg.norm(lab[0] - lab[1]))


def matches_color(rgb: tuple[int, int, int], name: str) -> bool:
    canonical = canonical_color(name)
    return canonical is not None and color_name(rgb) == canonical
