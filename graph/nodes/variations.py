"""variations: N candidates of the last edit or generation, each executed and critiqued; the turn
offers them all and the head becomes the first (so the session always shows a picture)."""

from __future__ import annotations

import time

from langgraph.runtime import Runtime

from agents import CritiqueRequest
from agents.constraints import derive, supersede
from agents.errors import InstructionError
from agents.operations import plan_generation, vary
from state.models import Attempt, Entity, Intent, Trace, TurnKind, Version, new_id

from ..state import Context, GraphState
from .common import emit, services, setting
from .decompose import scene_of


def variations(state: GraphState, runtime: Runtime[Context]) -> dict:
    found = services(runtime)
    store, images = found.store, found.store.images
    snapshot = state["snapshot"]
    intent: Intent = state["intent"]
    count = int(intent.count or 3)
    source = next((t for t in reversed(snapshot.recent_turns)
                   if t.kind in (TurnKind.EDIT, TurnKind.GENERATE) and t.intent is not None and t.base_version), None)
    if source is None:
        raise InstructionError("there is no edit to show versions of yet: describe a picture or an edit first")
    base = store.version(snapshot.meta.id, source.base_version)
    trace: Trace = state["trace"]
    image = images.get_array(base.image_ref)
    head = state.get("base")
    turn = state["turn_index"]
    seed = found.settings.seed
    attempts: list[Attempt] = []
    versions: list[Version] = []
    for variant in range(1, count + 1):
        started = time.perf_counter()
        discovered: list[Entity] = []
        if source.intent.kind == "generate":
            plan, next_entity = plan_generation(source.intent, next_entity=base.next_entity, variant=variant, seed=seed)
        else:
            scene = scene_of({}, found, base.entities, base=base)
            protected = sorted({c.entity_id for c in base.live_constraints if c.entity_id})
            result = found.decomposer.decompose(source.intent, scene, next_entity=base.next_entity,
                                                protected_ids=protected)
            if result.plan is None:
                raise InstructionError("the last edit needs a question answered before it can be varied")
            plan = vary(result.plan, variant, image.shape[:2], seed=seed)
            discovered, next_entity = result.discovered, result.next_entity
        entities = [e.model_copy(deep=True) for e in base.entities] + discovered
        execution = found.executor.run(plan, image, entities, turn=turn, next_entity=next_entity,
                                       seed=seed + 7 * variant)
        carried = supersede(base.constraints, plan.operations, turn)
        request = CritiqueRequest(
            before=image, after=images.get_array(execution.image_ref), after_ref=execution.image_ref, plan=plan,
            execution=execution, constraints=[c for c in carried if c.live], entities_before=base.entities,
            threshold=setting(runtime, "threshold", found), intent_text=source.intent.text, before_ref=base.image_ref)
        verdict = found.critic.critique(request)
        attempts.append(Attempt(round=1, plan=plan, image_ref=execution.image_ref,
                                intermediate_refs=execution.intermediate_refs,
                                op_ms=[o.ms for o in execution.outcomes], critique=verdict))
        outcome_entities = {o.op_id: o.entity_id for o in execution.outcomes if o.entity_id}
        constraints = carried + derive(plan.operations, {e.id: e for e in execution.entities}, turn, outcome_entities)
        versions.append(Version(id=new_id(), parent=head.id if head else base.id, image_ref=execution.image_ref,
                                width=execution.width, height=execution.height, turn=turn,
                                entities=execution.entities, constraints=constraints,
                                next_entity=execution.next_entity, note=f"variation {variant} of turn {source.index}"))
        trace.add("variation", f"version {variant}: score {verdict.score:.2f}", (time.perf_counter() - started) * 1000,
                  score=verdict.score)
        emit("variation", f"version {variant} of {count}", score=verdict.score)
    trace.attempts = attempts
    extra = dict(state.get("extra") or {}) | {"candidate_versions": [v.id for v in versions], "source_turn": source.index}
    return {"new_versions": [*state.get("new_versions", []), *versions], "extra": extra}
