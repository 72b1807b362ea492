"""Whole-message constructs for making pictures: generate, variations, pick and refine.

- generate: the first message of a session with no image describes one ("a yellow sun above a blue
  square on a gradient sky"). Background phrases and a size are taken out first; what is left is
  read by the ordinary insert grammar, so objects, colours, sizes, places and relations mean what
  they mean in "add …".
- variations: "show me three versions", "give me 3 variations", "try a few options".
- pick: "the second one", "I like the third", "pick 2" — only right after a variations turn.
- refine: "upscale to 2x", "make it print-size", "enhance the details", "restyle as watercolor".

Like history commands these are matched over the normalized message (lower-case words joined by
single spaces); see docs/grammar.md and docs/generation.md.
"""

from __future__ import annotations

import re
from typing import Any

from agents.errors import UnparseableInstruction
from agents.parsing import lexicon as lx
from agents.parsing.clauses import parse_clauses, take_verb, verb_at
from agents.parsing.cursor import Context, Cursor
from agents.parsing.tokens import tokenize
from engines.classical.colors import canonical_color
from state.models import Intent, IntentClause, OpKind, TargetSpec, Turn, TurnKind

MAX_CANDIDATES = 8

# --------------------------------------------------------------------------- generate

_LEAD = re.compile(
    r"^(?:(?:please|can you|could you|would you|i want|i'd like|i would like|let's|now)\s+)*"
    r"(?P<verb>(?:draw|create|generate|paint|make|render|show|imagine|sketch|design|compose|give)\s+(?:me\s+|us\s+)?)?"
    r"(?:(?:an?|the)\s+)?(?P<what>(?:image|picture|scene|painting|drawing|illustration|photo|pic)\s+(?:of|with|showing)\s+)?"
)
_DRAWING_VERBS = frozenset({"insert", "place"})


def describes_picture(text: str, cursor: Cursor) -> bool:
    """Whether a first message (no image yet) describes a picture rather than asking for an edit:
    no verb at all ("a red circle"), a drawing verb ("draw …") or "make a picture of …"."""
    lead = _LEAD.match(text.lower().strip())
    if lead is not None and (lead["what"] or (lead["verb"] and lead["verb"].split()[0] != "make")):
        return True
    verb = take_verb(cursor)
    return verb is None or verb[0] in _DRAWING_VERBS
_SIZE = re.compile(r"(?:,\s*)?(?:\b(?:in|at|of|sized?)\s+)?\b(?P<w>\d{2,4})\s*(?:x|×|by)\s*(?P<h>\d{2,4})"
                   r"(?:\s*(?:px|pixels))?\b")
_ORIENTATION = re.compile(r"(?:,\s*)?(?:\bin\s+)?\b(?P<o>landscape|portrait|widescreen)(?:\s+(?:format|orientation))?\b")
_ARTICLE = r"(?:(?:an?|the|some)\s+)?"
_COLOR = r"(?:(?P<color>[a-z]+)\s+)?"
_BACKGROUNDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"\b(?:at|during|in|with|on|against|under)?\s*{_ARTICLE}(?:sunset|sunrise|dusk|dawn|sundown)"
                r"(?:\s+(?:sky|background))?\b"), "sunset"),
    (re.compile(r"\b(?:at|by|during|in)\s+(?:the\s+)?night(?:time)?\b"), "night"),
    (re.compile(rf"\b(?:on|in|under|against|with)?\s*{_ARTICLE}(?:night|starry|dark|nighttime)\s+(?:sky|background)\b"),
     "night"),
    (re.compile(rf"\b(?:on|in|against|with|over)?\s*{_ARTICLE}{_COLOR}gradient(?:\s+(?:sky|background))?\b"),
     "gradient"),
    (re.compile(rf"\b(?:on|against|with|over|in\s+front\s+of)?\s*{_ARTICLE}(?:plain\s+|solid\s+)?{_COLOR}background\b"),
     "plain"),
    (re.compile(rf"\b(?:in|under|against|on|with|across)\s+{_ARTICLE}{_COLOR}sky\b"), "sky"),
]
_GROUND = re.compile(rf"\b(?:on|with|over|above|in|and)\s+{_ARTICLE}{_COLOR}(?P<what>grass|ground|field|meadow|lawn)\b")
_GROUND_COLORS = {"grass": "green", "field": "green", "meadow": "green", "lawn": "green", "ground": "brown"}


def _take(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, str]:
    match = pattern.search(text)
    if match is None:
        return None, text
    return match, (text[:match.start()] + " " + text[match.end():]).strip()


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip(" ,.;")
    text = re.sub(r"\s*,\s*(?:,\s*)+", ", ", text)
    return re.sub(r"\b(?:and|with)$", "", text).strip(" ,")


def background_phrase(text: str) -> tuple[dict[str, Any], dict[str, int], str]:
    """(background, size, the rest of the text): what the generate grammar takes out first."""
    background: dict[str, Any] = {"kind": "plain", "color": None, "ground": None}
    size: dict[str, int] = {}
    match, text = _take(_SIZE, text)
    if match:
        size = {"width": int(match["w"]), "height": int(match["h"])}
    match, text = _take(_ORIENTATION, text)
    if match and not size:
        size = {"width": 384, "height": 512} if match["o"] == "portrait" else {"width": 640, "height": 360}
    for pattern, kind in _BACKGROUNDS:
        match, rest = _take(pattern, text)
        if match is None:
            continue
        color = match.groupdict().get("color")
        if color and canonical_color(color) is None:
            continue  # "a big background"? not a colour we know: leave the words to the grammar
        background["kind"], background["color"] = kind, canonical_color(color) if color else None
        text = rest
        break
    match, rest = _take(_GROUND, text)
    if match is not None and (match["color"] is None or canonical_color(match["color"])):
        background["ground"] = canonical_color(match["color"] or "") or _GROUND_COLORS[match["what"]]
        if background["kind"] == "plain" and background["color"] is None:
            background["kind"] = "sky"
        text = rest
    return background, size, _tidy(text)


def parse_generation(text: str, context: Context) -> tuple[Intent, list[str]]:
    """A generate intent, and the words the grammar did not understand (empty when all were)."""
    lowered = text.lower().replace("’", "'").strip()
    background, size, rest = background_phrase(lowered)
    rest = _LEAD.sub("", rest, count=1).strip()
    if not rest:
        return Intent(kind="generate", text=text), ["(nothing to draw)"]
    tokens = tokenize("add " + rest)
    cursor = Cursor(tokens, Context(text, context.has_user_region, context.has_reference_image), verb_at)
    cursor.skip_prefixes()
    try:
        clauses = parse_clauses(cursor)
    except UnparseableInstruction as error:
        return Intent(kind="generate", text=text), list(error.unknown_words) or [str(error)]
    unknown = list(cursor.unknown)
    objects = [c for c in clauses if c.op == OpKind.INSERT]
    if len(objects) != len(clauses):
        unknown.extend(c.op.value for c in clauses if c.op != OpKind.INSERT)
    if any(o.params.get("use_reference") for o in objects):
        unknown.append("this")
    if any(o.params.get("color") is None and o.target.colors == [] and o.params.get("noun") == "object"
           for o in objects):
        unknown.append("object")
    if objects and all(o.params.get("color") == "white" for o in objects) and background["kind"] == "plain":
        background["kind"] = "sky"  # white things on white paper would vanish
    canvas = IntentClause(op=OpKind.GENERATE, target=TargetSpec(phrase=text, scope="image"),
                          params={"background": background, **size})
    return Intent(kind="generate", text=text, clauses=[canvas, *objects]), unknown


# --------------------------------------------------------------------------- variations

_COUNT = r"(?P<n>\d+|two|three|four|five|six|seven|eight|a few|a couple(?: of)?|some|several|a handful of)"
_VARIATIONS = re.compile(
    r"(?:(?:show|give|get|make|generate|create|try|draw|render|offer)(?: me| us)?|let me see|can i see|"
    r"i want|i'd like|i would like|how about|what about)?\s*"
    rf"(?:{_COUNT}\s+)?(?:more\s+)?(?:different\s+|other\s+|alternative\s+|possible\s+)?"
    r"(?:versions|variations|variants|options|alternatives|takes|choices|candidates|ideas)"
    r"(?:\s+(?:of|for)\s+(?:it|this|that|the image|the picture|the scene|the last (?:one|edit|step)))?"
    r"(?:\s+(?:to choose|to pick) from)?"
)
_COUNTS = {"a few": 3, "a couple": 2, "a couple of": 2, "some": 3, "several": 4, "a handful of": 4}


def parse_variations(normalized: str) -> int | None:
    """How many candidates "show me three versions" asks for (None: not a variations request)."""
    match = _VARIATIONS.fullmatch(normalized)
    if match is None:
        return None
    word = match["n"]
    if word is None:
        count = 3
    elif word.isdigit():
        count = int(word)
    else:
        count = _COUNTS.get(word) or lx.NUMBER_WORDS.get(word, 3)
    return max(2, min(count, MAX_CANDIDATES))


# --------------------------------------------------------------------------- pick

_PICK_WORD = r"(?P<n>\d+|first|second|third|fourth|fifth|sixth|seventh|eighth|last|one|two|three|four|five|six|seven|eight|1st|2nd|3rd|4th|5th|6th|7th|8th)"
_PICK = re.compile(
    r"(?:(?:i (?:like|prefer|want|choose|pick|love|will take|'ll take|ll take|'d take|d take|would take|'d go with|"
    r"d go with|will go with|ll go with)|(?:let's |let us )?(?:go with|take|pick|choose|select|use|keep|i choose))\s+)?"
    r"(?:the\s+)?(?:(?:number|option|version|variant|variation|candidate|image|picture|#)\s*)?"
    rf"{_PICK_WORD}(?:\s+(?:one|version|option|variant|variation|image|picture))?(?:\s+(?:is best|best|please))?"
)


def pickable(recent_turns: list[Turn], head_id: str | None = None) -> Turn | None:
    """The variations turn a pick would choose from: the latest one that no edit has built upon
    since, or whose choice the session is back at (undo after a pick returns to the choice)."""
    built_upon = False
    for turn in reversed(recent_turns):
        # A pick turn carries the candidates it chose from, so the choice outlives the window of
        # recent turns the parser sees.
        if turn.kind in (TurnKind.VARIATIONS, TurnKind.PICK) and turn.candidate_versions:
            if not built_upon or head_id in (turn.version_id, *turn.candidate_versions):
                return turn
            return None
        if turn.kind in (TurnKind.EDIT, TurnKind.GENERATE, TurnKind.UPLOAD):
            built_upon = True
    return None


def parse_pick(normalized: str, recent_turns: list[Turn], head_id: str | None = None) -> int | None:
    """The 1-based candidate "the second one" names (-1 = the last), when a variations turn is open."""
    turn = pickable(recent_turns, head_id)
    if turn is None:
        return None
    match = _PICK.fullmatch(normalized)
    if match is None:
        return None
    word = match["n"]
    if word.isdigit():
        return int(word)
    if word in lx.ORDINALS:
        return lx.ORDINALS[word]
    return lx.NUMBER_WORDS.get(word)


# --------------------------------------------------------------------------- refine

_IT = r"(?:\s+(?:it|this|that|the image|the picture|the photo|the result|everything))?"
_UPSCALE = re.compile(
    rf"(?:upscale|upsample|upsize|super ?resolve|super-resolve|scale up|enlarge the resolution of|"
    rf"increase the resolution(?: of)?|raise the resolution(?: of)?|boost the resolution(?: of)?){_IT}"
    r"(?:\s+(?:to|by|at))?(?:\s+(?P<f>\d+(?:\.\d+)?)\s*(?:x|times|×|fold))?(?:\s+(?:please|resolution))?"
)
_FACTOR_FIRST = re.compile(rf"(?:(?P<f>\d+(?:\.\d+)?)\s*(?:x|×)\s+(?:upscale|upscaling|super ?resolution)){_IT}")
_PRINT = re.compile(
    rf"(?:make|get|turn|prepare|render|export|upscale|enlarge){_IT}\s+(?:ready for print(?:ing)?|print ready|"
    r"print size|print sized|big enough (?:to|for) print(?:ing)?|large enough (?:to|for) print(?:ing)?|"
    r"(?:bigger|larger) for print(?:ing)?|for print(?:ing)?)|print size|print sized|make a print(?:able)? version"
)
_ENHANCE = re.compile(
    rf"(?:enhance|refine|improve|sharpen up|restore|clean up){_IT}(?:\s+(?:the )?(?:details?|quality|texture|textures))?"
    r"|(?:enhance|improve|refine|bring out) (?:the )?(?:details?|quality|textures?)(?: of (?:it|the image|the picture))?"
    r"|add (?:more )?detail"
)
_STYLES = {
    "watercolor": "watercolor", "watercolour": "watercolor", "a watercolor": "watercolor",
    "a painting": "painting", "painting": "painting", "an oil painting": "oil painting",
    "oil painting": "oil painting", "an oil": "oil painting", "oil": "oil painting", "impressionist": "painting",
    "an impressionist painting": "painting", "a pastel": "pastel", "pastel": "pastel", "pastels": "pastel",
    "a pencil drawing": "pencil", "pencil": "pencil", "a pencil sketch": "pencil", "a comic": "comic",
    "comic": "comic", "a comic book": "comic", "comic book": "comic", "a vintage photo": "vintage",
    "a film photo": "vintage", "a movie still": "cinematic",
}
_STYLE_NAMES = "|".join(sorted((re.escape(k) for k in _STYLES), key=len, reverse=True))
_STYLE = re.compile(
    rf"(?:make{_IT} look like|make{_IT} (?:into|in the style of)|restyle{_IT}(?:\s+(?:as|like|in|into))?|"
    rf"turn{_IT} into|render{_IT} (?:as|like|in)|style{_IT} (?:as|like)|give{_IT} an?|"
    rf"(?:convert|change){_IT} (?:to|into)|in the style of)\s+(?P<style>{_STYLE_NAMES})"
    r"(?:\s+(?:style|look|painting|effect|version))?(?P<degree>\s+(?:a bit|slightly|a little|a lot|strongly))?"
)


def parse_refine(normalized: str) -> IntentClause | None:
    """A whole-image refinement clause, or None when the message asks for none."""
    target = TargetSpec(scope="image", phrase="the image")
    for pattern in (_UPSCALE, _FACTOR_FIRST):
        match = pattern.fullmatch(normalized)
        if match:
            factor = float(match["f"]) if match["f"] else 2.0
            return IntentClause(op=OpKind.REFINE, target=target, params={"mode": "upscale", "factor": factor})
    if _PRINT.fullmatch(normalized):
        return IntentClause(op=OpKind.REFINE, target=target, params={"mode": "upscale", "factor": None,
                                                                     "purpose": "print"})
    if _ENHANCE.fullmatch(normalized):
        return IntentClause(op=OpKind.REFINE, target=target, params={"mode": "sharpen", "strength": 1.0})
    match = _STYLE.fullmatch(normalized)
    if match:
        degree = (match["degree"] or "").strip()
        strength = 0.25 if degree in ("a bit", "slightly", "a little") else 0.55 if degree in ("a lot", "strongly") \
            else 0.4
        return IntentClause(op=OpKind.REFINE, target=target,
                            params={"mode": "style", "style": _STYLES[match["style"]], "strength": strength})
    return None


__all__ = ["background_phrase", "describes_picture", "parse_generation", "parse_pick", "parse_refine", "parse_variations", "pickable"]
