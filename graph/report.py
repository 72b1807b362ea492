"""A self-contained HTML trace of a session: each turn's message, intent, plan, attempts with
scores, and before/after images (embedded, so the file can be mailed or archived as it is)."""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path

from jinja2 import Environment, select_autoescape
from PIL import Image

from state import SessionStore
from state.models import Session

TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Retouch session {{ session.meta.id[:8] }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d232a;background:#fafafa}
h1{font-size:1.4rem} .turn{background:#fff;border:1px solid #dde2e8;border-radius:10px;padding:1rem 1.2rem;margin:1rem 0}
.msg{font-size:1.05rem;font-weight:600} .reply{color:#3b4a5a;margin:.3rem 0 .6rem}
.imgs{display:flex;gap:.8rem;flex-wrap:wrap;align-items:flex-start} figure{margin:0} figcaption{font-size:12px;color:#5b6b7b}
img{max-width:320px;max-height:320px;border:1px solid #ccd;border-radius:6px;background:#eee}
.pass{color:#15803d;font-weight:600} .fail{color:#b91c1c;font-weight:600}
table{border-collapse:collapse;margin:.4rem 0} td,th{border:1px solid #e3e7ec;padding:.2rem .5rem;font-size:12.5px;text-align:left}
details{margin:.3rem 0} pre{background:#f3f5f7;padding:.5rem;border-radius:6px;overflow:auto;font-size:12px;max-height:300px}
</style></head><body>
<h1>Retouch session <code>{{ session.meta.id }}</code></h1>
<p>{{ turns|length }} turn(s). Engines: {{ engines }}.</p>
{% for t in turns %}
<div class="turn" id="turn-{{ t.index }}">
  <div class="msg">Turn {{ t.index }} · {{ t.kind }} · “{{ t.message }}”</div>
  <div class="reply">{{ t.reply }}</div>
  <div class="imgs">
    {% if t.before %}<figure><img alt="before turn {{ t.index }}" src="{{ t.before }}"><figcaption>before</figcaption></figure>{% endif %}
    {% for a in t.attempts %}<figure><img alt="attempt {{ a.round }}" src="{{ a.image }}"><figcaption>attempt {{ a.round }}:
      <span class="{{ 'pass' if a.passed else 'fail' }}">{{ '%.2f'|format(a.score) }}</span></figcaption></figure>{% endfor %}
    {% if not t.attempts and t.after %}<figure><img alt="after turn {{ t.index }}" src="{{ t.after }}"><figcaption>after</figcaption></figure>{% endif %}
  </div>
  {% for a in t.attempts %}
  <details {% if loop.last %}open{% endif %}><summary>Attempt {{ a.round }} — score {{ '%.2f'|format(a.score) }}{% if a.notes %} — {{ a.notes }}{% endif %}</summary>
    <table><tr><th>operation</th><th>ok</th><th>score</th><th>why</th></tr>
    {% for v in a.ops %}<tr><td>{{ v.op_id }} {{ v.kind }}</td><td>{{ '✓' if v.ok else '✗' }}</td><td>{{ '%.2f'|format(v.score) }}</td><td>{{ v.reason }}</td></tr>{% endfor %}
    {% for v in a.constraints %}<tr><td>constraint {{ v.constraint_id }}</td><td>{{ '✓' if v.holds else '✗' }}</td><td>{{ '%.2f'|format(v.score) }}</td><td>{{ v.description }}: {{ v.reason }}</td></tr>{% endfor %}
    </table>{% if a.preservation %}<div>Outside the edit: {{ a.preservation }}</div>{% endif %}
    {% if a.feedback %}<div>Feedback: {{ a.feedback }}</div>{% endif %}
  </details>{% endfor %}
  {% if t.intent %}<details><summary>Intent and plan</summary><pre>{{ t.intent }}</pre><pre>{{ t.plan }}</pre></details>{% endif %}
  <details><summary>Trace</summary><pre>{{ t.trace }}</pre></details>
</div>
{% endfor %}
</body></html>"""


def data_url(image: Image.Image, max_side: int = 512) -> str:
    image = image.copy()
    image.thumbnail((max_side, max_side))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=1)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def render_session(store: SessionStore, session_id: str, engines: str = "") -> str:
    session: Session = store.export(session_id)
    images = store.images

    def url(ref: str | None) -> str | None:
        return data_url(images.get_image(ref)) if ref else None

    turns = []
    for turn in session.turns:
        base = session.versions.get(turn.base_version) if turn.base_version else None
        after = session.versions.get(turn.version_id) if turn.version_id else None
        attempts = []
        for attempt in turn.trace.attempts:
            critique = attempt.critique
            attempts.append({
                "round": attempt.round, "image": url(attempt.image_ref), "score": critique.score if critique else 0,
                "passed": critique.passed if critique else False, "notes": "; ".join(attempt.plan.notes),
                "ops": critique.operations if critique else [], "constraints": critique.constraints if critique else [],
                "preservation": critique.preservation if critique else {}, "feedback": critique.feedback if critique else "",
            })
        turns.append({
            "index": turn.index, "kind": turn.kind.value, "message": turn.message, "reply": turn.reply,
            "before": url(base.image_ref) if base else None, "after": url(after.image_ref) if after else None,
            "attempts": attempts,
            "intent": json.dumps(turn.intent.model_dump(mode="json"), indent=1) if turn.intent else "",
            "plan": json.dumps(turn.plan.model_dump(mode="json"), indent=1) if turn.plan else "",
            "trace": "\n".join(f"{e.stage:10s} {e.ms:8.1f} ms  {html.unescape(e.message)}" + _model_calls(e.data)
                               for e in turn.trace.events),
        })
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(TEMPLATE).render(session=session, turns=turns, engines=engines)


def _model_calls(data: dict) -> str:
    """One line per model request of a trace step: model, purpose, form, tokens, latency, outcome."""
    lines = []
    for call in data.get("llm_calls") or []:
        tokens = f"{call.get('prompt_tokens')}+{call.get('completion_tokens')} tokens"
        outcome = "ok" if call.get("ok") else f"rejected: {call.get('error', '')}"
        lines.append(f"\n{'':10s} {call.get('latency_ms', 0):8.1f} ms    model {call.get('model')} "
                     f"{call.get('purpose')} #{call.get('attempt', 1)} ({call.get('mode')}), {tokens}, {outcome}")
    return "".join(lines)


def write_session_report(store: SessionStore, session_id: str, path: str | Path, engines: str = "") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_session(store, session_id, engines), encoding="utf-8")
    return path
