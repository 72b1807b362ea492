"""GPU smoke run of the neural engines on tiny random-weight models.

Run: ``python -m evals.gpu_smoke`` (add ``--device cpu`` to force the CPU; ``--out DIR`` keeps the
tiny models). On a CUDA machine it loads everything in fp16 on the GPU and checks the tensors really
live there; without CUDA it says so and runs on the CPU in fp32. Each engine runs once (inpainting,
attention removal, insertion, SAM 2, grounding, CLIP); timings are printed as one table and the
process exits non-zero on any failed check.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(rows: list[tuple[str, float, str]], label: str, fn: Callable[[], str]) -> None:
    started = time.perf_counter()
    note = fn()
    rows.append((label, time.perf_counter() - started, note))
    print(f"  {label:<24} {rows[-1][1]:7.2f} s  {note}", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="auto", help="auto | cuda | cpu")
    parser.add_argument("--out", default=None, help="folder for the tiny models (default: a temp folder)")
    parser.add_argument("--steps", type=int, default=4)
    args = parser.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    import torch

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    from tests import neural_models as tiny

    if not torch.cuda.is_available():
        # Only this machine's CPU-only torch with a CUDA torchvision needs the shim.
        tiny.install_torchvision_cpu_shim()
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cpu":
        print("no CUDA device: running on the CPU in fp32 (timings are not GPU timings)")
    else:
        print(f"CUDA: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    dtype = "fp16" if device.startswith("cuda") else "fp32"
    expected_dtype = torch.float16 if dtype == "fp16" else torch.float32

    import numpy as np

    from engines.base import InsertSpec
    from engines.neural.clip_scorer import ClipScorer
    from engines.neural.grounding import NeuralGrounder
    from engines.neural.inpainting import DiffusionInpainter
    from engines.neural.insertion import DiffusionInserter
    from engines.neural.models import ModelManager
    from engines.neural.removal import AttentionRemovalInpainter
    from engines.neural.sam2_segmenter import Sam2Segmenter

    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            failures.append(what)
            print(f"  FAILED: {what}", flush=True)

    folder = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="retouch-tiny-"))
    rows: list[tuple[str, float, str]] = []
    print(f"building tiny models in {folder}")
    models: dict[str, Path] = {}

    def build() -> str:
        models.update(tiny.build_all(folder, grounding_dino=True))
        return ", ".join(models)

    _timed(rows, "build tiny models", build)
    manager = ModelManager()
    rng = np.random.default_rng(0)
    image = np.full((512, 640, 3), (70, 140, 200), np.uint8)
    image[200:320, 260:400] = (220, 40, 40)
    image = np.clip(image + rng.integers(-6, 6, image.shape), 0, 255).astype(np.uint8)
    mask = np.zeros(image.shape[:2], bool)
    mask[190:330, 250:410] = True
    common: dict[str, Any] = dict(manager=manager, device=device, dtype=dtype, steps=args.steps)

    inpainter = DiffusionInpainter(model=str(models["inpaint"]), **common)

    def inpaint() -> str:
        out = inpainter.inpaint(image, mask, prompt="empty background", seed=1)
        pipe = inpainter.pipeline()
        check(pipe.unet.dtype == expected_dtype, f"inpaint UNet dtype {pipe.unet.dtype}")
        check(pipe.unet.device.type == torch.device(device).type, f"inpaint UNet on {pipe.unet.device}")
        check(bool(np.array_equal(out[~mask], image[~mask])), "inpaint changed pixels outside the mask")
        return f"model saw {inpainter.last_result.model_size}, seed {inpainter.last_seed}"

    _timed(rows, "inpaint (load + run)", inpaint)
    _timed(rows, "inpaint (warm)", lambda: (inpainter.inpaint(image, mask, seed=2), "")[1])

    remover = AttentionRemovalInpainter(model=str(models["inpaint"]), **common)

    def remove() -> str:
        out = remover.inpaint(image, mask, seed=1)
        check(remover.last_processor_calls > 0, "masked self-attention processor never ran")
        check(bool(np.array_equal(out[~mask], image[~mask])), "removal changed pixels outside the mask")
        check(manager.total_loads("inpaint") == 1, "the inpainting pipeline loaded twice")
        return f"{remover.last_processor_calls} masked attention calls"

    _timed(rows, "attention removal", remove)

    inserter = DiffusionInserter(model=str(models["text2img"]), **{**common, "steps": max(5, args.steps)})

    def insert() -> str:
        box = (280, 100, 380, 180)
        out, obj = inserter.insert(image, box, InsertSpec(noun="circle", color="yellow"), seed=3)
        r = inserter.last_result
        check(bool(np.array_equal(out[~obj], image[~obj])), "insertion changed pixels outside the box")
        check(len(r.callback_steps) == r.steps, "step callback not called once per step")
        return f"enhanced steps {r.enhanced_steps}, blended steps {r.blended_steps}"

    _timed(rows, "insertion (load + run)", insert)

    segmenter = Sam2Segmenter(manager=manager, model=str(models["sam2"]), device=device)

    def sam2() -> str:
        a = segmenter.segment(image, box=(260, 200, 400, 320), cache_key="v1")
        segmenter.segment(image, points=[(330, 260)], cache_key="v1")
        predictor = segmenter.predictor()
        check(next(predictor.model.parameters()).device.type == torch.device(device).type, "SAM 2 not on device")
        check(segmenter.set_image_calls == 1, "SAM 2 recomputed the embedding")
        check(a.shape == image.shape[:2] and a.dtype == bool, "SAM 2 mask malformed")
        return f"{segmenter.set_image_calls} embedding for 2 prompts"

    _timed(rows, "SAM 2 (load + 2 prompts)", sam2)

    for name in ("owlv2", "grounding_dino"):
        grounder = NeuralGrounder(manager=manager, model=str(models[name]), device=device, threshold=0.0,
                                  max_detections=5)
        _timed(rows, f"grounding ({name})",
               lambda g=grounder: f"{len(g.ground(image, 'square', ('red',), cache_key='v1'))} detections")

    scorer = ClipScorer(manager=manager, model=str(models["clip"]), device=device, dtype=dtype)

    def clip() -> str:
        scores = scorer.image_text([image, image[::-1]], ["a red square", "a blue circle"])
        check(scores.shape == (2, 2) and bool(np.all(np.abs(scores) <= 1.0001)), "CLIP scores malformed")
        return f"scores {np.round(scores, 3).tolist()}"

    _timed(rows, "CLIP image-text", clip)
    if device.startswith("cuda"):
        print(f"peak GPU memory: {torch.cuda.max_memory_allocated() / 2**20:.1f} MiB")
    print(f"total {sum(r[1] for r in rows):.2f} s; {len(failures)} failed checks")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
