"""The generate operation's plan: the layout of the objects, the background, the generation settings.

A ``generate`` intent (the first message of a session without an image) names objects with colours,
sizes, places and relations between them ("a red balloon over a green hill at sunset"). This module
turns it into one GENERATE operation whose params hold every object's box, so whichever generator
runs it (the procedural composer offline, a text-to-image model otherwise) paints the same layout,
and the drawn objects become entities the next turn can talk about.

Candidates of a generated picture (variations, best-of-N) jitter this layout: see ``Generate.vary``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engines.base import InsertSpec
from engines.classical.colors import canonical_color, rgb_of
from engines.classical.generator import Background, ground_line, paint_background
from engines.classical.insertion import DEFAULT_OBJECT_COLORS
from state.models import Box, EditOperation, Entity, Intent, OpKind, Plan, Region, TargetSpec

from ..errors import InstructionError
from ..kinds import kind_of, same_kind
from ..placement import box_at, clamp_box, free_box, named_center, relative_box
from ..regions import box_mask, box_of_mask

DEFAULT_SIZE = (512, 384)
MAX_OBJECTS = 12
SIZE_FACTORS = {"small": 0.65, "medium": 1.0, "large": 1.5}
# (width, height) of each noun's box relative to the base side.
ASPECTS: dict[str, tuple[float, float]] = {
    "hill": (2.6, 0.85), "cloud": (1.6, 0.9), "rectangle": (1.6, 1.0), "ellipse": (1.6, 1.0),
    "balloon": (0.8, 1.1), "tree": (0.8, 1.25), "logo": (1.5, 1.0),
}
SKY_THINGS = ("sun", "moon", "cloud")
GROUNDED_THINGS = ("tree", "house", "flower")
DEFAULT_STEPS = 30
DEFAULT_GUIDANCE = 7.5


def _side(shape: tuple[int, int], size: str | None) -> float:
    return 0.24 * min(shape) * SIZE_FACTORS.get(size or "medium", 1.0)


def _object_size(noun: str, size: str | None, shape: tuple[int, int]) -> tuple[int, int]:
    side = _side(shape, size)
    fw, fh = ASPECTS.get(noun, (1.0, 1.0))
    height, width = shape
    return (max(8, min(width, int(side * fw))), max(8, min(height, int(side * fh))))


def _matches(obj: dict[str, Any], anchor: dict[str, Any]) -> bool:
    if anchor.get("noun") not in (None, "object") and not same_kind(anchor.get("noun"), obj["noun"]):
        return False
    colors = anchor.get("colors") or []
    return not colors or obj["color"] in colors


def scene_objects(intent: Intent) -> list[dict[str, Any]]:
    """The objects a generate intent names, anchors of relations included ("over a green hill")."""
    objects: list[dict[str, Any]] = []
    for clause in intent.clauses:
        if clause.op != OpKind.INSERT:
            continue
        params = clause.params
        noun = kind_of(params.get("noun") or clause.target.noun)  # the composer draws "a ball" as a circle
        if not noun:
            raise InstructionError("say what to draw, e.g. 'a red balloon over a green hill'")
        color = canonical_color(str(params.get("color") or "")) or DEFAULT_OBJECT_COLORS.get(noun, "red")
        relation = params.get("relation")
        if relation and isinstance(relation.get("anchor"), TargetSpec):
            relation = {**relation, "anchor": relation["anchor"].model_dump()}
        for _ in range(max(1, min(int(params.get("count", 1)), MAX_OBJECTS))):
            objects.append({"noun": noun, "color": color, "size": params.get("size"),
                            "position": params.get("position"), "relation": relation})
    # A relation's anchor is part of the picture too, unless it is already one of the objects.
    for obj in list(objects):
        relation = obj.get("relation")
        if not relation:
            continue
        anchor = relation.get("anchor") or {}
        if not any(_matches(other, anchor) for other in objects if other is not obj):
            noun = kind_of(anchor.get("noun"))
            if not noun or noun == "object":
                raise InstructionError(f"say what {obj['noun']} is {relation.get('rel', 'next to')}")
            colors = anchor.get("colors") or []
            objects.insert(objects.index(obj), {"noun": noun, "color": colors[0] if colors else
                                                DEFAULT_OBJECT_COLORS.get(noun, "red"), "size": anchor.get("size"),
                                                "position": None, "relation": None})
    if not objects:
        raise InstructionError("say what to draw, e.g. 'a yellow sun above a blue square'")
    if len(objects) > MAX_OBJECTS:
        raise InstructionError(f"at most {MAX_OBJECTS} objects in one picture")
    return objects


def _default_box(obj: dict[str, Any], size: tuple[int, int], shape: tuple[int, int], occupied: np.ndarray,
                 ground: int | None) -> Box:
    height, width = shape
    w, h = size
    noun = obj["noun"]
    margin = int(0.03 * min(shape))
    if noun == "hill":
        bottom = ground + int(0.4 * h) if ground is not None else height
        return clamp_box((width // 2 - w // 2, bottom - h, width // 2 - w // 2 + w, bottom), shape)
    if noun in SKY_THINGS:
        for place in ("top-right", "top-left", "top"):
            box = box_at(named_center(place, shape), size, shape, margin=margin)
            if not (occupied & box_mask(box, shape)).any():
                return box
    if noun in GROUNDED_THINGS and ground is not None:
        preferred = (width / 2, ground + 0.1 * h - h / 2)
        return free_box(size, occupied, shape, preferred=preferred) or box_at(preferred, size, shape)
    return free_box(size, occupied, shape) or box_at((width / 2, height / 2), size, shape)


def _related_box(rel: str, anchor: Box, size: tuple[int, int], shape: tuple[int, int]) -> Box:
    if rel == "on":
        # Standing on it: the bottom sinks a little into the anchor's top, centred over it.
        w, h = size
        cx = (anchor[0] + anchor[2]) / 2
        bottom = anchor[1] + 0.3 * (anchor[3] - anchor[1])
        return clamp_box((int(cx - w / 2), int(bottom - h), int(cx - w / 2) + w, int(bottom)), shape)
    return relative_box({"over": "above", "under": "below"}.get(rel, rel), anchor, size, shape)


def plan_layout(objects: list[dict[str, Any]], shape: tuple[int, int], background: Background, *,
                variant: int = 0, seed: int = 0) -> list[Box]:
    """A box per object: named places, relations to earlier-placed anchors, then free space.

    ``variant`` > 0 jitters every box (position ±6 %, size ±12 %), so variations keep the relations
    but are not pixel copies; variant 0 is the canonical layout.
    """
    rng = np.random.default_rng(seed * 7919 + variant) if variant else None
    height, width = shape
    ground = ground_line(height, background)
    boxes: list[Box | None] = [None] * len(objects)
    occupied = np.zeros(shape, dtype=bool)
    pending = list(range(len(objects)))
    while pending:
        progressed = False
        for index in list(pending):
            obj = objects[index]
            size = _object_size(obj["noun"], obj.get("size"), shape)
            if rng is not None:
                scale = float(rng.uniform(0.88, 1.12))
                size = (max(8, int(size[0] * scale)), max(8, int(size[1] * scale)))
            relation = obj.get("relation")
            anchor_box = None
            if relation:
                anchor = relation.get("anchor") or {}
                found = [i for i, other in enumerate(objects) if i != index and _matches(other, anchor)]
                placed = [i for i in found if boxes[i] is not None]
                if found and not placed and any(i in pending for i in found):
                    continue  # the anchor goes first
                anchor_box = boxes[placed[0]] if placed else None
            if anchor_box is not None:
                box = _related_box(relation["rel"], anchor_box, size, shape)
            elif obj.get("position"):
                box = box_at(named_center(obj["position"], shape), size, shape, margin=int(0.03 * min(shape)))
            else:
                box = _default_box(obj, size, shape, occupied, ground)
            if rng is not None:
                dx = int(rng.uniform(-0.06, 0.06) * width)
                dy = int(rng.uniform(-0.06, 0.06) * height)
                box = clamp_box((box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy), shape)
            boxes[index] = box
            occupied |= box_mask(box, shape)
            pending.remove(index)
            progressed = True
        if not progressed:  # a cycle of relations: place the rest freely
            for index in pending:
                obj = objects[index]
                boxes[index] = _default_box(obj, _object_size(obj["noun"], obj.get("size"), shape), shape,
                                            occupied, ground)
                occupied |= box_mask(boxes[index], shape)
            pending = []
    return [b for b in boxes if b is not None]


def _draw_order(objects: list[dict[str, Any]], boxes: list[Box]) -> list[int]:
    """Back to front: hills, then things whose bottom is higher up (further away) first."""
    return sorted(range(len(objects)), key=lambda i: (objects[i]["noun"] != "hill", objects[i]["noun"] not in
                                                      SKY_THINGS, boxes[i][3]))


def describe_scene(objects: list[dict[str, Any]], background: Background, text: str) -> str:
    """A text-to-image prompt: the user's words plus the resolved background."""
    words = [text.strip().rstrip(".")]
    if background.kind != "plain":
        words.append(f"{background.kind} background")
    elif background.color:
        words.append(f"plain {background.color} background")
    if background.ground:
        words.append(f"{background.ground} ground")
    return ", ".join(words)


def canvas_params(intent: Intent) -> dict[str, Any]:
    """The picture's size and background, as the generate intent's canvas clause says them."""
    canvas = next((c for c in intent.clauses if c.op == OpKind.GENERATE), None)
    return dict(canvas.params) if canvas else {}


def canvas_size(params: dict[str, Any]) -> tuple[int, int]:
    width = int(params.get("width") or DEFAULT_SIZE[0])
    height = int(params.get("height") or DEFAULT_SIZE[1])
    if not (16 <= width <= 4096 and 16 <= height <= 4096):
        raise InstructionError(f"a picture of {width}x{height} is out of range (16 to 4096 px a side)")
    return width, height


def blank_canvas(intent: Intent) -> tuple[np.ndarray, str]:
    """The empty picture a generation paints on (its background without texture), and its kind."""
    params = canvas_params(intent)
    width, height = canvas_size(params)
    background = Background.parse(params.get("background"))
    blank = paint_background(width, height, Background(kind=background.kind, color=background.color), seed=None)
    return blank, background.kind


def plan_generation(intent: Intent, *, next_entity: int, variant: int = 0, seed: int = 0,
                    round: int = 1) -> tuple[Plan, int]:
    """One GENERATE operation for a generate intent, with entity ids reserved for its objects."""
    params = canvas_params(intent)
    width, height = canvas_size(params)
    background = Background.parse(params.get("background"))
    objects = scene_objects(intent)
    shape = (height, width)
    boxes = plan_layout(objects, shape, background, variant=variant, seed=seed)
    layout = []
    ids = []
    for index in _draw_order(objects, boxes):
        obj = objects[index]
        entity_id = f"e{next_entity}"
        next_entity += 1
        ids.append(entity_id)
        layout.append({"id": entity_id, "noun": obj["noun"], "color": obj["color"], "rgb": list(rgb_of(obj["color"])),
                       "box": list(boxes[index]), "label": f"{obj['color']} {obj['noun']}"})
    op = EditOperation(
        id="op1", kind=OpKind.GENERATE, target=TargetSpec(phrase=intent.text, scope="image"), entity_ids=ids,
        params={"width": width, "height": height, "background": background.__dict__, "objects": layout,
                "prompt": describe_scene(objects, background, intent.text),
                "negative_prompt": str(params.get("negative_prompt", "blurry, low quality")),
                "steps": int(params.get("steps", DEFAULT_STEPS)),
                "guidance": float(params.get("guidance", DEFAULT_GUIDANCE)),
                "seed": int(params.get("seed", seed)) + variant, "variant": variant},
    )
    notes = [f"{len(layout)} object(s) on a {background.kind} background, {width}x{height}"]
    if variant:
        notes.append(f"variant {variant}: layout jittered, seed {op.params['seed']}")
    return Plan(operations=[op], round=round, notes=notes), next_entity


def compose(width: int, height: int, objects: list[tuple[str, str, Box]], background: str = "sky") -> np.ndarray:
    """A picture of named objects in given boxes, drawn exactly by the procedural composer (the
    same every run): sample scenes for demos and examples."""
    from engines.classical.generator import ProceduralGenerator

    layout = [(box, InsertSpec(noun=noun, color=color, rgb=rgb_of(color))) for noun, color, box in objects]
    image, _ = ProceduralGenerator().compose(width, height, layout=layout, background=background)
    return image


def layout_of(op: EditOperation) -> list[tuple[Box, InsertSpec]]:
    return [(tuple(o["box"]), InsertSpec(noun=o["noun"], color=o["color"], rgb=tuple(o["rgb"]),
                                         prompt=f"a {o['label']}")) for o in op.params["objects"]]


def run_generate(op: EditOperation, engines: Any, *, turn: int, seed: int) -> tuple[np.ndarray, list[Entity],
                                                                                       list[np.ndarray], str]:
    """Paint the planned picture; returns (image, the new entities, their masks, the engine name).

    A generator with ``compose`` (the procedural one) says exactly which pixels each object got; for
    any other the segmenter finds each object inside its planned box.
    """
    params = op.params
    width, height = int(params["width"]), int(params["height"])
    layout = layout_of(op)
    generator = engines.generator
    if generator is None:
        from engines.classical.generator import ProceduralGenerator

        generator = ProceduralGenerator()
    run_seed = int(params.get("seed", seed))
    if hasattr(generator, "compose"):
        image, masks = generator.compose(width, height, layout=layout, background=params["background"], seed=run_seed)
    else:
        image = generator.generate(params.get("prompt", ""), width, height, layout=layout,
                                   background=params["background"], seed=run_seed)
        masks = []
        for box, _ in layout:
            try:
                mask = engines.segmenter.segment(image, box=box)
            except Exception:  # a segmenter that cannot cut this box: the box is the object
                mask = box_mask(box, (height, width))
            masks.append(mask if mask.any() else box_mask(box, (height, width)))
    entities = []
    for obj, mask in zip(params["objects"], masks, strict=True):
        box = box_of_mask(mask) or tuple(obj["box"])
        entities.append(Entity(id=obj["id"], label=obj["label"], noun=obj["noun"], attributes={"color": obj["color"]},
                               region=Region(box=box, area=int(mask.sum())), origin="generated",
                               created_turn=turn, last_turn=turn, present=bool(mask.any())))
    return image, entities, masks, getattr(generator, "name", "generator")


__all__ = ["DEFAULT_SIZE", "blank_canvas", "compose", "describe_scene", "layout_of", "plan_generation", "plan_layout", "run_generate",
           "scene_objects"]
