"""The critic on a vision-language model, combined with the measured critic.

A VLM sees what measurements miss (a smudge that is technically the background colour, a fill
that looks wrong), and measurements catch what a VLM glosses over (a constraint on a small object,
a 3 px residue). By default the final score is the lower of the two, so either can send the plan
back; ``combine`` picks "vlm" or "measured" alone, or their "mean". A server whose model cannot take
images (a text model behind llama.cpp) is told the measurements instead, once it has refused.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from agents.critic import CritiqueRequest
from agents.errors import BackendUnavailable
from prompts import load_prompt
from state.models import ConstraintVerdict, Critique, FeedbackHint

from .client import CallLog, LLMClient
from .context import constraints_text
from .formats import refuses_images
from .media import MAX_SIDE, image_part
from .wire import Wire, WireHint, to_hint

Combine = Literal["vlm", "measured", "min", "mean"]
_HIDDEN_PARAMS = ("rgb", "box", "tactics", "chosen_region")


class WireConstraintVerdict(Wire):
    constraint_id: str
    holds: bool
    reason: str = ""


class LLMCritique(Wire):
    """The critic model's answer."""

    observations: str = Field(default="", description="what changed between the two images")
    score: float = Field(ge=0.0, le=1.0, description="1 = exactly as asked and nothing else changed")
    constraints: list[WireConstraintVerdict] = Field(default_factory=list)
    hints: list[WireHint] = Field(default_factory=list)
    feedback: str = Field(default="", description="what is wrong, for the planner; empty when all is well")


class VLMCritic(CallLog):
    """Critique by a vision model looking at before/after, merged with a measured critique."""

    name = "vlm"

    def __init__(self, llm: LLMClient, measured=None, *, combine: Combine = "min", max_side: int = MAX_SIDE) -> None:
        super().__init__()
        if combine not in ("vlm", "measured", "min", "mean"):
            raise ValueError(f"combine must be vlm, measured, min or mean, not {combine!r}")
        if combine != "vlm" and measured is None:
            raise ValueError(f"combine={combine!r} needs the measured critic (measured=OfflineCritic(...))")
        self.llm = llm
        self.measured = measured
        self.combine = combine
        self.max_side = max_side
        self.sees_images: bool | None = None
        """None until the first critique; False when the server refused image parts (a text model)."""

    def critique(self, request: CritiqueRequest) -> Critique:
        records = self._begin()
        measured = self.measured.critique(request) if self.combine != "vlm" else None
        if self.combine == "measured":
            assert measured is not None
            return measured
        live = [c for c in request.constraints if c.live]
        op_ids = {op.id for op in request.plan.operations}
        system = load_prompt("critic", message=request.intent_text or "(not given)",
                             operations=_operations_text(request), constraints=constraints_text(live))
        wanted = {c.id for c in live}

        def ask(content: Any) -> LLMCritique:
            return self.llm.structured(
                [{"role": "system", "content": system}, {"role": "user", "content": content}], LLMCritique,
                convert=lambda wire: _checked(wire, wanted, op_ids), vision=True, purpose="critique",
                records=records)

        if self.sees_images is not False:
            try:
                vlm = ask([
                    {"type": "text", "text": "Image 1, before the edit:"}, image_part(request.before, self.max_side),
                    {"type": "text", "text": "Image 2, after the edit:"}, image_part(request.after, self.max_side),
                    {"type": "text", "text": "Judge the edit."},
                ])
                self.sees_images = True
                return self._merge(vlm, measured, request)
            except BackendUnavailable as error:
                cause = error.__cause__  # an HTTP answer about the images, not an outage
                status = getattr(cause, "status_code", None)
                if self.sees_images or status is None or not refuses_images(status, str(cause)):
                    raise
                self.sees_images = False  # a text-only model: remembered, said in every critique
        vlm = ask(_measurements_text(measured))
        vlm.feedback = f"(the critic model cannot see images; judged from the measurements) {vlm.feedback}".strip()
        return self._merge(vlm, measured, request)

    def _merge(self, vlm: LLMCritique, measured: Critique | None, request: CritiqueRequest) -> Critique:
        by_id = {c.id: c for c in request.constraints}
        verdicts: dict[str, ConstraintVerdict] = {v.constraint_id: v for v in (measured.constraints if measured else [])}
        for item in vlm.constraints:
            seen = ConstraintVerdict(
                constraint_id=item.constraint_id, description=by_id[item.constraint_id].description,
                holds=item.holds, score=1.0 if item.holds else 0.0, reason=f"vlm: {item.reason}".rstrip(": "),
                entity_id=by_id[item.constraint_id].entity_id)
            known = verdicts.get(item.constraint_id)
            if known is not None:
                seen = known.model_copy(update={
                    "holds": known.holds and item.holds, "score": min(known.score, seen.score),
                    "reason": f"measured: {known.reason}; {seen.reason}"})
            verdicts[item.constraint_id] = seen

        hints: list[FeedbackHint] = list(measured.hints) if measured else []
        for wire in vlm.hints:
            hint = to_hint(wire)
            if not any(h.kind == hint.kind and h.op_id == hint.op_id for h in hints):
                hints.append(hint)

        if measured is None:
            score = vlm.score
        elif self.combine == "mean":
            score = (vlm.score + measured.score) / 2
        else:
            score = min(vlm.score, measured.score)
        passed = score >= request.threshold
        scores = f"VLM {vlm.score:.2f}" + (f", measured {measured.score:.2f}" if measured else "")
        reasons = [r for r in (vlm.feedback, measured.feedback if measured else "") if r]
        feedback = f"{scores}: {'; '.join(reasons)}" if reasons else ("" if passed else f"{scores}: below threshold")
        return Critique(
            score=round(float(score), 4), passed=passed, operations=list(measured.operations) if measured else [],
            constraints=list(verdicts.values()), preservation=dict(measured.preservation) if measured else {},
            feedback=feedback, hints=hints,
            backend=self.name if measured is None else f"{self.name}+{measured.backend}",
        )


def _checked(wire: LLMCritique, wanted: set[str], op_ids: set[str]) -> LLMCritique:
    """Reject (for repair) verdicts on constraints that do not exist or a missing one."""
    given = [v.constraint_id for v in wire.constraints]
    unknown = sorted(set(given) - wanted)
    missing = sorted(wanted - set(given))
    if unknown or missing:
        raise ValueError(f"constraints must hold one verdict per listed constraint id {sorted(wanted)}; "
                         f"unknown: {unknown}, missing: {missing}")
    for hint in wire.hints:
        if hint.op_id is not None and hint.op_id not in op_ids:
            raise ValueError(f"hint op_id {hint.op_id!r} is not one of the operations {sorted(op_ids)}")
    return wire


def _measurements_text(measured: Critique | None) -> str:
    """What a text-only critic model judges instead of the two images."""
    if measured is None:
        return "The images cannot be shown to you and nothing was measured: judge from the request alone."
    lines = ["The images cannot be shown to you. What measuring the edit found:",
             f"measured score {measured.score:.2f} ({'passed' if measured.passed else 'below threshold'})"]
    lines += [f"- {v.op_id} {v.kind.value}: {'ok' if v.ok else 'FAILED'} ({v.score:.2f}): {v.reason}"
              for v in measured.operations]
    lines += [f"- constraint {v.constraint_id}: {'holds' if v.holds else 'BROKEN'}: {v.reason}"
              for v in measured.constraints]
    if measured.preservation:
        lines.append(f"outside the edit: {measured.preservation}")
    return "\n".join(lines)


def _operations_text(request: CritiqueRequest) -> str:
    lines = []
    for op in request.plan.operations:
        target = op.target.phrase or op.target.noun or op.target.scope
        params = {k: v for k, v in op.params.items() if k not in _HIDDEN_PARAMS}
        ids = f" entities {op.entity_ids}" if op.entity_ids else ""
        lines.append(f"- {op.id}: {op.kind.value} {target}{ids} {params or ''}".rstrip())
    return "\n".join(lines) or "(none)"


__all__ = ["Combine", "LLMCritique", "VLMCritic"]
