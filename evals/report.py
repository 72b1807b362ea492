"""A self-contained HTML report per run (tables, plots, image strips) plus a JSON of all figures.

Images and plots are embedded as base64, so the one file can be mailed or attached to CI.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from .harness import load_records
from .records import DialogueRecord
from .summary import fmt, headline, summarize

REPORT = "report.html"
FIGURES = "figures.json"
THUMB = 160


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def _thumb(path: str | None) -> str:
    if not path or not Path(path).exists():
        return ""
    image = Image.open(path).convert("RGB")
    image.thumbnail((THUMB, THUMB))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return _data_uri(buffer.getvalue(), "image/jpeg")


def _figure_png(draw) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.2), dpi=100)
    draw(ax)
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return _data_uri(buffer.getvalue(), "image/png")


def _drift_plot(summary: dict[str, Any]) -> str:
    def draw(ax) -> None:
        drift = summary["drift_by_turn"]
        ax.plot([int(k) for k in drift], list(drift.values()), marker="o", label="constraint drift")
        sr = {int(k): v for k, v in summary["sr_at_k"].items() if v is not None}
        ax.plot(list(sr), list(sr.values()), marker="s", label="SR@k")
        cr = {int(k): v for k, v in summary["cr_at_k"].items() if v is not None}
        ax.plot(list(cr), list(cr.values()), marker="^", label="CR@k")
        ax.set_xlabel("turn")
        ax.set_ylim(-0.02, 1.02)
        ax.legend(fontsize=8)
        ax.set_title("drift, success and collapse by turn")
    return _figure_png(draw)


def _calibration_plot(summary: dict[str, Any]) -> str:
    def draw(ax) -> None:
        points = summary["calibration_points"]
        ok = [s for s, good in points if good]
        bad = [s for s, good in points if not good]
        bins = [i / 20 for i in range(21)]
        ax.hist([ok, bad], bins=bins, stacked=True, label=["truly right", "truly wrong"], color=["#3a3", "#c33"])
        ax.axvline(0.85, color="k", linestyle="--", linewidth=1, label="threshold")
        ax.set_xlabel("critic score")
        ax.set_ylabel("turns")
        ax.legend(fontsize=8)
        ax.set_title("critic calibration")
    return _figure_png(draw)


def _table(rows: Sequence[Sequence[str]], header: Sequence[str]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _strip(record: DialogueRecord) -> str:
    cells = [f'<figure><img class="strip-img" alt="input" src="{_thumb(record.input_image)}">'
             f"<figcaption>input ({html.escape(record.dialogue.scene.background.kind)})</figcaption></figure>"]
    for t in record.turns:
        mark = "✔" if t.success else "✘"
        status = "ok" if t.success else "bad"
        detail = html.escape(t.error or t.reply)
        cells.append(
            f'<figure class="{status}"><img class="strip-img" alt="turn {t.index}" src="{_thumb(t.output_image)}">'
            f'<img class="strip-img gt" alt="target {t.index}" src="{_thumb(t.target_image)}">'
            f"<figcaption><b>{mark} {t.index}. {html.escape(t.message)}</b><br><i>{detail}</i><br>"
            f"op {t.op} · F1 {t.f1:.2f}" + (f" · missing {len(t.missing)} · extra {len(t.extra)}"
                                             if not t.success else "") + "</figcaption></figure>")
    return (f'<section class="dialogue"><h3>{html.escape(record.id)}</h3>'
            f'<div class="strip">{"".join(cells)}</div></section>')


_CSS = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222} table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:3px 8px;text-align:right} th{background:#f3f3f3}
.strip{display:flex;gap:8px;overflow-x:auto} figure{margin:0;width:170px;font-size:11px}
figure.bad{background:#fee} figure.ok{background:#efe} img.gt{opacity:.8;border-top:2px dashed #999}
.plots img{margin-right:1em} .pos{color:#080} .neg{color:#c00}
"""


# Records on <body> how many images decoded, so a headless browser can check the page.
_LOAD_CHECK = ("<script>window.addEventListener('load',()=>{const all=[...document.images];"
               "const ok=all.filter(i=>i.complete&&i.naturalWidth>0);"
               "document.body.dataset.imagesLoaded=ok.length+'/'+all.length;});</script>")


def render_report(records: Sequence[DialogueRecord], title: str, max_dialogues: int = 200) -> tuple[str, dict]:
    """The HTML page and the figures it shows."""
    summary = summarize(records)
    rows = [(html.escape(label), fmt(value)) for label, value in headline(summary)]
    ops = [(html.escape(op), str(v["n"]), fmt(v["success"])) for op, v in summary["by_op"].items()]
    tags = [(html.escape(tag), str(v["n"]), fmt(v["success"])) for tag, v in summary["by_tag"].items()]
    bgs = [(html.escape(k), str(v["n"]), fmt(v["success"])) for k, v in summary["by_background"].items()]
    critic = [(html.escape(k), fmt(v) if isinstance(v, float) or v is None else str(v))
              for k, v in summary["critic"].items()]
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
        "<h2>Summary</h2>", _table(rows, ["figure", "value"]),
        "<h2>Per operation</h2>", _table(ops, ["operation", "turns", "success"]),
        "<h2>Per reference / trap</h2>", _table(tags, ["tag", "turns", "success"]),
        "<h2>Per background</h2>", _table(bgs, ["background", "turns", "success"]),
        "<h2>Critic</h2>", _table(critic, ["figure", "value"]),
        f"<div class='plots'><img id='drift-plot' alt='drift' src='{_drift_plot(summary)}'>"
        f"<img id='calibration-plot' alt='calibration' src='{_calibration_plot(summary)}'></div>",
        "<h2>Dialogues</h2><p>Top row of each turn: the output; below it: the ground truth.</p>",
        *(_strip(r) for r in records[:max_dialogues]),
        _LOAD_CHECK, "</body></html>",
    ]
    return "".join(parts), summary


def write_report(run_dir: Path, title: str | None = None) -> Path:
    """Writes ``report.html`` and ``figures.json`` into the run folder; returns the HTML path."""
    run_dir = Path(run_dir)
    records = load_records(run_dir)
    page, summary = render_report(records, title or f"Retouch evaluation: {run_dir.name}")
    (run_dir / REPORT).write_text(page, encoding="utf-8")
    (run_dir / FIGURES).write_text(json.dumps(summary, indent=2, default=str))
    return run_dir / REPORT


def compare(a: Path, b: Path) -> list[tuple[str, float | None, float | None, float | None]]:
    """(figure, A, B, B − A) for every headline figure and every operation's success."""
    sa, sb = summarize(load_records(Path(a))), summarize(load_records(Path(b)))
    rows = []
    for (label, va), (_, vb) in zip(headline(sa), headline(sb), strict=True):
        rows.append((label, va, vb, None if va is None or vb is None else vb - va))
    for op in sorted(set(sa["by_op"]) | set(sb["by_op"])):
        va = sa["by_op"].get(op, {}).get("success")
        vb = sb["by_op"].get(op, {}).get("success")
        rows.append((f"{op} success", va, vb, None if va is None or vb is None else vb - va))
    return rows


LOWER_IS_BETTER = ("drift", "CR@", "ms/turn", "rounds/turn")


def delta_class(label: str, delta: float | None, eps: float = 1e-9) -> str:
    """"pos" when B is better than A, "neg" when worse, "" when equal or unknown."""
    if delta is None or abs(delta) < eps:
        return ""
    better = delta < 0 if any(label.startswith(p) or p in label for p in LOWER_IS_BETTER) else delta > 0
    return "pos" if better else "neg"


def compare_html(a: Path, b: Path, out: Path) -> Path:
    rows = [(html.escape(label), fmt(va), fmt(vb), f"<span class='{delta_class(label, d)}'>{fmt(d)}</span>")
            for label, va, vb, d in compare(a, b)]
    page = (f"<!doctype html><html><head><meta charset='utf-8'><style>{_CSS}</style></head><body>"
            f"<h1>{html.escape(str(a))} → {html.escape(str(b))}</h1>"
            + _table(rows, ["figure", "A", "B", "Δ"]) + "</body></html>")
    out.write_text(page, encoding="utf-8")
    return out
