"""A LangGraph checkpointer on plain Redis (6 and 7: commands and Lua, no RedisJSON or RediSearch).

LangGraph's own Redis saver needs both modules; the session store needs neither, so this one keeps
to what the store uses. Keys live under the store's prefix (:mod:`state.checkpoint.redis_layout`),
each write is one Lua script (a crash or a killed client leaves a checkpoint whole or absent), and
with ``ttl_seconds`` every write and read sets the thread's keys to expire with its session.

Sync methods use a ``redis.Redis``; async methods a ``redis.asyncio.Redis`` made from the URL, one
per event loop (a client belongs to the loop it first ran on). Both retry a dropped connection a
couple of times, which is safe because every script can run twice with the same result. A server
that stays away raises :class:`~state.errors.StoreUnavailable` naming the URL.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import redis
import redis.asyncio
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    SerializerProtocol,
)
from redis.backoff import ExponentialBackoff
from redis.retry import Retry

from ..redis_blobs import redis_errors
from . import redis_layout as lay
from . import redis_scripts as lua

_SCRIPTS = {
    "put": lua.PUT, "put_writes": lua.PUT_WRITES, "get": lua.GET, "get_many": lua.GET_MANY,
    "delete_thread": lua.DELETE_THREAD, "copy_thread": lua.COPY_THREAD,
    "prune": lua.PRUNE_KEEP_LATEST, "delete_for_runs": lua.DELETE_FOR_RUNS,
}
_BATCH = 50  # checkpoints read per round trip when listing


class RedisCheckpointer(BaseCheckpointSaver[str]):
    """Checkpoints, pending writes and channel values of LangGraph threads in Redis.

    ``client`` is a ``redis.Redis`` (``decode_responses=False``) or a URL; ``url`` names the server
    for the async client and for errors (taken from ``client`` when it is a URL).
    """

    def __init__(
        self,
        client: redis.Redis | str,
        *,
        url: str | None = None,
        prefix: str = "retouch",
        ttl_seconds: int | None = None,
        socket_timeout: float = 5,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self._timeout = socket_timeout
        if isinstance(client, str):
            url = url or client
            client = redis.Redis.from_url(client, **self._client_options(Retry))
        if url is None:
            kwargs = client.connection_pool.connection_kwargs
            url = f"redis://{kwargs.get('host', 'localhost')}:{kwargs.get('port', 6379)}/{kwargs.get('db', 0)}"
        self.url = url
        self.client = client
        self.layout = lay.Layout(prefix)
        self.ttl = ttl_seconds or 0
        self._scripts = {name: client.register_script(src) for name, src in _SCRIPTS.items()}
        self._async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, tuple[Any, dict[str, Any]]] = (
            weakref.WeakKeyDictionary()
        )

    def _client_options(self, retry_class: type) -> dict[str, Any]:
        return {
            "socket_timeout": self._timeout, "socket_connect_timeout": min(self._timeout, 1),
            "retry": retry_class(ExponentialBackoff(cap=0.25, base=0.05), retries=2),
        }

    def _aclient(self) -> tuple[redis.asyncio.Redis, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        held = self._async.get(loop)
        if held is None:
            from redis.asyncio.retry import Retry as AsyncRetry

            client = redis.asyncio.Redis.from_url(self.url, **self._client_options(AsyncRetry))
            held = (client, {name: client.register_script(src) for name, src in _SCRIPTS.items()})
            self._async[loop] = held
        return held

    def _run(self, name: str, keys: list[str], args: list[Any], action: str) -> Any:
        with redis_errors(self.url, action):
            return self._scripts[name](keys=keys, args=args)

    async def _arun(self, name: str, keys: list[str], args: list[Any], action: str) -> Any:
        _, scripts = self._aclient()
        with redis_errors(self.url, action):
            return await scripts[name](keys=keys, args=args)

    def close(self) -> None:
        """Close the sync client (when this saver made it from a URL, or owns the store's)."""
        self.client.close()

    async def aclose(self) -> None:
        """Close the async client of the running event loop."""
        held = self._async.pop(asyncio.get_running_loop(), None)
        if held is not None:
            await held[0].aclose()

    # ------------------------------------------------------------------ sync

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id, ns, checkpoint_id = lay.configurable(config)
        args = [self.ttl, f"{lay.q(ns)}|", lay.member(ns, checkpoint_id) if checkpoint_id else ""]
        reply = self._run("get", self.layout.keys(thread_id), args, f"reading thread {thread_id}")
        return lay.to_tuple(self.serde, thread_id, reply) if reply else None

    def list(
        self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None, limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        remaining = limit
        for thread_id, members in self._members(config, before):
            for start in range(0, len(members), _BATCH):
                if remaining is not None and remaining <= 0:
                    return
                batch = members[start:start + _BATCH]
                replies = self._run("get_many", self.layout.keys(thread_id), [self.ttl, *batch],
                                    f"listing thread {thread_id}")
                for reply in replies:
                    found = lay.to_tuple(self.serde, thread_id, reply)
                    if not lay.matches(found.metadata, filter):
                        continue
                    if remaining is not None:
                        if remaining <= 0:
                            return
                        remaining -= 1
                    yield found

    def _members(self, config: RunnableConfig | None, before: RunnableConfig | None) -> Iterator[tuple[str, list[str]]]:
        ns, only, threads = self._scope(config)
        with redis_errors(self.url, "listing threads"):
            if threads is None:
                threads = sorted(lay.text(t) for t in self.client.smembers(self.layout.threads))
        cutoff = before["configurable"].get("checkpoint_id") if before else None
        for thread_id in threads:
            with redis_errors(self.url, f"listing thread {thread_id}"):
                raw = self.client.zrange(self.layout.order(thread_id), 0, -1)
            yield thread_id, lay.list_members(raw, ns, cutoff, only)

    @staticmethod
    def _scope(config: RunnableConfig | None) -> tuple[str | None, str | None, list[str] | None]:
        """Namespace (None: all), checkpoint id (None: all) and threads (None: all) to list."""
        if not config:
            return None, None, None
        conf = config["configurable"]
        return conf.get("checkpoint_ns"), conf.get("checkpoint_id"), [str(conf["thread_id"])]

    def put(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        thread_id, args, returned = lay.put_args(self.serde, self.ttl, config, checkpoint, metadata, new_versions)
        keys = [*self.layout.keys(thread_id), self.layout.threads]
        self._run("put", keys, args, f"saving a checkpoint of thread {thread_id}")
        return returned  # type: ignore[return-value]

    def put_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = "",
    ) -> None:
        thread_id, args = lay.put_writes_args(self.serde, self.ttl, config, writes, task_id, task_path)
        self._run("put_writes", self.layout.keys(thread_id), args, f"saving writes of thread {thread_id}")

    def delete_thread(self, thread_id: str) -> None:
        thread_id = str(thread_id)
        keys = [*self.layout.keys(thread_id), self.layout.threads]
        self._run("delete_thread", keys, [thread_id], f"deleting thread {thread_id}")

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        keys = [*self.layout.keys(str(source_thread_id)), *self.layout.keys(str(target_thread_id)),
                self.layout.threads]
        self._run("copy_thread", keys, [self.ttl, str(target_thread_id)], f"copying thread {source_thread_id}")

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``keep_latest`` keeps each namespace's newest checkpoint and the channel values it
        refers to; ``delete`` removes the threads. (Retouch graphs use no ``DeltaChannel``, whose
        history the newest checkpoint alone would not hold.)"""
        _check_strategy(strategy)
        for thread_id in map(str, thread_ids):
            if strategy == "delete":
                self.delete_thread(thread_id)
            else:
                self._run("prune", self.layout.keys(thread_id), [], f"pruning thread {thread_id}")

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints (and their writes) whose metadata names one of ``run_ids``, in every
        thread; visits each thread once, so run it off the hot path."""
        if not run_ids:
            return
        with redis_errors(self.url, "listing threads"):
            threads = [lay.text(t) for t in self.client.smembers(self.layout.threads)]
        for thread_id in threads:
            keys = [*self.layout.keys(thread_id), self.layout.threads]
            self._run("delete_for_runs", keys, [thread_id, *map(str, run_ids)], f"deleting runs in {thread_id}")

    def get_next_version(self, current: str | None, channel: None) -> str:
        return lay.next_version(current)

    # ------------------------------------------------------------------ async

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        thread_id, ns, checkpoint_id = lay.configurable(config)
        args = [self.ttl, f"{lay.q(ns)}|", lay.member(ns, checkpoint_id) if checkpoint_id else ""]
        reply = await self._arun("get", self.layout.keys(thread_id), args, f"reading thread {thread_id}")
        return lay.to_tuple(self.serde, thread_id, reply) if reply else None

    async def alist(
        self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None, limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        client, _ = self._aclient()
        ns, only, threads = self._scope(config)
        with redis_errors(self.url, "listing threads"):
            if threads is None:
                threads = sorted(lay.text(t) for t in await client.smembers(self.layout.threads))
        cutoff = before["configurable"].get("checkpoint_id") if before else None
        remaining = limit
        for thread_id in threads:
            with redis_errors(self.url, f"listing thread {thread_id}"):
                raw = await client.zrange(self.layout.order(thread_id), 0, -1)
            members = lay.list_members(raw, ns, cutoff, only)
            for start in range(0, len(members), _BATCH):
                if remaining is not None and remaining <= 0:
                    return
                replies = await self._arun("get_many", self.layout.keys(thread_id),
                                           [self.ttl, *members[start:start + _BATCH]], f"listing thread {thread_id}")
                for reply in replies:
                    found = lay.to_tuple(self.serde, thread_id, reply)
                    if not lay.matches(found.metadata, filter):
                        continue
                    if remaining is not None:
                        if remaining <= 0:
                            return
                        remaining -= 1
                    yield found

    async def aput(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        thread_id, args, returned = lay.put_args(self.serde, self.ttl, config, checkpoint, metadata, new_versions)
        keys = [*self.layout.keys(thread_id), self.layout.threads]
        await self._arun("put", keys, args, f"saving a checkpoint of thread {thread_id}")
        return returned  # type: ignore[return-value]

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = "",
    ) -> None:
        thread_id, args = lay.put_writes_args(self.serde, self.ttl, config, writes, task_id, task_path)
        await self._arun("put_writes", self.layout.keys(thread_id), args, f"saving writes of thread {thread_id}")

    async def adelete_thread(self, thread_id: str) -> None:
        thread_id = str(thread_id)
        keys = [*self.layout.keys(thread_id), self.layout.threads]
        await self._arun("delete_thread", keys, [thread_id], f"deleting thread {thread_id}")

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        keys = [*self.layout.keys(str(source_thread_id)), *self.layout.keys(str(target_thread_id)),
                self.layout.threads]
        await self._arun("copy_thread", keys, [self.ttl, str(target_thread_id)], f"copying thread {source_thread_id}")

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        _check_strategy(strategy)
        for thread_id in map(str, thread_ids):
            if strategy == "delete":
                await self.adelete_thread(thread_id)
            else:
                await self._arun("prune", self.layout.keys(thread_id), [], f"pruning thread {thread_id}")

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        if not run_ids:
            return
        client, _ = self._aclient()
        with redis_errors(self.url, "listing threads"):
            threads = [lay.text(t) for t in await client.smembers(self.layout.threads)]
        for thread_id in threads:
            keys = [*self.layout.keys(thread_id), self.layout.threads]
            await self._arun("delete_for_runs", keys, [thread_id, *map(str, run_ids)], f"deleting runs in {thread_id}")


def _check_strategy(strategy: str) -> None:
    if strategy not in ("keep_latest", "delete"):
        raise ValueError(f"unknown prune strategy {strategy!r}: use 'keep_latest' or 'delete'")
