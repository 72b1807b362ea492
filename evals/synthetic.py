"""Seeded generator of scenes and multi-turn dialogues with exact ground truth.

A dialogue is simulated on an object list: each turn picks an operation the current state allows,
phrases it with ``evals.paraphrases``, and applies the operation's documented semantics (positions,
move distances, resize factors, insert sizes) to give the expected objects. Every state is rendered
and re-grounded during generation, and a dialogue whose ground truth the scene parser could not
recover is drawn again, so every target is findable and (unless a turn tests a clarification)
unambiguous.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from engines.classical.colors import PALETTE, color_name, rgb_to_lab
from engines.classical.insertion import draw_shape
from engines.classical.scene import parse_scene

from . import paraphrases as P
from .metrics import match_objects, noun_group
from .models import Background, Box, Dialogue, GTConstraint, GTObject, GTState, Scene, TurnSpec
from .scenes import PHOTOS, grayscale, render, render_background

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


# ---------------------------------------------------------------------------------- dialogue sim


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def fix_articles(message: str) -> str:
    """"a orange square" → "an orange square"."""
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])", r"\1n ", message)


def _noun_word(rng: np.random.Generator, noun: str) -> str:
    return _pick(rng, P.NOUN_SYNONYMS.get(noun, [noun]))


def _color_word(rng: np.random.Generator, color: str) -> str:
    return _pick(rng, P.COLOR_SYNONYMS.get(color, [color]))


@dataclass
class _Sim:
    rng: np.random.Generator
    scene: Scene
    config: SplitConfig
    versions: list[GTState] = field(default_factory=list)
    parents: list[int] = field(default_factory=list)
    head: int = 0
    redo: list[int] = field(default_factory=list)
    after_turn: list[int] = field(default_factory=list)  # version after turn i (index 0 = original)
    turns: list[TurnSpec] = field(default_factory=list)
    last_targets: list[str] = field(default_factory=list)
    last_added: str | None = None
    last_op: str | None = None
    next_id: int = 100
    used_filter: bool = False

    def __post_init__(self) -> None:
        self.versions = [GTState(objects=list(self.scene.objects))]
        self.parents = [-1]
        self.after_turn = [0]

    @property
    def state(self) -> GTState:
        return self.versions[self.head]

    @property
    def objects(self) -> list[GTObject]:
        return self.state.objects

    @property
    def w(self) -> int:
        return self.scene.width

    @property
    def h(self) -> int:
        return self.scene.height

    def colors(self) -> list[str]:
        usable = _usable_colors(self.scene.background)
        return usable

    # -- description of a target

    def describe(self, obj: GTObject) -> str | None:
        """A phrase naming ``obj`` uniquely in the current state, or None."""
        others = [o for o in self.objects if o.id != obj.id]
        options: list[str] = []
        if not any(_key(o.noun, o.color) == _key(obj.noun, obj.color) for o in others):
            options += [f"the {_color_word(self.rng, obj.color)} {_noun_word(self.rng, obj.noun)}"] * 3
        if not any(noun_group(o.noun) == noun_group(obj.noun) for o in others):
            options.append(f"the {_noun_word(self.rng, obj.noun)}")
        if not any(o.color == obj.color for o in others):
            options.append(f"the {_color_word(self.rng, obj.color)} one")
        return _pick(self.rng, options) if options else None

    def describable(self) -> list[GTObject]:
        return [o for o in self.objects if self.describe(o) is not None]

    # -- committing a turn

    def commit(self, message: str, op: str, new: GTState, *, targets: list[str], edited: list[Box],
               constraints: list[GTConstraint], tags: list[str] | None = None, must_change: Box | None = None,
               expect_clarify: bool = False) -> None:
        index = len(self.turns) + 1
        if op in ("undo", "redo", "revert", "clarify"):
            pass
        else:
            self.versions.append(new)
            self.parents.append(self.head)
            self.head = len(self.versions) - 1
            self.redo = []
        self.after_turn.append(self.head)
        self.turns.append(TurnSpec(
            index=index, message=fix_articles(message), op=op, tags=tags or [], expect_clarify=expect_clarify,  # type: ignore[arg-type]
            target_ids=targets, edited_boxes=edited, must_change=must_change, state=self.state,
            constraints=[c.model_copy(update={"set_by_turn": index}) for c in constraints],
        ))
        self.last_op = op
        if targets:
            self.last_targets = targets

    def _fact(self, obj: GTObject, kind: str, what: str) -> GTConstraint:
        return GTConstraint(kind=kind, object_id=obj.id, noun=obj.noun, color=obj.color, box=obj.box,  # type: ignore[arg-type]
                            set_by_turn=0, description=what)

    def _replace(self, obj: GTObject, **update) -> tuple[GTState, GTObject]:
        new_obj = obj.model_copy(update=update)
        objects = [new_obj if o.id == obj.id else o for o in self.objects]
        return self.state.model_copy(update={"objects": objects}), new_obj

    def _free(self, box: Box, ignore: str | None = None) -> bool:
        return _inside(box, self.w, self.h) and not any(
            _overlaps(box, o.box) for o in self.objects if o.id != ignore) and not any(
            _overlaps(box, b, 0) for b in self.state.free_boxes)

    # -- operations; each returns True when it produced a turn

    def op_remove(self, obj: GTObject | None = None, phrase: str | None = None, tags=None, templates=None) -> bool:
        obj = obj or self._choose()
        if obj is None:
            return False
        phrase = phrase or self.describe(obj)
        message = _pick(self.rng, templates or P.REMOVE).format(t=phrase)
        new = self.state.model_copy(update={"objects": [o for o in self.objects if o.id != obj.id]})
        self.commit(message, "remove", new, targets=[obj.id], edited=[obj.box],
                    constraints=[self._fact(obj, "absent", f"the {obj.color} {obj.noun} stays removed")], tags=tags)
        return True

    def _new_color(self, obj: GTObject) -> str | None:
        taken = {_key(o.noun, o.color) for o in self.objects if o.id != obj.id}
        options = [c for c in self.colors() if c != obj.color and _key(obj.noun, c) not in taken]
        if "grayscale" in self.state.effects:
            return None
        return _pick(self.rng, options) if options else None

    def op_recolor(self, obj: GTObject | None = None, phrase: str | None = None, tags=None, templates=None,
                   color: str | None = None) -> bool:
        obj = obj or self._choose()
        if obj is None:
            return False
        color = color or self._new_color(obj)
        if color is None:
            return False
        phrase = phrase or self.describe(obj)
        message = _pick(self.rng, templates or P.RECOLOR).format(t=phrase, c=_color_word(self.rng, color),
                                                                 n=_noun_word(self.rng, obj.noun))
        new, new_obj = self._replace(obj, color=color)
        self.commit(message, "recolor", new, targets=[obj.id], edited=[obj.box],
                    constraints=[self._fact(new_obj, "present", f"the {obj.noun} is {color}")], tags=tags)
        return True

    def _move_options(self, obj: GTObject) -> list[tuple[str, Box]]:
        """(message template already filled except {t}, new box) for every valid move."""
        x0, y0, x1, y1 = obj.box
        bw, bh = x1 - x0, y1 - y0
        out: list[tuple[str, Box]] = []
        vectors = {"left": (-1, 0), "right": (1, 0), "up": (0, -1), "down": (0, 1)}
        for direction, (vx, vy) in vectors.items():
            for degree, fraction in MOVE_FRACTION.items():
                dx, dy = vx * fraction * self.w, vy * fraction * self.h
                box = _round_box((x0 + dx, y0 + dy, x1 + dx, y1 + dy))
                if self._free(box, obj.id):
                    templates = [t for t in P.MOVE_DIRECTION[degree] if direction in ("left", "right") or "to the" not in t]
                    out.append((_pick(self.rng, templates).replace("{d}", direction), box))
            px = int(self.rng.integers(12, 60))
            box = _round_box((x0 + vx * px, y0 + vy * px, x1 + vx * px, y1 + vy * px))
            if self._free(box, obj.id):
                templates = [t for t in P.MOVE_PIXELS if direction in ("left", "right") or "to the" not in t]
                out.append((_pick(self.rng, templates).replace("{d}", direction).replace("{px}", str(px)), box))
        for name, (fx, fy) in POSITIONS.items():
            if name in ("left", "right", "top", "bottom"):
                continue  # "move it to the left" reads as a direction, so only corners and centre are places
            box = _round_box(_clamped(fx * self.w, fy * self.h, bw, bh, self.w, self.h))
            moved = abs(box[0] - x0) + abs(box[1] - y0)
            if moved > 0.1 * self.w and self._free(box, obj.id):
                out.append((_pick(self.rng, P.MOVE_POSITION).replace("{p}", P.POSITION_WORDS[name]), box))
        return out

    def op_move(self, obj: GTObject | None = None, phrase: str | None = None, tags=None,
                pronoun: bool = False) -> bool:
        candidates = [obj] if obj else self.describable()
        self.rng.shuffle(candidates)  # type: ignore[arg-type]
        for cand in candidates:
            options = self._move_options(cand)
            if pronoun:
                options = [(m, b) for m, b in options if "pixel" not in m and "px" not in m]
            if not options:
                continue
            template, box = options[int(self.rng.integers(len(options)))]
            phrase_ = phrase or self.describe(cand)
            new, new_obj = self._replace(cand, box=box)
            self.commit(template.format(t=phrase_), "move", new, targets=[cand.id], edited=[cand.box, box],
                        constraints=[self._fact(new_obj, "present", f"the {cand.noun} is at its new place")], tags=tags)
            return True
        return False

    def op_resize(self) -> bool:
        candidates = self.describable()
        self.rng.shuffle(candidates)  # type: ignore[arg-type]
        factors = list(P.RESIZE)
        for obj in candidates:
            self.rng.shuffle(factors)
            for factor in factors:
                (cx, cy), (bw, bh) = obj.center, (obj.box[2] - obj.box[0], obj.box[3] - obj.box[1])
                box = _round_box(_centered(cx, cy, bw * factor, bh * factor))
                if not self._free(box, obj.id) or not _area_ok(obj.noun, box, self.w, self.h):
                    continue
                message = _pick(self.rng, P.RESIZE[factor]).format(t=self.describe(obj))
                new, new_obj = self._replace(obj, box=box, size_tol=0.1)
                self.commit(message, "resize", new, targets=[obj.id], edited=[obj.box, box],
                            constraints=[self._fact(new_obj, "present", f"the {obj.noun} has its new size")])
                return True
        return False

    def _insert_box(self, noun: str, size_word: str, position: str | None) -> tuple[Box, float] | None:
        sizes = [o.size for o in self.objects] or [0.22 * min(self.w, self.h)]
        side = float(np.median(sizes)) * INSERT_SIZE[size_word]
        if position:
            fx, fy = POSITIONS[position]
            box = _round_box(_clamped(fx * self.w, fy * self.h, side, side, self.w, self.h))
            return (box, max(6.0, 0.04 * max(self.w, self.h))) if self._free(box) else None
        best: tuple[float, Box] | None = None
        for cy in np.linspace(side / 2 + 3, self.h - side / 2 - 3, 24):
            for cx in np.linspace(side / 2 + 3, self.w - side / 2 - 3, 24):
                box = _round_box(_centered(cx, cy, side, side))
                if self._free(box):
                    distance = float((cx - self.w / 2) ** 2 + (cy - self.h / 2) ** 2)
                    if best is None or distance < best[0]:
                        best = (distance, box)
        # Where exactly "the free spot nearest the centre" falls depends on how free space is
        # searched (several spots are often almost equally near), so its position is not judged.
        return (best[1], 2.0 * max(self.w, self.h)) if best else None

    def op_add(self) -> bool:
        taken = {_key(o.noun, o.color) for o in self.objects}
        if "grayscale" in self.state.effects:
            return False
        for _ in range(12):
            noun = str(self.rng.choice(ROUND_NOUNS))
            color = str(self.rng.choice(self.colors()))
            if _key(noun, color) in taken:
                continue
            roll = self.rng.random()
            size_word = "medium"
            position: str | None = None
            if roll < 0.25:
                template = _pick(self.rng, P.ADD)
            else:
                position = str(self.rng.choice(list(POSITIONS)))
                if roll < 0.45:
                    size_word = str(self.rng.choice(["small", "large"]))
                    template = _pick(self.rng, P.ADD_SIZED)
                else:
                    template = _pick(self.rng, P.ADD_POSITION)
            placed = self._insert_box(noun, size_word, position)
            if placed is None or not _area_ok(noun, placed[0], self.w, self.h) and size_word != "small":
                continue
            box, pos_tol = placed
            self.next_id += 1
            obj = GTObject(id=f"a{self.next_id}", noun=noun, color=color, box=box, pos_tol=pos_tol, size_tol=0.35,
                           added=True)
            message = template.format(c=_color_word(self.rng, color), n=_noun_word(self.rng, noun), s=size_word,
                                      p=P.POSITION_WORDS.get(position or "", ""))
            new = self.state.model_copy(update={"objects": [*self.objects, obj]})
            self.commit(message, "add", new, targets=[obj.id], edited=[box],
                        constraints=[self._fact(obj, "present", f"the added {color} {noun} is there")])
            self.last_added = obj.id
            return True
        return False

    def op_text(self) -> bool:
        for where, band in (("top", (0.0, 0.0, self.w, 0.3 * self.h)), ("bottom", (0.0, 0.7 * self.h, self.w, self.h))):
            if any(_overlaps(band, o.box, 0) for o in self.objects) or band in self.state.free_boxes:
                continue
            message = _pick(self.rng, P.TEXT).format(txt=_pick(self.rng, list(TEXTS)), p=where)
            new = self.state.model_copy(update={"free_boxes": [*self.state.free_boxes, band], "exact": False})
            self.commit(message, "text", new, targets=[], edited=[band], constraints=[], must_change=band)
            return True
        return False

    def op_filter(self, final: bool) -> bool:
        if self.used_filter:
            return False
        kind = "grayscale" if final and self.rng.random() < 0.5 else "blur_background"
        if kind == "grayscale":
            gray = [o.model_copy(update={"color": color_name(tuple(grayscale(np.array([[PALETTE[o.color]]], np.uint8))[0, 0]))})
                    for o in self.objects]
            new = self.state.model_copy(update={"objects": gray, "effects": [*self.state.effects, "grayscale"],
                                                "exact": False})
            edited = [(0.0, 0.0, float(self.w), float(self.h))]
        else:
            new = self.state.model_copy(update={"effects": [*self.state.effects, "blur_background"], "exact": False})
            edited = [(0.0, 0.0, float(self.w), float(self.h))]
        self.used_filter = True
        self.commit(_pick(self.rng, P.FILTER[kind]), "filter", new, targets=[], edited=edited, constraints=[])
        return True

    def op_undo(self) -> bool:
        if self.parents[self.head] < 0:
            return False
        self.redo.append(self.head)
        before = self.state
        self.head = self.parents[self.head]
        self.commit(_pick(self.rng, P.UNDO), "undo", self.state, targets=[], edited=_diff_boxes(before, self.state),
                    constraints=[])
        return True

    def op_redo(self) -> bool:
        if not self.redo or self.last_op != "undo":
            return False
        before = self.state
        self.head = self.redo.pop()
        self.commit(_pick(self.rng, P.REDO), "redo", self.state, targets=[], edited=_diff_boxes(before, self.state),
                    constraints=[])
        return True

    def op_revert(self) -> bool:
        done = len(self.turns)
        options = [k for k in range(0, done) if self.after_turn[k] != self.head]
        if not options:
            return False
        k = int(self.rng.choice(options))
        message = _pick(self.rng, P.START_OVER) if k == 0 else _pick(self.rng, P.REVERT).format(k=k)
        before = self.state
        self.head = self.after_turn[k]
        self.redo = []
        self.commit(message, "revert", self.state, targets=[], edited=_diff_boxes(before, self.state), constraints=[],
                    tags=["revert"])
        return True

    # -- reference forms

    def _last_single(self) -> GTObject | None:
        if len(self.last_targets) != 1 or self.last_op in ("undo", "redo", "revert", "clarify"):
            return None
        return next((o for o in self.objects if o.id == self.last_targets[0]), None)

    def ref_it(self) -> bool:
        obj = self._last_single()
        if obj is None:
            return False
        kind = _pick(self.rng, ["recolor", "move", "remove"])
        if kind == "recolor":
            return self.op_recolor(obj, phrase="it", tags=["reference:it"], templates=P.IT_RECOLOR)
        if kind == "remove":
            return self.op_remove(obj, phrase="it", tags=["reference:it"], templates=P.IT_REMOVE)
        return self.op_move(obj, phrase="it", tags=["reference:it"], pronoun=True)

    def ref_added(self) -> bool:
        obj = next((o for o in self.objects if o.id == self.last_added), None)
        if obj is None or self.last_targets == [obj.id]:
            return False
        return self.op_recolor(obj, phrase="the one I added", tags=["reference:added"], templates=P.ADDED_RECOLOR)

    def ref_other(self) -> bool:
        obj = self._last_single()
        if obj is None:
            return False
        same = [o for o in self.objects if o.noun == obj.noun and o.id != obj.id]
        if len(same) != 1:
            return False
        return self.op_recolor(same[0], phrase="the other one", tags=["reference:other"], templates=P.OTHER_RECOLOR)

    def ref_all(self) -> bool:
        by_color: dict[str, list[GTObject]] = {}
        for o in self.objects:
            by_color.setdefault(o.color, []).append(o)
        groups = [g for g in by_color.values() if len(g) >= 2]
        if not groups or "grayscale" in self.state.effects:
            return False
        group = groups[int(self.rng.integers(len(groups)))]
        c0 = group[0].color
        if self.rng.random() < 0.4:
            message = _pick(self.rng, P.ALL_REMOVE).format(c0=_color_word(self.rng, c0))
            ids = {o.id for o in group}
            new = self.state.model_copy(update={"objects": [o for o in self.objects if o.id not in ids]})
            self.commit(message, "remove", new, targets=sorted(ids), edited=[o.box for o in group],
                        constraints=[self._fact(o, "absent", f"the {c0} {o.noun} stays removed") for o in group],
                        tags=["reference:all"])
            return True
        taken = {_key(o.noun, o.color) for o in self.objects if o.color != c0}
        options = [c for c in self.colors() if c != c0 and all(_key(o.noun, c) not in taken for o in group)]
        if not options:
            return False
        color = _pick(self.rng, options)
        objects = [o.model_copy(update={"color": color}) if o.color == c0 else o for o in self.objects]
        new = self.state.model_copy(update={"objects": objects})
        message = _pick(self.rng, P.ALL_RECOLOR).format(c0=_color_word(self.rng, c0), c=_color_word(self.rng, color))
        recolored = [o for o in objects if o.id in {g.id for g in group}]
        self.commit(message, "recolor", new, targets=[o.id for o in group], edited=[o.box for o in group],
                    constraints=[self._fact(o, "present", f"the {o.noun} is {color}") for o in recolored],
                    tags=["reference:all"])
        return True

    def revision(self) -> bool:
        obj = self._last_single()
        if obj is None or self.last_op not in ("recolor", "add"):
            return False
        color = self._new_color(obj)
        if color is None:
            return False
        return self.op_recolor(obj, phrase="it", tags=["revision"], templates=P.REVISION_RECOLOR, color=color)

    def clarify(self) -> bool:
        """An ambiguous removal ("remove the star" with two stars), then the answer."""
        by_noun: dict[str, list[GTObject]] = {}
        for o in self.objects:
            by_noun.setdefault(o.noun, []).append(o)
        for noun, group in by_noun.items():
            if len(group) != 2 or any(noun_group(o.noun) == noun_group(noun) and o not in group for o in self.objects):
                continue
            a, b = group
            dx, dy = abs(a.center[0] - b.center[0]), abs(a.center[1] - b.center[1])
            if max(dx, dy) < 0.25 * self.w:
                continue
            pick = a if self.rng.random() < 0.5 else b
            other = b if pick is a else a
            if dx >= dy:
                side = "left" if pick.center[0] < other.center[0] else "right"
            else:
                side = "top" if pick.center[1] < other.center[1] else "bottom"
            word = _noun_word(self.rng, noun)
            self.commit(_pick(self.rng, P.REMOVE).format(t=f"the {word}"), "clarify", self.state, targets=[],
                        edited=[], constraints=[], tags=["clarification"], expect_clarify=True)
            new = self.state.model_copy(update={"objects": [o for o in self.objects if o.id != pick.id]})
            self.commit(_pick(self.rng, P.CLARIFY_ANSWER).format(p=side), "answer", new, targets=[pick.id],
                        edited=[pick.box], constraints=[self._fact(pick, "absent", f"the {side} {noun} stays removed")],
                        tags=["clarification"])
            return True
        return False

    def drift_trap(self) -> bool:
        """Move an object right next to one an earlier turn edited (its fact must survive)."""
        facts = [c for t in self.turns for c in t.constraints if c.kind == "present"]
        anchors = [o for o in self.objects if any(c.object_id == o.id for c in facts)]
        self.rng.shuffle(anchors)  # type: ignore[arg-type]
        for anchor in anchors:
            for obj in self.describable():
                if obj.id == anchor.id:
                    continue
                for axis in (0, 1):
                    lo, hi = (0, 2) if axis == 0 else (1, 3)
                    if obj.box[hi] <= anchor.box[lo]:
                        shift = anchor.box[lo] - GAP - 2 - obj.box[hi]
                    elif obj.box[lo] >= anchor.box[hi]:
                        shift = -(obj.box[lo] - anchor.box[hi] - GAP - 2)
                    else:
                        continue
                    if abs(shift) < 10:
                        continue
                    delta = [0.0, 0.0]
                    delta[axis] = shift
                    box = _round_box((obj.box[0] + delta[0], obj.box[1] + delta[1], obj.box[2] + delta[0],
                                      obj.box[3] + delta[1]))
                    if not self._free(box, obj.id):
                        continue
                    direction = ("right" if shift > 0 else "left") if axis == 0 else ("down" if shift > 0 else "up")
                    templates = [t for t in P.MOVE_PIXELS if direction in ("left", "right") or "to the" not in t]
                    message = _pick(self.rng, templates).format(t=self.describe(obj), d=direction, px=int(abs(shift)))
                    new, new_obj = self._replace(obj, box=box)
                    self.commit(message, "move", new, targets=[obj.id], edited=[obj.box, box],
                                constraints=[self._fact(new_obj, "present", f"the {obj.noun} is at its new place")],
                                tags=["drift_trap"])
                    return True
        return False

    def _choose(self) -> GTObject | None:
        options = self.describable()
        return options[int(self.rng.integers(len(options)))] if options else None


def _diff_boxes(a: GTState, b: GTState) -> list[Box]:
    """Boxes of objects that differ between two states (what an undo may repaint)."""
    ka = {(o.id, o.color, o.box) for o in a.objects}
    kb = {(o.id, o.color, o.box) for o in b.objects}
    boxes = [o.box for o in a.objects if (o.id, o.color, o.box) not in kb]
    boxes += [o.box for o in b.objects if (o.id, o.color, o.box) not in ka]
    boxes += [fb for fb in a.free_boxes + b.free_boxes if fb not in a.free_boxes or fb not in b.free_boxes]
    if a.effects != b.effects:
        boxes.append((0.0, 0.0, 1e6, 1e6))
    return boxes


_WEIGHTS: dict[str, float] = {
    "remove": 1.0, "recolor": 1.3, "move": 1.3, "resize": 0.8, "add": 1.0, "text": 0.3, "filter": 0.25,
    "undo": 0.45, "redo": 0.8, "revert": 0.25, "it": 0.8, "added": 0.8, "other": 0.9, "all": 0.6,
    "revision": 0.6, "clarify": 0.4, "drift": 0.7,
}


def _step(sim: _Sim, op: str, final: bool) -> bool:
    actions: dict[str, Callable[[], bool]] = {
        "remove": sim.op_remove, "recolor": sim.op_recolor, "move": sim.op_move, "resize": sim.op_resize,
        "add": sim.op_add, "text": sim.op_text, "filter": lambda: sim.op_filter(final), "undo": sim.op_undo,
        "redo": sim.op_redo, "revert": sim.op_revert, "it": sim.ref_it, "added": sim.ref_added,
        "other": sim.ref_other, "all": sim.ref_all, "revision": sim.revision, "clarify": sim.clarify,
        "drift": sim.drift_trap,
    }
    return actions[op]()


def _simulate(rng: np.random.Generator, config: SplitConfig) -> tuple[Scene, list[TurnSpec]]:
    scene = make_scene(rng, config)
    sim = _Sim(rng=rng, scene=scene, config=config)
    n_turns = int(rng.integers(config.turns[0], config.turns[1] + 1))
    ops = list(config.ops or _WEIGHTS)
    weights = np.array([_WEIGHTS[o] for o in ops])
    guard = 0
    while len(sim.turns) < n_turns and guard < 60:
        guard += 1
        op = str(rng.choice(ops, p=weights / weights.sum()))
        if op == "clarify" and len(sim.turns) + 2 > n_turns:
            continue
        if op == "filter" and len(sim.turns) + 1 < n_turns:
            continue  # stylistic filters only as the last turn: later targets would be inexact
        if op == "text" and not config.ops and len(sim.turns) + 1 < n_turns - 1:
            continue
        _step(sim, op, final=len(sim.turns) + 1 == n_turns)
    if len(sim.turns) < max(1, config.turns[0]):
        raise GenerationError("too few turns")
    return scene, sim.turns


def _background_detections(scene: Scene):
    return parse_scene(render_background(scene.background, scene.width, scene.height))


def validate(scene: Scene, turns: list[TurnSpec]) -> bool:
    """Every state's rendering re-grounds to exactly its objects (photo artefacts aside)."""
    background = _background_detections(scene)
    states = [GTState(objects=scene.objects)] + [t.state for t in turns if t.state.exact or "grayscale" in t.state.effects]
    seen: set[str] = set()
    for state in states:
        key = state.model_dump_json()
        if key in seen:
            continue
        seen.add(key)
        detections = parse_scene(render(scene, state))
        match = match_objects(detections, state.objects, scene.width, scene.height, background=background,
                              free_boxes=state.free_boxes, grayscale="grayscale" in state.effects)
        if not match.success:
            return False
    return True


def make_dialogue(split: str, index: int, config: SplitConfig, *, seed: int | None = None) -> Dialogue:
    """Dialogue ``index`` of a split: its own seed, so any prefix of a split is stable."""
    base = (config.seed if seed is None else seed) * 1_000_003 + index
    for attempt in range(40):
        rng = np.random.default_rng([base, attempt])
        try:
            scene, turns = _simulate(rng, config)
        except GenerationError:
            continue
        if validate(scene, turns):
            return Dialogue(id=f"{split}-{index:04d}", split=split, seed=base, scene=scene, turns=turns)
    raise GenerationError(f"no valid dialogue for {split} #{index}")


def generate(split: str | SplitConfig, *, count: int | None = None, seed: int | None = None,
             name: str | None = None) -> list[Dialogue]:
    """The dialogues of a named split (dev, test, hard, core-single, core-dialogue) or a custom config."""
    if isinstance(split, str):
        config = split_config(split)
        name = name or split
    else:
        config = split
        name = name or "custom"
    total = config.count if count is None else count
    return [make_dialogue(name, i, config, seed=seed) for i in range(total)]


def split_config(name: str) -> SplitConfig:
    configs = {**SPLITS, "core-single": CORE_SINGLE, "core-dialogue": CORE_DIALOGUE}
    if name not in configs:
        raise ValueError(f"unknown split {name!r}; choose one of {', '.join(configs)}")
    return configs[name]
