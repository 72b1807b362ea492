"""What the models are asked to return, and its translation into the state models.

The state models keep free-form ``params`` dicts, which strict structured output cannot express,
so the models answer in these closed, flat shapes (every optional value nullable) and the
translation here checks the vocabulary (palette colours, filter names, known entity ids) the
same way the offline parser does. A ValueError raised here goes back to the model as a repair
request.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from agents.operations import operation
from engines.classical.colors import PALETTE, canonical_color, shade_rgb
from engines.classical.vocabulary import canonical_noun
from state.models import FeedbackHint, IntentClause, OpKind, TargetRelation, TargetSpec

OpName = Literal["remove", "insert", "replace", "recolor", "material", "background", "count", "move", "resize",
                 "filter", "text", "replace_text", "crop", "rotate", "flip"]
Position = Literal["top-left", "top", "top-right", "left", "center", "right", "bottom-left", "bottom", "bottom-right"]
FilterName = Literal[
    "blur", "sharpen", "brighten", "darken", "contrast", "soften_contrast", "saturate", "desaturate", "grayscale",
    "sepia", "invert", "cartoon", "sketch", "denoise", "warm", "cool",
]
Reference = Literal["it", "them", "added", "other", "both", "previous", "user_region", "everything"]
HintKind = Literal["grow_mask", "switch_inpaint", "loosen_tolerance", "avoid_entities", "protect_entities",
                   "stronger", "retry"]


class Wire(BaseModel):
    # Unknown keys are mistakes worth a repair round, not something to drop silently.
    model_config = ConfigDict(extra="forbid")


class WireAnchor(Wire):
    """A thing another is told apart by, or placed against (TargetSpec in a closed shape, no relation of its own)."""

    phrase: str = Field(default="", description="the whole noun phrase as said, e.g. 'the painted white leaf pattern'")
    noun: str | None = Field(default=None, description="head noun, singular ('pattern'); null = any object")
    modifiers: list[str] = Field(default_factory=list, description="other describing words: material, pattern, size")
    possessor: str | None = Field(default=None, description="owner in a possessive: 'the cat's fur' = cat, 'her' = person")
    colors: list[str] = Field(default_factory=list, description="palette colour names")
    position: Position | None = Field(default=None, description="where the target is in the image")
    superlative: Literal["largest", "smallest", "leftmost", "rightmost", "topmost", "bottommost",
                         "centermost"] | None = None
    ordinal: int | None = Field(default=None, description="1-based, with ordinal_axis: 'second from the left' = 2")
    ordinal_axis: Literal["left", "right", "top", "bottom"] | None = None
    size: Literal["small", "large"] | None = None
    plural: bool = False
    all: bool = False
    reference: Reference | None = Field(default=None, description="a pronoun or reference the user used")
    entity_ids: list[str] = Field(default_factory=list, description="ids of session entities it means")
    exclude_entity_ids: list[str] = Field(default_factory=list)
    scope: Literal["object", "image", "background", "region"] = "object"


class WireRelation(Wire):
    rel: Literal["above", "below", "left_of", "right_of", "next_to", "on", "between"]
    anchor: WireAnchor
    also: WireAnchor | None = Field(default=None, description="between: the second thing ('between the cat and "
                                                              "the dog'); none for 'between the two chairs'")


class WireTarget(WireAnchor):
    """What an operation acts on (TargetSpec in a closed shape)."""

    relation: WireRelation | None = Field(
        default=None, description="a target told apart by another thing: 'the cup next to the laptop'")


class WireParams(Wire):
    """Every operation's parameters in one flat shape; fill only those the operation uses."""

    noun: str | None = Field(default=None, description="insert: what to add; replace: the new head noun")
    phrase: str | None = Field(default=None, description="replace: the new thing as said")
    color: str | None = Field(default=None, description="insert/replace/recolor/text/background: palette colour")
    like: WireAnchor | None = Field(default=None, description="recolor: 'the same colour as the star' (the star)")
    compared_to: WireAnchor | None = Field(default=None, description="resize: 'as big as / smaller than the square'")
    compare: Literal["same", "smaller", "larger"] | None = Field(default=None, description="resize with compared_to")
    material: str | None = Field(default=None, description="material: glass, wood, metal, leather, …")
    scene: str | None = Field(default=None, description="background: a scene, e.g. forest, beach")
    gradient: list[str] | None = Field(default=None, description="background: two palette colours")
    keep: WireTarget | None = Field(default=None, description="background: what stays in front, when named")
    delta: int | None = Field(default=None, description="count: how many more (+n) or fewer (-n)")
    old: str | None = Field(default=None, description="replace_text: the text now in the picture ('' = the text)")
    new: str | None = Field(default=None, description="replace_text: the text to write instead")
    size: Literal["small", "medium", "large"] | None = Field(default=None, description="insert/text")
    position: Position | None = Field(default=None, description="insert/move/text: where to put it")
    relation: WireRelation | None = Field(default=None, description="insert/move: next to another object")
    count: int | None = Field(default=None, description="insert: how many; count: the number wanted")
    use_reference: bool | None = Field(default=None, description="insert: use the attached reference image")
    direction: str | None = Field(default=None, description="move: left, right, up, down, up-left, …")
    amount_px: int | None = Field(default=None, description="move: distance in pixels")
    amount_fraction: float | None = Field(default=None, description="move: distance as a fraction of the image")
    degree: Literal["bit", "normal", "lot"] | None = Field(default=None, description="move: how far")
    factor: float | None = Field(default=None, description="resize: scale factor; count: times as many (2 = double)")
    filter: FilterName | None = Field(default=None, description="filter: which")
    strength: float | None = Field(default=None, description="filter: 1.0 normal, 0.5 a bit, 1.8 a lot")
    text: str | None = Field(default=None, description="text: the words to write")
    region: Literal["left-half", "right-half", "top-half", "bottom-half", "center", "square"] | None = \
        Field(default=None, description="crop: which part of the image to keep")
    margin: float | None = Field(default=None, description="crop: margin as a fraction")
    angle: float | None = Field(default=None, description="rotate: degrees, positive = clockwise")
    axis: Literal["horizontal", "vertical"] | None = Field(default=None, description="flip")


class WireClause(Wire):
    op: OpName
    target: WireTarget = Field(default_factory=WireTarget)
    params: WireParams = Field(default_factory=WireParams)
    revision: bool = Field(default=False, description="'actually … instead': replaces the last edit")


class WireHint(Wire):
    kind: HintKind
    op_id: str | None = None
    entity_ids: list[str] = Field(default_factory=list)
    detail: str = ""


# --------------------------------------------------------------------------- translation


def _color(word: str) -> str:
    color = canonical_color(word)
    if color is None:
        raise ValueError(f"unknown colour {word!r}: use one of {', '.join(PALETTE)}")
    return color


def _noun(word: str | None) -> str | None:
    """The noun as said, in the singular ("kittens" → kitten): grounding maps it to a kind it knows
    (agents/kinds.py), open-vocabulary grounders get the word itself, as with the offline parser."""
    if word is None or not word.strip():
        return None
    word = word.strip().lower()
    for plural in ("es", "s"):
        if word.endswith(plural) and canonical_noun(word[:-len(plural)]) is not None:
            return word[:-len(plural)]
    return word if canonical_noun(word) is not None else _singular(word)


def _singular(word: str) -> str:
    if " " in word or len(word) <= 3 or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ses", "xes", "ches", "shes", "zes")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def _ids(ids: list[str], known: set[str] | None, what: str) -> list[str]:
    if known is None:
        return list(ids)
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ValueError(f"{what} names unknown entity ids {unknown}: use only {sorted(known) or 'none'}")
    return list(ids)


def to_target(wire: WireAnchor, known_ids: set[str] | None = None) -> TargetSpec:
    """A TargetSpec with canonical colour words, nouns as said and only known entity ids."""
    relation = wire.relation if isinstance(wire, WireTarget) else None
    return TargetSpec(
        phrase=wire.phrase, noun=_noun(wire.noun), colors=[_color(c) for c in wire.colors],
        modifiers=[w.strip().lower() for w in wire.modifiers if w.strip()],
        possessor=_noun(wire.possessor),
        position=wire.position, superlative=wire.superlative, ordinal=wire.ordinal, ordinal_axis=wire.ordinal_axis,
        size=wire.size, plural=wire.plural, all=wire.all, reference=wire.reference,
        entity_ids=_ids(wire.entity_ids, known_ids, "target"),
        exclude_entity_ids=_ids(wire.exclude_entity_ids, known_ids, "exclude_entity_ids"), scope=wire.scope,
        relation=None if relation is None else TargetRelation(rel=relation.rel,
                                                              anchor=to_target(relation.anchor, known_ids)),
    )


def to_params(op: OpKind, wire: WireParams, target: TargetSpec, known_ids: set[str] | None = None) -> dict[str, Any]:
    """The params dict of the intent contract for ``op``, checked for what the operation needs."""
    params: dict[str, Any] = {k: v for k, v in wire.model_dump(exclude={"relation", "keep", "like", "compared_to",
                                                                         "compare"}).items() if v is not None}
    if wire.like is not None:
        params["like"] = to_target(wire.like, known_ids).model_dump(exclude_defaults=True)
    if wire.compared_to is not None:
        params["relative_to"] = {"anchor": to_target(wire.compared_to, known_ids).model_dump(exclude_defaults=True),
                                 "compare": wire.compare or "same"}
    if wire.relation is not None:
        anchor = to_target(wire.relation.anchor, known_ids)
        params["relation"] = {"rel": wire.relation.rel, "anchor": anchor.model_dump(exclude_defaults=True)}
        if wire.relation.also is not None:
            params["relation"]["and"] = to_target(wire.relation.also, known_ids).model_dump(exclude_defaults=True)
    if wire.keep is not None:
        params["keep"] = to_target(wire.keep, known_ids).model_dump(exclude_defaults=True)
    if "color" in params:
        said = str(params["color"]).strip().lower()
        params["color"] = _color(params["color"])
        if said != params["color"] and shade_rgb(said) is not None:
            params["shade"] = said  # "navy": a recolour paints navy and checks blue; other kinds ignore it
    if "gradient" in params:
        params["gradient"] = [_color(c) for c in params["gradient"]]
    if "noun" in params:
        params["noun"] = _noun(params["noun"])
    for word in ("material", "scene"):
        if word in params:
            params[word] = str(params[word]).strip().lower()
    params = operation(op).complete_params(params, target)
    return params


def _says_something(target: TargetSpec) -> bool:
    return bool(target.phrase.strip() or target.noun or target.colors or target.reference or target.entity_ids
                or target.position or target.superlative or target.ordinal)


def to_clause(wire: WireClause, known_ids: set[str] | None = None) -> IntentClause:
    op = OpKind(wire.op)
    kind = operation(op)
    # The new object of an insert is no session entity, so its target is a description only.
    target = to_target(wire.target, None if kind.makes_new and not kind.needs_target else known_ids)
    if kind.needs_target and target.scope == "object" and not _says_something(target):
        raise ValueError(f"a {op.value} operation needs a target: what it applies to (phrase and noun, "
                         "or a reference with entity ids)")
    if kind.target_scope and target.scope != kind.target_scope:
        target = target.model_copy(update={"scope": kind.target_scope})
    return IntentClause(op=op, target=target, params=to_params(op, wire.params, target, known_ids),
                        revision=wire.revision)


def to_hint(wire: WireHint) -> FeedbackHint:
    return FeedbackHint(kind=wire.kind, op_id=wire.op_id, entity_ids=list(wire.entity_ids), detail=wire.detail)


__all__ = [
    "FilterName", "OpName", "Position", "WireClause", "WireHint", "WireParams", "WireAnchor", "WireRelation", "WireTarget",
    "to_clause", "to_hint", "to_params", "to_target",
]
