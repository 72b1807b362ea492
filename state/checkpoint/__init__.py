"""LangGraph checkpointers that live where each session store lives.

A graph compiled with one can pause (``interrupt``, e.g. plan approval) and resume later, in this
process or another one that opens the same store:

- :class:`~state.memory_store.MemorySessionStore`: LangGraph's ``InMemorySaver`` (this process only);
- :class:`~state.sqlite_store.SQLiteSessionStore`: LangGraph's official SQLite saver on a database of
  its own beside the store's file (``sessions.db`` → ``sessions.checkpoints.db``);
- :class:`~state.redis_store.RedisSessionStore`: :class:`RedisCheckpointer`, plain Redis under the
  store's key prefix, expiring with the store's sessions.

The savers are imported on first use, so importing :mod:`state` stays light.
"""

from __future__ import annotations

import threading
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langgraph.checkpoint.base import BaseCheckpointSaver

    from ..store import SessionStore

_SAVERS: weakref.WeakKeyDictionary[Any, BaseCheckpointSaver] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def checkpoint_path(store_path: str | Path) -> Path:
    """Where the SQLite checkpointer of the store at ``store_path`` keeps its database."""
    return Path(store_path).with_suffix(".checkpoints.db")


def checkpointer_for(store: SessionStore | str, **options: Any) -> BaseCheckpointSaver:
    """The checkpointer that belongs with ``store`` (a store, or a store URL for ``open_store``).

    The same store always gets the same saver, so a turn paused through one handle is found by
    another; ``options`` go to :func:`state.open_store` when ``store`` is a URL.
    """
    if isinstance(store, str):
        from .. import open_store

        store = open_store(store, **options)
    with _LOCK:
        saver = _SAVERS.get(store)
        if saver is None:
            saver = _build(store)
            _SAVERS[store] = saver
    return saver


def _build(store: Any) -> BaseCheckpointSaver:
    from ..memory_store import MemorySessionStore
    from ..sqlite_store import SQLiteSessionStore

    if isinstance(store, MemorySessionStore):
        from langgraph.checkpoint.memory import InMemorySaver

        return InMemorySaver()
    if isinstance(store, SQLiteSessionStore):
        from .sqlite_saver import SQLiteCheckpointer

        return SQLiteCheckpointer(checkpoint_path(store.path))
    from ..redis_store import RedisSessionStore

    if isinstance(store, RedisSessionStore):
        from .redis_saver import RedisCheckpointer

        return RedisCheckpointer(store.client, url=store.url, prefix=store.prefix,
                                 ttl_seconds=store.ttl_seconds or None)
    raise TypeError(f"no checkpointer for a {type(store).__name__}: expected a memory, SQLite or Redis store")


def __getattr__(name: str) -> Any:
    if name == "RedisCheckpointer":
        from .redis_saver import RedisCheckpointer

        return RedisCheckpointer
    if name == "SQLiteCheckpointer":
        from .sqlite_saver import SQLiteCheckpointer

        return SQLiteCheckpointer
    raise AttributeError(name)


__all__ = ["RedisCheckpointer", "SQLiteCheckpointer", "checkpoint_path", "checkpointer_for"]
