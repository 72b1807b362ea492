"""refine: the refinement node — a plan made only of refinements (upscale, sharpen, denoise, style),
or the refinement the critic asked for on the best attempt so far (an enlarged object gone soft)."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from agents.operations.refine import asked_refinements
from agents.outcomes import Execution
from state.models import Critique, Plan, Trace, Version

from ..state import Context, GraphState
from .common import best_index, emit, ops_trace, services


def refine(state: GraphState, runtime: Runtime[Context]) -> dict:
    found = services(runtime)
    trace: Trace = state["trace"]
    extra = dict(state.get("extra") or {})
    base: Version = state["base"]
    images = found.store.images
    critique: Critique | None = state.get("critique")
    started = time.perf_counter()
    asked = [h for h in (critique.hints if critique else []) if h.kind == "refine"]
    if asked and state.get("attempts"):
        attempts, executions = state["attempts"], state["executions"]
        best = best_index(attempts)
        earlier, execution = attempts[best].plan, executions[best]
        ops = asked_refinements(asked, execution.entities)
        plan = earlier.model_copy(update={"operations": [*earlier.operations, *ops],
                                          "notes": [*earlier.notes, "refinement asked for by the critic"]})
        extra["refined"] = True
        more = found.executor.run(Plan(operations=ops, round=earlier.round), images.get_array(execution.image_ref),
                                  execution.entities, turn=state["turn_index"], next_entity=execution.next_entity,
                                  seed=found.settings.seed)
        execution = _followed_by(execution, more)
        why = "; ".join(h.detail for h in asked)
        done = more
    else:
        plan = state["plan"]
        execution = found.executor.run(plan, images.get_array(base.image_ref),
                                       [e.model_copy(deep=True) for e in base.entities], turn=state["turn_index"],
                                       next_entity=state.get("next_entity", base.next_entity),
                                       seed=found.settings.seed + 1000 * plan.round)
        why = ", ".join(str(op.params.get("mode")) for op in plan.operations)
        done = execution
    trace.engine_ms += done.engine_ms
    trace.add("refine", f"refined ({why})", (time.perf_counter() - started) * 1000, ops=ops_trace(done))
    emit("refine", f"refined: {why}")
    extra["candidates"] = 1
    return {"plan": plan, "execution": execution, "executions": [execution], "extra": extra}


def _followed_by(execution: Execution, more: Execution) -> Execution:
    """An execution with another one's operations run on top of its result."""
    return execution.model_copy(update={
        "image_ref": more.image_ref, "width": more.width, "height": more.height,
        "intermediate_refs": [*execution.intermediate_refs, *more.intermediate_refs],
        "outcomes": [*execution.outcomes, *more.outcomes], "entities": more.entities,
        "engine_ms": execution.engine_ms + more.engine_ms})
