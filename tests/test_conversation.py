"""Multi-turn conversations through the public Python API on the embedded defaults."""

from __future__ import annotations

import numpy as np
import pytest

from agents.errors import UnparseableInstruction
from graph import Editor
from state.errors import CorruptImage, HistoryError, ImageTooLarge, MissingImage
from state.models import TurnKind
from tests.scenes import canvas, center, found, scene

THREE = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)),
         ("triangle", "green", (120, 10, 190, 75)))


@pytest.fixture()
def editor():
    with Editor(store="memory://") as instance:
        yield instance


def test_remove_recolor_move_resize(editor):
    session = editor.session()
    result = session.send("remove the green triangle", image=scene(*THREE))
    assert result.passed and not found(result.image, "triangle")
    assert found(result.image, "circle", "red") and found(result.image, "square", "blue")

    result = session.send("make the red circle yellow")
    assert result.passed and found(result.image, "circle", "yellow") and not found(result.image, "circle", "red")

    before = center(found(result.image, "square", "blue")[0])
    result = session.send("move the blue square down by 40 pixels")
    after = center(found(result.image, "square", "blue")[0])
    assert result.passed and abs(after[1] - before[1] - 40) <= 2 and abs(after[0] - before[0]) <= 2

    area = found(result.image, "circle", "yellow")[0].area
    result = session.send("make the circle bigger")
    assert result.passed and found(result.image, "circle", "yellow")[0].area > 1.4 * area


def test_references_across_turns(editor):
    session = editor.session()
    session.send("make the red circle blue", image=scene(*THREE))
    area = found(session.image, "circle", "blue")[0].area
    result = session.send("now make it bigger")
    assert result.passed
    assert found(result.image, "circle", "blue")[0].area > 1.4 * area
    result = session.send("add a purple star at the bottom right")
    assert result.passed and found(result.image, "star", "purple")
    result = session.send("remove the one I added")
    assert result.passed and not found(result.image, "star", "purple")
    assert found(result.image, "circle", "blue") and found(result.image, "square", "blue")


def test_the_other_one_and_clarification(editor):
    image = scene(("circle", "red", (30, 90, 100, 160)), ("circle", "red", (200, 90, 270, 160)))
    session = editor.session()
    result = session.send("remove the circle", image=image)
    assert result.needs_answer and result.kind == TurnKind.CLARIFY
    assert "left" in result.reply and "right" in result.reply
    result = session.send("the left one")
    remaining = found(result.image, "circle", "red")
    assert result.passed and len(remaining) == 1 and center(remaining[0])[0] > 160

    session = editor.session()
    session.send("make the left circle green", image=image)
    result = session.send("make the other one yellow")
    assert found(result.image, "circle", "green") and found(result.image, "circle", "yellow")
    assert center(found(result.image, "circle", "yellow")[0])[0] > 160


def test_revision_supersedes_constraint(editor):
    session = editor.session()
    session.send("make the circle blue", image=scene(*THREE))
    result = session.send("actually make it purple instead")
    assert result.passed and found(result.image, "circle", "purple")
    colors = [c for c in session.constraints if c.kind == "color"]
    assert [c.params["color"] for c in colors] == ["purple"]


def test_undo_redo_revert(editor):
    session = editor.session()
    original = scene(*THREE)
    session.send("remove the triangle", image=original)
    session.send("make the square red")
    assert found(session.image, "square", "red")
    session.undo()
    assert found(session.image, "square", "blue") and not found(session.image, "triangle")
    session.redo()
    assert found(session.image, "square", "red")
    session.revert(1)
    assert found(session.image, "square", "blue") and not found(session.image, "triangle")
    result = session.send("start over")
    assert np.array_equal(np.asarray(result.image), original)
    with pytest.raises(HistoryError):
        session.undo()
    kinds = [t.kind for t in session.history()]
    assert kinds.count(TurnKind.HISTORY) == 4


def test_user_drawn_box_points_at_target(editor):
    session = editor.session()
    result = session.send("remove this", image=scene(*THREE), box=(190, 80, 280, 170))
    assert result.passed and not found(result.image, "square") and found(result.image, "circle")


def test_critic_loop_retries_until_the_residue_is_gone(editor):
    # A circle with a soft glow: the grounded mask misses the faint halo, so the first removal
    # leaves a ring; the critic sees it and the decomposer grows the mask.
    import cv2

    image = scene(("square", "blue", (220, 40, 290, 110)))
    glow = np.zeros(image.shape[:2], np.float32)
    cv2.circle(glow, (90, 150), 44, 1.0, -1)
    glow = cv2.GaussianBlur(glow, (0, 0), 6)
    image = (image * (1 - glow[..., None] * 0.6) + np.array([220, 30, 35]) * glow[..., None] * 0.6).astype(np.uint8)
    image, _ = __import__("engines.classical.insertion", fromlist=["draw_shape"]).draw_shape(
        image, "circle", (55, 115, 125, 185), (220, 30, 35))
    session = editor.session()
    result = session.send("remove the red circle", image=image)
    attempts = result.trace.attempts
    assert len(attempts) >= 2, [a.critique.feedback for a in attempts]
    assert not attempts[0].critique.passed and attempts[-1].critique.passed
    assert attempts[1].plan.notes and "grow" in " ".join(attempts[1].plan.notes + attempts[-1].plan.notes)
    assert not found(result.image, "circle")


def test_constraint_drift_is_caught_and_repaired(editor):
    session = editor.session()
    session.send("add a yellow star at the top left", image=scene(("circle", "red", (200, 140, 270, 210))))
    star = found(session.image, "star", "yellow")[0]
    result = session.send("move the red circle to the top left")
    first = result.trace.attempts[0].critique
    assert not first.passed and any(not v.holds for v in first.constraints)
    assert result.passed and len(result.trace.attempts) >= 2
    stars = found(result.image, "star", "yellow")
    assert stars and center(stars[0]) == pytest.approx(center(star), abs=2)
    assert found(result.image, "circle", "red")


def test_typed_errors_lose_nothing(editor):
    session = editor.session()
    with pytest.raises(MissingImage):
        session.send("remove the red circle")
    session.send("remove the triangle", image=scene(*THREE))
    turns = len(session.history())
    with pytest.raises(UnparseableInstruction) as info:
        session.send("flurb the zorgle quickly")
    assert "flurb" in info.value.unknown_words
    with pytest.raises(CorruptImage):
        session.send("remove the circle", image=b"\x89PNG\r\n\x1a\nnot really a png")
    assert len(session.history()) == turns and found(session.image, "circle", "red")

    with Editor(store="memory://", max_pixels=10_000) as small:
        with pytest.raises(ImageTooLarge):
            small.session().send("remove the circle", image=scene(*THREE))


def test_session_continues_in_a_new_editor(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    with Editor(store=url) as first:
        session = first.session()
        session.send("make the red circle blue", image=scene(*THREE))
        session_id = session.id
        area = found(session.image, "circle", "blue")[0].area
    with Editor(store=url) as second:
        result = second.session(session_id).send("make it bigger")
        assert result.passed and found(result.image, "circle", "blue")[0].area > 1.4 * area


def test_stream_yields_progress_then_result(editor):
    session = editor.session()
    events = list(session.stream("remove the red circle", image=scene(*THREE)))
    stages = [e.stage for e in events]
    assert stages[0] == "load" and stages[-1] == "done"
    assert {"parse", "plan", "operation", "critique", "commit"} <= set(stages)
    assert events[-1].result.passed


def test_a_colour_for_the_other_one_after_an_insertion_recolours_it(editor):
    """ "draw a red pentagon" then "and the other one green": the other pentagon is already there,
    so it is recoloured; "no, a purple one" after an insertion still amends the insertion."""
    session = editor.session()
    image = scene(("pentagon", "pink", (20, 20, 80, 80)), ("circle", "blue", (120, 20, 180, 80)))
    assert session.send("draw a red pentagon", image=image).passed
    result = session.send("and the other one green")
    assert result.passed and result.plan.operations[0].kind == "recolor"
    assert found(result.image, "pentagon", "green") and found(result.image, "pentagon", "red")
    assert not found(result.image, "pentagon", "pink")
    assert session.send("add a yellow star").passed
    result = session.send("no, a purple one")
    assert found(result.image, "star", "purple") and not found(result.image, "star", "yellow")


@pytest.mark.parametrize("text", ["put the green square in the middle", "place the green square at the center",
                                  "move the green square to the centre"])
def test_put_it_in_the_middle_moves_it_there(editor, text):
    session = editor.session()
    image = scene(("square", "green", (10, 10, 60, 60)), ("circle", "red", (140, 60, 190, 110)), base=canvas(200, 200))
    result = session.send(text, image=image)
    assert result.passed
    (square,) = found(result.image, "square", "green")
    cx, cy = center(square)
    assert abs(cx - 100) < 12 and abs(cy - 100) < 12


def test_photo_texture_is_not_a_bystander_to_protect():
    """On a photograph the scene parser also finds faint blobs (a camera's knob); a removal whose fill
    changes them, or a move that lands on them, is not damage: both pass on the first attempt."""
    from evals.harness import make_dialogue, split_config
    from evals.scenes import render

    dialogue = make_dialogue("test", 12, split_config("test"))  # the cameraman photo behind the shapes
    assert dialogue.scene.background.kind == "photo"
    with Editor(store="memory://") as editor:
        session = editor.session()
        image = render(dialogue.scene)
        for turn in dialogue.turns[:4]:
            result = session.send(turn.message, image=image if turn.index == 1 else None)
            if result.kind == TurnKind.EDIT:
                assert result.passed and len(result.trace.attempts) == 1, (turn.message, result.reply)


@pytest.mark.parametrize("text,look", [("turn the image black and white", "grayscale"),
                                       ("make it sepia", "sepia"), ("blur the whole picture", "blur")])
def test_whole_image_looks_pass_on_the_first_attempt(editor, text, look):
    """Every pixel of a whole-image look changes on purpose: the critic does not score it as damage."""
    session = editor.session()
    image = scene(("pentagon", "pink", (20, 20, 80, 80)), ("circle", "blue", (120, 20, 180, 80)))
    result = session.send(text, image=image)
    assert result.passed and len(result.trace.attempts) == 1, result.reply
    assert result.plan.operations[0].params["filter"] == look
    assert not np.array_equal(np.asarray(result.image), image)


@pytest.mark.parametrize("split,index,seed,turns", [
    ("hard", 17, 101, 8),   # "now delete it" next to a same-box detection: compared by identity, no crash
    ("hard", 21, 101, 1),   # an orange diamond stays a diamond after its recolour
])
def test_benchmark_turns_that_once_failed(split, index, seed, turns):
    from engines.classical.scene import parse_scene
    from evals.harness import make_dialogue, score_turn, split_config
    from evals.scenes import render, render_background

    dialogue = make_dialogue(split, index, split_config(split), seed=seed)
    background = parse_scene(render_background(dialogue.scene.background, dialogue.scene.width,
                                                dialogue.scene.height))
    with Editor(store="memory://") as editor:
        session = editor.session()
        current = render(dialogue.scene)
        achieved: set = set()
        for turn in dialogue.turns[:turns]:
            result = session.send(turn.message, image=current if turn.index == 1 else None)
            output = np.asarray(result.image if result.image is not None else session.image)
            figures = score_turn(dialogue, turn.index, output, current, background,
                                 needs_answer=result.needs_answer, achieved=achieved)
            assert figures["success"], (turn.message, result.reply, figures["missing"], figures["extra"])
            current = output


def test_undo_after_a_revision_goes_back_one_message(editor):
    """ "make it yellow" → "no, blue instead" → "undo": back to the yellow square the user saw last;
    a second undo goes back to the original."""
    session = editor.session()
    image = scene(("square", "purple", (40, 40, 120, 120)), ("circle", "red", (180, 40, 260, 120)))
    session.send("make the purple square yellow", image=image)
    result = session.send("no wait, blue instead")
    assert found(result.image, "square", "blue") and not found(result.image, "square", "yellow")
    result = session.undo()
    assert found(result.image, "square", "yellow")
    result = session.undo()
    assert found(result.image, "square", "purple")
