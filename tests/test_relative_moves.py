"""Moves relative to another thing: done where there is room, refused with the reason where there is none
(never a false 'Done' that leaves the thing on top of the other)."""

from __future__ import annotations

import numpy as np
import pytest

from agents.errors import InstructionError
from engines.classical.colors import PALETTE
from engines.classical.insertion import draw_shape
from engines.classical.scene import parse_scene
from graph import Editor


def _scene(star_box, circle_box) -> np.ndarray:
    image = np.full((288, 384, 3), 236, np.uint8)
    image, _ = draw_shape(image, "star", star_box, PALETTE["yellow"])
    image, _ = draw_shape(image, "circle", circle_box, PALETTE["blue"])
    return image


@pytest.fixture
def editor():
    with Editor(store="memory://") as editor:
        yield editor


def test_a_move_below_another_thing_lands_below_it(editor):
    image = _scene((280, 200, 340, 260), (60, 40, 120, 100))
    result = editor.session().send("move the star below the circle", image=image)
    found = {d.noun: d.box for d in parse_scene(np.asarray(result.image))}
    assert result.passed and found["star"][1] >= found["circle"][3] - 4


def test_little_room_below_shrinks_the_thing_to_fit_and_says_so(editor):
    image = _scene((60, 20, 120, 80), (200, 180, 260, 240))  # 48 px below the circle for a 60 px star
    result = editor.session().send("move the star below the circle", image=image)
    found = {d.noun: d.box for d in parse_scene(np.asarray(result.image))}
    assert result.passed and found["star"][1] >= found["circle"][3] - 4 and found["star"][3] <= 288
    assert "smaller to fit" in result.reply


def test_no_room_below_is_refused_with_the_reason(editor):
    image = _scene((60, 20, 120, 80), (200, 236, 250, 286))  # the circle sits on the bottom edge
    session = editor.session()
    with pytest.raises(InstructionError, match="no room below the circle"):
        session.send("move the star below the circle", image=image)
    # the picture sent with the refused message stays; the next message edits it
    result = session.send("move the star to the right of the circle")
    found = {d.noun: d.box for d in parse_scene(np.asarray(result.image))}
    assert found["star"][0] >= found["circle"][2] - 4
