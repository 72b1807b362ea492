"""From slot values to the expected intent: which ops, on what, with which parameters."""

from __future__ import annotations

from typing import Any

TARGET_KEYS = ("phrase", "noun", "colors", "modifiers", "possessor", "plural", "scope")
BACKGROUND = {"phrase": "the background", "noun": "background", "scope": "background"}
TEXT = {"phrase": "the text", "noun": "text"}


def clean(target: dict[str, Any]) -> dict[str, Any]:
    """A target as the corpus stores it: only the contract's fields, defaults left out."""
    out = {k: target[k] for k in TARGET_KEYS if target.get(k) not in (None, [], False, "object")}
    out.setdefault("phrase", "")
    return out


def _new_target(v: dict[str, Any]) -> dict[str, Any]:
    new = v["new"]
    color = v.get("color", new.get("color"))
    return clean({"phrase": new.get("phrase", new["noun"]), "noun": new["noun"], "colors": [color] if color else []})


def _insert(v: dict[str, Any]) -> dict[str, Any]:
    new = v["new"]
    params: dict[str, Any] = {"noun": new["noun"]}
    color = v.get("color", new.get("color"))
    if color:
        params["color"] = color
    if "count" in v:
        params["count"] = v["count"]
    if "rel" in v and "anchor" in v:
        params["relation"] = {"rel": v["rel"], "anchor": clean(v["anchor"])}
    elif "position" in v:
        params["position"] = v["position"]
    return {"op": "insert", "target": _new_target(v), "params": params}


def _place(v: dict[str, Any]) -> dict[str, Any]:
    if "rel" in v and "anchor" in v:
        return {"relation": {"rel": v["rel"], "anchor": clean(v["anchor"])}}
    if "position" in v:
        return {"position": v["position"]}
    params: dict[str, Any] = {"direction": v["direction"]}
    if "amount_px" in v:
        params["amount_px"] = v["amount_px"]
    return params


def _factor(v: dict[str, Any]) -> dict[str, Any]:
    factor, tolerance = v["factor"]
    return {"factor": factor, "tolerance": tolerance}


def ops_for(task: str, v: dict[str, Any]) -> list[dict[str, Any]]:
    """The expected ops of one clause of ``task`` drawn into ``v``."""
    target = clean(v["target"]) if "target" in v else None
    if task == "remove":
        return [{"op": "remove", "target": target}]
    if task == "add":
        return [_insert(v)]
    if task == "replace":
        new = v["new"]
        params = {"noun": new["noun"], "phrase": new.get("phrase", new["noun"])}
        if new.get("color"):
            params["color"] = new["color"]
        return [{"op": "replace", "target": target, "params": params}]
    if task == "recolor":
        return [{"op": "recolor", "target": target, "params": {"color": v["color"]}}]
    if task == "material":
        return [{"op": "material", "target": target, "params": {"material": v["material"]}}]
    if task == "background":
        return [{"op": "background", "target": clean(BACKGROUND), "params": dict(v["bg"])}]
    if task == "count":
        params = {"count": v["count"]} if "count" in v else {"delta": v["delta"]}
        return [{"op": "count", "target": target, "params": params}]
    if task == "replace_text":
        return [{"op": "replace_text", "target": clean(TEXT), "params": {"old": v.get("old", ""), "new": v["new"]}}]
    if task == "move":
        return [{"op": "move", "target": target, "params": _place(v)}]
    if task == "resize":
        return [{"op": "resize", "target": target, "params": _factor(v)}]
    if task == "filter":
        return [{"op": "filter", "target": target, "params": {"filter": v["filter"]}}]
    raise KeyError(task)


def pronoun_ops(v: dict[str, Any]) -> list[dict[str, Any]]:
    """'add a lamp on the left and make it red': the insertion, then an edit of what was added."""
    first = _insert({k: val for k, val in v.items() if k not in ("color", "direction", "factor")})
    it = {"phrase": "it", "noun": v["new"]["noun"]}
    if "color" in v:
        second = {"op": "recolor", "target": it, "params": {"color": v["color"]}}
    elif "direction" in v:
        second = {"op": "move", "target": it, "params": {"direction": v["direction"]}}
    else:
        second = {"op": "resize", "target": it, "params": _factor(v)}
    return [first, second]


def keep_for(v: dict[str, Any]) -> list[dict[str, Any]]:
    return [clean(k) for k in v.get("keep", [])]
