"""The synthetic benchmark, the harness (resume), the MagicBrush loader and the HTML report."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engines.classical.scene import parse_scene
from evals import paraphrases as P
from evals.harness import RESULTS, RunConfig, load_records, run
from evals.magicbrush import MagicBrushError, evaluate, l1_l2, load_magicbrush
from evals.metrics import match_objects
from evals.report import compare, write_report
from evals.scenes import render, render_background
from evals.summary import summarize
from evals.synthetic import SPLITS, fix_articles, generate, make_dialogue, split_config


@pytest.fixture(scope="module")
def dev_dialogues():
    return generate("dev", count=10)


def test_generation_is_deterministic(dev_dialogues):
    again = generate("dev", count=10)
    assert [d.model_dump() for d in again] == [d.model_dump() for d in dev_dialogues]
    other = generate("dev", count=3, seed=999)
    assert [d.model_dump() for d in other] != [d.model_dump() for d in dev_dialogues[:3]]


def test_splits_have_distinct_fixed_seeds():
    seeds = [c.seed for c in SPLITS.values()]
    assert len(set(seeds)) == len(seeds)
    with pytest.raises(ValueError, match="unknown split"):
        split_config("nope")


def test_ground_truth_is_valid(dev_dialogues):
    for d in dev_dialogues:
        scene = d.scene
        assert 3 <= len(scene.objects) <= 8
        for obj in scene.objects:  # every object at least 3% of the image
            canvas = render(scene.model_copy(update={"objects": [obj]}))
            background = render_background(scene.background, scene.width, scene.height)
            assert (np.abs(canvas.astype(int) - background).max(axis=2) > 0).mean() >= 0.028
        boxes = [o.box for o in scene.objects]
        for i, a in enumerate(boxes):  # no overlaps
            for b in boxes[i + 1:]:
                assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1]
        assert 1 <= len(d.turns) <= 6
        bg = parse_scene(render_background(scene.background, scene.width, scene.height))
        for turn in d.turns:
            assert turn.message and not re.search(r"\ba [aeiou]", turn.message)
            if turn.state.exact:  # the target image re-grounds to exactly its objects
                m = match_objects(parse_scene(render(scene, turn.state)), turn.state.objects, scene.width,
                                  scene.height, background=bg)
                assert m.success, (d.id, turn.index, turn.message)


def _named(message: str, obj) -> set[str]:
    """Which of obj's attributes (colour, noun) the message names, synonyms included."""
    words = set(re.findall(r"[a-z]+", message.lower()))
    named = set()
    if words & set(P.COLOR_SYNONYMS.get(obj.color, [obj.color])):
        named.add("color")
    if words & set(P.NOUN_SYNONYMS.get(obj.noun, [obj.noun])):
        named.add("noun")
    return named


def test_targets_are_named_unambiguously(dev_dialogues):
    checked = 0
    for d in dev_dialogues:
        previous = d.initial_state.objects
        for turn in d.turns:
            if turn.op in ("remove", "resize", "move") and not turn.tags and len(turn.target_ids) == 1:
                target = next(o for o in previous if o.id == turn.target_ids[0])
                named = _named(turn.message, target)
                assert named, turn.message
                for other in previous:
                    if other.id != target.id:
                        same = all(getattr(other, a) == getattr(target, a) for a in named)
                        assert not same, (turn.message, other)
                checked += 1
            previous = turn.state.objects
    assert checked >= 5


def test_hard_split_is_crowded_and_long():
    d = make_dialogue("hard", 0, split_config("hard"))
    assert len(d.scene.objects) >= 6 and len(d.turns) >= 6


def test_fix_articles():
    assert fix_articles("add a orange star and a red one") == "add an orange star and a red one"


def test_resume_skips_finished_dialogues(tmp_path):
    out = tmp_path / "run"
    first = run(RunConfig(split="core-single", out=out, workers=1, limit=2, resume=False), progress=False)
    assert [r.id for r in first] == ["core-single-0000", "core-single-0001"]
    with open(out / RESULTS, "a") as sink:
        sink.write('{"id": "torn')  # a killed run leaves a partial line
    second = run(RunConfig(split="core-single", out=out, workers=1, limit=3, resume=True), progress=False)
    ids = [json.loads(line)["id"] for line in (out / RESULTS).read_text().splitlines()]
    assert sorted(ids) == ["core-single-0000", "core-single-0001", "core-single-0002"]
    assert [r.id for r in second] == ids
    assert second[0].model_dump() == first[0].model_dump()  # not re-run
    for record in second:
        turn = record.turns[0]
        assert 0.0 <= turn.f1 <= 1.0 and turn.output_image and Path(turn.output_image).exists()


def test_results_of_other_code_or_settings_are_not_resumed(tmp_path):
    out = tmp_path / "run"
    run(RunConfig(split="core-single", out=out, workers=1, limit=1, resume=False), progress=False)
    meta = json.loads((out / "run.json").read_text())
    (out / "run.json").write_text(json.dumps({**meta, "source": "older-code"}))
    marker = json.loads((out / RESULTS).read_text().splitlines()[0])
    marker["turns"][0]["reply"] = "written by older code"
    (out / RESULTS).write_text(json.dumps(marker) + "\n")
    again = run(RunConfig(split="core-single", out=out, workers=1, limit=1, resume=True), progress=False)
    assert again[0].turns[0].reply != "written by older code"
    assert json.loads((out / "run.json").read_text())["source"] == meta["source"]


def test_harness_scores_a_real_dialogue(tmp_path):
    records = run(RunConfig(split="core-dialogue", out=tmp_path / "d", workers=1, limit=1, resume=False),
                  progress=False)
    summary = summarize(records)
    assert summary["turns"] == 5 and summary["dialogues"] == 1
    assert set(summary["sr_at_k"]) == {1, 2, 3, 4, 5}
    assert summary["ms_per_turn"] > 0


def _write_magicbrush(root: Path) -> None:
    sessions = {}
    for image_id, n_turns in (("1001", 2), ("1002", 1)):
        folder = root / "images" / image_id
        folder.mkdir(parents=True)
        image = np.full((32, 32, 3), 200, np.uint8)
        Image.fromarray(image).save(folder / f"{image_id}-input.png")
        turns = []
        for k in range(1, n_turns + 1):
            image = image.copy()
            image[: 8 * k, :] = 0
            Image.fromarray(image).save(folder / f"{image_id}-output{k}.png")
            Image.fromarray(np.zeros((32, 32), np.uint8)).save(folder / f"{image_id}-mask{k}.png")
            turns.append({"input": f"{image_id}-input.png" if k == 1 else f"{image_id}-output{k - 1}.png",
                          "output": f"{image_id}-output{k}.png", "mask": f"{image_id}-mask{k}.png",
                          "instruction": f"edit {k}"})
        sessions[image_id] = turns
    (root / "edit_sessions.json").write_text(json.dumps(sessions))
    (root / "global_descriptions.json").write_text(json.dumps({"1001": {"1001-output1.png": "a gray square"}}))


def test_magicbrush_loader_and_metrics(tmp_path):
    _write_magicbrush(tmp_path)
    sessions = load_magicbrush(tmp_path)
    assert list(sessions) == ["1001", "1002"] and len(sessions["1001"]) == 2
    first = sessions["1001"][0]
    assert first.input.name == "1001-input.png" and first.mask and first.caption == "a gray square"
    assert sessions["1001"][1].input.name == "1001-output1.png"
    assert len(load_magicbrush(tmp_path, limit=1)) == 1

    def identity(instructions, image):  # an editor that changes nothing
        return [image for _ in instructions]

    figures = evaluate(sessions, identity)
    # 1001 final target has 16 of 32 rows black (200 → 0): L1 = 0.5 * 200/255; 1002: 8 rows.
    expected_final = (0.5 * 200 / 255 + 0.25 * 200 / 255) / 2
    assert figures["final_turn"]["l1"] == pytest.approx(expected_final)
    assert figures["final_turn"]["n"] == 2 and figures["all_turn"]["n"] == 3
    # All-turn: each turn from its ground-truth input; 1001 turn 2 differs from output1 by 8 rows.
    assert figures["all_turn"]["l1"] == pytest.approx((0.25 + 0.25 + 0.25) * 200 / 255 / 3)
    out = Image.fromarray(np.zeros((16, 16, 3), np.uint8))
    target = Image.fromarray(np.full((32, 32, 3), 255, np.uint8))
    assert l1_l2(out, target) == pytest.approx((1.0, 1.0))


def test_magicbrush_reports_missing_files(tmp_path):
    with pytest.raises(MagicBrushError, match="edit_sessions.json"):
        load_magicbrush(tmp_path)
    _write_magicbrush(tmp_path)
    (tmp_path / "images" / "1002" / "1002-output1.png").unlink()
    with pytest.raises(MagicBrushError, match="1002-output1.png"):
        load_magicbrush(tmp_path)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def test_report_renders_in_headless_chromium(tmp_path):
    out = tmp_path / "run"
    run(RunConfig(split="core-dialogue", out=out, workers=1, limit=1, resume=False), progress=False)
    page = write_report(out)
    figures = json.loads((out / "figures.json").read_text())
    assert figures["dialogues"] == 1 and "by_op" in figures
    html = page.read_text()
    assert html.count('class="strip-img') == 1 + 2 * 5 and "data:image/png;base64" in html
    assert compare(out, out)[0][3] == 0.0
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium: install it with `apt-get install -y chromium` to check the page renders")
    dom = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         "--virtual-time-budget=5000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    ).stdout
    loaded = re.search(r'data-images-loaded="(\d+)/(\d+)"', dom)
    assert loaded, dom[:500]
    assert loaded.group(1) == loaded.group(2) and int(loaded.group(2)) >= 11
    assert len(load_records(out)) == 1
