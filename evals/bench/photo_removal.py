"""Photo removal at 1024²: the fill, the removal check, a whole turn, and each photo detector.

A red star is pasted onto scikit-image photos resized to 1024² (where the photo's texture around
it is even: evals.photo's case builder) and removed three ways: the classical fill alone
(``ClassicalInpainter.inpaint`` with ``auto``), the fill plus the removal check the critic runs,
and a whole turn through the public API ("remove the red star": grounding, fill, critique and any
retries, on the embedded defaults). Each photo detector the grounder runs on a photo is timed on
the same images (warm: models load once, before timing).

Run: ``python -m evals.bench.photo_removal [--repeat 3] [--photos coffee astronaut ...]``
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable

import numpy as np

from agents.operations.remove import check_removal
from engines.classical import ClassicalGrounder
from engines.classical.inpainting import ClassicalInpainter
from engines.classical.photo import (
    detect_bodies,
    detect_cats,
    detect_eyes,
    detect_faces,
    detect_text,
    ocr_available,
    salient_subject,
)
from evals.photo.cases import build_case
from state.models import EditOperation, OpKind

from .common import Figure, Table, timed

SIDE = 1024
STAR = 140  # px: the pasted star's side (about 1.4 % of the image)
PHOTOS = ("coffee", "astronaut", "chelsea", "brick")
TARGET_MS = 1000.0


def _turn(image: np.ndarray) -> Callable[[], object]:
    from graph import Editor

    def run() -> object:
        with Editor(store="memory://") as editor:
            return editor.session().send("remove the red star", image=image)
    return run


def detectors(image: np.ndarray) -> dict[str, Callable[[], object]]:
    faces = detect_faces(image)
    found: dict[str, Callable[[], object]] = {
        "faces (Haar + LBP + profile)": lambda: detect_faces(image),
        "cat faces": lambda: detect_cats(image),
        "bodies (upper + full)": lambda: detect_bodies(image),
        "salient subject (GrabCut)": lambda: salient_subject(image),
        "all entities (grounder)": lambda: ClassicalGrounder().entities(image, text=ocr_available()),
    }
    if faces:  # eyes are looked for inside faces only
        found["eyes (in the faces found)"] = lambda: detect_eyes(image, faces)
    if ocr_available():
        found["text (RapidOCR)"] = lambda: detect_text(image)
    return found


def run(repeat: int = 3, photos: tuple[str, ...] = PHOTOS) -> Table:
    table = Table()
    op = EditOperation(id="op1", kind=OpKind.REMOVE)
    times: dict[str, list[float]] = {}
    outcomes: list[bool] = []
    for name in photos:
        case = build_case(name, "shape", STAR, index=0, side=SIDE)  # index 0: a red star
        if case is None:
            print(f"{name}: no even spot for the star, skipped")
            continue
        inpainter = ClassicalInpainter()
        filled = inpainter.inpaint(case.image, case.hole, seed=0)
        steps = {
            "fill": lambda c=case, i=inpainter: i.inpaint(c.image, c.hole, seed=0),
            "fill + removal check": lambda c=case, f=filled, i=inpainter: (
                i.inpaint(c.image, c.hole, seed=0), check_removal(op, c.image, f, c.object_mask, [], c.hole)),
            "turn (remove the red star)": _turn(case.image),
        }
        steps.update(detectors(case.image))
        for step, call in steps.items():
            outcome = call()  # warm: cascades and OCR models load once
            if step.startswith("turn"):
                outcomes.append(bool(getattr(outcome, "passed", False)))
            seconds = timed(call, repeat)
            times.setdefault(step, []).extend(seconds)
            print(f"{name:10} {step:30} {statistics.median(seconds) * 1000:8.1f} ms"
                  + (f"  ({inpainter.last_method})" if step == "fill" else ""), flush=True)
    for step, seconds in times.items():
        target = TARGET_MS if step in ("fill + removal check", "turn (remove the red star)") else None
        note = f"{len(seconds)} runs over {len(seconds) // repeat} photos"
        if step.startswith("turn") and outcomes:
            note += f"; passed the critic on {sum(outcomes)}/{len(outcomes)} photos"
        table.add(Figure("photo_removal", f"{step} {SIDE}² median", statistics.median(seconds) * 1000, target,
                         " ms", note=note))
    return table


def main(argv: list[str] | None = None) -> Table:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--photos", nargs="*", default=list(PHOTOS))
    args = parser.parse_args(argv)
    table = run(args.repeat, tuple(args.photos))
    print(table.render())
    return table


if __name__ == "__main__":
    main()
