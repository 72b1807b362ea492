"""The removal check sees a smeared fill, and "remove the face" on a photo never ends as Done."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from agents.errors import OperationFailed
from agents.operations.remove import check_removal
from engines.classical.inpainting import ClassicalInpainter
from graph import Editor
from state.models import EditOperation, OpKind, TurnKind

OP = EditOperation(id="op1", kind=OpKind.REMOVE)


def _disc(shape: tuple[int, int], center: tuple[int, int], radius: int) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.circle(mask, center, radius, 1, -1)
    return mask.astype(bool)


def test_remove_the_face_on_the_astronaut_is_refused_naming_the_neural_inpainter() -> None:
    with Editor(store="memory://") as editor:
        session = editor.session()
        with pytest.raises(OperationFailed) as info:
            session.send("remove the face", image=data.astronaut())
        assert "neural inpainter" in str(info.value) and "face" in str(info.value)
        # The photo is kept as uploaded; no edit turn was written.
        assert [t.kind for t in session.history()] == [TurnKind.UPLOAD]


def test_a_smeared_face_scores_below_the_pass_threshold() -> None:
    photo = np.ascontiguousarray(data.astronaut())
    face = np.zeros(photo.shape[:2], np.uint8)
    cv2.ellipse(face, (218, 100), (42, 55), 0, 0, 360, 1, -1)
    face = face.astype(bool)
    smear = cv2.inpaint(photo, face.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    result, hint = check_removal(OP, photo, smear, face, [], face)
    assert not result.ok and result.score < 0.85 and hint is not None
    assert "smeared" in result.reason and result.metrics["texture_ratio"] < 0.7


def test_a_texture_fill_on_brick_passes_where_a_diffusion_fails() -> None:
    brick = np.ascontiguousarray(np.stack([data.brick()[128:384, 128:384]] * 3, axis=-1))
    hole = _disc(brick.shape[:2], (128, 128), 28)
    damaged = brick.copy()
    damaged[hole] = (220, 40, 40)
    ours = ClassicalInpainter().inpaint(damaged, hole, seed=0)
    telea = cv2.inpaint(damaged, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    passed, _ = check_removal(OP, damaged, ours, hole, [], hole)
    smeared, _ = check_removal(OP, damaged, telea, hole, [], hole)
    assert passed.ok and passed.score >= 0.85, passed.reason
    assert not smeared.ok and smeared.score < 0.85


def test_a_smeared_texture_copy_is_retried_by_copying_again_not_by_diffusion() -> None:
    from engines.classical.insertion import draw_shape

    photo = cv2.resize(data.coffee(), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    image, _ = draw_shape(photo, "star", (700, 80, 840, 220), (220, 30, 40))
    with Editor(store="memory://") as editor:
        result = editor.session().send("remove the red star", image=image)
    methods = [op.strategy.get("method") for a in result.trace.attempts for op in a.plan.operations]
    assert "telea" not in methods and "ns" not in methods, methods
    assert result.passed, result.reply
