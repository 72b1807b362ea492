"""Filling a template's slots: each slot draws words and records what they mean.

A slot writes text into the message and a value into ``vals`` (the target, the colour, the anchor,
…); :mod:`evals.language.expect` turns the values into the expected intent. Which words a slot may
draw (nouns, voices) comes from the side's :class:`Pools`, so dev and test never share them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import vocab
from .vocab import Noun

SLOT = re.compile(r"\{(\w+)\}")

POSITIONS = (("in the top left corner", "top-left"), ("at the top", "top"), ("at the bottom", "bottom"),
             ("on the left", "left"), ("on the right", "right"), ("in the middle", "center"),
             ("in the center", "center"), ("in the bottom right corner", "bottom-right"),
             ("in the upper right", "top-right"), ("at the lower left", "bottom-left"),
             ("on the left side", "left"), ("in the top right corner", "top-right"))
MOVE_POSITIONS = (("to the top left corner", "top-left"), ("to the center", "center"), ("to the middle", "center"),
                  ("into the bottom right corner", "bottom-right"), ("to the top right", "top-right"),
                  ("over to the bottom left", "bottom-left"), ("to the upper left", "top-left"),
                  ("into the lower right corner", "bottom-right"))
SIDES = (("left", "left"), ("right", "right"), ("top", "top"), ("bottom", "bottom"), ("left side", "left"),
         ("right side", "right"))
DIRECTIONS = (("left", "left"), ("right", "right"), ("up", "up"), ("down", "down"))
RELATIONS = (("to the left of", "left"), ("on the left of", "left"), ("left of", "left"),
             ("to the right of", "right"), ("on the right of", "right"), ("right of", "right"),
             ("above", "above"), ("over", "above"), ("below", "below"), ("under", "below"),
             ("beneath", "below"), ("underneath", "below"), ("next to", "next"), ("beside", "next"),
             ("right next to", "next"), ("near", "near"), ("close to", "near"), ("on top of", "on"), ("on", "on"))
IMAGES = ("the image", "the photo", "the picture", "the whole picture", "the whole image", "the pic")

# (words, factor, tolerance): a vague amount is right anywhere in factor ± tolerance, on the right side of 1.
_NORMAL = (1.3, 0.3)
_BIT = (1.15, 0.15)
_LOT = (1.6, 0.4)
_S_NORMAL = (0.77, 0.23)
_S_BIT = (0.87, 0.13)
_S_LOT = (0.6, 0.25)
COMPARATIVES = (("bigger", *_NORMAL), ("larger", *_NORMAL), ("smaller", *_S_NORMAL), ("a bit bigger", *_BIT),
                ("slightly larger", *_BIT), ("a little smaller", *_S_BIT), ("much bigger", *_LOT),
                ("a lot smaller", *_S_LOT), ("a bit smaller", *_S_BIT), ("much larger", *_LOT))
CMP_EVEN = (("even bigger", *_NORMAL), ("even larger", *_NORMAL), ("even smaller", *_S_NORMAL))
CMP_LOT = (("way bigger", *_LOT), ("way smaller", *_S_LOT), ("far bigger", *_LOT), ("a lot bigger", *_LOT),
           ("much smaller", *_S_LOT), ("really much bigger", *_LOT))
CMP_BIT = (("a tad bigger", *_BIT), ("a tad smaller", *_S_BIT), ("just a little bigger", *_BIT),
           ("kinda bigger", *_BIT), ("a smidge smaller", *_S_BIT), ("a touch bigger", *_BIT),
           ("just slightly smaller", *_S_BIT))
AMOUNTS = (("three times bigger", 3.0), ("twice as big", 2.0), ("2x bigger", 2.0), ("two times larger", 2.0),
           ("20% smaller", 0.8), ("30% bigger", 1.3), ("50% larger", 1.5), ("half the size", 0.5),
           ("half as big", 0.5), ("ten percent smaller", 0.9), ("25 percent bigger", 1.25),
           ("a quarter of the size", 0.25), ("four times as big", 4.0), ("40% smaller", 0.6),
           ("three times as large", 3.0), ("10% bigger", 1.1))
SCALES = (("by 150%", 1.5), ("by 200%", 2.0), ("by 300%", 3.0), ("by a factor of 2", 2.0), ("2x", 2.0),
          ("3x", 3.0), ("to 80%", 0.8), ("to 50%", 0.5), ("to 75%", 0.75), ("to half its size", 0.5),
          ("to twice its size", 2.0), ("up by 20%", 1.2), ("down by 30%", 0.7), ("down by half", 0.5))
TOO = (("too big", *_S_NORMAL), ("too large", *_S_NORMAL), ("way too big", *_S_LOT), ("a bit too big", *_S_BIT),
       ("too small", *_NORMAL), ("a bit too small", *_BIT), ("way too small", *_LOT), ("too tiny", *_NORMAL))
ENLARGE = (("", *_NORMAL), (" a bit", *_BIT), (" a lot", *_LOT), (" slightly", *_BIT), (" by 20%", 1.2, 0.02),
           (" by half", 1.5, 0.02))
SHRINK = (("", *_S_NORMAL), (" a bit", *_S_BIT), (" a lot", *_S_LOT), (" slightly", *_S_BIT),
          (" by 20%", 0.8, 0.02), (" by half", 0.5, 0.02))
EXACT = 0.02


@dataclass
class Pools:
    """The words one side of the split may use."""

    nouns: list[Noun]
    polite: list[str]
    filler: list[str]
    reasons: list[str]
    feelings: list[str]


@dataclass
class Draw:
    """Draws slot values for one message."""

    rng: random.Random
    pools: Pools
    vals: dict[str, Any] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    # ------------------------------------------------------------------ words

    def pick(self, seq: Sequence[Any]) -> Any:
        return seq[self.rng.randrange(len(seq))]

    def noun(self, like: Noun | None = None) -> Noun:
        for _ in range(50):
            noun = self.pick(self.pools.nouns)
            if noun.head in self.used or (like is not None and noun.category != like.category):
                continue
            self.used.add(noun.head)
            return noun
        noun = self.pick([n for n in self.pools.nouns if n.head not in self.used] or self.pools.nouns)
        self.used.add(noun.head)
        return noun

    def color(self, basic: bool = False, avoid: str | None = None) -> tuple[str, str]:
        words = vocab.BASIC_COLORS if basic else tuple(vocab.COLORS)
        while True:
            word = self.pick(words)
            if vocab.COLORS[word] != avoid:
                return word, vocab.COLORS[word]

    def target(self, bench: bool = False, det: bool = True, colour: bool | None = None,
               plural: bool = False, noun: Noun | None = None) -> dict[str, Any]:
        """A noun phrase with its parts: '[the] [size] [material|pattern] [colour] noun'."""
        noun = noun or self.noun()
        words: list[str] = []
        modifiers: list[str] = []
        colors: list[str] = []
        if det:
            words.append(self.pick(("the",) * 8 + ("that", "my")))
        if not bench and self.rng.random() < 0.15:
            size = self.pick(tuple(vocab.SIZES))
            words.append(size)
            modifiers.append(size)
        if self.rng.random() < (0.7 if bench else 0.3):
            mod = (vocab.MATERIAL_ADJECTIVES[self.pick(noun.materials)]
                   if noun.materials and self.rng.random() < 0.5 else self.pick(vocab.PATTERNS))
            words.append(mod)
            modifiers.append(mod)
        if colour if colour is not None else self.rng.random() < (0.7 if bench else 0.35):
            word, canon = self.color(basic=True)
            if self.rng.random() < 0.2:
                shade = self.pick(vocab.SHADES)
                words.append(shade)
                modifiers.append(shade)
            words.append(word)
            colors.append(canon)
        words.append(noun.plural if plural else noun.text)
        modifiers += noun.modifiers
        self.vals.setdefault("nouns", []).append(noun.head)
        return {"phrase": " ".join(words), "noun": noun.head, "colors": colors, "modifiers": modifiers,
                "plural": plural, "_noun": noun}

    def possessive(self) -> dict[str, Any]:
        owner = self.pick(tuple(vocab.POSSESSED))
        part = self.pick(vocab.POSSESSED[owner])
        if owner == "person":
            said = self.pick(("her", "his", "their", "the man's", "the woman's", "the girl's", "the boy's"))
            possessor = vocab.PRONOUN_OWNERS.get(said) or said.split()[1].removesuffix("'s")
        else:
            said, possessor = f"the {owner}'s", owner
        return {"phrase": f"{said} {part}", "noun": part.split()[-1], "modifiers": part.split()[:-1],
                "possessor": possessor}

    def quote_word(self) -> str:
        return self.pick(vocab.SIGN_WORDS)

    # ------------------------------------------------------------------ slots

    def fill(self, template: str) -> str:
        """The template with every slot filled; wrappers applied last."""
        wrap = None
        if template.startswith("@"):
            wrap, _, template = template.partition(" ")
        text = SLOT.sub(lambda m: self.slot(m.group(1)), template)
        if wrap:
            pool = self.pools.polite if wrap == "@polite" else self.pools.filler
            text = self.pick(pool).replace("{x}", text)
        return text

    def _set_target(self, key: str, target: dict[str, Any]) -> str:
        self.vals.setdefault(key, target)
        return target["phrase"]

    def slot(self, name: str) -> str:
        v = self.vals
        if name in ("t", "tn", "T", "tc"):
            if name == "tc":
                word, canon = self.color(basic=True)
                target = self.target(colour=False)
                target["phrase"] = target["phrase"].replace(target["_noun"].text, f"{word} {target['_noun'].text}")
                target["colors"] = [canon]
                v["c0"] = canon
                return self._set_target("target", target)
            return self._set_target("target", self.target(bench=name == "T", det=name != "T",
                                                          colour=False if name == "tn" else None))
        if name == "tp":
            return self._set_target("target", self.possessive())
        if name == "c0":
            word, canon = self.color(basic=True)
            v["c0"] = canon
            v.setdefault("target", {"phrase": f"the {word} one", "noun": None, "colors": [canon]})
            return word
        if name == "img":
            return self._set_target("target", {"phrase": self.pick(IMAGES), "scope": "image"})
        if name == "bg":
            phrase = self.pick(("the background",) * 4 + ("the backdrop",))
            return self._set_target("target", {"phrase": phrase, "noun": "background", "scope": "background"})
        if name in ("n", "N", "np"):
            return self._new(name)
        if name in ("a", "A"):
            anchor = self.target(bench=name == "A", det=name == "a")
            v["anchor"] = anchor
            return anchor["phrase"]
        if name in ("keep", "keepT"):
            keep = self.target(det=name == "keep", bench=name == "keepT", colour=False)
            v.setdefault("keep", []).append(keep)
            return keep["phrase"]
        if name == "keepall":
            v.setdefault("keep", []).append({"phrase": "everything else", "scope": "image"})
            return ""
        if name == "keeptp":
            said = self.pick(("her", "him", "them", "the person", "the subject"))
            kept = "subject" if said == "the subject" else "person"
            v.setdefault("keep", []).append({"phrase": said, "noun": kept})
            return said
        if name in ("c", "c2"):
            source = v.get("c0") or next(iter(v.get("target", {}).get("colors", [])), None)
            word, canon = self.color(avoid=source if name == "c" else v.get("color"))
            v["color"] = canon
            return word
        if name == "bgc":
            word, canon = self.color(basic=True)
            v["bg"] = {"color": canon}
            return word
        if name in ("g1", "g2"):
            word, canon = self.color(basic=True, avoid=(v.get("gradient") or [None])[0])
            v.setdefault("gradient", []).append(canon)
            v["bg"] = {"gradient": v["gradient"]}
            return word
        if name == "scene":
            scene = self.pick(vocab.SCENES)
            v["bg"] = {"scene": scene}
            article = "" if scene == "space" else ("an " if scene[0] in "aeiou" else "a ")
            return article + scene
        if name in ("m", "ma"):
            material = self._material()
            v["material"] = material
            return vocab.MATERIAL_ADJECTIVES.get(material, material) if name == "ma" else material
        if name in ("pos", "pos2", "side"):
            words, place = self.pick({"pos": POSITIONS, "pos2": MOVE_POSITIONS, "side": SIDES}[name])
            v["position"] = place
            return words
        if name in ("dir", "dir0", "hdir", "hdir0"):
            table = DIRECTIONS if name.startswith("d") else DIRECTIONS[:2]
            words, direction = self.pick([d for d in table if d[1] != v.get("direction")])
            v["direction"] = direction
            return words
        if name == "px":
            n = self.pick((20, 25, 30, 40, 50, 60, 80, 100))
            v["amount_px"] = n
            return self.pick((f"{n} pixels", f"{n}px", f"{n} px"))
        if name == "rel":
            words, rel = self.pick(RELATIONS)
            v["rel"] = rel
            return words
        if name in ("cmp", "cmp_even", "cmp_lot", "cmp_bit", "too", "big", "small"):
            steps = {"cmp": COMPARATIVES, "cmp_even": CMP_EVEN, "cmp_lot": CMP_LOT, "cmp_bit": CMP_BIT,
                     "too": TOO, "big": ENLARGE, "small": SHRINK}[name]
            words, factor, tol = self.pick(steps)
            v["factor"] = (factor, tol)
            return words
        if name in ("amt", "amt0", "by"):
            amounts = AMOUNTS if name != "by" else SCALES
            words, factor = self.pick([a for a in amounts if (a[1], EXACT) != v.get("factor")])
            v["factor"] = (factor, EXACT)
            return words
        if name in ("k", "dplus", "dminus"):
            return self._number(name)
        if name == "Tp":
            count = v.get("count", v.get("delta", 2))
            noun = self.noun()
            v.setdefault("nouns", []).append(noun.head)
            v.setdefault("target", {"phrase": noun.plural, "noun": noun.head, "plural": True})
            return noun.text if abs(count) == 1 and ("count" in v or "delta" in v) else noun.plural
        if name in ("old", "new", "oldw", "neww"):
            key = name[:3]
            words = [w for w in vocab.SIGN_WORDS if w != v.get("old")]
            if name in ("oldw", "neww"):
                words = [w.upper() for w in words if " " not in w and w.isalpha()]
            word = self.pick(words)
            v[key] = word
            return word
        if name == "la":
            look = self.pick(tuple(vocab.LOOK_ADJ))
            v["filter"] = look
            return self.pick(vocab.LOOK_ADJ[look])
        if name in ("lvimg", "lvbg", "lvobj", "lvtp"):
            look = self.pick(tuple(vocab.LOOK_VERB))
            v["filter"] = look
            inner = {"lvimg": "img", "lvbg": "bg", "lvobj": "t", "lvtp": "tp"}[name]
            return self.pick(vocab.LOOK_VERB[look]).replace("{t}", self.slot(inner))
        if name == "gray":
            v["filter"] = "grayscale"
            v.setdefault("target", {"phrase": "the background", "noun": "background", "scope": "background"})
            return ""
        if name == "reason":
            return self.pick(self.pools.reasons)
        if name == "feel":
            return self.pick(self.pools.feelings)
        raise KeyError(f"unknown slot {name!r}")

    def _new(self, name: str) -> str:
        like = self.vals.get("target", {}).get("_noun")
        pool_same_head = [n for n in self.pools.nouns if like is not None and n.head == like.head and n != like]
        noun = self.pick(pool_same_head) if pool_same_head and self.rng.random() < 0.5 else self.noun(like)
        self.vals.setdefault("nouns", []).append(noun.head)
        new: dict[str, Any] = {"noun": noun.head}
        if name == "np":
            self.vals["new"] = new
            return noun.text if self.vals.get("count") == 1 else noun.plural
        words = []
        if name == "n" and self.rng.random() < 0.4:
            word, canon = self.color(basic=True)
            words.append(word)
            new["color"] = canon
        words.append(noun.text)
        phrase = " ".join(words)
        if name == "n":
            phrase = ("an " if phrase[0] in "aeiou" else "a ") + phrase
        new["phrase"] = phrase
        self.vals["new"] = new
        return phrase

    def _material(self) -> str:
        target = self.vals.get("target", {})
        noun = target.get("_noun")
        choices = noun.materials if noun is not None and noun.materials else vocab.FABRIC + ("glass", "metal")
        said = {m for m in target.get("modifiers", [])}
        options = [m for m in choices if vocab.MATERIAL_ADJECTIVES.get(m, m) not in said] or list(choices)
        return self.pick(options)

    def _number(self, name: str) -> str:
        v = self.vals
        n = self.pick((1, 2, 3, 4, 5, 6) if name == "k" else (1, 2, 3))
        if name == "k":
            v["count"] = n
        else:
            v["delta"] = n if name == "dplus" else -n
        as_word = self.rng.random() < 0.5
        return vocab.NUMBER_WORDS[n] if as_word or (name != "k" and n == 1) else str(n)
