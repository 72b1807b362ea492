"""Reference resolution across turns, revisions, "the same for …" and clarification answers.

The dialogue state is built by hand: a head Version with entities and the recent Turns whose intents
say which entities each turn touched.
"""

from __future__ import annotations

import pytest

from agents.errors import UnparseableInstruction
from agents.parsing import OfflineIntentParser, last_added, last_touched
from agents.types import ParseRequest
from state.models import (
    Clarification,
    Entity,
    Intent,
    IntentClause,
    OpKind,
    TargetSpec,
    Turn,
    TurnKind,
    Version,
)

PARSER = OfflineIntentParser()


def entity(eid: str, noun: str, color: str, *, origin: str = "detected", created: int = 0, last: int = 0,
           present: bool = True) -> Entity:
    return Entity(id=eid, label=f"{color} {noun}", noun=noun, attributes={"color": color}, origin=origin,
                  created_turn=created, last_turn=last, present=present)


def edit_turn(index: int, text: str, clauses: list[IntentClause], kind: TurnKind = TurnKind.EDIT) -> Turn:
    return Turn(index=index, message=text, kind=kind, intent=Intent(text=text, clauses=clauses))


def recolor(ids: list[str], color: str, noun: str | None = None) -> IntentClause:
    return IntentClause(op=OpKind.RECOLOR, target=TargetSpec(noun=noun, entity_ids=ids), params={"color": color})


@pytest.fixture
def head() -> Version:
    return Version(id="v3", image_ref="0" * 64, width=200, height=100, turn=3, entities=[
        entity("c1", "circle", "red"),
        entity("s1", "square", "blue", last=1),
        entity("c2", "circle", "green", last=2),
        entity("t1", "star", "yellow", origin="added", created=2, last=2),
        entity("h1", "heart", "pink", origin="added", created=3, last=3),
        entity("gone", "triangle", "red", last=3, present=False),
    ])


@pytest.fixture
def turns() -> list[Turn]:
    return [
        edit_turn(1, "make the square blue", [recolor(["s1"], "blue", "square")]),
        edit_turn(2, "make the circle on the right green", [recolor(["c2"], "green", "circle")]),
    ]


def parse(text: str, head: Version | None = None, turns: list[Turn] | None = None, **kw) -> Intent:
    return PARSER.parse(ParseRequest(text=text, head=head, recent_turns=turns or [], **kw))


def target(intent: Intent, i: int = 0) -> dict:
    spec = intent.clauses[i].target.model_dump(exclude_defaults=True)
    spec.pop("phrase", None)
    return spec


# --------------------------------------------------------------------------- it / them / both


@pytest.mark.parametrize("text", ["make it red", "make that red", "paint this red", "colour it red please",
                                  "make that one red"])
def test_it_is_the_last_touched_entity(text, head, turns):
    intent = parse(text, head, turns)
    assert target(intent) == {"reference": "it", "entity_ids": ["c2"]}
    assert intent.clauses[0].params == {"color": "red"}


def test_it_with_several_touched_keeps_all_ids_singular(head):
    turns = [edit_turn(1, "make the circles blue", [recolor(["c1", "c2"], "blue", "circle")])]
    assert target(parse("remove it", head, turns)) == {"reference": "it", "entity_ids": ["c1", "c2"]}


@pytest.mark.parametrize("text", ["remove them", "delete those", "get rid of these", "remove all of them"])
def test_them_is_plural(text, head):
    turns = [edit_turn(1, "make the circles blue", [recolor(["c1"], "blue"), recolor(["c2"], "blue")])]
    spec = target(parse(text, head, turns))
    assert spec["reference"] == "them"
    assert spec["plural"] is True
    assert spec["entity_ids"] == ["c1", "c2"]


def test_both_needs_exactly_two(head, turns):
    two = [edit_turn(1, "x", [recolor(["c1", "s1"], "blue")])]
    assert target(parse("blur both", head, two)) == {"plural": True, "reference": "both", "entity_ids": ["c1", "s1"]}
    assert target(parse("blur both of them", head, turns)) == {"plural": True, "reference": "both"}


def test_it_skips_history_turns_and_removed_entities(head, turns):
    later = [*turns, Turn(index=3, message="undo", kind=TurnKind.HISTORY,
                          intent=Intent(kind="history", text="undo")),
             edit_turn(4, "remove the triangle", [IntentClause(op=OpKind.REMOVE,
                                                               target=TargetSpec(entity_ids=["gone"]))])]
    # the triangle is gone, so "it" falls back past it; turn 4's own last_turn matches nothing present
    assert target(parse("make it red", head, later))["entity_ids"] == ["c2"]


def test_unresolved_turn_falls_back_to_entity_last_turn(head):
    turns = [edit_turn(3, "add a pink heart", [IntentClause(op=OpKind.INSERT, target=TargetSpec(noun="heart"),
                                                            params={"noun": "heart"})])]
    assert target(parse("move it left", head, turns)) == {"reference": "it", "entity_ids": ["h1"]}


def test_it_without_history_uses_latest_entity_or_nothing(head):
    assert last_touched(head, []) == ["h1"]
    assert target(parse("make it red")) == {"reference": "it"}


# --------------------------------------------------------------------------- added / other


@pytest.mark.parametrize("text,ids", [
    ("remove the one I added", ["h1"]), ("remove the new one", ["h1"]), ("remove the star I added", ["t1"]),
    ("remove the star you added", ["t1"]), ("remove the newly added one", ["h1"]),
    ("remove the added star", ["t1"]), ("remove the thing I just drew", ["h1"]),
])
def test_added(text, ids, head, turns):
    spec = target(parse(text, head, turns))
    assert spec["reference"] == "added"
    assert spec["entity_ids"] == ids


@pytest.mark.parametrize("text,ids", [
    ("remove the one I just added", ["h1"]), ("remove the most recent one", ["h1"]), ("remove the latest one", ["h1"]),
    ("remove the last thing I added", ["h1"]), ("remove what I just added", ["h1"]),
    ("make the new heart purple", ["h1"]), ("remove the heart I just put in", ["h1"]),
    ("remove the star I put in earlier", ["t1"]), ("remove the most recently added star", ["t1"]),
    ("remove the last star I added", ["t1"]), ("make the one I added most recently bigger", ["h1"]),
])
def test_recency_resolves_to_the_latest_addition(text, ids, head, turns):
    spec = target(parse(text, head, turns))
    assert spec["reference"] == "added" and "ordinal" not in spec
    assert spec["entity_ids"] == ids


@pytest.mark.parametrize("text", [
    "add a heart and make the new heart red", "add a heart and make the one I just added red",
    "draw a heart, then color the heart you just drew red",
])
def test_added_in_the_same_message_is_that_insertion(text, head, turns):
    intent = parse(text, head, turns)
    assert [c.op for c in intent.clauses] == [OpKind.INSERT, OpKind.RECOLOR]
    spec = intent.clauses[1].target
    assert spec.reference == "previous" and spec.noun == "heart" and spec.entity_ids == []


def test_colour_only_reference_is_a_target_without_noun(head, turns):
    for text in ("make the red one a bit bigger", "make the red one blue", "remove the red one"):
        assert target(parse(text, head, turns)) == {"colors": ["red"]}


def test_last_added_by_noun(head):
    assert last_added(head, None) == ["h1"]
    assert last_added(head, "star") == ["t1"]
    assert last_added(head, "circle") == []


@pytest.mark.parametrize("text,noun", [("remove the other one", "circle"), ("remove the other circle", "circle"),
                                       ("remove the other square", "square")])
def test_other_excludes_the_last_touched(text, noun, head, turns):
    assert target(parse(text, head, turns)) == {"noun": noun, "reference": "other", "exclude_entity_ids": ["c2"]}


def test_plain_noun_phrase_is_left_for_the_decomposer(head, turns):
    assert target(parse("remove the red circle", head, turns)) == {"noun": "circle", "colors": ["red"]}


def test_relation_anchor_is_resolved(head, turns):
    params = parse("add a star above it", head, turns).clauses[0].params
    assert params["relation"] == {"rel": "above", "anchor": {"phrase": "it", "reference": "it", "entity_ids": ["c2"]}}


# --------------------------------------------------------------------------- the same for …


@pytest.mark.parametrize("text", ["do the same to the square", "same for the square", "and the square too",
                                  "the square as well", "do the same thing for the square", "what about the square"])
def test_same_for_copies_the_last_edit(text, head, turns):
    intent = parse(text, head, turns)
    assert [(c.op, c.params) for c in intent.clauses] == [(OpKind.RECOLOR, {"color": "green"})]
    assert target(intent) == {"noun": "square"}
    assert intent.clauses[0].revision is False


def test_same_for_several_targets_and_clauses(head):
    turns = [edit_turn(1, "make the circle blue and bigger", [
        recolor(["c1"], "blue"), IntentClause(op=OpKind.RESIZE, target=TargetSpec(entity_ids=["c1"]),
                                              params={"factor": 1.3})])]
    intent = parse("same for the star and the heart", head, turns)
    assert [(c.op.value, c.target.noun) for c in intent.clauses] == [
        ("recolor", "star"), ("resize", "star"), ("recolor", "heart"), ("resize", "heart")]


def test_same_without_an_earlier_edit_is_an_error():
    with pytest.raises(UnparseableInstruction, match="no earlier edit"):
        parse("do the same to the square")


# --------------------------------------------------------------------------- revisions


@pytest.mark.parametrize("text", ["actually make it red instead", "no, make it red", "actually, red instead",
                                  "no, red", "Actually red.", "sorry, I meant red", "make it red instead"])
def test_revision_recolor(text, head, turns):
    intent = parse(text, head, turns)
    assert len(intent.clauses) == 1
    clause = intent.clauses[0]
    assert (clause.op, clause.params, clause.revision) == (OpKind.RECOLOR, {"color": "red"}, True)
    assert clause.target.entity_ids == ["c2"]


def test_revision_of_an_insertion_keeps_the_op(head):
    turns = [edit_turn(1, "add a red star at the top", [IntentClause(
        op=OpKind.INSERT, target=TargetSpec(noun="star", colors=["red"]),
        params={"noun": "star", "color": "red", "count": 1, "use_reference": False, "position": "top"})])]
    clause = parse("no, green", head, turns).clauses[0]
    assert clause.op == OpKind.INSERT and clause.revision
    assert clause.params["color"] == "green" and clause.target.colors == ["green"]
    assert clause.params["position"] == "top"
    moved = parse("actually, at the bottom instead", head, turns).clauses[0]
    assert (moved.op, moved.params["position"], moved.params["color"]) == (OpKind.INSERT, "bottom", "red")


@pytest.mark.parametrize("text,op,params", [
    ("actually, make it bigger instead", OpKind.RESIZE, {"factor": 1.3}),
    ("no, bigger", OpKind.RESIZE, {"factor": 1.3}),
    ("actually, a bit blurry instead", OpKind.FILTER, {"filter": "blur", "strength": 0.5}),
    ("no, move it to the left", OpKind.MOVE, {"direction": "left", "amount_px": None, "amount_fraction": None,
                                              "degree": "normal"}),
])
def test_revision_other_ops(text, op, params, head, turns):
    clause = parse(text, head, turns).clauses[0]
    assert (clause.op, clause.params, clause.revision) == (op, params, True)
    assert clause.target.entity_ids == ["c2"]


def test_revision_with_new_target(head, turns):
    clause = parse("no, the square", head, turns).clauses[0]
    assert (clause.op, clause.params, clause.target.noun, clause.revision) == (
        OpKind.RECOLOR, {"color": "green"}, "square", True)


def test_revision_without_history_is_an_error():
    with pytest.raises(UnparseableInstruction, match="no earlier edit"):
        parse("no, green")


# --------------------------------------------------------------------------- clarification answers


@pytest.fixture
def pending() -> Clarification:
    return Clarification(question="Which circle?", candidate_labels=["red circle", "green circle"],
                         candidate_entity_ids=["c1", "c2"], pending_intent=Intent(text="remove the circle"))


@pytest.mark.parametrize("text,answer", [
    ("the left one", {"position": "left"}),
    ("left", {"position": "left"}),
    ("the one at the top", {"position": "top"}),
    ("the bigger one", {"superlative": "largest"}),
    ("the red one", {"colors": ["red"], "entity_ids": ["c1"]}),
    ("the green circle", {"noun": "circle", "colors": ["green"], "entity_ids": ["c2"]}),
    ("the first", {"ordinal": 1, "entity_ids": ["c1"]}),
    ("the second one", {"ordinal": 2, "entity_ids": ["c2"]}),
    ("number 2", {"ordinal": 2, "entity_ids": ["c2"]}),
    ("2", {"ordinal": 2, "entity_ids": ["c2"]}),
    ("#1", {"ordinal": 1, "entity_ids": ["c1"]}),
    ("option 1 please", {"ordinal": 1, "entity_ids": ["c1"]}),
    ("the last one", {"ordinal": -1, "entity_ids": ["c2"]}),
    ("both", {"plural": True, "all": True, "reference": "both", "entity_ids": ["c1", "c2"]}),
    ("both of them", {"plural": True, "all": True, "reference": "both", "entity_ids": ["c1", "c2"]}),
    ("I meant the rightmost one", {"superlative": "rightmost"}),
])
def test_answers(text, answer, pending):
    intent = PARSER.parse(ParseRequest(text=text, pending=pending))
    assert intent.kind == "answer"
    assert intent.answer is not None
    got = intent.answer.model_dump(exclude_defaults=True)
    got.pop("phrase", None)
    assert got == answer


def test_full_instruction_instead_of_an_answer(pending, head, turns):
    intent = PARSER.parse(ParseRequest(text="remove the square", pending=pending, head=head, recent_turns=turns))
    assert intent.kind == "edit" and intent.clauses[0].target.noun == "square"
    assert PARSER.parse(ParseRequest(text="undo", pending=pending)).kind == "history"


def test_unparseable_answer_names_the_word(pending):
    with pytest.raises(UnparseableInstruction) as err:
        PARSER.parse(ParseRequest(text="the wobbly one", pending=pending))
    assert err.value.unknown_words == ["wobbly"]


@pytest.mark.parametrize("text,target,params", [
    ("and the other one black", {"noun": "circle", "reference": "other", "exclude_entity_ids": ["c2"]},
     {"color": "black"}),
    ("and the star yellow", {"noun": "star"}, {"color": "yellow"}),
    ("also the square red", {"noun": "square"}, {"color": "red"}),
    ("and the star a bit bigger", {"noun": "star"}, {"factor": 1.15}),
])
def test_a_further_edit_without_its_verb_repeats_the_last_op(text, target, params, head, turns):
    intent = parse(text, head, turns)
    clause = intent.clauses[0]
    assert len(intent.clauses) == 1 and not clause.revision
    assert target_of(clause) == target and clause.params == params


def target_of(clause: IntentClause) -> dict:
    got = clause.target.model_dump(exclude_defaults=True)
    got.pop("phrase", None)
    return got
