"""Neural engines on tiny random-weight models, on CPU, through the product's own from_pretrained(path).

The models are meaningless, so these tests check invariants that hold whatever the weights:
attention to masked keys is exactly zero, pixels outside the mask are bit-identical, models load
once, the schedule runs the steps it says, embeddings are reused, outputs are well formed.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

# Tests never reach the hub; huggingface_hub reads this when first imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")

torch = pytest.importorskip("torch")
pytest.importorskip("diffusers")
pytest.importorskip("transformers")

from engines.base import Detection, EngineError, InsertSpec  # noqa: E402
from tests.neural_models import (  # noqa: E402
    build_tiny_clip,
    build_tiny_grounding_dino,
    build_tiny_owlv2,
    build_tiny_sam2,
    build_tiny_sd_inpaint,
    build_tiny_sd_text2img,
    install_torchvision_cpu_shim,
)

pytestmark = pytest.mark.neural
install_torchvision_cpu_shim()  # no-op where torchvision already imported (or works)


@pytest.fixture(scope="session")
def tiny_root(tmp_path_factory):
    return tmp_path_factory.mktemp("tiny-models")


@pytest.fixture(scope="session")
def inpaint_dir(tiny_root):
    return str(build_tiny_sd_inpaint(tiny_root / "sd-inpaint"))


@pytest.fixture(scope="session")
def text2img_dir(tiny_root):
    return str(build_tiny_sd_text2img(tiny_root / "sd-text2img"))


@pytest.fixture(scope="session")
def sam2_dir(tiny_root):
    pytest.importorskip("sam2")
    return str(build_tiny_sam2(tiny_root / "sam2"))


@pytest.fixture(scope="session")
def shared():
    """One manager for the module, as in the product: each tiny model loads once."""
    from engines.neural.models import ModelManager

    return ModelManager()


@pytest.fixture()
def manager():
    """A fresh manager, for tests that count loads."""
    from engines.neural.models import ModelManager

    return ModelManager()


def scene(height: int = 96, width: int = 128, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    image = np.full((height, width, 3), (70, 140, 200), np.uint8)
    image[height // 3: 2 * height // 3, width // 3: 2 * width // 3] = (220, 40, 40)
    return np.clip(image + rng.integers(-8, 8, image.shape), 0, 255).astype(np.uint8)


def blob(height: int, width: int, box: tuple[int, int, int, int]) -> np.ndarray:
    mask = np.zeros((height, width), bool)
    mask[box[1]:box[3], box[0]:box[2]] = True
    return mask


# -- attention -----------------------------------------------------------------------------------
def test_masked_attention_probs_zeroes_masked_keys_and_renormalises():
    from engines.neural.attention import masked_attention_probs

    gen = torch.Generator().manual_seed(0)
    query, key = torch.randn(6, 10, 8, generator=gen), torch.randn(6, 12, 8, generator=gen)
    key_mask = torch.zeros(12, dtype=torch.bool)
    key_mask[[1, 4, 5, 11]] = True
    probs = masked_attention_probs(query, key, key_mask, scale=8 ** -0.5)
    assert probs.shape == (6, 10, 12)
    assert torch.all(probs[..., key_mask] == 0)
    assert torch.allclose(probs.sum(-1), torch.ones(6, 10), atol=1e-6)
    # Unmasked keys keep their relative weights: it is softmax over the kept keys.
    expected = (query @ key.transpose(1, 2) * 8 ** -0.5)[..., ~key_mask].softmax(-1)
    assert torch.allclose(probs[..., ~key_mask], expected, atol=1e-6)


def test_masked_attention_probs_leaves_fully_masked_rows_unmodified():
    from engines.neural.attention import masked_attention_probs

    query, key = torch.randn(2, 3, 4), torch.randn(2, 5, 4)
    everything = torch.ones(2, 5, dtype=torch.bool)
    everything[0, 0] = False  # batch 0 keeps one key, batch 1 none
    probs = masked_attention_probs(query, key, everything, scale=0.5)
    assert torch.allclose(probs[0, :, 0], torch.ones(3))
    plain = (query[1] @ key[1].T * 0.5).softmax(-1)
    assert torch.allclose(probs[1], plain, atol=1e-6)
    assert not torch.isnan(probs).any()


def test_token_grid_and_mask_resizing():
    from engines.neural.attention import mask_to_grid, token_grid

    assert token_grid(32 * 24, (32, 24)) == (32, 24)
    assert token_grid(8 * 6, (32, 24)) == (8, 6)
    assert token_grid(3 * 2, (9, 5)) == (3, 2)  # rounds up like strided convolutions
    with pytest.raises(ValueError):
        token_grid(7, (32, 24))
    mask = torch.zeros(8, 8, dtype=torch.bool)
    mask[:4, :4] = True
    grid = mask_to_grid(mask, (2, 2), 0.5)
    assert grid.tolist() == [True, False, False, False]


def test_processor_only_on_self_attention_and_restored(inpaint_dir, shared):
    from engines.neural.attention import MaskedSelfAttnProcessor, install_removal

    pipe = shared.pipeline("inpaint", inpaint_dir, "cpu", "fp32")
    before = {k: type(v) for k, v in pipe.unet.attn_processors.items()}
    processor = MaskedSelfAttnProcessor(torch.zeros(16, 16, dtype=torch.bool))
    with pytest.raises(RuntimeError), install_removal(pipe.unet, processor):
        current = pipe.unet.attn_processors
        assert all((v is processor) == k.endswith("attn1.processor") for k, v in current.items())
        assert any(k.endswith("attn2.processor") for k in current)
        raise RuntimeError("boom")
    assert {k: type(v) for k, v in pipe.unet.attn_processors.items()} == before


# -- inpainting and removal ----------------------------------------------------------------------
def test_removal_is_bit_identical_outside_the_mask(inpaint_dir, shared):
    from engines.neural.removal import AttentionRemovalInpainter

    image = scene()
    mask = blob(96, 128, (45, 35, 85, 62))
    engine = AttentionRemovalInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2)
    out = engine.inpaint(image, mask, seed=7)
    assert out.dtype == np.uint8 and out.shape == image.shape
    assert np.array_equal(out[~mask], image[~mask])
    assert not np.array_equal(out[mask], image[mask])
    assert engine.last_seed == 7 and engine.last_result.seed == 7
    assert engine.last_processor_calls > 0  # the masked processor really ran
    # Same seed, same result; processors restored afterwards.
    assert np.array_equal(engine.inpaint(image, mask, seed=7), out)
    assert not any(type(p).__name__ == "MaskedSelfAttnProcessor"
                   for p in engine.pipeline().unet.attn_processors.values())


def test_removals_in_threads_share_one_pipeline_safely(inpaint_dir, shared):
    """Turns run in threads (HTTP workers); two removals with different work-window shapes at once on
    one shared pipeline each give what they give alone (its attention processors are per call)."""
    from concurrent.futures import ThreadPoolExecutor

    from engines.neural.removal import AttentionRemovalInpainter

    engine = AttentionRemovalInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2)
    jobs = [(scene(96, 128), blob(96, 128, (45, 35, 85, 62))), (scene(160, 64, 1), blob(160, 64, (10, 20, 50, 140)))]
    alone = [engine.inpaint(image, mask, seed=5) for image, mask in jobs]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda job: engine.inpaint(*job, seed=5), jobs * 3))
    for index, out in enumerate(together):
        assert np.array_equal(out, alone[index % 2]), f"call {index} differs from the same call alone"


def test_attention_masking_changes_the_fill(inpaint_dir, shared):
    from engines.neural.inpainting import DiffusionInpainter
    from engines.neural.removal import AttentionRemovalInpainter

    image, mask = scene(), blob(96, 128, (45, 35, 85, 62))
    plain = DiffusionInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2,
                               default_prompt="empty background")
    masked = AttentionRemovalInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2)
    assert not np.array_equal(plain.inpaint(image, mask, seed=3), masked.inpaint(image, mask, seed=3))


def test_inpainting_pipeline_loads_once(inpaint_dir, manager):
    from engines.neural.inpainting import DiffusionInpainter
    from engines.neural.removal import AttentionRemovalInpainter

    image, mask = scene(), blob(96, 128, (10, 10, 30, 30))
    first = DiffusionInpainter(manager=manager, model=inpaint_dir, device="cpu", steps=2)
    first.inpaint(image, mask, seed=1)
    first.inpaint(image, mask, seed=2)
    AttentionRemovalInpainter(manager=manager, model=inpaint_dir, device="cpu", steps=2).inpaint(image, mask)
    assert manager.total_loads("inpaint") == 1
    assert first.last_seed == 2


def test_high_resolution_image_is_edited_through_a_native_size_window(inpaint_dir, shared):
    from engines.neural.inpainting import DiffusionInpainter

    image = scene(768, 1024)
    mask = blob(768, 1024, (500, 300, 560, 340))
    engine = DiffusionInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2)
    seen: list[tuple[int, int]] = []
    pipe = engine.pipeline()
    original_call = type(pipe).__call__

    def spy(self, *args, **kwargs):
        seen.append((kwargs["width"], kwargs["height"]))
        return original_call(self, *args, **kwargs)

    mp = pytest.MonkeyPatch()
    mp.setattr(type(pipe), "__call__", spy)
    try:
        out = engine.inpaint(image, mask, seed=0)
    finally:
        mp.undo()
    native = pipe.unet.config.sample_size * pipe.vae_scale_factor
    assert seen and max(seen[0]) <= native and seen[0][0] % 8 == 0 and seen[0][1] % 8 == 0
    assert engine.last_result.model_size == seen[0]
    x0, y0, x1, y1 = engine.last_result.window
    assert x0 <= 500 and y0 <= 300 and x1 >= 560 and y1 >= 340 and (x1 - x0) < 1024 // 4
    assert np.array_equal(out[~mask], image[~mask])
    assert not np.array_equal(out[mask], image[mask])


def test_inpainter_input_errors(inpaint_dir, shared, tmp_path):
    from engines.neural.inpainting import DiffusionInpainter

    engine = DiffusionInpainter(manager=shared, model=inpaint_dir, device="cpu", steps=2)
    image = scene()
    with pytest.raises(EngineError, match="empty"):
        engine.inpaint(image, np.zeros((96, 128), bool))
    with pytest.raises(EngineError, match="does not match"):
        engine.inpaint(image, np.ones((10, 10), bool))
    with pytest.raises(EngineError, match="steps"):
        DiffusionInpainter(manager=shared, steps=0)
    missing = DiffusionInpainter(manager=shared, model=str(tmp_path / "nowhere"), device="cpu")
    with pytest.raises(EngineError, match="does not exist"):
        missing.inpaint(image, blob(96, 128, (1, 1, 5, 5)))
    offline = DiffusionInpainter(manager=shared, model="someone/not-a-cached-model", device="cpu")
    with pytest.raises(EngineError, match="local folder"):
        offline.inpaint(image, blob(96, 128, (1, 1, 5, 5)))


# -- insertion -----------------------------------------------------------------------------------
def test_insertion_schedule_steps_and_bit_identical_outside(text2img_dir, shared):
    from engines.neural.insertion import DiffusionInserter

    image = scene()
    box = (40, 30, 80, 70)
    engine = DiffusionInserter(manager=shared, model=text2img_dir, device="cpu", steps=5)
    out, mask = engine.insert(image, box, InsertSpec(noun="circle", color="red"), seed=5)
    loads = shared.total_loads("text2img")
    result = engine.last_result
    assert result.callback_steps == list(range(5))
    assert result.enhanced_steps == [0, 1]  # t = 1.0, 0.8 > T_n = 0.6
    assert result.blended_steps == [0, 1, 2, 3]  # the first T_m = 0.8 of the schedule
    assert mask.dtype == bool and mask.sum() == 40 * 40 and mask[30:70, 40:80].all()
    assert np.array_equal(out[~mask], image[~mask])
    assert not np.array_equal(out[mask], image[mask])
    assert result.seed == engine.last_seed == 5 and result.prompt == "a photo of a red circle"

    # No guidance (batch of one), no enhancement, background clamped for half the schedule.
    other = DiffusionInserter(manager=shared, model=text2img_dir, device="cpu", steps=4, t_n=1.0, t_m=0.5,
                              guidance_scale=1.0)
    other.insert(image, box, InsertSpec(noun="circle", color="red"), seed=5)
    assert other.last_result.enhanced_steps == [] and other.last_result.blended_steps == [0, 1]
    assert shared.total_loads("text2img") == loads


@pytest.mark.parametrize("bad", [{"t_n": 0.0}, {"t_m": 0.0}, {"t_n": 1.2}, {"t_m": -0.1}, {"boost": 0.5}])
def test_insertion_parameters_validated(bad):
    from engines.neural.insertion import DiffusionInserter, schedule_counts

    with pytest.raises(EngineError):
        DiffusionInserter(**bad)
    assert schedule_counts(20, 0.6, 0.8) == (8, 16)
    with pytest.raises(EngineError):
        schedule_counts(20, 0.0, 0.8)


def test_box_boost_raises_object_token_attention_inside_box_only():
    from engines.neural.attention import boosted_attention_probs

    probs = torch.full((2, 4, 5), 0.2)
    inside = torch.tensor([True, False, True, False])
    out = boosted_attention_probs(probs, inside, [1, 2], 3.0)
    assert torch.allclose(out.sum(-1), torch.ones(2, 4))
    assert torch.allclose(out[:, 1], probs[:, 1]) and torch.allclose(out[:, 3], probs[:, 3])
    assert torch.all(out[:, 0, 1] > probs[:, 0, 1]) and torch.allclose(out[:, 0, 1], torch.tensor(3 / 9))


def test_reference_insertion_without_ip_adapter_says_what_to_configure(text2img_dir, shared):
    from engines.neural.insertion import DiffusionInserter

    engine = DiffusionInserter(manager=shared, model=text2img_dir, device="cpu", steps=2)
    with pytest.raises(EngineError, match="ip_adapter"):
        engine.insert(scene(), (10, 10, 40, 40), InsertSpec(reference=scene(20, 20)))


@pytest.mark.skip(reason="needs IP-Adapter weights (h94/IP-Adapter); none can be downloaded here")
def test_reference_insertion_with_ip_adapter():  # pragma: no cover
    pass


# -- model manager -------------------------------------------------------------------------------
def test_manager_offloads_least_recently_used_to_fit_budget():
    from engines.neural.models import ModelManager, module_bytes

    a, b, c = torch.nn.Linear(10, 10), torch.nn.Linear(10, 10), torch.nn.Linear(10, 10)
    size = module_bytes([a])
    manager = ModelManager(budget_bytes=2 * size + 1)
    assert manager.get("m", "a", "cpu", "fp32", lambda: a) is a
    manager.get("m", "b", "cpu", "fp32", lambda: b)
    manager.get("m", "a", "cpu", "fp32", lambda: pytest.fail("reloaded"))  # a is now the most recent
    manager.get("m", "c", "cpu", "fp32", lambda: c)
    assert ("offload", ("m", "b", "cpu", "fp32")) in manager.events
    assert set(manager.resident()) == {("m", "a", "cpu", "fp32"), ("m", "c", "cpu", "fp32")}
    assert manager.resident_bytes() <= manager.budget_bytes
    # b comes back without a reload, pushing out the oldest (a).
    assert manager.get("m", "b", "cpu", "fp32", lambda: pytest.fail("reloaded")) is b
    assert ("offload", ("m", "a", "cpu", "fp32")) in manager.events
    assert manager.total_loads() == 3


def test_manager_release_policy_drops_and_reloads():
    from engines.neural.models import ModelManager, module_bytes

    size = module_bytes([torch.nn.Linear(8, 8)])
    manager = ModelManager(budget_bytes=size + 1, policy="release")
    manager.get("m", "a", "cpu", "fp32", lambda: torch.nn.Linear(8, 8))
    manager.get("m", "b", "cpu", "fp32", lambda: torch.nn.Linear(8, 8))
    assert manager.loaded() == [("m", "b", "cpu", "fp32")]
    manager.get("m", "a", "cpu", "fp32", lambda: torch.nn.Linear(8, 8))
    assert manager.load_count[("m", "a", "cpu", "fp32")] == 2
    with pytest.raises(EngineError):
        ModelManager(budget_bytes=0)


def test_text2img_and_inpaint_share_components(text2img_dir, manager):
    t2i = manager.pipeline("text2img", text2img_dir, "cpu", "fp32")
    inpaint = manager.pipeline("inpaint", text2img_dir, "cpu", "fp32")
    assert inpaint.unet is t2i.unet and inpaint.vae is t2i.vae
    assert type(inpaint).__name__ == "StableDiffusionInpaintPipeline"
    assert manager.total_loads() == 1 and ("from_pipe", ("inpaint", text2img_dir, "cpu", "torch.float32")) \
        in manager.events
    # Shared modules are counted once against the budget.
    from engines.neural.models import module_bytes, modules_of

    assert manager.resident_bytes() == module_bytes(modules_of(t2i))


def test_resolve_device_auto_is_cpu_fp32_without_cuda():
    from engines.neural.models import parse_bytes, resolve_device

    device, dtype = resolve_device("auto", "auto")
    if not torch.cuda.is_available():
        assert device.type == "cpu" and dtype == torch.float32
    assert resolve_device("cpu", "fp16")[1] == torch.float16
    with pytest.raises(EngineError):
        resolve_device("cpu", "fp7")
    assert parse_bytes("2GB") == 2 * 2**30 and parse_bytes("") is None and parse_bytes("1024") == 1024


# -- SAM 2 ---------------------------------------------------------------------------------------
def test_sam2_embedding_computed_once_per_cache_key(sam2_dir, shared):
    from engines.neural.sam2_segmenter import Sam2Segmenter

    image = scene()
    segmenter = Sam2Segmenter(manager=shared, model=sam2_dir, device="cpu", cache_size=2)
    masks = [segmenter.segment(image, box=(40, 30, 90, 70), cache_key="v1"),
             segmenter.segment(image, points=[(60, 50)], cache_key="v1"),
             segmenter.segment(image, box=(5, 5, 40, 40), points=[(20, 20)], cache_key="v1")]
    assert segmenter.set_image_calls == 1
    for mask in masks:
        assert mask.shape == (96, 128) and mask.dtype == bool
    segmenter.segment(image, box=(40, 30, 90, 70), cache_key="v2")
    assert segmenter.set_image_calls == 2
    # Back to v1: still cached; a deterministic decoder gives the same mask.
    assert np.array_equal(segmenter.segment(image, box=(40, 30, 90, 70), cache_key="v1"), masks[0])
    assert segmenter.set_image_calls == 2
    segmenter.segment(image, box=(1, 1, 9, 9), cache_key="v3")  # evicts v2 (LRU of 2)
    segmenter.segment(image, box=(1, 1, 9, 9), cache_key="v2")
    assert segmenter.set_image_calls == 4
    assert shared.total_loads("sam2") == 1
    with pytest.raises(EngineError):
        segmenter.segment(image)


# -- grounding -----------------------------------------------------------------------------------
@pytest.mark.parametrize("family", ["owlv2", "grounding-dino"])
def test_grounder_returns_well_formed_detections(family, tiny_root, shared):
    from engines.neural.grounding import NeuralGrounder, query_text

    build = build_tiny_owlv2 if family == "owlv2" else build_tiny_grounding_dino
    folder = tiny_root / family
    if not folder.exists():
        build(folder)
    image = scene(140, 160)
    grounder = NeuralGrounder(manager=shared, model=str(folder), device="cpu", threshold=0.0, max_detections=5)
    found = grounder.ground(image, "circle", ("red",), cache_key="img-1")
    assert 0 < len(found) <= 5
    for det in found:
        assert isinstance(det, Detection)
        x0, y0, x1, y1 = det.box
        assert 0 <= x0 < x1 <= 160 and 0 <= y0 < y1 <= 140
        assert det.mask.shape == (140, 160) and det.mask.dtype == bool
        assert det.mask.sum() == (x1 - x0) * (y1 - y0)
        assert 0.0 <= det.score <= 1.0 and det.label == "red circle" and det.noun == "circle" and det.color == "red"
    scores = [d.score for d in found]
    assert scores == sorted(scores, reverse=True)
    loads = shared.total_loads("detector")
    assert [d.box for d in grounder.ground(image, "circle", ("red",), cache_key="img-1")] == [d.box for d in found]
    assert shared.total_loads("detector") == loads
    assert query_text(None, ()) == "object" and query_text("car", ("red", "blue")) == "red and blue car"


def test_grounder_with_sam2_masks(sam2_dir, tiny_root, shared):
    from engines.neural.grounding import NeuralGrounder
    from engines.neural.sam2_segmenter import Sam2Segmenter

    folder = tiny_root / "owlv2"
    if not folder.exists():
        build_tiny_owlv2(folder)
    segmenter = Sam2Segmenter(manager=shared, model=sam2_dir, device="cpu")
    grounder = NeuralGrounder(manager=shared, segmenter=segmenter, model=str(folder), device="cpu",
                              threshold=0.0, max_detections=3)
    found = grounder.ground(scene(), "square", cache_key="img-2")
    assert found and segmenter.set_image_calls == 1  # three boxes, one embedding
    for det in found:
        x0, y0, x1, y1 = det.box
        assert not det.mask[:, :x0].any() and not det.mask[:y0].any() and det.mask.any()
        assert det.attributes["mask"] == "sam2"


def test_unknown_detector_folder_is_an_engine_error(tmp_path, shared):
    from engines.neural.grounding import NeuralGrounder

    with pytest.raises(EngineError, match="does not exist"):
        NeuralGrounder(manager=shared, model=str(tmp_path / "missing"), device="cpu").ground(scene(), "cat")


# -- CLIP ----------------------------------------------------------------------------------------
def test_clip_scores_shapes_and_ranges(tiny_root, manager):
    from engines.neural import ClipScorer

    folder = build_tiny_clip(tiny_root / "clip")
    scorer = ClipScorer(manager=manager, model=str(folder), device="cpu", batch_size=2)
    images = [scene(seed=i) for i in range(3)]
    texts = ["a red square", "a blue circle"]
    it = scorer.image_text(images, texts)
    ii = scorer.image_image(images, images[:2])
    assert it.shape == (3, 2) and ii.shape == (3, 2)
    assert np.all(np.abs(it) <= 1 + 1e-5) and np.all(np.abs(ii) <= 1 + 1e-5)
    assert np.allclose(np.diag(ii[:2]), 1.0, atol=1e-5)
    assert scorer.pairwise_image_text(images[:2], texts).shape == (2,)
    assert np.allclose(scorer.pairwise_image_text(images[:2], texts), np.diag(it[:2]), atol=1e-5)
    assert manager.total_loads("clip") == 1


# -- registry ------------------------------------------------------------------------------------
def test_registry_builds_neural_engines_lazily(inpaint_dir):
    from engines import registry

    assert {"neural", "neural-attention", "neural-diffusion"} <= set(registry.available("inpainter"))
    engine = registry.create("inpainter", "neural", model=inpaint_dir, device="cpu", steps=2)
    assert engine.name == "neural-attention"
    assert registry.create("inserter", "neural", model=inpaint_dir).name == "neural-diffusion"
