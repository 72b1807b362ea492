"""Trained cascade detectors that ship inside the installed packages: OpenCV's Haar cascades
(frontal and profile faces, eyes, upper and full bodies, cat faces) and scikit-image's LBP face
cascade. Each is loaded once, on first use; nothing is downloaded.

A cascade scans fixed-size windows, so a face that fills the frame (a close-up) is never seen at
the image's own size. Every detector therefore runs a few passes: the image at two scales, and
once inside a mirrored border so that a face as big as the picture fits in a window. A hit
counts when it is confident or when several passes agree on it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import cv2
import numpy as np

from ...base import Box, EngineError

FILES = {
    "face": "haarcascade_frontalface_alt2.xml",
    "profile": "haarcascade_profileface.xml",
    "eye": "haarcascade_eye.xml",
    "upperbody": "haarcascade_upperbody.xml",
    "fullbody": "haarcascade_fullbody.xml",
    "cat": "haarcascade_frontalcatface_extended.xml",
}


@dataclass(frozen=True)
class Hit:
    box: Box
    weight: float  # the cascade's last-stage confidence, summed over agreeing passes
    votes: int


@functools.cache
def cascade(kind: str) -> cv2.CascadeClassifier:
    """The OpenCV cascade for ``kind`` (loaded once per process)."""
    if kind not in FILES:
        raise EngineError(f"no cascade for {kind!r}; cascades are {', '.join(FILES)}")
    data = getattr(cv2, "data", None)
    if data is None or not hasattr(cv2, "CascadeClassifier"):
        raise EngineError("OpenCV without cascades: install opencv-contrib-python-headless "
                          "(and uninstall opencv-python-headless)")
    classifier = cv2.CascadeClassifier(data.haarcascades + FILES[kind])
    if classifier.empty():
        raise EngineError(f"the {kind} cascade {FILES[kind]} could not be loaded from {data.haarcascades}")
    return classifier


@functools.cache
def lbp_face_cascade() -> object:
    """scikit-image's LBP frontal-face cascade."""
    from skimage import data
    from skimage.feature import Cascade

    return Cascade(data.lbp_frontal_face_cascade_filename())


def gray(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(np.ascontiguousarray(image), cv2.COLOR_RGB2GRAY)


def box_iou(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def _scan(classifier: cv2.CascadeClassifier, image: np.ndarray, side: int, pad: float,
          neighbours: int, step: float) -> list[tuple[tuple[float, float, float, float], float]]:
    """One pass: boxes (x0, y0, x1, y1) in the original image's pixels and their weights."""
    height, width = image.shape[:2]
    border = int(round(pad * max(height, width)))
    framed = cv2.copyMakeBorder(image, border, border, border, border, cv2.BORDER_REFLECT) if border else image
    factor = min(1.0, side / max(framed.shape[:2]))
    small = cv2.resize(framed, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA) if factor < 1 else framed
    min_side = max(24, min(small.shape[:2]) // 10)
    rects, _, weights = classifier.detectMultiScale3(
        small, scaleFactor=step, minNeighbors=neighbours, minSize=(min_side, min_side), outputRejectLevels=True)
    found = []
    for (x, y, w, h), weight in zip(rects, np.ravel(weights), strict=False):
        x0, y0 = x / factor - border, y / factor - border
        x1, y1 = x0 + w / factor, y0 + h / factor
        cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
        if not (0 <= cx < width and 0 <= cy < height):
            continue  # the mirrored copy of something, not the thing
        inside = (min(x1, width) - max(x0, 0)) * (min(y1, height) - max(y0, 0)) / max((x1 - x0) * (y1 - y0), 1)
        if inside < 0.6:
            continue
        found.append(((max(0.0, x0), max(0.0, y0), min(float(width), x1), min(float(height), y1)), float(weight)))
    return found


# Per kind: passes of (working side, mirrored border as a share of the side, minimum neighbours,
# scale step), and how many passes must agree. Cat faces in close-ups only show with a border.
PASSES: dict[str, tuple[tuple[tuple[int, float, int, float], ...], int]] = {
    "face": (((320, 0.0, 3, 1.1), (240, 0.15, 2, 1.1), (400, 0.0, 3, 1.1)), 2),
    "profile": (((320, 0.0, 3, 1.1), (240, 0.15, 2, 1.1)), 2),
    "eye": (((480, 0.0, 4, 1.1),), 1),
    "cat": (((240, 0.15, 1, 1.05), (320, 0.15, 1, 1.05), (200, 0.3, 1, 1.05)), 2),
    "upperbody": (((240, 0.0, 3, 1.08), (320, 0.1, 3, 1.08), (200, 0.2, 3, 1.08)), 3),
    "fullbody": (((320, 0.0, 3, 1.08), (400, 0.1, 3, 1.08)), 2),
}
# Summed last-stage weight a kind's hit needs (cat hits of weight 0 are texture that just passed).
MIN_WEIGHT = {"cat": 1.0, "upperbody": 1.0, "fullbody": 1.0}


def detect(kind: str, image: np.ndarray) -> list[Hit]:
    """Hits of the ``kind`` cascade that enough of its passes agree on; overlapping hits merged."""
    classifier = cascade(kind)
    passes, min_votes = PASSES[kind]
    plain = cv2.equalizeHist(gray(image)) if kind in ("face", "profile", "eye") else gray(image)
    clusters: list[list[tuple[tuple[float, float, float, float], float, int]]] = []
    for index, (side, pad, neighbours, step) in enumerate(passes):
        for box, weight in _scan(classifier, plain, side, pad, neighbours, step):
            for cluster in clusters:
                if box_iou(cluster[0][0], box) > 0.4:
                    cluster.append((box, weight, index))
                    break
            else:
                clusters.append([(box, weight, index)])
    hits = []
    for cluster in clusters:
        weight = sum(max(0.0, w) for _, w, _ in cluster)
        votes = len({i for _, _, i in cluster})
        if votes < min_votes or weight < MIN_WEIGHT.get(kind, 0.0):
            continue
        mean = np.mean([b for b, _, _ in cluster], axis=0)
        box = (int(round(mean[0])), int(round(mean[1])), int(round(mean[2])), int(round(mean[3])))
        hits.append(Hit(box=box, weight=round(weight, 3), votes=votes))
    hits.sort(key=lambda h: (-h.votes, -h.weight))
    kept: list[Hit] = []
    for hit in hits:
        if all(box_iou(hit.box, other.box) < 0.3 for other in kept):
            kept.append(hit)
    return kept


def detect_lbp_faces(image: np.ndarray, side: int = 320) -> list[Box]:
    """Frontal faces by scikit-image's LBP cascade, at most ``side`` px a side."""
    height, width = image.shape[:2]
    factor = min(1.0, side / max(height, width))
    small = cv2.resize(image, (max(1, round(width * factor)), max(1, round(height * factor))),
                       interpolation=cv2.INTER_AREA) if factor < 1.0 else image
    longest = max(small.shape[:2])
    min_side = max(24, longest // 12)
    hits = lbp_face_cascade().detect_multi_scale(  # type: ignore[attr-defined]
        img=small, scale_factor=1.2, step_ratio=1, min_size=(min_side, min_side), max_size=(longest, longest))
    return [(int(h["c"] / factor), int(h["r"] / factor), int((h["c"] + h["width"]) / factor),
             int((h["r"] + h["height"]) / factor)) for h in hits]
