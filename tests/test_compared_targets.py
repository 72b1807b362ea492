"""Changes told by another thing: "the same colour as the star", "as big as the square", "smaller
than the triangle". The anchor is grounded when the plan is made; the colour taken is the anchor's
own pixel colour, and the size is compared by area. The intents are handed over as the parser hands
them (docs/intent.md), so the operations are tested apart from the grammar's words for them.
"""

from __future__ import annotations

import numpy as np
import pytest

from agents.errors import TargetNotFound
from graph import Editor
from state.models import IntentClause, OpKind, TargetSpec
from tests.phrasebook import phrasebook_editor
from tests.scenes import found, scene

CIRCLE = TargetSpec(phrase="the circle", noun="circle")
SQUARE = TargetSpec(phrase="the square", noun="square")
TRIANGLE = TargetSpec(phrase="the triangle", noun="triangle")
PHRASES = {
    "make the circle the same colour as the square": IntentClause(
        op=OpKind.RECOLOR, target=CIRCLE, params={"like": SQUARE.model_dump(exclude_defaults=True)}),
    "make the circle as big as the square": IntentClause(
        op=OpKind.RESIZE, target=CIRCLE, params={"relative_to": {"anchor": SQUARE.model_dump(exclude_defaults=True),
                                                                 "compare": "same"}}),
    "make the square smaller than the triangle": IntentClause(
        op=OpKind.RESIZE, target=SQUARE, params={"relative_to": {"anchor": TRIANGLE.model_dump(exclude_defaults=True),
                                                                 "compare": "smaller"}}),
    "make the circle the colour of the star": IntentClause(
        op=OpKind.RECOLOR, target=CIRCLE, params={"like": {"phrase": "the star", "noun": "star"}}),
}


@pytest.fixture()
def editor():
    with phrasebook_editor(PHRASES) as instance:
        yield instance


def _area(detection) -> int:
    return int(detection.mask.sum())


def test_a_colour_taken_from_another_thing_is_its_own_colour(editor):
    teal = scene(("circle", "red", (30, 90, 100, 160)), ("square", "cyan", (200, 90, 270, 160)))
    teal[90:160, 200:270] = (20, 150, 140)  # a teal square: the palette's cyan is brighter
    result = editor.session().send("make the circle the same colour as the square", image=teal)
    assert result.passed, result.reply
    op = result.plan.operations[0]
    assert op.params["rgb"] == [20, 150, 140] and op.params["color"] == "cyan"
    inside = np.asarray(result.image)[115:135, 55:75].reshape(-1, 3)
    assert np.abs(np.median(inside, axis=0) - (20, 150, 140)).max() <= 25


def test_same_size_and_smaller_than_another_thing(editor):
    image = scene(("circle", "red", (30, 100, 70, 140)), ("square", "blue", (180, 80, 260, 160)),
                  ("triangle", "green", (120, 10, 170, 60)))
    session = editor.session()
    result = session.send("make the circle as big as the square", image=image)
    (circle,), (square,) = found(result.image, "circle", "red"), found(result.image, "square", "blue")
    assert result.passed and 0.8 <= _area(circle) / _area(square) <= 1.25  # as big: the same area
    result = session.send("make the square smaller than the triangle")
    (square,), (triangle,) = found(result.image, "square", "blue"), found(result.image, "triangle", "green")
    assert result.passed and _area(square) < 0.9 * _area(triangle)


def test_an_anchor_that_is_not_there_is_named(editor):
    image = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))
    with pytest.raises(TargetNotFound, match="star"):
        editor.session().send("make the circle the colour of the star", image=image)


@pytest.mark.parametrize(("text", "op", "params"), [
    ("make the circle the same colour as the square", "recolor", {"like": {"phrase": "the square", "noun": "square"}}),
    ("paint her hat the same color as the red car", "recolor",
     {"like": {"phrase": "the red car", "noun": "car", "colors": ["red"]}}),
    ("make the circle the colour of the star", "recolor", {"like": {"phrase": "the star", "noun": "star"}}),
    ("change the colour of the circle to blue", "recolor", {"color": "blue"}),
    ("make the lamp as big as the vase", "resize",
     {"relative_to": {"anchor": {"phrase": "the vase", "noun": "vase"}, "compare": "same"}}),
    ("make the tree the same size as the house", "resize",
     {"relative_to": {"anchor": {"phrase": "the house", "noun": "house"}, "compare": "same"}}),
    ("could you make the dog a bit smaller than the cat", "resize",
     {"relative_to": {"anchor": {"phrase": "the cat", "noun": "cat"}, "compare": "smaller"}}),
    ("make the circle as big as possible", "resize", {"factor": 10.0}),
])
def test_the_grammar_reads_colours_and_sizes_told_by_another_thing(text, op, params):
    from agents.parsing import OfflineIntentParser
    from agents.types import ParseRequest

    (parsed,) = OfflineIntentParser().parse(ParseRequest(text=text)).clauses
    assert parsed.op.value == op and parsed.params == params


def test_said_in_words_end_to_end():
    image = scene(("circle", "red", (30, 100, 70, 140)), ("square", "blue", (180, 80, 260, 160)))
    with Editor(store="memory://") as editor:
        session = editor.session()
        result = session.send("make the circle the same colour as the square", image=image)
        assert result.passed and found(result.image, "circle", "blue")
        result = session.send("now make it as big as the square")
        (circle,), (square,) = found(result.image, "circle", "blue"), found(result.image, "square", "blue")
        assert result.passed and 0.8 <= _area(circle) / _area(square) <= 1.25


@pytest.mark.parametrize(("text", "noun", "params"), [
    ("I need the square moved left", "square", {"direction": "left", "degree": "normal"}),
    ("i'd like the lamp shifted up a bit", "lamp", {"direction": "up", "degree": "bit"}),
    ("could I have the vase nudged right", "vase", {"direction": "right", "degree": "bit"}),
])
def test_a_wish_with_a_move_participle_moves_the_thing(text, noun, params):
    """The participle ends the thing's name ('the square moved' is no thing called 'moved')."""
    from agents.parsing import OfflineIntentParser
    from agents.types import ParseRequest

    (parsed,) = OfflineIntentParser().parse(ParseRequest(text=text)).clauses
    assert parsed.op.value == "move" and parsed.target.noun == noun
    assert params.items() <= parsed.params.items()
