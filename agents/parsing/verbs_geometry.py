"""Clause builders for geometry: crop, rotate, flip."""

from __future__ import annotations

from agents.parsing.cursor import Cursor
from agents.parsing.numbers import parse_angle, parse_axis, parse_rotation_sense
from agents.parsing.slots import clause, collect, np_target, object_spec, scoped, skipper
from state.models import IntentClause, OpKind, TargetSpec

_CROP_REGIONS = {
    ("left", "half"): "left-half", ("right", "half"): "right-half", ("top", "half"): "top-half",
    ("bottom", "half"): "bottom-half", ("upper", "half"): "top-half", ("lower", "half"): "bottom-half",
    ("left", "side"): "left-half", ("right", "side"): "right-half", ("top", "part"): "top-half",
    ("bottom", "part"): "bottom-half", ("center",): "center", ("centre",): "center", ("middle",): "center",
    ("square",): "square", ("a", "square"): "square", ("square", "format"): "square",
    ("a", "square", "format"): "square", ("the", "middle"): "center", ("the", "center"): "center",
    ("the", "centre"): "center", ("left", "part"): "left-half", ("right", "part"): "right-half",
}


def _crop_region(cur: Cursor) -> str | None:
    save = cur.pos
    cur.accept("to") or cur.accept("into") or cur.accept("out")
    cur.accept("just")
    had_the = cur.accept("the")
    region = cur.take(_CROP_REGIONS)
    if region is None or (had_the and region == "square" and cur.tokens[cur.pos - 1].word == "square"):
        cur.pos = save
        return None
    cur.accept("of", "the", "image") or cur.accept("of", "the", "picture") or cur.accept("of", "the", "photo")
    cur.accept("part") or cur.accept("area") or cur.accept("crop")
    return region


def _margin(cur: Cursor) -> float | None:
    if cur.accept("tightly") or cur.accept("tight") or cur.accept("closely"):
        return 0.02
    if cur.accept("loosely") or cur.accept("with", "some", "margin") or cur.accept("with", "a", "margin") or \
            cur.accept("with", "some", "padding") or cur.accept("with", "padding"):
        return 0.2
    return None


def build_crop(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("region", _crop_region), ("margin", _margin),
                          ("skip", skipper(("to",), ("around",), ("on",), ("in",), ("it", "down"))),
                          ("np", np_target)])
    region = next((v for n, v in items if n == "region"), None)
    margin = next((v for n, v in items if n == "margin"), None)
    objects = [v for n, v in items if n == "np" and v.spec.scope != "image"]
    if region is not None:
        return [clause(OpKind.CROP, TargetSpec(scope="image"), region=region, margin=margin or 0.0)]
    if objects:
        return [clause(OpKind.CROP, object_spec(objects[0]), margin=margin if margin is not None else 0.1)]
    raise cur.fail("say what to crop to: an object ('crop to the circle'), a half ('the left half') or "
                   "'a square'")


def build_rotate(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("angle", parse_angle), ("sense", parse_rotation_sense),
                          ("skip", skipper(("by",), ("it", "round"), ("round",))), ("np", np_target)])
    angle = next((v for n, v in items if n == "angle"), 90.0)
    sense = next((v for n, v in items if n == "sense"), 1)
    nps = [v for n, v in items if n == "np"] or [None]
    return [clause(OpKind.ROTATE, scoped(np), angle=float(angle) * sense) for np in nps]


def build_flip(cur: Cursor, verb: tuple[str, ...]) -> list[IntentClause]:
    items = collect(cur, [("axis", parse_axis), ("skip", skipper(("it", "over"), ("around",))),
                          ("np", np_target)])
    axis = next((v for n, v in items if n == "axis"), "horizontal")
    nps = [v for n, v in items if n == "np"] or [None]
    return [clause(OpKind.FLIP, scoped(np), axis=axis) for np in nps]
