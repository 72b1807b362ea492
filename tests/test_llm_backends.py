"""The model back-ends over real HTTP: the real ``openai`` client against a scripted local server."""

from __future__ import annotations

import base64
import io
import json
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from agents.critic import CritiqueRequest
from agents.errors import BackendUnavailable, ModelOutputError, UnparseableInstruction
from agents.executor import Execution
from agents.kinds import kind_of
from agents.llm import LLMClient, LLMIntentParser, VLMCritic
from agents.types import ParseRequest
from graph import Editor, Settings
from prompts import PromptError, load_prompt
from state.models import (
    Clarification,
    Constraint,
    ConstraintKind,
    EditOperation,
    Entity,
    OpKind,
    Plan,
    Region,
    TargetSpec,
    Version,
)
from tests.openai_server import ScriptedServer, scripted_session

REMOVE_RED_CIRCLE = {"kind": "edit", "reason": "remove one object",
                     "clauses": [{"op": "remove", "target": {"phrase": "the red circle", "noun": "circle",
                                                             "colors": ["red"]}}]}


def _client(server: ScriptedServer, **options) -> LLMClient:
    options = {"model": "text-model", "timeout": 5.0, "max_retries": 0} | options
    return LLMClient(base_url=server.url + "/v1", api_key="x", **options)


def _system_text(request: dict) -> str:
    return "\n".join(m["content"] for m in request["messages"] if m["role"] == "system")


def _decoded_images(message_content) -> list[Image.Image]:
    images = []
    for part in message_content:
        if part.get("type") == "image_url":
            url = part["image_url"]["url"]
            assert url.startswith("data:image/png;base64,")
            images.append(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
    return images


def _circle_image(size: int = 128) -> np.ndarray:
    image = np.full((size, size, 3), 255, np.uint8)
    cv2.circle(image, (size // 2, size // 2), size // 6, (220, 30, 35), -1)
    return image


def _red_pixels(image) -> int:
    array = np.asarray(image).astype(int)
    return int(((array[..., 0] > 150) & (array[..., 1] < 100) & (array[..., 2] < 100)).sum())


@pytest.fixture
def openai_server():
    yield from scripted_session()


# --------------------------------------------------------------------------- prompts


def test_prompt_loader_fills_placeholders_and_refuses_gaps():
    text = load_prompt("critic", message="remove it", operations="- op1", constraints="(none)")
    assert "remove it" in text and "$" not in text
    with pytest.raises(PromptError, match="missing"):
        load_prompt("critic", message="x", operations="y")
    with pytest.raises(PromptError, match="no prompt template"):
        load_prompt("nonexistent")


# --------------------------------------------------------------------------- client + parser


def test_parser_happy_path_sends_strict_schema_and_records_usage(openai_server):
    llm = _client(openai_server)
    parser = LLMIntentParser(llm)
    openai_server.push_json({**REMOVE_RED_CIRCLE, "clauses": [
        {"op": "remove", "target": {"phrase": "the crimson disc", "noun": "discs", "colors": ["Crimson"]}}]})
    intent = parser.parse(ParseRequest(text="remove the crimson disc", image_size=(128, 128)))

    assert intent.kind == "edit" and intent.backend == "llm"
    (clause,) = intent.clauses
    assert clause.op == OpKind.REMOVE
    # colours in the palette; the noun as said, in the singular, of a kind grounding knows
    assert (clause.target.noun, clause.target.colors) == ("disc", ["red"])
    assert kind_of(clause.target.noun) == "circle"
    (request,) = openai_server.chat_requests()
    assert request["model"] == "text-model"
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and set(schema["required"]) == set(schema["properties"])
    assert "$ref" not in json.dumps(schema)
    assert request["messages"][-1] == {"role": "user", "content": "remove the crimson disc"}
    probe, record = parser.last_calls  # the capability probe comes first, once per model
    assert (probe.purpose, probe.mode, probe.ok) == ("probe", "json_schema", True)
    assert llm.capabilities == {"text-model": "json_schema"}
    assert (record.ok, record.prompt_tokens, record.completion_tokens, record.purpose) == (True, 50, 20, "parse")
    assert record.latency_ms > 0 and llm.calls[-1] == record


def test_parser_resolves_references_to_known_entities_and_repairs_unknown_ids(openai_server):
    head = Version(id="v1", image_ref="ref", width=100, height=100, turn=1, entities=[
        Entity(id="e1", label="blue square", noun="square", attributes={"color": "blue"},
               region=Region(box=(10, 10, 40, 40)), origin="added", created_turn=1, last_turn=1)])
    openai_server.push_json({"kind": "edit", "clauses": [
        {"op": "recolor", "target": {"reference": "it", "entity_ids": ["e7"]}, "params": {"color": "green"}}]})
    openai_server.push_json({"kind": "edit", "clauses": [
        {"op": "recolor", "target": {"reference": "it", "entity_ids": ["e1"]}, "params": {"color": "green"}}]})
    parser = LLMIntentParser(_client(openai_server))
    intent = parser.parse(ParseRequest(text="make it green", head=head, image_size=(100, 100)))

    assert intent.clauses[0].target.entity_ids == ["e1"]
    assert intent.clauses[0].params == {"color": "green"}
    first, second = openai_server.chat_requests()
    assert "e1: blue square" in _system_text(first)  # the entity list is in the prompt
    assert "unknown entity ids ['e7']" in second["messages"][-1]["content"]
    assert [c.ok for c in parser.last_calls if c.purpose == "parse"] == [False, True]


def test_malformed_json_is_repaired_on_the_retry(openai_server):
    parser = LLMIntentParser(_client(openai_server))
    openai_server.push_text('{"kind": "edit", "clauses": [{"op": "remove",')
    openai_server.push_text("```json\n" + json.dumps(REMOVE_RED_CIRCLE) + "\n```")
    intent = parser.parse(ParseRequest(text="remove the red circle"))

    assert intent.clauses[0].target.colors == ["red"]
    first, second = openai_server.chat_requests()
    assert second["messages"][:len(first["messages"])] == first["messages"]
    assert second["messages"][-2]["role"] == "assistant"
    assert "not valid JSON" in second["messages"][-1]["content"]
    assert [(c.attempt, c.ok) for c in parser.last_calls if c.purpose == "parse"] == [(1, False), (2, True)]


def test_malformed_twice_raises_model_output_error(openai_server):
    parser = LLMIntentParser(_client(openai_server))
    openai_server.push_text("I would remove the circle.")
    openai_server.push_json({"kind": "edit", "clauses": [{"op": "recolor", "target": {"noun": "circle"},
                                                          "params": {"color": "chartreuse-ish"}}]})
    with pytest.raises(ModelOutputError, match="twice") as caught:
        parser.parse(ParseRequest(text="remove the red circle"))
    assert "unknown colour 'chartreuse-ish'" in str(caught.value)
    assert len(openai_server.chat_requests()) == 2


def test_unclear_message_is_an_unparseable_instruction(openai_server):
    openai_server.push_json({"kind": "unclear", "reason": "say which object to change"})
    with pytest.raises(UnparseableInstruction, match="say which object"):
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="do the thing"))


def test_answer_to_a_pending_question_picks_a_candidate(openai_server):
    pending = Clarification(
        question="Which circle do you mean?", candidates=[Region(box=(0, 0, 10, 10)), Region(box=(50, 0, 60, 10))],
        candidate_labels=["the red circle on the left", "the red circle on the right"],
        candidate_entity_ids=[None, None], pending_intent={"text": "remove the circle"})
    openai_server.push_json({"kind": "answer", "answer_candidate": 2})
    intent = LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="the right one", pending=pending))
    assert intent.kind == "answer" and intent.answer.ordinal == 2 and intent.answer.ordinal_axis is None
    assert "2. the red circle on the right" in _system_text(openai_server.chat_requests()[0])


def test_timeout_is_backend_unavailable_quickly(openai_server):
    parser = LLMIntentParser(_client(openai_server, timeout=1.0))
    openai_server.push_delay(4.0, REMOVE_RED_CIRCLE)
    started = time.perf_counter()
    with pytest.raises(BackendUnavailable, match="did not answer within 1 s") as caught:
        parser.parse(ParseRequest(text="remove the red circle"))
    assert time.perf_counter() - started < 3.0
    assert openai_server.url in str(caught.value)
    assert parser.last_calls[-1].error == "timeout"


def test_server_error_is_backend_unavailable_with_the_url(openai_server):
    openai_server.push_error(500, "model crashed")
    with pytest.raises(BackendUnavailable, match="HTTP 500") as caught:
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="remove the red circle"))
    assert openai_server.url in str(caught.value) and "model crashed" in str(caught.value)


def test_unreachable_server_is_backend_unavailable():
    llm = LLMClient(base_url="http://127.0.0.1:9/v1", api_key="x", model="m", timeout=1.0, max_retries=0)
    with pytest.raises(BackendUnavailable, match="cannot reach http://127.0.0.1:9/v1"):
        LLMIntentParser(llm).parse(ParseRequest(text="remove the red circle"))


def test_llama_cpp_style_refusal_of_json_schema_steps_down_to_json_object_with_schema(openai_server):
    # llama-cpp-python refuses response_format json_schema with a 500 validation error, not a 400.
    openai_server.rejected_formats.add("json_schema")
    openai_server.rejection_status = 500
    llm = _client(openai_server)
    parser = LLMIntentParser(llm)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    parser.parse(ParseRequest(text="remove the red circle"))
    first_calls = parser.last_calls
    parser.parse(ParseRequest(text="remove the red circle"))

    refused, accepted = openai_server.probe_requests()
    assert refused["response_format"]["type"] == "json_schema"
    assert accepted["response_format"]["type"] == "json_object" and "schema" in accepted["response_format"]
    assert llm.capabilities == {"text-model": "json_object_schema"}
    # The probe's verdicts are in the first turn's records (the trace), the later turn has none.
    assert [(c.purpose, c.mode, c.ok) for c in first_calls] == [
        ("probe", "json_schema", False), ("probe", "json_object_schema", True), ("parse", "json_object_schema", True)]
    assert "HTTP 500" in first_calls[0].error
    assert [c.purpose for c in parser.last_calls] == ["parse"]
    for request in openai_server.chat_requests():
        fmt = request["response_format"]
        assert fmt["type"] == "json_object" and fmt["schema"]["additionalProperties"] is False
        assert fmt["schema"]["required"] == ["kind"] or "required" not in fmt["schema"] or \
            "clauses" not in fmt["schema"]["required"]  # optional fields may be left out
        assert "minimum" not in json.dumps(fmt["schema"]) and "$ref" not in json.dumps(fmt["schema"])


def test_server_that_ignores_the_schema_gets_json_mode_with_the_schema_in_the_prompt(openai_server):
    openai_server.rejected_formats.add("json_schema")
    openai_server.ignored_formats.add("json_object_schema")  # accepted, but decoding is not held to it
    llm = _client(openai_server)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    LLMIntentParser(llm).parse(ParseRequest(text="remove the red circle"))

    assert llm.capabilities == {"text-model": "json_object"}
    (request,) = openai_server.chat_requests()
    assert request["response_format"] == {"type": "json_object"}
    assert '"additionalProperties":false' in request["messages"][-1]["content"]


def test_without_the_probe_a_refusal_steps_down_for_that_schema(openai_server):
    openai_server.rejected_formats.update({"json_schema", "json_object_schema"})
    llm = _client(openai_server, probe=False)
    parser = LLMIntentParser(llm)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    parser.parse(ParseRequest(text="remove the red circle"))
    parser.parse(ParseRequest(text="remove the red circle"))

    assert not openai_server.probe_requests()
    forms = [r.get("response_format", {}).get("type") for r in openai_server.chat_requests()]
    assert forms == ["json_schema", "json_object", "json_object", "json_object"]  # the last two: no refusal
    assert llm.mode_for("text-model", "LLMIntent") == "json_object"


def test_a_500_that_is_no_format_refusal_is_an_outage_even_in_the_probe(openai_server):
    openai_server.rejected_formats.add("json_schema")
    openai_server.rejection_status = 503
    with pytest.raises(BackendUnavailable, match="HTTP 503"):
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="remove the red circle"))
    assert not openai_server.chat_requests()


def test_a_prompt_longer_than_the_context_is_said_plainly(openai_server):
    openai_server.push_error(400, "Requested tokens (5120) exceed context window of 4096")
    with pytest.raises(BackendUnavailable, match="context window.*--n_ctx"):
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="remove the red circle"))
    assert len(openai_server.chat_requests()) == 1  # not retried in weaker forms


def test_sampling_options_a_model_refuses_are_dropped(openai_server):
    openai_server.rejected_params.add("temperature")
    llm = _client(openai_server, max_tokens=256)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    LLMIntentParser(llm).parse(ParseRequest(text="remove the red circle"))
    refused, probed = openai_server.probe_requests()  # the probe meets the refusal first
    (accepted,) = openai_server.chat_requests()
    assert refused["temperature"] == 0.0 and "temperature" not in probed and "temperature" not in accepted
    assert probed["response_format"]["type"] == "json_schema"  # a refused option is no refused form
    assert accepted["max_tokens"] == 256 and accepted["response_format"]["type"] == "json_schema"


def test_parser_shows_the_image_to_a_distinct_vision_model(openai_server):
    from state import open_store

    store = open_store("memory://")
    image = np.zeros((1000, 800, 3), np.uint8)
    ref = store.images.put_image(image)
    head = Version(id="v1", image_ref=ref, width=800, height=1000, turn=0)
    parser = LLMIntentParser(_client(openai_server, vision_model="vision-model"), store.images)
    openai_server.push_json(REMOVE_RED_CIRCLE)
    parser.parse(ParseRequest(text="remove the red circle", head=head, image_size=(800, 1000)))

    (request,) = openai_server.chat_requests()
    assert request["model"] == "vision-model"
    (sent,) = _decoded_images(request["messages"][-1]["content"])
    assert sent.size == (614, 768)


# --------------------------------------------------------------------------- critic


def _critique_request(constraints: list[Constraint]) -> CritiqueRequest:
    before = np.full((900, 600, 3), 255, np.uint8)
    after = before.copy()
    plan = Plan(operations=[EditOperation(id="op1", kind=OpKind.REMOVE,
                                          target=TargetSpec(phrase="the red circle", noun="circle"))])
    return CritiqueRequest(before=before, after=after, after_ref="after", plan=plan,
                           execution=Execution(image_ref="after", width=600, height=900), constraints=constraints,
                           entities_before=[], intent_text="remove the red circle")


def test_critic_request_carries_two_images_and_the_constraints(openai_server):
    constraints = [
        Constraint(id="c1", kind=ConstraintKind.COLOR, entity_id="e2", params={"color": "blue"},
                   description="the square e2 stays blue", set_by_turn=1),
        Constraint(id="c2", kind=ConstraintKind.ABSENT, description="no green star", set_by_turn=1,
                   superseded_by_turn=2),  # not live: not judged
    ]
    critic = VLMCritic(_client(openai_server, vision_model="vision-model"), combine="vlm")
    openai_server.push_json({"observations": "the square turned red", "score": 0.4,
                             "feedback": "the square is no longer blue",
                             "constraints": [{"constraint_id": "c1", "holds": False, "reason": "it is red now"}],
                             "hints": [{"kind": "protect_entities", "op_id": "op1", "entity_ids": ["e2"]}]})
    result = critic.critique(_critique_request(constraints))

    (request,) = openai_server.chat_requests()
    assert request["model"] == "vision-model"
    images = _decoded_images(request["messages"][-1]["content"])
    assert [im.size for im in images] == [(512, 768), (512, 768)]  # both, downscaled to 768 px
    system = request["messages"][0]["content"]
    assert "c1" in system and "the square e2 stays blue" in system and "no green star" not in system
    assert "remove the red circle" in system
    assert request["response_format"]["json_schema"]["name"] == "LLMCritique"
    assert (result.score, result.passed, result.backend) == (0.4, False, "vlm")
    (verdict,) = result.constraints
    assert (verdict.constraint_id, verdict.holds, verdict.entity_id) == ("c1", False, "e2")
    assert result.hints[0].kind == "protect_entities" and result.hints[0].entity_ids == ["e2"]
    assert "no longer blue" in result.feedback


def test_critic_missing_verdict_is_repaired(openai_server):
    constraints = [Constraint(id="c1", kind=ConstraintKind.ABSENT, description="no red circle", set_by_turn=1)]
    critic = VLMCritic(_client(openai_server), combine="vlm")
    openai_server.push_json({"score": 0.95})
    openai_server.push_json({"score": 0.95, "constraints": [{"constraint_id": "c1", "holds": True}]})
    result = critic.critique(_critique_request(constraints))
    assert result.passed and result.constraints[0].holds
    assert "missing: ['c1']" in openai_server.chat_requests()[1]["messages"][-1]["content"]


def test_critic_needs_the_measured_critic_to_combine(openai_server):
    with pytest.raises(ValueError, match="needs the measured critic"):
        VLMCritic(_client(openai_server), combine="min")


# --------------------------------------------------------------------------- whole turns through the graph


def _editor(server: ScriptedServer, **choices) -> Editor:
    return Editor(Settings.load(store="memory://", llm_base_url=server.url + "/v1", llm_api_key="x",
                                llm_model="text-model", llm_timeout_s=10, **choices))


def test_full_turn_with_llm_parser_llm_decomposer_and_vlm_critic(openai_server):
    editor = _editor(openai_server, parser="llm", decomposer="llm", critic="vlm")
    openai_server.push_json(REMOVE_RED_CIRCLE)
    openai_server.push_json({"reasoning": "erase the circle", "operations": [
        {"from_clause": 0, "kind": "remove", "target": {"phrase": "the red circle", "noun": "circle",
                                                        "colors": ["red"]},
         "strategy": {"dilate": 5, "method": None}}]})
    openai_server.push_json({"observations": "the circle is gone", "score": 0.96, "feedback": ""})
    image = _circle_image()
    result = editor.session().send("remove the red circle", image=image)

    assert result.critique.passed and result.critique.backend == "vlm+offline"
    assert result.intent.backend == "llm"
    (op,) = result.plan.operations
    assert op.kind == OpKind.REMOVE and op.strategy["dilate"] == 5 and op.entity_ids  # grounded by the builder
    assert _red_pixels(image) > 1000 and _red_pixels(result.image) == 0
    assert np.abs(np.asarray(result.image).astype(int) - 255).max() < 30  # white where the circle was
    parse, decompose, critique = openai_server.chat_requests()
    assert "red circle box=" in _system_text(decompose)  # the scene's objects, as text
    assert len(_decoded_images(critique["messages"][-1]["content"])) == 2
    calls = editor.services.parser.llm.calls
    assert [c.purpose for c in calls] == ["probe", "parse", "decompose", "critique"] and all(c.ok for c in calls)
    editor.close()


def test_mixed_turn_offline_parser_with_vlm_feedback_loop(openai_server):
    editor = _editor(openai_server, critic="vlm")
    assert editor.services.parser.name == "offline" and editor.services.decomposer.name == "offline"
    openai_server.push_json({"observations": "a faint ring is left", "score": 0.3,
                             "feedback": "the fill does not match the paper around it",
                             "hints": [{"kind": "switch_inpaint", "op_id": "op1", "detail": "visible patch"}]})
    openai_server.push_json({"observations": "clean", "score": 0.93, "feedback": ""})
    result = editor.session().send("remove the red circle", image=_circle_image())

    assert result.critique.passed and result.critique.score == 0.93
    first, second = result.trace.attempts
    assert first.critique.score == 0.3 and not first.critique.passed
    assert "does not match the paper" in first.critique.feedback
    # The VLM's hint, not the generic escalation (which grows the mask), drove the retry.
    assert any("switch inpainting from auto to background" in note for note in second.plan.notes)
    assert (first.plan.operations[0].strategy["method"], second.plan.operations[0].strategy["method"]) == \
        ("auto", "background")
    assert len(openai_server.chat_requests()) == 2
    editor.close()


def test_mixed_turn_llm_parser_with_offline_critic(openai_server):
    editor = _editor(openai_server, parser="llm")
    openai_server.push_json(REMOVE_RED_CIRCLE)
    result = editor.session().send("get rid of that scarlet blob", image=_circle_image())
    assert result.intent.backend == "llm" and result.critique.backend == "offline" and result.critique.passed
    assert _red_pixels(result.image) == 0
    editor.close()


def test_llm_decomposer_sees_vlm_feedback_and_can_give_up(openai_server):
    editor = _editor(openai_server, parser="llm", decomposer="llm", critic="vlm")
    openai_server.push_json(REMOVE_RED_CIRCLE)
    openai_server.push_json({"reasoning": "erase it", "operations": [
        {"from_clause": 0, "kind": "remove", "target": {"noun": "circle", "colors": ["red"]}}]})
    openai_server.push_json({"score": 0.5, "feedback": "a grey smudge is left in the middle",
                             "hints": [{"kind": "switch_inpaint", "op_id": "op1"}]})
    openai_server.push_json({"reasoning": "no better fill is available", "operations": [], "give_up": True})
    result = editor.session().send("remove the red circle", image=_circle_image())

    assert not result.critique.passed and "Best effort" in result.reply
    retry = _system_text(openai_server.chat_requests()[3])
    assert "grey smudge" in retry and "hint switch_inpaint op1" in retry and "round 1" in retry
    assert len(result.trace.attempts) == 1  # the exhausted plan ran nothing new
    editor.close()


# --------------------------------------------------------------------------- the intent contract's new kinds


def test_new_kinds_and_open_noun_phrases_reach_the_intent_contract(openai_server):
    openai_server.push_json({"kind": "edit", "keep": [{"phrase": "the square", "noun": "square"}], "clauses": [
        {"op": "replace", "target": {"phrase": "the painted white leaf pattern", "noun": "patterns",
                                     "modifiers": ["Painted", "leaf"], "colors": ["white"]},
         "params": {"noun": "star", "phrase": "a gold star", "color": "yellow"}},
        {"op": "background", "target": {"phrase": "the background"},
         "params": {"gradient": ["navy", "pink"], "keep": {"phrase": "the cat", "noun": "cat"}}},
        {"op": "count", "target": {"phrase": "balls", "noun": "ball", "plural": True}, "params": {"delta": -1}},
        {"op": "replace_text", "target": {"phrase": "the text", "noun": "text"}, "params": {"new": "OPEN"}},
        {"op": "filter", "target": {"phrase": "the cat's fur", "noun": "fur", "possessor": "cat"},
         "params": {"filter": "blur"}},
    ]})
    intent = LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="a long compound message"))

    replace, background, count, text, fur = intent.clauses
    assert (replace.op, replace.target.noun, replace.target.modifiers) == (OpKind.REPLACE, "pattern", ["painted", "leaf"])
    assert replace.params == {"noun": "star", "phrase": "a gold star", "color": "yellow"}
    assert background.target.scope == "background" and background.params["gradient"] == ["blue", "pink"]
    assert background.params["keep"] == {"phrase": "the cat", "noun": "cat"}
    assert count.op == OpKind.COUNT and count.params == {"delta": -1}
    assert text.params == {"new": "OPEN", "old": ""}
    assert fur.target.possessor == "cat"
    assert [k.noun for k in intent.keep] == ["square"]


def test_a_reply_naming_an_unknown_operation_is_a_model_output_error(openai_server):
    for _ in range(2):
        openai_server.push_json({"kind": "edit", "clauses": [{"op": "paint", "target": {"noun": "circle"}}]})
    with pytest.raises(ModelOutputError, match="clauses.0.op") as caught:
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="paint the circle"))
    assert "'replace_text'" in str(caught.value)  # the error lists the operations there are


@pytest.mark.parametrize("params, problem", [
    ({"gradient": ["red"]}, "exactly two colours"),
    ({"color": "red", "scene": "forest"}, "exactly one of"),
])
def test_background_params_are_checked(openai_server, params, problem):
    for _ in range(2):
        openai_server.push_json({"kind": "edit", "clauses": [{"op": "background", "params": params}]})
    with pytest.raises(ModelOutputError, match=problem):
        LLMIntentParser(_client(openai_server)).parse(ParseRequest(text="change the background"))


def test_the_parser_sends_few_shot_turns_before_the_session():
    from agents.llm.parser import LLMIntent
    from prompts import load_examples

    turns = load_examples("intent_parser")
    assert len(turns) >= 20 and [t["role"] for t in turns[:2]] == ["user", "assistant"]
    for answer in turns[1::2]:  # every example is itself a valid answer
        LLMIntent.model_validate_json(answer["content"])
    from agents.llm.decomposer import LLMPlan

    for answer in load_examples("decomposer")[1::2]:
        LLMPlan.model_validate_json(answer["content"])


# --------------------------------------------------------------------------- the hybrid parser


def _hybrid(server: ScriptedServer):
    from agents.llm import HybridIntentParser

    return HybridIntentParser(_client(server))


def test_hybrid_keeps_what_the_grammar_understands_without_asking_the_model(openai_server):
    parser = _hybrid(openai_server)
    intent = parser.parse(ParseRequest(text="remove the red circle"))
    assert intent.backend == "offline" and intent.clauses[0].op == OpKind.REMOVE
    assert parser.last_calls == [] and openai_server.requests == []


def test_hybrid_asks_the_model_for_what_the_grammar_refuses_and_checks_its_words(openai_server):
    parser = _hybrid(openai_server)
    # The model's first answer names a thing the user never said: one repair round, then accepted.
    openai_server.push_json({"kind": "edit", "clauses": [{"op": "remove", "target": {"phrase": "the dog", "noun": "dog"}}]})
    openai_server.push_json(REMOVE_RED_CIRCLE)
    intent = parser.parse(ParseRequest(text="kindly zorp the red circle"))

    assert intent.backend == "llm" and intent.clauses[0].target.noun == "circle"
    repair = openai_server.chat_requests()[1]["messages"][-1]["content"]
    assert "'the dog' is not in the message" in repair
    assert [(c.purpose, c.ok) for c in parser.last_calls] == [("probe", True), ("parse", False), ("parse", True)]


def test_hybrid_rejects_entities_that_are_gone_and_falls_back_to_the_grammars_error(openai_server):
    head = Version(id="v1", image_ref="ref", width=100, height=100, turn=1, entities=[
        Entity(id="e1", label="blue square", noun="square", region=Region(box=(10, 10, 40, 40)), origin="added",
               created_turn=1, last_turn=1, present=False)])
    for _ in range(2):
        openai_server.push_json({"kind": "edit", "clauses": [
            {"op": "recolor", "target": {"reference": "it", "entity_ids": ["e1"]}, "params": {"color": "green"}}]})
    with pytest.raises(UnparseableInstruction) as caught:
        _hybrid(openai_server).parse(ParseRequest(text="zorp it green", head=head, image_size=(100, 100)))
    assert isinstance(caught.value.__cause__, ModelOutputError)
    assert "no longer in the picture" in str(caught.value.__cause__)


def test_hybrid_parser_through_the_graph_puts_the_model_calls_in_the_html_trace(openai_server, tmp_path):
    from graph.report import write_session_report

    editor = _editor(openai_server, parser="hybrid")
    session = editor.session()
    session.send("make the circle blue", image=_circle_image())  # the grammar's: no model call
    assert openai_server.requests == []
    openai_server.push_json({"kind": "edit", "clauses": [
        {"op": "resize", "target": {"phrase": "the circle", "noun": "circle"}, "params": {"factor": 1.3}}]})
    result = session.send("kindly zorp the circle a bit bigger")

    assert result.intent.backend == "llm" and result.intent.clauses[0].op == OpKind.RESIZE
    parse = next(e for e in result.trace.events if e.stage == "parse")
    assert [c["purpose"] for c in parse.data["llm_calls"]] == ["probe", "parse"]
    html = write_session_report(editor.store, session.id, tmp_path / "report.html").read_text()
    assert "model text-model parse #1 (json_schema), 50+20 tokens, ok" in html
    editor.close()


def test_hybrid_holds_the_model_to_the_verbs_of_the_message(openai_server):
    from agents.llm.hybrid import check_grounded
    from state.models import Intent, IntentClause

    wrong = Intent(text="zorp and make the square blue", clauses=[
        IntentClause(op=OpKind.REMOVE, target=TargetSpec(phrase="the square", noun="square"))])
    with pytest.raises(ValueError, match="'make', which does not mean remove"):
        check_grounded(wrong, ParseRequest(text="zorp and make the square blue"))
    idiom = Intent(text="the square has to vamoose", clauses=[
        IntentClause(op=OpKind.REMOVE, target=TargetSpec(phrase="the square", noun="square"))])
    check_grounded(idiom, ParseRequest(text="the square has to vamoose"))  # no known verb: not held


def test_a_text_only_critic_model_is_told_the_measurements_instead(openai_server):
    from state import open_store

    store = open_store("memory://")
    from agents.critic import OfflineCritic
    from engines.registry import build_engine_set

    critic = VLMCritic(_client(openai_server, max_retries=0), measured=OfflineCritic(build_engine_set("classical"),
                                                                                     store.images))
    # llama.cpp with a text model: the image parts break its chat template
    openai_server.push_error(500, 'can only concatenate str (not "list") to str')
    openai_server.push_json({"score": 0.9, "feedback": "looks fine"})
    result = critic.critique(_critique_request([]))
    openai_server.push_json({"score": 0.8})
    critic.critique(_critique_request([]))  # remembered: no second try with images

    with_images, text_only, later = openai_server.chat_requests()
    assert len(_decoded_images(with_images["messages"][-1]["content"])) == 2
    assert text_only["messages"][-1]["content"].startswith("The images cannot be shown to you")
    assert isinstance(later["messages"][-1]["content"], str) and critic.sees_images is False
    assert "cannot see images" in result.feedback


def test_a_critic_outage_is_not_taken_for_a_text_only_model(openai_server):
    critic = VLMCritic(_client(openai_server, max_retries=0, vision_model="vision-model"), combine="vlm")
    openai_server.push_error(503, "vision-model is loading")
    with pytest.raises(BackendUnavailable, match="HTTP 503"):
        critic.critique(_critique_request([]))
    assert critic.sees_images is None


def test_model_reply_with_a_colour_or_size_taken_from_another_thing(openai_server):
    parser = LLMIntentParser(_client(openai_server))
    openai_server.push_json({**REMOVE_RED_CIRCLE, "clauses": [
        {"op": "recolor", "target": {"phrase": "the circle", "noun": "circle"},
         "params": {"like": {"phrase": "the star", "noun": "stars"}}},
        {"op": "resize", "target": {"phrase": "the circle", "noun": "circle"},
         "params": {"compared_to": {"phrase": "the square", "noun": "square"}, "compare": "smaller"}}]})
    intent = parser.parse(ParseRequest(text="make the circle the colour of the star and smaller than the square",
                                       image_size=(128, 128)))
    recolor, resize = intent.clauses
    assert recolor.params["like"] == {"phrase": "the star", "noun": "star"}
    assert resize.params["relative_to"] == {"anchor": {"phrase": "the square", "noun": "square"}, "compare": "smaller"}


def test_model_reply_placing_a_thing_between_two_others(openai_server):
    parser = LLMIntentParser(_client(openai_server))
    openai_server.push_json({**REMOVE_RED_CIRCLE, "clauses": [
        {"op": "insert", "target": {"phrase": "a star", "noun": "star"},
         "params": {"noun": "star", "relation": {"rel": "between", "anchor": {"phrase": "the cat", "noun": "cat"},
                                                 "also": {"phrase": "the dogs", "noun": "dogs"}}}}]})
    (clause,) = parser.parse(ParseRequest(text="put a star between the cat and the dogs", image_size=(128, 128))).clauses
    assert clause.params["relation"] == {"rel": "between", "anchor": {"phrase": "the cat", "noun": "cat"},
                                         "and": {"phrase": "the dogs", "noun": "dog"}}


def test_model_reply_with_a_shade_keeps_it(openai_server):
    parser = LLMIntentParser(_client(openai_server))
    openai_server.push_json({**REMOVE_RED_CIRCLE, "clauses": [
        {"op": "recolor", "target": {"phrase": "the car", "noun": "car"}, "params": {"color": "Navy"}}]})
    (clause,) = parser.parse(ParseRequest(text="make the car navy", image_size=(128, 128))).clauses
    assert clause.params["color"] == "blue" and clause.params["shade"] == "navy"
