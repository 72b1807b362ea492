"""What every node shares: its services from the run's context, settings, progress events, the trace."""

from __future__ import annotations

from langgraph.config import get_stream_writer
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from state.errors import RetouchError

from ..services import _REGISTRY, Services, services_for
from ..settings import Settings
from ..state import Context


def services(runtime: Runtime[Context]) -> Services:
    context = runtime.context or Context()
    # Services registered by the Python API need no settings: reading the environment on every
    # node would cost more than the rest of a small turn.
    registered = _REGISTRY.get(context.services_key) if context.services_key else None
    if registered is not None:
        return registered
    overrides = {"store": context.store, "engines": context.engines}
    settings = Settings.load(**{k: v for k, v in overrides.items() if v})
    return services_for(context.services_key, settings)


def setting(runtime: Runtime[Context], name: str, found: Services):
    """A setting as the run's context overrides it, else as configured."""
    value = getattr(runtime.context, name, None) if runtime.context else None
    return value if value is not None else getattr(found.settings, name)


def llm_calls(agent) -> dict:
    """Token usage and latency of the model calls an agent just made, for the trace."""
    calls = getattr(agent, "last_calls", None)
    return {"llm_calls": [c.model_dump() for c in calls]} if calls else {}


def emit(stage: str, message: str, **data) -> None:
    """A progress event for streaming clients (no-op outside a streamed run)."""
    try:
        writer = get_stream_writer()
    except Exception:  # not inside a streamed run
        return
    writer({"stage": stage, "message": message, **data})


def ops_trace(execution) -> list[dict]:
    """Each operation's engine, time and engine call settings, for the trace."""
    return [{"op": o.op_id, "kind": o.kind, "engine": o.engine, "ms": round(o.ms, 1), **o.info}
            for o in execution.outcomes]


class PlanRejected(RetouchError):
    """The person reviewing the plan said no, and there is no other plan: nothing was changed."""

    code = "plan_rejected"


def confirm(plan, runtime: Runtime[Context], found: Services) -> None:
    """Pause for approval of a first-round plan when ``confirm_plan`` is on (a LangGraph interrupt).

    The graph that ``build_graph`` wires reviews plans in ``graph.approval.reviewed`` before the
    node runs (and turns ``confirm_plan`` off for the node), so this only pauses in a graph wired
    without that step."""
    if setting(runtime, "confirm_plan", found) and plan.round == 1:
        decision = interrupt({"question": "Run this plan?", "plan": plan.model_dump(mode="json")})
        if not approved(decision):
            raise PlanRejected("the plan was rejected; nothing was changed")


def approved(decision) -> bool:
    if isinstance(decision, dict):
        decision = decision.get("approve", decision.get("approved", False))
    if isinstance(decision, str):
        return decision.strip().lower() in ("yes", "y", "approve", "approved", "ok", "true")
    return bool(decision)


def best_index(attempts) -> int:
    """The attempt with the highest score; ties go to the literal first try."""
    return max(range(len(attempts)), key=lambda i: (attempts[i].critique.score, -i))
