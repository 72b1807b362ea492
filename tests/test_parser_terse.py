"""Notes without verbs, and the small things people type around names: shaded colours inside a name,
"that" before modifiers, noise said of a region, typos next to names, passive and "let's have" wishes."""

from __future__ import annotations

import pytest

from agents.errors import UnparseableInstruction
from agents.parsing import OfflineIntentParser
from agents.types import ParseRequest
from state.models import Version

PARSER = OfflineIntentParser()
OPEN = Version(id="v0", image_ref="0" * 64, width=640, height=480, turn=0)


def parse(text: str):
    return PARSER.parse(ParseRequest(text=text, head=OPEN))


def said(text: str) -> list[tuple]:
    """(op, target noun or scope, the parameters that matter) of each clause."""
    out = []
    for c in parse(text).clauses:
        keep = {k: v for k, v in c.params.items() if k in ("noun", "color", "scene", "direction", "position", "count",
                                                            "filter", "material")}
        out.append((c.op.value, c.target.noun or c.target.scope, keep))
    return out


@pytest.mark.parametrize("text,expected", [
    ("cat -> dog", [("replace", "cat", {"noun": "dog"})]),
    ("bg => beach", [("background", "background", {"scene": "beach"})]),
    ("circle → red", [("recolor", "circle", {"color": "red"})]),
    ("the lamp to a plant", [("replace", "lamp", {"noun": "plant"})]),
    ("vase: top right", [("move", "vase", {"position": "top-right"})]),
    ("dog to the left", [("move", "dog", {"direction": "left"})]),
    ("trees: 3", [("count", "tree", {"noun": "tree", "count": 3})]),
    ("tree gone", [("remove", "tree", {})]),
    ("that cup? gone.", [("remove", "cup", {})]),
    ("penguin instead of the snowman", [("replace", "snowman", {"noun": "penguin"})]),
    ("mug bigger", [("resize", "mug", {})]),
])
def test_terse_notes_are_edits(text, expected):
    assert said(text) == expected


@pytest.mark.parametrize("text", ["the circle", "wibble the circle", "red"])
def test_a_note_that_says_no_change_is_still_refused(text):
    with pytest.raises(UnparseableInstruction):
        parse(text)


def test_a_shaded_colour_inside_a_name_keeps_one_thing():
    [move] = parse("move the plaid bright purple office chair to the left of the pale gray knife").clauses
    assert (move.target.noun, move.target.modifiers, move.target.colors) == ("chair", ["plaid", "office"], ["purple"])
    assert move.params["relation"]["anchor"]["noun"] == "knife"


@pytest.mark.parametrize("text,noun", [("get rid of that old cake please", "cake"),
                                       ("can that bright grey pineapple be removed?", "pineapple"),
                                       ("make that tiny mirror bigger", "mirror")])
def test_that_before_modifiers_is_a_determiner(text, noun):
    [clause] = parse(text).clauses
    assert clause.target.noun == noun and clause.target.reference is None


@pytest.mark.parametrize("text,scope,noun", [
    ("remove the noise from the backdrop", "background", "background"),
    ("clean up the grain in the background", "background", "background"),
    ("get rid of the grain on the cat", "object", "cat"),
    ("remove the noise", "image", None),
])
def test_noise_is_denoised_where_it_is_said_and_nothing_is_removed(text, scope, noun):
    [clause] = parse(text).clauses
    assert (clause.op.value, clause.params["filter"]) == ("filter", "denoise")
    assert (clause.target.scope, clause.target.noun) == (scope, noun)


def test_a_name_after_a_name_is_not_corrected_into_a_grammar_word():
    intent = parse("remove the polka-dot frog")
    assert intent.clauses[0].target.noun == "frog" and intent.corrections == []
    assert parse("remove the circle form the picture").corrections == ["form → from"]  # a swap is still a typo


@pytest.mark.parametrize("text,op,fix", [("ad three more bar stools", "count", "ad → add"),
                                         ("get rd of the wardrobe", "remove", "rd → rid"),
                                         ("recolor the donut pink, don't chaange the phone", "recolor",
                                          "chaange → change")])
def test_short_and_negated_verbs_are_corrected(text, op, fix):
    intent = parse(text)
    assert intent.clauses[0].op.value == op and fix in intent.corrections


def test_lets_have_the_thing_changes_it_and_a_new_thing_is_added():
    assert said("let's have the plate in magenta") == [("recolor", "plate", {"color": "pink"})]
    assert said("let's have a plate in magenta")[0][0] == "insert"


@pytest.mark.parametrize("text", ["can the pineapple be removed?", "could the lamp go away?", "what if the dog was gone"])
def test_asked_removals_remove(text):
    assert [c.op.value for c in parse(text).clauses] == ["remove"]


def test_a_bare_scene_opens_a_background_wish():
    assert said("How about space as the background?") == [("background", "background", {"scene": "space"})]


@pytest.mark.parametrize("text,params", [
    ("double the number of cats", {"factor": 2.0}),
    ("triple the flowers", {"factor": 3.0}),
    ("halve the number of stars", {"factor": 0.5}),
    ("cut it down to three birds", {"count": 3}),
    ("get it down to one tree", {"count": 1}),
    ("there are too many trees, make it 2", {"count": 2}),
    ("there's too many cups, keep two", {"count": 2}),
    ("can there be fewer chairs?", {"delta": -1}),
    ("more cats", {"delta": 1}),
    ("I only want one lamp", {"count": 1}),
    ("just one cup please", {"count": 1}),
    ("make it three fewer muffins", {"delta": -3}),
])
def test_counts_said_around_the_name(text, params):
    [clause] = parse(text).clauses
    assert clause.op.value == "count"
    assert {k: v for k, v in clause.params.items() if k in ("count", "delta", "factor")} == params


def test_double_a_single_thing_is_still_a_resize():
    [clause] = parse("double the cat").clauses
    assert (clause.op.value, clause.params["factor"]) == ("resize", 2.0)
    assert parse("more contrast").clauses[0].op.value == "filter"


def test_another_one_just_like_that_adds_one():
    [clause] = parse("add another bird just like that one").clauses
    assert (clause.op.value, clause.params) == ("insert", {"noun": "bird", "color": None, "count": 1,
                                                           "use_reference": False})


@pytest.mark.parametrize("text,old,new", [
    ("get rid of the cup and put a glass there", "cup", "glass"),
    ("delete the lamp, put a plant in its place", "lamp", "plant"),
    ("remove the cat and add a dog instead", "cat", "dog"),
    ("make the apple an orange", "apple", "orange"),
    ("let the dog be a cat", "dog", "cat"),
])
def test_replacements_said_in_two_steps_or_with_a_thing_colour(text, old, new):
    [clause] = parse(text).clauses
    assert (clause.op.value, clause.target.noun, clause.params["noun"]) == ("replace", old, new)
    assert not clause.revision


def test_a_removal_and_an_addition_elsewhere_stay_two_edits():
    assert said("remove the cat and add a dog on the left") == [("remove", "cat", {}),
                                                               ("insert", "dog", {"noun": "dog", "color": None, "count": 1,
                                                                           "position": "left"})]
    assert said("make it an orange colour")[0][0] == "recolor"
