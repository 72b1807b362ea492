"""A dialogue simulated on an object list: the state, the commit of a turn, and the edit operations
(remove, recolour, move, resize, add, text, filter) with their documented semantics."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from engines.classical.colors import PALETTE, color_name

from . import paraphrases as P
from .metrics import noun_group
from .models import Box, GTConstraint, GTObject, GTState, Scene, TurnSpec
from .scenes import grayscale
from .synthetic_moves import ConversationMoves
from .synthetic_scenes import (
    INSERT_SIZE,
    MOVE_FRACTION,
    POSITIONS,
    ROUND_NOUNS,
    TEXTS,
    SplitConfig,
    _area_ok,
    _centered,
    _clamped,
    _color_word,
    _inside,
    _key,
    _noun_word,
    _overlaps,
    _pick,
    _round_box,
    _usable_colors,
    fix_articles,
)


@dataclass
class DialogueSim(ConversationMoves):
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

