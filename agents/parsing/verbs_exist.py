"""Clauses that say what should be there rather than what to do: "there should be 5 dresses", "can we
have a cafe in the background?", "3 more clocks, please", "a gradient from white to green behind
everything", "one fewer teapot". A number said as such sets the count of those things; an article
adds one; a background tail makes it the backdrop."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.attributes import parse_filter_param
from agents.parsing.cursor import Cursor
from agents.parsing.materials import is_material
from agents.parsing.nouns import parse_np, parse_relation
from agents.parsing.places import insert_position
from agents.parsing.predicates import opposite_of_too
from agents.parsing.swaps import (
    backdrop_from,
    background_clause,
    count_clause,
    count_item,
    gradient_item,
    names_backdrop,
    scene_words,
)
from agents.parsing.tokens import Token, phrase_at
from state.models import IntentClause, OpKind, TargetSpec

BACKGROUND_TAILS = frozenset({
    ("in", "the", "background"), ("as", "the", "background"), ("as", "background"), ("as", "a", "background"),
    ("behind", "everything"), ("behind", "it"), ("behind", "them"), ("behind", "her"), ("behind", "him"),
    ("for", "the", "background"), ("as", "the", "backdrop"), ("as", "a", "backdrop"), ("in", "the", "back"),
    ("behind", "the", "subject"), ("behind", "us"), ("as", "my", "background"), ("as", "the", "bg"),
})


_DEFINITE = frozenset({"the", "my", "this", "that", "these", "those", "his", "her", "its", "their", "our", "your"})


def build_exist(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    cur.accept("only") or cur.accept("just")
    gradient = gradient_item(cur)
    if gradient is not None:
        _skip_background_tail(cur)
        return [background_clause(None, gradient=gradient)]
    item = count_item(cur)
    if item is not None and item.np is not None:
        return [count_clause(item.np, count=item.count, delta=item.delta)]
    start = cur.pos
    if verb and verb[-1] in ("have", "get") and cur.word() in _DEFINITE:
        from agents.parsing.verbs_objects import build_want  # "let's have the plate in magenta": a change

        return build_want(cur, verb)
    np = parse_np(cur, "insert", allow_compound=True)
    if np is None:
        raise cur.fail("say what should be there, e.g. 'there should be three stars'")
    if names_backdrop(np) and backdrop_from(np) is not None:
        return [backdrop_from(np)]  # type: ignore[list-item]
    if not phrase_at(cur.tokens, cur.pos, BACKGROUND_TAILS):
        from agents.parsing.verbs_objects import build_insert  # it reads "there should be" as an addition

        cur.pos = start
        return build_insert(cur, verb)
    if _skip_background_tail(cur):
        return [_backdrop_said(np)]
    position = insert_position(cur)
    spec = np.spec
    params = {"noun": spec.noun, "color": spec.colors[0] if spec.colors else None, "count": np.count or 1,
              "use_reference": np.reference_image}
    if position is not None:
        params["position"] = position
    target = TargetSpec(phrase=spec.phrase, noun=spec.noun, colors=list(spec.colors), plural=(np.count or 1) > 1)
    return [IntentClause(op=OpKind.INSERT, target=target, params=params)]


def _backdrop_said(np) -> IntentClause:
    """ "a forest in the background" → the scene; "white as the background" → the colour."""
    if np.spec.colors and np.spec.noun in (None, "background"):
        return background_clause(None, color=np.spec.colors[0])
    return background_clause(None, scene=scene_words(np))


def _skip_background_tail(cur: Cursor) -> bool:
    n = phrase_at(cur.tokens, cur.pos, BACKGROUND_TAILS)
    cur.pos += n
    return bool(n)


def verbless_change(cur: Cursor) -> bool:
    """ "the pineapple in magenta", "the guitar in rubber, please": a thing and what it should be;
    "background to white", "background: a beach"."""
    save = cur.pos
    try:
        np = parse_np(cur, "target", allow_compound=True)
        if np is not None and np.spec.scope == "background" and (cur.word() == "to" or (
                cur.peek() is not None and cur.peek().kind == "comma" and cur.tokens[cur.pos].word == ",")):  # type: ignore[union-attr]
            if cur.peek().kind == "comma":  # type: ignore[union-attr]
                cur.tokens = [*cur.tokens[:cur.pos], Token("to", "word", raw="to"), *cur.tokens[cur.pos + 1:]]
            return True
        if np is None or not (cur.accept("in") or cur.accept("as") or cur.accept("made", "of")):
            return False
        cur.accept("a") or cur.accept("an")
        w = cur.word()
        return w is not None and (lx.canonical_color(w) is not None or is_material(w) or w in _SHADES)
    finally:
        cur.pos = save


_SHADES = frozenset({"light", "dark", "bright", "pale", "deep"})


def verbless(cur: Cursor) -> bool:
    """Whether a clause with no verb still says what should be there ("3 more clocks, please")."""
    save = cur.pos
    try:
        if gradient_item(cur) is not None:
            return True
        cur.pos = save
        cur.accept("only") or cur.accept("just")
        item = count_item(cur)
        if item is not None and item.np is not None and (item.delta is not None or cur.pos > save):
            # "3 more clocks", "only two cats", "4 birds?" (a count said alone asks for that many)
            return item.delta is not None or cur.tokens[save].word in ("only", "just") or cur.at_clause_end() or \
                cur.word() in ("please", "pls", "plz", "thanks", "thx")
        cur.pos = save
        np = parse_np(cur, "insert", allow_compound=True)
        if np is not None and names_backdrop(np) and backdrop_from(np) is not None:
            return True  # "a white background, please"
        if np is not None and np.indefinite and not np.definite and np.spec.noun and (
                parse_relation(cur) is not None or insert_position(cur) is not None):
            return True  # "maybe a red scarf on the snowman?"
        return np is not None and bool(phrase_at(cur.tokens, cur.pos, BACKGROUND_TAILS))
    finally:
        cur.pos = save


_ON = (("on",), ("against",), ("onto",), ("in", "front", "of"), ("over",), ("on", "top", "of"), ("in",), ("into",),
       ("at",))


def _is_scene(np) -> bool:
    """Whether a phrase names a setting the backdrops know ("a park", "a snowy forest", "a city street")."""
    from engines.classical.backdrop import SCENES  # the scene words the offline composer paints

    words = scene_words(np).split()
    return bool(words) and (" ".join(words) in SCENES or words[-1] in SCENES or np.spec.noun in SCENES)


def background_placement(cur: Cursor) -> list[IntentClause] | None:
    """ "put it on a plain white background", "place everything against a forest backdrop": a new
    backdrop behind what is there, not a move."""
    save = cur.pos
    front = parse_np(cur, "target")  # what goes in front: it, them, the cat (kept by the backdrop change)
    if front is not None and front.indefinite:
        cur.pos = save  # "put a dog in a park": a new thing, added
        return None
    if next((lead for lead in _ON if cur.accept(*lead)), None) is None:
        cur.pos = save
        return None
    np = parse_np(cur, "insert", allow_compound=True)
    if np is not None and np.indefinite and _is_scene(np) and cur.at_clause_end():
        return [background_clause(None, scene=scene_words(np))]  # "put the dog in a park": a new setting
    if np is None or (np.spec.noun not in ("background", "backdrop") and np.spec.scope != "background"):
        cur.pos = save
        return None
    made = backdrop_from(np)
    if made is not None:
        return [made]
    cur.pos = save
    return None


def backdrop_of_insert(cur: Cursor) -> list[IntentClause] | None:
    """ "use a city street as the background", "I want a beach behind the dog": the new thing is the
    backdrop, and what it goes behind is kept."""
    save = cur.pos
    np = parse_np(cur, "insert", allow_compound=True)
    if np is None:
        return None
    if names_backdrop(np) and backdrop_from(np) is not None and cur.at_clause_end():
        return [backdrop_from(np)]  # type: ignore[list-item]
    if _skip_background_tail(cur):
        return [_backdrop_said(np)]
    if cur.accept("behind"):
        front = parse_np(cur, "target", allow_compound=True)
        if front is not None and not np.spec.colors:
            made = background_clause(None, scene=scene_words(np))
            made.params["keep"] = front.spec.model_dump(exclude_defaults=True)
            return [made]
    cur.pos = save
    return None


_COPY_TIMES = {"twice": 2, "two": 2, "three": 3, "thrice": 3}


def build_duplicate(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    """ "duplicate the cat", "clone the star twice", "copy the square 3 times": more of the same."""
    np = parse_np(cur, "target", allow_compound=True)
    if np is None:
        raise cur.fail("say what to duplicate, e.g. 'duplicate the star'")
    delta = 1
    value = None
    w = cur.word()
    if w in _COPY_TIMES and (w in ("twice", "thrice") or cur.word(1) == "times"):
        value = _COPY_TIMES[w]
        cur.pos += 1
    elif cur.peek() is not None and cur.peek().kind == "number":  # type: ignore[union-attr]
        value = int(cur.peek().value or 1)  # type: ignore[union-attr]
        cur.pos += 1
    if value is not None:
        cur.accept("times")
        delta = value
    return [count_clause(np, delta=delta)]


def verbless_look(cur: Cursor) -> bool:
    """ "black and white please", "sepia!", "too dark": a look said alone is the whole image's. "too X"
    is rewritten as its opposite ("too dark" → brighter)."""
    save = cur.pos
    if save > 0 and cur.tokens[save - 1].word == "too" and opposite_of_too(cur.word()):
        words = opposite_of_too(cur.word()).split()  # type: ignore[union-attr]  # ("too" was skipped as filler)
        cur.tokens = [*cur.tokens[:save], *(Token(w, "word", raw=w) for w in words), *cur.tokens[save + 1:]]
    try:
        if parse_filter_param(cur) is None:
            return False
        cur.skip_fillers()
        return cur.at_clause_end()
    finally:
        cur.pos = save
