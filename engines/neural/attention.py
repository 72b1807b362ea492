"""Attention processors that steer a UNet spatially: removal by masking self-attention keys, and
insertion by boosting the object's prompt tokens inside its box.

Both follow the diffusers ``AttnProcessor`` call signature and math, changing only the attention
probabilities, and are installed on a UNet with ``unet.set_attn_processor`` for one call
(``installed(...)`` restores the previous processors afterwards, even on error).

Removal (seed 000): for feature map X with self-attention keys K_s and removal mask M_rm,
``Attn(Q, K_s)[j] = 0 if M_rm[j] = 1``, rows renormalised to sum to one, at every sampling step,
so the hole is filled only from what surrounds it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.nn.functional as F

CHUNK = 16  # (batch × heads) rows of attention computed at once, to bound memory at high resolution


def masked_attention_probs(query: torch.Tensor, key: torch.Tensor, key_mask: torch.Tensor,
                           scale: float) -> torch.Tensor:
    """Softmax attention with masked keys given exactly zero weight, rows renormalised to one.

    ``query`` (B, Nq, d), ``key`` (B, Nk, d), ``key_mask`` bool (Nk,) or (B, Nk), True = masked.
    A row whose every key is masked (or whose unmasked weight underflows to zero) is returned
    unmodified rather than as NaNs.
    """
    scores = torch.baddbmm(
        torch.empty(query.shape[0], query.shape[1], key.shape[1], dtype=query.dtype, device=query.device),
        query, key.transpose(-1, -2), beta=0, alpha=scale,
    )
    probs = scores.float().softmax(dim=-1)
    mask = key_mask.to(device=probs.device, dtype=torch.bool)
    mask = mask.view(1, 1, -1) if mask.ndim == 1 else mask[:, None, :]
    kept = probs.masked_fill(mask, 0.0)
    total = kept.sum(dim=-1, keepdim=True)
    usable = total > 0
    renormed = kept / torch.where(usable, total, torch.ones_like(total))
    return torch.where(usable, renormed, probs).to(query.dtype)


def boosted_attention_probs(probs: torch.Tensor, query_mask: torch.Tensor, token_ids: list[int],
                            factor: float) -> torch.Tensor:
    """Multiply attention from queries inside ``query_mask`` to ``token_ids`` by ``factor``, renormalise rows."""
    if not token_ids or factor == 1.0 or not bool(query_mask.any()):
        return probs
    gain = torch.ones(probs.shape[1], probs.shape[2], device=probs.device, dtype=torch.float32)
    rows = query_mask.to(probs.device).view(-1, 1)
    cols = torch.zeros(probs.shape[2], dtype=torch.bool, device=probs.device)
    cols[token_ids] = True
    gain = torch.where(rows & cols.view(1, -1), gain * factor, gain)
    boosted = probs.float() * gain
    return (boosted / boosted.sum(dim=-1, keepdim=True).clamp_min(1e-12)).to(probs.dtype)


def token_grid(tokens: int, latent_hw: tuple[int, int]) -> tuple[int, int]:
    """The (h, w) of a layer's token grid: the latent size halved (rounding up) until h·w = tokens."""
    h, w = latent_hw
    for _ in range(8):
        if h * w == tokens:
            return h, w
        h, w = math.ceil(h / 2), math.ceil(w / 2)
    raise ValueError(f"{tokens} tokens do not tile a {latent_hw} latent at any UNet level")


def mask_to_grid(mask: torch.Tensor, grid: tuple[int, int], threshold: float) -> torch.Tensor:
    """A (H, W) mask → flat bool per token: area-average onto the grid, then ``> threshold``."""
    small = F.interpolate(mask[None, None].float(), size=grid, mode="area")[0, 0]
    return (small > threshold).flatten()


def _attend(attn: Any, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None,
            attention_mask: torch.Tensor | None, temb: torch.Tensor | None,
            probs_fn: Callable[[torch.Tensor, torch.Tensor, torch.Tensor | None, slice], torch.Tensor]
            ) -> torch.Tensor:
    """diffusers' AttnProcessor, with the probabilities computed by ``probs_fn(q, k, mask, rows)``.

    ``rows`` says which (batch × heads) rows the chunk holds, so a processor can treat the
    conditional and unconditional halves of a guided batch differently.
    """
    residual = hidden_states
    if attn.spatial_norm is not None:
        hidden_states = attn.spatial_norm(hidden_states, temb)
    input_ndim = hidden_states.ndim
    if input_ndim == 4:
        batch_size, channel, height, width = hidden_states.shape
        hidden_states = hidden_states.view(batch_size, channel, height * width).transpose(1, 2)
    batch_size, sequence_length, _ = (
        hidden_states.shape if encoder_hidden_states is None else encoder_hidden_states.shape
    )
    attention_mask = attn.prepare_attention_mask(attention_mask, sequence_length, batch_size)
    if attn.group_norm is not None:
        hidden_states = attn.group_norm(hidden_states.transpose(1, 2)).transpose(1, 2)
    query = attn.to_q(hidden_states)
    if encoder_hidden_states is None:
        encoder_hidden_states = hidden_states
    elif attn.norm_cross:
        encoder_hidden_states = attn.norm_encoder_hidden_states(encoder_hidden_states)
    key = attn.to_k(encoder_hidden_states)
    value = attn.to_v(encoder_hidden_states)
    query = attn.head_to_batch_dim(query)
    key = attn.head_to_batch_dim(key)
    value = attn.head_to_batch_dim(value)
    outs = []
    for start in range(0, query.shape[0], CHUNK):
        sl = slice(start, start + CHUNK)
        chunk_mask = attention_mask[sl] if attention_mask is not None else None
        rows = slice(start, min(start + CHUNK, query.shape[0]))
        outs.append(torch.bmm(probs_fn(query[sl], key[sl], chunk_mask, rows), value[sl]))
    hidden_states = attn.batch_to_head_dim(torch.cat(outs))
    hidden_states = attn.to_out[0](hidden_states)
    hidden_states = attn.to_out[1](hidden_states)
    if input_ndim == 4:
        hidden_states = hidden_states.transpose(-1, -2).reshape(batch_size, channel, height, width)
    if attn.residual_connection:
        hidden_states = hidden_states + residual
    return hidden_states / attn.rescale_output_factor


class MaskedSelfAttnProcessor:
    """Self-attention that never attends to keys inside the removal mask (every layer, every step).

    ``mask`` is the removal mask at latent resolution (H_lat, W_lat); each layer resizes it to its
    own token grid (area average, then ``> threshold``). Cross-attention calls (with
    ``encoder_hidden_states``) pass through unchanged, so installing it on a cross-attention layer is
    harmless — but ``install_removal`` puts it on self-attention layers only.
    """

    def __init__(self, mask: torch.Tensor, threshold: float = 0.3) -> None:
        if mask.ndim != 2:
            raise ValueError("the removal mask must be 2-D at latent resolution")
        if not 0.0 <= threshold < 1.0:
            raise ValueError("threshold must be in [0, 1)")
        self.mask = mask.bool()
        self.threshold = threshold
        self.calls = 0
        self._grids: dict[int, torch.Tensor] = {}

    def key_mask(self, tokens: int, device: torch.device) -> torch.Tensor:
        if tokens not in self._grids:
            grid = token_grid(tokens, tuple(self.mask.shape))
            self._grids[tokens] = mask_to_grid(self.mask, grid, self.threshold)
        return self._grids[tokens].to(device)

    def __call__(self, attn: Any, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, temb: torch.Tensor | None = None,
                 *args: Any, **kwargs: Any) -> torch.Tensor:
        if encoder_hidden_states is not None:
            return _attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb,
                           lambda q, k, m, rows: attn.get_attention_scores(q, k, m))
        self.calls += 1
        tokens = hidden_states.shape[1] if hidden_states.ndim == 3 else hidden_states.shape[2] * hidden_states.shape[3]
        key_mask = self.key_mask(tokens, hidden_states.device)
        return _attend(attn, hidden_states, None, attention_mask, temb,
                       lambda q, k, m, rows: masked_attention_probs(q, k, key_mask, attn.scale))


@dataclass
class ScheduleState:
    """Which denoising step runs now; the step callback advances it, processors read it."""

    step: int = 0
    enhance_steps: int = 0  # steps [0, enhance_steps) get the boost
    guided_batch: bool = False  # classifier-free guidance: first half of the batch is unconditional
    fired: set[int] = field(default_factory=set)  # steps where a boost was actually applied

    @property
    def enhancing(self) -> bool:
        return self.step < self.enhance_steps


class BoxCrossAttnProcessor:
    """Cross-attention that boosts the object's prompt tokens for queries inside its box.

    Active only while ``state.enhancing`` (the first steps of the schedule); otherwise it is plain
    attention. Self-attention calls pass through unchanged.
    """

    def __init__(self, box_mask: torch.Tensor, token_ids: list[int], factor: float, state: ScheduleState) -> None:
        if factor < 1.0:
            raise ValueError("the attention boost factor must be ≥ 1")
        self.box_mask = box_mask.bool()
        self.token_ids = token_ids
        self.factor = factor
        self.state = state
        self._grids: dict[int, torch.Tensor] = {}

    def __call__(self, attn: Any, hidden_states: torch.Tensor, encoder_hidden_states: torch.Tensor | None = None,
                 attention_mask: torch.Tensor | None = None, temb: torch.Tensor | None = None,
                 *args: Any, **kwargs: Any) -> torch.Tensor:
        plain = lambda q, k, m, rows=None: attn.get_attention_scores(q, k, m)  # noqa: E731
        if encoder_hidden_states is None or not self.state.enhancing:
            return _attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb, plain)
        tokens = hidden_states.shape[1] if hidden_states.ndim == 3 else hidden_states.shape[2] * hidden_states.shape[3]
        if tokens not in self._grids:
            self._grids[tokens] = mask_to_grid(self.box_mask, token_grid(tokens, tuple(self.box_mask.shape)), 0.5)
        query_mask = self._grids[tokens].to(hidden_states.device)
        self.state.fired.add(self.state.step)
        # Only the prompt's own (conditional) rows are boosted; the unconditional half stays plain.
        first_cond = hidden_states.shape[0] // 2 * attn.heads if self.state.guided_batch else 0

        def probs(q: torch.Tensor, k: torch.Tensor, m: torch.Tensor | None, rows: slice) -> torch.Tensor:
            p = plain(q, k, m)
            skip = max(0, first_cond - rows.start)
            if skip >= p.shape[0]:
                return p
            boosted = boosted_attention_probs(p[skip:], query_mask, self.token_ids, self.factor)
            return torch.cat([p[:skip], boosted]) if skip else boosted

        return _attend(attn, hidden_states, encoder_hidden_states, attention_mask, temb, probs)


def is_self_attention(name: str) -> bool:
    """diffusers names self-attention ``attn1`` and cross-attention ``attn2`` in transformer blocks."""
    return name.endswith("attn1.processor")


@contextmanager
def installed(unet: Any, choose: Callable[[str, Any], Any]) -> Iterator[dict[str, Any]]:
    """Set ``choose(name, current)`` as each layer's processor for the block, then restore the originals."""
    original = dict(unet.attn_processors)
    unet.set_attn_processor({name: choose(name, proc) for name, proc in original.items()})
    try:
        yield original
    finally:
        unet.set_attn_processor(dict(original))


def install_removal(unet: Any, processor: MaskedSelfAttnProcessor):  # -> contextmanager
    """Masked self-attention on every ``attn1`` layer; cross-attention keeps its processor."""
    return installed(unet, lambda name, proc: processor if is_self_attention(name) else proc)


def install_box_boost(unet: Any, processor: BoxCrossAttnProcessor):
    """Box boost on every ``attn2`` (cross-attention) layer; self-attention keeps its processor, and so
    do IP-Adapter layers (their processor carries the reference image's attention)."""
    def choose(name: str, proc: Any) -> Any:
        if name.endswith("attn2.processor") and not type(proc).__name__.startswith("IPAdapter"):
            return processor
        return proc

    return installed(unet, choose)
