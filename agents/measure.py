"""Measurements the critic scores with: colour, sharpness, tone, preservation."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.metrics import structural_similarity

from engines.classical.colors import color_name, rgb_to_lab

from .regions import erode


def window(mask: np.ndarray, margin: int) -> tuple[slice, slice] | None:
    """The mask's bounding box grown by ``margin`` px (clipped to the image), as slices; None when
    the mask is empty. Morphology and statistics on this window equal those on the whole image as
    long as their reach is at most ``margin``, at a cost that follows the object, not the image."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    height, width = mask.shape[:2]
    return (slice(max(0, int(rows[0]) - margin), min(height, int(rows[-1]) + 1 + margin)),
            slice(max(0, int(cols[0]) - margin), min(width, int(cols[-1]) + 1 + margin)))


def region_pixels(image: np.ndarray, mask: np.ndarray, limit: int = 100_000) -> np.ndarray:
    """About ``limit`` of a region's pixels on an even grid (all of them when fewer): a median of a
    large region needs no more, and striding before indexing never copies the whole region out."""
    count = np.count_nonzero(mask)
    step = int(np.ceil(np.sqrt(count / limit))) if count > limit else 1
    if step > 1:
        sampled = image[::step, ::step][mask[::step, ::step]]
        if len(sampled):
            return sampled
    return image[mask]


def median_rgb(image: np.ndarray, mask: np.ndarray) -> tuple[int, int, int] | None:
    area = window(mask, 3)
    if area is None:
        return None
    inner = erode(mask[area], 2)
    if not inner.any():
        return None
    pixels = region_pixels(image[area], inner)
    return tuple(int(v) for v in np.median(pixels, axis=0))


def measured_color(image: np.ndarray, mask: np.ndarray) -> str | None:
    rgb = median_rgb(image, mask)
    return None if rgb is None else color_name(rgb)


def lab_stats(image: np.ndarray, mask: np.ndarray | None) -> dict[str, float]:
    """Mean lightness, lightness spread, chroma, warmth (b*) and sharpness in a region."""
    if mask is not None and not mask.any():
        mask = None
    pixels = image[mask] if mask is not None else image.reshape(-1, 3)
    if len(pixels) > 200_000:  # a fixed sample keeps the cost flat on large regions
        pixels = pixels[np.linspace(0, len(pixels) - 1, 200_000).astype(np.int64)]
    lab = rgb_to_lab(pixels.reshape(-1, 1, 3)).reshape(-1, 3)
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    lap = cv2.Laplacian(gray, cv2.CV_32F)
    lap_values = lap[mask] if mask is not None else lap
    return {
        "lightness": float(lab[:, 0].mean()),
        "contrast": float(lab[:, 0].std()),
        "chroma": float(np.hypot(lab[:, 1], lab[:, 2]).mean()),
        "warmth": float(lab[:, 2].mean()),
        "sharpness": float(lap_values.var()),
        "mean_rgb": float(pixels.mean()),
    }


def preservation(before: np.ndarray, after: np.ndarray, changed: np.ndarray | None) -> dict[str, float]:
    """PSNR and SSIM over the pixels an edit was not supposed to touch."""
    if before.shape != after.shape:
        return {}
    keep = np.ones(before.shape[:2], dtype=bool) if changed is None else ~changed
    kept = int(np.count_nonzero(keep))
    if not kept:
        return {"psnr": float("inf"), "ssim": 1.0, "kept_fraction": 0.0}
    # OpenCV sums the squared differences under the mask in one pass, without copies.
    squared = cv2.norm(before, after, cv2.NORM_L2SQR, mask=None if changed is None else keep.view(np.uint8))
    mse = float(squared) / (kept * before.shape[2])
    psnr = float("inf") if mse == 0 else float(10 * np.log10(255.0**2 / mse))
    if mse == 0:
        ssim = 1.0
    else:
        # SSIM on a bounded-size copy: its cost would otherwise dominate large images.
        scale = min(1.0, 512 / max(before.shape[:2]))
        size = (max(8, int(before.shape[1] * scale)), max(8, int(before.shape[0] * scale)))
        small_b = cv2.resize(cv2.cvtColor(before, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)
        small_a = cv2.resize(cv2.cvtColor(after, cv2.COLOR_RGB2GRAY), size, interpolation=cv2.INTER_AREA)
        small_keep = cv2.resize(keep.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
        _, ssim_map = structural_similarity(small_b, small_a, full=True, data_range=255)
        ssim = float(ssim_map[small_keep].mean()) if small_keep.any() else 1.0
    return {"psnr": psnr, "ssim": ssim, "kept_fraction": kept / keep.size}


def preservation_score(metrics: dict[str, float]) -> float:
    psnr = metrics.get("psnr")
    if psnr is None:
        return 1.0
    if psnr == float("inf") or psnr >= 40:
        return 1.0
    return float(np.clip((psnr - 15) / 25, 0.0, 1.0))
