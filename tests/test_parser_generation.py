"""The picture grammar: generate (no image yet), variations, pick, refine — table-driven."""

from __future__ import annotations

import pytest

from agents.errors import UnparseableInstruction
from agents.parsing import OfflineIntentParser
from agents.types import ParseRequest
from state.models import OpKind, Turn, TurnKind, Version

PARSER = OfflineIntentParser()
HEAD = Version(id="v1", image_ref="x", width=320, height=240, turn=1)


def parse(text: str, head: Version | None = None, turns: list[Turn] = ()):
    return PARSER.parse(ParseRequest(text=text, head=head, recent_turns=list(turns)))


def _objects(intent):
    return [(c.params["noun"], c.params["color"], c.params.get("relation", {}).get("rel"),
             c.params.get("position"), c.params.get("size"), c.params["count"])
            for c in intent.clauses if c.op == OpKind.INSERT]


@pytest.mark.parametrize(("text", "background", "size", "objects"), [
    ("a yellow sun above a blue square on a gradient sky", {"kind": "gradient", "color": None, "ground": None}, {},
     [("sun", "yellow", "above", None, None, 1)]),
    ("draw a red balloon over a green hill at sunset", {"kind": "sunset", "color": None, "ground": None}, {},
     [("balloon", "red", "above", None, None, 1)]),
    ("three red stars on a black background", {"kind": "plain", "color": "black", "ground": None}, {},
     [("star", "red", None, None, None, 3)]),
    ("a house on a green hill with grass, 640x480", {"kind": "sky", "color": None, "ground": "green"},
     {"width": 640, "height": 480}, [("house", None, "on", None, None, 1)]),
    ("create an image of a small purple circle in the top left and a large orange square at night",
     {"kind": "night", "color": None, "ground": None}, {},
     # as in "add …": a target with no place of its own shares the one before it
     [("circle", "purple", None, "top-left", "small", 1), ("square", "orange", None, "top-left", "large", 1)]),
    ("paint a white cloud next to a yellow moon", {"kind": "sky", "color": None, "ground": None}, {},
     [("cloud", "white", "next_to", None, None, 1)]),
    ("a blue triangle below a red heart on a pink gradient, 300 by 200 pixels",
     {"kind": "gradient", "color": "pink", "ground": None}, {"width": 300, "height": 200},
     [("triangle", "blue", "below", None, None, 1)]),
    ("please generate a tree and a flower in a blue sky, landscape", {"kind": "sky", "color": "blue", "ground": None},
     {"width": 640, "height": 360}, [("tree", None, None, None, None, 1), ("flower", None, None, None, None, 1)]),
])
def test_generate(text, background, size, objects):
    intent = parse(text)
    assert intent.kind == "generate"
    canvas = intent.clauses[0]
    assert canvas.op == OpKind.GENERATE and canvas.params == {"background": background, **size}
    assert _objects(intent) == objects


@pytest.mark.parametrize("text", ["remove the red circle", "make it blue", "undo", "do the same to the square",
                                  "actually make it red instead"])
def test_edits_without_an_image_are_not_pictures(text):
    try:
        intent = parse(text)
    except UnparseableInstruction:
        return
    assert intent.kind in ("edit", "history")


def test_unknown_words_in_a_description_are_reported():
    with pytest.raises(UnparseableInstruction) as info:
        parse("a red circle flurbing over a zorgle")
    assert "flurbing" in info.value.unknown_words


@pytest.mark.parametrize(("text", "count"), [
    ("show me three versions", 3), ("give me 3 variations", 3), ("try a few options", 3),
    ("show me 5 alternatives", 5), ("a couple of variations", 2), ("variations", 3), ("give me 20 options", 8),
    ("can you show me some other versions of it", 3), ("try several variants", 4),
])
def test_variations(text, count):
    intent = parse(text, HEAD)
    assert (intent.kind, intent.count) == ("variations", count)


def test_variations_need_a_picture():
    with pytest.raises(UnparseableInstruction, match="no picture yet"):
        parse("show me three versions")


def _offered(candidates=3) -> Turn:
    return Turn(index=2, message="show me three versions", kind=TurnKind.VARIATIONS, version_id="c1",
                candidate_versions=[f"c{i + 1}" for i in range(candidates)])


@pytest.mark.parametrize(("text", "pick"), [
    ("the second one", 2), ("I like the third", 3), ("pick 2", 2), ("option 1", 1), ("the last one", -1),
    ("go with number 3", 3), ("I'll take the first one", 1), ("2", 2), ("let's use the second version", 2),
])
def test_pick(text, pick):
    head = HEAD.model_copy(update={"id": "c1"})
    intent = parse(text, head, [_offered()])
    assert (intent.kind, intent.pick) == ("pick", pick)


def test_pick_only_while_a_choice_is_open():
    edit = Turn(index=3, message="make it blue", kind=TurnKind.EDIT, version_id="v9")
    head = HEAD.model_copy(update={"id": "v9"})
    with pytest.raises(UnparseableInstruction):
        parse("the second one", head, [_offered(), edit])
    back = HEAD.model_copy(update={"id": "c1"})  # undone back to the choice: open again
    assert parse("the second one", back, [_offered(), edit]).pick == 2


@pytest.mark.parametrize(("text", "params"), [
    ("upscale to 2x", {"mode": "upscale", "factor": 2.0}),
    ("upscale the image 4x", {"mode": "upscale", "factor": 4.0}),
    ("upscale it", {"mode": "upscale", "factor": 2.0}),
    ("4x upscale", {"mode": "upscale", "factor": 4.0}),
    ("increase the resolution by 3 times", {"mode": "upscale", "factor": 3.0}),
    ("make it print-size", {"mode": "upscale", "factor": None, "purpose": "print"}),
    ("make it bigger for printing", {"mode": "upscale", "factor": None, "purpose": "print"}),
    ("enhance the details", {"mode": "sharpen", "strength": 1.0}),
    ("restyle as watercolor", {"mode": "style", "style": "watercolor", "strength": 0.4}),
    ("make it look like a painting", {"mode": "style", "style": "painting", "strength": 0.4}),
    ("turn it into an oil painting", {"mode": "style", "style": "oil painting", "strength": 0.4}),
    ("make it look like a pencil drawing a bit", {"mode": "style", "style": "pencil", "strength": 0.25}),
])
def test_refine(text, params):
    intent = parse(text, HEAD)
    clause = intent.clauses[0]
    assert (intent.kind, clause.op, clause.target.scope, clause.params) == ("edit", OpKind.REFINE, "image", params)


@pytest.mark.parametrize(("text", "op"), [("make it sharper", OpKind.FILTER), ("denoise", OpKind.FILTER),
                                          ("make the photo look vintage", OpKind.FILTER)])
def test_filters_stay_filters(text, op):
    assert parse(text, HEAD).clauses[0].op == op
