"""One corpus line and its expected intent, in the shape of docs/intent.md.

The expected intent names only what a right parse must get: the op kinds in order, each target's
head noun, and the parameters that matter for that kind. :meth:`CorpusLine.to_intent` checks it
against the shared contract (state.models), so an expectation that the contract cannot hold fails.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from state.models import Intent, IntentClause, OpKind, TargetSpec

Split = Literal["dev", "test"]

# The parameters each kind must state (one of each tuple), and those it may state.
REQUIRED: dict[str, tuple[tuple[str, ...], ...]] = {
    "remove": (), "insert": (("noun",),), "replace": (("noun",),), "recolor": (("color",),),
    "material": (("material",),), "background": (("scene", "color", "gradient"),), "count": (("count", "delta", "factor"),),
    "replace_text": (("new",), ("old",)), "move": (("direction", "position", "relation"),),
    "resize": (("factor",), ("tolerance",)), "filter": (("filter",),),
}
ALLOWED: dict[str, frozenset[str]] = {
    "remove": frozenset(), "insert": frozenset({"noun", "color", "count", "position", "relation"}),
    "replace": frozenset({"noun", "phrase", "color"}), "recolor": frozenset({"color"}),
    "material": frozenset({"material"}), "background": frozenset({"scene", "color", "gradient"}),
    "count": frozenset({"count", "delta", "factor"}), "replace_text": frozenset({"old", "new"}),
    "move": frozenset({"direction", "position", "relation", "amount_px"}),
    "resize": frozenset({"factor", "tolerance"}), "filter": frozenset({"filter"}),
}
RELATIONS = frozenset({"left", "right", "above", "below", "on", "next", "near"})


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExpectedTarget(Model):
    """A target as said, with its head noun (singular) and parts; only the head noun is scored."""

    phrase: str = ""
    noun: str | None = None
    colors: list[str] = Field(default_factory=list)
    modifiers: list[str] = Field(default_factory=list)
    possessor: str | None = None
    plural: bool = False
    scope: Literal["object", "image", "background"] = "object"

    def spec(self) -> TargetSpec:
        return TargetSpec(phrase=self.phrase, noun=self.noun, colors=self.colors, modifiers=self.modifiers,
                          possessor=self.possessor, plural=self.plural, scope=self.scope)


class ExpectedOp(Model):
    op: str
    target: ExpectedTarget = Field(default_factory=ExpectedTarget)
    params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _params_fit_the_kind(self) -> ExpectedOp:
        OpKind(self.op)
        if self.op not in ALLOWED:
            raise ValueError(f"the corpus has no expectation rule for {self.op!r}")
        extra = set(self.params) - ALLOWED[self.op]
        if extra:
            raise ValueError(f"{self.op}: unexpected params {sorted(extra)}")
        for group in REQUIRED[self.op]:
            if not any(key in self.params for key in group):
                raise ValueError(f"{self.op}: needs one of {group}")
        relation = self.params.get("relation")
        if relation is not None:
            ExpectedTarget.model_validate(relation["anchor"])
            if relation["rel"] not in RELATIONS or set(relation) != {"rel", "anchor"}:
                raise ValueError(f"{self.op}: bad relation {relation}")
        if self.target.scope == "object" and self.op != "background" and not (self.target.noun or self.target.colors):
            raise ValueError(f"{self.op}: an object target needs a head noun or a colour")
        if self.target.noun and self.target.noun != self.target.noun.split()[-1]:
            raise ValueError(f"{self.op}: head noun {self.target.noun!r} is more than one word")
        return self


class Expected(Model):
    ops: list[ExpectedOp] = Field(min_length=1)
    keep: list[ExpectedTarget] = Field(default_factory=list)


class CorpusLine(Model):
    id: str
    text: str = Field(min_length=1)
    task: str
    voice: str
    family: str
    split: Split
    nouns: list[str] = Field(default_factory=list, description="the drawn vocabulary heads (for the noun split)")
    typo: str | None = Field(default=None, description="'remvoe<remove' when a word was mistyped on purpose")
    expected: Expected

    def to_intent(self) -> Intent:
        """The expectation as a contract Intent: raises when the contract cannot hold it."""
        clauses = [IntentClause(op=OpKind(op.op), target=op.target.spec(), params=op.params) for op in self.expected.ops]
        return Intent(text=self.text, clauses=clauses, keep=[k.spec() for k in self.expected.keep])
