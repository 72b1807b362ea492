"""The task-type benchmark's own checks: cases are deterministic, and no judge passes an unedited image."""

from __future__ import annotations

import numpy as np
import pytest

from evals.taxonomy import CASES


@pytest.mark.parametrize("kind", sorted(CASES))
def test_cases_are_deterministic_and_an_unedited_image_fails(kind):
    first, again = CASES[kind](np.random.default_rng(3)), CASES[kind](np.random.default_rng(3))
    assert first.message == again.message and np.array_equal(first.image, again.image)
    for seed in range(4):
        case = CASES[kind](np.random.default_rng(seed))
        ok, why = case.judge(case.image, case.image)
        assert not ok, f"{case.message!r} judged done without an edit: {why}"
