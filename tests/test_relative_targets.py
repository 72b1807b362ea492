"""Targets described by another thing: "remove the circle next to the square" picks that circle,
"the circle left of the star" the one on that side; an anchor that is not there is named in the refusal."""

from __future__ import annotations

import numpy as np
import pytest

from agents.errors import TargetNotFound
from agents.relations import related
from engines.classical.scene import parse_scene
from graph import Editor
from tests.scenes import scene

# Two red circles, a blue square near the right one, a yellow star near the left one.
PICTURE = (("circle", "red", (20, 110, 70, 160)), ("circle", "red", (200, 110, 250, 160)),
           ("square", "blue", (260, 40, 300, 80)), ("star", "yellow", (80, 20, 130, 70)))


@pytest.fixture
def editor():
    with Editor(store="memory://") as editor:
        yield editor


def _circles(image) -> list[tuple[int, int, int, int]]:
    return sorted(d.box for d in parse_scene(np.asarray(image)) if d.noun == "circle")


@pytest.mark.parametrize("text,kept_x", [
    ("remove the circle next to the square", 20),   # the right circle goes
    ("remove the circle beside the star", 200),     # the left circle goes
    ("remove the circle left of the square", 20),   # both are left of it: the closer one goes
])
def test_the_relation_picks_which_one(editor, text, kept_x):
    result = editor.session().send(text, image=scene(*PICTURE))
    left = _circles(result.image)
    assert result.passed and len(left) == 1 and abs(left[0][0] - kept_x) <= 4


def test_the_relation_is_kept_in_the_intent(editor):
    result = editor.session().send("make the circle under the star green", image=scene(*PICTURE))
    target = result.intent.clauses[0].target
    assert target.relation is not None and (target.relation.rel, target.relation.anchor.noun) == ("below", "star")
    assert result.passed


def test_an_anchor_that_is_not_there_is_named(editor):
    with pytest.raises(TargetNotFound, match="hexagon"):
        editor.session().send("remove the circle next to the hexagon", image=scene(*PICTURE))


def test_related_keeps_near_ties_and_respects_the_side():
    boxes = [(0, 0, 10, 10), (100, 0, 110, 10), (0, 100, 10, 110)]
    assert related(boxes, (40, 0, 60, 10), "right_of") == [1]
    assert related(boxes, (40, 40, 60, 60), "below") == [2]
    assert related(boxes, (200, 200, 210, 210), "left_of")[0] in (1, 2)
    assert related(boxes, (500, 0, 510, 10), "right_of") == []
