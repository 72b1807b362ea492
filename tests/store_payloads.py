"""Realistic session records for the store tests and the store benchmark.

A version carries a real PNG image, a mask blob, a few entities and constraints; a turn carries
an intent, a plan, a critique and a trace of a few events, so the JSON sizes are those of a real
turn (a few KB), not of empty records.
"""

from __future__ import annotations

import numpy as np

from state.blobs import ImageRepository
from state.models import (
    Constraint,
    ConstraintKind,
    Critique,
    EditOperation,
    Entity,
    Intent,
    IntentClause,
    OperationVerdict,
    OpKind,
    Plan,
    Region,
    SessionMeta,
    TargetSpec,
    Trace,
    Turn,
    TurnKind,
    Version,
    new_id,
)

COLORS = ("red", "blue", "green", "yellow", "purple")


def make_image(images: ImageRepository, seed: int | None = None, size: int = 24) -> str:
    """A small random RGB image (the same for the same seed, else new each call); returns its ref."""
    rng = np.random.default_rng(seed)
    return images.put_image(rng.integers(0, 256, (size, size, 3), dtype=np.uint8))


def make_mask(images: ImageRepository, x0: int, y0: int, size: int = 24) -> str:
    mask = np.zeros((size, size), dtype=bool)
    mask[y0 : y0 + 6, x0 : x0 + 6] = True
    return images.put_mask(mask)


def make_version(
    images: ImageRepository, turn: int, parent: str | None = None, image_ref: str | None = None,
    seed: int | None = None,
) -> Version:
    """A version made by ``turn``: a new image unless ``image_ref`` or ``seed`` is given, three entities
    (one with a mask shared by every version) and two constraints."""
    ref = image_ref or make_image(images, seed)
    entities = [
        Entity(
            id=f"e{i}", label=f"{COLORS[i]} circle", noun="circle", attributes={"color": COLORS[i], "size": "small"},
            region=Region(box=(2 + 6 * i, 2, 8 + 6 * i, 8), mask_ref=make_mask(images, 2, 2) if i == 0 else None,
                          area=36),
            created_turn=0, last_turn=turn,
        )
        for i in range(3)
    ]
    constraints = [
        Constraint(id="c1", kind=ConstraintKind.COLOR, entity_id="e1", params={"color": "blue"},
                   description="e1 stays blue", set_by_turn=max(turn - 1, 0)),
        Constraint(id="c2", kind=ConstraintKind.ABSENT, params={"noun": "dog"}, description="no dog",
                   set_by_turn=0),
    ]
    return Version(id=new_id("v"), parent=parent, image_ref=ref, width=24, height=24, turn=turn,
                   entities=entities, constraints=constraints, next_entity=4, note=f"made by turn {turn}")


def make_turn(index: int, base: str | None, result: str | None, message: str | None = None) -> Turn:
    """A committed edit turn with an intent, a one-operation plan, a critique and a short trace."""
    target = TargetSpec(phrase="the red circle", noun="circle", colors=["red"], entity_ids=["e0"])
    operation = EditOperation(id=f"op{index}", kind=OpKind.RECOLOR, target=target, entity_ids=["e0"],
                              region=Region(box=(2, 2, 8, 8)), params={"color": "green"})
    critique = Critique(
        score=0.91, passed=True,
        operations=[OperationVerdict(op_id=operation.id, kind=OpKind.RECOLOR, ok=True, score=0.91,
                                     reason="target hue moved to green", metrics={"delta_e": 41.2})],
        preservation={"psnr": 48.1, "ssim": 0.995},
    )
    trace = Trace()
    for stage, ms in (("parse", 1.2), ("decompose", 0.8), ("execute", 12.5), ("critique", 4.1)):
        trace.add(stage, f"{stage} done for turn {index}", ms=ms, turn=index)
    return Turn(
        index=index, message=message or f"make the red circle green (turn {index})", kind=TurnKind.EDIT,
        base_version=base, version_id=result,
        intent=Intent(text="make the red circle green", clauses=[
            IntentClause(op=OpKind.RECOLOR, target=target, params={"color": "green"})]),
        plan=Plan(operations=[operation]), critique=critique, reply="Done: the red circle is green now.",
        trace=trace,
    )


def new_session(store, title: str = "test") -> tuple[SessionMeta, Version]:  # noqa: ANN001 - any SessionStore
    """Create a session whose head is an uploaded image (turn 0)."""
    first = make_version(store.images, 0)
    meta = store.create(SessionMeta(id=new_id(), head=first.id, title=title), [first])
    return meta, first


def commit_edit(store, meta: SessionMeta, seed: int | None = None) -> tuple[SessionMeta, Version]:  # noqa: ANN001
    """Commit one edit turn on top of ``meta``: a new version and the turn that made it."""
    index = meta.turn_count + 1
    version = make_version(store.images, index, parent=meta.head, seed=seed)
    turn = make_turn(index, meta.head, version.id)
    updated = meta.model_copy(update={"head": version.id, "turn_count": index, "redo": []})
    return store.commit(updated, meta.revision, turn, [version]), version
