"""End to end over the everyday task types, judged by re-grounding the result: replace, count,
background change, relative move, text replacement and material, one generated case per seed.

``python -m evals.taxonomy [--split dev|test] [--cases N]`` prints success per task type. Scenes,
colours, nouns and phrasings are drawn per seed; dev and test use disjoint seeds (test starts at
10,000) and the product is never tuned on test. A case counts only when the edit the message asks
for is measurably there and nothing else broke; a refusal or an error is a failure.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from engines.classical.colors import PALETTE
from engines.classical.scene import parse_scene
from engines.classical.text import PillowTextDrawer

from .models import Background, GTObject, Scene
from .scenes import render

WIDTH, HEIGHT = 384, 288
SHAPES = ("circle", "square", "triangle", "star", "hexagon")
COLORS = ("red", "blue", "green", "yellow", "purple", "orange")
BACKDROPS = ("black", "pink", "gray", "yellow")  # all far from the scenes' own off-white
MATERIALS = ("wood", "metal", "glass", "marble", "leather")
WORDS = ("SALE", "OPEN", "HELLO", "CAFE", "SOLD", "FRESH")


@dataclass
class Case:
    kind: str
    message: str
    image: np.ndarray
    judge: Callable[[np.ndarray, np.ndarray], tuple[bool, str]]


def _found(image: np.ndarray, noun: str | None = None, color: str | None = None):
    return [d for d in parse_scene(image) if (noun is None or d.noun == noun) and (color is None or d.color == color)]


def _boxes(rng: np.random.Generator, count: int, side: int = 60) -> list[tuple[int, int, int, int]]:
    """``count`` non-overlapping boxes on a 3×2 grid of cells, jittered."""
    cells = rng.permutation(6)[:count]
    boxes = []
    for cell in cells:
        cx = 40 + (cell % 3) * 120 + int(rng.integers(0, 30))
        cy = 40 + (cell // 3) * 130 + int(rng.integers(0, 30))
        boxes.append((cx, cy, cx + side, cy + side))
    return boxes


def _scene(rng: np.random.Generator, objects: list[tuple[str, str]]) -> tuple[np.ndarray, list[GTObject]]:
    placed = [GTObject(id=f"o{i}", noun=noun, color=color, box=box)
              for i, ((noun, color), box) in enumerate(zip(objects, _boxes(rng, len(objects)), strict=True))]
    background = Background(kind="plain", colors=[(238, 238, 232)])
    scene = Scene(width=WIDTH, height=HEIGHT, background=background, objects=placed)
    return render(scene), placed


def _distinct(rng: np.random.Generator, pool: tuple[str, ...], count: int) -> list[str]:
    return [str(v) for v in rng.permutation(pool)[:count]]


def replace_case(rng) -> Case:
    (old, new), (color, new_color, other_color) = _distinct(rng, SHAPES, 2), _distinct(rng, COLORS, 3)
    image, objects = _scene(rng, [(old, color), ("square" if old != "square" else "circle", other_color)])
    template = rng.choice(["replace the {c} {o} with a {nc} {n}", "swap the {c} {o} for a {nc} {n}",
                           "can you replace the {o} with a {nc} {n}?"])
    message = str(template).format(c=color, o=old, nc=new_color, n=new)
    box = objects[0].box

    def judge(before, after):
        there = [d for d in _found(after, new, new_color) if _overlap(d.box, box) > 0.3]
        gone = not [d for d in _found(after, old, color) if _overlap(d.box, box) > 0.3]
        kept = bool(_found(after, objects[1].noun, objects[1].color))
        return there and gone and kept, f"new there {bool(there)}, old gone {gone}, other kept {kept}"

    return Case("replace", message, image, judge)


def count_case(rng) -> Case:
    noun, = _distinct(rng, SHAPES, 1)
    color, = _distinct(rng, COLORS, 1)
    have = int(rng.integers(1, 4))
    image, _ = _scene(rng, [(noun, color)] * have)
    want = int(rng.choice([n for n in range(1, 6) if n != have]))
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five"}
    if want > have and rng.random() < 0.5:
        message = f"add {words[want - have]} more {color} {noun}s like that"
    elif want == 1:
        message = f"keep only one {noun}"
    else:
        message = str(rng.choice(["make it {w} {n}s", "change the count of {n}s to {d}", "I want {w} {n}s"])) \
            .format(w=words[want], n=noun, d=want)

    def judge(before, after):
        count = len(_found(after, noun, color))
        return count == want, f"{count} {noun}(s), wanted {want}"

    return Case("count", message, image, judge)


def background_case(rng) -> Case:
    backdrop, = _distinct(rng, BACKDROPS, 1)
    nouns, colors = _distinct(rng, SHAPES, 2), _distinct(rng, ("red", "blue", "green", "purple", "orange"), 2)
    image, objects = _scene(rng, list(zip(nouns, colors, strict=True)))
    message = str(rng.choice(["change the background to {b}", "put it on a plain {b} background",
                              "make the background {b} but keep the shapes"])).format(b=backdrop)
    wanted = np.array(PALETTE[backdrop], dtype=np.float32)

    def judge(before, after):
        corners = np.stack([after[4, 4], after[4, -5], after[-5, 4], after[-5, -5]]).astype(np.float32)
        backdrop_ok = float(np.abs(corners - wanted).max()) < 40
        kept = all(_found(after, o.noun, o.color) for o in objects)
        return backdrop_ok and kept, f"backdrop {backdrop_ok}, objects kept {kept}"

    return Case("background", message, image, judge)


def relative_move_case(rng) -> Case:
    (mover, anchor), (c1, c2) = _distinct(rng, SHAPES, 2), _distinct(rng, COLORS, 2)
    image, objects = _scene(rng, [(mover, c1), (anchor, c2)])
    m, a = objects[0].box, objects[1].box
    holds = {"left": m[2] <= a[0], "right": m[0] >= a[2], "above": m[3] <= a[1], "below": m[1] >= a[3]}
    rel = str(rng.choice([r for r, already in holds.items() if not already]))  # a move that has to happen
    phrase = {"left": "to the left of", "right": "to the right of", "above": "above", "below": "below"}[rel]
    message = str(rng.choice(["move the {m} {p} the {a}", "put the {c} {m} {p} the {a}",
                              "could you move the {m} so it's {p} the {a}?"])).format(
        m=mover, p=phrase, a=anchor, c=c1)

    def judge(before, after):
        moved, fixed = _found(after, mover, c1), _found(after, anchor, c2)
        if len(moved) != 1 or len(fixed) != 1:
            return False, f"found {len(moved)} {mover}(s) and {len(fixed)} {anchor}(s)"
        m, a = moved[0].box, fixed[0].box
        ok = {"left": m[2] <= a[0] + 4, "right": m[0] >= a[2] - 4, "above": m[3] <= a[1] + 4,
              "below": m[1] >= a[3] - 4}[rel]
        return ok, f"{mover} at {m}, {anchor} at {a}"

    return Case("relative_move", message, image, judge)


def text_case(rng) -> Case:
    old, new = _distinct(rng, WORDS, 2)
    image, _ = _scene(rng, [(str(rng.choice(SHAPES)), str(rng.choice(COLORS)))])
    box = (60, 200, 320, 260)
    image, _mask = PillowTextDrawer().draw(image, old, box, rgb=(20, 20, 20))
    message = str(rng.choice(["change {o} to {n}", "replace the text '{o}' with '{n}'",
                              "the sign should say {n} instead of {o}"])).format(o=old, n=new)

    def judge(before, after):
        read = _read_text(after[box[1] - 10:box[3] + 10, box[0] - 10:box[2] + 10])
        if read is None:  # no text reader installed: the ink changed where the words are
            changed = float(np.abs(after.astype(int) - before.astype(int))[box[1]:box[3], box[0]:box[2]].mean())
            return changed > 3, f"no OCR; mean change in the text box {changed:.1f}"
        letters = "".join(c for c in read.upper() if c.isalnum())
        return new in letters and old not in letters, f"OCR read {read!r}"

    return Case("replace_text", message, image, judge)


def material_case(rng) -> Case:
    noun, = _distinct(rng, SHAPES, 1)
    color, = _distinct(rng, COLORS, 1)
    material, = _distinct(rng, MATERIALS, 1)
    image, objects = _scene(rng, [(noun, color), ("circle" if noun != "circle" else "square", "blue")])
    message = str(rng.choice(["make the {n} {m}", "change the material of the {n} to {m}",
                              "can the {c} {n} look like it's made of {m}?"])).format(n=noun, m=material, c=color)
    x0, y0, x1, y1 = (int(v) for v in objects[0].box)
    inner = (slice(y0 + 15, y1 - 15), slice(x0 + 15, x1 - 15))

    def judge(before, after):
        texture = _energy(after[inner]) - _energy(before[inner])
        colour = float(np.abs(after[inner].astype(float).mean((0, 1)) - before[inner].astype(float).mean((0, 1))).max())
        kept = bool(_found(after, objects[1].noun, objects[1].color))
        return (texture > 1.0 or colour > 12) and kept, \
            f"texture +{texture:.1f}, colour shift {colour:.0f}, other kept {kept}"

    return Case("material", message, image, judge)


CASES = {"replace": replace_case, "count": count_case, "background": background_case,
         "relative_move": relative_move_case, "replace_text": text_case, "material": material_case}


def _overlap(a, b) -> float:
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union else 0.0


def _energy(patch: np.ndarray) -> float:
    gray = cv2.cvtColor(np.ascontiguousarray(patch), cv2.COLOR_RGB2GRAY).astype(np.float32)
    return float(np.hypot(cv2.Sobel(gray, cv2.CV_32F, 1, 0), cv2.Sobel(gray, cv2.CV_32F, 0, 1)).mean())


_reader = None


def _read_text(patch: np.ndarray) -> str | None:
    global _reader
    try:
        if _reader is None:
            from rapidocr_onnxruntime import RapidOCR

            _reader = RapidOCR()
        # A margin around the crop: the detector misreads words that touch the crop's edges (it reads
        # the untouched original 'SALE' as 'SP A E' without one).
        padded = cv2.copyMakeBorder(np.ascontiguousarray(patch), 40, 40, 40, 40, cv2.BORDER_REPLICATE)
        found, _ = _reader(np.ascontiguousarray(padded[..., ::-1]))
    except ImportError:
        return None
    return " ".join(item[1] for item in (found or []))


def run(split: str = "dev", cases: int = 20, kinds: tuple[str, ...] = tuple(CASES)) -> dict[str, dict]:
    from graph import Editor

    start = 10_000 if split == "test" else 0
    results: dict[str, dict] = {}
    with Editor(store="memory://") as editor:
        for kind in kinds:
            passed, failures, started = 0, [], time.perf_counter()
            for seed in range(start, start + cases):
                case = CASES[kind](np.random.default_rng(seed))
                session = editor.session()
                try:
                    result = session.send(case.message, image=case.image)
                    ok, why = case.judge(case.image, np.asarray(result.image))
                except Exception as exc:  # a refusal or an error is a failed case, reported as such
                    ok, why = False, f"{type(exc).__name__}: {exc}"[:160]
                passed += ok
                if not ok:
                    failures.append(f"{case.message!r}: {why}")
            results[kind] = {"cases": cases, "passed": passed, "success": passed / cases, "failures": failures,
                             "s_per_case": (time.perf_counter() - started) / cases}
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=("dev", "test"), default="dev")
    parser.add_argument("--cases", type=int, default=20, help="cases per task type")
    parser.add_argument("--kind", action="append", choices=tuple(CASES), help="only these task types")
    parser.add_argument("--failures", type=int, default=3, help="failing cases to print per type")
    args = parser.parse_args()
    results = run(args.split, args.cases, tuple(args.kind or CASES))
    print(f"task type       cases  success   s/case   ({args.split})")
    for kind, row in results.items():
        print(f"{kind:15s} {row['cases']:5d}  {row['success']:7.1%}  {row['s_per_case']:7.2f}")
        for line in row["failures"][:args.failures]:
            print(f"    ✗ {line}")
    total = sum(r["passed"] for r in results.values()) / max(1, sum(r["cases"] for r in results.values()))
    print(f"{'overall':15s} {sum(r['cases'] for r in results.values()):5d}  {total:7.1%}")


if __name__ == "__main__":
    main()
