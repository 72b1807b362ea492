"""The phrase rules, by the grammar's own seams (this module gathers their public names).

Every recognizer has the same shape: it looks at the cursor, and either consumes a whole phrase and
returns its value, or consumes nothing and returns None. Clause builders (agents.parsing.clauses and
the verbs_* modules) are slot fillers over these recognizers, so the grammar stays a set of small,
separately testable rules:

- cursor.py: the cursor over the tokens, filler and politeness, clause ends;
- nouns.py: noun phrases and relations to another noun phrase;
- places.py: positions and directions;
- numbers.py: numbers, counts, ordinals, degrees, size changes, angles;
- attributes.py: colours, looks and quoted text said as parameters.
"""

from agents.parsing.attributes import parse_color_param, parse_filter_param, parse_quote
from agents.parsing.cursor import CONNECTORS, Context, Cursor
from agents.parsing.nouns import NounPhrase, parse_np, parse_relation
from agents.parsing.numbers import (
    ResizeItem,
    parse_angle,
    parse_axis,
    parse_count,
    parse_degree,
    parse_number,
    parse_ordinal,
    parse_resize,
    parse_rotation_sense,
    resize_factor,
)
from agents.parsing.places import (
    POSITION_PREPS,
    RELATIONS,
    TARGET_POSITION_PREPS,
    parse_direction,
    parse_position,
)

__all__ = [
    "CONNECTORS", "POSITION_PREPS", "RELATIONS", "TARGET_POSITION_PREPS", "Context", "Cursor", "NounPhrase",
    "ResizeItem", "parse_angle", "parse_axis", "parse_color_param", "parse_count", "parse_degree",
    "parse_direction", "parse_filter_param", "parse_np", "parse_number", "parse_ordinal", "parse_position",
    "parse_quote", "parse_relation", "parse_resize", "parse_rotation_sense", "resize_factor",
]
