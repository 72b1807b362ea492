"""The task decomposer on a language model: intent + critic feedback + scene → grounded plan.

The model decides *what* to do (which operations, in which order, on which described targets,
with which removal strategy); *where* is never its job. Its operations are grounded by the
offline decomposer's plan builder, the same target resolution, placement and entity bookkeeping,
so an LLM plan and an offline plan are the same kind of object and the executor and critic need
not care which made it. Critic hints still escalate the tactics mechanically; the model's own
strategy choices override them per operation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import Field

from agents.decomposer import INPAINT_METHODS, Decomposition, OfflineDecomposer, PlanBuilder
from agents.errors import InstructionError
from agents.keep import apply_keep
from agents.regions import describe_location
from agents.targets import Scene
from prompts import load_examples, load_prompt
from state.models import Critique, EditOperation, Intent, IntentClause, Plan

from .client import CallLog, LLMClient
from .context import entities_text, vocabulary
from .wire import OpName, Wire, WireClause, WireParams, WireTarget, to_clause

# What a clause carries from an answered clarification: the region the user picked.
_PINNED = ("chosen_region", "chosen_entity")


class WireStrategy(Wire):
    dilate: int | None = Field(default=None, description="pixels the mask grows before filling (3 default)")
    method: Literal["auto", "background", "patch", "telea", "ns"] | None = None


class WireOperation(Wire):
    kind: OpName
    from_clause: int = Field(default=0, description="0-based index of the intent clause this carries out")
    target: WireTarget = Field(default_factory=WireTarget)
    params: WireParams = Field(default_factory=WireParams)
    strategy: WireStrategy = Field(default_factory=WireStrategy)


class LLMPlan(Wire):
    """The planner model's answer."""

    operations: list[WireOperation] = Field(description="the operations, in the order they run")
    tolerance: float | None = Field(default=None, description="re-grounding colour tolerance, 1.0 to 2.0")
    give_up: bool = Field(default=False, description="retry only: nothing sensible is left to change")
    reasoning: str = ""


class LLMDecomposer(CallLog):
    """Planning through any OpenAI-compatible chat model, grounded by measurement."""

    name = "llm"

    def __init__(self, llm: LLMClient) -> None:
        super().__init__()
        self.llm = llm
        self._offline = OfflineDecomposer()

    def decompose(
        self, intent: Intent, scene: Scene, *, next_entity: int, protected_ids: Sequence[str] = (),
        previous: Plan | None = None, critique: Critique | None = None,
    ) -> Decomposition:
        records = self._begin()
        known = {e.id for e in scene.entities}
        situation = load_prompt(
            "decomposer_scene", width=scene.shape[1], height=scene.shape[0],
            objects=_objects_text(scene), entities=entities_text(scene.entities, scene.shape),
            protected=", ".join(protected_ids) or "(none)", previous=_plan_text(previous),
            critique=_critique_text(critique),
        )
        # Fixed rules and examples first (a server's prefix cache keeps them), this scene last.
        messages = [{"role": "system", "content": load_prompt("decomposer", vocabulary=vocabulary())},
                    *load_examples("decomposer"),
                    {"role": "system", "content": situation},
                    {"role": "user", "content": _intent_text(intent)}]
        plan: LLMPlan = self.llm.structured(
            messages, LLMPlan, convert=lambda wire: _checked(wire, intent, known, previous),
            purpose="decompose", records=records)
        clauses = [_clause(op, intent, known) for op in plan.operations]

        # 1. tactics: the critic's hints escalate as they do offline; the model's choices override
        tactics, notes = self._offline.escalate(previous, critique)
        if plan.tolerance is not None:
            tactics.tolerance = float(min(max(plan.tolerance, 1.0), 2.0))
        for index, op in enumerate(plan.operations):
            op_id = f"op{index + 1}"
            if op.strategy.dilate is not None:
                tactics.dilate[op_id] = int(min(max(op.strategy.dilate, 0), 40))
            if op.strategy.method is not None and op.strategy.method in INPAINT_METHODS:
                tactics.method[op_id] = op.strategy.method
        if previous is not None and plan.give_up:
            return self._exhausted(previous, plan.reasoning or "the planner sees nothing left to change", next_entity)

        # 2. ground every operation with the offline plan builder
        scene.tolerance = tactics.tolerance
        planned = Intent(kind="edit", text=intent.text, clauses=clauses, backend=self.name)
        builder = PlanBuilder(scene, tactics, next_entity, list(protected_ids))
        for index, clause in enumerate(clauses):
            clarification = builder.add_clause(index, clause, planned)
            if clarification is not None:
                return Decomposition(clarification=clarification, next_entity=next_entity)
        if not builder.operations:
            raise InstructionError(f"nothing to do for {intent.text!r}")
        notes = [*notes, *apply_keep(builder, intent)]  # what the message keeps is protected from every op
        result = Plan(operations=builder.operations, round=(previous.round + 1) if previous else 1,
                      notes=[n for n in [plan.reasoning, *notes] if n] or [f"{len(builder.operations)} operation(s)"])
        result.operations[0].strategy["tactics"] = tactics.model_dump()

        # 3. a retry that changes nothing would only repeat the last score
        if previous is not None and _signature(result) == _signature(previous):
            return self._exhausted(previous, "the new plan is the same as the last one", next_entity)
        return Decomposition(plan=result, discovered=builder.discovered, next_entity=builder.next_entity)

    @staticmethod
    def _exhausted(previous: Plan, why: str, next_entity: int) -> Decomposition:
        return Decomposition(plan=previous.model_copy(update={"exhausted": True, "notes": [why]}),
                             next_entity=next_entity)


def _checked(wire: LLMPlan, intent: Intent, known: set[str], previous: Plan | None) -> LLMPlan:
    """Reject (for repair) a plan that cannot be grounded as stated."""
    if not wire.operations and not (previous is not None and wire.give_up):
        raise ValueError("operations is empty: give at least one operation")
    for op in wire.operations:
        if intent.clauses and not 0 <= op.from_clause < len(intent.clauses):
            raise ValueError(f"from_clause {op.from_clause} is not a clause index (0..{len(intent.clauses) - 1})")
        _clause(op, intent, known)  # raises ValueError on an unknown colour, filter or id
    return wire


def _clause(op: WireOperation, intent: Intent, known: set[str]) -> IntentClause:
    clause = to_clause(WireClause(op=op.kind, target=op.target, params=op.params), known)
    source = intent.clauses[op.from_clause] if 0 <= op.from_clause < len(intent.clauses) else None
    if source is not None and source.op == clause.op:
        # The region the user picked in answer to a question, and references the parser resolved,
        # are facts the model may not restate; they ride along from the clause.
        clause.params.update({k: source.params[k] for k in _PINNED if k in source.params})
        if source.target.entity_ids and not clause.target.entity_ids and clause.target.noun in (None, source.target.noun):
            clause.target = clause.target.model_copy(update={"entity_ids": list(source.target.entity_ids)})
        clause.revision = source.revision
    return clause


def _signature(plan: Plan) -> list[tuple[Any, ...]]:
    def one(op: EditOperation) -> tuple[Any, ...]:
        strategy = {k: v for k, v in op.strategy.items() if k != "tactics"}
        return (op.kind, op.region.box if op.region else None, repr(sorted(op.params.items())),
                repr(sorted(strategy.items())))

    return [one(op) for op in plan.operations]


# --------------------------------------------------------------------------- prompt text


def _objects_text(scene: Scene) -> str:
    lines = []
    for detection in scene.ground():
        if detection.noun == "background":
            continue
        entity = scene.match_entity(detection.mask)
        words = " ".join(w for w in (detection.color, detection.noun) if w)
        link = f" = entity {entity.id}" if entity is not None else ""
        lines.append(f"- {words} box={list(detection.box)} {describe_location(detection.box, scene.shape)}, "
                     f"{detection.area} px{link}")
    return "\n".join(lines) or "(no objects detected)"


def _intent_text(intent: Intent) -> str:
    lines = [f"User's message: {intent.text!r}"]
    for index, clause in enumerate(intent.clauses):
        target = clause.target.model_dump(exclude_defaults=True)
        params = {k: v for k, v in clause.params.items() if k not in _PINNED}
        pinned = " (target already chosen by the user)" if "chosen_region" in clause.params else ""
        lines.append(f"clause {index}: {clause.op.value} target={target} params={params}{pinned}")
    return "\n".join(lines)


def _plan_text(plan: Plan | None) -> str:
    if plan is None:
        return "(first attempt)"
    lines = [f"round {plan.round}: {', '.join(plan.notes)}"]
    for op in plan.operations:
        strategy = {k: v for k, v in op.strategy.items() if k != "tactics"}
        box = list(op.region.box) if op.region else None
        lines.append(f"- {op.id}: {op.kind.value} {op.target.phrase or op.target.noun or op.target.scope} "
                     f"box={box} params={op.params} strategy={strategy}")
    return "\n".join(lines)


def _critique_text(critique: Critique | None) -> str:
    if critique is None:
        return "(none)"
    lines = [f"score {critique.score:.2f} ({'passed' if critique.passed else 'below threshold'})"]
    if critique.feedback:
        lines.append(f"feedback: {critique.feedback}")
    lines += [f"- {v.op_id}: {'ok' if v.ok else 'FAILED'}: {v.reason}" for v in critique.operations]
    lines += [f"- constraint {v.constraint_id}: {'holds' if v.holds else 'BROKEN'}: {v.reason}"
              for v in critique.constraints]
    lines += [f"- hint {h.kind} {h.op_id or ''} {h.entity_ids or ''} {h.detail}".rstrip() for h in critique.hints]
    return "\n".join(lines)


__all__ = ["LLMDecomposer", "LLMPlan", "WireOperation", "WireStrategy"]
