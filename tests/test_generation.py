"""Pictures from words, edited over later turns; variations and picks; best-of-N with a scripted critic."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from typer.testing import CliRunner

from agents.critic import CritiqueRequest
from agents.operations import plan_generation, scene_objects
from agents.parsing.generation import parse_generation
from agents.parsing.grammar import Context
from engines.classical.colors import color_name
from engines.classical.generator import Background, ProceduralGenerator, paint_background
from graph import Editor
from state.models import ConstraintKind, Critique, OperationVerdict, OpKind, TurnKind
from tests.scenes import center, found, scene

SUN_SCENE = "a yellow sun above a blue square on a gradient sky"


@pytest.fixture()
def editor():
    with Editor(store="memory://") as instance:
        yield instance


def _sun(image):
    """The sun's disc (its rays are separate yellow triangles to the grounder)."""
    discs = [d for d in found(image, None, "yellow") if d.noun in ("circle", "diamond", "hexagon", "object")]
    return max(discs, key=lambda d: d.area)


def test_scene_from_words_then_three_edits(editor):
    session = editor.session()
    result = session.send(SUN_SCENE)
    assert result.kind == TurnKind.GENERATE and result.passed
    image = np.asarray(result.image)
    square = found(image, "square", "blue")
    assert len(square) == 1
    sun = _sun(image)
    assert center(sun)[1] < square[0].box[1]  # above
    assert abs(center(sun)[0] - center(square[0])[0]) < 0.1 * image.shape[1]
    # a gradient sky: lighter and bluer at the top than at the bottom, smooth across
    assert image[2, :, 2].mean() > image[-3, :, 2].mean() and np.ptp(image[2, :, :].astype(int), axis=0).max() < 3
    entities = {e.noun: e for e in session.entities}
    assert {e.origin for e in entities.values()} == {"generated"} and set(entities) == {"sun", "square"}
    present = {c.entity_id for c in session.constraints if c.kind == ConstraintKind.PRESENT}
    assert present == {entities["sun"].id, entities["square"].id}

    area = _sun(image).area
    result = session.send("make the sun bigger")
    assert result.passed and _sun(result.image).area > 1.4 * area
    assert result.plan.operations[0].entity_ids == [entities["sun"].id]

    result = session.send("make the square red")
    assert result.passed and found(result.image, "square", "red") and not found(result.image, "square", "blue")

    before_x = center(_sun(result.image))[0]
    result = session.send("move the sun to the left")
    assert result.passed and center(_sun(result.image))[0] < before_x - 40
    assert found(result.image, "square", "red")
    assert len(session.entities) == 2  # edits acted on the generated entities, no twins

    result = session.undo()
    assert abs(center(_sun(result.image))[0] - before_x) <= 2


def test_balloon_over_hill_at_sunset(editor):
    session = editor.session()
    result = session.send("draw a red balloon over a green hill at sunset")
    assert result.passed
    image = np.asarray(result.image)
    balloon = next(e for e in session.entities if e.noun == "balloon")
    hill = next(e for e in session.entities if e.noun == "hill")
    assert balloon.region.box[3] <= hill.region.box[1] + 2 and hill.region.box[3] == image.shape[0]
    assert found(image, None, "red")
    top, bottom = image[2].mean(axis=0), image[-3].mean(axis=0)
    assert top[2] > top[1] and bottom[0] > bottom[2]  # violet sky above, orange glow low down
    result = session.send("make the balloon bigger")
    assert result.passed


def test_layout_relations_and_sizes():
    intent, unknown = parse_generation("a small red circle next to a large blue square, a house on a green hill, "
                                       "640x480", Context("x"))
    assert not unknown
    objects = scene_objects(intent)
    assert [o["noun"] for o in objects] == ["square", "circle", "hill", "house"]  # anchors first
    plan, next_entity = plan_generation(intent, next_entity=3)
    op = plan.operations[0]
    assert (op.params["width"], op.params["height"], next_entity) == (640, 480, 7)
    boxes = {o["noun"]: o["box"] for o in op.params["objects"]}
    assert boxes["circle"][2] <= boxes["square"][0] or boxes["square"][2] <= boxes["circle"][0]  # side by side
    assert (boxes["square"][2] - boxes["square"][0]) > 1.8 * (boxes["circle"][2] - boxes["circle"][0])
    house, hill = boxes["house"], boxes["hill"]
    assert hill[1] < house[3] < hill[3] and house[0] >= hill[0] and house[2] <= hill[2]  # standing on it
    varied, _ = plan_generation(intent, next_entity=3, variant=2)
    assert [o["box"] for o in varied.operations[0].params["objects"]] != [o["box"] for o in op.params["objects"]]


def test_procedural_generator_masks_and_backgrounds():
    generator = ProceduralGenerator()
    from engines.base import InsertSpec

    layout = [((40, 40, 120, 120), InsertSpec(noun="circle", color="red")),
              ((80, 80, 160, 160), InsertSpec(noun="square", color="blue"))]
    image, masks = generator.compose(200, 180, layout=layout, background="night", seed=3)
    assert image.shape == (180, 200, 3) and image[0].mean() < 60
    assert not (masks[0] & masks[1]).any() and masks[1][100, 100] and masks[0][60, 60]
    assert np.array_equal(generator.generate("", 200, 180, layout=layout, background="night", seed=3), image)
    plain = paint_background(64, 48, Background.parse("plain:green"))
    assert tuple(plain[10, 10]) == (40, 170, 60)
    with pytest.raises(Exception, match="cannot draw 'cat'"):
        generator.compose(64, 64, layout=[((0, 0, 30, 30), InsertSpec(noun="cat"))])


def test_cli_new_scene_then_edit(tmp_path):
    from graph.cli import app

    out = tmp_path / "out"
    runner = CliRunner()
    result = runner.invoke(app, ["edit", "--new", SUN_SCENE, "make the sun bigger", "-o", str(out) + "/",
                                 "--store", "memory://"])
    assert result.exit_code == 0, result.output
    image = np.asarray(Image.open(out / "result.png").convert("RGB"))
    with Editor(store="memory://") as reference:
        first = np.asarray(reference.session().send(SUN_SCENE).image)
    assert found(image, "square", "blue") and _sun(image).area > 1.4 * _sun(first).area


def test_variations_pick_edits_and_undo(editor):
    session = editor.session()
    session.send("draw a red balloon over a green hill")
    result = session.send("show me three versions")
    assert result.kind == TurnKind.VARIATIONS
    turn = session.history()[-1]
    assert len(turn.candidate_versions) == 3 and turn.version_id == turn.candidate_versions[0]
    pictures = [np.asarray(session.version_image(v)) for v in turn.candidate_versions]
    assert not np.array_equal(pictures[0], pictures[1]) and not np.array_equal(pictures[1], pictures[2])
    assert len(turn.trace.attempts) == 3 and all(a.critique.passed for a in turn.trace.attempts)

    result = session.send("I like the second one")
    assert result.kind == TurnKind.PICK and np.array_equal(np.asarray(result.image), pictures[1])
    balloon = next(e for e in session.entities if e.noun == "balloon")
    result = session.send("make the balloon bigger")
    assert result.passed and next(e for e in session.entities if e.noun == "balloon").region.area > balloon.region.area
    result = session.send("make the hill yellow")
    hill = next(e for e in session.entities if e.noun == "hill")
    x0, y0, x1, y1 = hill.region.box
    pixel = np.asarray(result.image)[y1 - 3, (x0 + x1) // 2]
    assert result.passed and hill.color == "yellow" and color_name(tuple(int(v) for v in pixel)) == "yellow"

    session.undo()
    result = session.undo()
    assert np.array_equal(np.asarray(result.image), pictures[1])  # the picked version
    result = session.undo()
    assert np.array_equal(np.asarray(result.image), pictures[0])  # back to the choice
    result = session.send("pick 3")
    assert result.kind == TurnKind.PICK and np.array_equal(np.asarray(result.image), pictures[2])


class RightmostCritic:
    """A scripted critic: prefers the candidate whose added object lies furthest right, and passes
    everything (so one round of best-of-N decides)."""

    name = "rightmost"

    def __init__(self) -> None:
        self.seen: list[float] = []

    def critique(self, request: CritiqueRequest) -> Critique:
        stars = found(request.after, "star", "red")
        x = center(max(stars, key=lambda d: d.area))[0] / request.after.shape[1] if stars else 0.0
        self.seen.append(x)
        verdicts = [OperationVerdict(op_id=op.id, kind=op.kind, ok=True, score=round(x, 4), reason="scripted")
                    for op in request.plan.operations]
        return Critique(score=round(x, 4), passed=True, operations=verdicts, backend=self.name)


def test_best_of_n_keeps_the_critics_choice():
    with Editor(store="memory://", best_of=3) as editor:
        critic = RightmostCritic()
        editor.services.critic = critic
        session = editor.session()
        result = session.send("add a red star in the middle", image=scene(("circle", "blue", (20, 20, 80, 80))))
        attempts = result.trace.attempts
        assert len(attempts) == 3 and len(critic.seen) == 3 and len(set(critic.seen)) == 3
        winner = int(np.argmax(critic.seen))
        chosen = editor.store.images.get_array(attempts[winner].image_ref)
        assert np.array_equal(np.asarray(result.image), chosen)
        assert result.score == max(a.critique.score for a in attempts)
        assert any("best of 3" in e.message for e in result.trace.events)
        assert found(result.image, "circle", "blue")


def test_generate_needs_words_it_knows(editor):
    from agents.errors import OperationFailed
    from state.errors import MissingImage

    session = editor.session()
    with pytest.raises(OperationFailed, match="cannot draw 'zorgle'"):  # offline: shapes and known objects only
        session.send("a zorgle over a blue square")
    with pytest.raises(MissingImage):
        session.send("remove the red circle")
    assert session.history() == []


def test_generated_plan_is_one_operation(editor):
    session = editor.session()
    result = session.send("three red stars on a black background")
    op = result.plan.operations[0]
    assert op.kind == OpKind.GENERATE and len(op.entity_ids) == 3
    assert len(found(result.image, "star", "red")) == 3
    assert np.asarray(result.image)[1, 1].max() < 40
