"""critique: the critic scores each candidate of this round against the intent and every standing
constraint; the best is kept, and below the threshold the loop goes back for another plan."""

from __future__ import annotations

import time
from typing import Literal

from langgraph.runtime import Runtime

from agents import CritiqueRequest
from agents.constraints import supersede
from agents.outcomes import Execution
from state.models import Attempt, Plan, Version

from ..services import Services
from ..state import Context, GraphState
from .common import best_index, emit, llm_calls, services, setting


def critique(state: GraphState, runtime: Runtime[Context]) -> dict:
    found = services(runtime)
    extra = state.get("extra") or {}
    count = int(extra.get("candidates", 1))
    executions = state.get("executions", [])[-count:] if count > 1 else [state["execution"]]
    plans = [Plan.model_validate(p) for p in extra.get("candidate_plans", [])] if count > 1 else []
    attempts = [_attempt(state, runtime, found, plans[i] if i < len(plans) else state["plan"], execution)
                for i, execution in enumerate(executions)]
    best = best_index(attempts)
    if count > 1:
        scores = [round(a.critique.score, 4) for a in attempts]
        state["trace"].add("critique", f"best of {count}: candidate {best + 1} (scores {scores})", scores=scores,
                           chosen=best + 1)
    return {"critique": attempts[best].critique, "attempts": attempts, "round": state["plan"].round,
            "execution": executions[best]}


def _attempt(state: GraphState, runtime: Runtime[Context], found: Services, plan: Plan, execution: Execution) \
        -> Attempt:
    started = time.perf_counter()
    base: Version = state["base"]
    images = found.store.images
    carried = supersede(base.constraints, plan.operations, state["turn_index"])
    request = CritiqueRequest(
        before=images.get_array(base.image_ref), after=images.get_array(execution.image_ref),
        after_ref=execution.image_ref, plan=plan, execution=execution,
        constraints=[c for c in carried if c.live] if found.settings.check_constraints else [],
        entities_before=base.entities, threshold=setting(runtime, "threshold", found),
        intent_text=state["intent"].text, before_ref=base.image_ref,
        check_bystanders=found.settings.check_constraints,
    )
    result = found.critic.critique(request)
    measured = getattr(found.critic, "measured", None) or found.critic
    trace = state["trace"]
    trace.engine_ms += getattr(measured, "last_engine_ms", 0.0)  # the critic's re-grounding
    trace.add("critique", f"round {plan.round}: score {result.score:.2f} ({'pass' if result.passed else 'retry'})",
              (time.perf_counter() - started) * 1000, feedback=result.feedback, **llm_calls(found.critic))
    emit("critique", f"round {plan.round}: score {result.score:.2f}", score=result.score, passed=result.passed,
         feedback=result.feedback)
    return Attempt(round=plan.round, plan=plan, image_ref=execution.image_ref,
                   intermediate_refs=execution.intermediate_refs, op_ms=[o.ms for o in execution.outcomes],
                   critique=result)


def route_after_critique(state: GraphState, runtime: Runtime[Context]) -> Literal["decompose", "refine", "commit_turn"]:
    critique_ = state["critique"]
    if any(h.kind == "refine" for h in critique_.hints) and not (state.get("extra") or {}).get("refined"):
        return "refine"
    found = services(runtime)
    if critique_.passed or state["round"] >= setting(runtime, "max_rounds", found):
        return "commit_turn"
    return "decompose"
