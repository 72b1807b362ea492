"""Colour words that also name things ("the lime", "a cherry", "two plums"): read as the head noun
when nothing else in the noun phrase could be."""

from __future__ import annotations

from agents.parsing.tokens import Token
from state.models import TargetSpec

# Fruit, flowers and other things whose names are also colours; plurals are only ever the thing.
THING_COLORS = frozenset({"orange", "lime", "lemon", "peach", "plum", "cherry", "rose", "olive", "salmon", "mint",
                          "chestnut", "coral", "tomato", "banana", "chocolate", "coffee", "ruby", "emerald",
                          "sapphire", "amber", "lavender", "wine", "mustard", "honey", "pumpkin", "brick",
                          "violet", "lilac", "apricot"})
_PLURALS = {"cherries": "cherry", "peaches": "peach", "tomatoes": "tomato", "rubies": "ruby"}


def colour_as_head(tok: Token | None) -> str | None:
    """The thing a colour word names, when it stands where a head noun should be."""
    if tok is None or not tok.is_word:
        return None
    w = tok.word
    if w in THING_COLORS:
        return w
    if w in _PLURALS:
        return _PLURALS[w]
    if w.endswith("s") and w[:-1] in THING_COLORS:
        return w[:-1]
    return None


# Words after a target that say it is the thing being changed ("the old lime with a kiwi").
_AFTER_THING = frozenset({"with", "for", "by", "instead", "should", "needs", "need", "could", "would", "is", "was",
                          "into", "ought", "must", "has", "looks"})


# Size words after a thing-colour word say what to do with the thing it names.
_SAID_OF_IT = frozenset({"bigger", "smaller", "larger", "tinier", "huger", "wider", "taller", "shorter",
                         "twice", "half", "much", "a", "slightly"})


def names_thing_at(tokens: list[Token], i: int) -> bool:
    """Whether the thing-colour word at ``i`` names the thing: "replace the old lime with a kiwi",
    "the brown cherry should be a plum" (not "make the old car lime")."""
    if i >= len(tokens) or colour_as_head(tokens[i]) is None:
        return False
    if i + 1 >= len(tokens) or tokens[i + 1].word in ("please", "pls", "thanks"):
        # "a kiwi instead of the old lime": what "instead of" names is the old thing, not a colour
        return any(t.word in ("instead", "place", "than") for t in tokens[max(0, i - 6):i])
    nxt = tokens[i + 1]
    if nxt.word in _AFTER_THING or nxt.word in _SAID_OF_IT:
        return True  # "make the orange bigger": a size said of the orange, which is the thing
    return nxt.word == "to" and i + 2 < len(tokens) and tokens[i + 2].word in ("a", "an", "be", "some")


def colour_head(tokens: list[Token], at: tuple[int, int], after: str | None, spec: TargetSpec) -> bool:
    """ "the brown lime", "a cherry": a thing-colour word (tokens ``at``) with no noun after it is the
    noun; the colour it was read as is taken back."""
    thing = colour_as_head(tokens[at[1] - 1]) if at[1] - at[0] == 1 else None
    if thing is None or after in ("one", "ones", "color", "colour", "shade", "tone", "hue", "paint"):
        return False
    spec.colors.pop()
    spec.noun = thing
    return True
