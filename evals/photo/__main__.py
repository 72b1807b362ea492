"""Run the photo removal benchmark, print its figures and write the HTML report.

Run: ``python -m evals.photo [--out DIR] [--backgrounds brick grass ...] [--kinds shape crop text]``
"""

from __future__ import annotations

import argparse
from pathlib import Path

from .cases import BACKGROUNDS, OBJECTS, SIZES, build_cases
from .report import LABELS, fmt, strip, write
from .run import CaseResult, run_case, summarize


def main(argv: list[str] | None = None) -> tuple[dict, list[CaseResult], Path]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("eval-runs/photo"))
    parser.add_argument("--backgrounds", nargs="*", default=list(BACKGROUNDS), choices=BACKGROUNDS)
    parser.add_argument("--kinds", nargs="*", default=list(OBJECTS), choices=OBJECTS)
    parser.add_argument("--sizes", nargs="*", type=int, default=list(SIZES))
    args = parser.parse_args(argv)
    cases = build_cases(tuple(args.backgrounds), tuple(args.kinds), tuple(args.sizes))
    results, strips = [], []
    print(f"{'case':22s} {'fill':10s} {'tex ours':>8s} {'Telea':>6s} {'PSNR ours':>9s} {'Telea':>6s} "
          f"{'SSIM ours':>9s} {'Telea':>6s} {'truth':>5s} {'critic':>6s}")
    for case in cases:
        result, ours, telea = run_case(case)
        results.append(result)
        strips.append(strip(case, result, ours, telea))
        print(f"{case.id:22s} {result.method:10s} {result.ours.texture:8.2f} {result.telea.texture:6.2f} "
              f"{result.ours.psnr:9.1f} {result.telea.psnr:6.1f} {result.ours.ssim:9.2f} {result.telea.ssim:6.2f} "
              f"{'good' if result.good else 'bad':>5s} {'pass' if result.ours.critic_pass else 'fail':>6s}")
    summary = summarize(results)
    path = write(args.out, summary, results, strips)
    print()
    for key, value in summary.items():
        print(f"{LABELS.get(key, key):48s} {fmt(value)}")
    print(f"\nreport: {path}")
    return summary, results, path


if __name__ == "__main__":
    main()
