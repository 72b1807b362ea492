"""Scene parsing finds every flat-coloured shape, with its colour, class, mask and box."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from engines.base import EngineError
from engines.classical.colors import PALETTE, color_distance
from engines.classical.insertion import draw_shape
from engines.classical.scene import classify_shape, parse_scene
from engines.classical.vocabulary import SHAPES

SIZE = 448
PHOTOS = {"astronaut": data.astronaut, "coffee": data.coffee, "chelsea": data.chelsea}


def background(kind: str, rng: np.random.Generator, size: int = SIZE) -> np.ndarray:
    """A plain, gradient, noisy or photographic background."""
    if kind == "plain":
        return np.full((size, size, 3), rng.integers(0, 256, 3), np.uint8)
    if kind == "gradient":
        a, b = rng.integers(0, 256, 3).astype(float), rng.integers(0, 256, 3).astype(float)
        t = np.linspace(0.0, 1.0, size)[None, :, None]
        if rng.random() < 0.5:
            t = t.transpose(1, 0, 2)
        return np.broadcast_to(np.round(a * (1 - t) + b * t), (size, size, 3)).astype(np.uint8).copy()
    if kind == "noise":
        base = rng.integers(40, 216, 3).astype(float)
        return np.clip(base + rng.normal(0.0, rng.uniform(4, 12), (size, size, 3)), 0, 255).astype(np.uint8)
    return cv2.resize(PHOTOS[kind](), (size, size), interpolation=cv2.INTER_AREA)


def random_scene(seed: int, kind: str) -> tuple[np.ndarray, list[tuple[str, str, tuple[int, int, int, int]]]]:
    """3-8 non-overlapping shapes in palette colours that stand out from what is under them."""
    rng = np.random.default_rng(seed)
    image = background(kind, rng)
    count = int(rng.integers(3, 9))
    truth: list[tuple[str, str, tuple[int, int, int, int]]] = []
    boxes: list[tuple[int, int, int, int]] = []
    for _ in range(500):
        if len(truth) == count:
            break
        w, h = int(rng.integers(40, 110)), int(rng.integers(40, 110))
        noun = SHAPES[int(rng.integers(len(SHAPES)))]
        if noun in ("circle", "square"):
            h = w
        if noun in ("ellipse", "rectangle") and abs(w - h) < 0.3 * max(w, h):
            h = int(w * 0.6)
        x0, y0 = int(rng.integers(4, SIZE - w - 4)), int(rng.integers(4, SIZE - h - 4))
        box = (x0, y0, x0 + w, y0 + h)
        if any(not (box[2] + 6 < b[0] or b[2] + 6 < box[0] or box[3] + 6 < b[1] or b[3] + 6 < box[1])
               for b in boxes):
            continue
        under = tuple(int(v) for v in np.median(image[y0:y0 + h, x0:x0 + w].reshape(-1, 3), axis=0))
        names = [c for c in PALETTE if color_distance(PALETTE[c], under) > 30]
        color = names[int(rng.integers(len(names)))]
        image, mask = draw_shape(image, noun, box, PALETTE[color])
        ys, xs = np.nonzero(mask)
        boxes.append(box)
        truth.append((noun, color, (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)))
    return image, truth


def _near(a: tuple[int, ...], b: tuple[int, ...], tol: int) -> bool:
    return all(abs(p - q) <= tol for p, q in zip(a, b, strict=True))


KINDS = ("plain", "gradient", "noise", "astronaut", "coffee", "chelsea")


def test_random_scenes_are_parsed_correctly() -> None:
    correct = total = false_positives = synthetic_detections = 0
    per_kind: dict[str, list[int]] = {}
    for kind in KINDS:
        for seed in range(6):
            image, truth = random_scene(seed, kind)
            detections = parse_scene(image)
            used: set[int] = set()
            for noun, color, box in truth:
                total += 1
                match = next((i for i, d in enumerate(detections) if _near(d.box, box, 3)), None)
                ok = match is not None and detections[match].noun == noun and detections[match].color == color
                if match is not None:
                    used.add(match)
                correct += ok
                per_kind.setdefault(kind, []).append(int(ok))
            if kind in ("plain", "gradient", "noise"):
                synthetic_detections += len(detections)
                false_positives += len(detections) - len(used)
    assert total >= 150
    assert correct / total >= 0.95, (correct, total)
    for kind, hits in per_kind.items():
        assert sum(hits) / len(hits) >= 0.9, kind
    # On synthetic backgrounds nothing but the shapes is found.
    assert false_positives <= 0.03 * synthetic_detections


@pytest.mark.parametrize("noun", SHAPES)
def test_each_shape_is_classified_with_a_precise_mask(noun: str) -> None:
    box = (60, 50, 60 + 120, 50 + (120 if noun not in ("ellipse", "rectangle") else 70))
    image, truth_mask = draw_shape(np.full((256, 256, 3), 235, np.uint8), noun, box, PALETTE["blue"])
    (det,) = parse_scene(image)
    assert det.noun == noun
    assert det.color == "blue" and det.label == f"blue {noun}"
    ys, xs = np.nonzero(truth_mask)
    assert _near(det.box, (xs.min(), ys.min(), xs.max() + 1, ys.max() + 1), 2)
    iou = (det.mask & truth_mask).sum() / (det.mask | truth_mask).sum()
    assert iou >= 0.93
    assert det.mask[truth_mask].mean() > 0.998  # the anti-aliased rim and the tips are included
    assert {"shape", "color", "area", "circularity"} <= set(det.attributes)


@pytest.mark.parametrize(("noun", "angle"), [
    ("square", 20.0), ("square", 45.0 + 12.0), ("rectangle", 30.0), ("triangle", 25.0), ("star", 17.0),
    ("pentagon", 40.0), ("hexagon", 10.0), ("heart", 90.0), ("ellipse", 60.0),
])
def test_rotated_shapes_keep_their_class(noun: str, angle: float) -> None:
    height = 80 if noun in ("rectangle", "ellipse") else 130
    image, _ = draw_shape(np.full((256, 256, 3), 20, np.uint8), noun, (60, 60, 190, 60 + height),
                          PALETTE["yellow"], rotation=angle)
    (det,) = parse_scene(image)
    assert det.noun == noun


def test_square_turned_45_degrees_reads_as_diamond() -> None:
    image, _ = draw_shape(np.full((200, 200, 3), 245, np.uint8), "diamond", (40, 40, 160, 160), PALETTE["red"])
    (det,) = parse_scene(image)
    assert det.noun == "diamond"
    noun, score, measures = classify_shape(det.mask)
    assert noun == "diamond" and score > 0.9 and measures["aspect"] < 1.1


@pytest.mark.parametrize("color", list(PALETTE))
def test_every_palette_colour_is_named(color: str) -> None:
    bg = (128, 128, 128) if color not in ("gray",) else (250, 250, 250)
    image, _ = draw_shape(np.full((160, 160, 3), bg, np.uint8), "circle", (40, 40, 120, 120), PALETTE[color])
    (det,) = parse_scene(image)
    assert det.color == color and det.rgb == PALETTE[color]


def test_touching_shapes_of_different_colours_are_separate() -> None:
    image = np.full((200, 300, 3), 240, np.uint8)
    image, _ = draw_shape(image, "square", (40, 50, 140, 150), PALETTE["red"])
    image, _ = draw_shape(image, "square", (140, 50, 240, 150), PALETTE["blue"])
    dets = parse_scene(image)
    assert sorted(d.color for d in dets) == ["blue", "red"]
    assert all(d.noun == "square" for d in dets)


def test_empty_backgrounds_have_no_objects() -> None:
    rng = np.random.default_rng(7)
    for kind in ("plain", "gradient", "noise"):
        assert parse_scene(background(kind, rng)) == []


def test_small_objects_below_the_area_floor_are_ignored() -> None:
    image, _ = draw_shape(np.full((400, 400, 3), 250, np.uint8), "circle", (10, 10, 18, 18), PALETTE["black"])
    image, _ = draw_shape(image, "circle", (100, 100, 200, 200), PALETTE["black"])
    assert len(parse_scene(image)) == 1
    assert len(parse_scene(image, min_area_fraction=0.0001)) == 2


def test_big_images_are_analysed_downscaled_with_full_size_masks() -> None:
    image = np.full((4096, 4096, 3), 30, np.uint8)
    image, truth = draw_shape(image, "star", (1000, 1200, 2000, 2200), PALETTE["orange"])
    image, _ = draw_shape(image, "rectangle", (2600, 400, 3800, 1000), PALETTE["green"])
    dets = parse_scene(image)  # its speed is measured by ``python -m evals.bench engines``
    assert [d.label for d in dets] == ["green rectangle", "orange star"]
    star = dets[1]
    assert star.mask.shape == (4096, 4096)
    assert (star.mask & truth).sum() / (star.mask | truth).sum() > 0.97


def test_parsing_is_deterministic() -> None:
    image, _ = random_scene(3, "noise")
    first, second = parse_scene(image), parse_scene(image.copy())
    assert [(d.box, d.label, d.score) for d in first] == [(d.box, d.label, d.score) for d in second]
    assert all((a.mask == b.mask).all() for a, b in zip(first, second, strict=True))


def test_bad_inputs_raise_engine_errors() -> None:
    with pytest.raises(EngineError):
        parse_scene(np.zeros((10, 10), np.uint8))
    with pytest.raises(EngineError):
        parse_scene(np.zeros((50, 50, 3), np.float32))
    with pytest.raises(EngineError):
        parse_scene(np.zeros((50, 50, 3), np.uint8), tolerance=0)
