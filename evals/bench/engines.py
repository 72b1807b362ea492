"""Classical engine latency per operation at 1024² and 4096², and how it grows with pixels.

Each operation runs on the benchmark scene (the red circle covers about 10% of the image):
removal of the circle (inpainting its slightly grown mask), recolour of the circle, and three
filters over the whole image. The figures are the median time at 1024² against the targets
(removal < 150 ms, recolour and filters < 40 ms) and the growth exponent: (time ratio) /
(pixel ratio) between 1024² and 4096²; 1.0 is linear, below 1 better than linear.

Run: ``python -m evals.bench.engines [--repeat 5]``
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np

from agents.regions import dilate
from engines.classical.filters import ClassicalFilter
from engines.classical.inpainting import ClassicalInpainter
from engines.classical.insertion import draw_shape
from engines.classical.recolor import ClassicalRecolorer

from .common import SHAPES, Figure, Table, scene, timed

TARGET_MS = {"remove": 150.0, "recolor": 40.0, "filter blur": 40.0, "filter brighten": 40.0,
             "filter grayscale": 40.0}


def circle_mask(side: int) -> np.ndarray:
    """The red circle's mask, as the scene draws it."""
    noun, _, cx, cy, size = SHAPES[0]
    half = size * side / 2
    box = (int(cx * side - half), int(cy * side - half), int(cx * side + half), int(cy * side + half))
    _, mask = draw_shape(np.zeros((side, side, 3), np.uint8), noun, box, (255, 0, 0))
    return mask


def operations(side: int):
    image = scene(side)
    mask = circle_mask(side)
    hole = dilate(mask, 3)
    inpainter, recolorer, filters = ClassicalInpainter(), ClassicalRecolorer(), ClassicalFilter()
    return {
        "remove": lambda: inpainter.inpaint(image, hole),
        "recolor": lambda: recolorer.recolor(image, mask, (40, 90, 220)),
        "filter blur": lambda: filters.apply(image, "blur"),
        "filter brighten": lambda: filters.apply(image, "brighten"),
        "filter grayscale": lambda: filters.apply(image, "grayscale"),
    }, float(mask.mean())


def run(repeat: int, sides: tuple[int, int] = (1024, 4096)) -> Table:
    table = Table()
    medians: dict[int, dict[str, float]] = {}
    for side in sides:
        ops, share = operations(side)
        medians[side] = {}
        for name, op in ops.items():
            op()  # warm
            medians[side][name] = statistics.median(timed(op, repeat)) * 1000
            print(f"{side:>5}² {name:18} {medians[side][name]:8.1f} ms (object {share:.0%} of the image)", flush=True)
    small, large = sides
    pixel_ratio = (large / small) ** 2
    for name in medians[small]:
        table.add(Figure("engines", f"{name} {small}² median", medians[small][name], TARGET_MS[name], " ms"))
        table.add(Figure("engines", f"{name} {large}² median", medians[large][name], None, " ms"))
        growth = (medians[large][name] / medians[small][name]) / pixel_ratio
        table.add(Figure("engines", f"{name}: time ratio / pixel ratio", growth, 1.0,
                         note=f"×{medians[large][name] / medians[small][name]:.1f} time for ×{pixel_ratio:.0f} pixels"))
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    table = run(args.repeat)
    print(table.render())
    return table


if __name__ == "__main__":
    main()
