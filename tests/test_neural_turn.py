"""Neural engines through the whole product: settings → engine set → a graph turn → the trace.

The models are tiny and random (tests/neural_models.py), so their pixels are noise. What is checked
is what holds whatever the weights: the settings reach the factories under the names they accept,
a turn on neural engines runs the critic loop and commits, pixels outside the edit are
bit-identical, the trace names the neural engines and records the seed (and the seed reproduces
the image), ``auto`` falls back where weights or a device are missing and says so once, and without
torch installed the product runs on classical engines.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing here may reach the hub

from agents.regions import box_mask, dilate  # noqa: E402
from engines.registry import build_engine_set  # noqa: E402
from graph import Editor, Settings  # noqa: E402
from state.models import TurnKind  # noqa: E402
from tests.scenes import found, scene  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TWO = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))
# The measured critic scores a random-weight fill at 0.60 ("the filled hole differs from its
# surroundings"): noise never matches the background. The threshold is set to what it can reach.
THRESHOLD = 0.6
STEPS = 4


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    pytest.importorskip("sam2")
    from tests.neural_models import (
        build_tiny_owlv2,
        build_tiny_sam2,
        build_tiny_sd_inpaint,
        build_tiny_sd_text2img,
        install_torchvision_cpu_shim,
    )

    install_torchvision_cpu_shim()
    root = tmp_path_factory.mktemp("tiny-turn")
    return {"inpaint": str(build_tiny_sd_inpaint(root / "sd-inpaint")),
            "text2img": str(build_tiny_sd_text2img(root / "sd-text2img")),
            "sam2": str(build_tiny_sam2(root / "sam2")),
            "owlv2": str(build_tiny_owlv2(root / "owlv2"))}


def neural_settings(tiny: dict[str, str], **overrides) -> Settings:
    values = dict(store="memory://", engines="neural", device="cpu", inpaint_model=tiny["inpaint"],
                  text2img_model=tiny["text2img"], sam2_model=tiny["sam2"], diffusion_steps=STEPS,
                  threshold=THRESHOLD, max_rounds=1)
    return Settings.load(**(values | overrides))


def ops_of(result) -> list[dict]:
    """The execute event's per-operation records of the attempt that was committed."""
    events = [e for e in result.trace.events if e.stage == "execute"]
    return events[-1].data["ops"]


# --------------------------------------------------------------------------- settings → factories


@pytest.mark.neural
def test_every_setting_reaches_a_factory_that_accepts_it(tiny: dict[str, str]) -> None:
    settings = neural_settings(tiny, grounding_model=tiny["owlv2"], dtype="float32", device="cpu")
    engines = build_engine_set("neural", options=settings.engine_options())
    names = engines.describe()
    assert (names["grounder"], names["segmenter"], names["inpainter"], names["inserter"]) == (
        "neural-detector", "neural-sam2", "neural-attention", "neural-diffusion")
    assert engines.notes == []
    assert engines.inpainter.options.model == tiny["inpaint"] and engines.inpainter.options.steps == STEPS
    assert engines.inpainter.options.dtype == "float32"
    assert engines.inserter.options.model == tiny["text2img"] and engines.inserter.options.steps == STEPS
    assert engines.grounder.options.model == tiny["owlv2"]
    # SAM 2 is configured once and serves the segmenter, the grounder's masks and the inserter's.
    assert engines.segmenter.options.model == tiny["sam2"]
    assert engines.grounder.segmenter is not None and engines.inserter.segmenter is not None
    # SAM 2 as a bundled config + checkpoint file instead of a folder.
    spec = json.loads((Path(tiny["sam2"]) / "sam2.json").read_text())
    by_file = Settings.load(sam2_config=spec["config"], sam2_checkpoint=str(Path(tiny["sam2"]) / "model.pt"),
                            sam2_model="ignored/when-config-is-set", device="cpu")
    segmenter = build_engine_set("neural", options=by_file.engine_options()).segmenter
    assert (segmenter.options.config, segmenter.options.checkpoint) == (spec["config"], by_file.sam2_checkpoint)


@pytest.mark.neural
def test_vram_budget_sizes_the_shared_model_manager(tiny: dict[str, str]) -> None:
    from engines.neural.models import default_manager

    manager = default_manager()
    saved = manager.budget_bytes
    try:
        Editor(neural_settings(tiny, vram_budget_gb=1.5)).close()
        assert manager.budget_bytes == int(1.5 * 2**30)
    finally:
        manager.budget_bytes = saved


# --------------------------------------------------------------------------- a turn on neural engines


@pytest.mark.neural
def test_turns_on_neural_engines_commit_with_seeds_in_the_trace(tiny: dict[str, str]) -> None:
    editor = Editor(neural_settings(tiny))
    assert editor.engine_names["inpainter"] == "neural-attention"
    session = editor.session()
    image = scene(*TWO)

    # 1. Removal by attention modulation, through parse → decompose → execute → critique → commit.
    result = session.send("remove the red circle", image=image)
    assert result.kind == TurnKind.EDIT and result.passed and result.score == pytest.approx(THRESHOLD)
    assert [t.index for t in session.history()] == [1] and session.head.id == result.version_id
    [op] = ops_of(result)
    assert op["engine"] == "neural-attention"
    assert op["seed"] == editor.settings.seed + 1000 * result.plan.round  # node seed + round offset, op 0
    assert op["steps"] == STEPS and len(op["model_size"]) == 2
    target = editor.store.images.get_mask(result.plan.operations[0].region.mask_ref)
    hole = dilate(target, op["dilate"])
    after = np.asarray(result.image)
    assert np.array_equal(after[~hole], image[~hole])  # outside the hole: bit-identical
    assert not np.array_equal(after[hole], image[hole])  # inside: the model really painted
    assert found(after, "square", "blue")

    # The recorded seed reproduces the edit in a fresh session.
    again = editor.session().send("remove the red circle", image=image)
    assert ops_of(again)[0]["seed"] == op["seed"] and np.array_equal(np.asarray(again.image), after)

    # 2. A move: the geometry engine fills the old place with the neural inpainter, seed recorded.
    result = session.send("move the blue square left by 20 pixels")
    [op] = ops_of(result)
    assert result.passed and op["engine"] == "geometry+neural-attention"
    assert isinstance(op["seed"], int) and op["steps"] == STEPS

    # 3. An insertion by the diffusion inserter. Random weights draw no circle, so the critic
    # rejects it; with one round allowed the best attempt is still committed, and says so.
    before = np.asarray(session.image)
    result = session.send("add a green circle at the top left")
    [op] = ops_of(result)
    assert result.kind == TurnKind.EDIT and result.version_id == session.head.id and not result.passed
    assert result.reply.startswith("Best effort")
    assert op["engine"] == "neural-diffusion" and op["seed"] == editor.settings.seed + 1000
    assert op["enhanced_steps"] and op["blended_steps"] and "green circle" in op["prompt"]
    box = tuple(result.plan.operations[0].params["box"])
    changed = dilate(box_mask(box, before.shape[:2]), 2)
    assert np.array_equal(np.asarray(result.image)[~changed], before[~changed])

    # 4. A drawn box over plain background: the classical grounder finds nothing there, so SAM 2 is asked.
    calls = editor.services.engines.segmenter.set_image_calls
    result = session.send("remove this", box=(150, 175, 200, 225))
    assert result.kind == TurnKind.EDIT and ops_of(result)[0]["engine"] == "neural-attention"
    assert editor.services.engines.segmenter.set_image_calls == calls + 1
    assert [t.index for t in session.history()] == [1, 2, 3, 4]
    editor.close()


# --------------------------------------------------------------------------- auto mode


@pytest.mark.neural
def test_auto_uses_neural_engines_only_where_device_and_weights_are_present(
        tiny: dict[str, str], caplog: pytest.LogCaptureFixture) -> None:
    import torch

    with Editor(Settings.load(store="memory://", engines="auto", device="cpu", inpaint_model=tiny["inpaint"])) as e:
        assert e.engine_names["inpainter"] == "neural-attention"
        assert e.engine_names["segmenter"] == "classical"
        assert "segmenter: classical (no model configured for the segmenter)" in e.engine_notes

    missing = f"/nonexistent/{uuid.uuid4().hex}"
    uncached = f"example-org/not-downloaded-{uuid.uuid4().hex[:8]}"
    caplog.set_level(logging.INFO, logger="retouch")
    for _ in range(2):  # a second editor with the same settings logs nothing new
        editor = Editor(Settings.load(store="memory://", engines="auto", device="cpu", inpaint_model=missing,
                                      grounding_model=uncached))
        assert editor.engine_names["inpainter"] == "classical"
        assert editor.engine_names["grounder"] == "classical"
        editor.close()
    notes = [r.getMessage() for r in caplog.records if r.name == "retouch"]
    assert sum(f"weights not found at {missing}" in n for n in notes) == 1
    assert sum(f"{uncached} is not in the Hugging Face cache" in n for n in notes) == 1

    if not torch.cuda.is_available():  # device=auto on a machine without a GPU
        with Editor(Settings.load(store="memory://", engines="auto", inpaint_model=tiny["inpaint"])) as e:
            assert e.engine_names["inpainter"] == "classical"
            assert any("no GPU found" in n and "RETOUCH_DEVICE=cpu" in n for n in e.engine_notes)


# --------------------------------------------------------------------------- without torch

_NO_TORCH = """
import sys
# Present in sys.modules as None: `import torch` fails and importlib.util.find_spec returns None,
# as on a machine where the neural extra was never installed.
for name in ("torch", "torchvision", "diffusers", "transformers", "accelerate", "sam2"):
    sys.modules[name] = None
"""

_PROBE = """
import json, logging, sys
logging.basicConfig(level=logging.INFO, format="%(name)s %(message)s")
from engines.registry import UnknownEngine
from graph import Editor, Settings
from tests.scenes import found, scene
settings = dict(store="memory://", inpaint_model="/some/folder/sd-inpaint")
editor = Editor(Settings.load(engines="auto", **settings))
Editor(Settings.load(engines="auto", **settings)).close()
session = editor.session()
image = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))
result = session.send("remove the red circle", image=image)
try:
    Editor(Settings.load(engines="neural", **settings))
    refused = ""
except UnknownEngine as exc:
    refused = str(exc)
print(json.dumps({"engines": editor.engine_names, "notes": editor.engine_notes, "passed": result.passed,
                  "removed": not found(result.image, "circle", "red"), "refused": refused,
                  "torch_loaded": sys.modules.get("torch") is not None}))
"""


def test_without_the_neural_extra_the_product_runs_on_classical_engines(tmp_path: Path) -> None:
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(_NO_TORCH))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    run = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(run.stdout.strip().splitlines()[-1])
    assert not report["torch_loaded"]
    assert report["passed"] and report["removed"]
    assert report["engines"] and not any(name.startswith("neural") for name in report["engines"].values())
    assert report["notes"] == ["neural engines unavailable (torch is not installed (pip install "
                               "'retouch[neural]')): using the classical engines"]
    assert "pip install 'retouch[neural]'" in report["refused"]
    # The fallback is logged once, though two editors were built.
    assert run.stderr.count("neural engines unavailable") == 1
