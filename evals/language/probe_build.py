"""``python -m evals.language.probe_build``: write probe.jsonl, an independent probe corpus.

The probe lines (probe_items_*.py) were written by hand the way different people type, not from the
corpus templates, so they measure whether the grammar understands phrasings it was never fitted to.
Each family is a group of lines said one way; families are split dev/test with a fixed seed, so a
test family's phrasing never appears in dev. Targets are written as said and broken into head noun,
colours, modifiers and possessor by :func:`obj`; only the head noun is scored.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from . import vocab
from .score import head

PROBE = Path(__file__).with_name("probe.jsonl")
SEED = 7
_DETERMINERS = frozenset("the a an my that this those these his her its their our your some any".split())
_NUMBERS = frozenset("one two three four five six seven eight nine ten".split())
IMAGE = {"phrase": "the image", "noun": None, "colors": [], "modifiers": [], "possessor": None, "plural": False,
         "scope": "image"}
BACKGROUND = {"phrase": "the background", "noun": "background", "colors": [], "modifiers": [], "possessor": None,
              "plural": False, "scope": "background"}


def obj(phrase: str, noun: str | None = None) -> dict[str, Any]:
    """A target as said: 'the big red barn' → head 'barn', colours ['red'], modifiers ['big']."""
    words = phrase.split()
    possessor = None
    if any(w.endswith("'s") for w in words):
        at = next(i for i, w in enumerate(words) if w.endswith("'s"))
        possessor = head(words[at][:-2])
        words = words[at + 1:]
    body = [w for w in words if w.lower() not in _DETERMINERS and not w.isdigit() and w.lower() not in _NUMBERS]
    last = body[-1].lower()
    said = noun or head(last)
    colors = [vocab.COLORS[w.lower()] for w in body[:-1] if w.lower() in vocab.COLORS]
    mods = [w for w in body[:-1] if w.lower() not in vocab.COLORS]
    plural = said != last and noun is None
    return {"phrase": phrase, "noun": said, "colors": colors, "modifiers": mods, "possessor": possessor,
            "plural": plural, "scope": "object"}


def op(kind: str, target: dict[str, Any], **params: Any) -> dict[str, Any]:
    return {"op": kind, "target": target, "params": params}


def remove(phrase: str) -> dict[str, Any]:
    return op("remove", obj(phrase))


def insert(phrase: str, count: int | None = None, position: str | None = None,
           rel: tuple[str, str] | None = None) -> dict[str, Any]:
    t = obj(phrase)
    t["plural"] = False
    params: dict[str, Any] = {"noun": t["noun"]}
    if t["colors"]:
        params["color"] = t["colors"][0]
    if count is not None:
        params["count"] = count
    if position:
        params["position"] = position
    if rel:
        params["relation"] = {"rel": rel[0], "anchor": obj(rel[1])}
    return op("insert", t, **params)


def replace(old: str, new: str) -> dict[str, Any]:
    n = obj(new)
    params: dict[str, Any] = {"noun": n["noun"], "phrase": new}
    if n["colors"]:
        params["color"] = n["colors"][0]
    return op("replace", obj(old), **params)


def recolor(phrase: str, color: str) -> dict[str, Any]:
    return op("recolor", obj(phrase), color=color)


def material(phrase: str, name: str) -> dict[str, Any]:
    return op("material", obj(phrase), material=name)


def background(scene: str | None = None, color: str | None = None,
               gradient: list[str] | None = None) -> dict[str, Any]:
    params = {"scene": scene} if scene else {"color": color} if color else {"gradient": gradient}
    return op("background", dict(BACKGROUND), **params)


def count(phrase: str, noun: str | None = None, **params: Any) -> dict[str, Any]:
    t = obj(phrase, noun)
    t["plural"] = True
    return op("count", t, **params)


def move(phrase: str, direction: str | None = None, position: str | None = None,
         rel: tuple[str, str] | None = None, px: int | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if direction:
        params["direction"] = direction
    if position:
        params["position"] = position
    if rel:
        params["relation"] = {"rel": rel[0], "anchor": obj(rel[1])}
    if px is not None:
        params["amount_px"] = px
    return op("move", obj(phrase), **params)


def resize(phrase: str, factor: float, tolerance: float) -> dict[str, Any]:
    return op("resize", obj(phrase), factor=factor, tolerance=tolerance)


def look(name: str, phrase: str | None = None, scope: str = "image") -> dict[str, Any]:
    if scope == "background":
        target = dict(BACKGROUND)
    else:
        target = {**IMAGE, "phrase": phrase or "the image"} if scope == "image" else obj(phrase or "")
    return op("filter", target, filter=name)


def text(old: str, new: str) -> dict[str, Any]:
    t = {**obj("the text"), "noun": "text"}
    return op("replace_text", t, old=old, new=new)


def dev_families(names: list[str], rng: random.Random) -> set[str]:
    """Half of each task's families (the odd one to dev), drawn by ``rng``: the rest are test."""
    dev: set[str] = set()
    for task in sorted({name.split(".")[0] for name in names}):
        own = [name for name in names if name.startswith(task + ".")]
        dev |= set(rng.sample(own, (len(own) + 1) // 2))
    return dev


def write_lines(path: Path, rows: list[dict[str, Any]]) -> int:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return len(rows)


def lines() -> list[dict[str, Any]]:
    """Every probe line, its family split by the fixed seed: about half of each task's families are dev."""
    from .probe_items_a import FAMILIES as A
    from .probe_items_b import FAMILIES as B

    families = {**A, **B}
    names = sorted(families)
    dev = dev_families(names, random.Random(SEED))
    out = []
    for family in names:
        task = family.split(".")[0]
        for i, (said, ops, *keep) in enumerate(families[family]):
            nouns = sorted({o["target"]["noun"] for o in ops if o["target"]["noun"] not in (None, "background",
                                                                                           "text")})
            out.append({"id": f"probe.{family}.{i:02d}", "text": said, "task": task, "voice": family.split(".")[1],
                        "family": f"probe.{family}", "split": "dev" if family in dev else "test", "nouns": nouns,
                        "typo": None, "expected": {"ops": ops, "keep": [obj(k) for k in (keep[0] if keep else [])]}})
    return out


def write(path: Path = PROBE) -> int:
    return write_lines(path, lines())


if __name__ == "__main__":
    print(f"written {write()} probe lines to {PROBE}")
