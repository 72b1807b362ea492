"""Engines served by Ray Serve on a real two-node cluster on loopback (tests/ray_cluster.py).

The same five-turn dialogue through the Ray EngineSet and in process gives bit-identical images; a
replica killed mid-call is retried on another replica (named in the trace) or ends the turn with
EngineUnavailable, never with a lost or doubled turn; an unreachable cluster is a clear error.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from engines.base import EngineUnavailable
from graph import Editor
from tests.api_workers import api_workers, head_image, send
from tests.ray_cluster import ray_available, ray_cluster  # noqa: F401  (the session fixture)
from tests.redis_server import free_port
from tests.scenes import scene

pytestmark = [pytest.mark.ray, pytest.mark.skipif(not ray_available(), reason="needs ray[serve]")]

THREE = (("circle", "red", (30, 90, 100, 160)), ("square", "blue", (200, 90, 270, 160)),
         ("triangle", "green", (120, 10, 190, 75)))
DIALOGUE = ["remove the green triangle", "make the red circle yellow", "move the blue square down by 40 pixels",
            "make the circle bigger", "add text 'SALE' at the top"]


def _dialogue(engines) -> list[np.ndarray]:
    with Editor(store="memory://", engines=engines) as editor:
        session = editor.session()
        return [np.asarray(session.send(text, image=scene(*THREE) if index == 0 else None).image)
                for index, text in enumerate(DIALOGUE)]


def _op_engines(result) -> list[str]:
    return [op["engine"] for event in result.trace.events if event.stage == "execute" for op in event.data["ops"]]


def test_five_turns_over_ray_are_bit_identical_to_one_process(ray_cluster) -> None:  # noqa: F811
    served = _dialogue(f"ray://{ray_cluster.address}")
    local = _dialogue("classical")
    assert len(served) == len(local) == 5
    for index, (a, b) in enumerate(zip(served, local, strict=True)):
        assert a.shape == b.shape and np.array_equal(a, b), f"turn {index + 1} differs"


def test_engines_behind_handles_report_their_deployment(ray_cluster) -> None:  # noqa: F811
    with Editor(store="memory://", engines=f"ray://{ray_cluster.address}") as editor:
        names = editor.engine_names
        result = editor.session().send("remove the green triangle", image=scene(*THREE))
    assert names["inpainter"] == names["grounder"] == "ray:classical"
    assert _op_engines(result) == ["ray:classical"]


def test_replica_killed_mid_call_is_retried_on_another(ray_cluster) -> None:  # noqa: F811
    with Editor(store="memory://", engines=f"ray://{ray_cluster.address}") as editor:
        session = editor.session()
        session.send("make the blue square red", image=scene(*THREE))
        ray_cluster.arm(1)
        outcome: dict = {}
        turn = threading.Thread(target=lambda: outcome.update(result=session.send("remove the green triangle")))
        turn.start()
        try:
            held = ray_cluster.held(1)
            ray_cluster.kill(held[0]["actor"])
        finally:
            ray_cluster.release()
            turn.join(timeout=120)
        result = outcome["result"]
        assert any("retried on another replica" in name for name in _op_engines(result))
        assert [t.index for t in editor.store.turns(session.id, 1, 100)] == [1, 2]  # nothing lost or doubled
        after = session.send("make the red circle green")
        assert after.turn_index == 3


def test_second_loss_is_engine_unavailable_and_the_next_turn_works(ray_cluster) -> None:  # noqa: F811
    with Editor(store="memory://", engines=f"ray://{ray_cluster.address}") as editor:
        session = editor.session()
        session.send("make the blue square red", image=scene(*THREE))
        ray_cluster.arm(2)
        outcome: dict = {}

        def send() -> None:
            try:
                outcome["result"] = session.send("remove the green triangle")
            except EngineUnavailable as exc:
                outcome["error"] = exc

        turn = threading.Thread(target=send)
        turn.start()
        try:
            first = ray_cluster.held(1)[0]["actor"]
            ray_cluster.kill(first)
            ray_cluster.kill(next(h["actor"] for h in ray_cluster.held(2) if h["actor"] != first))
        finally:
            ray_cluster.release()
            turn.join(timeout=120)
        assert "error" in outcome and "lost its replica twice" in str(outcome["error"])
        assert outcome["error"].code == "engine_unavailable"
        assert [t.index for t in editor.store.turns(session.id, 1, 100)] == [1]  # the failed turn wrote nothing
        after = session.send("remove the green triangle")  # Serve has started new replicas
        assert after.turn_index == 2


def test_unreachable_cluster_names_the_address() -> None:
    address = f"127.0.0.1:{free_port()}"
    with pytest.raises(EngineUnavailable, match=address):
        Editor(store="memory://", engines=f"ray://{address}")


def test_two_api_workers_over_one_redis_give_the_images_of_one_process(ray_cluster, redis_server,  # noqa: F811
                                                                      tmp_path) -> None:
    """Two `retouch serve` processes take turns on one session; every turn's image equals the one
    the same turn gives with the classical engines in this process."""
    local = _dialogue("classical")
    with api_workers(2, redis_server.url, f"ray://{ray_cluster.address}", tmp_path,
                     prefix=f"workers{uuid.uuid4().hex[:8]}") as workers:
        clients = [worker.client() for worker in workers]
        session_id = clients[0].post("/sessions").json()["id"]
        served = []
        for index, text in enumerate(DIALOGUE):
            by, other = clients[index % 2], clients[(index + 1) % 2]
            response = send(by, session_id, text, scene(*THREE) if index == 0 else None)
            assert response.status_code == 200, response.text
            assert response.json()["turn_index"] == index + 1
            served.append(head_image(other, session_id))  # the other worker sees the turn at once
        history = clients[1].get(f"/sessions/{session_id}/history").json()["turns"]
    assert [turn["index"] for turn in history] == [1, 2, 3, 4, 5]
    for index, (a, b) in enumerate(zip(served, local, strict=True)):
        assert a.shape == b.shape and np.array_equal(a, b), f"turn {index + 1} differs"


def test_turns_racing_through_two_workers_commit_once_each(ray_cluster, redis_server, tmp_path) -> None:  # noqa: F811
    """The same session, one message at each worker at once: both turns commit (one re-runs on the
    other's result) or one is a 409 session_conflict; never a lost or doubled turn."""
    with api_workers(2, redis_server.url, f"ray://{ray_cluster.address}", tmp_path,
                     prefix=f"race{uuid.uuid4().hex[:8]}") as workers:
        clients = [worker.client() for worker in workers]
        session_id = clients[0].post("/sessions").json()["id"]
        assert send(clients[0], session_id, "make the red circle yellow", scene(*THREE)).status_code == 200
        texts = ["remove the green triangle", "make the blue square red"]
        with ThreadPoolExecutor(2) as pool:
            responses = list(pool.map(lambda pair: send(pair[0], session_id, pair[1]), zip(clients, texts, strict=True)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 200], [200, 409]), [r.text for r in responses]
        conflicts = [r.json() for r in responses if r.status_code == 409]
        assert all(body["error"]["code"] == "session_conflict" for body in conflicts)
        history = clients[1].get(f"/sessions/{session_id}/history").json()["turns"]
        committed = [r.json()["turn_index"] for r in responses if r.status_code == 200]
    assert [turn["index"] for turn in history] == list(range(1, 2 + len(committed)))
    assert sorted(committed) == list(range(2, 2 + len(committed)))


def test_a_diffusion_inpainter_from_a_local_folder_is_served_like_in_process(ray_cluster, tmp_path) -> None:  # noqa: F811
    """Tiny random-weight SD inpainting weights in a folder, deployed as the cluster's inpainter
    under its own app prefix: the served fill equals the in-process fill for the same seed."""
    pytest.importorskip("diffusers")
    from engines.registry import create
    from engines.served import connect
    from engines.served.config import DeploymentConfig, ServeConfig
    from engines.served.deploy import deploy, undeploy
    from tests.neural_models import build_tiny_sd_inpaint

    options = {"model": str(build_tiny_sd_inpaint(tmp_path / "sd-inpaint")), "device": "cpu", "steps": 2}
    config = ServeConfig(
        cluster={"address": ray_cluster.address, "app_prefix": "neural", "call_timeout_s": 120},
        deployments={"inpainter": DeploymentConfig(engine="tests.ray_cluster:neural_engine", num_cpus=0.2,
                                                   options={"role": "inpainter", "name": "neural-diffusion",
                                                            **options})})
    image = scene(*THREE)
    mask = np.zeros(image.shape[:2], bool)
    mask[90:160, 30:100] = True
    deploy(config, kinds=("inpainter",))
    try:
        engines = connect(ray_cluster.address, config)
        served = engines.inpainter.inpaint(image, mask, prompt="a cat", seed=11)
        assert engines.inpainter.name == "ray:neural-diffusion"
        record = engines.inpainter.last_result  # what the trace copies: the seed and the call's settings
        assert (record.seed, record.steps, engines.inpainter.last_seed) == (11, 2, 11)
        assert len(record.window) == 4 and len(record.model_size) == 2
        assert engines.grounder.name == "classical"  # not deployed under this prefix: in process
    finally:
        undeploy(ServeConfig(cluster=config.cluster, deployments={"inpainter": config.deployments["inpainter"]}))
    local = create("inpainter", "neural-diffusion", **options).inpaint(image, mask, prompt="a cat", seed=11)
    assert served.shape == local.shape and served.dtype == local.dtype
    assert np.array_equal(served[~mask], image[~mask])  # nothing outside the hole moved
    # torch on CPU with the replica's one thread against this process's two: the same to within a level
    assert int(np.abs(served.astype(int) - local.astype(int)).max()) <= 1


def test_images_in_a_shared_redis_cross_by_reference(ray_cluster, redis_server, tmp_path) -> None:  # noqa: F811
    """Replicas that read the worker's Redis get a blob reference for every image the store holds
    (the worker finds the served config through RETOUCH_ENGINES_CONFIG); the pixels are unchanged."""
    from engines.served.config import ServeConfig
    from engines.served.deploy import deploy, undeploy

    prefix = f"byref{uuid.uuid4().hex[:8]}"
    served_with = tmp_path / "engines.toml"
    served_with.write_text(f'[cluster]\naddress = "{ray_cluster.address}"\napp_prefix = "byref"\n'
                           f'store = "{redis_server.url}"\nstore_prefix = "{prefix}"\n'
                           '[deployments.imaging]\nnum_cpus = 0.1\n')
    config = ServeConfig.load(served_with)
    deploy(config, kinds=("imaging",))
    texts = ["make the red circle yellow", "make it grayscale"]
    try:
        with Editor(store=redis_server.url, store_prefix=prefix, engines=f"ray://{ray_cluster.address}",
                    engines_config=str(served_with)) as editor:
            link = editor.services.engines.link
            session = editor.session()
            served = [np.asarray(session.send(text, image=scene(*THREE) if i == 0 else None).image)
                      for i, text in enumerate(texts)]
            assert editor.engine_names["recolorer"] == "ray:classical"
            assert editor.engine_names["grounder"] == "classical"  # only imaging is served under "byref"
    finally:
        undeploy(ServeConfig(cluster=config.cluster, deployments={"imaging": config.deployments["imaging"]}))
    assert link.images is not None and link.sent["ref"] >= len(texts), link.sent
    with Editor(store="memory://", engines="classical") as editor:
        session = editor.session()
        local = [np.asarray(session.send(text, image=scene(*THREE) if i == 0 else None).image)
                 for i, text in enumerate(texts)]
    for index, (a, b) in enumerate(zip(served, local, strict=True)):
        assert np.array_equal(a, b), f"turn {index + 1} differs"


def test_engines_cli_serves_detached_and_stops(ray_cluster, tmp_path) -> None:  # noqa: F811
    """`retouch engines serve --config F --detach` leaves every kind deployed but the one marked
    `deploy = false` (workers run it in process); `stop` removes them."""
    from ray import serve
    from typer.testing import CliRunner

    from graph.cli import app

    served_with = tmp_path / "engines.toml"
    kinds = ("grounder", "segmenter", "inpainter", "inserter", "generator")
    served_with.write_text(f'[cluster]\naddress = "{ray_cluster.address}"\napp_prefix = "cli"\n'
                           + "".join(f"[deployments.{kind}]\nnum_cpus = 0.05\n" for kind in kinds)
                           + "[deployments.imaging]\ndeploy = false\n")
    result = CliRunner().invoke(app, ["engines", "serve", "--config", str(served_with), "--detach"])
    assert result.exit_code == 0, result.output
    assert "cli-grounder: 1 replica(s)" in result.output and "cli-imaging" not in result.output
    assert f"RETOUCH_ENGINES=ray://{ray_cluster.address}" in result.output
    deployed = set(serve.status().applications)
    assert {f"cli-{kind}" for kind in kinds} <= deployed and "cli-imaging" not in deployed
    result = CliRunner().invoke(app, ["engines", "stop", "--config", str(served_with)])
    assert result.exit_code == 0, result.output
    assert not {f"cli-{kind}" for kind in kinds} & set(serve.status().applications)
