"""The refinement agent: upscaling with entities scaled along, detail, denoise, styles, region
refinements that leave the rest alone, the critic's refine checks and its request for refinement."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from agents.refiner import (
    NOT_LEARNED,
    Refiner,
    check_refine,
    classical_style,
    classical_upscale,
    print_factor,
    refinement_hints,
)
from engines.base import EngineError
from graph import Editor
from state.blobs import ImageRepository
from state.memory_store import MemoryBlobStore
from state.models import EditOperation, Entity, OpKind, Region, TargetSpec
from tests.scenes import center, found, gradient, scene

SHAPES = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)),
          ("triangle", "green", (120, 10, 190, 75)))


@pytest.fixture()
def editor():
    with Editor(store="memory://") as instance:
        yield instance


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    error = float(np.mean((a.astype(np.float32) - b.astype(np.float32)) ** 2))
    return 99.0 if error == 0 else 10 * np.log10(255.0 ** 2 / error)


@pytest.mark.parametrize(("words", "factor"), [("upscale to 2x", 2), ("upscale the image 4x", 4)])
def test_upscale_scales_image_and_entities(editor, words, factor):
    session = editor.session()
    original = scene(*SHAPES, base=gradient())
    session.send("remove the green triangle", image=original)
    session.send("make the circle bigger")
    circle = next(e for e in session.entities if e.noun == "circle")
    result = session.send(words)
    assert result.passed, result.critique.feedback
    image = np.asarray(result.image)
    assert image.shape == (240 * factor, 320 * factor, 3)
    assert "not learned super-resolution" in result.reply
    scaled = next(e for e in session.entities if e.id == circle.id)
    assert all(abs(a - factor * b) <= factor for a, b in zip(scaled.region.box, circle.region.box, strict=True))
    # what was there is there, at the scaled place
    red = found(image, "circle", "red")
    assert red and abs(center(red[0])[0] - factor * center(circle.region)[0]) <= 2 * factor
    assert found(image, "square", "blue") and not found(image, "triangle")
    small = cv2.resize(image, (320, 240), interpolation=cv2.INTER_AREA)
    assert _psnr(small, np.asarray(session.version_image(session.history()[-2].version_id))) > 30
    # and later references still work on the big image
    result = session.send("move the red circle to the right a bit")
    assert result.passed and center(found(result.image, "circle", "red")[0])[0] > factor * center(circle.region)[0] + 10


def test_upscale_keeps_edges_crisper_than_plain_resampling():
    image = scene(*SHAPES)
    ours = classical_upscale(image, 2.0)
    plain = cv2.resize(image, (640, 480), interpolation=cv2.INTER_LINEAR)
    sharpness = [cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_32F).var() for x in (ours, plain)]
    assert sharpness[0] > 1.2 * sharpness[1]
    flat = ours[100:140, 140:180]  # inside the background: no ringing where there are no edges
    assert np.ptp(flat.astype(int)) <= 2


def test_print_size(editor):
    session = editor.session()
    session.send("make the circle green", image=scene(*SHAPES))
    result = session.send("make it bigger for printing")
    assert result.passed and result.image.size == (320 * print_factor(320, 240), 240 * print_factor(320, 240))
    assert print_factor(320, 240) == 4 and print_factor(1600, 1200) == 2


def test_restyle_and_enhance_keep_the_objects(editor):
    session = editor.session()
    session.send("make the square green", image=scene(*SHAPES, base=gradient()))
    before = np.asarray(session.image)
    result = session.send("restyle as watercolor")
    assert result.passed, result.critique.feedback
    after = np.asarray(result.image)
    assert after.shape == before.shape and np.abs(after.astype(int) - before.astype(int)).mean() > 2
    assert not [c for c in session.constraints if c.kind == "color"]  # a new look supersedes colour promises
    result = session.send("enhance the details")
    assert result.passed and result.plan.operations[0].params["mode"] == "sharpen"


@pytest.mark.parametrize("style", ["painting", "watercolor", "pastel", "pencil", "comic", "vintage", "cinematic"])
def test_every_style_changes_the_look(style):
    image = scene(*SHAPES, base=gradient())
    styled = classical_style(image, style, 0.4)
    assert styled.shape == image.shape and np.abs(styled.astype(int) - image.astype(int)).mean() > 1.0
    with pytest.raises(EngineError, match="unknown style"):
        classical_style(image, "baroque")


def _refiner() -> tuple[Refiner, ImageRepository]:
    images = ImageRepository(MemoryBlobStore())
    return Refiner(images), images


def test_region_refinement_leaves_the_outside_alone():
    refiner, images = _refiner()
    rng = np.random.default_rng(0)
    image = np.clip(scene(*SHAPES).astype(int) + rng.normal(0, 12, (240, 320, 3)), 0, 255).astype(np.uint8)
    mask = np.zeros((240, 320), bool)
    mask[80:170, 20:110] = True
    op = EditOperation(id="op1", kind=OpKind.REFINE, target=TargetSpec(scope="object"),
                       region=Region(box=(20, 80, 110, 170), mask_ref=images.put_mask(mask)),
                       params={"mode": "denoise", "strength": 1.0})
    result, outcome = refiner.run(op, image, {}, turn=2)
    grown = cv2.dilate(mask.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    assert np.array_equal(result[~grown], image[~grown])
    ok, score, reason, _ = check_refine(op, image, result, images.get_mask(outcome.before_mask))
    assert ok and score > 0.9, reason


def test_refine_checks_fail_when_nothing_happened():
    image = scene(*SHAPES)
    upscale = EditOperation(id="op1", kind=OpKind.REFINE, target=TargetSpec(scope="image"),
                            params={"mode": "upscale", "factor": 2.0})
    assert not check_refine(upscale, image, image, None)[0]  # size not doubled
    assert check_refine(upscale, image, classical_upscale(image, 2.0), None)[0]
    sharpen = upscale.model_copy(update={"params": {"mode": "sharpen"}})
    blurred = cv2.GaussianBlur(image, (0, 0), 2)
    assert not check_refine(sharpen, image, blurred, None)[0]
    style = upscale.model_copy(update={"params": {"mode": "style", "style": "painting"}})
    assert not check_refine(style, image, image, None)[0]


def test_upscale_factor_limits_and_entity_masks():
    refiner, images = _refiner()
    image = scene(*SHAPES)
    mask = np.zeros((240, 320), bool)
    mask[90:160, 30:100] = True
    entity = Entity(id="e1", label="red circle", noun="circle",
                    region=Region(box=(30, 90, 100, 160), mask_ref=images.put_mask(mask)))
    op = EditOperation(id="op1", kind=OpKind.REFINE, target=TargetSpec(scope="image"),
                       params={"mode": "upscale", "factor": 3.0})
    working = {"e1": entity}
    result, outcome = refiner.run(op, image, working, turn=2)
    assert result.shape == (720, 960, 3) and outcome.info["note"] == NOT_LEARNED
    assert working["e1"].region.box == (90, 270, 300, 480)
    assert images.get_mask(working["e1"].region.mask_ref).shape == (720, 960)
    with pytest.raises(EngineError, match="out of range"):
        refiner.run(op.model_copy(update={"params": {"mode": "upscale", "factor": 8}}), image, {}, turn=2)


def test_critic_asks_for_refinement_when_an_enlargement_goes_soft():
    _, images = _refiner()
    before = scene(("circle", "red", (100, 80, 140, 120)))
    soft = cv2.GaussianBlur(scene(("circle", "red", (80, 60, 160, 140))), (0, 0), 3)
    small = np.zeros((240, 320), bool)
    small[80:120, 100:140] = True
    big = np.zeros((240, 320), bool)
    big[60:140, 80:160] = True
    from agents.executor import OpOutcome

    op = EditOperation(id="op1", kind=OpKind.RESIZE, entity_ids=["e1"], params={"factor": 2.0})
    outcome = OpOutcome(op_id="op1", kind=OpKind.RESIZE, before_mask=images.put_mask(small),
                        after_mask=images.put_mask(big))
    hints = refinement_hints([op], [outcome], before, soft, images)
    assert [h.kind for h in hints] == ["refine"] and hints[0].detail.startswith("sharpen")
    crisp = scene(("circle", "red", (80, 60, 160, 140)))
    assert refinement_hints([op], [outcome], before, crisp, images) == []
