"""Graph nodes for making pictures: a blank canvas for a session that starts from words, planning
and running GENERATE operations, best-of-N candidates, the refinement agent's node, variations
and picking one of them.

They wrap the edit nodes of graph/nodes.py rather than change them: an edit turn that uses none of
this (best_of = 1, no generate/refine/variations/pick) runs exactly the nodes it ran before.

    load_session → parse_intent ─┬─ (generate) prepare_canvas ─┐
                                 ├─ (edit) ────────────────────┴→ decompose ─┬→ execute ─┬→ critique ─┬→ commit_turn
                                 │                                           └→ refine ──┘     │ ▲    ├→ decompose (retry)
                                 ├─ (variations) variations ──────────────────────────────────────┘    └→ refine (critic asked)
                                 └─ (history, pick) ──────────────────────────────────────────────────→ commit_turn
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agents import CritiqueRequest
from agents.constraints import derive, supersede
from agents.errors import InstructionError
from agents.executor import Execution, OpOutcome
from agents.generation import plan_generation, run_generate, vary_plan
from agents.measure import preservation_score
from agents.parsing.generation import pickable
from agents.refiner import Refiner, check_refine, refinement_hints
from engines.classical.generator import Background, paint_background
from engines.classical.scene import parse_scene
from state.errors import HistoryError
from state.models import (
    Attempt,
    ConstraintKind,
    ConstraintVerdict,
    Critique,
    EditOperation,
    Entity,
    Intent,
    OperationVerdict,
    OpKind,
    Plan,
    TargetSpec,
    Trace,
    Turn,
    TurnKind,
    Version,
    new_id,
)

from . import nodes
from .services import Services
from .state import Context, GraphState

# --------------------------------------------------------------------------- routing


def route_after_parse(state: GraphState) -> Literal["prepare_canvas", "decompose", "variations", "commit_turn"]:
    kind = state["intent"].kind
    if kind in ("history", "pick"):
        return "commit_turn"
    if kind == "variations":
        return "variations"
    if kind == "generate":
        return "prepare_canvas"
    return "decompose"


def route_after_decompose(state: GraphState, runtime: Runtime[Context]) -> Literal["execute", "refine", "commit_turn"]:
    if nodes.route_after_decompose(state, runtime) == "commit_turn":
        return "commit_turn"
    if all(op.kind == OpKind.REFINE for op in state["plan"].operations):
        return "refine"
    return "execute"


def route_after_critique(state: GraphState, runtime: Runtime[Context]) -> Literal["decompose", "refine", "commit_turn"]:
    critique = state["critique"]
    if any(h.kind == "refine" for h in critique.hints) and not (state.get("extra") or {}).get("refined"):
        return "refine"
    return nodes.route_after_critique(state, runtime)


# --------------------------------------------------------------------------- canvas and planning


def prepare_canvas(state: GraphState, runtime: Runtime[Context]) -> dict:
    """The empty picture a generation paints on: a real version, so undo goes back to it."""
    services = nodes._services(runtime)
    intent: Intent = state["intent"]
    canvas = next((c for c in intent.clauses if c.op == OpKind.GENERATE), None)
    params = canvas.params if canvas else {}
    from agents.generation import DEFAULT_SIZE

    width, height = int(params.get("width") or DEFAULT_SIZE[0]), int(params.get("height") or DEFAULT_SIZE[1])
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise InstructionError(f"a picture of {width}x{height} is out of range (16 to 4096 px a side)")
    background = Background.parse(params.get("background"))
    blank = paint_background(width, height, Background(kind=background.kind, color=background.color), seed=None)
    ref = services.store.images.put_image(blank)
    snapshot = state["snapshot"]
    previous = state.get("base")
    version = Version(id=new_id(), parent=snapshot.meta.head, image_ref=ref, width=width, height=height,
                      turn=state["turn_index"], note="blank canvas",
                      next_entity=previous.next_entity if previous else 1)
    state["trace"].add("canvas", f"blank {background.kind} canvas {width}x{height}")
    return {"base": version, "new_versions": [*state.get("new_versions", []), version]}


def decompose(state: GraphState, runtime: Runtime[Context]) -> dict:
    """Generate intents are laid out here; every other intent goes to the decomposer agent."""
    intent: Intent = state["intent"]
    if intent.kind != "generate":
        return nodes.decompose(state, runtime)
    started = time.perf_counter()
    services = nodes._services(runtime)
    base: Version = state["base"]
    previous: Plan | None = state.get("plan")
    # A retry draws the next layout variant: the objects keep their relations, the boxes move.
    variant = previous.round if previous is not None else 0
    plan, next_entity = plan_generation(intent, next_entity=base.next_entity, variant=variant,
                                        seed=services.settings.seed, round=variant + 1)
    state["trace"].add("decompose", f"round {plan.round}: generate {len(plan.operations[0].entity_ids)} object(s)",
                       (time.perf_counter() - started) * 1000, notes=plan.notes)
    nodes._emit("plan", f"round {plan.round}: generate", plan=plan.model_dump(mode="json"))
    return {"plan": plan, "discovered": [], "next_entity": next_entity}


# --------------------------------------------------------------------------- running candidates


def _refiner(services: Services) -> Refiner:
    settings = services.settings
    return Refiner(services.store.images, upscale_model=settings.upscale_model,
                   style_model=settings.text2img_model if settings.engines != "classical" else None,
                   device=settings.device, dtype=settings.dtype)


def run_plan(plan: Plan, image: np.ndarray, entities: list[Entity], services: Services, *, turn: int,
             next_entity: int, references: list[np.ndarray], seed: int) -> Execution:
    """One candidate: GENERATE ops through the generator, REFINE ops through the refiner (after the
    rest, whatever their place in the plan), everything else through the executor agent."""
    images = services.store.images
    started = time.perf_counter()
    generate = [op for op in plan.operations if op.kind == OpKind.GENERATE]
    refine = [op for op in plan.operations if op.kind == OpKind.REFINE]
    rest = [op for op in plan.operations if op.kind not in (OpKind.GENERATE, OpKind.REFINE)]
    if generate:
        op = generate[0]
        picture, created, masks, engine = run_generate(op, services.engines, turn=turn, seed=seed)
        for entity, mask in zip(created, masks, strict=True):
            entity.region = entity.region.model_copy(update={"mask_ref": images.put_mask(mask)}) \
                if entity.region else None
        union = np.logical_or.reduce(masks) if masks else np.zeros(picture.shape[:2], bool)
        ref = images.put_image(picture)
        outcome = OpOutcome(op_id=op.id, kind=op.kind, entity_id=created[0].id if created else None,
                            after_mask=images.put_mask(union), geometry_changed=True, engine=engine,
                            ms=(time.perf_counter() - started) * 1000,
                            info={"objects": {e.id: e.region.mask_ref for e in created if e.region},
                                  "seed": int(op.params.get("seed", seed))})
        ids = {e.id for e in created}
        execution = Execution(image_ref=ref, width=picture.shape[1], height=picture.shape[0], intermediate_refs=[ref],
                              outcomes=[outcome], entities=[e for e in entities if e.id not in ids] + created,
                              next_entity=max([next_entity] + [int(i[1:]) + 1 for i in ids if i[1:].isdigit()]),
                              engine_ms=outcome.ms)
    else:
        execution = services.executor.run(plan.model_copy(update={"operations": rest}), image, entities, turn=turn,
                                          next_entity=next_entity, references=references, seed=seed)
    if refine:
        execution = refine_execution(execution, refine, services, turn=turn, seed=seed)
    return execution


def refine_execution(execution: Execution, ops: list[EditOperation], services: Services, *, turn: int,
                     seed: int) -> Execution:
    """The refinement agent's ops applied on top of an execution's image."""
    images = services.store.images
    refiner = _refiner(services)
    image = images.get_array(execution.image_ref)
    working = {e.id: e.model_copy(deep=True) for e in execution.entities}
    outcomes = list(execution.outcomes)
    refs = list(execution.intermediate_refs)
    engine_ms = execution.engine_ms
    for index, op in enumerate(ops):
        started = time.perf_counter()
        image, outcome = refiner.run(op, image, working, turn=turn, seed=seed + index)
        if "note" in outcome.info:  # the reply says which kind of upscaling this was
            op.params["engine_note"] = outcome.info["note"]
            op.params["factor"] = outcome.info.get("factor", op.params.get("factor"))
        outcome.ms = (time.perf_counter() - started) * 1000
        engine_ms += outcome.ms
        outcomes.append(outcome)
        refs.append(images.put_image(image))
    return execution.model_copy(update={
        "image_ref": refs[-1], "width": image.shape[1], "height": image.shape[0], "intermediate_refs": refs,
        "outcomes": outcomes, "entities": [working[e.id] for e in execution.entities], "engine_ms": engine_ms})


def execute(state: GraphState, runtime: Runtime[Context]) -> dict:
    """The executor node, with best-of-N: ``Settings.best_of`` candidates of the plan (layout, seed,
    strength or inpainting method varied, see agents.generation.vary_plan); the critique node
    scores them all and keeps the best."""
    services = nodes._services(runtime)
    plan: Plan = state["plan"]
    count = services.settings.best_of
    special = any(op.kind in (OpKind.GENERATE, OpKind.REFINE) for op in plan.operations)
    extra = dict(state.get("extra") or {})
    if count <= 1 and not special:
        return nodes.execute(state, runtime) | {"extra": extra | {"candidates": 1}}
    if nodes._setting(runtime, "confirm_plan", services) and plan.round == 1:
        decision = interrupt({"question": "Run this plan?", "plan": plan.model_dump(mode="json")})
        if not nodes._approved(decision):
            raise nodes.PlanRejected("the plan was rejected; nothing was changed")
    base: Version = state["base"]
    images = services.store.images
    image = images.get_array(base.image_ref)
    entities = [e.model_copy(deep=True) for e in base.entities] + [
        e.model_copy(deep=True) for e in state.get("discovered", [])]
    references = [images.get_array(ref) for ref in state.get("references", state.get("reference_refs", []))]
    seed = services.settings.seed + 1000 * plan.round
    executions = []
    trace: Trace = state["trace"]
    for variant in range(max(1, count)):
        started = time.perf_counter()
        candidate = vary_plan(plan, variant, image.shape[:2], seed=services.settings.seed + plan.round)
        execution = run_plan(candidate, image, [e.model_copy(deep=True) for e in entities], services,
                             turn=state["turn_index"], next_entity=state.get("next_entity", base.next_entity),
                             references=references, seed=seed + 7 * variant)
        trace.engine_ms += execution.engine_ms
        trace.add("execute", f"candidate {variant + 1}/{count}: {len(execution.outcomes)} op(s) in "
                  f"{execution.engine_ms:.0f} ms", (time.perf_counter() - started) * 1000,
                  ops=[{"op": o.op_id, "kind": o.kind, "engine": o.engine, "ms": round(o.ms, 1), **o.info}
                       for o in execution.outcomes], candidate=variant + 1)
        executions.append((candidate, execution))
    extra["candidates"] = len(executions)
    extra["candidate_plans"] = [p.model_dump(mode="json") for p, _ in executions]
    return {"execution": executions[0][1], "executions": [e for _, e in executions], "extra": extra}


def refine(state: GraphState, runtime: Runtime[Context]) -> dict:
    """The refinement agent's node: the plan's REFINE ops (routed here by the decomposer), or the
    refinement the critic asked for on the best attempt so far."""
    services = nodes._services(runtime)
    trace: Trace = state["trace"]
    extra = dict(state.get("extra") or {})
    base: Version = state["base"]
    images = services.store.images
    critique: Critique | None = state.get("critique")
    started = time.perf_counter()
    asked = [h for h in (critique.hints if critique else []) if h.kind == "refine"]
    if asked and state.get("attempts"):
        attempts, executions = state["attempts"], state["executions"]
        best = max(range(len(attempts)), key=lambda i: (attempts[i].critique.score, -i))  # ties: the literal first try
        plan, execution = attempts[best].plan, executions[best]
        ops = []
        entities = {e.id: e for e in execution.entities}
        for number, hint in enumerate(asked, 1):
            entity = next((entities[i] for i in hint.entity_ids if i in entities), None)
            region = entity.region if entity is not None else None
            ops.append(EditOperation(
                id=f"refine{number}", kind=OpKind.REFINE, region=region, entity_ids=list(hint.entity_ids),
                target=TargetSpec(phrase=entity.label if entity else "the image", scope="object" if region else "image"),
                params={"mode": hint.detail.split(":", 1)[0] or "sharpen", "strength": 1.0,
                        "requested_by": "critic"}))
        plan = plan.model_copy(update={"operations": [*plan.operations, *ops],
                                       "notes": [*plan.notes, "refinement asked for by the critic"]})
        extra["refined"] = True
        execution = refine_execution(execution, ops, services, turn=state["turn_index"],
                                     seed=services.settings.seed)
        why = "; ".join(h.detail for h in asked)
    else:
        plan = state["plan"]
        execution = run_plan(plan, images.get_array(base.image_ref), [e.model_copy(deep=True) for e in base.entities],
                             services, turn=state["turn_index"], next_entity=state.get("next_entity", base.next_entity),
                             references=[], seed=services.settings.seed + 1000 * plan.round)
        why = ", ".join(str(op.params.get("mode")) for op in plan.operations)
    trace.engine_ms += execution.engine_ms
    trace.add("refine", f"refined ({why})", (time.perf_counter() - started) * 1000,
              ops=[{"op": o.op_id, "kind": o.kind, "engine": o.engine, "ms": round(o.ms, 1), **o.info}
                   for o in execution.outcomes if o.kind == OpKind.REFINE])
    nodes._emit("refine", f"refined: {why}")
    extra["candidates"] = 1
    return {"plan": plan, "execution": execution, "executions": [execution], "extra": extra}


# --------------------------------------------------------------------------- critique


def critique(state: GraphState, runtime: Runtime[Context]) -> dict:
    """The critic over every candidate of this round; generate and refine ops get their own checks."""
    services = nodes._services(runtime)
    count = int((state.get("extra") or {}).get("candidates", 1))
    executions = state.get("executions", [])[-count:] if count > 1 else [state["execution"]]
    plans = [Plan.model_validate(p) for p in (state.get("extra") or {}).get("candidate_plans", [])] \
        if count > 1 else []
    results: list[tuple[Critique, Attempt, Execution]] = []
    for index, execution in enumerate(executions):
        plan = plans[index] if index < len(plans) else state["plan"]
        update = nodes.critique({**state, "execution": execution, "plan": plan}, runtime)
        attempt: Attempt = update["attempts"][0]
        checked = _special_checks(attempt.critique, plan, execution, state, services, runtime)
        attempt = attempt.model_copy(update={"critique": checked})
        results.append((checked, attempt, execution))
    best = max(range(len(results)), key=lambda i: (results[i][0].score, -i))
    if count > 1:
        scores = [round(r[0].score, 4) for r in results]
        state["trace"].add("critique", f"best of {count}: candidate {best + 1} (scores {scores})", scores=scores,
                           chosen=best + 1)
    return {"critique": results[best][0], "attempts": [r[1] for r in results], "round": state["plan"].round,
            "execution": results[best][2]}


def _special_checks(critique_: Critique, plan: Plan, execution: Execution, state: GraphState, services: Services,
                    runtime: Runtime[Context]) -> Critique:
    kinds = {op.kind for op in plan.operations}
    images = services.store.images
    hints = list(critique_.hints)
    verdicts = list(critique_.operations)
    base: Version = state["base"]
    after = images.get_array(execution.image_ref)
    before = images.get_array(base.image_ref)
    if OpKind.RESIZE in kinds:
        hints.extend(refinement_hints(plan.operations, execution.outcomes, before, after, images))
    if not kinds & {OpKind.GENERATE, OpKind.REFINE} and len(hints) == len(critique_.hints):
        return critique_
    outcomes = {o.op_id: o for o in execution.outcomes}
    for op in plan.operations:
        if op.kind not in (OpKind.GENERATE, OpKind.REFINE) or op.id not in outcomes:
            continue
        verdicts = [v for v in verdicts if v.op_id != op.id]
        if op.kind == OpKind.GENERATE:
            verdicts.append(_check_generate(op, outcomes[op.id], after, images))
        else:
            region = images.get_mask(outcomes[op.id].before_mask) if outcomes[op.id].before_mask else None
            ok, score, reason, metrics = check_refine(op, _before_refine(execution, op, images, before), after, region)
            verdicts.append(OperationVerdict(op_id=op.id, kind=op.kind, ok=ok, score=score, reason=reason,
                                             metrics={k: round(float(v), 3) for k, v in metrics.items()}))
    constraint_verdicts = _refined_presence(critique_.constraints, plan, execution, base, before, after, images)
    critique_ = critique_.model_copy(update={"constraints": constraint_verdicts})
    scores = [v.score for v in verdicts] + [v.score for v in critique_.constraints]
    whole_image = any(op.kind == OpKind.REFINE and op.target.scope == "image" for op in plan.operations)
    if critique_.preservation and not whole_image:  # a whole-image look changes every pixel by design
        scores.append(preservation_score(critique_.preservation))
    score = round(float(min(scores)) if scores else 1.0, 4)
    threshold = nodes._setting(runtime, "threshold", services)
    passed = score >= threshold
    feedback = "" if passed else "; ".join(
        [f"{v.op_id} ({v.kind}): {v.reason}" for v in verdicts if not v.ok] +
        [f"constraint {v.constraint_id} broken: {v.reason}" for v in critique_.constraints if not v.holds]) \
        or critique_.feedback
    return critique_.model_copy(update={"operations": verdicts, "score": score, "passed": passed, "hints": hints,
                                        "feedback": feedback})


def _refined_presence(verdicts: list[ConstraintVerdict], plan: Plan, execution: Execution, base: Version,
                      before: np.ndarray, after: np.ndarray, images) -> list[ConstraintVerdict]:
    """After a whole-image refinement an object is "still there" when its pixels still match it
    (scaled back down for an upscale) or it still stands out from its surroundings (a restyle):
    the grounder, tuned for flat shapes, may not find it as one object in a painterly image."""
    refines = [op for op in plan.operations if op.kind == OpKind.REFINE and op.target.scope == "image"]
    if not refines:
        return verdicts
    import cv2

    from agents.measure import median_rgb
    from agents.regions import dilate
    from engines.classical.colors import color_distance

    kinds = {c.id: c.kind for c in base.constraints}
    upscaled = before.shape != after.shape
    small = cv2.resize(after, (before.shape[1], before.shape[0]), interpolation=cv2.INTER_AREA) if upscaled else after
    by_id = {e.id: e for e in base.entities}
    result = []
    for verdict in verdicts:
        entity = by_id.get(verdict.entity_id or "")
        if verdict.holds or kinds.get(verdict.constraint_id) != ConstraintKind.PRESENT or entity is None \
                or entity.region is None or not entity.present:
            result.append(verdict)
            continue
        mask = images.get_mask(entity.region.mask_ref) if entity.region.mask_ref else None
        if mask is None or mask.shape != before.shape[:2] or not mask.any():
            result.append(verdict)
            continue
        diff = float(np.abs(small[mask].astype(np.int16) - before[mask].astype(np.int16)).mean())
        ring = dilate(mask, 8) & ~dilate(mask, 3)
        inside, outside = median_rgb(small, mask), median_rgb(small, ring) if ring.any() else None
        contrast = color_distance(tuple(inside), tuple(outside)) if inside is not None and outside is not None else 0.0
        if (upscaled and diff < 12) or (not upscaled and (diff < 12 or contrast >= 8)):
            result.append(verdict.model_copy(update={
                "holds": True, "score": 1.0,
                "reason": f"{entity.id} still there after refinement (mean diff {diff:.1f}, contrast ΔE {contrast:.0f})"}))
        else:
            result.append(verdict)
    return result


def _before_refine(execution: Execution, op: EditOperation, images, fallback: np.ndarray) -> np.ndarray:
    """The image a REFINE op started from: the intermediate before it (refine ops run last)."""
    index = next((i for i, o in enumerate(execution.outcomes) if o.op_id == op.id), None)
    if index and index - 1 < len(execution.intermediate_refs):
        return images.get_array(execution.intermediate_refs[index - 1])
    return fallback


def _check_generate(op: EditOperation, outcome: OpOutcome, image: np.ndarray, images) -> OperationVerdict:
    """Every planned object is in the picture, in its colour, near its box."""
    from agents.measure import measured_color
    from agents.regions import box_iou, mask_iou

    detections = parse_scene(image)
    masks = outcome.info.get("objects", {})
    problems, ious = [], []
    for obj in op.params["objects"]:
        ref = masks.get(obj["id"])
        mask = images.get_mask(ref) if ref else None
        if mask is None or not mask.any():
            problems.append(f"the {obj['label']} is not visible")
            continue
        color = measured_color(image, mask)
        if color != obj["color"]:
            problems.append(f"the {obj['label']} came out {color}")
        best = max((mask_iou(d.mask, mask) for d in detections), default=0.0)
        ious.append(best)
        if box_iou(tuple(obj["box"]), tuple(int(v) for v in _box(mask))) < 0.3:
            problems.append(f"the {obj['label']} is not where it was planned")
    score = 0.95 if not problems else max(0.2, 0.9 - 0.2 * len(problems))
    reason = "; ".join(problems) or f"{len(op.params['objects'])} object(s) drawn as planned"
    return OperationVerdict(op_id=op.id, kind=op.kind, ok=not problems, score=score, reason=reason,
                            metrics={"objects": float(len(op.params["objects"])),
                                     "min_iou": float(min(ious)) if ious else 0.0})


def _box(mask: np.ndarray) -> tuple[int, int, int, int]:
    from agents.regions import box_of_mask

    return box_of_mask(mask) or (0, 0, 1, 1)


# --------------------------------------------------------------------------- variations


def variations(state: GraphState, runtime: Runtime[Context]) -> dict:
    """N candidates of the last edit or generation, each executed and critiqued; the turn offers
    them all and the head becomes the first (so the session always shows a picture)."""
    services = nodes._services(runtime)
    store, images = services.store, services.store.images
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
    attempts: list[Attempt] = []
    versions: list[Version] = []
    for variant in range(1, count + 1):
        started = time.perf_counter()
        discovered: list[Entity] = []
        if source.intent.kind == "generate":
            plan, next_entity = plan_generation(source.intent, next_entity=base.next_entity, variant=variant,
                                                seed=services.settings.seed)
        else:
            from agents import Scene

            scene = Scene(image=image, image_ref=base.image_ref, entities=base.entities, engines=services.engines,
                          images=images)
            protected = sorted({c.entity_id for c in base.live_constraints if c.entity_id})
            result = services.decomposer.decompose(source.intent, scene, next_entity=base.next_entity,
                                                   protected_ids=protected)
            if result.plan is None:
                raise InstructionError("the last edit needs a question answered before it can be varied")
            plan = vary_plan(result.plan, variant, image.shape[:2], seed=services.settings.seed)
            discovered, next_entity = result.discovered, result.next_entity
        entities = [e.model_copy(deep=True) for e in base.entities] + discovered
        execution = run_plan(plan, image, entities, services, turn=state["turn_index"], next_entity=next_entity,
                             references=[], seed=services.settings.seed + 7 * variant)
        request = CritiqueRequest(
            before=image, after=images.get_array(execution.image_ref), after_ref=execution.image_ref, plan=plan,
            execution=execution, constraints=[c for c in supersede(base.constraints, plan.operations,
                                                                   state["turn_index"]) if c.live],
            entities_before=base.entities, threshold=nodes._setting(runtime, "threshold", services),
            intent_text=source.intent.text, before_ref=base.image_ref)
        verdict = _special_checks(services.critic.critique(request), plan, execution, {**state, "base": base},
                                  services, runtime)
        attempts.append(Attempt(round=1, plan=plan, image_ref=execution.image_ref,
                                intermediate_refs=execution.intermediate_refs,
                                op_ms=[o.ms for o in execution.outcomes], critique=verdict))
        carried = supersede(base.constraints, plan.operations, state["turn_index"])
        outcome_entities = {o.op_id: o.entity_id for o in execution.outcomes if o.entity_id}
        constraints = carried + derive(plan.operations, {e.id: e for e in execution.entities}, state["turn_index"],
                                       outcome_entities)
        versions.append(Version(id=new_id(), parent=head.id if head else base.id, image_ref=execution.image_ref,
                                width=execution.width, height=execution.height, turn=state["turn_index"],
                                entities=execution.entities, constraints=constraints,
                                next_entity=execution.next_entity, note=f"variation {variant} of turn {source.index}"))
        trace.add("variation", f"version {variant}: score {verdict.score:.2f}", (time.perf_counter() - started) * 1000,
                  score=verdict.score)
        nodes._emit("variation", f"version {variant} of {count}", score=verdict.score)
    trace.attempts = attempts
    extra = dict(state.get("extra") or {}) | {"candidate_versions": [v.id for v in versions], "source_turn": source.index}
    return {"new_versions": [*state.get("new_versions", []), *versions], "extra": extra}


# --------------------------------------------------------------------------- commit


def commit_turn(state: GraphState, runtime: Runtime[Context]) -> dict:
    """Variations and picks are committed here; every other turn by graph.nodes.commit_turn."""
    intent: Intent = state["intent"]
    if intent.kind not in ("variations", "pick"):
        return nodes.commit_turn(state, runtime)
    started = time.perf_counter()
    services = nodes._services(runtime)
    store = services.store
    snapshot = state["snapshot"]
    meta = snapshot.meta.model_copy(deep=True)
    index = state["turn_index"]
    trace: Trace = state["trace"]
    base: Version | None = state.get("base")
    versions = list(state.get("new_versions", []))
    turn = Turn(index=index, message=state.get("message", ""), kind=TurnKind.VARIATIONS, intent=intent,
                base_version=base.id if base else None, trace=trace)
    if intent.kind == "variations":
        ids = (state.get("extra") or {}).get("candidate_versions", [])
        turn.candidate_versions = list(ids)
        turn.version_id = ids[0]
        scores = [a.critique.score for a in trace.attempts if a.critique]
        turn.critique = trace.attempts[0].critique if trace.attempts else None
        turn.plan = trace.attempts[0].plan if trace.attempts else None
        turn.reply = (f"Here are {len(ids)} versions (scores {', '.join(f'{s:.2f}' for s in scores)}); showing the "
                      "first. Say 'the second one' (or 'pick 3') to choose another.")
    else:
        offered = pickable(snapshot.recent_turns, meta.head)
        if offered is None or not offered.candidate_versions:
            raise HistoryError("there are no versions to pick from: ask for some first ('show me three versions')")
        number = intent.pick or 1
        position = number - 1 if number > 0 else len(offered.candidate_versions) + number
        if not 0 <= position < len(offered.candidate_versions):
            raise HistoryError(f"there is no version {number}: pick 1 to {len(offered.candidate_versions)}")
        ids = offered.candidate_versions
        chosen = store.version(meta.id, ids[position])
        version = chosen.model_copy(update={"id": new_id(), "parent": meta.head, "turn": index,
                                            "note": f"picked version {position + 1} of {len(ids)}"})
        versions.append(version)
        turn.kind = TurnKind.PICK
        turn.version_id = version.id
        turn.candidate_versions = list(offered.candidate_versions)
        turn.reply = f"Picked version {position + 1}; carrying on from it."
    meta.head = turn.version_id
    meta.redo = []
    meta.pending = None
    return nodes.store_turn(state, store, snapshot, meta, turn, versions, started)


__all__ = ["commit_turn", "critique", "decompose", "execute", "prepare_canvas", "refine", "route_after_critique",
           "route_after_decompose", "route_after_parse", "run_plan", "variations"]
