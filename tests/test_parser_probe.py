"""Everyday phrasings the probe corpus (evals/language/probe.jsonl) measures, by their general rule:
new settings, postures, a thing named first, counts and replacements said other ways. Each rule is
checked on words the probe does not use, and next to the look-alike it must leave alone."""

from __future__ import annotations

import pytest

from agents.parsing import OfflineIntentParser
from agents.types import ParseRequest
from state.models import Version

PARSER = OfflineIntentParser()
OPEN = Version(id="v0", image_ref="0" * 64, width=640, height=480, turn=0)
_SHOWN = ("noun", "color", "scene", "gradient", "direction", "position", "count", "delta", "factor", "material", "filter")


def said(text: str) -> list[tuple]:
    """(op, target noun or scope, the parameters that matter, the relation said) of each clause."""
    out = []
    for c in PARSER.parse(ParseRequest(text=text, head=OPEN)).clauses:
        params = {k: v for k, v in c.params.items() if k in _SHOWN and v is not None}
        relation = c.params.get("relation")
        rel = (relation["rel"], relation["anchor"].get("noun")) if isinstance(relation, dict) else None
        out.append((c.op.value, c.target.noun or c.target.scope, params, rel))
    return out


@pytest.mark.parametrize("text,scene", [
    ("move the horse to a meadow", "meadow"),
    ("take him to a castle", "castle"),
    ("put the couple in front of a lighthouse tower", "lighthouse tower"),
    ("i want them sitting in a restaurant", "restaurant"),
    ("can the bike be at the harbor", "harbor"),
    ("make it look like we are in tokyo", "tokyo"),
    ("set it in a library", "library"),
    ("have the girl posing in a garden", "garden"),
])
def test_a_new_setting_for_what_is_there_is_a_background(text: str, scene: str) -> None:
    assert said(text) == [("background", "background", {"scene": scene}, None)]


@pytest.mark.parametrize("text,expected", [
    ("put a dog in a park", ("insert", "dog")),  # a new thing, added
    ("put the lamp on the desk", ("move", "lamp")),  # a desk is no setting
    ("move the cat to the left", ("move", "cat")),
])
def test_look_alikes_of_a_setting_stay_what_they_were(text: str, expected: tuple) -> None:
    assert [c[:2] for c in said(text)] == [expected]


@pytest.mark.parametrize("text,rel", [
    ("have the puppy sit beside the bench", ("next_to", "bench")),
    ("make the girl stand under the tree", ("below", "tree")),
    ("the book should be lying on the desk", ("on", "desk")),
    ("let the owl perch above the door", ("above", "door")),
])
def test_a_posture_before_a_place_is_a_move(text: str, rel: tuple) -> None:
    [(op, _noun, _params, got)] = said(text)
    assert (op, got) == ("move", rel)


@pytest.mark.parametrize("text,expected", [
    ("give the horse a saddle", [("insert", "saddle", {"noun": "saddle", "count": 1}, ("on", "horse"))]),
    ("the scene needs a moon above the hill",
     [("insert", "moon", {"noun": "moon", "count": 1}, ("above", "hill"))]),
    ("i want two lamps in the bottom left",
     [("insert", "lamp", {"noun": "lamp", "count": 2, "position": "bottom-left"}, None)]),
])
def test_new_things_placed(text: str, expected: list) -> None:
    assert said(text) == expected


def test_give_a_look_is_not_a_thing_put_on() -> None:
    assert said("give the fence a white color")[0][0] == "recolor"


@pytest.mark.parametrize("text,expected", [
    ("the lamp: make it a candle", [("replace", "lamp", {"noun": "candle"}, None)]),
    ("the cake looks small, double its size", [("resize", "cake", {"factor": 2.0}, None)]),
    ("there are 3 ducks, make it 5", [("count", "duck", {"noun": "duck", "count": 5}, None)]),
])
def test_a_thing_named_first_is_what_it_means(text: str, expected: list) -> None:
    assert said(text) == expected


@pytest.mark.parametrize("text,expected", [
    ("the number of chairs should be 2", ("count", "chair", {"noun": "chair", "count": 2})),
    ("reduce the candles by two", ("count", "candle", {"noun": "candle", "delta": -2})),
    ("delete all the mugs except one", ("count", "mug", {"noun": "mug", "count": 1})),
    ("i want 4 ducks, not 3", ("count", "duck", {"noun": "duck", "count": 4})),
    ("substitute a pear for the apple", ("replace", "apple", {"noun": "pear"})),
    ("sub a kettle in for the teapot", ("replace", "teapot", {"noun": "kettle"})),
    ("the sofa needs replacing with a bench", ("replace", "sofa", {"noun": "bench"})),
    ("the car becomes a bus", ("replace", "car", {"noun": "bus"})),
])
def test_counts_and_replacements_said_other_ways(text: str, expected: tuple) -> None:
    assert [c[:3] for c in said(text)] == [expected]


def test_it_after_a_replacement_is_the_new_thing() -> None:
    [_, move] = said("swap the cup for a bowl and then move it left")
    assert move[:2] == ("move", "bowl")


def test_the_top_of_a_thing_and_of_the_picture() -> None:
    assert said("put a flag at the top of the castle")[0][3] == ("on", "castle")
    assert said("add a flag at the top of the image")[0][2]["position"] == "top"


@pytest.mark.parametrize("text,expected", [
    ("gradient background, green to white", ("background", {"gradient": ["green", "white"]})),
    ("a backdrop fading from red to black", ("background", {"gradient": ["red", "black"]})),
    ("delete the background and replace it with a harbor", ("background", {"scene": "harbor"})),
    ("change the scene to a jungle", ("background", {"scene": "jungle"})),
])
def test_backdrops_said_other_ways(text: str, expected: tuple) -> None:
    [(op, _noun, params, _rel)] = said(text)
    assert (op, params) == expected


@pytest.mark.parametrize("text,expected", [
    ("what if there were 5 kites?", ("count", "kite", {"noun": "kite", "count": 5})),
    ("cut down to two lamps", ("count", "lamp", {"noun": "lamp", "count": 2})),
    ("there should be no kites", ("remove", "kite", {})),
    ("my boss wants 3 lamps", ("count", "lamp", {"noun": "lamp", "count": 3})),
    ("gimme a kettle instead of the teapot", ("replace", "teapot", {"noun": "kettle"})),
    ("i want the sofa replaced by a bench", ("replace", "sofa", {"noun": "bench"})),
    ("put a kite in the boy's place", ("replace", "boy", {"noun": "kite"})),
])
def test_more_counts_and_replacements(text: str, expected: tuple) -> None:
    assert [c[:3] for c in said(text)] == [expected]


def test_the_picture_itself_places_nothing() -> None:
    assert said("add a kite to the picture") == [("insert", "kite", {"noun": "kite", "count": 1}, None)]
    assert said("make the scene brighter")[0][:2] == ("filter", "image")


@pytest.mark.parametrize(("text", "op", "noun", "color"), [
    ("make the car olive", "recolor", "car", "green"),
    ("paint the fence mint", "recolor", "fence", "green"),
    ("make the scarf mustard please", "recolor", "scarf", "yellow"),
    ("remove the olive", "remove", "olive", None),
    ("make the olive a bit bigger", "resize", "olive", None),
])
def test_colour_words_that_are_things_too(text, op, noun, color):
    from evals.language.run import OPEN  # an image to edit: with none, "paint …" makes a new picture

    (parsed,) = OfflineIntentParser().parse(ParseRequest(text=text, head=OPEN)).clauses
    assert (parsed.op.value, parsed.target.noun, parsed.params.get("color")) == (op, noun, color)


@pytest.mark.parametrize(("text", "nouns"), [
    ("remove the cat and the dog", ["cat", "dog"]),
    ("delete the cup and the lamp", ["cup", "lamp"]),
    ("remove the cat n the dog", ["cat", "dog"]),
    ("remove the lamp, the light is bad", ["lamp"]),  # a remark, not one more thing
    ("remove the cup and my mom loves it", ["cup"]),
])
def test_and_the_next_thing_is_one_more_target_unless_a_remark(text, nouns):
    from evals.language.run import OPEN

    clauses = OfflineIntentParser().parse(ParseRequest(text=text, head=OPEN)).clauses
    assert [(c.op.value, c.target.noun) for c in clauses] == [("remove", n) for n in nouns]
