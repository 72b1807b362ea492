"""How the Redis checkpointer names and encodes things: pure functions, no connection.

Keys of one thread, under the store's prefix ``p`` (``T`` is the quoted thread id)::

    {p}:lg:{T}:ck       hash   {m}|c checkpoint, {m}|m metadata, {m}|p parent id, {m}|b its blob fields
    {p}:lg:{T}:order    zset   {m}, score 0: lexical order is namespace, then checkpoint id
    {p}:lg:{T}:blobs    hash   {N}|{channel}|{version} -> the channel's value at that version
    {p}:lg:{T}:writes   hash   {m}|{task}|{idx} -> a pending write
    {p}:lg:{T}:windex   zset   the same fields, score 0, to find a checkpoint's writes by range
    {p}:lg:{T}:runs     hash   {m} -> the run id in the checkpoint's metadata
    {p}:lg:threads      set    thread ids (for listing every thread and deleting runs)

``m`` is ``{N}|{I}``: the quoted namespace and checkpoint id. Every part is percent-quoted, so no
part holds ``|``, a space or a byte that sorts after ``\\xff``. Channel values are stored once per
version (a checkpoint that leaves a channel unchanged refers to the stored value), as LangGraph's
in-memory and Postgres savers do. Values are the serializer's typed pairs, stored as
``type NUL bytes``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote, unquote

from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    PendingWrite,
    SerializerProtocol,
    get_checkpoint_metadata,
    writes_sort_key,
)

from .redis_scripts import THREAD_KEYS


def q(text: str) -> str:
    return quote(str(text), safe="")


def pack(typed: tuple[str, bytes]) -> bytes:
    return typed[0].encode() + b"\0" + typed[1]


def unpack(raw: bytes) -> tuple[str, bytes]:
    kind, _, data = raw.partition(b"\0")
    return kind.decode(), data


def text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


class Layout:
    """Key names under one prefix."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.threads = f"{prefix}:lg:threads"

    def keys(self, thread_id: str) -> list[str]:
        return [f"{self.prefix}:lg:{q(thread_id)}:{name}" for name in THREAD_KEYS]

    def order(self, thread_id: str) -> str:
        return self.keys(thread_id)[1]


def member(ns: str, checkpoint_id: str) -> str:
    return f"{q(ns)}|{q(checkpoint_id)}"


def split_member(m: str) -> tuple[str, str]:
    ns, checkpoint_id = m.split("|")
    return unquote(ns), unquote(checkpoint_id)


def blob_field(ns: str, channel: str, version: Any) -> str:
    return f"{q(ns)}|{q(channel)}|{q(str(version))}"


def configurable(config: Mapping[str, Any]) -> tuple[str, str, str | None]:
    """Thread, namespace and checkpoint id of a config (namespace defaults to the root)."""
    conf = config["configurable"]
    return str(conf["thread_id"]), conf.get("checkpoint_ns") or "", conf.get("checkpoint_id")


def put_args(
    serde: SerializerProtocol, ttl: int, config: Mapping[str, Any], checkpoint: Checkpoint,
    metadata: CheckpointMetadata, new_versions: ChannelVersions,
) -> tuple[str, list[Any], dict[str, Any]]:
    """The thread, the PUT script's arguments and the config ``put`` returns."""
    thread_id, ns, parent = configurable(config)
    stored = checkpoint.copy()
    values: dict[str, Any] = stored.pop("channel_values")  # type: ignore[misc]
    blobs: list[Any] = []
    for channel, version in new_versions.items():
        value = serde.dumps_typed(values[channel]) if channel in values else ("empty", b"")
        blobs += [blob_field(ns, channel, version), pack(value)]
    refs = " ".join(blob_field(ns, c, v) for c, v in stored["channel_versions"].items())
    meta = get_checkpoint_metadata(config, metadata)  # type: ignore[arg-type]
    run_id = meta.get("run_id")
    args = [
        ttl, thread_id, member(ns, checkpoint["id"]), pack(serde.dumps_typed(stored)),
        pack(serde.dumps_typed(meta)), parent or "", refs, "" if run_id is None else str(run_id),
        len(blobs) // 2, *blobs,
    ]
    returned = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint["id"]}}
    return thread_id, args, returned


def put_writes_args(
    serde: SerializerProtocol, ttl: int, config: Mapping[str, Any], writes: Sequence[tuple[str, Any]],
    task_id: str, task_path: str,
) -> tuple[str, list[Any]]:
    thread_id, ns, checkpoint_id = configurable(config)
    if checkpoint_id is None:
        raise ValueError("put_writes needs a config that names its checkpoint (checkpoint_id)")
    m = member(ns, checkpoint_id)
    args: list[Any] = [ttl, len(writes)]
    for position, (channel, value) in enumerate(writes):
        idx = WRITES_IDX_MAP.get(channel, position)
        kind, data = serde.dumps_typed(value)
        header = json.dumps([task_id, channel, task_path, kind, idx]).encode()
        args += [f"{m}|{q(task_id)}|{idx}", header + b"\n" + data, "1" if idx < 0 else "0"]
    return thread_id, args


def to_tuple(serde: SerializerProtocol, thread_id: str, reply: Sequence[Any]) -> CheckpointTuple:
    """A checkpoint tuple from one record the GET scripts return."""
    raw_member, raw_checkpoint, raw_meta, raw_parent, flat_blobs, flat_writes = reply
    ns, checkpoint_id = split_member(text(raw_member))
    checkpoint = serde.loads_typed(unpack(raw_checkpoint))
    blobs = {text(flat_blobs[i]): flat_blobs[i + 1] for i in range(0, len(flat_blobs), 2)}
    values: dict[str, Any] = {}
    for channel, version in checkpoint["channel_versions"].items():
        raw = blobs.get(blob_field(ns, channel, version))
        if raw is None:
            continue
        kind, data = unpack(raw)
        if kind != "empty":
            values[channel] = serde.loads_typed((kind, data))
    checkpoint["channel_values"] = values
    writes: list[tuple[tuple[str, str, int], PendingWrite]] = []
    for i in range(1, len(flat_writes), 2):
        header, _, data = flat_writes[i].partition(b"\n")
        task, channel, task_path, kind, idx = json.loads(header)
        writes.append((writes_sort_key(task_path, task, idx), (task, channel, serde.loads_typed((kind, data)))))
    writes.sort(key=lambda item: item[0])
    parent = text(raw_parent)

    def config_of(cid: str) -> dict[str, Any]:
        return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": cid}}

    return CheckpointTuple(
        config=config_of(checkpoint_id),  # type: ignore[arg-type]
        checkpoint=checkpoint,
        metadata=serde.loads_typed(unpack(raw_meta)),
        parent_config=config_of(parent) if parent else None,  # type: ignore[arg-type]
        pending_writes=[write for _, write in writes],
    )


def list_members(
    raw: Sequence[bytes | str], ns: str | None, before: str | None, only: str | None = None,
) -> list[str]:
    """The members to list, newest first: of one namespace (or all), older than ``before``, or just
    the checkpoint ``only`` when the config names one."""
    found = []
    for m in map(text, raw):
        m_ns, checkpoint_id = split_member(m)
        if (ns is not None and m_ns != ns) or (only is not None and checkpoint_id != only):
            continue
        if before is not None and checkpoint_id >= before:
            continue
        found.append((checkpoint_id, m))
    found.sort(reverse=True)
    return [m for _, m in found]


def matches(metadata: Mapping[str, Any], wanted: Mapping[str, Any] | None) -> bool:
    return not wanted or all(metadata.get(k) == v for k, v in wanted.items())


def next_version(current: str | int | None) -> str:
    """LangGraph's string versions: a zero-padded counter and a random tie-breaker."""
    import random

    number = 0 if current is None else current if isinstance(current, int) else int(str(current).split(".")[0])
    return f"{number + 1:032}.{random.random():016}"
