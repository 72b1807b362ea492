"""The operation registry: one module per operation kind, looked up by ``OpKind``.

The decomposer, executor, critic and constraint checker loop over this registry and never name a
kind. Adding a kind is one new module here and one line below (plus the parser's words for it).
"""

from __future__ import annotations

import numpy as np

from state.models import OpKind, Plan

from .background import Background
from .base import SHAPES, CheckContext, Operation, RunResult, verdict
from .count import Count
from .crop import Crop
from .filter import Filter
from .flip import Flip
from .generate import Generate
from .insert import Insert
from .layout import DEFAULT_SIZE, plan_generation, scene_objects
from .material import Material
from .move import Move
from .recolor import Recolor
from .refine import Refine
from .remove import Remove
from .replace import Replace
from .replace_text import ReplaceText
from .resize import Resize
from .rotate import Rotate
from .text import Text

OPERATIONS: dict[OpKind, Operation] = {}


def register(operation: Operation) -> Operation:
    """Make an operation kind known to every agent (built-in kinds register exactly like new ones)."""
    OPERATIONS[operation.kind] = operation
    return operation


for _operation in (Remove(), Insert(), Recolor(), Move(), Resize(), Filter(), Text(), Crop(), Rotate(), Flip(),
                   Generate(), Refine(), Material(), Background(), Replace(), Count(), ReplaceText()):
    register(_operation)


def operation(kind: OpKind | str) -> Operation:
    """The module of one operation kind; an unknown kind is an error that lists the known ones."""
    found = OPERATIONS.get(OpKind(kind)) if kind in OpKind._value2member_map_ or isinstance(kind, OpKind) else None
    if found is None:
        known = ", ".join(sorted(k.value for k in OPERATIONS))
        raise KeyError(f"no operation module for {kind!r}; known operations: {known}")
    return found


def describe(op) -> str:
    """A short past-tense account of one planned operation, for replies and traces."""
    return operation(op.kind).describe(op)


def vary(plan: Plan, variant: int, shape: tuple[int, int], seed: int = 0) -> Plan:
    """The ``variant``-th candidate of a plan (0 = the plan itself), for variations and best-of-N.

    What varies is what each operation leaves open (a new object's box, a filter's strength, a
    removal's inpainting method, a generated picture's layout and seed); targets never change.
    """
    if variant == 0:
        return plan
    rng = np.random.default_rng(seed * 104729 + variant)
    varied = plan.model_copy(deep=True)
    for op in varied.operations:
        operation(op.kind).vary(op, variant, rng, shape)
        op.strategy["variant"] = variant
    varied.notes = [*plan.notes, f"candidate {variant + 1}"]
    return varied


def only_refinements(plan) -> bool:
    """Whether a plan goes to the refinement node rather than the executor."""
    return bool(plan.operations) and all(operation(op.kind).refinement for op in plan.operations)


__all__ = ["DEFAULT_SIZE", "OPERATIONS", "SHAPES", "CheckContext", "Operation", "RunResult", "describe",
           "only_refinements", "operation", "plan_generation", "register", "scene_objects", "vary", "verdict"]
