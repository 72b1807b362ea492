"""The checkpointers of the session stores: LangGraph's conformance suite, interrupts that survive.

``langgraph-checkpoint-conformance`` is LangGraph's own contract for a ``BaseCheckpointSaver``. It
runs here per capability against the Redis saver (its async methods, and its sync methods through
an adapter), the SQLite saver and, for the base capabilities it has, LangGraph's in-memory saver.
Then a small graph that pauses on ``interrupt`` checks what the product needs: a paused run is
resumed by another saver on the same store, also after redis-server is killed and restarted.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import BASE_CAPABILITIES, Capability
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import END, START, StateGraph
from langgraph.types import Command, interrupt
from typing_extensions import TypedDict

from state import MemorySessionStore, SQLiteSessionStore, StoreUnavailable, open_store
from state.checkpoint import checkpoint_path, checkpointer_for
from state.checkpoint.redis_saver import RedisCheckpointer
from state.checkpoint.sqlite_saver import SQLiteCheckpointer
from tests.redis_server import RedisServer

ALL = [c.value for c in Capability]
BASE = sorted(c.value for c in BASE_CAPABILITIES)


def conformance(registered: Any, capability: str) -> None:
    """Run one capability's suite; it must be declared and every one of its tests must pass."""
    report = asyncio.run(validate(registered, capabilities={capability}))
    result = report.results[capability]
    assert result.detected, f"{registered.name} does not declare {capability}"
    assert result.failures == [] and result.passed is True, result.failures
    assert result.tests_passed > 0 and result.tests_failed == 0


class SyncDrivenRedis(RedisCheckpointer):
    """The Redis saver whose async methods call its sync ones, so the suite checks those too."""

    async def aget_tuple(self, config):
        return self.get_tuple(config)

    async def alist(self, config, *, filter=None, before=None, limit=None) -> AsyncIterator[Any]:
        for found in self.list(config, filter=filter, before=before, limit=limit):
            yield found

    async def aput(self, config, checkpoint, metadata, new_versions):
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(self, config, writes, task_id, task_path=""):
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id):
        self.delete_thread(thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]):
        self.delete_for_runs(run_ids)

    async def acopy_thread(self, source_thread_id, target_thread_id):
        self.copy_thread(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids, *, strategy="keep_latest"):
        self.prune(thread_ids, strategy=strategy)


def prefix() -> str:
    return f"t{uuid.uuid4().hex[:12]}"


# ---------------------------------------------------------------------------- conformance


@pytest.mark.redis
@pytest.mark.parametrize("capability", ALL)
@pytest.mark.parametrize("driven", ["async", "sync"])
def test_redis_saver_conforms(redis_server: RedisServer, capability: str, driven: str) -> None:
    kind = RedisCheckpointer if driven == "async" else SyncDrivenRedis

    @checkpointer_test(name=f"RedisCheckpointer ({driven} methods)")
    async def factory():
        saver = kind(redis_server.url, prefix=prefix(), ttl_seconds=3600)
        yield saver
        await saver.aclose()
        saver.close()

    conformance(factory, capability)


@pytest.mark.parametrize("capability", ALL)
def test_sqlite_saver_conforms(tmp_path: Path, capability: str) -> None:
    @checkpointer_test(name="SQLiteCheckpointer")
    async def factory():
        saver = SQLiteCheckpointer(tmp_path / f"{uuid.uuid4().hex}.checkpoints.db")
        yield saver
        saver.close()

    conformance(factory, capability)


@pytest.mark.parametrize("capability", BASE)
def test_memory_saver_conforms_on_its_base_capabilities(capability: str) -> None:
    # LangGraph's InMemorySaver has no copy_thread, prune or delete_for_runs; the memory store
    # lives and dies with its process, so it needs none of them.
    @checkpointer_test(name="InMemorySaver")
    async def factory():
        yield InMemorySaver()

    conformance(factory, capability)


# ---------------------------------------------------------------------------- a graph that pauses


class Flow(TypedDict, total=False):
    plan: str
    approved: bool
    ran: list[str]


def _plan(state: Flow) -> Flow:
    return {"plan": f"recolor {state.get('plan', 'the square')}"}


def _confirm(state: Flow) -> Flow:
    return {"approved": bool(interrupt({"plan": state["plan"]}))}


def _run(state: Flow) -> Flow:
    return {"ran": [state["plan"]] if state["approved"] else []}


def paused_graph(saver: Any) -> Any:
    builder = StateGraph(Flow)
    builder.add_node("plan", _plan)
    builder.add_node("confirm", _confirm)
    builder.add_node("run", _run)
    builder.add_edge(START, "plan")
    builder.add_edge("plan", "confirm")
    builder.add_edge("confirm", "run")
    builder.add_edge("run", END)
    return builder.compile(checkpointer=saver)


def thread() -> dict[str, Any]:
    return {"configurable": {"thread_id": uuid.uuid4().hex}}


def pause(saver: Any, config: dict[str, Any]) -> None:
    result = paused_graph(saver).invoke({"plan": "the square"}, config, durability="sync")
    assert result["__interrupt__"][0].value == {"plan": "recolor the square"}


def assert_resumes(saver: Any, config: dict[str, Any]) -> None:
    graph = paused_graph(saver)
    assert graph.get_state(config).next == ("confirm",)
    result = graph.invoke(Command(resume=True), config, durability="sync")
    assert result["ran"] == ["recolor the square"] and "__interrupt__" not in result
    assert graph.get_state(config).next == ()


@pytest.fixture(params=["memory", "sqlite", "redis"])
def store_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "redis":
        request.applymarker(pytest.mark.redis)
    return request.param


def make_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path, **options: Any) -> Any:
    if kind == "memory":
        return MemorySessionStore()
    if kind == "sqlite":
        return SQLiteSessionStore(tmp_path / "sessions.db")
    return open_store(request.getfixturevalue("redis_server").url, prefix=prefix(), **options)


def test_a_paused_run_resumes_through_a_second_handle_on_the_store(
    store_kind: str, request: pytest.FixtureRequest, tmp_path: Path,
) -> None:
    store = make_store(store_kind, request, tmp_path)
    config = thread()
    pause(checkpointer_for(store), config)
    if store_kind == "memory":
        other = checkpointer_for(store)  # one process: the same saver
        assert other is checkpointer_for(store)
    elif store_kind == "sqlite":
        other = checkpointer_for(SQLiteSessionStore(tmp_path / "sessions.db"))
    else:
        other = checkpointer_for(open_store(store.url, prefix=store.prefix))
    assert_resumes(other, config)


@pytest.mark.redis
def test_an_async_run_pauses_and_resumes_on_redis(redis_server: RedisServer) -> None:
    store = open_store(redis_server.url, prefix=prefix())
    config = thread()

    async def scenario() -> None:
        saver = checkpointer_for(store)
        graph = paused_graph(saver)
        paused = await graph.ainvoke({"plan": "the circle"}, config, durability="sync")
        assert paused["__interrupt__"][0].value == {"plan": "recolor the circle"}
        done = await graph.ainvoke(Command(resume=False), config, durability="sync")
        assert done["ran"] == [] and done["approved"] is False
        history = [s async for s in graph.aget_state_history(config)]
        assert [s.metadata["step"] for s in history] == sorted((s.metadata["step"] for s in history), reverse=True)
        await saver.aclose()

    asyncio.run(scenario())


@pytest.mark.redis
def test_a_paused_run_survives_redis_being_killed(fresh_redis_server: RedisServer) -> None:
    config = thread()
    store_prefix = prefix()
    saver = RedisCheckpointer(fresh_redis_server.url, prefix=store_prefix)
    pause(saver, config)
    fresh_redis_server.kill()
    with pytest.raises(StoreUnavailable, match=str(fresh_redis_server.port)):
        saver.get_tuple(config)
    fresh_redis_server.restart()  # replays the AOF (appendfsync always)
    assert_resumes(RedisCheckpointer(fresh_redis_server.url, prefix=store_prefix), config)


# ---------------------------------------------------------------------------- Redis keys


def saver_keys(saver: RedisCheckpointer) -> set[str]:
    return {k.decode() for k in saver.client.scan_iter(match=f"{saver.layout.prefix}:*")}


@pytest.mark.redis
def test_redis_keys_sit_under_the_store_prefix_and_expire_with_its_sessions(redis_server: RedisServer) -> None:
    store = open_store(redis_server.url, prefix=prefix(), ttl_seconds=600)
    saver = checkpointer_for(store)
    assert isinstance(saver, RedisCheckpointer) and saver.ttl == 600
    config = thread()
    pause(saver, config)
    keys = saver_keys(saver)
    assert keys and all(k.startswith(f"{store.prefix}:lg:") for k in keys)
    expiring = keys - {saver.layout.threads}
    ck, order, blobs, writes, windex, _runs = saver.layout.keys(config["configurable"]["thread_id"])
    assert {ck, order, blobs, writes, windex} <= expiring <= set(saver.layout.keys(config["configurable"]["thread_id"]))
    assert all(0 < store.client.ttl(k) <= 600 for k in expiring)


@pytest.mark.redis
def test_redis_prune_keeps_the_latest_state_and_only_the_values_it_uses(redis_server: RedisServer) -> None:
    saver = RedisCheckpointer(redis_server.url, prefix=prefix())
    config = thread()
    pause(saver, config)
    graph = paused_graph(saver)
    graph.invoke(Command(resume=True), config, durability="sync")
    before = graph.get_state(config)
    blobs_key = saver.layout.keys(config["configurable"]["thread_id"])[2]
    stored_before = saver.client.hlen(blobs_key)
    saver.prune([config["configurable"]["thread_id"]])
    after = graph.get_state(config)
    assert after.values == before.values and after.config == before.config
    assert len(list(saver.list(config))) == 1
    assert 0 < saver.client.hlen(blobs_key) < stored_before
    saver.delete_thread(config["configurable"]["thread_id"])
    assert saver_keys(saver) == set()


# ---------------------------------------------------------------------------- the factory


class NotAStore:
    """Anything that is not one of the three stores."""


def test_each_store_gets_its_own_kind_of_saver_and_keeps_it(tmp_path: Path) -> None:
    memory = MemorySessionStore()
    assert isinstance(checkpointer_for(memory), InMemorySaver)
    assert checkpointer_for(memory) is checkpointer_for(memory)
    assert checkpointer_for(MemorySessionStore()) is not checkpointer_for(memory)
    sqlite = SQLiteSessionStore(tmp_path / "sessions.db")
    saver = checkpointer_for(sqlite)
    assert isinstance(saver, SQLiteCheckpointer)
    assert saver.path == checkpoint_path(sqlite.path) == tmp_path / "sessions.checkpoints.db"
    assert isinstance(checkpointer_for(f"sqlite:///{tmp_path / 'other.db'}"), SQLiteCheckpointer)
    with pytest.raises(TypeError, match="no checkpointer"):
        checkpointer_for(NotAStore())  # type: ignore[arg-type]


def test_state_imports_nothing_from_the_layers_above_it() -> None:
    code = (
        "import sys, state, state.checkpoint.redis_saver, state.checkpoint.sqlite_saver\n"
        "above = sorted(m for m in sys.modules if m.split('.')[0] in {'agents', 'graph', 'engines', 'evals'})\n"
        "assert not above, above\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])
