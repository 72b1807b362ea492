"""``python -m evals.language.probe2_build``: write probe2.jsonl, a second independent probe corpus.

Probe 2 measures replacement requests ("could the cat be a dog instead", "rather than the mug, a
teacup", "cat → tiger") and relative counts ("twice as many ducks", "a couple fewer chairs"), said
the many ways people write them. Lines come from templates and noun pairs written for this probe
(mostly nouns the main corpus never uses), one family per way of saying it; families are split
dev/test with a fixed seed, so a test family's phrasing never appears in dev.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from .probe_build import count, dev_families, replace, write_lines

PROBE2 = Path(__file__).with_name("probe2.jsonl")
SEED = 23
PER_FAMILY = 8

# Old → new pairs of one kind each, so the requests read like real edits.
PAIRS = [
    ("cat", "dog"), ("hedgehog", "raccoon"), ("llama", "alpaca"), ("otter", "beaver"), ("peacock", "toucan"),
    ("rhino", "hippo"), ("leopard", "gorilla"), ("lobster", "crab"), ("beagle", "poodle"), ("ostrich", "kangaroo"),
    ("mug", "teacup"), ("goblet", "thermos"), ("vase", "pitcher"), ("chandelier", "lantern"), ("candle", "lamp"),
    ("recliner", "beanbag"), ("futon", "sofa"), ("stool", "chair"), ("bonsai", "orchid"), ("tulip", "rose"),
    ("daffodil", "peony"), ("car", "bicycle"), ("unicycle", "tricycle"), ("sled", "wheelbarrow"),
    ("limousine", "minivan"), ("bulldozer", "trolley"), ("yacht", "gondola"), ("kayak", "canoe"),
    ("hat", "cap"), ("fedora", "beret"), ("bandana", "sombrero"), ("tiara", "crown"), ("scarf", "tie"),
    ("apple", "kiwi"), ("cherry", "lime"), ("papaya", "coconut"), ("croissant", "bagel"), ("cupcake", "pretzel"),
    ("clock", "mirror"), ("painting", "poster"), ("blimp", "zeppelin"), ("rug", "doormat"),
]
ADJECTIVES = ["old", "little", "big", "wooden", "shiny", "tiny", "striped", "fluffy"]
COLORS = ["red", "blue", "green", "yellow", "purple", "orange", "pink", "black", "white", "brown"]
OLD_DETS = ["the", "the", "that", "my", "her", "his", "this"]

# Each family: the templates said that way. {old}/{new} are phrases with determiners ("the old cat",
# "a red dog"); {old_n}/{new_n} are bare nouns; {Old} is {old} capitalised.
REPLACE_FAMILIES: dict[str, list[str]] = {
    "could_be": ["could {old} be {new} instead", "can {old} be {new} instead?", "could you make it so {old} is {new}"],
    "rather_than": ["rather than {old}, {new}", "{new} rather than {old}, please",
                    "rather than {old} i'd like {new}"],
    "prefer": ["I'd prefer {new} to {old}", "i would prefer {new} over {old}", "i'd rather have {new} than {old}"],
    "turn_into": ["turn {old} into {new}", "can you turn {old} into {new}?", "change {old} into {new} please"],
    "arrow": ["{old_n}→{new_n}", "{old_n} -> {new_n}", "{old_n} => {new_n}", "{old_n} → {new}"],
    "make_a": ["make {old} {new}", "make {old} {new} please", "can you make {old} {new}?"],
    "should_be": ["{Old} should be {new}", "I want {old} to be {new}", "i'd like {old} to be {new}"],
    "exchange_for": ["exchange {old} for {new}", "trade {old} for {new}", "trade out {old} for {new}"],
    "use_instead": ["use {new} instead of {old}", "use {new} in place of {old}", "let's use {new} instead of {old}"],
    "put_where": ["put {new} where {old} is", "place {new} where {old} was", "put {new} where {old} is now"],
    "want_not": ["i want {new} not {old}", "{new}, not {old}", "i want {new}, not {old}"],
    "in_place": ["can we have {new} in place of {old}", "{new} in place of {old} please",
                 "could we get {new} in place of {old}?"],
    "remove_then_put": ["get rid of {old} and put in {new}", "remove {old} and put {new} there",
                        "take away {old} and add {new} in its place"],
    "polite": ["would you mind replacing {old} with {new}?", "please could you swap {old} for {new}",
               "if possible, replace {old} with {new}, thanks", "kindly replace {old} with {new}"],
    "reason": ["replace {old} with {new}, it looks out of place", "{old} looks wrong, swap it for {new}",
               "swap {old} for {new} because it fits better", "replace {old} with {new} so it matches the theme"],
    "typos": ["replce {old} with {new}", "swpa {old} for {new}", "repalce {old} wiht {new}",
              "replace {old} with {new} pls", "chnage {old} into {new}"],
    "instead_of_lead": ["instead of {old}, {new}", "instead of {old} put {new}", "{new} instead of {old}"],
    "swap_in": ["swap {new} in for {old}", "swap in {new} for {old}", "swap out {old} and swap in {new}"],
    "change_to": ["change {old} to {new}", "switch {old} to {new}", "could you change {old} to {new}"],
    "substitute": ["substitute {new} for {old}", "substitute {old} with {new}", "sub in {new} for {old}"],
    "passive": ["{Old} needs to be replaced with {new}", "have {old} replaced by {new}",
                "{Old} should be replaced with {new}"],
    "there_should": ["there should be {new} instead of {old}", "there should be {new} where {old} is",
                     "i'd like there to be {new} instead of {old}"],
    "how_about": ["how about {new} instead of {old}?", "what about {new} instead of {old}",
                  "maybe {new} instead of {old}?"],
    "give_me": ["give me {new} instead of {old}", "let's go with {new} instead of {old}",
                "i'd go with {new} instead of {old}"],
    "become": ["let {old} become {new}", "have {old} become {new}", "{Old} could become {new}"],
    "not_but": ["not {old}, {new}", "no {old_n}, {new} instead", "not {old} but {new}"],
}

# Relative counts: (template, params). {pl} is a plural noun phrase, {sg} its singular.
COUNT_FAMILIES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "factor": [("twice as many {pl}", {"factor": 2}), ("double the {pl}", {"factor": 2}),
               ("double the number of {pl}", {"factor": 2}), ("three times as many {pl}", {"factor": 3}),
               ("triple the {pl}", {"factor": 3}), ("make it twice as many {pl}", {"factor": 2}),
               ("i want twice as many {pl}", {"factor": 2}), ("can you double the {pl}?", {"factor": 2})],
    "half": [("half the {pl}", {"factor": 0.5}), ("halve the {pl}", {"factor": 0.5}),
             ("half as many {pl}", {"factor": 0.5}), ("halve the number of {pl}", {"factor": 0.5}),
             ("only half as many {pl} please", {"factor": 0.5}), ("cut the {pl} in half", {"factor": 0.5}),
             ("can we have half as many {pl}", {"factor": 0.5}), ("just half the {pl}", {"factor": 0.5})],
    "couple": [("a couple more {pl}", {"delta": 2}), ("a couple fewer {pl}", {"delta": -2}),
               ("add a couple more {pl}", {"delta": 2}), ("one less {sg}", {"delta": -1}),
               ("a couple of extra {pl}", {"delta": 2}), ("add one more {sg} please", {"delta": 1}),
               ("i want a couple more {pl}", {"delta": 2}), ("two fewer {pl} please", {"delta": -2})],
    "take_away": [("remove two of the {pl}", {"delta": -2}), ("take away one of the {pl}", {"delta": -1}),
                  ("get rid of three of the {pl}", {"delta": -3}), ("lose one of the {pl}", {"delta": -1}),
                  ("delete two of the {pl}", {"delta": -2}), ("take out one of the {pl}", {"delta": -1}),
                  ("remove a couple of the {pl}", {"delta": -2}), ("drop one of the {pl}", {"delta": -1})],
    "prefer": [("I'd prefer five {pl}", {"count": 5}), ("i'd rather have 3 {pl}", {"count": 3}),
               ("i'd prefer four {pl} to two", {"count": 4}), ("let's go with six {pl}", {"count": 6}),
               ("it'd be better with two {pl}", {"count": 2}), ("i'd like seven {pl} instead", {"count": 7}),
               ("rather than three, make it five {pl}", {"count": 5}), ("prefer 4 {pl}", {"count": 4})],
}
COUNT_NOUNS = [("hedgehog", "hedgehogs"), ("teacup", "teacups"), ("orchid", "orchids"), ("kayak", "kayaks"),
               ("lantern", "lanterns"), ("pretzel", "pretzels"), ("peacock", "peacocks"), ("cherry", "cherries"),
               ("beret", "berets"), ("pillow", "pillows"), ("candle", "candles"), ("rose", "roses")]


def _a(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _phrases(rng: random.Random, old_n: str, new_n: str) -> tuple[str, str]:
    old_words = [rng.choice(ADJECTIVES)] if rng.random() < 0.35 else []
    if rng.random() < 0.2:
        old_words.append(rng.choice(COLORS))
    old = " ".join([rng.choice(OLD_DETS), *old_words, old_n])
    new_words = [rng.choice(COLORS)] if rng.random() < 0.3 else []
    new_body = " ".join([*new_words, new_n])
    return old, f"{_a(new_body)} {new_body}"


def _replace_lines(rng: random.Random) -> dict[str, list[tuple[str, list[dict[str, Any]]]]]:
    out: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    for family, templates in sorted(REPLACE_FAMILIES.items()):
        rows = []
        for i in range(PER_FAMILY):
            old_n, new_n = rng.choice(PAIRS)
            if rng.random() < 0.5:
                old_n, new_n = new_n, old_n
            old, new = _phrases(rng, old_n, new_n)
            template = templates[i % len(templates)]
            said_new = new_n if "{new_n}" in template else new
            said_old = old_n if "{old_n}" in template else old
            text = template.format(old=old, new=new, old_n=old_n, new_n=new_n, Old=old[0].upper() + old[1:])
            rows.append((text, [replace(said_old, said_new)]))
        out[f"replace.{family}"] = rows
    return out


def _count_lines(rng: random.Random) -> dict[str, list[tuple[str, list[dict[str, Any]]]]]:
    out: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
    for family, templates in sorted(COUNT_FAMILIES.items()):
        rows = []
        for template, params in templates:
            sg, pl = rng.choice(COUNT_NOUNS)
            said = sg if "{sg}" in template else pl
            rows.append((template.format(sg=sg, pl=pl), [count(said, noun=sg, **params)]))
        out[f"count.{family}"] = rows
    return out


def lines() -> list[dict[str, Any]]:
    """Every probe-2 line; about half of each task's families are dev, chosen by the fixed seed."""
    rng = random.Random(SEED)
    families = {**_replace_lines(rng), **_count_lines(rng)}
    names = sorted(families)
    dev = dev_families(names, rng)
    out = []
    for family in names:
        task = family.split(".")[0]
        for i, (said, ops) in enumerate(families[family]):
            nouns = sorted({o["target"]["noun"] for o in ops} | {o["params"].get("noun") for o in ops} - {None})
            out.append({"id": f"probe2.{family}.{i:02d}", "text": said, "task": task, "voice": family.split(".")[1],
                        "family": f"probe2.{family}", "split": "dev" if family in dev else "test", "nouns": nouns,
                        "typo": None, "expected": {"ops": ops, "keep": []}})
    return out


def write(path: Path = PROBE2) -> int:
    return write_lines(path, lines())


if __name__ == "__main__":
    print(f"written {write()} probe-2 lines to {PROBE2}")
