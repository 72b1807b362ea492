"""Someone or something taken to a new setting: "move the dog to a park", "put him in front of the
eiffel tower", "i want her on a beach", "set the scene in a forest", "could it be at the beach",
"make it look like it's in a desert". The thing stays; everything behind it becomes that place, so
the clause is a backdrop change, not a move.

The rule reads a whole clause: an opening that places or wishes (a placing verb, "i want", a
question, a subject and a modal, "make it look like"), what is placed (never a new thing: "put a
dog in a park" adds one), then a place preposition and a setting said last.
"""

from __future__ import annotations

from functools import cache

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Cursor
from agents.parsing.swaps import background_clause
from state.models import IntentClause

# Settings a photo can be taken in, besides those the offline backdrops paint (SCENES).
_PLACES = frozenset("""kitchen cafe restaurant bar diner library office classroom school stadium arena gym studio
    bedroom bathroom hotel lobby museum gallery church temple castle palace barn farm village town city street
    harbor harbour port pier marina rooftop balcony terrace island cave volcano canyon valley waterfall cliff cliffs
    glacier tundra savanna savannah prairie swamp rainforest moon mars planet paris london tokyo rome venice
    tower skyline shore coast seaside lakeside beach desert jungle forest meadow field fields garden backyard yard
    playground market mall airport station subway party concert wedding underwater outdoors outside indoors
    countryside mountains mountain hills sunset sunrise snow space galaxy ocean sea lake river park woods
    vineyard orchard greenhouse stage theater theatre arcade spaceship aquarium zoo
    boardwalk plaza downtown alps himalayas sahara amazon""".split())
_NOT_SETTINGS = frozenset({"wall", "paper", "air", "room", "frame", "stars", "clouds", "water", "grass", "sky",
                           "road", "lawn"})


@cache
def settings() -> frozenset[str]:
    from engines.classical.backdrop import (
        SCENES,  # the scene words the offline composer paints (heavy import)
    )

    return frozenset((set(SCENES) | _PLACES) - _NOT_SETTINGS)


_ROOMS = frozenset({"living", "dining", "waiting", "class", "throne", "hotel", "hospital", "school"})  # "living room"

_SUFFIXES = frozenset({"setting", "scene", "environment", "landscape", "backdrop", "background", "vibe", "theme"})
_PREPS = (("in", "front", "of"), ("somewhere", "in"), ("out", "in"), ("inside",), ("into",), ("in",), ("at",),
          ("on",), ("onto",), ("to",), ("against",))
# Openings that place or wish for something somewhere; a subject and a modal also open one.
_OPENERS = frozenset({"move", "take", "bring", "transport", "put", "place", "send", "set", "show", "have", "get",
                      "relocate", "teleport", "drop", "stick", "i", "we", "can", "could", "would", "make", "like",
                      "let", "the", "he", "she", "they", "it", "my", "this", "that", "what", "how", "pretend",
                      "imagine", "edit", "photoshop", "paste", "composite", "me", "us", "them", "him", "her"})
_DETERMINERS = frozenset({"a", "an", "the", "some", "my", "our"})
# Words that say another edit: the clause is read by the ordinary rules.
_OTHER_EDIT = frozenset({"add", "insert", "remove", "delete", "replace", "swap", "change", "color", "colour",
                         "draw", "paint", "turn", "into", "instead", "more", "fewer", "bigger", "smaller", "text",
                         "background", "backdrop", "left", "right", "top", "bottom", "corner", "middle", "center",
                         "a", "an", "another", "next", "near", "beside", "under",
                         "above", "below", "behind", "over", "closer", "by"})
# Words that make a short note something other than a thing somewhere ("do the same to the park").
_NOT_A_THING = frozenset({"do", "same", "it", "that", "this", "those", "these", "so", "too", "also", "again", "what",
                          "how", "why", "when", "then", "and", "or", "not", "no"})
_TAIL = frozenset({"please", "pls", "plz", "instead", "thanks", "too", "now", "again", "maybe"})


def _clause_end(cur: Cursor) -> int:
    save = cur.pos
    try:
        while not cur.at_end and not cur.at_clause_end():
            cur.pos += 1
        return cur.pos
    finally:
        cur.pos = save


def _setting_at(words: list[str], end: int) -> int:
    """How many words before ``end`` name a setting ("park" 1, "living room" 2, "eiffel tower" 1), or 0."""
    if end < 1:
        return 0
    last = words[end - 1]
    if last in _SUFFIXES and end >= 2 and words[end - 2] in settings():
        return 2  # "a forest setting"
    if last == "room" and end >= 2 and words[end - 2] in _ROOMS:
        return 2
    return 1 if last in settings() else 0


def setting_clause(cur: Cursor) -> list[IntentClause] | None:
    """The clause at the cursor as a new setting for what is there (see the module docstring), consumed;
    None (nothing consumed) when it is something else."""
    if (cur.word() not in _OPENERS and cur.pos) or not any(t.word in settings() for t in cur.tokens[cur.pos + 2:]):
        return None
    start, end = cur.pos, _clause_end(cur)
    toks = cur.tokens[start:end]
    if len(toks) < 3 or any(t.kind not in ("word", "comma", "number") for t in toks):
        return None
    words = [t.word for t in toks]
    whole = start == 0 and end == len(cur.tokens)  # "dog on a beach": a note that is the whole message
    if words[0] not in _OPENERS and not whole:
        return None
    last = len(words)
    while last > 0 and words[last - 1] in _TAIL:
        last -= 1
    if not _setting_at(words, last):
        return None
    # the preposition nearest before the setting, with only determiners and describing words between
    for at in range(last - 1, 0, -1):
        prep = next((p for p in _PREPS if tuple(words[at:at + len(p)]) == p), None)
        if prep is not None:
            break
        if toks[at].kind == "comma":
            continue  # "put her on — no wait — a forest" leaves a comma after the correction
        if words[at] in _OTHER_EDIT - _DETERMINERS or toks[at].kind != "word":
            return None
    else:
        return None
    before = words[:at]
    noted = whole and 1 <= len(before) <= 3 and not any((w,) in lx.VERBS or w in _NOT_A_THING for w in before)
    if set(before) & _OTHER_EDIT or _new_things(before) or not (
            noted or words[0] in _OPENERS and len(before) >= 2 and not _only_a_thing(before)):
        return None
    scene = [t.word for t in toks[at + len(prep):last] if t.word not in _DETERMINERS and t.kind == "word"]
    if len(scene) > 1 and scene[-1] in _SUFFIXES:
        scene = scene[:-1]
    if not scene or len(scene) > 4:
        return None
    cur.pos = end
    return [background_clause(None, scene=" ".join(scene))]


def _new_things(before: list[str]) -> bool:
    """ "put two dogs in a park" adds them; "have the three dogs in a field" places those there."""
    return any((w in lx.NUMBER_WORDS or w.isdigit()) and (i == 0 or before[i - 1] not in (
        "the", "my", "those", "these", "our", "all")) for i, w in enumerate(before))


def _only_a_thing(before: list[str]) -> bool:
    """ "the cup on the table", "the kitchen in the house": a thing said alone, not placed."""
    return before[0] in ("the", "my", "this", "that") and not any(
        w in ("should", "could", "would", "must", "needs", "be", "is", "are", "was", "were", "go", "goes")
        for w in before)
