"""``retouch chat --confirm``: each plan is shown and asked about before it runs."""

from __future__ import annotations

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from graph import Editor, Settings
from graph.cli import app
from tests.scenes import found, scene

IMAGE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


def test_chat_confirm_asks_before_each_plan(tmp_path):
    source, out = tmp_path / "in.png", tmp_path / "chat.png"
    Image.fromarray(IMAGE).save(source)
    store = f"sqlite:///{tmp_path / 'sessions.db'}"
    answers = "make the circle yellow\na warmer yellow\ny\nmake the square green\nn\ny\nquit\n"
    result = CliRunner().invoke(app, ["chat", str(source), "--confirm", "--store", store, "-o", str(out)],
                                input=answers)
    assert result.exit_code == 0, result.output
    assert result.output.count("run it?") == 4
    assert "plan 1" in result.output and "plan 2" in result.output and "recolor" in result.output
    edited = np.asarray(Image.open(out).convert("RGB"))
    assert found(edited, "circle", "yellow") and found(edited, "square", "green")
    with Editor(Settings.load(store=store)) as editor:
        [meta] = editor.sessions()
        turns = editor.session(meta.id).history()
        assert [t.kind for t in turns] == ["edit", "edit"]
        assert [e.message for e in turns[0].trace.events if e.stage == "approve"] == [
            "round 1: plan rejected: a warmer yellow", "round 2: plan approved"]


def test_chat_confirm_leaves_an_unanswered_plan_waiting(tmp_path):
    source = tmp_path / "in.png"
    Image.fromarray(IMAGE).save(source)
    store = f"sqlite:///{tmp_path / 'sessions.db'}"
    first = CliRunner().invoke(app, ["chat", str(source), "--confirm", "--store", store, "-o", str(tmp_path / "a.png")],
                               input="make the circle yellow\n")  # the input ends at the question
    assert first.exit_code == 0, first.output
    assert "stays waiting" in first.output
    with Editor(Settings.load(store=store)) as editor:
        [meta] = editor.sessions()
    second = CliRunner().invoke(app, ["chat", "--session", meta.id, "--confirm", "--store", store,
                                      "-o", str(tmp_path / "b.png")], input="y\nquit\n")
    assert second.exit_code == 0, second.output
    assert found(np.asarray(Image.open(tmp_path / "b.png").convert("RGB")), "circle", "yellow")
