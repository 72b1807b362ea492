"""execute: the executor agent runs the plan — ``best_of`` candidates of it when configured (layout,
seed, strength or inpainting method varied), which the critique node scores to keep the best."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from agents.operations import vary
from state.models import Plan, Trace, Version

from ..state import Context, GraphState
from .common import confirm, emit, ops_trace, services


def execute(state: GraphState, runtime: Runtime[Context]) -> dict:
    found = services(runtime)
    plan: Plan = state["plan"]
    confirm(plan, runtime, found)
    base: Version = state["base"]
    images = found.store.images
    image = images.get_array(base.image_ref)
    entities = [e.model_copy(deep=True) for e in base.entities] + [
        e.model_copy(deep=True) for e in state.get("discovered", [])]
    references = [images.get_array(ref) for ref in state.get("references", [])]
    count = max(1, found.settings.best_of)
    seed = found.settings.seed + 1000 * plan.round
    trace: Trace = state["trace"]
    candidates = []
    for variant in range(count):
        started = time.perf_counter()
        candidate = vary(plan, variant, image.shape[:2], seed=found.settings.seed + plan.round)
        execution = found.executor.run(
            candidate, image, [e.model_copy(deep=True) for e in entities], turn=state["turn_index"],
            next_entity=state.get("next_entity", base.next_entity), references=references,
            seed=seed + 7 * variant, cache_key=base.image_ref,
        )
        trace.engine_ms += execution.engine_ms
        ms = (time.perf_counter() - started) * 1000
        done = f"{len(execution.outcomes)} op(s) in {execution.engine_ms:.0f} ms"
        if count == 1:
            trace.add("execute", done, ms, ops=ops_trace(execution))
        else:
            trace.add("execute", f"candidate {variant + 1}/{count}: {done}", ms, ops=ops_trace(execution),
                      candidate=variant + 1)
        for outcome in execution.outcomes:
            emit("operation", f"{outcome.kind} done with {outcome.engine} in {outcome.ms:.0f} ms", op_id=outcome.op_id)
        candidates.append((candidate, execution))
    extra = dict(state.get("extra") or {}) | {"candidates": count}
    if count > 1:
        extra["candidate_plans"] = [p.model_dump(mode="json") for p, _ in candidates]
    return {"execution": candidates[0][1], "executions": [e for _, e in candidates], "extra": extra}
