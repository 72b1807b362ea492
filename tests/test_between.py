"""'Between': a thing added or moved between two others ("between the circle and the square",
"between the two circles") lands where it stands between them; "between" one thing is a clear
question, and no anchor is ever added as a thing of its own."""

from __future__ import annotations

import pytest

from agents.errors import InstructionError
from graph import Editor
from tests.scenes import center, found, scene

CIRCLE, SQUARE = ("circle", "red", (20, 100, 80, 160)), ("square", "blue", (240, 100, 300, 160))


def _between(box, a, b) -> bool:
    (x, y), (ax, ay), (bx, by) = center(box), center(a), center(b)
    return min(ax, bx) < x < max(ax, bx) and abs(y - (ay + by) / 2) <= 12


def test_a_thing_added_between_two_named_things():
    with Editor(store="memory://") as editor:
        result = editor.session().send("put a yellow star between the circle and the square",
                                       image=scene(CIRCLE, SQUARE))
    (star,), (circle,), (square,) = found(result.image, "star"), found(result.image, "circle"), found(result.image, "square")
    assert result.passed and _between(star, circle, square)


def test_a_thing_moved_between_two_of_a_kind():
    image = scene(("circle", "red", (20, 150, 70, 200)), ("circle", "red", (250, 150, 300, 200)),
                  ("triangle", "green", (140, 10, 190, 60)))
    with Editor(store="memory://") as editor:
        result = editor.session().send("move the triangle between the two circles", image=image)
    (triangle,) = found(result.image, "triangle")
    circles = found(result.image, "circle")
    assert result.passed and len(circles) == 2 and _between(triangle, circles[0], circles[1])


def test_between_one_thing_says_it_needs_two():
    with Editor(store="memory://") as editor, pytest.raises(InstructionError, match="needs two"):
        editor.session().send("add a star between the circles", image=scene(CIRCLE, SQUARE))
