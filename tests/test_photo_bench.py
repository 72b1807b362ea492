"""The photo removal benchmark runs, writes its report, and our fill keeps texture Telea smears."""

from __future__ import annotations

import math

import numpy as np

from evals.photo import build_case, build_cases, run_case
from evals.photo.__main__ import main
from evals.photo.cases import case_index


def test_a_small_run_writes_the_report_with_finite_figures(tmp_path, capsys) -> None:
    summary, results, path = main(["--out", str(tmp_path), "--backgrounds", "brick", "coffee",
                                   "--kinds", "shape", "text", "--sizes", "44"])
    assert path.exists() and (tmp_path / "photo_figures.json").exists()
    page = path.read_text()
    assert page.count("<section") == len(results) >= 2 and "data:image/jpeg;base64," in page
    assert summary["cases"] == len(results)
    for result in results:
        for figures in (result.ours, result.telea):
            assert math.isfinite(figures.psnr) and math.isfinite(figures.ssim) and math.isfinite(figures.texture)
        assert result.ours.outside_unchanged
    numbers = [v for v in summary.values() if isinstance(v, float)]
    assert numbers and all(math.isfinite(v) for v in numbers)
    assert "critic agrees" in capsys.readouterr().out


def test_cases_have_an_exact_answer_and_do_not_depend_on_the_subset() -> None:
    (case,) = build_cases(("grass",), ("crop",), (44,))
    again = build_case("grass", "crop", 44, index=case_index("grass", "crop", 44))
    assert np.array_equal(case.hole, again.hole)
    assert np.array_equal(case.image[~case.object_mask], case.truth[~case.object_mask])
    assert (case.hole & case.object_mask).sum() == case.object_mask.sum()


def test_our_fill_beats_telea_on_texture_energy_on_brick() -> None:
    results = [run_case(case)[0] for case in build_cases(("brick",), ("shape", "crop"), (44, 72))]
    assert len(results) == 4
    for result in results:
        assert result.method == "patch"
        assert abs(result.ours.texture - 1) < abs(result.telea.texture - 1), result.id
        assert result.ours.psnr >= result.telea.psnr - 0.5, result.id
        assert result.telea.texture < 0.7, result.id  # diffusion smears the mortar lines away
    assert abs(np.median([r.ours.texture for r in results]) - 1) <= 0.3
