"""Each evaluation metric on hand-made cases with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from engines.base import Detection
from evals.metrics import (
    box_iou,
    changed,
    collapse_at_k,
    collapsed,
    constraint_holds,
    constraint_in_truth,
    critic_calibration,
    match_objects,
    pixel_metrics,
    preservation,
    success_at_k,
)
from evals.models import GTConstraint, GTObject


def det(noun: str, color: str, box: tuple[int, int, int, int], shape=(100, 100)) -> Detection:
    mask = np.zeros(shape, bool)
    mask[box[1]:box[3], box[0]:box[2]] = True
    return Detection(mask=mask, box=box, noun=noun, color=color)


RED_CIRCLE = GTObject(id="a", noun="circle", color="red", box=(10, 10, 40, 40))
BLUE_SQUARE = GTObject(id="b", noun="square", color="blue", box=(60, 60, 90, 90))


def test_match_all_found_is_success():
    m = match_objects([det("circle", "red", (11, 10, 41, 40)), det("square", "blue", (60, 61, 90, 91))],
                      [RED_CIRCLE, BLUE_SQUARE], 100, 100)
    assert m.success and m.f1 == 1.0 and m.precision == 1.0 and m.recall == 1.0


def test_match_wrong_color_missing_and_extra():
    m = match_objects([det("circle", "green", (10, 10, 40, 40)), det("square", "blue", (60, 60, 90, 90))],
                      [RED_CIRCLE, BLUE_SQUARE], 100, 100)
    assert not m.success and m.missing == ["a"] and m.extra == [0]
    assert m.precision == 0.5 and m.recall == 0.5 and m.f1 == pytest.approx(0.5)


def test_match_position_and_size_tolerances():
    far = det("circle", "red", (30, 10, 60, 40))  # 20 px off; default tolerance is 6 px at 100 px
    assert not match_objects([far], [RED_CIRCLE], 100, 100).success
    loose = RED_CIRCLE.model_copy(update={"pos_tol": 25.0})
    assert match_objects([far], [loose], 100, 100).success
    big = det("circle", "red", (5, 5, 45, 45))  # 33% bigger, tolerance 12%
    assert not match_objects([big], [RED_CIRCLE], 100, 100).success


def test_ellipse_counts_as_circle_group_but_star_does_not():
    assert match_objects([det("ellipse", "red", (10, 10, 40, 40))], [RED_CIRCLE], 100, 100).success
    assert not match_objects([det("star", "red", (10, 10, 40, 40))], [RED_CIRCLE], 100, 100).success


def test_extras_in_free_boxes_background_or_tiny_are_ignored():
    text = det("object", "black", (10, 70, 50, 80))
    speck = det("object", "black", (0, 0, 3, 3))
    photo = det("object", "brown", (60, 0, 90, 30))
    m = match_objects([text, speck, photo], [], 100, 100, free_boxes=[(0, 60, 100, 100)],
                      background=[det("object", "brown", (61, 0, 90, 30))])
    assert m.success
    assert not match_objects([text], [], 100, 100).success


def test_grayscale_accepts_any_achromatic():
    m = match_objects([det("circle", "gray", (10, 10, 40, 40))], [RED_CIRCLE], 100, 100, grayscale=True)
    assert m.success


def test_pixel_metrics_known_values():
    a = np.zeros((8, 8, 3), np.uint8)
    b = np.full((8, 8, 3), 51, np.uint8)  # 0.2 on [0, 1]
    figures = pixel_metrics(a, b)
    assert figures["l1"] == pytest.approx(0.2)
    assert figures["l2"] == pytest.approx(0.04)
    assert figures["psnr"] == pytest.approx(10 * np.log10(1 / 0.04))
    same = pixel_metrics(a, a)
    assert same["psnr"] == 99.0 and same["ssim"] == pytest.approx(1.0) and same["l1"] == 0.0
    with pytest.raises(ValueError):
        pixel_metrics(a, np.zeros((4, 4, 3), np.uint8))


def test_preservation_ignores_edited_box():
    target = np.zeros((20, 20, 3), np.uint8)
    output = target.copy()
    output[5:10, 5:10] = 255
    inside = preservation(output, target, [(5, 5, 10, 10)], margin=0)
    assert inside == {"preserve_l1": 0.0, "preserve_frac": 1.0}
    outside = preservation(output, target, [(15, 15, 20, 20)], margin=0)
    assert outside["preserve_frac"] == pytest.approx(1 - 25 / 375)


def test_changed_detects_new_marks():
    before = np.zeros((20, 20, 3), np.uint8)
    after = before.copy()
    after[2:6, 2:10] = 200
    assert changed(after, before, (0, 0, 20, 10))
    assert not changed(after, before, (0, 12, 20, 20))


def test_constraints_hold_and_retire():
    present = GTConstraint(kind="present", object_id="a", noun="circle", color="red", box=(10, 10, 40, 40),
                           set_by_turn=1, description="")
    absent = present.model_copy(update={"kind": "absent"})
    dets = [det("circle", "red", (12, 10, 42, 40))]
    assert constraint_holds(present, dets, 100, 100) and not constraint_holds(absent, dets, 100, 100)
    assert constraint_holds(absent, [], 100, 100)
    assert constraint_in_truth(present, [RED_CIRCLE])
    assert not constraint_in_truth(present, [RED_CIRCLE.model_copy(update={"color": "blue"})])
    assert constraint_in_truth(absent, [BLUE_SQUARE])


def test_sr_and_cr_at_k():
    successes = [[True, True, False], [True, False], [False]]
    assert success_at_k(successes, 1) == pytest.approx(2 / 3)
    assert success_at_k(successes, 2) == pytest.approx(1 / 2)
    assert success_at_k(successes, 3) == 0.0
    assert success_at_k(successes, 4) is None
    collapses = [[False, True], [False, False]]
    assert collapse_at_k(collapses, 1) == 0.0 and collapse_at_k(collapses, 2) == 0.5
    assert collapsed(0.4, None) and collapsed(0.9, 0.2) and not collapsed(0.9, 0.9)


def test_critic_calibration():
    rows = [
        {"critic_passed": True, "critic_score": 0.95, "success": True, "first_attempt_passed": True, "attempts": 1},
        {"critic_passed": True, "critic_score": 0.9, "success": False, "first_attempt_passed": True, "attempts": 1},
        {"critic_passed": False, "critic_score": 0.3, "success": False, "first_attempt_passed": False, "attempts": 3},
        {"critic_passed": True, "critic_score": 0.9, "success": True, "first_attempt_passed": False, "attempts": 2},
        {"critic_passed": None, "critic_score": None, "success": True},
    ]
    cal = critic_calibration(rows)
    assert cal.accuracy == pytest.approx(0.75) and cal.false_pass == pytest.approx(0.25)
    assert cal.first_failed == 2 and cal.fixed_by_loop == 1 and cal.fix_rate == 0.5
    assert len(cal.points) == 4


def test_box_iou():
    assert box_iou((0, 0, 10, 10), (0, 0, 10, 10)) == 1.0
    assert box_iou((0, 0, 10, 10), (5, 0, 15, 10)) == pytest.approx(1 / 3)
    assert box_iou((0, 0, 10, 10), (20, 20, 30, 30)) == 0.0
