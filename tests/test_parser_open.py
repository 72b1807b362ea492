"""The tolerant, open-vocabulary grammar: names of any thing, the everyday task types, how people type."""

from __future__ import annotations

import pytest

from agents.errors import UnparseableInstruction
from agents.parsing import OfflineIntentParser
from agents.types import ParseRequest
from state.models import Version

PARSER = OfflineIntentParser()
OPEN = Version(id="v0", image_ref="0" * 64, width=640, height=480, turn=0)  # an open picture, nothing known


def parse(text: str):
    return PARSER.parse(ParseRequest(text=text, head=OPEN))


def ops(text: str) -> list[tuple]:
    return [(c.op.value, c.target.noun, c.params) for c in parse(text).clauses]


@pytest.mark.parametrize("text,noun,modifiers,colors", [
    ("Remove fabric white sneakers", "sneaker", ["fabric"], ["white"]),
    ("remove the painted white leaf pattern", "pattern", ["painted", "leaf"], ["white"]),
    ("delete the metal black glasses frame", "frame", ["metal", "glasses"], ["black"]),
    ("remove the fire trucks", "truck", ["fire"], []),
])
def test_one_name_is_one_thing(text, noun, modifiers, colors):
    [clause] = parse(text).clauses
    assert (clause.target.noun, clause.target.modifiers, clause.target.colors) == (noun, modifiers, colors)


def test_possessives_and_her():
    [fur] = parse("blur the cat's fur").clauses
    assert (fur.target.noun, fur.target.possessor) == ("fur", "cat")
    [face] = parse("blur her face").clauses
    assert (face.target.noun, face.target.possessor) == ("face", "person")


@pytest.mark.parametrize("text,op,params", [
    ("replace the glove with a baseball glove", "replace", {"noun": "glove", "phrase": "baseball glove"}),
    ("swap the square for a red triangle", "replace", {"noun": "triangle", "phrase": "red triangle", "color": "red"}),
    ("I want a swan instead of the elephant", "replace", {"noun": "swan", "phrase": "swan"}),
    ("make the mug glass", "material", {"material": "glass"}),
    ("change the material of the shirt to leather", "material", {"material": "leather"}),
    ("change the background to a forest", "background", {"scene": "forest"}),
    ("put it on a plain white background", "background", {"color": "white"}),
    ("a gradient from white to blue behind everything", "background", {"gradient": ["white", "blue"]}),
    ("make it four mugs", "count", {"noun": "mug", "count": 4}),
    ("add two more stars", "count", {"noun": "star", "delta": 2}),
    ("keep only one circle", "count", {"noun": "circle", "count": 1}),
    ("change SALE to OPEN", "replace_text", {"old": "SALE", "new": "OPEN"}),
    ("replace the text 'Houston' with 'SOFTBALL'", "replace_text", {"old": "Houston", "new": "SOFTBALL"}),
])
def test_everyday_task_types(text, op, params):
    [(got_op, _, got_params)] = ops(text)
    assert got_op == op and {k: got_params.get(k) for k in params} == params


def test_relative_move_and_placement():
    [(op, noun, params)] = ops("move the mug to the right of the laptop")
    assert (op, noun, params["relation"]["rel"], params["relation"]["anchor"]["noun"]) == (
        "move", "mug", "right_of", "laptop")
    [(op, noun, params)] = ops("Add bench on the left of painted white leaf pattern")
    assert (op, noun, params["relation"]["anchor"]["noun"]) == ("insert", "bench", "pattern")


@pytest.mark.parametrize("text,op,color", [
    ("could the square be purple?", "recolor", "purple"),
    ("what if the circle was green", "recolor", "green"),
    ("make the star green — no wait, orange", "recolor", "orange"),
    ("paint it red, sorry, I meant blue", "recolor", "blue"),
])
def test_questions_wishes_and_second_thoughts(text, op, color):
    [(got, _, params)] = ops(text)
    assert (got, params["color"]) == (op, color)


@pytest.mark.parametrize("text", ["the red one has to go", "ditch it", "can the red one go?", "bin the mug",
                                  "I want the square gone", "that mug shouldn't be there"])
def test_removal_idioms(text):
    assert [c.op.value for c in parse(text).clauses] == ["remove"]


def test_typos_are_read_and_said_back():
    intent = parse("remvoe teh red circle")
    assert [c.op.value for c in intent.clauses] == ["remove"]
    assert "remvoe → remove" in intent.corrections
    # names are never "corrected" into grammar words, and a first letter is never changed
    assert parse("remove the cake").clauses[0].target.noun == "cake"
    assert parse("jump back to turn 3").kind == "history"


def test_keep_constraints_go_to_intent_keep():
    intent = parse("remove the circle but leave the square alone")
    assert [c.target.noun for c in intent.clauses] == ["circle"]
    assert [k.noun for k in intent.keep] == ["square"]
    assert parse("blur the background, keep everything else as is").keep[0].reference == "other"
    assert parse("make the background black and white but keep her in colour").keep[0].noun == "person"


def test_filler_reasons_and_feelings_never_refuse():
    for text in ("ugh, remove the circle", "tbh just make it even bigger", "get rid of the duck — it's for my mom",
                 "I love this photo but can you remove the star?", "make the square kinda red lol"):
        assert parse(text).clauses, text


@pytest.mark.parametrize("text,op,noun,color", [
    ("can you make the grass greener", "recolor", "grass", "green"),
    ("change her hair to blonde", "recolor", "hair", "yellow"),
])
def test_comparative_and_everyday_colours(text, op, noun, color):
    [(got, target, params)] = ops(text)
    assert (got, target, params["color"]) == (op, noun, color)


def test_where_a_thing_is_is_no_second_target():
    assert [c.target.noun for c in parse("remove the text from the sign").clauses] == ["text"]
    assert [c.target.noun for c in parse("get rid of the people in the background").clauses] == ["person"]
    intent = parse("blur everything but the face")
    assert [c.target.scope for c in intent.clauses] == ["image"] and [k.noun for k in intent.keep] == ["face"]


@pytest.mark.parametrize("text,params", [
    ("make three of them", {"count": 3}),
    ("cut the trees down to 2", {"noun": "tree", "count": 2}),
    ("just keep two of the trees", {"noun": "tree", "count": 2}),
    ("remove all but two trees", {"noun": "tree", "count": 2}),
    ("reduce the number of chairs by two", {"noun": "chair", "delta": -2}),
    ("duplicate the cat", {"noun": "cat", "delta": 1}),
    ("a couple more chairs", {"noun": "chair", "delta": 2}),
    ("get rid of two trees", {"noun": "tree", "delta": -2}),
    ("bring the number of cats up to four", {"noun": "cat", "count": 4}),
])
def test_counts_said_many_ways(text, params):
    [(op, _, got)] = ops(text)
    assert op == "count" and {k: got.get(k) for k in params} == params


def test_a_message_that_only_keeps_says_what_it_understood():
    with pytest.raises(UnparseableInstruction, match="keep the square"):
        parse("keep the square as is")
    intent = parse("leave the square alone and remove the circle")
    assert [c.op.value for c in intent.clauses] == ["remove"] and [k.noun for k in intent.keep] == ["square"]


@pytest.mark.parametrize("text,look", [("black and white please", "grayscale"), ("too bright", "darken"),
                                       ("sepia!", "sepia"), ("make the colors pop", "saturate")])
def test_a_look_said_alone_is_the_whole_image(text, look):
    [clause] = parse(text).clauses
    assert (clause.op.value, clause.target.scope, clause.params["filter"]) == ("filter", "image", look)


@pytest.mark.parametrize("text,params", [
    ("put the dog in a park", {"scene": "park"}),
    ("change the scenery to mountains", {"scene": "mountains"}),
    ("replace what's behind him with a library", {"scene": "library"}),
    ("background to white", {"color": "white"}),
])
def test_backdrops_said_many_ways(text, params):
    [(op, _, got)] = ops(text)
    assert op == "background" and {k: got.get(k) for k in params} == params


def test_a_new_thing_put_in_a_place_is_added_not_a_backdrop():
    [(op, noun, _)] = ops("put a dog in a park")
    assert (op, noun) == ("insert", "dog")
