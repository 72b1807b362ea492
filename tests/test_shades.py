"""A colour said as a shade of a palette hue ("navy", "teal", "beige") is painted as that shade, told
in the reply by its name, and checked (this turn and later) as the palette hue nearest it."""

from __future__ import annotations

import numpy as np
import pytest

from engines.classical.colors import SHADE_RGB, color_distance
from graph import Editor
from tests.scenes import scene

TWO = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


@pytest.mark.parametrize("shade", ["navy", "teal", "beige", "olive"])
def test_a_shade_is_painted_as_itself(shade):
    with Editor(store="memory://") as editor:
        session = editor.session()
        result = session.send(f"make the circle {shade}", image=scene(*TWO))
        assert result.passed and shade in result.reply
        inside = np.asarray(result.image)[110:140, 50:80].reshape(-1, 3)
        median = tuple(int(v) for v in np.median(inside, axis=0))
        assert color_distance(median, SHADE_RGB[shade]) <= 12
        after = session.send("move the square left a bit")  # the shade's standing constraint holds
        assert after.passed


def test_a_palette_colour_is_still_the_palette_colour():
    with Editor(store="memory://") as editor:
        result = editor.session().send("make the circle green", image=scene(*TWO))
    op = result.plan.operations[0]
    assert result.passed and "shade" not in op.params and op.params["color"] == "green"
