"""material and background, whole turns through the graph (the clauses are built directly)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from agents.operations.layout import compose
from agents.operations.material import UnknownMaterial
from agents.regions import dilate
from engines.classical.colors import rgb_of, rgb_to_lab
from engines.classical.materials import MATERIALS
from engines.classical.scene import parse_scene
from graph import Editor
from state.models import Intent, IntentClause, OpKind, TargetSpec

BACKGROUND = TargetSpec(phrase="the background", noun="background", scope="background")


class ScriptedParser:
    """Hands the graph the intents a test built, one per message."""

    name = "scripted"

    def __init__(self) -> None:
        self.queue: list[Intent] = []

    def parse(self, request):
        return self.queue.pop(0).model_copy(update={"text": request.text})


@pytest.fixture
def editor():
    editor = Editor(store="memory://")
    editor.services.parser = ScriptedParser()
    yield editor
    editor.close()


def send(editor, session, text, clause, **kwargs):
    editor.services.parser.queue.append(Intent(text=text, clauses=[clause]))
    return session.send(text, **kwargs)


def scene():
    return compose(320, 240, [("circle", "red", (30, 60, 130, 160)), ("square", "blue", (190, 80, 280, 170))],
                   background="plain")


def circle_mask(image):
    return next(d for d in parse_scene(image) if d.noun == "circle").mask


@pytest.mark.parametrize("material", sorted(MATERIALS))
def test_every_material_look_passes_and_leaves_the_rest(editor, material):
    image = scene()
    mask = circle_mask(image)
    result = send(editor, editor.session(), f"make the circle {material}",
                  IntentClause(op=OpKind.MATERIAL, target=TargetSpec(phrase="the circle", noun="circle"),
                               params={"material": material}), image=image)
    after = np.asarray(result.image)
    assert result.passed, result.critique.feedback
    assert "look" in result.reply and "inpainting model" in result.reply
    outside = ~dilate(mask, 3)
    assert np.array_equal(after[outside], image[outside])
    assert np.abs(after[mask].astype(int) - image[mask].astype(int)).mean() > 5


def test_wood_moves_colour_and_texture_toward_wood(editor):
    image = scene()
    mask = circle_mask(image)
    after = np.asarray(send(editor, editor.session(), "make the circle wooden",
                            IntentClause(op=OpKind.MATERIAL, target=TargetSpec(phrase="the circle", noun="circle"),
                                         params={"material": "wooden"}), image=image).image)
    wood = rgb_to_lab(np.array([MATERIALS["wood"].color], np.uint8))[0]
    mean = rgb_to_lab(np.round(after[mask].mean(axis=0)).astype(np.uint8)[None])[0]
    assert np.linalg.norm(mean - wood) < 12
    assert after[mask].astype(float).std(axis=0).mean() > 8  # grain, where the circle was flat


def test_unknown_material_is_a_typed_error_listing_the_known_ones(editor):
    with pytest.raises(UnknownMaterial) as caught:
        send(editor, editor.session(), "make the circle unobtainium",
             IntentClause(op=OpKind.MATERIAL, target=TargetSpec(phrase="the circle", noun="circle"),
                          params={"material": "unobtainium"}), image=scene())
    assert caught.value.code == "unknown_material" and "glass" in caught.value.known


def test_material_on_a_photo_keeps_its_shading(editor):
    image = data.chelsea()
    result = send(editor, editor.session(), "make this gold",
                  IntentClause(op=OpKind.MATERIAL, target=TargetSpec(phrase="this", reference="user_region"),
                               params={"material": "gold"}), image=image, box=(110, 40, 330, 260))
    assert result.passed, result.critique.feedback
    after = np.asarray(result.image)
    changed = np.any(after != image, axis=-1)
    assert changed.sum() > 2000
    gray_b, gray_a = image[changed].mean(axis=1), after[changed].mean(axis=1)
    assert np.corrcoef(gray_b, gray_a)[0, 1] > 0.5


def test_background_colour_keeps_every_object_bit_for_bit(editor):
    image = scene()
    objects = parse_scene(image)
    result = send(editor, editor.session(), "put it on a black background",
                  IntentClause(op=OpKind.BACKGROUND, target=BACKGROUND, params={"color": "black"}), image=image)
    assert result.passed, result.critique.feedback
    after = np.asarray(result.image)
    for thing in objects:
        core = cv2.erode(thing.mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        assert np.array_equal(after[core], image[core])  # the rim is re-matted onto the new backdrop
        rim = thing.mask & ~core
        old_light = np.abs(image[rim].astype(int) - 236).sum(axis=1) < 60  # rim pixels that were mostly old backdrop
        assert (after[rim][old_light].astype(int).sum(axis=1) < 3 * 120).all()  # no light halo on black
    assert tuple(after[5, 5]) == rgb_of("black")
    assert {(d.noun, d.color) for d in parse_scene(after)} >= {(d.noun, d.color) for d in objects}


def test_background_scene_without_a_composer_background_says_it_is_the_nearest(editor):
    result = send(editor, editor.session(), "change the background to a forest",
                  IntentClause(op=OpKind.BACKGROUND, target=BACKGROUND, params={"scene": "forest"}), image=scene())
    assert result.passed and "nearest composer background" in result.reply
    after = np.asarray(result.image)
    assert tuple(after[-2, 2]) == rgb_of("green") and after[2, 2, 2] > after[2, 2, 0]


def test_background_on_a_photo_keeps_the_person_and_softens_the_edge(editor):
    image = data.astronaut()
    result = send(editor, editor.session(), "put her on a white background",
                  IntentClause(op=OpKind.BACKGROUND, target=BACKGROUND, params={"color": "white"}), image=image)
    assert result.passed, result.critique.feedback
    after = np.asarray(result.image)
    face = (slice(80, 150), slice(200, 245))  # inside the face: the silhouette's rim is re-matted
    assert np.array_equal(after[face], image[face])
    assert tuple(after[5, 505]) == rgb_of("white")
    blended = np.any(after != image, axis=-1) & np.any(after != np.array(rgb_of("white")), axis=-1)
    assert blended.sum() > 200  # a soft edge, not a hard cut


def test_keep_names_what_stays_and_leaves_a_constraint(editor):
    image = scene()
    circle = circle_mask(image)
    session = editor.session()
    result = send(editor, session, "white background, remain the circle unchanged",
                  IntentClause(op=OpKind.BACKGROUND, target=BACKGROUND,
                               params={"color": "white", "keep": {"phrase": "the circle", "noun": "circle"}}),
                  image=image)
    after = np.asarray(result.image)
    assert np.array_equal(after[circle], image[circle])
    assert not any(d.noun == "square" for d in parse_scene(after))
    version = editor.store.version(session.id, result.version_id)
    assert any(c.kind == "present" for c in version.constraints)
