"""The model back-ends against a real model on a real server: llama.cpp's OpenAI-compatible server
with SmolLM2-135M-Instruct (``make test-local-llm`` installs both and runs these).

A 135M model is often wrong, so these tests do not ask it to be right. They ask what the product
promises whatever the model says: no crash and no untyped error, every reply validated or ended in
ModelOutputError after exactly one repair, the structured-output form the server takes found by
the probe, and the model's calls with their tokens and latency in the trace.
"""

from __future__ import annotations

from collections.abc import Iterator

import cv2
import numpy as np
import pytest

from agents.errors import ModelOutputError
from agents.llm import CallRecord, HybridIntentParser, LLMClient, LLMIntentParser
from agents.types import ParseRequest
from evals import local_llm
from state.errors import RetouchError
from state.models import Intent

pytestmark = pytest.mark.local_llm

MESSAGES = [
    "remove the red circle", "could you make the blue square green please", "make the circle bigger",
    "replace the square with a star", "change the background to a beach", "make the mug look like wood",
    "add two more circles", "change SALE to OPEN", "blur her face a little", "undo that",
    "move the square to the left of the circle", "ugh the circle has to go tbh",
]


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[local_llm.ServerState]:
    """The server ``make local-llm`` left running, or one started for this module on a free port."""
    reason = local_llm.why_not_installed()
    if reason:
        pytest.skip(reason)
    if "local_llm" not in (request.config.getoption("-m") or ""):
        pytest.skip("the local model tests are slow: run them with `make test-local-llm` (pytest -m local_llm)")
    state = local_llm.running()
    if state is not None:
        yield state
        return
    state = local_llm.launch(tmp_path_factory.mktemp("llama"))
    yield state
    local_llm._terminate(state.pid)


def _client(server: local_llm.ServerState) -> LLMClient:
    return LLMClient(base_url=server.base_url, model=server.model, timeout=180.0, max_retries=0)


def _image() -> np.ndarray:
    image = np.full((160, 240, 3), 245, np.uint8)
    cv2.circle(image, (60, 80), 28, (220, 30, 35), -1)
    cv2.rectangle(image, (140, 50), (200, 110), (40, 60, 220), -1)
    return image


def _one_repair_at_most(calls: list[CallRecord], purpose: str) -> None:
    """Each invocation: a valid first reply, or an invalid one then exactly one repair request."""
    mine = [c for c in calls if c.purpose == purpose and not c.error.startswith(("HTTP", "timeout", "connection"))]
    for index, call in enumerate(mine):
        assert call.attempt in (1, 2)
        if call.attempt == 2:
            assert index > 0 and mine[index - 1].attempt == 1 and not mine[index - 1].ok


def test_the_probe_finds_json_mode_with_a_schema(server):
    llm = _client(server)
    records: list[CallRecord] = []
    assert llm.probe(server.model, records) == "json_object_schema"
    first, second = records  # llama.cpp refuses json_schema (HTTP 500) and honours the schema key
    assert (first.mode, first.ok) == ("json_schema", False) and first.error.startswith("HTTP 500")
    assert (second.mode, second.ok) == ("json_object_schema", True) and second.completion_tokens


def test_parser_over_a_dozen_messages_never_crashes(server):
    parser = LLMIntentParser(_client(server))
    outcomes: list[str] = []
    for text in MESSAGES:
        try:
            intent = parser.parse(ParseRequest(text=text, image_size=(240, 160)))
        except RetouchError as error:  # typed: the only way a message may fail
            outcomes.append(type(error).__name__)
            if isinstance(error, ModelOutputError):
                failed = [c for c in parser.last_calls if c.purpose == "parse"]
                assert [(c.attempt, c.ok) for c in failed] == [(1, False), (2, False)]
            continue
        assert isinstance(intent, Intent) and intent.backend == "llm"
        outcomes.append(intent.kind)
        assert parser.last_calls[-1].ok and parser.last_calls[-1].prompt_tokens
    assert len(outcomes) == len(MESSAGES)
    calls = parser.llm.calls
    _one_repair_at_most(calls, "parse")
    assert all(c.mode == "json_object_schema" for c in calls if c.purpose == "parse")
    assert all(c.latency_ms > 0 for c in calls)


def test_hybrid_asks_the_model_only_for_what_the_grammar_refuses(server):
    parser = HybridIntentParser(_client(server))
    intent = parser.parse(ParseRequest(text="remove the red circle", image_size=(240, 160)))
    assert intent.backend == "offline" and parser.last_calls == []
    try:
        parser.parse(ParseRequest(text="kindly zorp the red circle", image_size=(240, 160)))
    except RetouchError:
        pass
    assert [c.purpose for c in parser.last_calls][:1] in (["probe"], ["parse"])
    _one_repair_at_most(parser.last_calls, "parse")


def test_critic_on_a_text_model_judges_from_the_measurements(server):
    from agents.critic import OfflineCritic
    from agents.llm import VLMCritic
    from engines.registry import build_engine_set
    from state import open_store
    from tests.test_llm_backends import _critique_request

    critic = VLMCritic(_client(server), measured=OfflineCritic(build_engine_set("classical"),
                                                               open_store("memory://").images))
    try:
        result = critic.critique(_critique_request([]))
    except ModelOutputError:
        result = None
    assert critic.sees_images is False  # llama.cpp's text model refused the image parts
    refused = next(c for c in critic.last_calls if c.purpose == "critique")
    assert refused.error.startswith("HTTP 500")
    if result is not None:
        assert "cannot see images" in result.feedback and 0.0 <= result.score <= 1.0
    _one_repair_at_most(critic.last_calls, "critique")


def _editor(server: local_llm.ServerState, **choices):
    from graph import Editor, Settings

    return Editor(Settings.load(store="memory://", llm_base_url=server.base_url, llm_model=server.model,
                                llm_timeout_s=180, **choices))


def test_parser_decomposer_and_critic_through_the_graph(server):
    editor = _editor(server, parser="llm", decomposer="llm", critic="vlm")
    session = editor.session()
    errors: list[str] = []
    for index, text in enumerate(MESSAGES[:6]):
        try:
            session.send(text, image=_image() if index == 0 else None)
        except RetouchError as error:
            errors.append(type(error).__name__)
    calls = editor.services.parser.llm.calls
    for purpose in ("parse", "decompose", "critique"):
        _one_repair_at_most(calls, purpose)
    assert {c.purpose for c in calls} >= {"probe", "parse"}
    editor.close()


def test_five_turns_with_the_hybrid_parser_through_the_graph(server, tmp_path):
    from graph.report import write_session_report

    editor = _editor(server, parser="hybrid")
    session = editor.session()
    turns = ["make the red circle blue", "kindly zorp the blue square", "now make the circle bigger",
             "the square has to vamoose, it's blocking the view", "undo"]
    model_steps = []
    for index, text in enumerate(turns):
        try:
            result = session.send(text, image=_image() if index == 0 else None)
        except RetouchError:
            continue
        parse = next(e for e in result.trace.events if e.stage == "parse")
        model_steps += parse.data.get("llm_calls", [])
    assert len(session.history()) >= 3
    assert model_steps and all(c["latency_ms"] > 0 for c in model_steps)
    html = write_session_report(editor.store, session.id, tmp_path / "report.html").read_text()
    if any(c["purpose"] == "parse" and c["ok"] for c in model_steps):
        assert f"model {server.model} parse #1 (json_object_schema)" in html
    editor.close()
