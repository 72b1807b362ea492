"""prepare_canvas: the empty picture a generation paints on — a real version, so undo goes back to it."""

from __future__ import annotations

from langgraph.runtime import Runtime

from agents.operations.layout import blank_canvas
from state.models import Intent, Version, new_id

from ..state import Context, GraphState
from .common import services


def prepare_canvas(state: GraphState, runtime: Runtime[Context]) -> dict:
    found = services(runtime)
    intent: Intent = state["intent"]
    blank, kind = blank_canvas(intent)
    height, width = blank.shape[:2]
    ref = found.store.images.put_image(blank)
    snapshot = state["snapshot"]
    previous = state.get("base")
    version = Version(id=new_id(), parent=snapshot.meta.head, image_ref=ref, width=width, height=height,
                      turn=state["turn_index"], note="blank canvas",
                      next_entity=previous.next_entity if previous else 1)
    state["trace"].add("canvas", f"blank {kind} canvas {width}x{height}")
    return {"base": version, "new_versions": [*state.get("new_versions", []), version]}
