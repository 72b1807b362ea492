"""Text → regions without a model: shapes and colours from scene parsing; on photographs faces,
eyes, cats, bodies and text from trained detectors that ship inside the installed packages (see
``photo/``), people, subject and background from GrabCut seeded by them, with soft edges; sky from
a colour-and-position heuristic. What it cannot recognise it reports with ``UnknownTarget``."""

from __future__ import annotations

import functools
from collections import OrderedDict

import cv2
import numpy as np

from ..base import Detection, EngineError, UnknownTarget
from .colors import PALETTE, canonical_color, rgb_to_lab
from .photo import ocr, people
from .scene import parse_scene
from .vocabulary import OBJECTS, REGION_NOUNS, SHAPES, canonical_noun

# With tolerance > 1 a shape noun also accepts its near relatives.
LOOSE_SHAPES: dict[str, tuple[str, ...]] = {
    "circle": ("circle", "ellipse"), "ellipse": ("ellipse", "circle"),
    "square": ("square", "rectangle", "diamond"), "rectangle": ("rectangle", "square"),
    "diamond": ("diamond", "square"), "pentagon": ("pentagon", "hexagon"),
    "hexagon": ("hexagon", "pentagon"), "triangle": ("triangle",), "star": ("star",),
    "heart": ("heart",),
}
# Composite objects are found as the shape that makes up most of them.
OBJECT_SHAPES: dict[str, tuple[str, ...]] = {
    "sun": ("circle", "star", "object"), "balloon": ("ellipse", "circle"), "tree": ("ellipse", "circle"),
    "house": ("rectangle", "square", "triangle"), "cloud": ("object", "ellipse"), "moon": ("object",),
    "flower": ("object", "circle"), "hill": ("object", "ellipse"), "logo": ("rectangle", "square", "object"),
}
# Colours a composite object can plausibly have: a purple disc is no sun.
OBJECT_COLORS: dict[str, tuple[str, ...]] = {
    "sun": ("yellow", "orange", "white", "red"), "moon": ("yellow", "white", "gray", "orange"),
    "cloud": ("white", "gray"), "tree": ("green", "brown", "orange", "red", "yellow"),
    "hill": ("green", "brown", "yellow", "gray"),
}
GRABCUT_SIDE = 256  # subject segmentation runs at this size
CACHE_SIZE = 16
OBJECTS_SUBJECT_SHARE = 0.02  # flat objects covering this much of the image are its subject


def nearest_colors(rgb: tuple[int, int, int], count: int) -> list[str]:
    """The ``count`` palette names nearest to ``rgb`` in CIELAB."""
    names = list(PALETTE)
    palette = rgb_to_lab(np.array([PALETTE[n] for n in names], np.uint8))
    lab = rgb_to_lab(np.array([rgb], np.uint8))[0]
    order = np.argsort(np.linalg.norm(palette - lab, axis=1))
    return [names[i] for i in order[:count]]


def _box_of(mask: np.ndarray) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    return (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)


def _region(mask: np.ndarray, noun: str, score: float, **attributes: object) -> Detection:
    return Detection(mask=mask, box=_box_of(mask), label=noun, noun=noun, score=score,
                     attributes={"area": int(mask.sum()), **attributes})


def detect_faces(image: np.ndarray) -> list[Detection]:
    """Faces (Haar frontal and profile, LBP; skin-checked), each with an elliptical mask."""
    return people.detect_faces(image)


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return inter / smaller if smaller > 0 else 0.0


def grabcut_rect(image: np.ndarray, rect: tuple[int, int, int, int], *, iterations: int = 4,
                 sure_fg: np.ndarray | None = None) -> np.ndarray:
    """GrabCut inside ``rect`` (x0, y0, x1, y1) at reduced size; returns a full-size bool mask."""
    height, width = image.shape[:2]
    factor = min(1.0, GRABCUT_SIDE / max(height, width))
    size = (max(8, round(width * factor)), max(8, round(height * factor)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if factor < 1.0 else image
    sx, sy = size[0] / width, size[1] / height
    x0, y0 = int(rect[0] * sx), int(rect[1] * sy)
    x1, y1 = max(x0 + 2, int(np.ceil(rect[2] * sx))), max(y0 + 2, int(np.ceil(rect[3] * sy)))
    init = np.full(small.shape[:2], cv2.GC_BGD, np.uint8)
    init[y0:y1, x0:x1] = cv2.GC_PR_FGD
    if sure_fg is not None:
        fg = cv2.resize(sure_fg.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
        init[fg] = cv2.GC_FGD
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(np.ascontiguousarray(small), init, (0, 0, 0, 0), bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error as exc:
        raise EngineError(f"GrabCut failed: {exc}") from None
    fg_small = ((init == cv2.GC_FGD) | (init == cv2.GC_PR_FGD)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg_small, connectivity=8)
    if count > 2:  # keep the largest piece: GrabCut leaves specks
        keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        fg_small = (labels == keep).astype(np.uint8)
    up = cv2.resize(fg_small * 255, (width, height), interpolation=cv2.INTER_LINEAR)
    return up >= 128


class ClassicalGrounder:
    """Finds what a noun and colours name: shapes, colours, faces, subject, background, sky."""

    name = "classical"

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._cache: OrderedDict[tuple[object, ...], list[Detection]] = OrderedDict()
        self._cache_size = cache_size

    # ------------------------------------------------------------------ cache

    def _cached(self, key: tuple[object, ...] | None, compute: functools.partial[list[Detection]]) -> list[Detection]:
        if key is None:
            return compute()
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        value = compute()
        self._cache[key] = value
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return value

    def scene(self, image: np.ndarray, tolerance: float = 1.0, cache_key: str | None = None) -> list[Detection]:
        """Every flat-coloured object (cached per ``cache_key``)."""
        key = None if cache_key is None else ("scene", cache_key, tolerance)
        return self._cached(key, functools.partial(parse_scene, image, tolerance=tolerance))

    def faces(self, image: np.ndarray, cache_key: str | None = None) -> list[Detection]:
        key = None if cache_key is None else ("faces", cache_key)
        return self._cached(key, functools.partial(detect_faces, image))

    # ------------------------------------------------------------------ grounding

    def ground(self, image: np.ndarray, noun: str | None = None, colors: tuple[str, ...] = (), *,
               tolerance: float = 1.0, cache_key: str | None = None) -> list[Detection]:
        """Regions matching ``noun`` (None / "object": every object) and any of ``colors``."""
        # 1. Check inputs.
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
            raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
        if tolerance <= 0:
            raise EngineError(f"tolerance must be positive, got {tolerance}")
        wanted_colors = []
        for word in colors:
            canonical = canonical_color(word)
            if canonical is None:
                raise EngineError(f"unknown colour {word!r}; known colours: {', '.join(sorted(PALETTE))}")
            wanted_colors.append(canonical)
        canonical = None if noun is None else canonical_noun(noun)
        if noun is not None and canonical is None:
            raise UnknownTarget(
                noun, f"the classical grounder cannot find {noun!r}; it knows shapes ({', '.join(SHAPES)}), "
                f"objects ({', '.join(OBJECTS)}) and regions ({', '.join(REGION_NOUNS)})"
            )

        # 2. Regions of a photograph.
        if canonical in REGION_NOUNS:
            return self._ground_region(image, canonical, cache_key)

        # 3. Objects of the scene, filtered by shape and colour.
        found = self.scene(image, tolerance=1.0, cache_key=cache_key)
        if tolerance > 1.0:
            # Looser grounding may also take objects only a looser parse separates.
            seen = {d.box for d in found}
            found = found + [d for d in self.scene(image, tolerance, cache_key) if d.box not in seen]
        results = []
        for det in found:
            if canonical not in (None, "object") and not self._noun_matches(det, canonical, tolerance):
                continue
            if wanted_colors and not self._color_matches(det, wanted_colors, tolerance):
                continue
            results.append(det)
        if canonical in OBJECTS:
            results = [d for d in results if self._looks_like(image, d, canonical)]
            results = [Detection(mask=d.mask, box=d.box, label=f"{d.color} {canonical}", noun=canonical,
                                 color=d.color, rgb=d.rgb, score=d.score * 0.6,
                                 attributes={**d.attributes, "shape": d.noun}) for d in results]
        return results

    @staticmethod
    def _looks_like(image: np.ndarray, det: Detection, noun: str) -> bool:
        """Whether a shape is plausibly the named object: its colour fits, and a balloon has its string."""
        colors = OBJECT_COLORS.get(noun)
        if colors is not None and det.color not in colors:
            return False
        if noun == "balloon":
            return has_string(image, det)
        return True

    @staticmethod
    def _noun_matches(det: Detection, noun: str, tolerance: float) -> bool:
        if noun in OBJECTS:
            return det.noun in OBJECT_SHAPES.get(noun, ())
        if tolerance > 1.0:
            return det.noun in LOOSE_SHAPES.get(noun, (noun,))
        return det.noun == noun

    @staticmethod
    def _color_matches(det: Detection, wanted: list[str], tolerance: float) -> bool:
        if det.color in wanted:
            return True
        if tolerance > 1.0 and det.rgb is not None:
            return any(name in wanted for name in nearest_colors(det.rgb, 2))
        return False

    def _ground_region(self, image: np.ndarray, noun: str, cache_key: str | None) -> list[Detection]:
        if noun == "face":
            return list(self.faces(image, cache_key))
        if noun == "sky":
            key = None if cache_key is None else ("sky", cache_key)
            return self._cached(key, functools.partial(detect_sky, image))
        if noun == "text":
            key = None if cache_key is None else ("text", cache_key)
            return list(self._cached(key, functools.partial(ocr.detect_text, image)))
        if noun == "cat":
            return list(self.cats(image, cache_key))
        if noun == "eye":
            key = None if cache_key is None else ("eyes", cache_key)
            return list(self._cached(key, lambda: people.detect_eyes(image, self.faces(image, cache_key))))
        if noun == "person":
            key = None if cache_key is None else ("people", cache_key)
            found = self._cached(key, functools.partial(self._people, image, cache_key))
            if found:
                return list(found)
        key = None if cache_key is None else ("subject", cache_key)
        subject = self._cached(key, functools.partial(self._subject, image, cache_key))
        if noun in ("subject", "person"):
            return list(subject)
        if not subject:
            return []
        background = ~subject[0].mask
        if not background.any():
            return []
        found = _region(background, "background", subject[0].score)
        if subject[0].alpha is not None:
            found.alpha = 1.0 - subject[0].alpha
        return [found]

    def cats(self, image: np.ndarray, cache_key: str | None = None) -> list[Detection]:
        """Whole cats, found by their faces."""
        key = None if cache_key is None else ("cats", cache_key)
        return self._cached(key, lambda: [people.cat_from_face(image, c) for c in people.detect_cats(image)])

    def _people(self, image: np.ndarray, cache_key: str | None) -> list[Detection]:
        """One person per face (GrabCut below it); with no face, per body the body cascades agree on."""
        found = [p for face in self.faces(image, cache_key) if (p := people.person_from_face(image, face))]
        if not found:
            found = [p for box in people.detect_bodies(image) if (p := people.person_from_body(image, box))]
        return found

    def entities(self, image: np.ndarray, cache_key: str | None = None, *, text: bool = True) -> list[Detection]:
        """Everything this grounder recognises in the image, typed: flat objects, faces, cats, people
        and (with ``text``) lines of text."""
        found = list(self.scene(image, cache_key=cache_key))
        found += self.faces(image, cache_key)
        found += self.cats(image, cache_key)
        found += self._ground_region(image, "person", cache_key) if self.faces(image, cache_key) else []
        if text:
            found += self._ground_region(image, "text", cache_key)
        return found

    def _subject(self, image: np.ndarray, cache_key: str | None) -> list[Detection]:
        """The main subject: GrabCut seeded by a face (a person below it); else the flat objects when
        the scene is made of them; else GrabCut from a centre-weighted rectangle."""
        height, width = image.shape[:2]
        faces = self.faces(image, cache_key)
        objects = self.scene(image, cache_key=cache_key)
        union = np.zeros((height, width), bool)
        for det in objects:
            union |= det.mask
        if not faces and union.sum() >= OBJECTS_SUBJECT_SHARE * height * width:
            return [_region(union, "subject", 0.7, source="objects")]
        if faces and (persons := self._ground_region(image, "person", cache_key)):
            union = np.zeros((height, width), bool)
            alpha = np.zeros((height, width), np.float32)
            for person in persons:
                union |= person.mask
                alpha = np.maximum(alpha, person.alpha if person.alpha is not None else person.mask)
            found = _region(union, "subject", 0.6, source="face")
            found.alpha = alpha
            return [found]
        sure = None
        if faces:
            face = max(faces, key=lambda d: d.area)
            x0, y0, x1, y1 = face.box
            fw = x1 - x0
            rect = (max(0, x0 - int(1.5 * fw)), max(0, y0 - fw // 3), min(width, x1 + int(1.5 * fw)), height)
            sure = face.mask
            source = "face"
        else:
            mx, my = width // 8, height // 10
            rect = (mx, my, width - mx, height)
            source = "centre"
        if source == "centre" and (salient := people.salient_subject(image)) is not None:
            return [salient]
        mask = grabcut_rect(image, rect, sure_fg=sure)
        if not mask.any() or mask.all():
            return []
        found = _region(mask, "subject", 0.6 if source == "face" else 0.4, source=source)
        found.alpha = people.soft_alpha(image, mask)
        return [found]


def detect_sky(image: np.ndarray) -> list[Detection]:
    """Bright, bluish or pale pixels in the upper part connected to the top edge."""
    height, width = image.shape[:2]
    lab = cv2.cvtColor(image.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    lightness, b = lab[..., 0], lab[..., 2]
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    bright = ((lightness > 55) & (b < -8)) | ((lightness > 88) & (chroma < 8))
    bright[int(height * 0.6):] = False
    opened = cv2.morphologyEx(bright.astype(np.uint8), cv2.MORPH_OPEN, np.ones((5, 5), np.uint8))
    count, labels = cv2.connectedComponents(opened, connectivity=4)
    top = set(np.unique(labels[0])) - {0}
    mask = np.isin(labels, list(top)) if top else np.zeros((height, width), bool)
    if mask.sum() < 0.02 * height * width:
        return []
    return [_region(mask, "sky", 0.5)]


def has_string(image: np.ndarray, det: Detection) -> bool:
    """A balloon's string: a thin line under the body's bottom centre that differs from what is
    beside it, on most rows of a strip as tall as a quarter of the body."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = det.box
    w, h = x1 - x0, y1 - y0
    cx = (x0 + x1) // 2
    top, bottom = y1 + 1, min(height, y1 + max(4, h // 4))
    half = max(3, w // 8)
    if bottom - top < 3 or cx - 3 * half < 0 or cx + 3 * half >= width:
        return False
    strip = rgb_to_lab(image[top:bottom, cx - 3 * half:cx + 3 * half])
    side = np.concatenate([strip[:, :half], strip[:, -half:]], axis=1)
    reference = np.median(side, axis=1, keepdims=True)
    centre = strip[:, 2 * half:4 * half]
    deviant = np.linalg.norm(centre - reference, axis=2).max(axis=1) > 15
    return float(deviant.mean()) >= 0.7
