"""The removal fill is chosen by the hole's size and surroundings, and refuses what it cannot do."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from agents.artefacts import ring_of, texture_energy
from engines.base import EngineError, HoleTooLarge
from engines.classical.fills import HoleProfile, choose_fill
from engines.classical.inpainting import ClassicalInpainter


def _brick() -> np.ndarray:
    return np.ascontiguousarray(np.stack([data.brick()[128:384, 128:384]] * 3, axis=-1))


def _disc(shape: tuple[int, int], center: tuple[int, int], radius: int) -> np.ndarray:
    mask = np.zeros(shape, np.uint8)
    cv2.circle(mask, center, radius, 1, -1)
    return mask.astype(bool)


def test_thin_and_small_holes_are_diffused_wide_textured_ones_copied() -> None:
    line = np.zeros((200, 200), bool)
    line[100:104, 20:180] = True
    assert HoleProfile.of(line, line.size).thin_or_small
    assert choose_fill(HoleProfile.of(line, line.size), smooth=False, grain=False) == "telea"
    speck = _disc((200, 200), (50, 50), 5)
    assert choose_fill(HoleProfile.of(speck, speck.size), smooth=False, grain=False) == "telea"
    wide = _disc((200, 200), (100, 100), 25)
    assert choose_fill(HoleProfile.of(wide, wide.size), smooth=False, grain=False) == "patch"
    assert choose_fill(HoleProfile.of(wide, wide.size), smooth=True, grain=False) == "background"

    inpainter = ClassicalInpainter()
    image = _brick()
    hole = _disc(image.shape[:2], (128, 128), 24)
    inpainter.inpaint(image, hole)
    assert inpainter.last_method == "patch"
    thin = np.zeros(image.shape[:2], bool)
    thin[60:63, 30:220] = True
    inpainter.inpaint(image, thin)
    assert inpainter.last_method == "telea"


def test_the_texture_fill_keeps_the_texture_a_diffusion_smears() -> None:
    image = _brick()
    hole = _disc(image.shape[:2], (128, 128), 28)
    damaged = image.copy()
    damaged[hole] = (255, 0, 0)
    ours = ClassicalInpainter().inpaint(damaged, hole, seed=0)
    telea = cv2.inpaint(damaged, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    assert np.array_equal(ours[~hole], damaged[~hole])
    ring = texture_energy(image, ring_of(hole, 12))
    assert abs(texture_energy(ours, hole) / ring - 1) <= 0.3
    assert texture_energy(telea, hole) / ring < 0.6


def test_a_face_or_a_large_textured_hole_is_refused_before_painting() -> None:
    photo = np.ascontiguousarray(data.astronaut())
    face = np.zeros(photo.shape[:2], bool)
    face[50:150, 170:260] = True
    inpainter = ClassicalInpainter()
    for method in ("auto", "telea", "patch"):
        with pytest.raises(HoleTooLarge) as info:
            inpainter.inpaint(photo, face, subject="face", method=method)
        assert "neural inpainter" in str(info.value) and isinstance(info.value, EngineError)
    large = np.zeros(photo.shape[:2], bool)
    large[100:400, 100:400] = True  # a third of the picture
    with pytest.raises(HoleTooLarge) as info:
        inpainter.inpaint(photo, large)
    assert info.value.figures["fraction"] > 0.3
    # On a plain background any size can be filled exactly.
    plain = np.full((200, 200, 3), (40, 120, 200), np.uint8)
    big = np.zeros((200, 200), bool)
    big[20:180, 20:180] = True
    assert (inpainter.inpaint(plain, big) == (40, 120, 200)).all()
