"""Plan approval over HTTP: ``GET /sessions/{id}/plan`` (what waits) and ``POST /sessions/{id}/plan``
(approve, or reject with feedback), which streams or returns the rest of the turn like a message does.

Any worker over the same store can decide: the paused turn is read from the store's checkpointer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from fastapi import APIRouter, Request

from graph.api import Editor, Session, TurnResult
from graph.approval import PendingPlan, PlanDecision

from .schemas import PendingPlanInfo, PendingPlanState, PlanRequest
from .streaming import run_to_end, stream_turn


def pending_info(pending: PendingPlan | None) -> PendingPlanInfo | None:
    return PendingPlanInfo(**pending.as_json()) if pending is not None else None


def add_plan_routes(router: APIRouter, editor: Editor, pool: Executor, render: Callable[[TurnResult], dict],
                    open_session: Callable[[str], Session]) -> None:
    async def in_pool(fn: Callable[[], Any]) -> Any:
        return await asyncio.get_running_loop().run_in_executor(pool, fn)

    @router.get("/{session_id}/plan", response_model=PendingPlanState, summary="The plan waiting for approval")
    async def get_plan(session_id: str) -> PendingPlanState:
        def work() -> PendingPlanState:
            open_session(session_id)
            return PendingPlanState(pending_plan=pending_info(editor.pending_plan(session_id)))

        return await in_pool(work)

    @router.delete("/{session_id}/plan", response_model=PendingPlanState, summary="Discard the plan that waits",
                   description="Nothing runs; the session takes messages again (the image sent with the "
                               "message is kept, as after a failed message). Returns the discarded plan.")
    async def discard_plan(session_id: str) -> PendingPlanState:
        def work() -> PendingPlanState:
            open_session(session_id)
            return PendingPlanState(pending_plan=pending_info(editor.discard_plan(session_id)))

        return await in_pool(work)

    @router.post(
        "/{session_id}/plan", summary="Approve or reject the plan that waits",
        description="`{\"approve\": true}` runs the plan; `{\"approve\": false, \"feedback\": \"…\"}` sends the "
                    "feedback to the planner, whose next plan waits again (the stream ends with a `plan` event). "
                    "Streams server-sent events like a message (`?stream=false`: the TurnInfo JSON). "
                    "409 no_pending_plan when nothing waits; 409 plan_rejected when no other plan exists.",
        responses={200: {"description": "text/event-stream of progress, or the TurnInfo JSON",
                         "content": {"text/event-stream": {}, "application/json": {"schema": {
                             "$ref": "#/components/schemas/TurnInfo"}}}}},
    )
    async def decide_plan(session_id: str, body: PlanRequest, request: Request, stream: bool = True) -> Any:
        decision = PlanDecision(approve=body.approve, feedback=body.feedback)

        def run():
            open_session(session_id)
            return editor.decide(session_id, decision)

        if not stream or "application/json" in request.headers.get("accept", "").split(",")[0]:
            return render(await run_to_end(run, pool))
        return await stream_turn(run, pool, render)


__all__ = ["add_plan_routes", "pending_info"]
