"""decompose: the intent (+ the critic's feedback on a retry) → a plan. A generate intent is laid
out as one picture; every other intent goes to the decomposer agent."""

from __future__ import annotations

import time
from typing import Literal

from langgraph.runtime import Runtime

from agents import Scene
from agents.operations import only_refinements, plan_generation
from state.models import Entity, Intent, Plan, Version

from ..services import Services
from ..state import Context, GraphState
from .common import emit, llm_calls, services


def scene_of(state: GraphState, found: Services, entities: list[Entity], base: Version | None = None) -> Scene:
    """The image the plan is made against, with its entities and the region the user drew."""
    base = base or state["base"]
    images = found.store.images
    user_mask = images.get_mask(state["user_mask_ref"]) if state.get("user_mask_ref") else None
    return Scene(image=images.get_array(base.image_ref), image_ref=base.image_ref, entities=entities,
                 engines=found.engines, images=images, user_mask=user_mask)


def decompose(state: GraphState, runtime: Runtime[Context]) -> dict:
    started = time.perf_counter()
    found = services(runtime)
    intent: Intent = state["intent"]
    if intent.kind == "generate":
        return _layout(state, found, started)
    base: Version = state["base"]
    protected = sorted({c.entity_id for c in base.live_constraints if c.entity_id})
    scene = scene_of(state, found, base.entities)
    result = found.decomposer.decompose(
        intent, scene, next_entity=base.next_entity, protected_ids=protected,
        previous=state.get("plan"), critique=state.get("critique"),
    )
    trace = state["trace"]
    trace.engine_ms += scene.engine_ms  # grounding and segmentation are engine time
    ms = (time.perf_counter() - started) * 1000
    if result.clarification is not None:
        trace.add("decompose", "ambiguous target: asking", ms, question=result.clarification.question)
        emit("clarify", result.clarification.question)
        return {"clarification": result.clarification, "plan": None}
    plan = result.plan
    trace.add("decompose", f"round {plan.round}: {len(plan.operations)} op(s)", ms, notes=plan.notes,
              exhausted=plan.exhausted, **llm_calls(found.decomposer))
    emit("plan", f"round {plan.round}: " + ", ".join(f"{op.kind} {op.target.phrase or ''}".strip()
                                                     for op in plan.operations),
         plan=plan.model_dump(mode="json"))
    update = {"plan": plan}
    if not plan.exhausted:
        update |= {"discovered": result.discovered, "next_entity": result.next_entity}
    return update


def _layout(state: GraphState, found: Services, started: float) -> dict:
    """A picture from words: a retry draws the next layout variant (relations kept, boxes moved)."""
    base: Version = state["base"]
    previous: Plan | None = state.get("plan")
    variant = previous.round if previous is not None else 0
    plan, next_entity = plan_generation(state["intent"], next_entity=base.next_entity, variant=variant,
                                        seed=found.settings.seed, round=variant + 1)
    state["trace"].add("decompose", f"round {plan.round}: generate {len(plan.operations[0].entity_ids)} object(s)",
                       (time.perf_counter() - started) * 1000, notes=plan.notes)
    emit("plan", f"round {plan.round}: generate", plan=plan.model_dump(mode="json"))
    return {"plan": plan, "discovered": [], "next_entity": next_entity}


def route_after_decompose(state: GraphState, runtime: Runtime[Context]) -> Literal["execute", "refine", "commit_turn"]:
    plan = state.get("plan")
    if state.get("clarification") is not None or plan is None or plan.exhausted:
        return "commit_turn"
    return "refine" if only_refinements(plan) else "execute"
