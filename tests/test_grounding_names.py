"""Named things are grounded precisely: a yellow disc may be a sun, a purple or blue one is not; a red
balloon (an ellipse with its string) is a balloon, a blue circle is not."""

from __future__ import annotations

import numpy as np

from engines.classical.colors import PALETTE
from engines.classical.grounding import ClassicalGrounder
from engines.classical.insertion import draw_object, draw_shape


def _scene(*shapes: tuple[str, str, tuple[int, int, int, int]]) -> np.ndarray:
    image = np.full((240, 360, 3), 236, np.uint8)
    for noun, color, box in shapes:
        draw = draw_object if noun == "balloon" else draw_shape
        image, _ = draw(image, noun, box, PALETTE[color])
    return image


def _centres(detections) -> list[float]:
    return sorted((d.box[0] + d.box[2]) / 2 for d in detections)


def test_only_a_sun_coloured_disc_is_a_sun():
    image = _scene(("circle", "yellow", (20, 60, 100, 140)), ("circle", "purple", (140, 60, 220, 140)),
                   ("circle", "blue", (260, 60, 340, 140)))
    suns = ClassicalGrounder().ground(image, "sun")
    assert len(suns) == 1 and abs(_centres(suns)[0] - 60) < 10


def test_a_balloon_has_its_string_and_a_blue_circle_is_none():
    image = _scene(("balloon", "red", (40, 30, 120, 200)), ("circle", "blue", (220, 60, 300, 140)))
    balloons = ClassicalGrounder().ground(image, "balloon")
    assert len(balloons) == 1 and _centres(balloons)[0] < 150


def test_an_ellipse_without_a_string_is_no_balloon():
    image = _scene(("ellipse", "red", (40, 30, 120, 170)))
    assert ClassicalGrounder().ground(image, "balloon") == []
