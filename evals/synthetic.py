"""Seeded generator of scenes and multi-turn dialogues with exact ground truth.

A dialogue is simulated on an object list: each turn picks an operation the current state allows,
phrases it with ``evals.paraphrases``, and applies the operation's documented semantics (positions,
move distances, resize factors, insert sizes) to give the expected objects. Every state is rendered
and re-grounded during generation, and a dialogue whose ground truth the scene parser could not
recover is drawn again, so every target is findable and (unless a turn tests a clarification)
unambiguous.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engines.classical.scene import parse_scene

from .metrics import match_objects
from .models import Dialogue, GTState, Scene, TurnSpec
from .scenes import render, render_background
from .synthetic_scenes import (
    CORE_DIALOGUE,
    CORE_SINGLE,
    SPLITS,
    GenerationError,
    SplitConfig,
    fix_articles,
    make_scene,
)
from .synthetic_sim import DialogueSim

__all__ = ["SPLITS", "GenerationError", "SplitConfig", "fix_articles", "generate", "make_dialogue",
           "split_config"]


_WEIGHTS: dict[str, float] = {
    "remove": 1.0, "recolor": 1.3, "move": 1.3, "resize": 0.8, "add": 1.0, "text": 0.3, "filter": 0.25,
    "undo": 0.45, "redo": 0.8, "revert": 0.25, "it": 0.8, "added": 0.8, "other": 0.9, "all": 0.6,
    "revision": 0.6, "clarify": 0.4, "drift": 0.7,
}


def _step(sim: DialogueSim, op: str, final: bool) -> bool:
    actions: dict[str, Callable[[], bool]] = {
        "remove": sim.op_remove, "recolor": sim.op_recolor, "move": sim.op_move, "resize": sim.op_resize,
        "add": sim.op_add, "text": sim.op_text, "filter": lambda: sim.op_filter(final), "undo": sim.op_undo,
        "redo": sim.op_redo, "revert": sim.op_revert, "it": sim.ref_it, "added": sim.ref_added,
        "other": sim.ref_other, "all": sim.ref_all, "revision": sim.revision, "clarify": sim.clarify,
        "drift": sim.drift_trap,
    }
    return actions[op]()


def _simulate(rng: np.random.Generator, config: SplitConfig) -> tuple[Scene, list[TurnSpec]]:
    scene = make_scene(rng, config)
    sim = DialogueSim(rng=rng, scene=scene, config=config)
    n_turns = int(rng.integers(config.turns[0], config.turns[1] + 1))
    ops = list(config.ops or _WEIGHTS)
    weights = np.array([_WEIGHTS[o] for o in ops])
    guard = 0
    while len(sim.turns) < n_turns and guard < 60:
        guard += 1
        op = str(rng.choice(ops, p=weights / weights.sum()))
        if op == "clarify" and len(sim.turns) + 2 > n_turns:
            continue
        if op == "filter" and len(sim.turns) + 1 < n_turns:
            continue  # stylistic filters only as the last turn: later targets would be inexact
        if op == "text" and not config.ops and len(sim.turns) + 1 < n_turns - 1:
            continue
        _step(sim, op, final=len(sim.turns) + 1 == n_turns)
    if len(sim.turns) < max(1, config.turns[0]):
        raise GenerationError("too few turns")
    return scene, sim.turns


def _background_detections(scene: Scene):
    return parse_scene(render_background(scene.background, scene.width, scene.height))


def validate(scene: Scene, turns: list[TurnSpec]) -> bool:
    """Every state's rendering re-grounds to exactly its objects (photo artefacts aside)."""
    background = _background_detections(scene)
    states = [GTState(objects=scene.objects)] + [t.state for t in turns if t.state.exact or "grayscale" in t.state.effects]
    seen: set[str] = set()
    for state in states:
        key = state.model_dump_json()
        if key in seen:
            continue
        seen.add(key)
        detections = parse_scene(render(scene, state))
        match = match_objects(detections, state.objects, scene.width, scene.height, background=background,
                              free_boxes=state.free_boxes, grayscale="grayscale" in state.effects)
        if not match.success:
            return False
    return True


def make_dialogue(split: str, index: int, config: SplitConfig, *, seed: int | None = None) -> Dialogue:
    """Dialogue ``index`` of a split: its own seed, so any prefix of a split is stable."""
    base = (config.seed if seed is None else seed) * 1_000_003 + index
    for attempt in range(40):
        rng = np.random.default_rng([base, attempt])
        try:
            scene, turns = _simulate(rng, config)
        except GenerationError:
            continue
        if validate(scene, turns):
            return Dialogue(id=f"{split}-{index:04d}", split=split, seed=base, scene=scene, turns=turns)
    raise GenerationError(f"no valid dialogue for {split} #{index}")


def generate(split: str | SplitConfig, *, count: int | None = None, seed: int | None = None,
             name: str | None = None) -> list[Dialogue]:
    """The dialogues of a named split (dev, test, hard, core-single, core-dialogue) or a custom config."""
    if isinstance(split, str):
        config = split_config(split)
        name = name or split
    else:
        config = split
        name = name or "custom"
    total = config.count if count is None else count
    return [make_dialogue(name, i, config, seed=seed) for i in range(total)]


def split_config(name: str) -> SplitConfig:
    configs = {**SPLITS, "core-single": CORE_SINGLE, "core-dialogue": CORE_DIALOGUE}
    if name not in configs:
        raise ValueError(f"unknown split {name!r}; choose one of {', '.join(configs)}")
    return configs[name]
