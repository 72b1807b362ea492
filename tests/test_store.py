"""One behaviour suite for every session store: memory, SQLite and Redis (a real redis-server).

Each test runs once per store kind; a store that lacks a feature (only Redis expires idle sessions)
skips that test with the reason.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from state import open_store
from state.blobs import FileBlobStore, MemoryBlobStore
from state.errors import MissingImage, SessionConflict, SessionNotFound, VersionNotFound
from state.memory_store import MemorySessionStore
from state.models import SessionMeta, Turn, TurnKind, Version
from state.redis_blobs import RedisBlobStore
from state.redis_store import RedisSessionStore
from state.sqlite_store import SQLiteSessionStore
from state.store import SessionStore
from tests.store_payloads import commit_edit, make_turn, make_version, new_session

KINDS = ["memory", "sqlite", "redis"]

StoreFactory = Callable[..., SessionStore]


def build_store(kind: str, request: pytest.FixtureRequest, directory: Path, **options) -> SessionStore:
    """A new, empty store of ``kind``; Redis stores get a key prefix of their own."""
    if kind == "memory":
        options.pop("ttl_seconds", None)
        return MemorySessionStore(**options)
    if kind == "sqlite":
        options.pop("ttl_seconds", None)
        return SQLiteSessionStore(directory / f"{uuid.uuid4().hex}.db", **options)
    server = request.getfixturevalue("redis_server")
    return RedisSessionStore.from_url(server.url, prefix=f"t{uuid.uuid4().hex[:12]}", **options)


@pytest.fixture(params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def make_store(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[StoreFactory]:
    made: list[SessionStore] = []

    def make(**options) -> SessionStore:
        store = build_store(kind, request, tmp_path, **options)
        made.append(store)
        return store

    yield make
    for store in made:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> SessionStore:
    return make_store()


def all_blobs(store: SessionStore) -> set[str]:
    """Every blob ref the store's blob store holds."""
    blobs = store.images.blobs
    if isinstance(blobs, MemoryBlobStore):
        return set(blobs._blobs)
    if isinstance(blobs, FileBlobStore):
        return {p.name for p in blobs.root.glob("??/*") if not p.name.startswith(".")}
    assert isinstance(blobs, RedisBlobStore)
    return {k.decode().rsplit(":", 1)[1] for k in blobs.client.scan_iter(match=f"{blobs.prefix}:blob:*")}


def build_history(store: SessionStore, turns: int) -> tuple[SessionMeta, list[Version]]:
    meta, first = new_session(store)
    versions = [first]
    for _ in range(turns):
        meta, version = commit_edit(store, meta)
        versions.append(version)
    return meta, versions


# ---------------------------------------------------------------------------- create, load


def test_create_then_load_gives_the_head_and_no_turns(store: SessionStore) -> None:
    meta, first = new_session(store, title="poster")
    assert store.exists(meta.id)
    snapshot = store.load(meta.id)
    assert snapshot.meta == meta
    assert snapshot.head == first
    assert snapshot.recent_turns == []
    assert store.images.get_array(first.image_ref).shape == (24, 24, 3)


def test_create_with_an_existing_id_conflicts(store: SessionStore) -> None:
    meta, _ = new_session(store)
    with pytest.raises(SessionConflict):
        store.create(SessionMeta(id=meta.id))
    assert store.load(meta.id).meta == meta


def test_unknown_session_raises_session_not_found(store: SessionStore) -> None:
    assert not store.exists("nope")
    for call in (
        lambda: store.load("nope"), lambda: store.turns("nope"), lambda: store.version("nope", "v"),
        lambda: store.export("nope"), lambda: store.delete("nope"),
        lambda: store.commit(SessionMeta(id="nope"), 0, None, []),
    ):
        with pytest.raises(SessionNotFound):
            call()


# ---------------------------------------------------------------------------- commit


def test_commit_writes_turn_version_and_meta_together(store: SessionStore) -> None:
    meta, versions = build_history(store, 3)
    assert meta.revision == 3
    snapshot = store.load(meta.id)
    assert snapshot.meta == meta
    assert snapshot.head == versions[-1]
    assert [t.index for t in snapshot.recent_turns] == [1, 2, 3]
    assert [t.version_id for t in snapshot.recent_turns] == [v.id for v in versions[1:]]
    assert snapshot.recent_turns[-1].trace.events[2].stage == "execute"
    for version in versions:
        assert store.version(meta.id, version.id) == version
    with pytest.raises(VersionNotFound):
        store.version(meta.id, "v-missing")


def test_stale_revision_conflicts_and_writes_nothing(store: SessionStore) -> None:
    meta, _ = build_history(store, 2)
    before = store.export(meta.id)
    stale = meta.model_copy(update={"revision": 1})
    version = make_version(store.images, 3, parent=meta.head)
    with pytest.raises(SessionConflict) as caught:
        store.commit(stale.model_copy(update={"head": version.id, "turn_count": 3}), 1,
                     make_turn(3, meta.head, version.id), [version])
    assert (caught.value.expected, caught.value.actual) == (1, 2)
    assert store.export(meta.id) == before
    # the winner's revision still commits
    assert commit_edit(store, meta)[0].revision == 3


def test_turn_index_must_be_the_next_one(store: SessionStore) -> None:
    meta, _ = build_history(store, 2)
    before = store.export(meta.id)
    for wrong in (2, 4):
        version = make_version(store.images, wrong, parent=meta.head)
        with pytest.raises(ValueError, match="not the next one"):
            store.commit(meta, meta.revision, make_turn(wrong, meta.head, version.id), [version])
    assert store.export(meta.id) == before


def test_meta_only_commit_moves_head_without_a_turn(store: SessionStore) -> None:
    meta, versions = build_history(store, 2)
    undone = meta.model_copy(update={"head": versions[1].id, "redo": [versions[2].id]})
    stored = store.commit(undone, meta.revision, None, [])
    snapshot = store.load(meta.id)
    assert snapshot.meta == stored and snapshot.head == versions[1]
    assert len(store.turns(meta.id)) == 2


# ---------------------------------------------------------------------------- reads


def test_turn_ranges_are_one_based_and_stop_exclusive(store: SessionStore) -> None:
    meta, _ = build_history(store, 7)
    indices = lambda *args: [t.index for t in store.turns(meta.id, *args)]  # noqa: E731
    assert indices() == [1, 2, 3, 4, 5, 6, 7]
    assert indices(3, 5) == [3, 4]
    assert indices(6) == [6, 7]
    assert indices(5, 5) == []
    assert indices(2, 100) == [2, 3, 4, 5, 6, 7]
    assert indices(0, 2) == [1]
    assert indices(8) == []


def test_load_returns_only_the_recent_turns(store: SessionStore) -> None:
    meta, _ = build_history(store, 9)
    assert [t.index for t in store.load(meta.id, recent=3).recent_turns] == [7, 8, 9]
    assert store.load(meta.id, recent=0).recent_turns == []
    assert len(store.load(meta.id, recent=50).recent_turns) == 9


def test_export_holds_the_whole_history(store: SessionStore) -> None:
    meta, versions = build_history(store, 4)
    session = store.export(meta.id)
    assert session.meta == meta
    assert [t.index for t in session.turns] == [1, 2, 3, 4]
    assert session.versions == {v.id: v for v in versions}
    assert session.head == versions[-1]


def test_list_sessions_is_newest_first_and_forgets_deleted(store: SessionStore) -> None:
    first, _ = new_session(store)
    second, _ = new_session(store)
    time.sleep(0.01)
    first, _ = commit_edit(store, first)  # now the most recently updated
    assert [m.id for m in store.list_sessions()] == [first.id, second.id]
    store.delete(first.id)
    assert [m.id for m in store.list_sessions()] == [second.id]


# ---------------------------------------------------------------------------- archives, branches, blobs


@pytest.mark.parametrize("target_kind", KINDS)
def test_archive_moves_a_session_between_stores(
    store: SessionStore, target_kind: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    meta, versions = build_history(store, 3)
    archive = store.export_archive(meta.id, tmp_path / "session.zip")
    target = build_store(target_kind, request, tmp_path)
    try:
        imported = target.import_archive(tmp_path / "session.zip")
        assert imported.id == meta.id and imported.revision == 3
        original, copy = store.export(meta.id), target.export(meta.id)
        assert copy.turns == original.turns and copy.versions == original.versions
        for version in versions:
            assert np.array_equal(target.images.get_array(version.image_ref), store.images.get_array(version.image_ref))
        # importing again into the same store gives a new id rather than overwriting
        again = target.import_archive(archive)
        assert again.id != meta.id and len(target.turns(again.id)) == 3
    finally:
        target.close()


def test_branch_shares_blobs_without_copying(store: SessionStore) -> None:
    meta, versions = build_history(store, 3)
    blobs_before = all_blobs(store)
    branch = store.branch(meta.id, versions[1].id)
    assert all_blobs(store) == blobs_before
    session = store.export(branch.id)
    assert branch.parent_session == meta.id and branch.head == versions[1].id
    assert set(session.versions) == {versions[0].id, versions[1].id}
    assert session.turns == []
    assert store.load(branch.id).head.image_ref == versions[1].image_ref
    # the branch grows on its own; the source does not see it
    grown, _ = commit_edit(store, branch)
    assert len(store.turns(grown.id)) == 1 and len(store.turns(meta.id)) == 3


def test_delete_frees_only_blobs_no_other_session_refers_to(store: SessionStore) -> None:
    meta, versions = build_history(store, 2)
    branch = store.branch(meta.id, versions[1].id)  # holds versions 0 and 1
    own = versions[2].image_ref  # only the source session holds this one
    shared = [versions[0].image_ref, versions[1].image_ref, versions[0].entities[0].region.mask_ref]
    store.delete(meta.id)
    assert not store.exists(meta.id)
    assert not store.images.blobs.has(own)
    assert all(store.images.blobs.has(ref) for ref in shared)
    assert store.load(branch.id).head == versions[1]
    store.delete(branch.id)
    assert not any(store.images.blobs.has(ref) for ref in shared)


# ---------------------------------------------------------------------------- size and expiry


def _history_turn(index: int, base: str, result: str, candidates: list[str] | None = None) -> Turn:
    turn = make_turn(index, base, result, message="undo")
    return turn.model_copy(update={"kind": TurnKind.HISTORY, "candidate_versions": candidates or []})


def test_version_cap_prunes_the_oldest_unprotected_versions(make_store: StoreFactory) -> None:
    store = make_store(max_versions=4)
    meta, v = build_history(store, 6)  # v0 … v6
    kept = lambda: set(store.export(meta.id).versions)  # noqa: E731
    # head v6, turn 6 (v5 → v6) and turn 5 (v4 → v5) are protected; the three oldest go
    assert kept() == {v[3].id, v[4].id, v[5].id, v[6].id}
    assert not any(store.images.blobs.has(x.image_ref) for x in v[:3])
    assert store.images.blobs.has(v[0].entities[0].region.mask_ref)  # still held by the kept versions

    # undo: head v5, v6 on the redo stack
    undo = meta.model_copy(update={"head": v[5].id, "redo": [v[6].id], "turn_count": 7})
    meta = store.commit(undo, meta.revision, _history_turn(7, v[6].id, v[5].id), [])
    # variations from v5 with the redo stack kept: the redo version survives, v3 and v4 go
    c1, c2 = (make_version(store.images, 8, parent=v[5].id) for _ in range(2))
    offer = meta.model_copy(update={"turn_count": 8})
    turn = _history_turn(8, v[5].id, v[5].id, [c1.id, c2.id])
    meta = store.commit(offer, meta.revision, turn, [c1, c2])
    assert kept() == {v[5].id, v[6].id, c1.id, c2.id}

    # a new edit clears the redo stack: now v6 is the oldest unprotected version
    meta, v7 = commit_edit(store, meta)
    assert kept() == {v[5].id, c1.id, c2.id, v7.id}
    assert not store.images.blobs.has(v[6].image_ref)
    assert store.load(meta.id).head == v7
    with pytest.raises(VersionNotFound):
        store.version(meta.id, v[6].id)


def test_version_cap_keeps_the_turn_before_even_past_the_cap(make_store: StoreFactory) -> None:
    store = make_store(max_versions=2)
    meta, v = build_history(store, 2)
    # v0 is the base of turn 1, the turn before the last: kept, so the session holds 3 > 2 versions
    assert set(store.export(meta.id).versions) == {v[0].id, v[1].id, v[2].id}
    meta, v3 = commit_edit(store, meta)
    assert set(store.export(meta.id).versions) == {v[1].id, v[2].id, v3.id}


def test_ttl_expires_an_idle_session_whole(make_store: StoreFactory, kind: str) -> None:
    if kind != "redis":
        pytest.skip(f"the {kind} store keeps sessions until deleted (no TTL)")
    store = make_store(ttl_seconds=1)
    assert isinstance(store, RedisSessionStore)
    meta, versions = build_history(store, 1)
    keys = list(store.client.scan_iter(match=f"{store.prefix}:s:{meta.id}:*"))
    assert len(keys) == 6 and all(0 < store.client.pttl(k) <= 1000 for k in keys)
    time.sleep(0.7)
    store.load(meta.id)  # a load counts as activity: the TTL starts again
    time.sleep(0.7)
    assert store.exists(meta.id)
    time.sleep(1.2)
    assert not store.exists(meta.id)
    assert list(store.client.scan_iter(match=f"{store.prefix}:s:{meta.id}:*")) == []
    assert store.list_sessions() == []
    assert store.collect_garbage() == 3  # two images and the shared mask
    assert all_blobs(store) == set()


# ---------------------------------------------------------------------------- Redis only


@pytest.fixture
def redis_store(redis_server) -> Iterator[RedisSessionStore]:
    store = open_store(redis_server.url, prefix=f"t{uuid.uuid4().hex[:12]}")
    assert isinstance(store, RedisSessionStore)
    yield store
    store.close()


def test_redis_commit_of_a_version_whose_blob_is_missing_writes_nothing(redis_store: RedisSessionStore) -> None:
    meta, _ = new_session(redis_store)
    version = make_version(redis_store.images, 1, parent=meta.head)
    redis_store.images.blobs.delete(version.image_ref)
    before = redis_store.export(meta.id)
    updated = meta.model_copy(update={"head": version.id, "turn_count": 1})
    with pytest.raises(MissingImage, match=version.image_ref):
        redis_store.commit(updated, meta.revision, make_turn(1, meta.head, version.id), [version])
    assert redis_store.export(meta.id) == before


def test_redis_keys_live_under_the_prefix(redis_store: RedisSessionStore) -> None:
    meta, _ = build_history(redis_store, 2)
    keys = {k.decode() for k in redis_store.client.scan_iter(match=f"{redis_store.prefix}:*")}
    session_keys = {k for k in keys if k.startswith(f"{redis_store.prefix}:s:")}
    assert session_keys == {f"{redis_store.prefix}:s:{meta.id}:{n}"
                            for n in ("meta", "turns", "versions", "vorder", "vrefs", "refs")}
    assert f"{redis_store.prefix}:sessions" in keys


def test_redis_store_with_a_blob_dir_keeps_images_in_files(redis_server, tmp_path: Path) -> None:
    store = RedisSessionStore.from_url(redis_server.url, prefix=f"t{uuid.uuid4().hex[:12]}", blob_dir=tmp_path)
    try:
        meta, versions = build_history(store, 1)
        assert isinstance(store.images.blobs, FileBlobStore)
        assert (tmp_path / versions[1].image_ref[:2] / versions[1].image_ref).exists()
        store.delete(meta.id)
        assert all_blobs(store) == set()
    finally:
        store.close()
