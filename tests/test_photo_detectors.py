"""Photo grounding with the trained detectors that ship in the installed packages, on real photos."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from skimage import data

from agents.artefacts import artefact_score
from engines.base import UnknownTarget
from engines.classical import ClassicalGrounder
from engines.classical.photo import ocr_available

PHOTOS = ("astronaut", "coffee", "chelsea", "rocket", "camera", "coins", "brick", "grass", "gravel", "moon",
          "clock", "hubble_deep_field", "immunohistochemistry", "cat")


@pytest.fixture(scope="module")
def grounder() -> ClassicalGrounder:
    return ClassicalGrounder()


def _rgb(name: str) -> np.ndarray:
    image = np.asarray(getattr(data, name)())
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return np.ascontiguousarray(image[..., :3])


def test_faces_on_the_astronaut_and_none_on_the_cat(grounder: ClassicalGrounder) -> None:
    (face,) = grounder.ground(_rgb("astronaut"), "face")
    x0, y0, x1, y1 = face.box
    assert 150 <= x0 <= 200 and 230 <= x1 <= 290 and 30 <= y0 <= 90
    assert grounder.ground(_rgb("chelsea"), "face") == []


def test_the_cat_is_found_on_chelsea_by_its_face(grounder: ClassicalGrounder) -> None:
    (cat,) = grounder.ground(_rgb("chelsea"), "cat")
    assert cat.noun == "cat" and cat.mask[150, 230]  # between the eyes
    assert cat.alpha is not None and 0.0 < float(cat.alpha[cat.mask ^ cv2.erode(
        cat.mask.astype(np.uint8), np.ones((9, 9), np.uint8)).astype(bool)].mean()) <= 1.0
    assert grounder.ground(_rgb("astronaut"), "cat") == []


def test_the_person_on_the_astronaut_has_soft_edges(grounder: ClassicalGrounder) -> None:
    (person,) = grounder.ground(_rgb("astronaut"), "person", cache_key="astro")
    assert person.mask[110, 225] and person.mask[350, 200] and not person.mask[20, 480]
    soft = person.alpha[(person.alpha > 0.05) & (person.alpha < 0.95)]
    assert soft.size > 200


@pytest.mark.skipif(not ocr_available(), reason="rapidocr-onnxruntime is not installed")
def test_text_drawn_on_a_photo_is_read_back(grounder: ClassicalGrounder) -> None:
    pil = Image.fromarray(_rgb("coffee"))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 56)
    except OSError:
        font = ImageFont.load_default(56)
    ImageDraw.Draw(pil).text((120, 90), "SALE", font=font, fill=(255, 255, 255))
    (text,) = grounder.ground(np.asarray(pil), "text")
    assert text.label == "SALE" and text.attributes["text"] == "SALE"
    assert 100 <= text.box[0] <= 140 and 80 <= text.box[1] <= 120
    assert grounder.ground(_rgb("coffee"), "text") == []


@pytest.mark.parametrize("name", PHOTOS)
def test_no_phantom_shapes_on_sample_photos(grounder: ClassicalGrounder, name: str) -> None:
    found = grounder.entities(_rgb(name), text=False)
    assert [d.noun for d in found if d.noun not in ("face", "cat", "person")] == [], name


def test_unknown_things_are_reported_as_unknown(grounder: ClassicalGrounder) -> None:
    with pytest.raises(UnknownTarget):
        grounder.ground(_rgb("astronaut"), "giraffe")


def test_artefact_score_ranks_a_smear_below_a_good_fill() -> None:
    image = cv2.resize(_rgb("grass"), (256, 256), interpolation=cv2.INTER_AREA)
    hole = np.zeros(image.shape[:2], bool)
    hole[90:160, 90:160] = True
    smear = cv2.inpaint(image, hole.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    good = image.copy()
    good[90:160, 90:160] = image[10:80, 10:80]
    assert artefact_score(image, hole).passed
    assert artefact_score(good, hole).score > artefact_score(smear, hole).score
    assert not artefact_score(smear, hole).passed
