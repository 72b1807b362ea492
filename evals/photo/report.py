"""The photo benchmark's HTML page (the house style of evals/report.py): the headline figures,
a table per case, and an image strip per case (with the object, the truth, our fill, Telea's)."""

from __future__ import annotations

import html
import io
from pathlib import Path

import numpy as np
from PIL import Image

from ..report import _CSS, _LOAD_CHECK, _data_uri, _table
from .cases import PhotoCase
from .run import CaseResult

THUMB = 160
LABELS = {
    "cases": "cases", "texture_within_30pct_ours": "texture within 30 % of ring: ours",
    "texture_within_30pct_telea": "texture within 30 % of ring: Telea", "median_texture_ours": "median texture ratio: ours",
    "median_texture_telea": "median texture ratio: Telea", "median_psnr_ours": "median hole PSNR (dB): ours",
    "median_psnr_telea": "median hole PSNR (dB): Telea", "median_ssim_ours": "median hole SSIM: ours",
    "median_ssim_telea": "median hole SSIM: Telea", "good_ours": "good by ground truth: ours",
    "critic_agreement_ours": "critic agrees with ground truth: our fills",
    "critic_agreement_telea": "critic agrees with ground truth: Telea's fills",
    "critic_agreement_all": "critic agrees with ground truth: all fills",
    "critic_agreement_texture_ours": "critic agrees with the texture criterion: our fills",
    "critic_agreement_texture_all": "critic agrees with the texture criterion: all fills",
    "outside_unchanged_ours": "pixels outside the hole unchanged: ours",
    "median_ms_ours": "median fill time (ms): ours", "median_ms_telea": "median fill time (ms): Telea",
    "methods": "fills chosen",
}


def fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def _thumb(image: np.ndarray, box: tuple[int, int, int, int], margin: int = 24) -> str:
    x0, y0, x1, y1 = box
    height, width = image.shape[:2]
    crop = image[max(0, y0 - margin):min(height, y1 + margin), max(0, x0 - margin):min(width, x1 + margin)]
    thumb = Image.fromarray(np.ascontiguousarray(crop)).resize((THUMB, THUMB), Image.Resampling.NEAREST)
    buffer = io.BytesIO()
    thumb.save(buffer, format="JPEG", quality=88)
    return _data_uri(buffer.getvalue(), "image/jpeg")


def _cell(image: np.ndarray, box, caption: str, status: str = "") -> str:
    return (f'<figure class="{status}"><img class="strip-img" alt="{html.escape(caption)}" '
            f'src="{_thumb(image, box)}"><figcaption>{caption}</figcaption></figure>')


def strip(case: PhotoCase, result: CaseResult, ours: np.ndarray, telea: np.ndarray) -> str:
    def verdict(figures, good: bool) -> str:
        mark = "✔" if figures.critic_pass else "✘"
        return (f"critic {mark} ({figures.critic_score:.2f}) · truth {'good' if good else 'bad'}<br>"
                f"PSNR {figures.psnr:.1f} · SSIM {figures.ssim:.2f} · texture {figures.texture:.2f}")

    box = case.box
    cells = [
        _cell(case.image, box, f"with the {case.kind}"),
        _cell(case.truth, box, f"truth (texture {result.truth_texture:.2f})"),
        _cell(ours, box, f"<b>ours ({html.escape(result.method)})</b><br>{verdict(result.ours, result.good)}",
              "ok" if result.ours.critic_pass == result.good else "bad"),
        _cell(telea, box, f"<b>Telea</b><br>{verdict(result.telea, result.telea_good)}",
              "ok" if result.telea.critic_pass == result.telea_good else "bad"),
    ]
    return (f'<section class="dialogue"><h3>{html.escape(case.id)}</h3>'
            f'<div class="strip">{"".join(cells)}</div></section>')


def render(summary: dict, results: list[CaseResult], strips: list[str], title: str) -> str:
    rows = [(html.escape(LABELS.get(k, k)), html.escape(fmt(v))) for k, v in summary.items()]
    per_case = [(html.escape(r.id), html.escape(r.method), str(r.hole_px), f"{r.truth_texture:.2f}",
                 f"{r.ours.texture:.2f}", f"{r.telea.texture:.2f}", f"{r.ours.psnr:.1f}", f"{r.telea.psnr:.1f}",
                 f"{r.ours.ssim:.2f}", f"{r.telea.ssim:.2f}", "good" if r.good else "bad",
                 "pass" if r.ours.critic_pass else "fail", "pass" if r.telea.critic_pass else "fail")
                for r in results]
    header = ["case", "fill", "hole px", "truth tex", "tex ours", "tex Telea", "PSNR ours", "PSNR Telea",
              "SSIM ours", "SSIM Telea", "truth", "critic ours", "critic Telea"]
    return "".join([
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        "<p>Texture: mean gradient magnitude inside the hole over that of a 12-px ring around it (1 = the same). "
        "Good by ground truth: texture within 30 % of the ring and hole PSNR no more than 0.5 dB below Telea's. "
        "PSNR against the truth is out of the critic's sight, so its agreement is also given against the texture "
        "criterion alone. Green strip cells: the critic agrees with the ground truth.</p>",
        "<h2>Summary</h2>", _table(rows, ["figure", "value"]),
        "<h2>Per case</h2>", _table(per_case, header),
        "<h2>Cases</h2>", *strips, _LOAD_CHECK, "</body></html>",
    ])


def write(out_dir: Path, summary: dict, results: list[CaseResult], strips: list[str],
          title: str = "Retouch photo removal benchmark") -> Path:
    import json

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "photo_report.html"
    path.write_text(render(summary, results, strips, title), encoding="utf-8")
    (out_dir / "photo_figures.json").write_text(json.dumps(
        {"summary": summary, "cases": [r.model_dump() for r in results]}, indent=2))
    return path
