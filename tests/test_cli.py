"""The command line: one image, a folder in parallel processes, errors, the demo's writer."""

from __future__ import annotations

import numpy as np
from PIL import Image
from typer.testing import CliRunner

from graph.cli import app
from tests.scenes import found, scene

runner = CliRunner()
IMAGE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


def test_edit_one_image(tmp_path):
    source = tmp_path / "in.png"
    Image.fromarray(IMAGE).save(source)
    out = tmp_path / "out.png"
    result = runner.invoke(app, ["edit", str(source), "remove the red circle", "make the square green",
                                 "-o", str(out), "--store", "memory://"])
    assert result.exit_code == 0, result.output
    edited = np.asarray(Image.open(out).convert("RGB"))
    assert not found(edited, "circle") and found(edited, "square", "green")


def test_edit_a_folder_in_parallel(tmp_path):
    # A folder name longer than any terminal is wide: a path in the output must come out whole.
    folder = tmp_path / ("photos-from-a-folder-with-a-long-name-" * 6)
    folder.mkdir()
    for index in range(3):
        Image.fromarray(np.roll(IMAGE, 10 * index, axis=1)).save(folder / f"img{index}.png")
    (folder / "broken.png").write_bytes(b"not an image")
    out = tmp_path / "out"
    result = runner.invoke(app, ["edit", str(folder), "make the circle yellow", "-o", str(out), "--workers", "2"])
    assert result.exit_code == 1  # one image could not be read: reported, the others still done
    assert str(folder / "broken.png") in result.output and "3/4 images edited" in result.output
    for index in range(3):
        edited = np.asarray(Image.open(out / f"img{index}.png").convert("RGB"))
        assert found(edited, "circle", "yellow") and found(edited, "square", "blue")


def test_unparseable_instruction_is_reported_not_raised(tmp_path):
    source = tmp_path / "in.png"
    Image.fromarray(IMAGE).save(source)
    result = runner.invoke(app, ["edit", str(source), "flurb the zorgle", "-o", str(tmp_path / "o.png"),
                                 "--store", "memory://"])
    assert result.exit_code == 1 and "UnparseableInstruction" in result.output and "flurb" in result.output
