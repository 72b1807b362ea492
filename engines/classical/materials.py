"""Material looks without a model: a procedural texture over an object's mask that keeps its shading.

The object's own lightness (relative to its mean) modulates the new surface, so folds, curvature
and shadows survive; a texture (wood grain, brushed streaks, weave, twill, leather pebbling, stone
speckle, marble veins, paper fibre) and a sheen are laid over it. Glass is different: what is
behind the object (estimated by filling its mask from its surroundings) shows through, refracted,
with a rim and highlights. This is a look, not a re-render: an inpainting model re-renders.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..base import EngineError


@dataclass(frozen=True)
class Material:
    """How one material looks: its base colour (None keeps the object's own), texture and sheen."""

    name: str
    color: tuple[int, int, int] | None
    texture: str
    detail: float
    """Texture amplitude, as a fraction of the lightness."""
    gloss: float = 0.0
    """Strength of the specular highlight, 0..1."""
    transparent: bool = False


MATERIALS: dict[str, Material] = {m.name: m for m in (
    Material("wood", (152, 102, 58), "grain", 0.22, 0.08),
    Material("metal", (168, 170, 174), "brushed", 0.10, 0.55),
    Material("steel", (160, 166, 174), "brushed", 0.10, 0.6),
    Material("aluminium", (190, 192, 196), "brushed", 0.08, 0.5),
    Material("chrome", (205, 208, 214), "mirror", 0.0, 0.9),
    Material("silver", (196, 198, 204), "sheen", 0.04, 0.8),
    Material("gold", (212, 170, 55), "sheen", 0.04, 0.75),
    Material("copper", (184, 110, 60), "sheen", 0.04, 0.7),
    Material("bronze", (160, 112, 56), "sheen", 0.05, 0.6),
    Material("brass", (186, 160, 70), "sheen", 0.05, 0.65),
    Material("glass", (228, 240, 244), "glass", 0.0, 0.8, transparent=True),
    Material("fabric", None, "weave", 0.16),
    Material("wool", None, "weave", 0.22),
    Material("denim", (62, 88, 132), "twill", 0.2),
    Material("leather", (110, 68, 40), "pebble", 0.12, 0.25),
    Material("stone", (132, 130, 124), "speckle", 0.2, 0.03),
    Material("granite", (118, 116, 114), "speckle", 0.28, 0.1),
    Material("concrete", (156, 154, 148), "speckle", 0.14),
    Material("marble", (236, 234, 228), "veins", 0.3, 0.35),
    Material("plastic", None, "smooth", 0.0, 0.7),
    Material("rubber", None, "matte", 0.03, 0.05),
    Material("ceramic", (240, 240, 236), "smooth", 0.0, 0.7),
    Material("paper", (240, 236, 222), "fibre", 0.05),
    Material("cardboard", (186, 146, 98), "fibre", 0.08),
    Material("clay", (190, 104, 64), "speckle", 0.1, 0.05),
)}

SYNONYMS = {
    "wooden": "wood", "timber": "wood", "oak": "wood", "pine": "wood", "walnut": "wood",
    "metallic": "metal", "iron": "metal", "tin": "metal", "stainless steel": "steel",
    "aluminum": "aluminium", "chromed": "chrome", "chrome-plated": "chrome", "mirror": "chrome",
    "silvery": "silver", "golden": "gold", "gilded": "gold", "coppery": "copper",
    "glassy": "glass", "crystal": "glass", "transparent": "glass",
    "cloth": "fabric", "cotton": "fabric", "linen": "fabric", "textile": "fabric", "woven": "fabric",
    "silk": "fabric", "woolen": "wool", "woollen": "wool", "knit": "wool", "knitted": "wool",
    "jeans": "denim", "leathery": "leather", "suede": "leather",
    "stony": "stone", "rock": "stone", "cement": "concrete", "marbled": "marble",
    "plastics": "plastic", "rubbery": "rubber", "porcelain": "ceramic", "china": "ceramic",
    "terracotta": "clay", "pottery": "clay", "paper-made": "paper", "carton": "cardboard",
}


class UnknownMaterialLook(EngineError):
    """A material the offline looks do not know."""


def canonical_material(word: str) -> str | None:
    """The table's name for a material word ("wooden" → "wood"), or None."""
    text = " ".join(str(word).lower().replace("_", " ").split())
    for suffix in (" material", " look", " texture", " finish"):
        text = text.removesuffix(suffix)
    for candidate in (text, text.removesuffix("s")):
        if candidate in MATERIALS:
            return candidate
        if candidate in SYNONYMS:
            return SYNONYMS[candidate]
    return None


def known_materials() -> list[str]:
    return sorted(MATERIALS)


def material_of(word: str) -> Material:
    name = canonical_material(word)
    if name is None:
        raise UnknownMaterialLook(f"unknown material {word!r}; known materials: {', '.join(known_materials())}")
    return MATERIALS[name]


# --------------------------------------------------------------------------- fields


def _noise(shape: tuple[int, int], cell: float, rng: np.random.Generator, stretch: tuple[float, float] = (1, 1)) \
        -> np.ndarray:
    """Smooth value noise with features about ``cell`` px wide (``stretch`` elongates them)."""
    height, width = shape
    gh = max(2, int(np.ceil(height / (cell * stretch[1]))) + 1)
    gw = max(2, int(np.ceil(width / (cell * stretch[0]))) + 1)
    grid = rng.standard_normal((gh, gw)).astype(np.float32)
    return cv2.resize(grid, (width, height), interpolation=cv2.INTER_CUBIC)


def _normalized(field: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Zero mean, unit spread inside the mask, so a texture never shifts the object's mean colour."""
    values = field[mask]
    if values.size == 0:
        return field
    spread = float(values.std())
    return (field - float(values.mean())) / (spread if spread > 1e-6 else 1.0)


def texture_field(kind: str, shape: tuple[int, int], mask: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The texture of one material kind over a window, zero mean and unit spread inside ``mask``."""
    height, width = shape
    side = max(8, min(height, width))
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    if kind == "grain":  # rings along the longer side, warped, with fine streaks along them
        along_x = width >= height
        across = ys if along_x else xs
        period = max(5.0, side / 9)
        warp = _noise(shape, side / 2.5, rng) * period * 1.4
        rings = (0.5 + 0.5 * np.sin(2 * np.pi * (across + warp) / period)) ** 3
        streaks = _noise(shape, 2.0, rng, (12, 1) if along_x else (1, 12))
        field = -rings + 0.35 * streaks
    elif kind == "brushed":
        field = _noise(shape, 1.2, rng, (40, 1)) + 0.3 * _noise(shape, side / 3, rng)
    elif kind == "weave":
        period = max(3.0, side / 45)
        threads = np.sin(2 * np.pi * xs / period) * np.sin(2 * np.pi * ys / period)
        field = threads + 0.25 * _noise(shape, period, rng)
    elif kind == "twill":
        period = max(3.0, side / 40)
        field = np.sin(2 * np.pi * (xs + ys) / period) + 0.5 * _noise(shape, side / 4, rng) \
            + 0.3 * _noise(shape, 1.5, rng, (1, 6))
    elif kind == "pebble":
        cells = _noise(shape, max(2.5, side / 60), rng)
        field = -np.abs(cells) + 0.2 * _noise(shape, side / 5, rng)
    elif kind == "speckle":
        field = _noise(shape, side / 6, rng) + 0.6 * _noise(shape, 3.0, rng) + 0.5 * rng.standard_normal(shape)
    elif kind == "veins":
        turbulence = sum(_noise(shape, side / (2 ** octave), rng) / (2 ** octave) for octave in range(1, 5))
        field = -(1 - np.abs(np.sin(2 * np.pi * (0.7 * xs + 0.3 * ys) / (0.6 * side) + 3.0 * turbulence))) ** 14
    elif kind == "fibre":
        field = _noise(shape, 1.5, rng) + 0.4 * _noise(shape, side / 8, rng)
    elif kind == "matte":
        field = rng.standard_normal(shape).astype(np.float32)
    else:  # smooth, sheen, mirror, glass: no texture of their own
        return np.zeros(shape, np.float32)
    return _normalized(cv2.GaussianBlur(field.astype(np.float32), (0, 0), 0.6), mask)


def _bulge(mask: np.ndarray) -> np.ndarray:
    """0 at the object's edge rising to 1 inside: a rounded surface for sheen and refraction."""
    distance = cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3)
    top = float(distance.max())
    return np.sqrt(distance / top) if top > 0 else distance


def _highlight(shape: tuple[int, int], mask: np.ndarray) -> np.ndarray:
    """A soft specular spot toward the upper left of the object, as from one light."""
    height, width = shape
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    spot = np.exp(-(((xs - 0.32 * width) / (0.16 * width + 1)) ** 2 + ((ys - 0.28 * height) / (0.14 * height + 1)) ** 2))
    return spot * (cv2.distanceTransform(mask.astype(np.uint8), cv2.DIST_L2, 3) >= 2)


def _shading(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The object's lightness relative to its mean: the shading the new surface keeps."""
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY).astype(np.float32) + 8.0
    mean = float(lightness[mask].mean()) if mask.any() else 1.0
    return np.clip(lightness / mean, 0.3, 1.7)


# --------------------------------------------------------------------------- looks


def apply_material(image: np.ndarray, mask: np.ndarray, material: str, *, seed: int = 0,
                   strength: float = 1.0) -> np.ndarray:
    """``image`` with ``material``'s look over ``mask``; pixels outside the mask are unchanged."""
    look = material_of(material)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
    if mask.shape != image.shape[:2]:
        raise EngineError(f"mask {mask.shape} does not match image {image.shape[:2]}")
    ys, xs = np.nonzero(mask)
    if ys.size == 0:
        raise EngineError("the material mask is empty")
    margin = 12
    y0, y1 = max(0, ys.min() - margin), min(image.shape[0], ys.max() + 1 + margin)
    x0, x1 = max(0, xs.min() - margin), min(image.shape[1], xs.max() + 1 + margin)
    crop, inside = image[y0:y1, x0:x1], mask[y0:y1, x0:x1]
    rng = np.random.default_rng(seed)
    if look.transparent:
        painted = _glass(crop, inside, look, strength)
    else:
        painted = _surface(crop, inside, look, rng, strength)
    result = image.copy()
    window = result[y0:y1, x0:x1]
    window[inside] = painted[inside]
    return result


def _surface(crop: np.ndarray, inside: np.ndarray, look: Material, rng: np.random.Generator,
             strength: float) -> np.ndarray:
    shape = inside.shape
    source = crop.astype(np.float32)
    own = np.median(source[inside], axis=0)
    if look.color is not None:
        base = np.array(look.color, np.float32)
    elif look.texture == "matte":  # rubber: the object's colour, darker and flatter
        base = 0.7 * own + 0.3 * own.mean() * 0.7
    else:
        base = own
    shade = _shading(crop, inside)
    if look.gloss >= 0.3 or look.texture in ("sheen", "mirror"):
        shade = shade * (0.72 + 0.28 * _bulge(inside))  # a rounded, reflective body darkens at its rims
    # Clipped, so sparse features (marble veins) read as tone, not as black ink.
    texture = np.clip(texture_field(look.texture, shape, inside, rng), -2.2, 2.2) * look.detail * strength
    if look.texture == "mirror":  # chrome reflects a bright sky over a dark ground across the object
        height = shape[0]
        rows = np.linspace(-1, 1, height, dtype=np.float32)[:, None]
        horizon = np.tanh(6 * (rows + 0.15 * _noise(shape, shape[1] / 2, rng)))
        shade = shade * (1.0 - 0.45 * horizon)
    surface = base[None, None, :] * (shade * (1.0 + texture))[..., None]
    surface += 255.0 * look.gloss * strength * (_highlight(shape, inside) ** 2)[..., None] * 0.8
    return np.clip(np.round(surface), 0, 255).astype(np.uint8)


def _glass(crop: np.ndarray, inside: np.ndarray, look: Material, strength: float) -> np.ndarray:
    """What is behind, refracted and tinted, a ghost of the object, a darker rim and highlights."""
    height, width = inside.shape
    scale = min(1.0, 160 / max(height, width))
    small = cv2.resize(crop, (max(4, int(width * scale)), max(4, int(height * scale))), interpolation=cv2.INTER_AREA)
    small_mask = cv2.resize(inside.astype(np.uint8), small.shape[1::-1], interpolation=cv2.INTER_NEAREST)
    small_mask = cv2.dilate(small_mask, np.ones((3, 3), np.uint8), iterations=2)
    behind = cv2.inpaint(small, small_mask * 255, 5, cv2.INPAINT_TELEA)
    behind = cv2.resize(behind, (width, height), interpolation=cv2.INTER_LINEAR).astype(np.float32)
    bulge = _bulge(inside)
    gy, gx = np.gradient(cv2.GaussianBlur(bulge, (0, 0), 2))
    reach = 0.12 * min(height, width)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    refracted = cv2.remap(behind, xs - reach * gx * 4, ys - reach * gy * 4, cv2.INTER_LINEAR,
                          borderMode=cv2.BORDER_REFLECT)
    refracted = cv2.GaussianBlur(refracted, (0, 0), 1.2)
    tint = np.array(look.color, np.float32) / 255.0
    ghost = 0.12 * strength
    glass = (1 - ghost) * refracted * tint + ghost * crop.astype(np.float32)
    rim = (1.0 - bulge) ** 4
    glass = glass * (1 - 0.45 * rim[..., None])
    edge = (rim > 0.55) & (rim < 0.8)
    glass[edge] = 0.6 * glass[edge] + 0.4 * 255
    glass += 255.0 * look.gloss * (_highlight(inside.shape, inside) ** 3)[..., None] * 0.7
    return np.clip(np.round(glass), 0, 255).astype(np.uint8)


__all__ = ["MATERIALS", "Material", "UnknownMaterialLook", "apply_material", "canonical_material",
           "known_materials", "material_of", "texture_field"]
