"""Plan approval through the Python API: a turn sent with ``confirm_plan`` waits with its plan,
approve runs it, reject sends feedback to the decomposer for a plan that waits again, and a new
message meanwhile is a typed ``PlanPending``; the pause is read back from the store's checkpointer."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from graph import Editor, Settings, approval
from graph.approval import NoPendingPlan, PlanDecision, PlanPending
from graph.nodes import PlanRejected
from graph.server.errors import status_for
from state import checkpointer_for
from tests.scenes import found, scene

SCENE = scene(("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)))


@pytest.fixture(params=["memory", "sqlite"])
def editor(request: pytest.FixtureRequest, tmp_path: Path):
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'sessions.db'}"
    with Editor(Settings.load(store=url)) as instance:
        yield instance


def approvals(trace) -> list[str]:
    return [event.message for event in trace.events if event.stage == "approve"]


def test_send_waits_with_the_plan_and_approve_runs_it(editor: Editor) -> None:
    session = editor.session()
    waiting = session.send("make the circle yellow", image=SCENE, confirm_plan=True)
    assert waiting.needs_approval and waiting.version_id is None
    pending = waiting.pending_plan
    assert [op.kind for op in pending.operations] == ["recolor"] and pending.turn_index == 1
    assert pending.steps and "yellow" in pending.steps[0]
    assert "approve" in waiting.reply.lower()
    assert session.meta.turn_count == 0 and session.history() == []  # nothing committed yet
    assert session.pending_plan is not None and session.pending_plan.plan == pending.plan

    done = session.approve()
    assert done.pending_plan is None and done.passed is True and done.turn_index == 1
    assert found(done.image, "circle", "yellow") and found(done.image, "square", "blue")
    history = session.history()
    assert len(history) == 1 and approvals(history[0].trace) == ["round 1: plan approved"]
    assert session.pending_plan is None
    with pytest.raises(NoPendingPlan):
        session.approve()
    # without confirm_plan the next turn runs straight through
    assert session.send("make the square green").passed is True
    assert len(session.history()) == 2


def test_a_new_message_while_a_plan_waits_is_plan_pending(editor: Editor) -> None:
    session = editor.session()
    session.send("make the circle yellow", image=SCENE, confirm_plan=True)
    for attempt in (lambda: session.send("make the square red"), session.undo,
                    lambda: list(session.stream("make the square red"))):
        with pytest.raises(PlanPending) as caught:
            attempt()
        assert caught.value.code == "plan_pending" and status_for(caught.value) == 409
        message = str(caught.value)
        assert "approve" in message and "reject" in message and f"/sessions/{session.id}/plan" in message
    assert session.history() == []
    assert session.approve().passed is True


def test_reject_sends_feedback_for_a_new_plan_that_waits_again(editor: Editor) -> None:
    session = editor.session()
    first = session.send("make the circle yellow", image=SCENE, confirm_plan=True).pending_plan
    again = session.reject("not that yellow, a warmer one")
    assert again.needs_approval and again.pending_plan.plan.round == first.plan.round + 1
    assert session.history() == []
    done = session.approve()
    assert done.passed is True and found(done.image, "circle", "yellow")
    [turn] = session.history()
    assert approvals(turn.trace) == ["round 1: plan rejected: not that yellow, a warmer one", "round 2: plan approved"]
    decompose = [e for e in turn.trace.events if e.stage == "decompose"]
    assert len(decompose) == 2  # the rejection went back to the decomposer


def test_rejecting_every_plan_ends_the_turn_with_nothing_changed(editor: Editor) -> None:
    session = editor.session()
    session.send("make the circle yellow", image=SCENE, confirm_plan=True)
    with pytest.raises(PlanRejected) as caught:
        for _ in range(10):  # the offline planner runs out of other plans after a few
            session.reject("no")
    assert caught.value.code == "plan_rejected"
    assert session.pending_plan is None
    # as after any failed message, only the image that came with it is kept
    assert [turn.kind for turn in session.history()] == ["upload"]
    assert found(session.image, "circle", "red")
    assert session.send("make the square green").passed is True  # the session is usable again


def test_stream_ends_with_a_plan_event_and_decide_streams_the_rest(editor: Editor) -> None:
    session = editor.session()
    events = list(session.stream("make the circle yellow", image=SCENE, confirm_plan=True))
    last = events[-1]
    assert last.stage == "plan" and last.data["waiting"] is True and last.result.needs_approval
    assert last.data["plan"]["operations"][0]["kind"] == "recolor"
    assert "done" not in [event.stage for event in events]
    rest = list(session.decide(True))
    stages = [event.stage for event in rest]
    assert stages[0] == "approve" and {"operation", "critique", "commit"} <= set(stages) and stages[-1] == "done"
    assert rest[-1].result.passed is True


def test_confirm_plan_from_settings_and_resume_values_in_every_form(tmp_path: Path) -> None:
    with Editor(Settings.load(store="memory://", confirm_plan=True)) as editor:
        session = editor.session()
        assert session.send("make the circle yellow", image=SCENE).needs_approval
        assert session.send.__doc__ and session.approve().passed is True
        assert session.send("make the square red", confirm_plan=False).passed is True
    assert PlanDecision.of("yes").approve and PlanDecision.of(True).approve
    assert not PlanDecision.of({"approve": False, "feedback": "bluer"}).approve
    assert PlanDecision.of({"approved": True}).approve and PlanDecision.of({"approve": False, "feedback": "x"}).feedback == "x"


def test_the_pause_is_stored_before_it_is_reported(tmp_path: Path) -> None:
    """Another editor on the same file (its own store, checkpointer and connection) sees the plan
    the moment send returns, and approves it; the first editor's handle then sees it decided."""
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    with Editor(Settings.load(store=url)) as first, Editor(Settings.load(store=url)) as second:
        assert checkpointer_for(first.store) is not checkpointer_for(second.store)
        session = first.session()
        session.send("make the circle yellow", image=SCENE, confirm_plan=True)
        other = second.session(session.id)
        assert other.pending_plan is not None and other.pending_plan.operations[0].kind == "recolor"
        assert other.approve().passed is True
        assert session.pending_plan is None and len(session.history()) == 1
        with pytest.raises(NoPendingPlan):
            session.approve()


def test_two_approvals_at_once_commit_the_turn_once(tmp_path: Path) -> None:
    """Two editors (as two HTTP workers would) approve the same plan at the same moment: whichever
    order they run in, the turn is committed once and the other approval is told why it did not."""
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    with Editor(Settings.load(store=url)) as first, Editor(Settings.load(store=url)) as second:
        session_id = first.session().id
        first.session(session_id).send("make the circle yellow", image=SCENE, confirm_plan=True)
        start, outcomes = threading.Barrier(2), []

        def approve(editor: Editor) -> None:
            start.wait(10)
            try:
                outcomes.append(editor.session(session_id).approve().version_id)
            except NoPendingPlan as exc:  # decided by the other one first, or while this one ran
                outcomes.append(exc.code)

        threads = [threading.Thread(target=approve, args=(editor,)) for editor in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        history = first.session(session_id).history()
        assert len(history) == 1 and history[0].version_id in outcomes
        assert sorted(outcomes, key=len) == sorted([history[0].version_id, "no_pending_plan"], key=len)


def test_deleting_a_session_deletes_its_turn_checkpoints(editor: Editor) -> None:
    session = editor.session()
    session.send("make the circle yellow", image=SCENE)
    session.send("make the square red", confirm_plan=True)
    threads = [f"{session.id}:1", f"{session.id}:2"]
    assert all(editor.checkpointer.get_tuple({"configurable": {"thread_id": t}}) for t in threads)
    editor.delete_session(session.id)
    assert not any(editor.checkpointer.get_tuple({"configurable": {"thread_id": t}}) for t in threads)


def test_a_run_on_a_thread_that_holds_an_earlier_run_starts_clean(editor: Editor) -> None:
    """Two writers can start on the same turn's thread (both read the turn count before either
    commits): the later run must not take the earlier one's result image for an upload."""
    session = editor.session()
    first = session.send("make the circle yellow", image=SCENE)
    thread = approval.thread_config(session.id, 1)  # the thread turn 1 ran on, holding its final state
    inputs = editor._inputs(session.id, "make the square green", None, None, None, (), None)
    editor.graph.invoke(inputs, thread, context=editor._context(), durability="exit")
    second = session.history()[-1]
    assert second.index == 2 and second.base_version == first.version_id
    assert session.head.parent == first.version_id  # no 'uploaded' copy of turn 1's image in between


def test_plans_of_every_shape_resume_in_another_editor_with_their_types(tmp_path: Path, caplog) -> None:
    """Removal, a geometric edit, an insertion with a reference image, a drawn box and a generated
    picture each pause, and another editor (a fresh checkpointer) rebuilds their state from the
    checkpoint with the allow-listed types only: nothing is blocked or left a plain dict."""
    url = f"sqlite:///{tmp_path / 'sessions.db'}"
    logo = np.zeros((40, 40, 3), np.uint8)
    logo[:, :, 1] = 200
    cases = [("remove the red circle", {"image": SCENE}), ("move the square to the left", {}),
             ("add this logo at the top left", {"reference_images": [logo]}),
             ("remove this", {"box": (190, 80, 280, 170)})]
    with Editor(Settings.load(store=url)) as first, Editor(Settings.load(store=url)) as second:
        session = first.session()
        for text, options in cases:
            assert session.send(text, confirm_plan=True, **options).needs_approval, text
            pending = second.session(session.id).pending_plan
            assert pending.intent is not None and pending.trace.events, text  # rebuilt as models
            assert second.session(session.id).approve().version_id is not None, text
        drawn = first.session()
        assert drawn.send("draw a red balloon over a green hill at sunset", confirm_plan=True).needs_approval
        assert second.session(drawn.id).approve().kind == "generate"
    assert len(session.history()) == len(cases)
    assert not [r for r in caplog.records if "deserializ" in r.getMessage().lower()]


def test_a_waiting_plan_can_be_discarded(editor: Editor) -> None:
    session = editor.session()
    session.send("make the circle yellow", image=SCENE, confirm_plan=True)
    discarded = session.discard_plan()
    assert discarded.operations[0].kind == "recolor" and session.pending_plan is None
    [kept] = session.history()  # the image that came with the message is kept, as after a failure
    assert kept.kind == "upload" and "plan_discarded" in kept.reply
    with pytest.raises(NoPendingPlan):
        session.discard_plan()
    assert session.send("make the square green").passed is True


def test_a_thread_that_keeps_its_state_between_turns_keeps_the_conversation(tmp_path: Path) -> None:
    """As in Studio: two turns on one thread. The first turn's result image (an output, left in the
    thread's state) is not taken for a new upload, so "it" still means the square."""
    from langgraph.checkpoint.memory import InMemorySaver

    from graph.builder import build_graph
    from graph.state import Context

    graph = build_graph().compile(checkpointer=InMemorySaver())
    thread, context = {"configurable": {"thread_id": "studio"}}, Context(store=f"sqlite:///{tmp_path / 's.db'}")
    path = tmp_path / "scene.png"
    Image.fromarray(SCENE).save(path)
    first = graph.invoke({"message": "make the square green", "image": str(path)}, thread, context=context)
    second = graph.invoke({"session_id": first["session_id"], "message": "now make it bigger"}, thread, context=context)
    assert second["passed"] is True and second["reply"].startswith("Done: scaled it"), second["reply"]
    with Editor(Settings.load(store=context.store)) as editor:
        turns = editor.session(first["session_id"]).history()
        assert turns[1].base_version == turns[0].version_id
        assert turns[1].plan.operations[0].entity_ids == turns[0].plan.operations[0].entity_ids  # the square
