"""Scoring a parse against a corpus line, at three levels.

- ops right: the expected op kinds, in order;
- target right: ops right, and each target's head noun matches (the scope for image and
  background targets);
- params right: target right, every expected parameter matches, and the keep-constraints match.

Words are compared as the contract means them: head nouns singular and last-word ("fire truck" has
head "truck"), colours and materials by their canonical names, relations and places by meaning
("left_of" is "left", "up" is "top"; "next to" is right for "near"), vague amounts within a tolerance. A parse that raises is
wrong and its typed error is recorded.
"""

from __future__ import annotations

import re
from typing import Any

from state.models import Intent, IntentClause

from . import vocab
from .models import CorpusLine, ExpectedOp, ExpectedTarget

_PLURALS = {plural.split()[-1]: noun.head for noun in vocab.nouns() for plural in (noun.plural,)}
_SINGULAR_S = frozenset({"glass", "bus", "dress", "cactus", "canvas", "grass", "lens", "this", "yes", "gas"})
REL = {"left_of": "left", "to_the_left_of": "left", "right_of": "right", "to_the_right_of": "right",
       "next_to": "next", "beside": "next", "by": "next", "near": "near", "close_to": "near", "over": "above",
       "under": "below", "beneath": "below", "underneath": "below", "on_top_of": "on", "onto": "on", "top": "on"}
PLACE = {"up": "top", "down": "bottom", "up-left": "top-left", "up-right": "top-right", "down-left": "bottom-left",
         "down-right": "bottom-right", "centre": "center", "middle": "center"}


def head(noun: str | None) -> str | None:
    """The singular last word of a noun phrase: 'Fire Trucks' → 'truck'."""
    if not noun:
        return None
    word = re.split(r"[\s_]+", noun.strip().lower())[-1]
    if word in _PLURALS:
        return _PLURALS[word]
    if word in _SINGULAR_S or word.endswith("ss") or len(word) < 4:
        return word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1] if word.endswith("s") else word


def color(word: Any) -> str | None:
    if not isinstance(word, str) or not word:
        return None
    last = word.strip().lower().split()[-1]
    return vocab.COLORS.get(last, last)


def material(word: Any) -> str | None:
    if not isinstance(word, str) or not word:
        return None
    last = word.strip().lower().split()[-1]
    return vocab.MATERIALS.get(last, last)


def place(word: Any) -> str | None:
    if not isinstance(word, str) or not word:
        return None
    word = word.strip().lower().replace("_", "-").replace(" ", "-")
    return PLACE.get(word, word)


def rel(word: Any) -> str | None:
    if not isinstance(word, str):
        return None
    word = word.strip().lower().replace(" ", "_").replace("-", "_")
    return REL.get(word, word)


def _dump(obj: Any) -> dict[str, Any]:
    if obj is None:
        return {}
    return obj.model_dump() if hasattr(obj, "model_dump") else dict(obj)


def target_matches(expected: ExpectedTarget, got: Any, op: str) -> bool:
    g = _dump(got)
    scope, noun = g.get("scope", "object"), head(g.get("noun"))
    if op == "replace_text":  # the old words name the text; "the sign", "the banner" or none are all right
        return True
    if op == "background" or expected.scope == "background":
        return scope == "background" or noun == "background"
    if expected.scope == "image":
        return scope == "image"
    if expected.noun is None:
        return noun in (None, "object", "one") and {color(c) for c in expected.colors} <= {
            color(c) for c in g.get("colors", [])}
    return noun == expected.noun


def _relation_matches(expected: dict[str, Any], got: Any) -> bool:
    g = _dump(got)
    if not g:
        return False
    anchor = ExpectedTarget.model_validate(expected["anchor"])
    got = rel(g.get("rel"))
    same = got == expected["rel"] or (expected["rel"] == "near" and got == "next")
    return same and target_matches(anchor, g.get("anchor"), "anchor")


def _scene(expected: str, got: Any) -> bool:
    if not isinstance(got, str):
        return False
    words = [w for w in re.split(r"\s+", got.strip().lower()) if w not in ("a", "an", "the")]
    return " ".join(words) == expected or (bool(words) and words[-1] == expected.split()[-1])


def params_match(expected: ExpectedOp, got: IntentClause) -> bool:
    e, p = expected.params, got.params
    op = expected.op
    if op == "remove":
        return True
    if op == "insert":
        if head(p.get("noun") or got.target.noun) != e["noun"]:
            return False
        if "color" in e and color(p.get("color") or next(iter(got.target.colors), None)) != e["color"]:
            return False
        if "count" in e and int(p.get("count") or 1) != e["count"]:
            return False
        if "position" in e and place(p.get("position")) != place(e["position"]):
            return False
        return "relation" not in e or _relation_matches(e["relation"], p.get("relation"))
    if op == "replace":
        return head(p.get("noun")) == e["noun"] and ("color" not in e or color(p.get("color")) == e["color"])
    if op == "recolor":
        return color(p.get("color")) == e["color"]
    if op == "material":
        return material(p.get("material")) == e["material"]
    if op == "background":
        if "scene" in e:
            return _scene(e["scene"], p.get("scene"))
        if "color" in e:
            return color(p.get("color")) == e["color"]
        return [color(c) for c in p.get("gradient") or []] == e["gradient"]
    if op == "count":
        key = next(k for k in ("count", "delta", "factor") if k in e)
        return p.get(key) == e[key]
    if op == "replace_text":
        old = str(p.get("old") or "").strip("'\"“” ")
        new = str(p.get("new") or "").strip("'\"“” ")
        return new == e["new"] and old.casefold() == e["old"].casefold()
    if op == "move":
        if "relation" in e:
            return _relation_matches(e["relation"], p.get("relation"))
        where = place(e.get("position") or e.get("direction"))
        if place(p.get("direction") or p.get("position")) != where:
            return False
        return "amount_px" not in e or p.get("amount_px") == e["amount_px"]
    if op == "resize":
        factor = p.get("factor")
        if not isinstance(factor, int | float):
            return False
        return abs(factor - e["factor"]) <= e["tolerance"] + 1e-9 and (factor > 1) == (e["factor"] > 1)
    if op == "filter":
        return p.get("filter") == e["filter"]
    return False


def _keep_key(target: Any) -> str | None:
    t = _dump(target)
    return "*image*" if t.get("scope") == "image" else head(t.get("noun"))


def keep_matches(line: CorpusLine, intent: Intent) -> bool:
    got = [_keep_key(k) for k in intent.keep]
    got += [_keep_key(c.params["keep"]) for c in intent.clauses if c.params.get("keep")]
    want = [_keep_key(k.model_dump()) for k in line.expected.keep]
    return set(got) == set(want)


def score(line: CorpusLine, intent: Intent) -> tuple[bool, bool, bool]:
    """(ops right, target right, params right) of one parse."""
    expected = line.expected.ops
    clauses = intent.clauses if intent.kind == "edit" else []
    ops = [c.op.value for c in clauses] == [e.op for e in expected]
    target = ops and all(target_matches(e.target, c.target, e.op) for e, c in zip(expected, clauses, strict=True))
    params = target and all(params_match(e, c) for e, c in zip(expected, clauses, strict=True)) and keep_matches(
        line, intent)
    return ops, target, params


def describe(intent: Intent) -> str:
    """What was parsed, in one line, for failure listings."""
    if intent.kind != "edit":
        return f"<{intent.kind}>"
    parts = []
    for c in intent.clauses:
        t = c.target
        what = t.noun or t.scope if t.scope != "object" or t.noun else "/".join(t.colors) or "?"
        params = {k: v for k, v in c.params.items() if v not in (None, False, [], {})}
        parts.append(f"{c.op.value}({what}{', ' if params else ''}{_short(params)})")
    if intent.keep:
        parts.append("keep(" + ", ".join(t.noun or t.scope for t in intent.keep) + ")")
    return "; ".join(parts)


def _short(params: dict[str, Any]) -> str:
    out = []
    for key, value in params.items():
        if isinstance(value, dict) and "anchor" in value:
            anchor = _dump(value["anchor"])
            value = f"{value.get('rel')} {anchor.get('noun') or anchor.get('scope')}"
        out.append(f"{key}={value}")
    return ", ".join(out)


def expected_text(line: CorpusLine) -> str:
    parts = []
    for e in line.expected.ops:
        params = dict(e.params)
        params.pop("phrase", None)
        what = e.target.noun or e.target.scope if e.target.noun or e.target.scope != "object" else "/".join(
            e.target.colors)
        parts.append(f"{e.op}({what}{', ' if params else ''}{_short(params)})")
    if line.expected.keep:
        parts.append("keep(" + ", ".join(k.noun or k.scope for k in line.expected.keep) + ")")
    return "; ".join(parts)
