"""Faces, cats, bodies, people, the subject and the background of a photograph.

Faces come from three trained cascades (OpenCV's frontal and profile Haar cascades and
scikit-image's LBP cascade) checked against skin tone; cats from OpenCV's cat-face cascade; people
and the subject from GrabCut seeded by faces and bodies, or by spectral-residual saliency when
there are none; their edges are softened by a guided filter, so a recolour or a background change
fades across hair and fur instead of cutting a hard line.
"""

from __future__ import annotations

import cv2
import numpy as np

from ...base import Box, Detection, EngineError
from .cascades import box_iou, detect, detect_lbp_faces

GRABCUT_SIDE = 256  # segmentation runs at this size
SKIN_SHARE = 0.3  # a face box in a colour photo holds at least this much skin tone
SKIN_ALONE = 0.7  # ... and this much when only one cascade found it
GUIDE_RADIUS = 8  # guided-filter radius at 512 px, scaled with the image
GUIDE_EPS = 1e-3


def _region(mask: np.ndarray, noun: str, score: float, *, alpha: np.ndarray | None = None,
            label: str | None = None, **attributes: object) -> Detection:
    ys, xs = np.nonzero(mask)
    box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
    return Detection(mask=mask, box=box, label=label or noun, noun=noun, score=score, alpha=alpha,
                     attributes={"kind": noun, "area": int(mask.sum()), **attributes})


def _ellipse(shape: tuple[int, int], box: tuple[float, float, float, float], sx: float, sy: float) -> np.ndarray:
    x0, y0, x1, y1 = box
    mask = np.zeros(shape, np.uint8)
    centre = (int(round((x0 + x1) / 2)), int(round((y0 + y1) / 2)))
    axes = (max(1, int(round((x1 - x0) * sx))), max(1, int(round((y1 - y0) * sy))))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1, thickness=-1)
    return mask.astype(bool)


def colourful(image: np.ndarray) -> bool:
    return float(np.std(image[::4, ::4].astype(np.float32), axis=2).mean()) > 4.0


def skin_share(image: np.ndarray, box: Box) -> float:
    x0, y0, x1, y1 = box
    patch = cv2.cvtColor(np.ascontiguousarray(image[y0:y1, x0:x1]), cv2.COLOR_RGB2YCrCb)
    if patch.size == 0:
        return 0.0
    cr, cb = patch[..., 1], patch[..., 2]
    return float(((cr >= 133) & (cr <= 180) & (cb >= 77) & (cb <= 135)).mean())


def face_boxes(image: np.ndarray) -> list[tuple[Box, str]]:
    """Face boxes and the cascade that found each, overlaps merged."""
    found: list[tuple[Box, str]] = [(h.box, "haar") for h in detect("face", image)]
    found += [(box, "lbp") for box in detect_lbp_faces(image)]
    found += [(h.box, "profile") for h in detect("profile", image)]
    colour = colourful(image)
    kept: list[tuple[Box, str]] = []
    for box, source in found:
        agreeing = {s for b, s in found if box_iou(b, box) > 0.3}
        skin = skin_share(image, box) if colour else 0.0
        if colour and (skin < SKIN_SHARE or (len(agreeing) < 2 and skin < SKIN_ALONE)):
            continue  # cascade hits with little skin are texture (frequent on foliage and stone)
        if not colour and len(agreeing) < 2:
            continue  # without colour to check, two cascades must agree
        if any(box_iou(box, other) > 0.3 for other, _ in kept):
            continue
        kept.append((box, source))
    return kept


def detect_faces(image: np.ndarray) -> list[Detection]:
    """Faces, each with an elliptical mask inside its box."""
    faces = []
    for box, source in face_boxes(image):
        faces.append(_region(_ellipse(image.shape[:2], box, 0.42, 0.55), "face", 0.8, source=source))
    return faces


def detect_eyes(image: np.ndarray, faces: list[Detection]) -> list[Detection]:
    """Eyes inside each face's upper half."""
    eyes = []
    for face in faces:
        x0, y0, x1, y1 = face.box
        crop = image[y0:y0 + (y1 - y0) * 3 // 5, x0:x1]
        if min(crop.shape[:2]) < 24:
            continue
        for hit in detect("eye", crop)[:2]:
            bx0, by0, bx1, by1 = hit.box
            box = (x0 + bx0, y0 + by0, x0 + bx1, y0 + by1)
            eyes.append(_region(_ellipse(image.shape[:2], box, 0.45, 0.3), "eye", 0.6))
    return eyes


def detect_cats(image: np.ndarray) -> list[Detection]:
    """Cat faces (OpenCV's cat-face cascade); the face is the ``cat`` entity's seed."""
    cats = []
    for hit in detect("cat", image):
        cats.append(_region(_ellipse(image.shape[:2], hit.box, 0.5, 0.5), "cat", min(1.0, 0.4 + hit.weight / 20),
                            votes=hit.votes, part="face"))
    return cats


def detect_bodies(image: np.ndarray) -> list[Box]:
    """Upper and full bodies that every pass of their cascades agrees on."""
    return [h.box for h in detect("upperbody", image)] + [h.box for h in detect("fullbody", image)]


def grabcut(image: np.ndarray, rect: Box, *, sure_fg: np.ndarray | None = None,
            probable_fg: np.ndarray | None = None, iterations: int = 4) -> np.ndarray:
    """GrabCut inside ``rect`` at reduced size; returns the largest foreground piece, full size."""
    height, width = image.shape[:2]
    factor = min(1.0, GRABCUT_SIDE / max(height, width))
    size = (max(8, round(width * factor)), max(8, round(height * factor)))
    small = cv2.resize(image, size, interpolation=cv2.INTER_AREA) if factor < 1.0 else image
    sx, sy = size[0] / width, size[1] / height
    x0, y0 = int(rect[0] * sx), int(rect[1] * sy)
    x1, y1 = max(x0 + 2, int(np.ceil(rect[2] * sx))), max(y0 + 2, int(np.ceil(rect[3] * sy)))
    init = np.full(small.shape[:2], cv2.GC_BGD, np.uint8)
    init[y0:y1, x0:x1] = cv2.GC_PR_BGD if probable_fg is not None else cv2.GC_PR_FGD
    for seed, label in ((probable_fg, cv2.GC_PR_FGD), (sure_fg, cv2.GC_FGD)):
        if seed is not None:
            small_seed = cv2.resize(seed.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST).astype(bool)
            init[small_seed] = label
    bgd, fgd = np.zeros((1, 65), np.float64), np.zeros((1, 65), np.float64)
    try:
        cv2.grabCut(np.ascontiguousarray(small), init, (0, 0, 0, 0), bgd, fgd, iterations, cv2.GC_INIT_WITH_MASK)
    except cv2.error as exc:
        raise EngineError(f"GrabCut failed: {exc}") from None
    fg = ((init == cv2.GC_FGD) | (init == cv2.GC_PR_FGD)).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(fg, connectivity=8)
    if count > 2:
        fg = (labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))).astype(np.uint8)
    return cv2.resize(fg * 255, (width, height), interpolation=cv2.INTER_LINEAR) >= 128


def soft_alpha(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """A float32 matte in [0, 1]: the mask's edge re-drawn along the image's own edges (guided
    filter), so hair and fur get partial values instead of a hard cut."""
    height, width = mask.shape
    radius = max(2, int(round(GUIDE_RADIUS * max(height, width) / 512)))
    guide = image.astype(np.float32) / 255.0
    source = mask.astype(np.float32)
    if hasattr(cv2, "ximgproc"):
        alpha = cv2.ximgproc.guidedFilter(guide, source, radius, GUIDE_EPS)
    else:  # plain OpenCV: a feathered edge is the honest fallback
        alpha = cv2.GaussianBlur(source, (0, 0), radius / 2)
    band = cv2.dilate(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=radius).astype(bool) \
        & ~cv2.erode(mask.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=radius).astype(bool)
    out = source.copy()
    out[band] = np.clip(alpha[band], 0.0, 1.0)
    return out


def saliency(image: np.ndarray) -> np.ndarray:
    """Spectral-residual saliency in [0, 1] (what stands out of the picture's usual texture)."""
    small = cv2.resize(image, (128, 128), interpolation=cv2.INTER_AREA)
    detector = cv2.saliency.StaticSaliencySpectralResidual_create()
    ok, smap = detector.computeSaliency(small)
    if not ok:
        raise EngineError("saliency could not be computed")
    smap = cv2.GaussianBlur(smap.astype(np.float32), (0, 0), 3)
    smap -= smap.min()
    smap /= max(float(smap.max()), 1e-6)
    return cv2.resize(smap, image.shape[1::-1], interpolation=cv2.INTER_LINEAR)


def person_from_face(image: np.ndarray, face: Detection) -> Detection | None:
    """The person a face belongs to: GrabCut in a box around and below the face, the face sure."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = face.box
    fw = x1 - x0
    rect = (max(0, x0 - int(1.5 * fw)), max(0, y0 - fw // 3), min(width, x1 + int(1.5 * fw)), height)
    torso = np.zeros((height, width), bool)
    torso[y1:min(height, y1 + 2 * fw), max(0, x0 + fw // 4):min(width, x1 - fw // 4)] = True
    mask = grabcut(image, rect, sure_fg=face.mask | torso)
    if not mask.any() or mask.all():
        return None
    return _region(mask, "person", 0.6, alpha=soft_alpha(image, mask), source="face")


def person_from_body(image: np.ndarray, box: Box) -> Detection | None:
    height, width = image.shape[:2]
    x0, y0, x1, y1 = box
    core = np.zeros((height, width), bool)
    w, h = x1 - x0, y1 - y0
    core[y0 + h // 4:y1 - h // 4, x0 + w // 3:x1 - w // 3] = True
    pad = w // 4
    mask = grabcut(image, (max(0, x0 - pad), max(0, y0 - pad), min(width, x1 + pad), min(height, y1 + pad)),
                   sure_fg=core)
    if not mask.any() or mask.all():
        return None
    return _region(mask, "person", 0.5, alpha=soft_alpha(image, mask), source="body")


def cat_from_face(image: np.ndarray, cat: Detection) -> Detection:
    """The whole cat around a cat face: GrabCut seeded by the face, the fur's edge softened."""
    height, width = image.shape[:2]
    x0, y0, x1, y1 = cat.box
    fw, fh = x1 - x0, y1 - y0
    mx, my = max(2, width // 50), max(2, height // 50)  # GrabCut needs some background to learn from
    rect = (max(mx, x0 - fw), max(my, y0 - fh // 2), min(width - mx, x1 + fw), min(height - my, y1 + 2 * fh))
    try:
        mask = grabcut(image, rect, sure_fg=cat.mask)
    except EngineError:
        mask = cat.mask
    if not mask.any() or mask.all():
        mask = cat.mask
    return _region(mask, "cat", cat.score, alpha=soft_alpha(image, mask), face_box=list(cat.box))


def salient_subject(image: np.ndarray) -> Detection | None:
    """The subject of a photo with no face: GrabCut seeded by the most salient area."""
    height, width = image.shape[:2]
    smap = saliency(image)
    sure = smap >= np.quantile(smap, 0.97)
    probable = smap >= np.quantile(smap, 0.75)
    mx, my = width // 10, height // 10
    mask = grabcut(image, (mx, my, width - mx, height - my), sure_fg=sure, probable_fg=probable)
    if not mask.any() or mask.all() or mask.mean() < 0.01:
        return None
    return _region(mask, "subject", 0.4, alpha=soft_alpha(image, mask), source="saliency")
