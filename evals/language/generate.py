"""The deterministic corpus generator: templates × vocabularies × voices, seeded, with a held-out split.

``python -m evals.language.generate`` rewrites evals/language/corpus.jsonl; the committed file is
the artefact, and the tests check it is exactly what this generator makes. The split holds out
whole template families, noun heads and voice wrappers for test (about 40 %): test lines are not
near-copies of dev lines. Never tune the grammar on test.
"""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path
from typing import Any

from . import templates as tpl
from . import vocab
from .expect import keep_for, ops_for, pronoun_ops
from .models import CorpusLine, Split
from .slots import Draw, Pools

SEED = 12
TEST_FRACTION = 0.4
LINES_PER_TASK = 210
TYPO_RATE = 0.08
CORPUS = Path(__file__).with_name("corpus.jsonl")

TYPO_WORDS = frozenset({
    "remove", "delete", "erase", "change", "replace", "make", "move", "color", "colour", "paint", "please",
    "background", "material", "could", "would", "should", "bigger", "smaller", "shift", "insert", "text",
    "count", "number", "with", "into", "instead", "swap", "blur", "picture", "image", "photo", "the", "add",
    "like", "want", "turn", "put", "place", "larger", "there", "rid", "again", "look", "drag", "slide",
})
_NEIGHBOURS = {"a": "sq", "e": "wr", "i": "uo", "o": "ip", "u": "yi", "r": "et", "t": "ry", "n": "bm",
               "l": "k", "s": "ad", "c": "xv", "m": "n", "h": "gj", "d": "sf", "g": "fh", "k": "jl", "p": "o"}


def _split_list(items: list[Any], key: str, seed: int) -> dict[Split, list[Any]]:
    shuffled = list(items)
    random.Random(f"{seed}:{key}").shuffle(shuffled)
    n_test = round(len(shuffled) * TEST_FRACTION)
    return {"test": shuffled[:n_test], "dev": shuffled[n_test:]}


def family_sides(seed: int = SEED) -> dict[str, Split]:
    """Which side each template family is on: about 40 % of each task's families go to test, one of
    each voice that has several families first, so test holds each such voice."""
    sides: dict[str, Split] = {}
    for task in tpl.TASKS:
        fams = [f.id for f in tpl.families() if f.task == task]
        rng = random.Random(f"{seed}:families:{task}")
        voices: dict[str, list[str]] = {}
        for fid in fams:
            voices.setdefault(fid.split(".")[1], []).append(fid)
        first = [rng.choice(ids) for _, ids in sorted(voices.items()) if len(ids) >= 2]
        rng.shuffle(first)
        rest = [f for f in fams if f not in first]
        rng.shuffle(rest)
        test = set((first + rest)[:round(len(fams) * TEST_FRACTION)])
        sides.update({fid: "test" if fid in test else "dev" for fid in fams})
    return sides


def pools(seed: int = SEED) -> dict[Split, Pools]:
    """The nouns (split by head, within each category) and voice wrappers each side may use."""
    heads: dict[str, list[str]] = {}
    seen: set[str] = set()
    for noun in vocab.nouns():
        if noun.head not in seen:
            seen.add(noun.head)
            heads.setdefault(noun.category, []).append(noun.head)
    test_heads = {h for cat, hs in heads.items() for h in _split_list(hs, f"nouns:{cat}", seed)["test"]}
    lists = {name: _split_list(list(getattr(vocab, name)), name, seed)
             for name in ("POLITE", "FILLER", "REASONS", "FEELINGS")}
    out: dict[Split, Pools] = {}
    sides: tuple[Split, Split] = ("dev", "test")
    for side in sides:
        nouns = [n for n in vocab.nouns() if (n.head in test_heads) == (side == "test")]
        out[side] = Pools(nouns, lists["POLITE"][side], lists["FILLER"][side], lists["REASONS"][side],
                          lists["FEELINGS"][side])
    return out


def _typo(rng: random.Random, text: str, protected: str) -> tuple[str, str] | None:
    """One edit (swap, drop, double, neighbour key) in a verb or common word outside quoted text."""
    spots = [m for m in re.finditer(r"[A-Za-z]+", text)
             if m.group().lower() in TYPO_WORDS and m.group().lower() not in protected.lower()]
    if not spots:
        return None
    m = rng.choice(spots)
    word = m.group()
    i = rng.randrange(1, len(word) - 1) if len(word) > 2 else 1
    kind = rng.choice(("swap", "drop", "double", "key"))
    if kind == "swap" and i < len(word) - 1:
        bad = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "drop":
        bad = word[:i] + word[i + 1:]
    elif kind == "key" and word[i].lower() in _NEIGHBOURS:
        bad = word[:i] + rng.choice(_NEIGHBOURS[word[i].lower()]) + word[i + 1:]
    else:
        bad = word[:i] + word[i] + word[i:]
    if bad.lower() == word.lower():
        return None
    return text[:m.start()] + bad + text[m.end():], f"{bad}<{word}"


def _compound(draw: Draw, template: str, pools_: Pools, rng: random.Random) -> tuple[str, list, list, list]:
    """A message of several clauses drawn from CORE, each with its own slot values."""
    if "{n}" in template:  # a pronoun family: one clause set, the second edits what the first added
        text = draw.fill(template)
        return text, pronoun_ops(draw.vals), keep_for(draw.vals), draw.vals.get("nouns", [])
    slots = sorted(set(re.findall(r"\{(\d)\}", template)))
    tasks = rng.sample(sorted(tpl.CORE), len(slots))
    ops: list = []
    nouns: list = []
    text = template
    for slot, task in zip(slots, tasks, strict=True):
        clause = Draw(rng, pools_, used=draw.used)
        words = clause.fill(rng.choice(tpl.CORE[task]))
        text = text.replace("{" + slot + "}", words, 1)
        ops += ops_for(task, clause.vals)
        nouns += clause.vals.get("nouns", [])
    return draw.fill(text), ops, [], nouns


def _line(family: tpl.Family, side: Split, pools_: Pools, rng: random.Random) -> dict[str, Any]:
    template = rng.choice(family.templates)
    draw = Draw(rng, pools_)
    if family.task == "compound":
        text, ops, keep, nouns = _compound(draw, template, pools_, rng)
    else:
        text = draw.fill(template)
        ops, keep, nouns = ops_for(family.task, draw.vals), keep_for(draw.vals), draw.vals.get("nouns", [])
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;?!])", r"\1", text)
    if rng.random() < 0.25:
        text = text[0].upper() + text[1:]
    typo = None
    if rng.random() < TYPO_RATE:
        quoted = re.findall(r"['\"“]([^'\"”]+)['\"”]", text)
        made = _typo(rng, text, " ".join([*quoted, *(str(draw.vals.get(k, "")) for k in ("old", "new"))]))
        if made:
            text, typo = made
    return {"text": text, "task": family.task, "voice": family.voice, "family": family.id, "split": side,
            "nouns": sorted(set(nouns)), "typo": typo, "expected": {"ops": ops, "keep": keep}}


def generate(seed: int = SEED) -> list[CorpusLine]:
    """The whole corpus, the same for the same seed."""
    sides = family_sides(seed)
    side_pools = pools(seed)
    fams = tpl.families()
    lines: list[CorpusLine] = []
    seen: set[str] = set()
    for family in fams:
        per_family = math.ceil(LINES_PER_TASK / sum(f.task == family.task for f in fams))
        rng = random.Random(f"{seed}:{family.id}")
        side = sides[family.id]
        made = 0
        for _ in range(per_family * 20):
            if made == per_family:
                break
            row = _line(family, side, side_pools[side], rng)
            if row["text"].lower() in seen:
                continue
            seen.add(row["text"].lower())
            lines.append(CorpusLine(id=f"{family.id}.{made:02d}", **row))
            made += 1
    return lines


def write(lines: list[CorpusLine], path: Path = CORPUS) -> Path:
    path.write_text("".join(json.dumps(line.model_dump(mode="json"), ensure_ascii=False) + "\n" for line in lines),
                    encoding="utf-8")
    return path


if __name__ == "__main__":
    corpus = generate()
    print(f"wrote {len(corpus)} lines to {write(corpus)}")
