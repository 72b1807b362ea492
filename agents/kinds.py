"""What kind of thing a said noun names, for comparing the user's words with the engines' labels.

The parser keeps the noun as said ("the kitten", "the ball", "the stop sign"); the classical
engines label what they find with their own words (cat, circle, text). Two nouns name the same kind
when they are equal or map to the same classical word.
"""

from __future__ import annotations

from engines.classical.vocabulary import canonical_noun


def kind_of(noun: str | None) -> str | None:
    """The classical word for ``noun`` when there is one ("kitten" → cat), else the noun itself."""
    if noun is None:
        return None
    return canonical_noun(noun) or noun


def same_kind(a: str | None, b: str | None) -> bool:
    return a == b or (a is not None and b is not None and kind_of(a) == kind_of(b))
