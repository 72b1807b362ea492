"""Fill a masked hole from its surroundings, without a model.

Four strategies, chosen by what surrounds the hole: a fitted smooth background with matched
grain (plain, gradient and noisy backgrounds: exact for synthetic scenes), an exemplar texture copy,
tile by tile, from well-matching known regions (photographs), and OpenCV's Telea / Navier-Stokes
diffusion. All work on the hole's bounding box plus a margin, never the whole image.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..base import EngineError, check_image, check_mask

METHODS = ("auto", "background", "patch", "telea", "ns")
RING = 10  # px of surroundings the fill is measured and fitted from
SMOOTH_RESIDUAL = 2.5  # RGB std of the ring around a smooth fit below which the ring is plain
GRAIN_ROUGHNESS = 0.6  # neighbour-difference ratio above which leftover variation is grain


def _window(mask: np.ndarray, margin: int) -> tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    height, width = mask.shape
    return (max(0, int(xs.min()) - margin), max(0, int(ys.min()) - margin),
            min(width, int(xs.max()) + 1 + margin), min(height, int(ys.max()) + 1 + margin))


def _ring(hole: np.ndarray, width: int) -> np.ndarray:
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 1, 2 * width + 1))
    return cv2.dilate(hole.astype(np.uint8), kernel).astype(bool) & ~hole


def _design(xs: np.ndarray, ys: np.ndarray, scale: float) -> np.ndarray:
    x, y = xs / scale, ys / scale
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=1)


def _apply(design: np.ndarray, coef: np.ndarray) -> np.ndarray:
    """``design @ coef`` for a tall design matrix (a term-by-term sum is several times faster)."""
    out = np.zeros((design.shape[0], coef.shape[1]))
    for k in range(design.shape[1]):
        out += design[:, k:k + 1] * coef[k]
    return out


class RingStats:
    """What the surroundings of a hole look like: a smooth fit and the variation it leaves."""

    def __init__(self, crop: np.ndarray, hole: np.ndarray) -> None:
        ring = _ring(hole, RING)
        if ring.sum() < 12:
            raise EngineError("too little image around the hole to fill it from")
        ys, xs = np.nonzero(ring)
        self.scale = float(max(crop.shape[:2]))
        values = crop[ys, xs].astype(np.float64)
        design = _design(xs.astype(np.float64), ys.astype(np.float64), self.scale)
        weights = np.ones(len(xs))
        coef = np.zeros((6, 3))
        # Iteratively reweighted least squares: other objects touching the ring get no say.
        for _ in range(3):
            weighted = design * weights[:, None]
            # Normal equations: gram matrices are fast, tall-skinny products are not.
            coef = np.linalg.solve(weighted.T @ design + 1e-9 * np.eye(6), weighted.T @ values)
            residual = values - _apply(design, coef)
            norm = np.linalg.norm(residual, axis=1)
            spread = 1.4826 * np.median(norm) + 1.0
            weights = 1.0 / (1.0 + (norm / (2.5 * spread)) ** 4)
        self.coef = coef
        inliers = weights > 0.5
        residual = values - _apply(design, coef)
        self.noise = residual[inliers].std(axis=0) if inliers.sum() > 8 else residual.std(axis=0)
        # Grain (independent pixel noise) differs between neighbours as much as overall; texture
        # with structure varies slowly, so neighbouring differences are small compared with it.
        fit = np.zeros(crop.shape, np.float64)
        fit[ys, xs] = _apply(design, coef)
        res_img = crop.astype(np.float64) - fit
        pair = ring[:, 1:] & ring[:, :-1]
        diffs = (res_img[:, 1:] - res_img[:, :-1])[pair]
        total_var = float((self.noise ** 2).mean())
        self.roughness = float((diffs ** 2).mean() / (2 * total_var)) if total_var > 1e-6 and len(diffs) else 1.0

    @property
    def smooth(self) -> bool:
        return float(self.noise.mean()) < SMOOTH_RESIDUAL

    @property
    def grainy(self) -> bool:
        return self.roughness > GRAIN_ROUGHNESS

    def evaluate(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        return _apply(_design(xs.astype(np.float64), ys.astype(np.float64), self.scale), self.coef)


def _fill_background(crop: np.ndarray, hole: np.ndarray, stats: RingStats, seed: int | None) -> np.ndarray:
    ys, xs = np.nonzero(hole)
    values = stats.evaluate(xs, ys)
    if not stats.smooth:
        rng = np.random.default_rng(0 if seed is None else seed)
        values = values + rng.normal(0.0, 1.0, values.shape) * stats.noise
    out = crop.copy()
    out[ys, xs] = np.clip(np.round(values), 0, 255).astype(np.uint8)
    return out


PATCH_TILE = 12  # tile side at working scale
PATCH_WORK_SIDE = 128  # the hole's box is searched at most this big
PATCH_CANDIDATES = 200


def _tile_offsets(crop: np.ndarray, hole: np.ndarray, seed: int | None,
                  avoid: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Exemplar search: for each tile of the hole (outside in), the offset of the known region
    whose surroundings best match the tile's already-known surroundings.

    Returns (tile y, tile x, dy, dx) in the coordinates of ``crop``.
    """
    tile, band = PATCH_TILE, PATCH_TILE // 2
    span = tile + 2 * band
    img = cv2.copyMakeBorder(crop, band, band + tile, band, band + tile, cv2.BORDER_REFLECT).astype(np.float32)
    todo = np.pad(hole, ((band, band + tile), (band, band + tile)))
    known = np.pad(~hole, ((band, band + tile), (band, band + tile)))
    height, width = todo.shape
    usable = known if avoid is None else known & ~np.pad(avoid, ((band, band + tile), (band, band + tile)))
    unknown_sum = cv2.integral((~usable).astype(np.uint8))
    window_unknown = (unknown_sum[span:, span:] - unknown_sum[:-span, span:] - unknown_sum[span:, :-span]
                      + unknown_sum[:-span, :-span])
    valid_y, valid_x = np.nonzero(window_unknown == 0)
    if len(valid_y) == 0:
        return []
    views = np.lib.stride_tricks.sliding_window_view(img, (span, span, 3))[:, :, 0]
    rng = np.random.default_rng(0 if seed is None else seed)
    distance = cv2.distanceTransform(todo.astype(np.uint8), cv2.DIST_L2, 3)
    ys, xs = np.nonzero(todo)
    tiles = [(ty, tx) for ty in range(int(ys.min()), int(ys.max()) + 1, tile)
             for tx in range(int(xs.min()), int(xs.max()) + 1, tile)
             if todo[ty:ty + tile, tx:tx + tile].any()]
    tiles.sort(key=lambda t: (float(distance[t[0]:t[0] + tile, t[1]:t[1] + tile].max()), t))
    chosen: dict[tuple[int, int], tuple[int, int]] = {}
    result = []
    for ty, tx in tiles:
        wy, wx = ty - band, tx - band
        context = known[wy:wy + span, wx:wx + span]
        pick = rng.integers(0, len(valid_y), PATCH_CANDIDATES)
        cand_y, cand_x = list(valid_y[pick]), list(valid_x[pick])
        # Coherence: neighbours' offsets continue the texture they started.
        for ny, nx in ((ty - tile, tx), (ty + tile, tx), (ty, tx - tile), (ty, tx + tile)):
            if (ny, nx) in chosen:
                dy, dx = chosen[(ny, nx)]
                sy, sx = wy + dy, wx + dx
                if 0 <= sy < window_unknown.shape[0] and 0 <= sx < window_unknown.shape[1] \
                        and window_unknown[sy, sx] == 0:
                    cand_y.append(sy)
                    cand_x.append(sx)
        windows = views[np.array(cand_y), np.array(cand_x)]
        target = img[wy:wy + span, wx:wx + span]
        weight = context.astype(np.float32)
        cost = (((windows - target) ** 2).sum(axis=3) * weight).sum(axis=(1, 2)) / max(float(weight.sum()), 1.0)
        best = int(cost.argmin())
        dy, dx = int(cand_y[best]) - wy, int(cand_x[best]) - wx
        chosen[(ty, tx)] = (dy, dx)
        cell = todo[ty:ty + tile, tx:tx + tile]
        img[ty:ty + tile, tx:tx + tile][cell] = img[ty + dy:ty + dy + tile, tx + dx:tx + dx + tile][cell]
        known[ty:ty + tile, tx:tx + tile] |= cell
        todo[ty:ty + tile, tx:tx + tile] = False
        result.append((ty - band, tx - band, dy, dx))
    return result


def _fill_patch(crop: np.ndarray, hole: np.ndarray, seed: int | None = None,
                avoid: np.ndarray | None = None) -> np.ndarray:
    """Exemplar fill: copy texture tile by tile from well-matching known regions, searched at a
    reduced scale, copied at full scale, seams softened."""
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    factor = min(1.0, PATCH_WORK_SIDE / max(int(np.ptp(xs)) + 1, int(np.ptp(ys)) + 1))
    if factor < 1.0:
        size = (max(8, round(width * factor)), max(8, round(height * factor)))
        small = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        small_hole = cv2.resize(hole.astype(np.uint8), size, interpolation=cv2.INTER_AREA) > 0
        small_hole |= cv2.resize(hole.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR) > 0
    else:
        small, small_hole = crop, hole
    small_avoid = None
    if avoid is not None and avoid.any():
        small_avoid = cv2.resize(avoid.astype(np.uint8), small_hole.shape[::-1], interpolation=cv2.INTER_NEAREST) > 0
    offsets = _tile_offsets(small, small_hole, seed, small_avoid)
    if not offsets:
        return cv2.inpaint(crop, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    out = crop.copy()
    filled = ~hole
    step = PATCH_TILE / factor
    for ty, tx, dy, dx in offsets:
        y0, x0 = int(round(ty / factor)), int(round(tx / factor))
        y1, x1 = min(height, int(round(ty / factor + step))), min(width, int(round(tx / factor + step)))
        y0, x0 = max(0, y0), max(0, x0)
        if y1 <= y0 or x1 <= x0:
            continue
        fy, fx = int(round(dy / factor)), int(round(dx / factor))
        cell = hole[y0:y1, x0:x1] & ~filled[y0:y1, x0:x1]
        sy0, sx0 = y0 + fy, x0 + fx
        if sy0 < 0 or sx0 < 0 or sy0 + (y1 - y0) > height or sx0 + (x1 - x0) > width:
            continue
        source_ok = filled[sy0:sy0 + (y1 - y0), sx0:sx0 + (x1 - x0)] & ~hole[sy0:sy0 + (y1 - y0), sx0:sx0 + (x1 - x0)]
        cell &= source_ok
        out[y0:y1, x0:x1][cell] = crop[sy0:sy0 + (y1 - y0), sx0:sx0 + (x1 - x0)][cell]
        filled[y0:y1, x0:x1] |= cell
    if not filled.all():
        out = cv2.inpaint(out, (~filled).astype(np.uint8), 3, cv2.INPAINT_TELEA)
    # Soften tile seams and the outer seam: blur a thin band along them, inside the hole only.
    seams = np.zeros((height, width), np.uint8)
    for ty, tx, _, _ in offsets:
        y0, x0 = max(0, int(round(ty / factor))), max(0, int(round(tx / factor)))
        y1, x1 = min(height - 1, int(round(ty / factor + step))), min(width - 1, int(round(tx / factor + step)))
        cv2.rectangle(seams, (x0, y0), (x1, y1), 1, thickness=1)
    edge = hole & ~cv2.erode(hole.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    band = cv2.dilate(seams | edge.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool) & hole
    blurred = cv2.GaussianBlur(out, (0, 0), 1.5)
    out[band] = blurred[band]
    return out


def choose_method(stats: RingStats) -> str:
    """Smooth or grainy surroundings → fitted background; structured texture → patch copy."""
    if stats.smooth or stats.grainy:
        return "background"
    return "patch"


class ClassicalInpainter:
    """Model-free hole filling; pixels outside the mask come back bit-identical."""

    name = "classical"
    methods = METHODS
    last_method: str = ""  # what "auto" chose on the last call, so a retry can try another

    def inpaint(self, image: np.ndarray, mask: np.ndarray, *, prompt: str = "", method: str = "auto",
                seed: int | None = None, avoid: np.ndarray | None = None) -> np.ndarray:
        """Fill ``mask`` in ``image`` (``prompt`` is ignored: there is no model to guide).

        ``avoid`` marks pixels that must not be copied into the hole (other objects nearby), so a
        texture fill does not clone a neighbour into the gap.
        """
        # 1. Check inputs.
        if method not in METHODS:
            raise EngineError(f"unknown inpainting method {method!r}; methods are {', '.join(METHODS)}")
        check_image(image)
        hole_full = check_mask(image, mask)

        # 2. Work on the hole's box plus a margin (wider for a texture copy, which needs sources).
        x0, y0, x1, y1 = _window(hole_full, RING + 4)
        crop, hole = image[y0:y1, x0:x1], hole_full[y0:y1, x0:x1]

        # 3. Fill.
        self.last_method = method
        if method in ("telea", "ns"):
            flag = cv2.INPAINT_TELEA if method == "telea" else cv2.INPAINT_NS
            filled = cv2.inpaint(crop, hole.astype(np.uint8), 3, flag)
        else:
            stats = RingStats(crop, hole)
            chosen = choose_method(stats) if method == "auto" else method
            self.last_method = chosen
            if chosen == "background":
                filled = _fill_background(crop, hole, stats, seed)
            else:
                ys, xs = np.nonzero(hole_full)
                margin = int(max(np.ptp(xs), np.ptp(ys)) * 1.5) + 16
                x0, y0, x1, y1 = _window(hole_full, margin)
                crop, hole = image[y0:y1, x0:x1], hole_full[y0:y1, x0:x1]
                filled = _fill_patch(crop, hole, seed, None if avoid is None else avoid[y0:y1, x0:x1])

        # 4. Only hole pixels change.
        out = image.copy()
        region = out[y0:y1, x0:x1]
        region[hole] = filled[hole]
        return out
