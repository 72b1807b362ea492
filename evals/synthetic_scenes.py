"""The synthetic benchmark's scenes: split configs, object placement, backgrounds, and the phrasing
helpers every simulated turn uses (evals/synthetic.py draws dialogues over them)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np

from engines.classical.colors import PALETTE, rgb_to_lab
from engines.classical.insertion import draw_shape

from . import paraphrases as P
from .metrics import noun_group
from .models import Background, Box, GTObject, Scene
from .scenes import PHOTOS

SHAPE_NOUNS = ("circle", "ellipse", "square", "rectangle", "triangle", "star", "hexagon", "pentagon",
               "diamond", "heart")
ROUND_NOUNS = tuple(n for n in SHAPE_NOUNS if n not in ("ellipse", "rectangle"))  # aspect 1 when inserted
POSITIONS: dict[str, tuple[float, float]] = {
    "top-left": (0.2, 0.2), "top": (0.5, 0.2), "top-right": (0.8, 0.2), "left": (0.2, 0.5),
    "center": (0.5, 0.5), "right": (0.8, 0.5), "bottom-left": (0.2, 0.8), "bottom": (0.5, 0.8),
    "bottom-right": (0.8, 0.8),
}
MOVE_FRACTION = {"bit": 0.07, "normal": 0.18, "lot": 0.33}
INSERT_SIZE = {"small": 0.65, "medium": 1.0, "large": 1.6}
SIMILAR = (("red", "orange", "pink", "brown"), ("blue", "cyan", "purple"), ("green", "yellow", "cyan"))
TEXTS = ("SALE", "HELLO", "OPEN", "NEW", "2024", "HI")
MIN_AREA = 0.03
GAP = 6


@dataclass(frozen=True)
class SplitConfig:
    """How a split's dialogues are drawn."""

    seed: int
    count: int
    objects: tuple[int, int] = (3, 6)
    turns: tuple[int, int] = (1, 6)
    backgrounds: tuple[str, ...] = ("plain", "gradient", "textured", "photo")
    similar_colors: bool = False
    ops: tuple[str, ...] | None = None  # None = every operation and reference form
    size: tuple[int, int] = (256, 256)


SPLITS: dict[str, SplitConfig] = {
    "dev": SplitConfig(seed=11, count=60, objects=(3, 6), turns=(1, 6)),
    "test": SplitConfig(seed=23, count=300, objects=(3, 8), turns=(1, 8)),
    "hard": SplitConfig(seed=37, count=80, objects=(6, 8), turns=(6, 10), similar_colors=True),
}
CORE_OPS = ("remove", "recolor", "move", "resize", "add")
CORE_SINGLE = SplitConfig(seed=101, count=200, objects=(3, 8), turns=(1, 1),
                          backgrounds=("plain", "gradient", "textured"), ops=CORE_OPS)
CORE_DIALOGUE = SplitConfig(seed=103, count=50, objects=(3, 8), turns=(5, 5),
                            backgrounds=("plain", "gradient", "textured"), ops=CORE_OPS)


class GenerationError(RuntimeError):
    """No valid dialogue could be drawn for a seed (the split's settings are too tight)."""


# ------------------------------------------------------------------------------------ geometry


def _overlaps(a: Box, b: Box, gap: float = GAP) -> bool:
    return not (a[2] + gap <= b[0] or b[2] + gap <= a[0] or a[3] + gap <= b[1] or b[3] + gap <= a[1])


def _inside(box: Box, width: int, height: int, margin: float = 2) -> bool:
    return box[0] >= margin and box[1] >= margin and box[2] <= width - margin and box[3] <= height - margin


def _centered(cx: float, cy: float, w: float, h: float) -> Box:
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def _clamped(cx: float, cy: float, w: float, h: float, width: int, height: int) -> Box:
    cx = min(max(cx, w / 2), width - w / 2)
    cy = min(max(cy, h / 2), height - h / 2)
    return _centered(cx, cy, w, h)


def _round_box(box: Box) -> Box:
    return tuple(float(round(v)) for v in box)  # type: ignore[return-value]


@functools.cache
def _fill_ratio(noun: str) -> float:
    canvas = np.zeros((200, 200, 3), np.uint8)
    _, mask = draw_shape(canvas, noun, (0, 0, 200, 200), (255, 255, 255))
    return float(mask.mean())


def _area_ok(noun: str, box: Box, width: int, height: int) -> bool:
    return _fill_ratio(noun) * (box[2] - box[0]) * (box[3] - box[1]) >= MIN_AREA * width * height


def _lab_distance(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = rgb_to_lab(np.array([a, b], np.uint8))
    return float(np.linalg.norm(la - lb))


# -------------------------------------------------------------------------------------- scenes

_PLAIN = [(238, 234, 226), (226, 232, 240), (240, 236, 214), (212, 220, 214), (236, 236, 236), (60, 64, 72)]


def _background(rng: np.random.Generator, kinds: tuple[str, ...]) -> Background:
    kind = str(rng.choice(kinds))
    seed = int(rng.integers(0, 2**31))
    if kind == "photo":
        return Background(kind="photo", photo=str(rng.choice(PHOTOS)), seed=seed)
    first = _PLAIN[int(rng.integers(len(_PLAIN) - 1))]
    if kind == "gradient":
        second = _PLAIN[int(rng.integers(len(_PLAIN) - 1))]
        return Background(kind="gradient", colors=[first, second], seed=seed)
    if kind == "textured":
        return Background(kind="textured", colors=[first], noise=float(rng.uniform(4, 9)), seed=seed)
    return Background(kind="plain", colors=[_PLAIN[int(rng.integers(len(_PLAIN)))]], seed=seed)


def _usable_colors(background: Background) -> list[str]:
    """Palette colours that stand out against the background."""
    if background.kind == "photo":
        return [c for c in PALETTE if c not in ("white", "gray", "black", "brown")]
    refs = background.colors
    return [c for c in PALETTE if all(_lab_distance(PALETTE[c], tuple(r)) > 35 for r in refs)]


def _shape_box(rng: np.random.Generator, noun: str, width: int, height: int, crowded: bool) -> tuple[float, float]:
    side = rng.uniform(0.17, 0.24 if crowded else 0.3) * min(width, height)
    side = max(side, (MIN_AREA * width * height / _fill_ratio(noun)) ** 0.5 * 1.04)
    if noun in ("ellipse", "rectangle"):
        aspect = rng.uniform(1.5, 1.8)
        w, h = side * aspect ** 0.5, side / aspect ** 0.5
        return (w, h) if rng.random() < 0.6 else (h, w)
    return side, side


def _key(noun: str, color: str) -> tuple[str, str]:
    return (noun_group(noun), color)


def make_scene(rng: np.random.Generator, config: SplitConfig) -> Scene:
    width, height = config.size
    background = _background(rng, config.backgrounds)
    colors = _usable_colors(background)
    if config.similar_colors:
        cluster = [c for c in SIMILAR[int(rng.integers(len(SIMILAR)))] if c in colors]
        colors = cluster + [c for c in colors if c not in cluster] if len(cluster) >= 2 else colors
    n = int(rng.integers(config.objects[0], config.objects[1] + 1))
    crowded = n >= 6
    objects: list[GTObject] = []
    keys: set[tuple[str, str]] = set()
    # Occasionally a same-noun pair or a same-colour pair, for "the other one" and "all the X ones".
    pair_noun = str(rng.choice(ROUND_NOUNS)) if rng.random() < 0.35 else None
    pair_color = str(rng.choice(colors)) if rng.random() < 0.3 else None
    tries = 0
    while len(objects) < n and tries < 400:
        tries += 1
        if pair_noun and sum(o.noun == pair_noun for o in objects) < 2:
            noun = pair_noun
        else:
            noun = str(rng.choice(SHAPE_NOUNS))
        if pair_color and sum(o.color == pair_color for o in objects) < 2:
            color = pair_color
        elif config.similar_colors and rng.random() < 0.7:
            color = str(rng.choice(colors[:4]))
        else:
            color = str(rng.choice(colors))
        if _key(noun, color) in keys:
            continue
        w, h = _shape_box(rng, noun, width, height, crowded)
        cx, cy = rng.uniform(w / 2 + 3, width - w / 2 - 3), rng.uniform(h / 2 + 3, height - h / 2 - 3)
        box = _round_box(_centered(cx, cy, w, h))
        if not _inside(box, width, height) or any(_overlaps(box, o.box, 2 * GAP) for o in objects):
            continue
        if not _area_ok(noun, box, width, height):
            continue
        keys.add(_key(noun, color))
        objects.append(GTObject(id=f"o{len(objects) + 1}", noun=noun, color=color, box=box))
    if len(objects) < config.objects[0]:
        raise GenerationError("could not place enough objects")
    return Scene(width=width, height=height, background=background, objects=objects)



# ---------------------------------------------------------------------------------- phrasing


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def fix_articles(message: str) -> str:
    """"a orange square" → "an orange square"."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", message)


def _noun_word(rng: np.random.Generator, noun: str) -> str:
    return _pick(rng, P.NOUN_SYNONYMS.get(noun, [noun]))


def _color_word(rng: np.random.Generator, color: str) -> str:
    return _pick(rng, P.COLOR_SYNONYMS.get(color, [color]))


