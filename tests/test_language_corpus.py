"""The language corpus (evals/language): the committed artefact, its split, and the scorer.

The parser's accuracy is not asserted here (it changes as the grammar grows); the scorer is checked
on real parses of the offline parser.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from typer.testing import CliRunner

from agents.parsing import OfflineIntentParser
from evals.cli import app
from evals.language.generate import CORPUS, family_sides, generate
from evals.language.models import CorpusLine
from evals.language.run import evaluate, load, parse_one, request_for, select
from evals.language.score import score
from evals.language.templates import TASKS

PARSER = OfflineIntentParser()


@pytest.fixture(scope="module")
def corpus() -> list[CorpusLine]:
    return load()


def line(text: str, ops: list[dict], keep: list[dict] | None = None, task: str = "remove") -> CorpusLine:
    return CorpusLine(id="t.0", text=text, task=task, voice="terse", family="t", split="dev",
                      expected={"ops": ops, "keep": keep or []})


def scored(text: str, ops: list[dict], keep: list[dict] | None = None) -> tuple[bool, bool, bool]:
    item = line(text, ops, keep)
    return score(item, PARSER.parse(request_for(item)))


# --------------------------------------------------------------------------- the artefact

def test_corpus_is_large_and_covers_every_task(corpus):
    assert CORPUS.exists()
    assert len(corpus) >= 2000
    counts = Counter(item.task for item in corpus)
    assert set(counts) == set(TASKS)
    assert min(counts.values()) >= 100, counts
    assert len({item.text.lower() for item in corpus}) == len(corpus)


def test_committed_file_is_what_the_generator_makes(corpus):
    assert [item.model_dump() for item in generate()] == [item.model_dump() for item in corpus]


def test_every_expected_intent_fits_the_contract(corpus):
    for item in corpus:
        intent = item.to_intent()
        assert [c.op.value for c in intent.clauses] == [op.op for op in item.expected.ops]
        for op in item.expected.ops:
            assert op.target.noun is None or op.target.noun == op.target.noun.lower()


def test_many_voices_and_a_fixed_share_of_typos(corpus):
    voices = Counter(item.voice for item in corpus)
    for voice in ("terse", "benchmark", "polite", "question", "idiom", "wish", "filler", "reason", "keep",
                  "correction", "possessive"):
        assert voices[voice] >= 20, voice
    typos = [item for item in corpus if item.typo]
    assert 0.05 <= len(typos) / len(corpus) <= 0.11
    for item in typos:
        bad, good = item.typo.split("<")
        assert bad in item.text and bad.lower() != good.lower() and abs(len(bad) - len(good)) <= 1


def test_noun_vocabulary_is_wide(corpus):
    heads = {noun for item in corpus for noun in item.nouns}
    assert len(heads) >= 200


# --------------------------------------------------------------------------- the split

def test_split_is_deterministic(corpus):
    assert family_sides() == family_sides()
    assert [item.split for item in generate()] == [item.split for item in corpus]
    assert family_sides(seed=13) != family_sides()


def test_split_is_disjoint_by_line_family_and_noun(corpus):
    dev = [item for item in corpus if item.split == "dev"]
    test = [item for item in corpus if item.split == "test"]
    assert 0.35 <= len(test) / len(corpus) <= 0.45
    assert not {i.id for i in dev} & {i.id for i in test}
    assert not {i.text.lower() for i in dev} & {i.text.lower() for i in test}
    assert not {i.family for i in dev} & {i.family for i in test}
    assert not {n for i in dev for n in i.nouns} & {n for i in test for n in i.nouns}
    for task in TASKS:
        assert any(i.task == task for i in dev) and any(i.task == task for i in test), task


def test_limit_is_a_fixed_sample_of_the_split(corpus):
    first = select(corpus, "test", 50)
    assert [i.id for i in first] == [i.id for i in select(corpus, "test", 50)]
    assert len(first) == 50 and all(i.split == "test" for i in first)
    assert len(select(corpus, "all")) == len(corpus)


# --------------------------------------------------------------------------- the scorer

def test_a_right_parse_is_right_at_every_level():
    assert scored("remove the red circle", [{"op": "remove", "target": {"noun": "circle", "colors": ["red"]}}]) == (
        True, True, True)
    assert scored("make the square grey", [{"op": "recolor", "target": {"noun": "square"},
                                            "params": {"color": "gray"}}]) == (True, True, True)
    assert scored("add a star next to the square", [{"op": "insert", "target": {"noun": "star"}, "params": {
        "noun": "star", "relation": {"rel": "next", "anchor": {"noun": "square"}}}}]) == (True, True, True)
    assert scored("make the star bigger", [{"op": "resize", "target": {"noun": "star"},
                                            "params": {"factor": 1.3, "tolerance": 0.3}}]) == (True, True, True)
    assert scored("remove the fire truck", [{"op": "remove", "target": {"noun": "truck"}}]) == (True, True, True)


def test_a_wrong_parse_is_wrong_at_the_right_level():
    remove_square = [{"op": "remove", "target": {"noun": "square"}}]
    assert scored("remove the red circle", remove_square) == (True, False, False)
    assert scored("remove the star and the triangle", [{"op": "remove", "target": {"noun": "star"}}]) == (
        False, False, False)
    assert scored("make the square blue", [{"op": "recolor", "target": {"noun": "square"},
                                            "params": {"color": "red"}}]) == (True, True, False)
    assert scored("make the star bigger", [{"op": "resize", "target": {"noun": "star"},
                                            "params": {"factor": 0.77, "tolerance": 0.23}}]) == (True, True, False)
    assert scored("add a star next to the square", [{"op": "insert", "target": {"noun": "star"}, "params": {
        "noun": "star", "relation": {"rel": "above", "anchor": {"noun": "square"}}}}]) == (True, True, False)
    assert scored("remove the red circle", [{"op": "remove", "target": {"noun": "circle"}}],
                  keep=[{"noun": "square"}]) == (True, True, False)


def test_a_parse_that_raises_is_wrong_and_named():
    result = parse_one(PARSER, line("xyzzy the circle", [{"op": "remove", "target": {"noun": "circle"}}]))
    assert (result.ops, result.target, result.params) == (False, False, False)
    assert result.error is not None and result.error.startswith("UnparseableInstruction")


def test_the_runner_takes_any_parser_object(corpus):
    class Broken:
        def parse(self, request):
            raise RuntimeError("boom")

    results = evaluate(Broken(), corpus[:3])
    assert all(r.error == "crash RuntimeError: boom" and not r.ops for r in results)


def test_cli_writes_the_figures(tmp_path):
    out = tmp_path / "language.json"
    result = CliRunner().invoke(app, ["language", "--split", "test", "--limit", "40", "--json", str(out),
                                      "--failures", "3"])
    assert result.exit_code == 0, result.output
    figures = json.loads(out.read_text())
    assert figures["overall"]["n"] == 40
    assert sum(row["n"] for row in figures["by_task"].values()) == 40
    for row in [figures["overall"], *figures["by_task"].values()]:
        assert row["params"] <= row["target"] <= row["ops"] <= row["n"]
    assert figures["median_ms"] > 0
