"""How users ask for each operation: many phrasings per operation, independent of the parser.

Slots: {t} target phrase ("the red circle"), {c} colour, {n} noun, {d} direction, {px} pixels,
{p} position phrase, {s} size word, {txt} text. The lists are written from how people phrase edits,
not from the parser's vocabulary, so the benchmark measures coverage rather than echoing it.
"""

from __future__ import annotations

REMOVE = [
    "remove {t}", "delete {t}", "get rid of {t}", "erase {t}", "please remove {t}",
    "take out {t}", "can you remove {t}?", "remove {t} from the picture", "I don't want {t}, remove it",
    "make {t} disappear", "lose {t}", "wipe out {t}", "could you delete {t} please",
    "erase {t} from the image", "take {t} away",
]

RECOLOR = [
    "make {t} {c}", "change {t} to {c}", "color {t} {c}", "turn {t} {c}", "paint {t} {c}",
    "recolor {t} to {c}", "change the color of {t} to {c}", "can you make {t} {c}?",
    "I'd like {t} in {c}", "make {t} {c} please", "switch {t} to {c}", "fill {t} with {c}",
    "change {t}'s colour to {c}",
]

MOVE_DIRECTION = {
    "bit": ["move {t} {d} a bit", "nudge {t} {d}", "shift {t} slightly {d}", "move {t} a little {d}",
            "move {t} {d} a little bit"],
    "normal": ["move {t} {d}", "move {t} to the {d}", "shift {t} {d}", "push {t} {d}", "drag {t} {d}",
               "can you move {t} {d}?"],
    "lot": ["move {t} far {d}", "move {t} {d} a lot", "shift {t} way {d}", "move {t} much further {d}"],
}
MOVE_PIXELS = ["move {t} {d} by {px} pixels", "shift {t} {px} pixels {d}", "move {t} {px}px {d}",
               "nudge {t} {d} by {px} px", "move {t} {px} pixels to the {d}"]
MOVE_POSITION = ["move {t} to the {p}", "put {t} in the {p}", "place {t} at the {p}",
                 "move {t} into the {p}", "drag {t} to the {p}", "reposition {t} to the {p}"]

RESIZE = {
    1.3: ["make {t} bigger", "enlarge {t}", "make {t} larger", "scale up {t}", "increase the size of {t}",
          "grow {t}"],
    1.15: ["make {t} a bit bigger", "make {t} slightly larger", "enlarge {t} a little"],
    1.6: ["make {t} much bigger", "make {t} a lot larger", "enlarge {t} a lot"],
    2.0: ["make {t} twice as big", "double the size of {t}", "scale {t} up by 2x"],
    0.5: ["make {t} half the size", "shrink {t} to half its size", "halve the size of {t}",
          "make {t} half as big"],
}

ADD = ["add a {c} {n}", "put a {c} {n}", "insert a {c} {n}", "draw a {c} {n}", "place a {c} {n}",
       "add a {c} {n} please", "can you add a {c} {n}?", "I want a {c} {n}"]
ADD_POSITION = ["add a {c} {n} in the {p}", "put a {c} {n} at the {p}", "draw a {c} {n} in the {p}",
                "insert a {c} {n} in the {p}", "place a {c} {n} at the {p}", "add a {c} {n} to the {p}"]
ADD_SIZED = ["add a {s} {c} {n} in the {p}", "put a {s} {c} {n} at the {p}", "draw a {s} {c} {n} in the {p}"]

TEXT = ['write "{txt}" at the {p}', 'add the text "{txt}" at the {p}', 'put the words "{txt}" at the {p}',
        'add a caption "{txt}" at the {p}', 'write {txt} at the {p}']

FILTER = {
    "grayscale": ["make the whole image black and white", "convert the picture to grayscale",
                  "make it grayscale", "turn the image black and white", "desaturate the whole photo completely"],
    "blur_background": ["blur the background", "make the background blurry", "soften the background with a blur",
                        "add some blur to the background"],
}

UNDO = ["undo", "undo that", "undo the last change", "go back", "revert that", "take that back",
        "cancel the last edit", "undo please"]
REDO = ["redo", "redo that", "put it back", "do that again", "redo the last change"]
REVERT = ["go back to turn {k}", "revert to step {k}", "go back to how it was after turn {k}",
          "restore version {k}", "jump back to turn {k}"]
START_OVER = ["start over", "go back to the original", "reset everything", "revert to the original image",
              "undo everything"]

# References to earlier turns.
IT_RECOLOR = ["make it {c}", "now make it {c}", "change it to {c}", "color it {c}", "turn it {c}"]
IT_MOVE = ["move it {d}", "now move it {d}", "shift it {d}", "move it to the {d}"]
IT_REMOVE = ["remove it", "now delete it", "get rid of it", "actually, remove it"]
ADDED_RECOLOR = ["make the one I added {c}", "change the new one to {c}", "color the one I just added {c}",
                 "make the new {n} {c}"]
ADDED_MOVE = ["move the one I added {d}", "move the new {n} {d}", "shift the one I just added {d}"]
OTHER_RECOLOR = ["now make the other one {c}", "make the other one {c}", "change the other {n} to {c}",
                 "and the other one {c}"]
ALL_RECOLOR = ["make all the {c0} ones {c}", "change every {c0} shape to {c}", "turn all {c0} shapes {c}",
               "recolor all the {c0} objects {c}", "make all {c0} things {c}"]
ALL_REMOVE = ["remove all the {c0} ones", "delete every {c0} shape", "get rid of all {c0} shapes",
              "remove all {c0} objects"]
REVISION_RECOLOR = ["actually, {c} instead", "actually make it {c} instead", "no wait, {c} instead",
                    "hmm, {c} instead please", "on second thought, make it {c}"]
CLARIFY_ANSWER = ["the {p} one", "the one on the {p}", "I mean the {p} one", "the {p}"]

NOUN_SYNONYMS: dict[str, list[str]] = {
    "circle": ["circle", "circle", "disc", "dot"],
    "ellipse": ["ellipse", "oval"],
    "square": ["square", "square"],
    "rectangle": ["rectangle", "rectangle", "bar"],
    "triangle": ["triangle"],
    "star": ["star"],
    "hexagon": ["hexagon"],
    "pentagon": ["pentagon"],
    "diamond": ["diamond", "rhombus"],
    "heart": ["heart"],
}
COLOR_SYNONYMS: dict[str, list[str]] = {"gray": ["gray", "grey"], "purple": ["purple", "violet"]}

POSITION_WORDS: dict[str, str] = {
    "top-left": "top left corner", "top": "top", "top-right": "top right corner", "left": "left",
    "center": "center", "right": "right", "bottom-left": "bottom left corner", "bottom": "bottom",
    "bottom-right": "bottom right corner",
}

ALL_TEMPLATES: dict[str, list[str]] = {
    "remove": REMOVE, "recolor": RECOLOR, "add": ADD + ADD_POSITION + ADD_SIZED, "text": TEXT,
    "move": MOVE_PIXELS + MOVE_POSITION + [p for v in MOVE_DIRECTION.values() for p in v],
    "resize": [p for v in RESIZE.values() for p in v], "undo": UNDO, "redo": REDO, "revert": REVERT + START_OVER,
    "filter": [p for v in FILTER.values() for p in v],
}
