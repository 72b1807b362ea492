"""Removal cases with an exact answer: real photos and textures that ship with scikit-image, with
an object pasted in (a drawn shape, a crop of another photo, a word of text).

The photo without the object is the ground truth for the hole. Each object is placed where the
true background inside the hole has the texture of the ring around it (so "texture within 30 % of
the ring" is a criterion a perfect fill meets), searched over a fixed grid in a fixed order, so
every run builds the same cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont
from skimage import data

from agents.artefacts import ring_of, texture_energy

BACKGROUNDS = ("brick", "grass", "gravel", "coffee", "astronaut", "rocket", "chelsea")
OBJECTS = ("shape", "crop", "text")
SIZES = (44, 72)  # px: the object's side
DILATE = 3  # px the removal grows the object's mask by (the Remove operation's default)
RING = 12  # px of surroundings texture is compared against
HOMOGENEOUS = 0.2  # the true background's texture within this fraction of the ring's
TEXTURE_FLOOR = 1.0  # grey levels per px added to both energies, so flat areas compare as equal

COLOURS = ((220, 30, 40), (30, 90, 220), (250, 210, 20), (240, 240, 240), (20, 20, 20), (40, 180, 60))
FONTS = ("DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSans.ttf")
WORDS = ("SALE", "OPEN", "Hi!", "2024")
CROP_SOURCES = {"brick": "coffee", "grass": "astronaut", "gravel": "chelsea", "coffee": "rocket",
                "astronaut": "coffee", "rocket": "chelsea", "chelsea": "astronaut"}


@dataclass(frozen=True)
class PhotoCase:
    """One removal with its answer: ``image`` has the object, ``truth`` does not."""

    id: str
    background: str
    kind: str  # shape, crop or text
    image: np.ndarray  # HxWx3 uint8 RGB, the object pasted in
    truth: np.ndarray  # the same photo without it
    object_mask: np.ndarray  # HxW bool: the pasted object's pixels
    hole: np.ndarray  # HxW bool: what the removal fills (the object grown by DILATE)

    @property
    def box(self) -> tuple[int, int, int, int]:
        ys, xs = np.nonzero(self.hole)
        return int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1


def photo(name: str) -> np.ndarray:
    """A scikit-image sample as HxWx3 uint8 RGB."""
    image = np.asarray(getattr(data, name)())
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def texture_ratio(image: np.ndarray, hole: np.ndarray, ring: np.ndarray) -> float:
    """Texture energy (mean gradient magnitude) inside the hole over the ring's, floored."""
    return (texture_energy(image, hole) + TEXTURE_FLOOR) / (texture_energy(image, ring) + TEXTURE_FLOOR)


def _font(index: int, size: int) -> ImageFont.ImageFont:
    try:
        return ImageFont.truetype(FONTS[index % len(FONTS)], size)
    except OSError:
        return ImageFont.load_default(size)


def _object(kind: str, size: int, index: int, background: str) -> tuple[np.ndarray, np.ndarray]:
    """An object on its own canvas: (RGB pixels, mask)."""
    colour = COLOURS[index % len(COLOURS)]
    width = 2 * size if kind == "text" else size  # a word is wider than it is tall
    canvas = Image.new("RGB", (width, size))
    mask = Image.new("L", (width, size))
    pen = ImageDraw.Draw(mask)
    if kind == "shape":
        if index % 2:
            pen.ellipse((2, 6, size - 3, size - 7), fill=255)
        else:
            centre, outer, inner = (size - 1) / 2, size / 2 - 2, size / 4
            angles = np.pi / 2 + np.arange(10) * np.pi / 5
            radii = np.where(np.arange(10) % 2 == 0, outer, inner)
            pen.polygon([(centre + r * np.cos(a), centre - r * np.sin(a)) for a, r in zip(angles, radii, strict=True)],
                        fill=255)
        canvas.paste(colour, (0, 0, size, size))
    elif kind == "crop":
        source = photo(CROP_SOURCES[background])
        y, x = source.shape[0] // 3, source.shape[1] // 3
        canvas = Image.fromarray(np.ascontiguousarray(source[y:y + size, x:x + size]))
        pen.ellipse((1, 1, size - 2, size - 2), fill=255)
    else:
        word = WORDS[index % len(WORDS)]
        font = _font(index, max(12, int(size * 0.55)))
        pen.text(((width - pen.textlength(word, font=font)) / 2, size * 0.2), word, font=font, fill=255)
        canvas.paste(colour, (0, 0, width, size))
    return np.asarray(canvas), np.asarray(mask) > 127


def _placements(shape: tuple[int, int], local: tuple[int, int], seed: int) -> list[tuple[int, int]]:
    (height, width), (tall, wide) = shape, local
    margin = RING + DILATE + 4
    ys = range(margin, height - tall - margin, max(8, tall // 3))
    xs = range(margin, width - wide - margin, max(8, tall // 3))
    spots = [(y, x) for y in ys for x in xs]
    order = np.random.default_rng(seed).permutation(len(spots))
    return [spots[i] for i in order]


def build_case(background: str, kind: str, size: int, index: int = 0, side: int | None = None) -> PhotoCase | None:
    """The case, or None when the photo has no spot homogeneous enough for it. ``side`` resizes
    the photo to ``side``×``side`` first (the speed benchmark's 1024²)."""
    truth = photo(background)
    if side is not None:
        truth = cv2.resize(truth, (side, side), interpolation=cv2.INTER_CUBIC)
    pixels, local = _object(kind, size, index, background)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * DILATE + 1, 2 * DILATE + 1))
    tall, wide = local.shape
    for y, x in _placements(truth.shape[:2], local.shape, seed=index * 7919 + size):
        obj = np.zeros(truth.shape[:2], bool)
        obj[y:y + tall, x:x + wide] = local
        hole = cv2.dilate(obj.view(np.uint8), kernel).astype(bool)
        if abs(texture_ratio(truth, hole, ring_of(hole, RING)) - 1.0) > HOMOGENEOUS:
            continue
        image = truth.copy()
        image[y:y + tall, x:x + wide][local] = pixels[local]
        return PhotoCase(f"{background}-{kind}-{size}", background, kind, image, truth, obj, hole)
    return None


def case_index(background: str, kind: str, size: int) -> int:
    """A case's number, the same whichever subset of cases is built."""
    return BACKGROUNDS.index(background) * 11 + OBJECTS.index(kind) * 3 + (SIZES.index(size) if size in SIZES else size)


def build_cases(backgrounds: tuple[str, ...] = BACKGROUNDS, kinds: tuple[str, ...] = OBJECTS,
                sizes: tuple[int, ...] = SIZES) -> list[PhotoCase]:
    cases = []
    for background in backgrounds:
        for kind in kinds:
            for size in sizes:
                case = build_case(background, kind, size, index=case_index(background, kind, size))
                if case is not None:
                    cases.append(case)
    return cases
