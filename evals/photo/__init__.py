"""Photo removal benchmark with ground truth (``python -m evals.photo``).

Real photos and textures from scikit-image with objects pasted in (cases.py); our fill against
plain OpenCV Telea on the same cases (run.py); an HTML report with an image strip per case
(report.py).
"""

from .cases import BACKGROUNDS, OBJECTS, PhotoCase, build_case, build_cases
from .run import CaseResult, run_case, summarize

__all__ = ["BACKGROUNDS", "OBJECTS", "CaseResult", "PhotoCase", "build_case", "build_cases", "run_case", "summarize"]
