"""The offline intent parser's grammar: table-driven, several phrasings per construct.

Each row is a message and the exact clauses it must give: op, target fields (all non-default fields
except the echoed phrase) and params.
"""

from __future__ import annotations

import pytest

from agents.errors import EmptyInstruction, UnparseableInstruction
from agents.parsing import OfflineIntentParser, tokenize
from agents.types import ParseRequest
from state.models import HistoryKind, Intent, Version

PARSER = OfflineIntentParser()
# An image is open: without one the first message describes a picture to make (agents/parsing/generation.py).
OPEN = Version(id="v0", image_ref="0" * 64, width=200, height=100, turn=0)


def parse(text: str, **kw) -> Intent:
    kw.setdefault("head", OPEN)
    return PARSER.parse(ParseRequest(text=text, **kw))


def shape(intent: Intent) -> list[tuple[str, dict, dict]]:
    """(op, target without phrase, params) for each clause, relation anchors without phrase too."""
    out = []
    for c in intent.clauses:
        target = c.target.model_dump(exclude_defaults=True)
        target.pop("phrase", None)
        params = dict(c.params)
        if isinstance(params.get("relation"), dict):
            anchor = dict(params["relation"]["anchor"])
            anchor.pop("phrase", None)
            params["relation"] = {"rel": params["relation"]["rel"], "anchor": anchor}
        out.append((c.op.value, target, params))
    return out


def one(intent: Intent) -> tuple[str, dict, dict]:
    assert intent.kind == "edit"
    assert len(intent.clauses) == 1, shape(intent)
    return shape(intent)[0]


IMAGE = {"scope": "image"}
BG = {"noun": "background", "scope": "background"}


def move(direction, px=None, fraction=None, degree="normal"):
    return {"direction": direction, "amount_px": px, "amount_fraction": fraction, "degree": degree}


def filt(name, strength=1.0):
    return {"filter": name, "strength": strength}


def ins(noun, color=None, count=1, use_reference=False, **extra):
    return {"noun": noun, "color": color, "count": count, "use_reference": use_reference, **extra}


# --------------------------------------------------------------------------- remove

@pytest.mark.parametrize("text", [
    "remove the red circle", "delete the red circle", "erase the red circle", "get rid of the red circle",
    "take out the red circle", "take away the red circle", "eliminate the red circle", "clear the red circle",
    "Please REMOVE the red circle!", "could you remove the red circle for me?", "I want you to delete the red circle",
    "can you please get rid of the red circle now", "remove the circle that is red",
])
def test_remove_phrasings(text):
    assert one(parse(text)) == ("remove", {"noun": "circle", "colors": ["red"]}, {})


# --------------------------------------------------------------------------- targets

@pytest.mark.parametrize("text,target", [
    ("remove the circle on the left", {"noun": "circle", "position": "left"}),
    ("remove the top-right square", {"noun": "square", "position": "top-right"}),
    ("remove the upper left circle", {"noun": "circle", "position": "top-left"}),
    ("remove the circle in the top right corner", {"noun": "circle", "position": "top-right"}),
    ("delete the one at the bottom", {"position": "bottom"}),
    ("remove the leftmost circle", {"noun": "circle", "superlative": "leftmost"}),
    ("remove the rightmost star", {"noun": "star", "superlative": "rightmost"}),
    ("remove the highest star", {"noun": "star", "superlative": "topmost"}),
    ("remove the topmost one", {"superlative": "topmost"}),
    ("remove the lowest one", {"superlative": "bottommost"}),
    ("remove the bottommost square", {"noun": "square", "superlative": "bottommost"}),
    ("remove the biggest square", {"noun": "square", "superlative": "largest"}),
    ("remove the largest one", {"superlative": "largest"}),
    ("remove the tiniest circle", {"noun": "circle", "superlative": "smallest"}),
    ("remove the smallest star", {"noun": "star", "superlative": "smallest"}),
    ("remove the one in the middle", {"superlative": "centermost"}),
    ("remove the middle circle", {"noun": "circle", "superlative": "centermost"}),
    ("remove the second circle from the left", {"noun": "circle", "ordinal": 2, "ordinal_axis": "left"}),
    ("remove the 2nd circle from the right", {"noun": "circle", "ordinal": 2, "ordinal_axis": "right"}),
    ("remove the first star", {"noun": "star", "ordinal": 1}),
    ("remove the third one from the top", {"ordinal": 3, "ordinal_axis": "top"}),
    ("remove the last circle", {"noun": "circle", "ordinal": -1}),
    ("remove the second to last star", {"noun": "star", "ordinal": -2}),
    ("remove the small one", {"size": "small"}),
    ("remove the big square", {"noun": "square", "size": "large"}),
    ("remove the tiny blue triangle", {"noun": "triangle", "colors": ["blue"], "size": "small"}),
    ("remove all the blue ones", {"colors": ["blue"], "plural": True, "all": True}),
    ("remove the blue ones", {"colors": ["blue"], "plural": True, "all": True}),
    ("remove all circles", {"noun": "circle", "plural": True, "all": True}),
    ("remove every star", {"noun": "star", "plural": True, "all": True}),
    ("remove the circles", {"noun": "circle", "plural": True, "all": True}),
    ("remove everything red", {"colors": ["red"], "plural": True, "all": True, "reference": "everything"}),
    ("remove the two stars", {"noun": "star", "plural": True}),
    ("remove the face", {"noun": "face"}),
    ("remove the faces", {"noun": "face", "plural": True, "all": True}),
    ("remove the person", {"noun": "person"}),
    ("remove the subject", {"noun": "subject"}),
    ("remove the text", {"noun": "text"}),
    ("remove the background", BG),
    ("remove the grey box", {"noun": "box", "colors": ["gray"]}),
    ("remove the dog", {"noun": "dog"}),
    ("remove the cars", {"noun": "car", "plural": True, "all": True}),
    ("remove the fire truck", {"noun": "truck", "modifiers": ["fire"]}),
])
def test_target_phrases(text, target):
    assert one(parse(text)) == ("remove", target, {})


# --------------------------------------------------------------------------- insert

@pytest.mark.parametrize("text,target,params", [
    ("add a red star", {"noun": "star", "colors": ["red"]}, ins("star", "red")),
    ("insert a blue heart in the bottom right corner", {"noun": "heart", "colors": ["blue"]},
     ins("heart", "blue", position="bottom-right")),
    ("draw a small yellow sun at the top", {"noun": "sun", "colors": ["yellow"], "size": "small"},
     ins("sun", "yellow", size="small", position="top")),
    ("place a big green circle on the left", {"noun": "circle", "colors": ["green"], "size": "large"},
     ins("circle", "green", size="large", position="left")),
    ("create three hearts", {"noun": "heart", "plural": True}, ins("heart", count=3)),
    ("add two red stars above the circle", {"noun": "star", "colors": ["red"], "plural": True},
     ins("star", "red", 2, relation={"rel": "above", "anchor": {"noun": "circle"}})),
    ("put a star next to the square", {"noun": "star"},
     ins("star", relation={"rel": "next_to", "anchor": {"noun": "square"}})),
    ("add a star to the left of the circle", {"noun": "star"},
     ins("star", relation={"rel": "left_of", "anchor": {"noun": "circle"}})),
    ("add a heart right of the square", {"noun": "heart"},
     ins("heart", relation={"rel": "right_of", "anchor": {"noun": "square"}})),
    ("draw a moon below the tree", {"noun": "moon"},
     ins("moon", relation={"rel": "below", "anchor": {"noun": "tree"}})),
    ("put a small star on the square", {"noun": "star", "size": "small"},
     ins("star", size="small", relation={"rel": "on", "anchor": {"noun": "square"}})),
    ("add a dog next to the house", {"noun": "dog"},
     ins("dog", relation={"rel": "next_to", "anchor": {"noun": "house"}})),
    ("add a couple of balloons", {"noun": "balloon", "plural": True}, ins("balloon", count=2)),
    ("add a medium purple diamond in the center", {"noun": "diamond", "colors": ["purple"]},
     ins("diamond", "purple", size="medium", position="center")),
])
def test_insert(text, target, params):
    assert one(parse(text)) == ("insert", target, params)


@pytest.mark.parametrize("text", ["add this logo in the top right", "insert the reference at the top right",
                                  "paste the image I attached in the upper right corner"])
def test_insert_reference_image(text):
    op, target, params = one(parse(text, has_reference_image=True))
    assert op == "insert"
    assert params["use_reference"] is True
    assert params["position"] == "top-right"


def test_this_logo_without_attachment_draws_a_logo():
    assert one(parse("add this logo")) == ("insert", {"noun": "logo"}, ins("logo"))


def test_attached_image_without_attachment_is_an_error():
    with pytest.raises(UnparseableInstruction, match="attach"):
        parse("insert the image I attached")


# --------------------------------------------------------------------------- recolor

def test_recolor_said_as_a_shade_keeps_the_shade():
    assert one(parse("make the square navy")) == ("recolor", {"noun": "square"}, {"color": "blue", "shade": "navy"})


@pytest.mark.parametrize("text", [
    "make the square blue", "paint the square blue", "colour the square blue", "color the square blue",
    "recolor the square to blue", "turn the square blue", "change the square to blue",
    "change the colour of the square to blue", "change the square's color to blue",
    "fill the square with blue", "set the square to blue", "make the square dark blue",
])
def test_recolor(text):
    assert one(parse(text)) == ("recolor", {"noun": "square"}, {"color": "blue"})


def test_recolor_keeps_source_colour_and_plural():
    assert one(parse("change the circle from red to grey")) == ("recolor", {"noun": "circle", "colors": ["red"]},
                                                               {"color": "gray"})
    assert one(parse("make the red circles green")) == (
        "recolor", {"noun": "circle", "colors": ["red"], "plural": True, "all": True}, {"color": "green"})
    assert one(parse("make everything red")) == (
        "recolor", {"plural": True, "all": True, "reference": "everything"}, {"color": "red"})


# --------------------------------------------------------------------------- move

@pytest.mark.parametrize("text,params", [
    ("move the circle left", move("left")),
    ("shift the circle to the left", move("left")),
    ("drag the circle right", move("right")),
    ("slide the circle right by 50 pixels", move("right", px=50)),
    ("push the circle down 50px", move("down", px=50)),
    ("move the circle up 50 px", move("up", px=50)),
    ("move the circle a bit to the left", move("left", degree="bit")),
    ("nudge the circle slightly right", move("right", degree="bit")),
    ("move the circle down a lot", move("down", degree="lot")),
    ("move the circle all the way to the left", move("left", fraction=1.0, degree="lot")),
    ("move the circle up and to the left", move("up-left")),
    ("move the circle up-left by 20%", move("up-left", fraction=0.2)),
    ("move the circle to the top left", {"position": "top-left"}),
    ("drag the circle to the center", {"position": "center"}),
    ("move the circle into the bottom right corner", {"position": "bottom-right"}),
    ("move the circle next to the square", {"relation": {"rel": "next_to", "anchor": {"noun": "square"}}}),
    ("move the circle above the star", {"relation": {"rel": "above", "anchor": {"noun": "star"}}}),
    ("put the circle on the right", {"position": "right"}),
    ("lower the circle a bit", move("down", degree="bit")),
    ("raise the circle", move("up")),
])
def test_move(text, params):
    assert one(parse(text)) == ("move", {"noun": "circle"}, params)


# --------------------------------------------------------------------------- resize

@pytest.mark.parametrize("text,factor", [
    ("make the star bigger", 1.3), ("make the star larger", 1.3), ("enlarge the star", 1.3),
    ("grow the star", 1.3), ("scale up the star", 1.3), ("make the star a bit bigger", 1.15),
    ("make the star much bigger", 1.6), ("grow the star a lot", 1.6),
    ("make the star twice as big", 2.0), ("scale the star 2x", 2.0), ("double the size of the star", 2.0),
    ("scale the star by 150%", 1.5), ("make the star 50% bigger", 1.5), ("enlarge the star by 20%", 1.2),
    ("make the star three times bigger", 3.0), ("scale the star by a factor of 2", 2.0),
    ("make the star smaller", 0.769), ("shrink the star", 0.769), ("make the star a bit smaller", 0.87),
    ("make the star half the size", 0.5), ("shrink the star by half", 0.5), ("shrink the star by 20%", 0.8),
    ("scale the star to 80%", 0.8), ("make the star twice as small", 0.5),
    ("increase the size of the star", 1.3), ("reduce the size of the star", 0.769),
])
def test_resize(text, factor):
    assert one(parse(text)) == ("resize", {"noun": "star"}, {"factor": factor})


# --------------------------------------------------------------------------- filters

@pytest.mark.parametrize("text,target,params", [
    ("blur the image", IMAGE, filt("blur")),
    ("blur", IMAGE, filt("blur")),
    ("blur the background", BG, filt("blur")),
    ("make the background blurry", BG, filt("blur")),
    ("blur the red circle", {"noun": "circle", "colors": ["red"]}, filt("blur")),
    ("make the square a bit blurry", {"noun": "square"}, filt("blur", 0.5)),
    ("blur the faces", {"noun": "face", "plural": True, "all": True}, filt("blur")),
    ("sharpen the photo", IMAGE, filt("sharpen")),
    ("brighten the picture a lot", IMAGE, filt("brighten", 1.8)),
    ("lighten the image", IMAGE, filt("brighten")),
    ("make the image a little brighter", IMAGE, filt("brighten", 0.5)),
    ("darken the background", BG, filt("darken")),
    ("dim the image slightly", IMAGE, filt("darken", 0.5)),
    ("increase the contrast", IMAGE, filt("contrast")),
    ("boost contrast", IMAGE, filt("contrast")),
    ("more contrast please", IMAGE, filt("contrast")),
    ("raise the contrast a lot", IMAGE, filt("contrast", 1.8)),
    ("add more contrast", IMAGE, filt("contrast")),
    ("lower the contrast", IMAGE, filt("soften_contrast")),
    ("reduce contrast a bit", IMAGE, filt("soften_contrast", 0.5)),
    ("saturate the image", IMAGE, filt("saturate")),
    ("make the photo more vivid", IMAGE, filt("saturate")),
    ("desaturate the sky", {"noun": "sky"}, filt("desaturate")),
    ("make the photo less saturated", IMAGE, filt("desaturate")),
    ("make the image grayscale", IMAGE, filt("grayscale")),
    ("make the picture black and white", IMAGE, filt("grayscale")),
    ("turn the photo black & white", IMAGE, filt("grayscale")),
    ("convert the image to monochrome", IMAGE, filt("grayscale")),
    ("make the background greyscale", BG, filt("grayscale")),
    ("apply a sepia filter", IMAGE, filt("sepia")),
    ("make the photo look vintage", IMAGE, filt("sepia")),
    ("give the image a vintage look", IMAGE, filt("sepia")),
    ("invert the colors", IMAGE, filt("invert")),
    ("make the image a negative", IMAGE, filt("invert")),
    ("cartoonize the picture", IMAGE, filt("cartoon")),
    ("turn the photo into a cartoon", IMAGE, filt("cartoon")),
    ("make the image a pencil drawing", IMAGE, filt("sketch")),
    ("turn the photo into a sketch", IMAGE, filt("sketch")),
    ("denoise the image", IMAGE, filt("denoise")),
    ("remove the noise", IMAGE, filt("denoise")),
    ("warm the image up", IMAGE, filt("warm")),
    ("make the image warmer", IMAGE, filt("warm")),
    ("cool the photo down", IMAGE, filt("cool")),
    ("make the image cooler", IMAGE, filt("cool")),
    ("add blur to the background", BG, filt("blur")),
    ("increase the brightness of the background", BG, filt("brighten")),
])
def test_filters(text, target, params):
    assert one(parse(text)) == ("filter", target, params)


def test_filter_on_pronoun_without_history_means_the_image():
    assert one(parse("make it brighter")) == ("filter", IMAGE, filt("brighten"))


# --------------------------------------------------------------------------- text

@pytest.mark.parametrize("text,params", [
    ("add text 'SALE' at the top", {"text": "SALE", "position": "top", "color": None, "size": "medium"}),
    ('write "SALE" at the top', {"text": "SALE", "position": "top", "color": None, "size": "medium"}),
    ("write “SALE” in red at the bottom", {"text": "SALE", "position": "bottom", "color": "red", "size": "medium"}),
    ("add a caption saying 'SALE'", {"text": "SALE", "position": None, "color": None, "size": "medium"}),
    ("add big white text 'SALE' in the top left",
     {"text": "SALE", "position": "top-left", "color": "white", "size": "large"}),
    ("put 'SALE' at the bottom in small letters",
     {"text": "SALE", "position": "bottom", "color": None, "size": "small"}),
    ("label the star 'SALE'", {"text": "SALE", "position": None, "color": None, "size": "medium",
                               "relation": {"rel": "below", "anchor": {"noun": "star"}}}),
])
def test_text(text, params):
    assert one(parse(text)) == ("text", {"noun": "text", "scope": "image"}, params)


def test_text_keeps_the_quoted_casing_and_contractions():
    op, target, params = one(parse("write 'Don't Panic' at the top"))
    assert params["text"] == "Don't Panic"


# --------------------------------------------------------------------------- crop / rotate / flip

@pytest.mark.parametrize("text,target,params", [
    ("crop to the circle", {"noun": "circle"}, {"margin": 0.1}),
    ("crop the image around the face", {"noun": "face"}, {"margin": 0.1}),
    ("zoom in on the face", {"noun": "face"}, {"margin": 0.1}),
    ("crop tightly to the star", {"noun": "star"}, {"margin": 0.02}),
    ("crop the left half", IMAGE, {"region": "left-half", "margin": 0.0}),
    ("crop the image to the top half", IMAGE, {"region": "top-half", "margin": 0.0}),
    ("crop to a square", IMAGE, {"region": "square", "margin": 0.0}),
    ("crop the image to the center", IMAGE, {"region": "center", "margin": 0.0}),
])
def test_crop(text, target, params):
    assert one(parse(text)) == ("crop", target, params)


@pytest.mark.parametrize("text,target,angle", [
    ("rotate the image 90 degrees", IMAGE, 90.0),
    ("rotate it 45° counterclockwise", IMAGE, -45.0),
    ("rotate the photo 30 degrees anticlockwise", IMAGE, -30.0),
    ("rotate the square by 30 degrees clockwise", {"noun": "square"}, 30.0),
    ("turn the star upside down", {"noun": "star"}, 180.0),
    ("turn the image 90 degrees", IMAGE, 90.0),
    ("rotate the picture", IMAGE, 90.0),
    ("rotate the image to the left", IMAGE, -90.0),
    ("spin the circle 45 deg", {"noun": "circle"}, 45.0),
])
def test_rotate(text, target, angle):
    assert one(parse(text)) == ("rotate", target, {"angle": angle})


@pytest.mark.parametrize("text,target,axis", [
    ("flip the image horizontally", IMAGE, "horizontal"),
    ("mirror the picture", IMAGE, "horizontal"),
    ("flip the photo vertically", IMAGE, "vertical"),
    ("flip the star upside down", {"noun": "star"}, "vertical"),
    ("mirror the circle horizontally", {"noun": "circle"}, "horizontal"),
    ("flip", IMAGE, "horizontal"),
])
def test_flip(text, target, axis):
    assert one(parse(text)) == ("flip", target, {"axis": axis})


# --------------------------------------------------------------------------- history

@pytest.mark.parametrize("text,kind,turn", [
    ("undo", HistoryKind.UNDO, None), ("undo that", HistoryKind.UNDO, None), ("Undo!", HistoryKind.UNDO, None),
    ("go back", HistoryKind.UNDO, None), ("revert the last change", HistoryKind.UNDO, None),
    ("please undo the last edit", HistoryKind.UNDO, None),
    ("redo", HistoryKind.REDO, None), ("redo that", HistoryKind.REDO, None), ("do it again", HistoryKind.REDO, None),
    ("revert to turn 3", HistoryKind.REVERT, 3), ("go back to turn 3", HistoryKind.REVERT, 3),
    ("go back to step three", HistoryKind.REVERT, 3), ("back to turn 2 please", HistoryKind.REVERT, 2),
    ("revert to the second turn", HistoryKind.REVERT, 2),
    ("back to the original", HistoryKind.START_OVER, None), ("go back to the original image", HistoryKind.START_OVER, None),
    ("start over", HistoryKind.START_OVER, None), ("reset", HistoryKind.START_OVER, None),
    ("let's start again", HistoryKind.START_OVER, None), ("undo everything", HistoryKind.START_OVER, None),
])
def test_history(text, kind, turn):
    intent = parse(text)
    assert intent.kind == "history"
    assert intent.history is not None
    assert (intent.history.kind, intent.history.turn) == (kind, turn)
    assert intent.clauses == []


# --------------------------------------------------------------------------- compounds

def test_two_verbs_two_clauses():
    for text in ["remove the red circle and make the square blue", "remove the red circle, then make the square blue",
                 "first remove the red circle then make the square blue",
                 "remove the red circle and also make the square blue",
                 "Remove the red circle. Make the square blue.", "remove the red circle; paint the square blue"]:
        assert shape(parse(text)) == [
            ("remove", {"noun": "circle", "colors": ["red"]}, {}),
            ("recolor", {"noun": "square"}, {"color": "blue"}),
        ], text


def test_one_target_two_ops():
    assert shape(parse("make the circle blue and bigger")) == [
        ("recolor", {"noun": "circle"}, {"color": "blue"}),
        ("resize", {"noun": "circle"}, {"factor": 1.3}),
    ]
    assert [c.op.value for c in parse("make the circle blue, bigger and blurry").clauses] == [
        "recolor", "resize", "filter"]


def test_one_op_two_targets_gives_one_clause_per_target():
    for text in ["remove the star and the triangle", "delete the star, and the triangle"]:
        assert shape(parse(text)) == [("remove", {"noun": "star"}, {}), ("remove", {"noun": "triangle"}, {})]
    assert shape(parse("make the circle and the square green")) == [
        ("recolor", {"noun": "circle"}, {"color": "green"}), ("recolor", {"noun": "square"}, {"color": "green"})]
    assert shape(parse("make the circle blue and the square red")) == [
        ("recolor", {"noun": "circle"}, {"color": "blue"}), ("recolor", {"noun": "square"}, {"color": "red"})]


def test_three_clauses_mixed():
    intent = parse("add a star at the top, blur the background, then rotate the image 90 degrees")
    assert [c.op.value for c in intent.clauses] == ["insert", "filter", "rotate"]


def test_pronoun_inside_one_message_means_the_earlier_clause():
    intent = parse("add a star and make it red")
    assert shape(intent)[1] == ("recolor", {"noun": "star", "reference": "previous"}, {"color": "red"})
    intent = parse("make the circle blue and move it left")
    assert shape(intent)[1] == ("move", {"noun": "circle"}, move("left"))


# --------------------------------------------------------------------------- user region

@pytest.mark.parametrize("text", ["blur this", "blur here", "blur the selected area", "blur what I marked",
                                  "blur the area I selected"])
def test_user_region(text):
    assert one(parse(text, has_user_region=True)) == (
        "filter", {"reference": "user_region", "scope": "region"}, filt("blur"))


def test_insert_here_goes_on_the_user_region():
    assert one(parse("add a star here", has_user_region=True))[2] == ins(
        "star", relation={"rel": "on", "anchor": {"reference": "user_region", "scope": "region"}})


def test_here_without_a_region_asks_for_one():
    with pytest.raises(UnparseableInstruction, match="mark an area"):
        parse("remove what I marked")


# --------------------------------------------------------------------------- errors

@pytest.mark.parametrize("text,unknown", [
    ("xyzzy the circle", ["xyzzy"]),
    ("frobnicate the image and blur it", ["frobnicate"]),
    ("make it pretty", ["pretty"]),
    ("make the dog pretty", ["pretty"]),
    ("move the circle left and zorp the square", ["zorp"]),
    ("blur the background and sparkle the circle", ["sparkle"]),
    ("remove the red circle and make the square glorbish", ["glorbish"]),
    ("do not remove it", ["do", "not"]),
])
def test_requests_that_cannot_be_read_are_refused_naming_the_words(text, unknown):
    """A request no rule reads refuses the message, even beside one that parses: nothing is half done."""
    with pytest.raises(UnparseableInstruction) as err:
        parse(text)
    assert err.value.unknown_words == unknown


@pytest.mark.parametrize("text,ignored", [
    ("remove the circle xyzzy", ["xyzzy"]),
    ("remove the circle, it's blocking the view", ["blocking", "view"]),
    ("remove the circle — it ruins the shot", ["ruins", "shot"]),
    ("just blur the background, it looks weird", ["weird"]),
])
def test_words_that_change_nothing_are_listed_not_fatal(text, ignored):
    intent = parse(text)
    assert len(intent.clauses) == 1
    assert set(ignored) <= set(intent.ignored_words)


def test_an_unknown_word_in_a_name_is_part_of_the_name():
    clause = parse("remove the fluffy circle").clauses[0]
    assert (clause.op, clause.target.noun, clause.target.modifiers) == ("remove", "circle", ["fluffy"])


@pytest.mark.parametrize("text,hint", [
    ("make it", "say what to change"), ("remove", "say what to remove"), ("add", "say what to add"),
    ("move the circle", "say where to move"), ("scale the star", "say how much"), ("crop", "say what to crop"),
    ("write something nice", "quotes"), ("add text", "quotes"), ("increase", "increase or reduce"),
])
def test_missing_parts_raise_with_a_hint(text, hint):
    with pytest.raises(UnparseableInstruction, match=hint):
        parse(text)


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "!!!", "…"])
def test_empty(text):
    with pytest.raises(EmptyInstruction):
        parse(text)


def test_nothing_is_half_parsed():
    with pytest.raises(UnparseableInstruction, match="understood remove the red circle") as err:
        parse("remove the red circle and then wibble the square")
    assert err.value.unknown_words == ["wibble"]


# --------------------------------------------------------------------------- tokenizer, speed

def test_tokenizer_units_and_quotes():
    words = [(t.kind, t.word) for t in tokenize("Move it 50px, then write 'Hi there' — 45° ok?")]
    assert words == [("word", "move"), ("word", "it"), ("number", "50"), ("word", "px"), ("comma", ","),
                     ("word", "then"), ("word", "write"), ("quote", "Hi there"), ("comma", ","), ("number", "45"),
                     ("word", "degrees"), ("word", "ok"), ("sep", "?")]
    assert [t.word for t in tokenize("can't it's top-left")] == ["can", "not", "it", "is", "top", "left"]


def test_deterministic():
    messages = ["remove the second circle from the left and make the square a bit blurry",
                "add two red stars above the circle, then move it to the top left",
                "could you please make the background black and white"]
    first = [parse(m).model_dump() for m in messages]
    for _ in range(20):
        assert [parse(m).model_dump() for m in messages] == first


# --------------------------------------------------------------------------- everyday phrasings

STAR = {"noun": "star"}
RED_ONE = {"colors": ["red"]}


@pytest.mark.parametrize("text,target", [
    ("remove the star from the picture", STAR), ("erase the star from the image", STAR),
    ("delete the star from this photo completely", STAR), ("remove the red one from the scene", RED_ONE),
    ("take the star out of the picture", STAR), ("make the star disappear", STAR), ("make the star vanish", STAR),
    ("make the star go away", STAR), ("get the star out of here", STAR), ("get the red one out", RED_ONE),
    ("take the star away", STAR), ("take the red one out", RED_ONE), ("can you lose the star", STAR),
    ("I don't want the star", STAR), ("I don't want the star anymore", STAR), ("we don't need the red one", RED_ONE),
    ("I want the star gone", STAR), ("the star should go away", STAR), ("the star has to go", STAR),
    ("the star should disappear", STAR), ("the star should be removed", STAR), ("throw away the star", STAR),
])
def test_removal_phrasings(text, target):
    assert one(parse(text)) == ("remove", target, {})


@pytest.mark.parametrize("text", [
    "I don't want the star, remove it", "I don't want the star. Remove it please", "I don't need the star, delete it",
])
def test_a_removal_said_twice_is_one_clause(text):
    assert one(parse(text)) == ("remove", STAR, {})


@pytest.mark.parametrize("text,noun,color,extra", [
    ("I want a black circle", "circle", "black", {}),
    ("I'd like a red heart at the top", "heart", "red", {"position": "top"}),
    ("we need a small blue star", "star", "blue", {"size": "small"}),
    ("I would love an orange pentagon in the top left corner", "pentagon", "orange", {"position": "top-left"}),
    ("I want to have a green square", "square", "green", {}),
])
def test_wishes_for_a_new_thing_add_it(text, noun, color, extra):
    assert one(parse(text))[2] == ins(noun, color, **extra)


@pytest.mark.parametrize("text,op,target,params", [
    ("I'd like the circle in cyan", "recolor", {"noun": "circle"}, {"color": "cyan"}),
    ("I want the star blue", "recolor", STAR, {"color": "blue"}),
    ("I would like the square to be bigger", "resize", {"noun": "square"}, {"factor": 1.3}),
    ("the star should be blue", "recolor", STAR, {"color": "blue"}),
    ("let's make the star blue", "recolor", STAR, {"color": "blue"}),
    ("the red one must be green", "recolor", RED_ONE, {"color": "green"}),
    ("I think the star should be blue", "recolor", STAR, {"color": "blue"}),
    ("the heart would look better in purple", "recolor", {"noun": "heart"}, {"color": "purple"}),
    ("the star needs to be bigger", "resize", STAR, {"factor": 1.3}),
    ("the star is too small", "resize", STAR, {"factor": 1.3}),
    ("the star is a bit too big", "resize", STAR, {"factor": 0.87}),
    ("the background should be blurry", "filter", BG, filt("blur")),
    ("the image is too dark", "filter", IMAGE, filt("brighten")),
    ("the star should be on the left", "move", STAR, {"position": "left"}),
    ("the star should go to the left", "move", STAR, move("left")),
    ("the circle should move up a bit", "move", {"noun": "circle"}, move("up", degree="bit")),
])
def test_wishes_and_subject_first_phrasings(text, op, target, params):
    assert one(parse(text)) == (op, target, params)


@pytest.mark.parametrize("text,op,params", [
    ("make the red one a bit bigger", "resize", {"factor": 1.15}),
    ("make the red one slightly larger", "resize", {"factor": 1.15}),
    ("make the red one a lot larger", "resize", {"factor": 1.6}),
    ("make the red one blue", "recolor", {"color": "blue"}),
    ("turn the red one into a blue one", "recolor", {"color": "blue"}),
    ("paint the red one green", "recolor", {"color": "green"}),
    ("color the red one in yellow", "recolor", {"color": "yellow"}),
])
def test_colour_only_target_in_make(text, op, params):
    assert one(parse(text)) == (op, RED_ONE, params)


@pytest.mark.parametrize("text,color", [
    ("turn the star into a blue one", "blue"), ("make the star a green one", "green"), ("paint the star blue", "blue"),
    ("color the star in blue", "blue"),
])
def test_colour_said_as_a_one(text, color):
    assert one(parse(text)) == ("recolor", STAR, {"color": color})


@pytest.mark.parametrize("text,params", [
    ("move the star into the left", move("left")), ("move the star over to the left", move("left")),
    ("move the star over towards the right", move("right")), ("scoot the star left", move("left")),
    ("push the star up a little", move("up", degree="bit")),
    ("nudge the star left", move("left", degree="bit")), ("nudge the star down", move("down", degree="bit")),
    ("inch the star up", move("up", degree="bit")), ("nudge the star left a lot", move("left", degree="lot")),
    ("nudge the star left by 30 pixels", move("left", px=30)), ("take the star to the right", move("right")),
    ("move the star much further up", move("up", degree="lot")), ("move the star a bit further left",
                                                                  move("left", degree="bit")),
    ("move the star further down", move("down")), ("shift the star way farther right", move("right", degree="lot")),
])
def test_move_phrasings_more(text, params):
    assert one(parse(text)) == ("move", STAR, params)


@pytest.mark.parametrize("text,params", [
    ("write SALE at the top", {"text": "SALE", "position": "top"}),
    ("Write SALE at the top", {"text": "SALE", "position": "top"}),
    ("write Hello at the bottom in red", {"text": "Hello", "position": "bottom", "color": "red"}),
    ("add the text SALE at the top", {"text": "SALE", "position": "top"}),
    ("add the word OPEN in the center", {"text": "OPEN", "position": "center"}),
    ("write Happy Birthday at the top", {"text": "Happy Birthday", "position": "top"}),
    ("write the word sale at the top", {"text": "sale", "position": "top"}),
    ("write hello at the top", {"text": "hello", "position": "top"}),
    ("add the text 'Big Sale' at the top", {"text": "Big Sale", "position": "top"}),
])
def test_unquoted_text(text, params):
    op, target, got = one(parse(text))
    assert op == "text" and target["noun"] == "text"
    assert got == {"position": None, "color": None, "size": "medium", **params}


@pytest.mark.parametrize("text", ["write something nice", "write it", "write the text at the top"])
def test_text_still_needs_words_to_draw(text):
    with pytest.raises(UnparseableInstruction, match="quotes"):
        parse(text)


@pytest.mark.parametrize("text", [
    "undo twice", "undo that 3 times", "undo the last two changes", "revert my last 2 edits", "go back two steps",
    "undo the last couple of changes", "redo twice",
])
def test_multi_step_undo_is_counted_or_refused(text):
    from state.models import HistoryAction
    if "count" in HistoryAction.model_fields:
        intent = parse(text)
        assert intent.kind == "history" and intent.history is not None and intent.history.model_dump()["count"] > 1
    else:
        with pytest.raises(UnparseableInstruction, match="one step at a time"):
            parse(text)


@pytest.mark.parametrize("text", ["undo the last change", "undo that", "go back to step 2"])
def test_single_step_history_is_unchanged(text):
    assert parse(text).kind == "history"


@pytest.mark.parametrize("text,target", [
    ("remove the most recent one", {"reference": "added"}), ("remove the latest one", {"reference": "added"}),
    ("remove the last thing I added", {"reference": "added"}), ("remove what I just added", {"reference": "added"}),
    ("remove the one I added most recently", {"reference": "added"}),
    ("remove the new heart", {"noun": "heart", "reference": "added"}),
    ("remove the heart I just put in", {"noun": "heart", "reference": "added"}),
    ("remove the most recently added heart", {"noun": "heart", "reference": "added"}),
])
def test_recency_references(text, target):
    assert one(parse(text)) == ("remove", target, {})


@pytest.mark.parametrize("text,expected", [
    ("soften the background with a blur", [("filter", BG, {"filter": "blur", "strength": 1.0})]),
    ("blur the background with a strong blur", [("filter", BG, {"filter": "blur", "strength": 1.8})]),
    ("add a subtle sepia filter", [("filter", IMAGE, {"filter": "sepia", "strength": 0.5})]),
    ("add a strong blur to the background", [("filter", BG, {"filter": "blur", "strength": 1.8})]),
    ("remove the rhombus", [("remove", {"noun": "rhombus"}, {})]),
    ("desaturate the whole photo completely", [("filter", IMAGE, {"filter": "desaturate", "strength": 1.8})]),
    ("make it fully black and white", [("filter", IMAGE, {"filter": "grayscale", "strength": 1.8})]),
    ("completely desaturate the photo", [("filter", IMAGE, {"filter": "desaturate", "strength": 1.8})]),
    ("slightly blur the background", [("filter", BG, {"filter": "blur", "strength": 0.5})]),
    ("a bit more contrast", [("filter", IMAGE, {"filter": "contrast", "strength": 0.5})]),
    ("a little less saturation", [("filter", IMAGE, {"filter": "desaturate", "strength": 0.5})]),
    ("slightly enlarge the circle", [("resize", {"noun": "circle"}, {"factor": 1.15})]),
    ("really remove the circle", [("remove", {"noun": "circle"}, {})]),
    ("remove the rhombuses", [("remove", {"noun": "diamond", "plural": True, "all": True}, {})]),
    ("remove the red dots", [("remove", {"noun": "dot", "colors": ["red"], "plural": True, "all": True}, {})]),
    ("place the brown one at the center", [("move", {"colors": ["brown"]}, {"position": "center"})]),
    ("put the circle in the middle", [("move", {"noun": "circle"}, {"position": "center"})]),
    ("remove the circle in the middle", [("remove", {"noun": "circle", "superlative": "centermost"}, {})]),
    ("add a light blue square", [("insert", {"noun": "square", "colors": ["blue"]},
                                  {"noun": "square", "color": "blue", "count": 1, "use_reference": False})]),
])
def test_looks_with_adjectives_singular_s_nouns_and_places_after_put(text, expected):
    assert shape(parse(text)) == expected
