"""Text in a photograph, found and read by RapidOCR (PP-OCR detection and recognition models,
ONNX, inside the ``rapidocr-onnxruntime`` wheel). Loaded once, on first use.

Each text line is one entity: its mask covers the line's strokes' quadrilateral (grown a little,
so a removal takes the anti-aliased rim too), its label is the words read there.
"""

from __future__ import annotations

import functools
import importlib.util

import cv2
import numpy as np

from ...base import Detection, EngineError

DETECT_SIDE = 736  # the detector sees the image at most this big (the default upscales the short side to this)
MIN_CONFIDENCE = 0.6  # recognitions below this are noise read into texture
GROW = 0.12  # the mask grows by this share of the line height on every side


def ocr_available() -> bool:
    return importlib.util.find_spec("rapidocr_onnxruntime") is not None


@functools.cache
def _engine() -> object:
    if not ocr_available():
        raise EngineError("text detection needs rapidocr-onnxruntime: "
                          "pip install --no-deps rapidocr-onnxruntime==1.4.4 (see the Makefile)")
    from rapidocr_onnxruntime import RapidOCR

    return RapidOCR(det_limit_side_len=DETECT_SIDE, det_limit_type="max", text_score=MIN_CONFIDENCE,
                    intra_op_num_threads=2, inter_op_num_threads=1)


def read_text(image: np.ndarray) -> list[tuple[np.ndarray, str, float]]:
    """(quadrilateral 4x2 in pixels, words, confidence) for each line of text found."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise EngineError(f"expected an HxWx3 uint8 RGB image, got {image.shape}")
    result, _ = _engine()(np.ascontiguousarray(image[..., ::-1]), use_cls=False)  # type: ignore[operator]
    lines = []
    for quad, words, confidence in result or []:
        words = str(words).strip()
        if words and float(confidence) >= MIN_CONFIDENCE:
            lines.append((np.asarray(quad, np.float32), words, float(confidence)))
    return lines


def detect_text(image: np.ndarray) -> list[Detection]:
    """Every line of text as a ``text`` entity labelled with its words."""
    height, width = image.shape[:2]
    found = []
    for quad, words, confidence in read_text(image):
        line_height = max(2.0, float(np.linalg.norm(quad[3] - quad[0])), float(np.linalg.norm(quad[2] - quad[1])))
        centre = quad.mean(axis=0)
        grown = centre + (quad - centre) * 1.0
        grown += np.sign(quad - centre) * GROW * line_height
        mask = np.zeros((height, width), np.uint8)
        cv2.fillPoly(mask, [np.round(grown).astype(np.int32)], 1)
        mask_b = mask.astype(bool)
        if not mask_b.any():
            continue
        ys, xs = np.nonzero(mask_b)
        box = (int(xs.min()), int(ys.min()), int(xs.max()) + 1, int(ys.max()) + 1)
        strokes = _strokes(image, mask_b)
        found.append(Detection(
            mask=mask_b, box=box, label=words, noun="text", score=round(confidence, 4),
            attributes={"kind": "text", "text": words, "confidence": round(confidence, 4),
                        "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in quad],
                        "strokes": strokes, "area": int(mask_b.sum())}))
    found.sort(key=lambda d: (d.box[1], d.box[0]))
    return found


def _strokes(image: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """The letters' own pixels inside a text box: the minority colour cluster (Otsu on the
    lightness), grown by a pixel. What "make the writing red" recolours."""
    lightness = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    values = lightness[mask]
    threshold, _ = cv2.threshold(values.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    bright = (lightness > threshold) & mask
    dark = (lightness <= threshold) & mask
    strokes = bright if bright.sum() < dark.sum() else dark
    return cv2.dilate(strokes.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool) & mask
