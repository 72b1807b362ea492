"""Keep-constraints ("… but leave the blue square alone", "keep everything else as is"), whole
turns on the embedded defaults: the kept thing is protected this turn, leaves standing constraints,
and a later turn that damages it is caught by the critic."""

from __future__ import annotations

import numpy as np
import pytest

from engines.classical.colors import rgb_of
from graph import Editor
from state.models import ConstraintKind, Intent, IntentClause, OpKind, TargetSpec
from tests.scenes import found, scene

THREE = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)),
         ("triangle", "green", (120, 10, 190, 75)))


class ScriptedParser:
    """Hands the graph the intents a test built, one per message."""

    name = "scripted"

    def __init__(self) -> None:
        self.queue: list[Intent] = []

    def parse(self, request):
        return self.queue.pop(0).model_copy(update={"text": request.text})


@pytest.fixture()
def editor():
    with Editor(store="memory://") as instance:
        yield instance


def entity_id(session, label: str) -> str:
    return next(e.id for e in session.entities if e.label == label and e.present)


def kept(session, entity: str) -> dict[ConstraintKind, str]:
    """The live keep-constraints on one entity: kind → description."""
    return {c.kind: c.description for c in session.constraints
            if c.live and c.entity_id == entity and c.params.get("kept")}


def test_leave_the_square_alone_protects_it_and_leaves_constraints(editor):
    session = editor.session()
    result = session.send("remove the red circle but leave the blue square alone", image=scene(*THREE))
    assert result.passed and not found(result.image, "circle")
    assert [(d.color, d.box) for d in found(result.image, "square")] == [("blue", (200, 90, 271, 161))]
    square = entity_id(session, "blue square")
    assert [op.kind for op in result.plan.operations] == [OpKind.REMOVE]
    assert square in result.plan.operations[0].protect_entity_ids
    assert kept(session, square) == {ConstraintKind.PRESENT: "the blue square is kept as it is",
                                     ConstraintKind.COLOR: "the blue square is kept blue"}
    # Checked this turn already, before the constraints were committed.
    this_turn = {v.description: v.holds for v in result.critique.constraints}
    assert this_turn == {"the blue square is kept as it is": True, "the blue square is kept blue": True}
    assert "Kept the blue square unchanged" in result.reply


def test_a_later_turn_that_covers_the_kept_square_is_caught(editor):
    session = editor.session()
    session.send("remove the red circle but leave the blue square alone", image=scene(*THREE))
    result = session.send("move the green triangle down by 90 pixels and right by 90 pixels")
    first = {v.description: v for v in result.trace.attempts[0].critique.constraints}
    broken = first["the blue square is kept as it is"]
    assert not broken.holds and "painted over" in broken.reason
    # The retry keeps clear of it: the square is where it was, whole, and still blue.
    assert len(result.trace.attempts) > 1 and result.passed
    assert [(d.color, d.box) for d in found(result.image, "square")] == [("blue", (200, 90, 271, 161))]
    last = {v.description: v.holds for v in result.critique.constraints}
    assert last["the blue square is kept as it is"] and last["the blue square is kept blue"]


def test_a_later_removal_next_to_the_kept_square_leaves_it_intact(editor):
    # The triangle touches the square: a removal's grown hole would reach into it unprotected.
    image = scene(("circle", "red", (30, 90, 100, 160)), ("triangle", "green", (140, 90, 204, 160)),
                  ("square", "blue", (200, 90, 270, 160)))
    session = editor.session()
    session.send("remove the red circle but leave the blue square alone", image=image)
    square = entity_id(session, "blue square")
    result = session.send("remove the green triangle")
    assert result.passed and not found(result.image, "triangle")
    assert square in result.plan.operations[0].protect_entity_ids
    assert [d.color for d in found(result.image, "square")] == ["blue"]
    square_pixels = found(image, "square")[0].mask
    assert (np.asarray(result.image)[square_pixels] == image[square_pixels]).all()
    verdicts = {v.description: v.holds for v in result.critique.constraints}
    assert verdicts["the blue square is kept as it is"] and verdicts["the blue square is kept blue"]
    assert set(kept(session, square)) == {ConstraintKind.PRESENT, ConstraintKind.COLOR}


def test_keep_everything_else_protects_every_other_object(editor):
    session = editor.session()
    result = session.send("remove the red circle and keep everything else as is", image=scene(*THREE))
    assert result.passed and not found(result.image, "circle")
    others = {entity_id(session, "blue square"), entity_id(session, "green triangle")}
    op = result.plan.operations[0]
    assert set(op.protect_entity_ids) == others and not set(op.entity_ids) & others
    for other in others:
        assert set(kept(session, other)) == {ConstraintKind.PRESENT, ConstraintKind.COLOR}
    assert all(v.holds for v in result.critique.constraints)
    assert "Kept everything else unchanged" in result.reply


def test_a_kept_thing_that_is_not_there_is_reported_not_fatal(editor):
    session = editor.session()
    result = session.send("remove the red circle but leave the star alone", image=scene(*THREE))
    assert result.passed and not found(result.image, "circle")
    assert "nothing called 'star' to keep" in result.plan.notes
    decompose = next(e for e in result.trace.events if e.stage == "decompose")
    assert "nothing called 'star' to keep" in decompose.data["notes"]
    assert "Nothing called 'star' to keep" in result.reply
    assert not [c for c in session.constraints if c.params.get("kept")]


def test_a_plural_clause_leaves_the_kept_square_out(editor):
    editor.services.parser = ScriptedParser()
    editor.services.parser.queue.append(Intent(
        kind="edit", text="make every shape red but leave the square alone",
        clauses=[IntentClause(op=OpKind.RECOLOR, params={"color": "red"},
                              target=TargetSpec(phrase="every shape", plural=True, all=True))],
        keep=[TargetSpec(phrase="the square", noun="square")]))
    session = editor.session()
    result = session.send("make every shape red but leave the square alone", image=scene(*THREE))
    assert result.passed
    assert found(result.image, "circle", "red") and found(result.image, "triangle", "red")
    assert found(result.image, "square", "blue") and not found(result.image, "square", "red")
    square = entity_id(session, "blue square")
    assert all(square not in op.entity_ids and square in op.protect_entity_ids for op in result.plan.operations)
    assert any("out of the edit" in note for note in result.plan.notes)


def test_keeping_again_replaces_the_earlier_keep_and_an_explicit_edit_wins(editor):
    session = editor.session()
    session.send("remove the red circle but leave the blue square alone", image=scene(*THREE))
    square = entity_id(session, "blue square")
    session.send("make the triangle yellow, don't change the square")
    live = [c for c in session.constraints if c.live and c.entity_id == square]
    assert sorted(c.kind for c in live) == [ConstraintKind.COLOR, ConstraintKind.PRESENT]
    assert {c.set_by_turn for c in live} == {2}
    # Asked for by name, the square changes; its colour is no longer kept, its place still is.
    result = session.send("make the square purple")
    assert result.passed and found(result.image, "square", "purple")
    assert set(kept(session, square)) == {ConstraintKind.PRESENT}


def test_background_in_black_and_white_keeps_the_square_in_colour(editor):
    session = editor.session()
    result = session.send("make the background black and white but keep the square in colour", image=scene(*THREE))
    assert result.passed and found(result.image, "square", "blue")
    square = entity_id(session, "blue square")
    assert square in result.plan.operations[0].protect_entity_ids
    assert kept(session, square)[ConstraintKind.COLOR] == "the blue square is kept blue"


def test_a_question_about_the_target_keeps_what_the_message_kept(editor):
    image = scene(("circle", "red", (30, 90, 100, 160)), ("circle", "red", (120, 90, 190, 160)),
                  ("square", "blue", (220, 90, 290, 160)))
    session = editor.session()
    assert session.send("remove the circle but leave the square alone", image=image).needs_answer
    result = session.send("the left one")
    assert result.passed and len(found(result.image, "circle")) == 1
    square = entity_id(session, "blue square")
    assert square in result.plan.operations[0].protect_entity_ids
    assert set(kept(session, square)) == {ConstraintKind.PRESENT, ConstraintKind.COLOR}


def test_a_whole_image_blur_later_does_not_count_as_losing_the_kept_things(editor):
    # The blurred shapes are no clean detections any more, but they still stand out where they were.
    session = editor.session()
    session.send("remove the red circle and keep everything else as is", image=scene(*THREE))
    result = session.send("blur the image")
    assert result.passed and len(result.trace.attempts) == 1
    present = [v for v in result.critique.constraints if v.description.endswith("is kept as it is")]
    assert len(present) == 2 and all(v.holds for v in present)


def test_keeping_is_never_a_question_every_match_is_kept(editor):
    image = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (120, 90, 190, 160)),
                  ("square", "green", (220, 90, 290, 160)))
    session = editor.session()
    result = session.send("remove the circle but leave the square alone", image=image)
    assert result.passed and not result.needs_answer and not found(result.image, "circle")
    squares = {entity_id(session, "blue square"), entity_id(session, "green square")}
    assert set(result.plan.operations[0].protect_entity_ids) == squares
    assert all(set(kept(session, square)) == {ConstraintKind.PRESENT, ConstraintKind.COLOR} for square in squares)


def test_a_background_change_goes_on_when_a_kept_thing_is_not_there(editor):
    session = editor.session()
    result = session.send("make the background black but keep the unicorn", image=scene(*THREE))
    assert result.passed, result.reply
    assert "nothing called 'unicorn' to keep" in result.plan.notes
    after = np.asarray(result.image)
    assert tuple(after[2, 2]) == rgb_of("black") and found(after, "circle", "red")
