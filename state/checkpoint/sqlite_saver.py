"""The embedded store's checkpointer: LangGraph's official ``SqliteSaver`` on a file of its own.

The official saver is sync only (its async twin needs its own connection and event loop), and it
leaves out LangGraph's optional ``copy_thread``, ``prune`` and ``delete_for_runs``. This subclass
keeps its schema and every method it has, runs the async methods on a worker thread over the same
connection (the saver's lock serialises them), and adds the three missing operations as SQL on the
official tables, each one transaction. The file is a separate database beside the session store's,
so the saver's schema and migrations never meet the store's.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    DeltaChannelHistory,
    SerializerProtocol,
)
from langgraph.checkpoint.sqlite import SqliteSaver

from ..errors import StoreUnavailable

# Rows of the given threads older than their namespace's newest checkpoint.
_NOT_LATEST = """
SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints AS c
WHERE thread_id = ? AND checkpoint_id < (
    SELECT MAX(checkpoint_id) FROM checkpoints AS n
    WHERE n.thread_id = c.thread_id AND n.checkpoint_ns = c.checkpoint_ns)
"""


class SQLiteCheckpointer(SqliteSaver):
    """Checkpoints in one SQLite file; safe to share between threads and processes (WAL)."""

    def __init__(self, path: str | Path, *, timeout: float = 30.0, serde: SerializerProtocol | None = None) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=timeout, check_same_thread=False)
        except (OSError, sqlite3.Error) as exc:
            raise StoreUnavailable(f"cannot open the checkpoint database {self.path}: {exc}") from exc
        super().__init__(conn, serde=serde)

    def close(self) -> None:
        with self.lock:
            self.conn.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        """One transaction, rolled back on any error (the saver's ``cursor()`` commits regardless)."""
        with self.lock:
            self.setup()
            cur = self.conn.cursor()
            try:
                yield cur
                self.conn.commit()
            except BaseException:
                self.conn.rollback()
                raise
            finally:
                cur.close()

    # ------------------------------------------------------------------ the optional operations

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Delete the checkpoints whose metadata names one of ``run_ids``, and their writes."""
        if not run_ids:
            return
        marks = ", ".join("?" for _ in run_ids)
        rows = f"""SELECT thread_id, checkpoint_ns, checkpoint_id FROM checkpoints
                   WHERE json_extract(CAST(metadata AS TEXT), '$.run_id') IN ({marks})"""
        with self._transaction() as cur:
            cur.execute(
                f"DELETE FROM writes WHERE (thread_id, checkpoint_ns, checkpoint_id) IN ({rows})",
                [str(r) for r in run_ids],
            )
            cur.execute(
                f"DELETE FROM checkpoints WHERE (thread_id, checkpoint_ns, checkpoint_id) IN ({rows})",
                [str(r) for r in run_ids],
            )

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copy every checkpoint (the whole parent chain) and every write to another thread."""
        source, target = str(source_thread_id), str(target_thread_id)
        with self._transaction() as cur:
            cur.execute(
                """INSERT OR REPLACE INTO checkpoints
                   (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata)
                   SELECT ?, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata
                   FROM checkpoints WHERE thread_id = ?""",
                (target, source),
            )
            cur.execute(
                """INSERT OR REPLACE INTO writes
                   (thread_id, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value)
                   SELECT ?, checkpoint_ns, checkpoint_id, task_id, task_path, idx, channel, type, value
                   FROM writes WHERE thread_id = ?""",
                (target, source),
            )

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``keep_latest`` keeps each namespace's newest checkpoint (this saver stores channel
        values inside each checkpoint, so the newest one is whole on its own); ``delete`` removes
        the threads."""
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f"unknown prune strategy {strategy!r}: use 'keep_latest' or 'delete'")
        with self._transaction() as cur:
            for thread_id in map(str, thread_ids):
                if strategy == "delete":
                    cur.execute("DELETE FROM writes WHERE thread_id = ?", (thread_id,))
                    cur.execute("DELETE FROM checkpoints WHERE thread_id = ?", (thread_id,))
                    continue
                where = f"(thread_id, checkpoint_ns, checkpoint_id) IN ({_NOT_LATEST})"
                cur.execute(f"DELETE FROM writes WHERE {where}", (thread_id,))
                cur.execute(f"DELETE FROM checkpoints WHERE {where}", (thread_id,))

    # ------------------------------------------------------------------ async, on a worker thread

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(
        self, config: RunnableConfig | None, *, filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None, limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        def collect() -> list[CheckpointTuple]:
            return list(self.list(config, filter=filter, before=before, limit=limit))

        for found in await asyncio.to_thread(collect):
            yield found

    async def aput(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await asyncio.to_thread(self.put, config, checkpoint, metadata, new_versions)

    async def aput_writes(
        self, config: RunnableConfig, writes: Sequence[tuple[str, Any]], task_id: str, task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await asyncio.to_thread(self.copy_thread, source_thread_id, target_thread_id)

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)

    async def aget_delta_channel_history(
        self, *, config: RunnableConfig, channels: Sequence[str]
    ) -> Mapping[str, DeltaChannelHistory]:
        return await asyncio.to_thread(self.get_delta_channel_history, config=config, channels=channels)
