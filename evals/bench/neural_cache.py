"""Neural caching: a second SAM 2 prompt on the same image version, and a second diffusion turn.

Tiny random-weight models from :mod:`tests.neural_models` (no downloads), on the GPU when there is
one, else the CPU. Figures: first SAM 2 prompt (image encoder + decoder) over the second prompt on
the same ``cache_key`` (decoder only; target at least 10×), and the ModelManager's load count for the
inpainting pipeline after two diffusion turns (target 1: the second turn reloads nothing), with the
first and second turn times for reference.

Run: ``python -m evals.bench.neural_cache``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from .common import Figure, Table, scene


def run(side: int = 256) -> Table:
    from tests.neural_models import build_tiny_sam2, build_tiny_sd_inpaint, install_torchvision_cpu_shim

    install_torchvision_cpu_shim()
    import torch

    from engines.neural.inpainting import DiffusionInpainter
    from engines.neural.models import ModelManager
    from engines.neural.sam2_segmenter import Sam2Segmenter

    device = "cuda" if torch.cuda.is_available() else "cpu"
    table = Table()
    image = scene(side)
    box = (int(0.12 * side), int(0.17 * side), int(0.48 * side), int(0.53 * side))
    with tempfile.TemporaryDirectory(prefix="retouch-neural-") as root:
        manager = ModelManager()
        segmenter = Sam2Segmenter(manager=manager, model=str(build_tiny_sam2(Path(root) / "sam2")), device=device)
        segmenter.segment(image, box=box, cache_key="warm")  # loads the model (not timed)
        started = time.perf_counter()
        segmenter.segment(image, box=box, cache_key="v1")
        first = time.perf_counter() - started
        seconds = []
        for _ in range(5):
            started = time.perf_counter()
            segmenter.segment(image, box=(box[0] + 4, box[1], box[2], box[3]), cache_key="v1")
            seconds.append(time.perf_counter() - started)
        second = min(seconds)
        print(f"SAM 2 ({device}): first prompt {first * 1000:.1f} ms, second on the same version "
              f"{second * 1000:.1f} ms", flush=True)
        table.add(Figure("neural_cache", f"SAM 2 first / second prompt ({device})", first / second, 10.0,
                         lower_is_better=False, note=f"{first * 1000:.0f} ms vs {second * 1000:.1f} ms"))

        inpainter = DiffusionInpainter(manager=manager, model=str(build_tiny_sd_inpaint(Path(root) / "sd")),
                                       device=device, steps=2)
        small = scene(64)
        hole = np.zeros(small.shape[:2], bool)
        hole[10:30, 10:30] = True
        times = []
        for _ in range(2):
            started = time.perf_counter()
            inpainter.inpaint(small, hole, prompt="background", seed=0)
            times.append(time.perf_counter() - started)
        loads = manager.total_loads("inpaint")
        print(f"diffusion ({device}): first turn {times[0] * 1000:.0f} ms, second {times[1] * 1000:.0f} ms, "
              f"inpaint pipeline loads {loads}", flush=True)
        table.add(Figure("neural_cache", "inpaint pipeline loads after 2 diffusion turns", loads, 1,
                         note=f"first {times[0] * 1000:.0f} ms, second {times[1] * 1000:.0f} ms"))
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=256)
    args = parser.parse_args(argv)
    table = run(args.side)
    print(table.render())
    return table


if __name__ == "__main__":
    main()
