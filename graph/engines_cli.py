"""``retouch engines serve`` / ``retouch engines stop``: the engines as Ray Serve deployments.

API workers then use them with ``RETOUCH_ENGINES=ray://ADDRESS`` (see docs/scale.md). Ray is imported
only when one of these commands runs.
"""

from __future__ import annotations

import signal
import threading

import typer

engines_app = typer.Typer(help="Engines served by Ray Serve, shared by every API worker.", no_args_is_help=True,
                          add_completion=False)


@engines_app.command("serve")
def serve(
    config: str = typer.Option(None, help="TOML file: the cluster, and per engine kind its model, replicas "
                                          "and resources (engines/served/config.py)"),
    address: str = typer.Option(None, help="Ray cluster address (host:port); overrides the config's"),
    detach: bool = typer.Option(False, help="deploy and return; the deployments keep running on the cluster"),
) -> None:
    """Deploy (or update) the engine deployments on a Ray cluster and keep them up until Ctrl-C."""
    from .services import serve_engines, stop_engines

    try:
        settings, deployed = serve_engines(config, address)
    except RuntimeError as exc:  # EngineUnavailable: no cluster there, or a deployment that did not start
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    for kind, options in deployed.items():
        scaling = options.get("autoscaling_config")
        replicas = f"{scaling['min_replicas']}–{scaling['max_replicas']} (autoscaling)" if scaling else \
            options.get("num_replicas", 1)
        typer.echo(f"{settings.app_name(kind)}: {replicas} replica(s)")
    typer.echo(f"workers use them with RETOUCH_ENGINES=ray://{settings.cluster.address}")
    if detach:
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop_engines(config, address)
        typer.echo("engine deployments removed")


@engines_app.command("stop")
def stop(
    config: str = typer.Option(None, help="the TOML file the engines were served with"),
    address: str = typer.Option(None, help="Ray cluster address (host:port)"),
) -> None:
    """Remove the engine deployments from the cluster."""
    from .services import stop_engines

    try:
        stop_engines(config, address, connect=True)
    except RuntimeError as exc:  # EngineUnavailable
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo("engine deployments removed")
