"""Photograph detectors from trained models that ship inside the installed packages (OpenCV's
Haar cascades, scikit-image's LBP cascade, RapidOCR's ONNX text models), loaded lazily, once."""

from .cascades import cascade, detect
from .ocr import detect_text, ocr_available, read_text
from .people import (
    cat_from_face,
    detect_bodies,
    detect_cats,
    detect_eyes,
    detect_faces,
    person_from_face,
    salient_subject,
    soft_alpha,
)

__all__ = [
    "cascade", "cat_from_face", "detect", "detect_bodies", "detect_cats", "detect_eyes", "detect_faces",
    "detect_text", "ocr_available", "person_from_face", "read_text", "salient_subject", "soft_alpha",
]
