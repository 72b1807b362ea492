"""The classical engines: grounding, segmentation, inpainting, recolour, filters, text, insertion,
geometry, and their registration."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
from skimage import data

from engines import registry
from engines.base import (
    EngineError,
    Filter,
    Generator,
    Grounder,
    Inpainter,
    Inserter,
    InsertSpec,
    Recolorer,
    Segmenter,
    TextDrawer,
)
from engines.classical import (
    ClassicalFilter,
    ClassicalGrounder,
    ClassicalInpainter,
    ClassicalInserter,
    ClassicalRecolorer,
    ClassicalSegmenter,
    PillowTextDrawer,
    crop,
    draw_box,
    draw_shape,
    flip_image,
    parse_scene,
    refine_mask,
    rotate_image,
    transform_object,
)
from engines.classical.colors import PALETTE, color_distance, color_name, rgb_to_lab
from engines.classical.inpainting import RingStats, choose_method
from engines.classical.vocabulary import OBJECTS, SHAPES

RED, BLUE, GREEN, YELLOW = PALETTE["red"], PALETTE["blue"], PALETTE["green"], PALETTE["yellow"]


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def shapes_scene() -> np.ndarray:
    image = np.full((320, 480, 3), 235, np.uint8)
    for noun, box, rgb in [
        ("circle", (20, 20, 100, 100), RED), ("ellipse", (140, 30, 250, 95), RED),
        ("square", (290, 20, 370, 100), BLUE), ("rectangle", (20, 170, 150, 230), BLUE),
        ("triangle", (200, 160, 290, 250), GREEN), ("star", (330, 160, 440, 270), (225, 110, 40)),
    ]:
        image, _ = draw_shape(image, noun, box, rgb)
    return image


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    return data.astronaut()


# --------------------------------------------------------------------------- registry


def test_every_role_has_a_classical_engine() -> None:
    engines = registry.build_engine_set("classical")
    protocols = {"grounder": Grounder, "segmenter": Segmenter, "inpainter": Inpainter, "inserter": Inserter,
                 "recolorer": Recolorer, "filter": Filter, "text": TextDrawer, "generator": Generator}
    for role, protocol in protocols.items():
        engine = getattr(engines, role)
        assert isinstance(engine, protocol) and engine.name == "classical"


# --------------------------------------------------------------------------- grounding


def test_grounding_by_noun_colour_and_tolerance() -> None:
    image = shapes_scene()
    grounder = ClassicalGrounder()
    assert len(grounder.ground(image)) == 6
    assert len(grounder.ground(image, "object")) == 6
    assert [d.noun for d in grounder.ground(image, "circle")] == ["circle"]
    assert sorted(d.noun for d in grounder.ground(image, "circles", tolerance=1.5)) == ["circle", "ellipse"]
    assert sorted(d.noun for d in grounder.ground(image, "square", tolerance=1.5)) == ["rectangle", "square"]
    assert sorted(d.noun for d in grounder.ground(image, None, ("red",))) == ["circle", "ellipse"]
    assert [d.label for d in grounder.ground(image, "square", ("blue",))] == ["blue square"]
    assert grounder.ground(image, "triangle", ("red",)) == []
    # The star's colour sits between orange and red: named orange, accepted as red only when loose.
    (star,) = grounder.ground(image, "star")
    assert star.color == "orange"
    assert grounder.ground(image, "star", ("red",)) == []
    assert len(grounder.ground(image, "star", ("red",), tolerance=1.5)) == 1


def test_grounding_errors_name_what_is_known() -> None:
    grounder = ClassicalGrounder()
    with pytest.raises(EngineError, match="shapes"):
        grounder.ground(shapes_scene(), "giraffe")
    with pytest.raises(EngineError, match="known colours"):
        grounder.ground(shapes_scene(), "circle", ("plaid",))
    with pytest.raises(EngineError):
        grounder.ground(np.zeros((20, 20), np.uint8))


def test_grounding_is_cached_per_image_version() -> None:
    image = shapes_scene()
    grounder = ClassicalGrounder()
    first = grounder.ground(image, "circle", cache_key="v1")
    assert grounder.ground(image, "circle", cache_key="v1")[0] is first[0]
    # A different version is parsed afresh.
    changed, _ = draw_shape(image, "circle", (400, 250, 460, 310), RED)
    assert len(grounder.ground(changed, "circle", cache_key="v2")) == 2
    for i in range(20):  # the cache is bounded
        grounder.ground(image, cache_key=f"other{i}")
    assert len(grounder._cache) <= 16


def test_faces_on_the_astronaut(astronaut: np.ndarray) -> None:
    (face,) = ClassicalGrounder().ground(astronaut, "face")
    x0, y0, x1, y1 = face.box
    assert 150 <= x0 <= 200 and 230 <= x1 <= 290 and 30 <= y0 <= 90 and 150 <= y1 <= 200
    assert face.mask[(y0 + y1) // 2, (x0 + x1) // 2] and not face.mask[y0, x0]  # an ellipse in the box
    assert ClassicalGrounder().ground(shapes_scene(), "face") == []


def test_subject_and_background_by_grabcut(astronaut: np.ndarray) -> None:
    grounder = ClassicalGrounder()
    (subject,) = grounder.ground(astronaut, "person", cache_key="astro")
    (background,) = grounder.ground(astronaut, "background", cache_key="astro")
    assert subject.mask[110, 225] and subject.mask[350, 200]  # face and suit
    assert not subject.mask[20, 480] and not subject.mask[30, 10]  # backdrop corners
    assert (subject.mask ^ background.mask).all()
    assert 0.2 < subject.mask.mean() < 0.6


def test_background_of_a_shape_scene_is_everything_but_the_shapes() -> None:
    image = shapes_scene()
    grounder = ClassicalGrounder()
    (background,) = grounder.ground(image, "background")
    objects = np.zeros(image.shape[:2], bool)
    for det in grounder.ground(image):
        objects |= det.mask
    assert (background.mask == ~objects).all()


def test_sky_is_the_bright_blue_top() -> None:
    image = np.zeros((200, 300, 3), np.uint8)
    image[:80] = (110, 170, 235)
    image[80:] = (60, 120, 40)
    (sky,) = ClassicalGrounder().ground(image, "sky")
    assert sky.box == (0, 0, 300, 80)
    assert ClassicalGrounder().ground(np.full((100, 100, 3), (60, 120, 40), np.uint8), "sky") == []


# --------------------------------------------------------------------------- segmentation


def test_box_on_a_flat_object_returns_that_object() -> None:
    image = shapes_scene()
    truth = next(d for d in parse_scene(image) if d.noun == "triangle")
    mask = ClassicalSegmenter().segment(image, box=(196, 156, 294, 254), cache_key="s1")
    assert (mask == truth.mask).all()


def test_box_on_a_textured_object_uses_grabcut() -> None:
    rng = np.random.default_rng(0)
    image = np.full((240, 240, 3), 230, np.uint8)
    _, truth = draw_shape(image, "circle", (70, 60, 170, 160), RED)
    texture = np.clip(rng.normal(0, 25, image.shape) + (40, 60, 160), 0, 255).astype(np.uint8)
    image[truth] = texture[truth]
    mask = ClassicalSegmenter().segment(image, box=(60, 50, 180, 170))
    assert _iou(mask, truth) > 0.85


def test_points_pick_the_object_under_them() -> None:
    image = shapes_scene()
    segmenter = ClassicalSegmenter()
    mask = segmenter.segment(image, points=[(60, 60)])
    truth = next(d for d in parse_scene(image) if d.noun == "circle")
    assert (mask == truth.mask).all()
    # On a photo the flood from a point stays local.
    photo = data.coffee()
    region = segmenter.segment(photo, points=[(300, 200)])
    assert region[200, 300] and 0 < region.mean() < 0.5


def test_refine_mask_snaps_a_scribble_to_the_object() -> None:
    image = np.full((200, 200, 3), 240, np.uint8)
    image, truth = draw_shape(image, "square", (60, 60, 140, 140), BLUE)
    scribble = np.zeros(truth.shape, np.uint8)
    cv2.ellipse(scribble, (100, 100), (52, 48), 0, 0, 360, 1, -1)
    refined = refine_mask(image, scribble.astype(bool))
    assert _iou(refined, truth) > 0.9 > _iou(scribble.astype(bool), truth)


def test_segmentation_errors() -> None:
    segmenter = ClassicalSegmenter()
    image = shapes_scene()
    with pytest.raises(EngineError):
        segmenter.segment(image)
    with pytest.raises(EngineError, match="outside"):
        segmenter.segment(image, box=(600, 400, 700, 500))
    with pytest.raises(EngineError, match="outside"):
        segmenter.segment(image, points=[(-5, 10)])
    with pytest.raises(EngineError, match="empty"):
        refine_mask(image, np.zeros(image.shape[:2], bool))


# --------------------------------------------------------------------------- inpainting


def _scene_on(kind: str, size: int = 256) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    if kind == "plain":
        bg = np.full((size, size, 3), (200, 190, 120), np.uint8)
    elif kind == "gradient":
        t = np.linspace(0, 1, size)[None, :, None]
        bg = np.broadcast_to(np.round((30, 60, 200) * (1 - t) + (250, 240, 200) * t), (size, size, 3))
        bg = bg.astype(np.uint8).copy()
    elif kind == "noise":
        bg = np.clip(rng.normal(0, 9, (size, size, 3)) + (90, 150, 100), 0, 255).astype(np.uint8)
    else:
        bg = cv2.resize(data.chelsea(), (size, size), interpolation=cv2.INTER_AREA)
    return bg, draw_shape(bg, "star", (80, 70, 170, 160), RED)[0]


@pytest.mark.parametrize("method", ["auto", "background", "patch", "telea", "ns"])
@pytest.mark.parametrize("kind", ["plain", "gradient", "noise", "photo"])
def test_inpainting_changes_only_the_hole_and_removes_the_object(method: str, kind: str) -> None:
    bg, image = _scene_on(kind)
    (star,) = [d for d in parse_scene(image) if d.noun == "star"]
    out = ClassicalInpainter().inpaint(image, star.mask, method=method, seed=1)
    assert out.dtype == np.uint8 and out.shape == image.shape
    assert (out[~star.mask] == image[~star.mask]).all()
    assert not any(_iou(d.mask, star.mask) > 0.3 for d in parse_scene(out))
    if kind in ("plain", "gradient") and method in ("auto", "background"):
        assert np.abs(out.astype(int) - bg.astype(int))[star.mask].max() <= 2


def test_auto_inpainting_measures_the_surroundings() -> None:
    for kind, expected in [("plain", "background"), ("gradient", "background"), ("noise", "background"),
                           ("photo", "patch")]:
        bg, image = _scene_on(kind)
        (star,) = [d for d in parse_scene(image) if d.noun == "star"]
        x0, y0, x1, y1 = star.box
        window = (slice(max(0, y0 - 14), y1 + 14), slice(max(0, x0 - 14), x1 + 14))
        assert choose_method(RingStats(image[window], star.mask[window])) == expected, kind
    # Matched grain: the fill of a noisy background is as noisy as its surroundings.
    bg, image = _scene_on("noise")
    (star,) = [d for d in parse_scene(image) if d.noun == "star"]
    out = ClassicalInpainter().inpaint(image, star.mask, seed=3)
    assert 0.6 < out[star.mask].std(axis=0).mean() / bg[~star.mask].std(axis=0).mean() < 1.4


def test_inpainting_errors() -> None:
    inpainter = ClassicalInpainter()
    image = shapes_scene()
    with pytest.raises(EngineError, match="empty"):
        inpainter.inpaint(image, np.zeros(image.shape[:2], bool))
    with pytest.raises(EngineError, match="methods"):
        inpainter.inpaint(image, np.ones(image.shape[:2], bool), method="magic")
    with pytest.raises(EngineError, match="whole image"):
        inpainter.inpaint(image, np.ones(image.shape[:2], bool))
    with pytest.raises(EngineError, match="shape"):
        inpainter.inpaint(image, np.ones((3, 3), bool))


def test_removing_a_tenth_of_a_1024_image_fills_it_with_the_background() -> None:
    # Its speed is a benchmark figure: ``python -m evals.bench engines``.
    image = np.full((1024, 1024, 3), (180, 200, 220), np.uint8)
    radius = int(np.sqrt(0.1 * 1024 * 1024 / np.pi))
    image, mask = draw_shape(image, "circle", (300, 300, 300 + 2 * radius, 300 + 2 * radius), RED)
    filled = ClassicalInpainter().inpaint(image, mask)
    assert np.abs(filled[mask].astype(int) - (180, 200, 220)).max() <= 6
    assert np.array_equal(filled[~mask], image[~mask])


# --------------------------------------------------------------------------- recolour


@pytest.mark.parametrize("source", ["red", "white", "black", "gray", "green"])
def test_recolour_reaches_every_palette_colour(source: str) -> None:
    recolorer = ClassicalRecolorer()
    image = np.full((120, 120, 3), (128, 100, 90) if source != "gray" else (40, 40, 40), np.uint8)
    image, mask = draw_shape(image, "circle", (20, 20, 100, 100), PALETTE[source])
    for target, rgb in PALETTE.items():
        out = recolorer.recolor(image, mask, rgb)
        assert (out[~mask] == image[~mask]).all()
        assert color_name(tuple(int(v) for v in np.median(out[mask], axis=0))) == target
        if color_distance(rgb, tuple(int(v) for v in image[0, 0])) > 25:  # else it blends in
            (det,) = parse_scene(out)
            assert det.color == target


def test_recolour_keeps_shading() -> None:
    image = np.full((100, 100, 3), 250, np.uint8)
    ramp = np.linspace(0.6, 1.0, 60)[None, :, None]
    image[20:80, 20:80] = np.round(np.array(RED) * ramp).astype(np.uint8)
    mask = np.zeros((100, 100), bool)
    mask[20:80, 20:80] = True
    out = ClassicalRecolorer().recolor(image, mask, BLUE)
    before = rgb_to_lab(image[25:75, 25:75])[..., 0]
    after = rgb_to_lab(out[25:75, 25:75])[..., 0]
    assert np.corrcoef(before.ravel(), after.ravel())[0, 1] > 0.98
    assert abs(after.std() - before.std()) < 0.35 * before.std()


def test_recolour_checks_inputs() -> None:
    image = np.full((1024, 1024, 3), 200, np.uint8)
    image, mask = draw_shape(image, "square", (100, 100, 424, 424), RED)  # a tenth of the image
    recolorer = ClassicalRecolorer()
    assert np.array_equal(recolorer.recolor(image, mask, BLUE)[~mask], image[~mask])
    with pytest.raises(EngineError, match="empty"):
        recolorer.recolor(image, np.zeros(mask.shape, bool), BLUE)
    with pytest.raises(EngineError):
        recolorer.recolor(image, mask, (300, 0, 0))


# --------------------------------------------------------------------------- filters


@pytest.mark.parametrize("name", ClassicalFilter.filters)
def test_every_filter_whole_and_masked(name: str, astronaut: np.ndarray) -> None:
    engine = ClassicalFilter()
    image = astronaut[::2, ::2].copy()
    out = engine.apply(image, name)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert np.abs(out.astype(int) - image.astype(int)).mean() > 1.0
    mask = np.zeros(image.shape[:2], bool)
    mask[40:160, 60:200] = True
    masked = engine.apply(image, name, mask=mask)
    assert (masked[~mask] == image[~mask]).all()
    inner = (slice(44, 156), slice(64, 196))  # beyond the feathered edge the filter is at full strength
    assert np.abs(masked[inner].astype(int) - image[inner].astype(int)).mean() > 1.0
    if name not in ("contrast", "soften_contrast", "cartoon"):  # these measure the whole image
        assert np.abs(masked[inner].astype(int) - out[inner].astype(int)).max() <= 1


def test_filter_strength_and_errors() -> None:
    engine = ClassicalFilter()
    image = data.coffee()
    weak, strong = engine.apply(image, "blur", strength=0.5), engine.apply(image, "blur", strength=1.8)
    assert np.abs(strong.astype(int) - image).mean() > np.abs(weak.astype(int) - image).mean()
    assert engine.apply(image, "brighten").mean() > image.mean() > engine.apply(image, "darken").mean()
    with pytest.raises(EngineError, match="known filters: blur"):
        engine.apply(image, "vaporwave")
    with pytest.raises(EngineError):
        engine.apply(image, "blur", strength=0)
    with pytest.raises(EngineError, match="empty"):
        engine.apply(image, "blur", mask=np.zeros(image.shape[:2], bool))


def test_tone_filters_change_every_photo_pixel_set_and_keep_the_size() -> None:
    image = cv2.resize(data.astronaut(), (1024, 1024))
    engine = ClassicalFilter()
    for name in ("brighten", "contrast", "saturate", "grayscale", "sepia", "warm", "invert"):
        out = engine.apply(image, name)
        assert out.shape == image.shape and out.dtype == np.uint8, name
        assert np.abs(out.astype(int) - image).mean() > 2, name


# --------------------------------------------------------------------------- text and boxes


def test_text_fills_its_box() -> None:
    image = np.full((200, 400, 3), 255, np.uint8)
    drawer = PillowTextDrawer()
    out, mask = drawer.draw(image, "SALE", (50, 40, 350, 160), rgb=(200, 0, 0))
    ys, xs = np.nonzero(mask)
    assert xs.min() >= 50 and xs.max() < 350 and ys.min() >= 40 and ys.max() < 160
    # The largest size that fits: the text spans most of the box one way or the other.
    assert (xs.max() - xs.min()) > 0.8 * 300 or (ys.max() - ys.min()) > 0.7 * 120
    assert (out[~mask] == 255).all() or np.abs(out[~mask].astype(int) - 255).max() < 255
    assert color_name(tuple(int(v) for v in np.median(out[mask], axis=0))) == "red"


def test_long_text_wraps_in_a_tall_box() -> None:
    image = np.full((300, 300, 3), 255, np.uint8)
    _, mask = PillowTextDrawer().draw(image, "big summer sale now on", (20, 20, 160, 280), rgb=(0, 0, 0))
    rows = np.nonzero(mask.any(axis=1))[0]
    gaps = np.diff(rows)
    assert (gaps > 1).any()  # more than one line
    assert mask[:, 160:].sum() == 0


def test_text_errors_and_box_outline() -> None:
    image = np.full((100, 100, 3), 255, np.uint8)
    with pytest.raises(EngineError):
        PillowTextDrawer().draw(image, "  ", (0, 0, 50, 50))
    with pytest.raises(EngineError, match="outside"):
        PillowTextDrawer().draw(image, "hi", (200, 200, 300, 300))
    out = draw_box(image, (10, 20, 60, 80), (255, 0, 0), width=3)
    assert (out[20:23, 10:60] == (255, 0, 0)).all() and (out[77:80, 10:60] == (255, 0, 0)).all()
    assert (out[23:77, 13:57] == 255).all() and (out[:20] == 255).all() and (out[:, 60:] == 255).all()


# --------------------------------------------------------------------------- insertion


@pytest.mark.parametrize("noun", SHAPES)
def test_inserted_shapes_fill_their_box_and_are_found_again(noun: str) -> None:
    image = np.full((240, 320, 3), 230, np.uint8)
    box = (40, 30, 200, 150) if noun in ("ellipse", "rectangle", "diamond", "triangle") else (40, 30, 160, 150)
    out, mask = ClassicalInserter().insert(image, box, InsertSpec(noun=noun, color="purple"))
    ys, xs = np.nonzero(mask)
    assert xs.min() >= box[0] and ys.min() >= box[1] and xs.max() < box[2] and ys.max() < box[3]
    far = ~cv2.dilate(mask.astype(np.uint8), np.ones((5, 5))).astype(bool)
    assert np.abs(out[far].astype(int) - 230).max() <= 12  # at most a faint anti-aliased fringe
    (det,) = parse_scene(out)
    assert det.noun == noun and det.color == "purple"
    again, _ = draw_shape(image, noun, box, PALETTE["purple"])
    assert (again == out).all()  # the renderer is deterministic and shared


@pytest.mark.parametrize("noun", OBJECTS)
def test_composite_objects_are_drawn(noun: str) -> None:
    image = np.full((200, 200, 3), 128, np.uint8)
    out, mask = ClassicalInserter().insert(image, (30, 30, 170, 170), InsertSpec(noun=noun))
    assert 0.15 < mask[30:170, 30:170].mean() and not mask[:30].any() and not mask[170:].any()
    assert (out[~cv2.dilate(mask.astype(np.uint8), np.ones((3, 3))).astype(bool)] == 128).all()


def test_reference_images_are_blended(astronaut: np.ndarray) -> None:
    image = np.full((200, 200, 3), 200, np.uint8)
    alpha = np.zeros((50, 50), np.uint8)
    cv2.circle(alpha, (25, 25), 20, 255, -1)
    logo = np.dstack([np.full((50, 50, 3), BLUE, np.uint8), alpha])
    out, mask = ClassicalInserter().insert(image, (50, 50, 150, 150), InsertSpec(reference=logo))
    assert mask[100, 100] and not mask[52, 52]
    assert color_name(tuple(int(v) for v in out[100, 100])) == "blue" and (out[52, 52] == 200).all()
    photo = astronaut[::4, ::4]
    out, mask = ClassicalInserter().insert(image, (20, 20, 120, 120), InsertSpec(reference=photo))
    assert (out[~mask] == image[~mask]).all() and mask.sum() == 100 * 100
    assert np.abs(out[mask].astype(int) - 200).mean() > 5


def test_insertion_errors() -> None:
    image = np.full((100, 100, 3), 200, np.uint8)
    inserter = ClassicalInserter()
    with pytest.raises(EngineError, match="cannot draw"):
        inserter.insert(image, (10, 10, 50, 50), InsertSpec(noun="giraffe"))
    with pytest.raises(EngineError, match="outside"):
        inserter.insert(image, (150, 150, 190, 190), InsertSpec(noun="circle"))
    with pytest.raises(EngineError, match="empty"):
        inserter.insert(image, (50, 50, 50, 80), InsertSpec(noun="circle"))
    with pytest.raises(EngineError, match="colour"):
        inserter.insert(image, (10, 10, 50, 50), InsertSpec(noun="circle", color="plaid"))


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("kind", ["plain", "gradient", "noise"])
def test_moving_an_object_keeps_its_shape_and_colour(kind: str) -> None:
    _, image = _scene_on(kind)
    (star,) = [d for d in parse_scene(image) if d.noun == "star"]
    moved, mask = transform_object(image, star.mask, dx=50, dy=-40, inpainter=ClassicalInpainter())
    found = [d for d in parse_scene(moved) if d.noun == "star" and d.color == "red"]
    assert len(found) == 1
    x0, y0, x1, y1 = star.box
    assert all(abs(a - b) <= 2 for a, b in zip(found[0].box, (x0 + 50, y0 - 40, x1 + 50, y1 - 40), strict=True))
    assert _iou(found[0].mask, mask) > 0.9


def test_scale_rotate_flip_and_clip() -> None:
    image = np.full((300, 300, 3), 240, np.uint8)
    image, mask = draw_shape(image, "rectangle", (100, 120, 200, 170), BLUE)
    inpainter = ClassicalInpainter()
    bigger, big_mask = transform_object(image, mask, scale=1.5, inpainter=inpainter)
    assert 2.0 < big_mask.sum() / mask.sum() < 2.5
    turned, turned_mask = transform_object(image, mask, angle=90, inpainter=inpainter)
    ys, xs = np.nonzero(turned_mask)
    assert np.ptp(ys) > 1.6 * np.ptp(xs)
    (det,) = parse_scene(turned)
    assert det.noun == "rectangle"
    tri_image, tri = draw_shape(np.full((200, 200, 3), 240, np.uint8), "triangle", (50, 50, 150, 150), RED)
    flipped, flipped_mask = transform_object(tri_image, tri, flip="vertical", inpainter=inpainter)
    assert (flipped_mask == tri[::-1]).sum() / flipped_mask.size > 0.99  # apex now at the bottom
    clipped, clipped_mask = transform_object(image, mask, dx=150, inpainter=inpainter)
    assert 0 < clipped_mask.sum() < mask.sum() and clipped_mask[:, -1].any()
    gone, gone_mask = transform_object(image, mask, dx=500, inpainter=inpainter)
    assert not gone_mask.any() and color_name(tuple(int(v) for v in gone[145, 150])) != "blue"
    avoid = np.zeros(mask.shape, bool)
    avoid[:, 150:] = True
    _, partial = transform_object(image, mask, dx=20, inpainter=inpainter, avoid_mask=avoid)
    assert not partial[:, 150:].any()


def test_whole_image_transforms() -> None:
    image = shapes_scene()
    assert (rotate_image(image, 90)[:, ::-1] == image.transpose(1, 0, 2)).all()  # clockwise quarter turn
    assert (rotate_image(rotate_image(image, 90), -90) == image).all()
    turned = rotate_image(image, 30)
    assert turned.shape[0] > image.shape[0] and turned.shape[1] > image.shape[1]
    assert (turned[0, 0] == 255).all()
    assert rotate_image(image, 30, expand=False).shape == image.shape
    mask = np.zeros(image.shape[:2], bool)
    mask[10:50, 10:90] = True
    assert rotate_image(mask, 30).dtype == bool
    assert (flip_image(flip_image(image, "horizontal"), "horizontal") == image).all()
    assert (flip_image(image, "vertical")[0] == image[-1]).all()
    assert crop(image, (10, 20, 110, 70)).shape == (50, 100, 3)
    assert crop(image, (-10, -10, 30, 30)).shape == (30, 30, 3)
    with pytest.raises(EngineError):
        crop(image, (900, 900, 1000, 1000))
    with pytest.raises(EngineError):
        flip_image(image, "diagonal")  # type: ignore[arg-type]
    with pytest.raises(EngineError, match="empty"):
        transform_object(image, np.zeros(image.shape[:2], bool), dx=5, inpainter=ClassicalInpainter())


def test_detections_compare_by_identity() -> None:
    """Two detections with the same box are still two objects; comparing them never touches the masks."""
    from engines.base import Detection

    first = Detection(mask=np.ones((4, 4), bool), box=(0, 0, 4, 4))
    twin = Detection(mask=np.ones((4, 4), bool), box=(0, 0, 4, 4))
    assert first in [first] and twin not in [first] and first != twin


def test_paint_chart_colour_names_are_colours_of_the_nearest_palette_hue():
    from engines.classical.colors import canonical_color

    said = {"mauve": "purple", "taupe": "brown", "cerulean": "blue", "vermilion": "red", "chartreuse": "green"}
    assert {word: canonical_color(word) for word in said} == said
    assert canonical_color("cup") is None
