"""Text-to-image, the diffusion upscaler and img2img restyling on tiny random-weight models (CPU),
loaded through the product's own from_pretrained(path), and a session that uses all three.

The weights are meaningless, so the checks are invariants: sizes, determinism per seed, the layout
boost firing on the steps it should and changing the result, strength limits, typed errors.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from engines.base import EngineError, InsertSpec  # noqa: E402
from tests.neural_models import (  # noqa: E402
    build_tiny_sd_text2img,
    build_tiny_sd_upscaler,
    install_torchvision_cpu_shim,
)

pytestmark = pytest.mark.neural
install_torchvision_cpu_shim()

LAYOUT = [((0, 0, 48, 64), InsertSpec(noun="circle", color="red")),
          ((48, 0, 96, 64), InsertSpec(noun="square", color="blue"))]


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny-generation")
    return {"text2img": str(build_tiny_sd_text2img(root / "t2i")), "upscale": str(build_tiny_sd_upscaler(root / "up"))}


@pytest.fixture(scope="module")
def manager():
    from engines.neural.models import ModelManager

    return ModelManager()


def test_text2img_follows_the_layout_schedule(models, manager):
    from engines.neural.text2img import DiffusionGenerator

    generator = DiffusionGenerator(manager, model=models["text2img"], device="cpu", dtype="float32", steps=4,
                                   boost_until=0.5, box_boost=3.0)
    image = generator.generate("a red circle and a blue square", 96, 64, layout=LAYOUT, seed=7)
    assert image.shape == (64, 96, 3) and image.dtype == np.uint8
    assert generator.last_result.boosted_steps == [0, 1]  # the first half of four steps
    again = generator.generate("a red circle and a blue square", 96, 64, layout=LAYOUT, seed=7)
    assert np.array_equal(image, again)
    other = generator.generate("a red circle and a blue square", 96, 64, layout=LAYOUT, seed=8)
    assert not np.array_equal(image, other)
    plain = DiffusionGenerator(manager, model=models["text2img"], device="cpu", dtype="float32", steps=4,
                               box_boost=1.0)
    unguided = plain.generate("a red circle and a blue square", 96, 64, layout=LAYOUT, seed=7)
    assert plain.last_result.boosted_steps == [] and not np.array_equal(image, unguided)
    assert manager.total_loads("text2img") == 1
    odd = generator.generate("a red circle", 70, 50, seed=1)  # off-stride sizes come back as asked
    assert odd.shape == (50, 70, 3)
    with pytest.raises(EngineError, match="needs a prompt"):
        generator.generate("  ", 64, 64)


def test_upscaler_sizes_tiles_and_seeds(models, manager):
    from engines.neural.upscale import DiffusionUpscaler

    upscaler = DiffusionUpscaler(manager, model=models["upscale"], device="cpu", dtype="float32", steps=2, tile=32,
                                 overlap=8)
    image = np.random.default_rng(0).integers(0, 255, (40, 48, 3), dtype=np.uint8)
    double = upscaler.upscale(image, 2.0, seed=1)
    assert double.shape == (80, 96, 3)
    assert np.array_equal(double, upscaler.upscale(image, 2.0, seed=1))
    assert upscaler.upscale(image, 4.0, seed=1).shape == (160, 192, 3)
    assert manager.total_loads("upscale") == 1
    with pytest.raises(EngineError, match="out of range"):
        upscaler.upscale(image, 1.0)


def test_img2img_restyle(models, manager):
    from engines.neural.img2img import Img2ImgRestyler

    restyler = Img2ImgRestyler(manager, model=models["text2img"], device="cpu", dtype="float32", steps=4)
    image = np.full((64, 80, 3), 200, np.uint8)
    image[16:48, 20:60] = (220, 30, 35)
    styled = restyler.restyle(image, "watercolor", strength=0.5, seed=3)
    assert styled.shape == image.shape and not np.array_equal(styled, image)
    assert np.array_equal(styled, restyler.restyle(image, "watercolor", strength=0.5, seed=3))
    with pytest.raises(EngineError, match="unknown style"):
        restyler.restyle(image, "baroque")
    with pytest.raises(EngineError, match="strength"):
        restyler.restyle(image, "painting", strength=0.0)


def test_a_session_generates_upscales_and_restyles_with_models(models):
    from graph import Editor
    from state.models import TurnKind

    with Editor(store="memory://", engines="auto", text2img_model=models["text2img"],
                upscale_model=models["upscale"], device="cpu", dtype="float32", max_rounds=1) as editor:
        assert editor.engine_names["generator"] == "neural-text2img"
        session = editor.session()
        result = session.send("a red circle above a blue square, 96x64")
        assert result.kind == TurnKind.GENERATE and result.image.size == (96, 64)
        engines = [op["engine"] for e in result.trace.events if e.stage == "execute" for op in e.data["ops"]]
        assert engines == ["neural-text2img"]
        planned = {o["id"]: o["box"] for o in result.plan.operations[0].params["objects"]}
        for entity in session.entities:  # segmented inside their planned boxes
            x0, y0, x1, y1 = entity.region.box
            px0, py0, px1, py1 = planned[entity.id]
            assert entity.origin == "generated" and px0 <= x0 and py0 <= y0 and x1 <= px1 and y1 <= py1
        result = session.send("upscale to 2x")
        assert result.image.size == (192, 128) and "learned super-resolution" in result.reply
        assert all(e.region.box[2] > 0 for e in session.entities)
        result = session.send("restyle as watercolor")
        refine_engines = [op["engine"] for e in result.trace.events if e.stage == "refine" for op in e.data["ops"]]
        assert "neural-img2img" in refine_engines and result.image.size == (192, 128)
