"""Slots for what a thing becomes: another thing ("into a pony"), a material ("out of bronze"), a count
("5 skirts", "to four", "two fewer"), a scene or gradient behind it ("a forest", "a white-to-blue
gradient"), and the clauses they make once the target is known: replace, material, count, background.

The make / change / turn builder (agents.parsing.verbs_change) collects these slots next to colours
and sizes and hands them here; ``swap_clauses`` turns them into clauses. The count slots live in
agents.parsing.count_items.
"""

from __future__ import annotations

from typing import Any

from agents.parsing import lexicon as lx
from agents.parsing.attributes import parse_filter_param
from agents.parsing.count_items import (  # noqa: F401  (re-exported for the builders)
    CountItem,
    by_number,
    count_clause,
    count_item,
    count_of,
    like_that,
    to_number,
)
from agents.parsing.cursor import Cursor
from agents.parsing.described import attached_description
from agents.parsing.materials import is_material, material_name
from agents.parsing.modifiers import color_word
from agents.parsing.names import is_name_word
from agents.parsing.nouns import NounPhrase, parse_np
from agents.parsing.slots import clause, object_spec
from state.models import IntentClause, OpKind, TargetSpec

_INTO = frozenset({"into", "to", "with", "by", "for", "as"})
_MATERIAL_LEADS = (("made", "out", "of"), ("made", "of"), ("out", "of"), ("made", "from"), ("into",), ("to",),
                   ("in",), ("of",), ("from",), ("like",), ("with",))
_MATERIAL_TAILS = frozenset({"look", "finish", "texture", "material", "surface", "version", "effect"})
_COLOR_MATERIALS = frozenset({"gold", "silver", "golden"})  # colours too: a material only when said so


def material_item(cur: Cursor) -> str | None:
    """ "glass", "out of bronze", "made of metal", "in rubber", "to silk", "a marble finish"."""
    save = cur.pos
    explicit = False
    for lead in _MATERIAL_LEADS:
        if cur.accept(*lead):
            explicit = lead[0] in ("made", "out")
            break
    article = cur.accept("a") or cur.accept("an")
    if cur.accept("the") and cur.pos == save + 1:
        cur.pos = save  # "the glass", "the diamond": a thing, not what it is made of
        return None
    cur.accept("solid") or cur.accept("pure")
    w = cur.word()
    if w is not None and lx.canonical_noun(w) is not None and not explicit and not article:
        cur.pos = save  # "the diamond in orange": a shape that is also a material
        return None
    if w is None or not is_material(w) or (w in _COLOR_MATERIALS and not explicit and
                                           cur.word(1) not in _MATERIAL_TAILS):
        cur.pos = save
        return None
    nxt = cur.word(1)
    if article and not explicit and nxt not in _MATERIAL_TAILS and nxt not in ("one", "ones"):
        cur.pos = save  # "the sofa should be a mirror", "into a stone": a thing ("a marble finish" is the material)
        return None
    if nxt is not None and (is_name_word(nxt, cur.peek(1)) or lx.canonical_color(nxt) is not None) and \
            nxt not in _MATERIAL_TAILS and nxt not in ("one", "ones"):
        cur.pos = save  # "into a glass bottle" names a new thing
        return None
    cur.pos += 1
    cur.accept_any(_MATERIAL_TAILS) or cur.accept("one") or cur.accept("ones")  # "into a glass one"
    return material_name(w)


def material_of(cur: Cursor) -> bool | None:
    """ "the material of", "its material": what follows "to" is a material, whatever its name."""
    for phrase in (("the", "material", "of"), ("material", "of"), ("'s", "material"), ("its", "material"),
                   ("the", "texture", "of"), ("the", "surface", "of")):
        if cur.accept(*phrase):
            return True
    return None


def gradient_item(cur: Cursor) -> list[str] | None:
    """ "a gradient from white to green", "a black-to-grey gradient", "a blue and white gradient"."""
    save = cur.pos
    cur.accept("to") or cur.accept("into") or cur.accept("with")
    cur.accept("a") or cur.accept("an")
    colors: list[str] = []
    if cur.accept("gradient"):
        cur.accept("from")
        colors = _two_colors(cur)
    else:
        colors = _two_colors(cur)
        if len(colors) != 2 or not (cur.accept("gradient") or cur.accept("fade") or cur.accept("gradient", "sky")):
            cur.pos = save
            return None
    if len(colors) != 2:
        cur.pos = save
        return None
    return colors


def _two_colors(cur: Cursor) -> list[str]:
    first = color_word(cur)
    if first is None:
        return []
    if not (cur.accept("to") or cur.accept("and") or cur.accept("into") or cur.accept("then")):
        return [first]
    second = color_word(cur)
    return [first, second] if second else [first]


def new_thing(cur: Cursor) -> NounPhrase | None:
    """What a thing becomes: "into a pony", "to a hat", "with space", "an owl"."""
    save = cur.pos
    lead = cur.accept_any(_INTO)
    backdrop = cur.pos > 0 and cur.tokens[cur.pos - 1].word in lx.BACKGROUND_WORDS
    clause_start = cur.clause_start
    if backdrop:
        cur.clause_start = cur.pos  # "make the background space": a bare scene
    np = parse_np(cur, "insert", allow_compound=True)
    cur.clause_start = clause_start
    if np is None and cur.word() in ("a", "an") and cur.word(1) in _COLOUR_THINGS:
        at = cur.pos
        cur.pos += 2
        if cur.at_clause_end():  # "turn the apple into an orange": the fruit, not the colour
            word = cur.tokens[at + 1].word
            np = NounPhrase(TargetSpec(noun=word, phrase=f"{cur.tokens[at].word} {word}"), count=1, indefinite=True)
        else:
            cur.pos = at
    if np is not None and cur.word() == "of" and cur.word(1) is not None:
        more_at = cur.pos
        cur.pos += 1
        clause_start, cur.clause_start = cur.clause_start, cur.pos
        more = parse_np(cur, "insert", allow_compound=True)  # "a field of flowers"
        cur.clause_start = clause_start
        if more is None:
            cur.pos = more_at
        else:
            np.spec.phrase = " ".join(t.word for t in cur.tokens[more_at - len(np.spec.phrase.split()):cur.pos])
    if np is None or np.reference_image or (np.spec.noun is None and not np.place):
        cur.pos = save
        return None
    if np.indefinite:
        attached_description(cur, np)
    after_background = save > 0 and cur.tokens[save - 1].word in lx.BACKGROUND_WORDS
    if lead == "to" and np.definite and not np.indefinite and not (backdrop or after_background):
        cur.pos = save  # "(apply a marble texture) to the floor": a thing there, not a new one
        return None
    if lead is None and (not np.indefinite or np.definite) and not backdrop:
        cur.pos = save  # "make the circle the square"? not a change of thing
        return None
    return np


def scene_words(np: NounPhrase) -> str:
    words = [w for w in np.spec.phrase.split() if w not in ("a", "an", "the", "some")]
    return " ".join(words)


def new_thing_params(np: NounPhrase) -> dict[str, Any]:
    spec = np.spec
    params: dict[str, Any] = {"noun": spec.noun, "phrase": scene_words(np)}
    if spec.colors:
        params["color"] = spec.colors[0]
    return params


def background_clause(target: TargetSpec | None, **given: Any) -> IntentClause:
    """One backdrop change: exactly one of color, gradient, scene."""
    spec = TargetSpec(noun="background", scope="background", phrase=(target.phrase if target else "the background"))
    return clause(OpKind.BACKGROUND, spec, **{k: v for k, v in given.items() if v})


def is_background(np: NounPhrase | None) -> bool:
    return np is not None and (np.spec.scope == "background" or np.spec.noun == "background")


def swap_clauses(cur: Cursor, target_np: NounPhrase | None, params: list[tuple[str, Any]]) -> list[IntentClause]:
    """The clauses of the slots above; the slots used are removed from ``params``."""
    names = {n for n, _ in params}
    out: list[IntentClause] = []
    last = {n: v for n, v in params}  # the last said: a correction ("… no, orange") wins
    backdrop = next((backdrop_from(v) for n, v in params if n == "new" and names_backdrop(v)), None)
    if backdrop is not None:  # "give it a forest background"
        params[:] = [(n, v) for n, v in params if n != "new"]
        return [backdrop]
    quotes = [v for n, v in params if n == "quote"]
    if quotes:
        old_text = last.get("quote_old") or (quotes[0] if len(quotes) > 1 else "")
        new_text = quotes[-1]
        spec = object_spec(target_np) if target_np is not None and target_np.spec.noun not in (None, "text") else \
            TargetSpec(noun="text", phrase=target_np.spec.phrase if target_np else "")
        if old_text:
            spec = TargetSpec(noun="text", phrase=f"the text {old_text!r}")
        params[:] = [(n, v) for n, v in params if n not in ("quote", "quote_old")]
        return [clause(OpKind.REPLACE_TEXT, spec, new=new_text, old=old_text)]
    if is_background(target_np):
        if "gradient" in names:
            out.append(background_clause(target_np.spec, gradient=last["gradient"]))  # type: ignore[union-attr]
        elif "new" in names:
            out.append(background_clause(target_np.spec, scene=scene_words(last["new"])))  # type: ignore[union-attr]
        elif "color" in names and "filter" not in names:
            out.append(background_clause(target_np.spec, color=last["color"]))  # type: ignore[union-attr]
            names.discard("color")
        else:
            return []
        params[:] = [(n, v) for n, v in params if n not in ("gradient", "new", "color")]
        return out
    one = last.get("count")
    if "new" in names and isinstance(one, CountItem) and one.count == 1 and one.np is not None and \
            "count_of" not in names and "to_number" not in names:
        spec = object_spec(one.np)  # "replace one of the cats with a dog": that one is replaced
        spec.plural = spec.all = False
        params[:] = [(n, v) for n, v in params if n not in ("count", "new")]
        return [clause(OpKind.REPLACE, spec, **new_thing_params(last["new"]))]
    if "count_of" in names or "count" in names or (
            "to_number" in names and target_np is not None and target_np.spec.plural):  # "the circles to two"
        item: CountItem | None = last.get("count")
        number = last.get("to_number")
        if "by_number" in names and "count_of" in names:  # "reduce the number of chairs by two"
            item = CountItem(delta=cur.sign * last["by_number"], np=None)
        np = item.np if item is not None and item.np is not None else target_np
        if np is not None and (number is not None or item is not None):
            if number is not None and ("count_of" in names or item is None):
                out.append(count_clause(np, count=number))
            elif item is not None and item.delta is not None:
                out.append(count_clause(np, delta=item.delta))
            elif item is not None and item.count is not None:
                out.append(count_clause(np, count=item.count))
        params[:] = [(n, v) for n, v in params if n not in ("count_of", "count", "to_number", "by_number")]
        return out
    if target_np is None:
        return []
    if "new" in names and target_np.spec.scope == "image" and target_np.spec.phrase.split()[-1:] == ["frame"]:
        target_np = NounPhrase(TargetSpec(noun="frame", phrase=target_np.spec.phrase))  # a frame replaced is a thing
    if "material" in names or ("material_of" in names and "new" in names):
        material = last.get("material") or material_name(scene_words(last["new"]).split()[-1])
        out.append(clause(OpKind.MATERIAL, object_spec(target_np), material=material))
    elif "new" in names and "color" not in names and "filter" not in names and not target_np.place and \
            target_np.spec.scope == "object":
        out.append(clause(OpKind.REPLACE, object_spec(target_np), **new_thing_params(last["new"])))
    params[:] = [(n, v) for n, v in params if n not in ("material", "material_of", "new") or not out]
    return out


def quote_old(cur: Cursor) -> str | None:
    """ "instead of 'CLOSED'": the text being replaced, said after the new one."""
    save = cur.pos
    if not (cur.accept("instead", "of") or cur.accept("rather", "than") or cur.accept("in", "place", "of")
            or cur.accept("where", "it", "says") or cur.accept("where", "it", "said") or cur.accept("not")
            or cur.accept("over")):
        return None
    tok = cur.peek()
    if tok is None or tok.kind != "quote":
        cur.pos = save
        return None
    cur.pos += 1
    return tok.word


_COLOUR_THINGS = frozenset({"orange", "lime", "gold", "violet", "lavender", "silver"})
_LED = frozenset({"with", "by", "for", "into"})


def new_thing_led(cur: Cursor) -> NounPhrase | None:
    """ "with a grey mirror", "into a desk lamp": a new thing said after with / by / for / into wins over
    the colour or material words inside it; a bare material ("into glass") is a material."""
    if cur.word() not in _LED:
        return None
    save = cur.pos
    cur.pos += 1
    look = parse_filter_param(cur)  # "into a sketch" is a look
    cur.pos = save
    if look is not None:
        return None
    np = new_thing(cur)
    if np is None:
        return None
    words = np.spec.phrase.split()
    if not np.indefinite or (len(words) == 1 and is_material(words[0])):
        cur.pos = save
        return None
    return np


def names_backdrop(np: NounPhrase | None) -> bool:
    """ "a forest background", "a plain white backdrop": a noun phrase that is itself a new backdrop."""
    return np is not None and (np.spec.noun in ("background", "backdrop") or np.spec.scope == "background")


def backdrop_from(np: NounPhrase) -> IntentClause | None:
    """The backdrop change a phrase like "a plain white background" or "a forest backdrop" names."""
    spec = np.spec
    words = [w for w in spec.modifiers if w not in ("plain", "solid", "simple", "nice", "new", "different")]
    if "gradient" in words and len(spec.colors) == 2:
        return background_clause(None, gradient=spec.colors)
    if spec.colors and not words:
        return background_clause(None, color=spec.colors[0])
    if words:
        return background_clause(None, scene=" ".join(words))
    return None
