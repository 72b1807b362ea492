"""Text and box rendering with Pillow, the font sized to fill the box.

The font is the largest size at which the text (wrapped over as many lines as help) fits the box,
found by bisection, so "add SALE at the top" reads well whatever the box.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..base import Box, EngineError

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
RGB = tuple[int, int, int]

# Fonts tried in order; Pillow's own embedded font (load_default) is the final fallback.
FONT_CANDIDATES = (
    "DejaVuSans-Bold.ttf", "DejaVuSans.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)
MIN_SIZE, MAX_SIZE = 6, 1024


@functools.cache
def _font_path() -> str | None:
    try:  # matplotlib ships DejaVu when installed
        import matplotlib  # type: ignore[import-not-found]

        bundled = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans-Bold.ttf"
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    for candidate in FONT_CANDIDATES:
        try:
            ImageFont.truetype(candidate, 12)
            return candidate
        except OSError:
            continue
    return None


@functools.lru_cache(maxsize=64)
def load_font(size: int) -> Font:
    """A TrueType font at ``size`` px (Pillow's embedded font when no TrueType file is found)."""
    path = _font_path()
    if path is not None:
        return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def _wrap(words: list[str], lines: int) -> list[str]:
    """Split words into ``lines`` lines of similar length (greedy by characters)."""
    if lines <= 1 or len(words) <= 1:
        return [" ".join(words)]
    target = sum(len(w) for w in words) / lines
    out: list[str] = []
    current: list[str] = []
    for word in words:
        if current and len(" ".join(current + [word])) > target * 1.15 and len(out) < lines - 1:
            out.append(" ".join(current))
            current = [word]
        else:
            current.append(word)
    out.append(" ".join(current))
    return out


def _measure(draw: ImageDraw.ImageDraw, lines: list[str], font: Font, spacing: int) -> tuple[int, int]:
    bbox = draw.multiline_textbbox((0, 0), "\n".join(lines), font=font, spacing=spacing, align="center")
    return int(bbox[2] - bbox[0]), int(bbox[3] - bbox[1])


def fit_text(text: str, width: int, height: int) -> tuple[list[str], Font, int]:
    """The wrapping and the largest font size at which ``text`` fits ``width`` x ``height``."""
    words = text.split()
    probe = ImageDraw.Draw(Image.new("L", (1, 1)))
    best: tuple[int, list[str], Font] | None = None
    for lines in range(1, min(len(words), 4) + 1):
        wrapped = _wrap(words, lines)
        lo, hi = MIN_SIZE, min(MAX_SIZE, max(MIN_SIZE, height))
        found = None
        while lo <= hi:
            mid = (lo + hi) // 2
            font = load_font(mid)
            w, h = _measure(probe, wrapped, font, max(1, mid // 5))
            if w <= width and h <= height:
                found = (mid, wrapped, font)
                lo = mid + 1
            else:
                hi = mid - 1
        if found and (best is None or found[0] > best[0]):
            best = found
    if best is None:
        font = load_font(MIN_SIZE)
        return [text], font, MIN_SIZE
    size, wrapped, font = best
    return wrapped, font, size


def _check(image: np.ndarray, box: Box) -> Box:
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {getattr(image, 'shape', type(image))}")
    height, width = image.shape[:2]
    x0, y0, x1, y1 = (int(v) for v in box)
    if x1 <= x0 or y1 <= y0:
        raise EngineError(f"empty box {box}")
    cx0, cy0, cx1, cy1 = max(0, x0), max(0, y0), min(width, x1), min(height, y1)
    if cx1 <= cx0 or cy1 <= cy0:
        raise EngineError(f"box {box} lies outside the {width}x{height} image")
    return (cx0, cy0, cx1, cy1)


class PillowTextDrawer:
    """Draws text centred in a box at the largest size that fits."""

    name = "classical"

    def draw(self, image: np.ndarray, text: str, box: Box, *,
             rgb: RGB = (0, 0, 0)) -> tuple[np.ndarray, np.ndarray]:
        """Render ``text`` in ``box``; returns (new image, mask of the glyph pixels)."""
        x0, y0, x1, y1 = _check(image, box)
        if not text or not text.strip():
            raise EngineError("no text to draw")
        width, height = x1 - x0, y1 - y0
        lines, font, size = fit_text(text.strip(), width, height)
        spacing = max(1, size // 5)
        # Render coverage on its own layer, then composite: the mask is exactly the glyphs.
        layer = Image.new("L", (width, height), 0)
        draw = ImageDraw.Draw(layer)
        joined = "\n".join(lines)
        bbox = draw.multiline_textbbox((0, 0), joined, font=font, spacing=spacing, align="center")
        tx = (width - (bbox[2] - bbox[0])) / 2 - bbox[0]
        ty = (height - (bbox[3] - bbox[1])) / 2 - bbox[1]
        draw.multiline_text((tx, ty), joined, fill=255, font=font, spacing=spacing, align="center")
        alpha = np.asarray(layer, np.float32)[..., None] / 255.0
        out = image.copy()
        region = out[y0:y1, x0:x1].astype(np.float32)
        out[y0:y1, x0:x1] = np.clip(np.round(region * (1 - alpha) + np.asarray(rgb, np.float32) * alpha), 0, 255)
        mask = np.zeros(image.shape[:2], bool)
        mask[y0:y1, x0:x1] = alpha[..., 0] >= 0.5
        return out, mask


def draw_box(image: np.ndarray, box: Box, rgb: RGB = (255, 0, 0), width: int = 2) -> np.ndarray:
    """Outline ``box`` (exclusive corner) with a ``width`` px line, inside the box."""
    x0, y0, x1, y1 = _check(image, box)
    if width < 1:
        raise EngineError(f"line width must be at least 1, got {width}")
    out = image.copy()
    colour = np.asarray(rgb, np.uint8)
    w = min(width, (x1 - x0 + 1) // 2, (y1 - y0 + 1) // 2)
    out[y0:y0 + w, x0:x1] = colour
    out[y1 - w:y1, x0:x1] = colour
    out[y0:y1, x0:x0 + w] = colour
    out[y0:y1, x1 - w:x1] = colour
    return out
