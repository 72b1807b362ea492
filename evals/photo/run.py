"""Run the photo removal cases: our fill and plain OpenCV Telea on the same cases, in the same run.

Per case and per fill: PSNR and SSIM inside the hole against the true background, texture energy
inside the hole against the ring around it, whether pixels outside the hole are untouched, and
the removal check's verdict (the critic's pass/fail for the operation; no other objects are in
play, so it is the fill that is judged). Ground truth for "good": texture within 30 % of the ring
AND hole PSNR no more than 0.5 dB below Telea's on the same case.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter

import cv2
import numpy as np
from pydantic import BaseModel, Field
from skimage.metrics import structural_similarity

from agents.artefacts import ring_of
from agents.operations.remove import check_removal
from engines.classical.inpainting import ClassicalInpainter
from state.models import EditOperation, OpKind

from .cases import RING, PhotoCase, texture_ratio

TEXTURE_TOLERANCE = 0.3
PSNR_SLACK = 0.5  # dB below Telea's that still counts as good
OP = EditOperation(id="op1", kind=OpKind.REMOVE)


class FillFigures(BaseModel):
    psnr: float
    ssim: float
    texture: float = Field(description="texture energy inside the hole / in the ring (1 = same)")
    outside_unchanged: bool
    critic_pass: bool
    critic_score: float
    critic_reason: str
    ms: float


class CaseResult(BaseModel):
    id: str
    background: str
    kind: str
    hole_px: int
    method: str = Field(description="the fill our inpainter chose")
    truth_texture: float
    ours: FillFigures
    telea: FillFigures

    @property
    def texture_ok(self) -> bool:
        return abs(self.ours.texture - 1.0) <= TEXTURE_TOLERANCE

    @property
    def psnr_ok(self) -> bool:
        return self.ours.psnr >= self.telea.psnr - PSNR_SLACK

    @property
    def good(self) -> bool:
        """The ground truth: the fill has the ring's texture and is not further from the truth."""
        return self.texture_ok and self.psnr_ok

    @property
    def telea_good(self) -> bool:
        return abs(self.telea.texture - 1.0) <= TEXTURE_TOLERANCE


def psnr_in(truth: np.ndarray, image: np.ndarray, mask: np.ndarray) -> float:
    error = (truth[mask].astype(np.float64) - image[mask].astype(np.float64)) ** 2
    mse = float(error.mean())
    return 99.0 if mse == 0 else float(10 * np.log10(255.0 ** 2 / mse))


def ssim_in(truth: np.ndarray, image: np.ndarray, mask: np.ndarray, margin: int = 8) -> float:
    """Mean SSIM (grey, 7-px windows) over the hole's pixels, computed on its box plus a margin."""
    ys, xs = np.nonzero(mask)
    y0, y1 = max(0, ys.min() - margin), min(mask.shape[0], ys.max() + 1 + margin)
    x0, x1 = max(0, xs.min() - margin), min(mask.shape[1], xs.max() + 1 + margin)
    a = cv2.cvtColor(truth[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    b = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_RGB2GRAY)
    _, full = structural_similarity(a, b, data_range=255, full=True)
    return float(full[mask[y0:y1, x0:x1]].mean())


def _figures(case: PhotoCase, filled: np.ndarray, ring: np.ndarray, ms: float) -> FillFigures:
    verdict, _ = check_removal(OP, case.image, filled, case.object_mask, [], case.hole)
    return FillFigures(
        psnr=round(psnr_in(case.truth, filled, case.hole), 3), ssim=round(ssim_in(case.truth, filled, case.hole), 4),
        texture=round(texture_ratio(filled, case.hole, ring), 4),
        outside_unchanged=bool(np.array_equal(filled[~case.hole], case.image[~case.hole])),
        critic_pass=bool(verdict.ok and verdict.score >= 0.85), critic_score=verdict.score,
        critic_reason=verdict.reason, ms=round(ms, 2))


def run_case(case: PhotoCase, inpainter: ClassicalInpainter | None = None) -> tuple[CaseResult, np.ndarray, np.ndarray]:
    """The figures, our fill and Telea's fill."""
    inpainter = inpainter or ClassicalInpainter()
    ring = ring_of(case.hole, RING)
    started = time.perf_counter()
    ours = inpainter.inpaint(case.image, case.hole, seed=0)
    ours_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    telea = cv2.inpaint(case.image, case.hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    telea_ms = (time.perf_counter() - started) * 1000
    result = CaseResult(
        id=case.id, background=case.background, kind=case.kind, hole_px=int(case.hole.sum()),
        method=inpainter.last_method, truth_texture=round(texture_ratio(case.truth, case.hole, ring), 4),
        ours=_figures(case, ours, ring, ours_ms), telea=_figures(case, telea, ring, telea_ms))
    return result, ours, telea


def _share(flags: list[bool]) -> float:
    return sum(flags) / len(flags) if flags else 0.0


def summarize(results: list[CaseResult]) -> dict[str, float | int | str]:
    """The headline figures (shares in [0, 1], PSNR in dB).

    ``critic_agreement_*``: the critic's pass/fail against the full ground truth (texture within 30 %
    AND PSNR no more than 0.5 dB below Telea's; for Telea's own fills, the texture criterion);
    ``critic_agreement_texture_*``: against the texture criterion alone.
    """
    if not results:
        return {"cases": 0}
    agree_ours = [r.ours.critic_pass == r.good for r in results]
    agree_telea = [r.telea.critic_pass == r.telea_good for r in results]
    # The critic sees the picture, not the truth: PSNR against the truth is out of its sight, so
    # agreement is also given against the per-case criterion it can see (texture against the ring).
    texture_ours = [r.ours.critic_pass == r.texture_ok for r in results]
    return {
        "cases": len(results),
        "texture_within_30pct_ours": _share([r.texture_ok for r in results]),
        "texture_within_30pct_telea": _share([r.telea_good for r in results]),
        "median_texture_ours": statistics.median(r.ours.texture for r in results),
        "median_texture_telea": statistics.median(r.telea.texture for r in results),
        "median_psnr_ours": statistics.median(r.ours.psnr for r in results),
        "median_psnr_telea": statistics.median(r.telea.psnr for r in results),
        "median_ssim_ours": statistics.median(r.ours.ssim for r in results),
        "median_ssim_telea": statistics.median(r.telea.ssim for r in results),
        "good_ours": _share([r.good for r in results]),
        "critic_agreement_ours": _share(agree_ours),
        "critic_agreement_telea": _share(agree_telea),
        "critic_agreement_all": _share(agree_ours + agree_telea),
        "critic_agreement_texture_ours": _share(texture_ours),
        "critic_agreement_texture_all": _share(texture_ours + agree_telea),
        "outside_unchanged_ours": _share([r.ours.outside_unchanged for r in results]),
        "median_ms_ours": statistics.median(r.ours.ms for r in results),
        "median_ms_telea": statistics.median(r.telea.ms for r in results),
        "methods": ", ".join(f"{m} {n}" for m, n in sorted(Counter(r.method for r in results).items())),
    }
