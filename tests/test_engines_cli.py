"""``retouch engines serve`` / ``stop``: registered in the CLI, and an unreachable cluster is a clear
error naming its address (the deployment itself is exercised on a real local cluster in
tests/test_ray_engines.py)."""

from __future__ import annotations

import socket

from typer.testing import CliRunner

from graph.cli import app


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket goes


def test_engines_commands_are_registered():
    result = CliRunner().invoke(app, ["engines", "--help"])
    assert result.exit_code == 0
    assert "serve" in result.output and "stop" in result.output


def test_serve_against_no_cluster_names_the_address():
    port = _closed_port()
    result = CliRunner().invoke(app, ["engines", "serve", "--address", f"127.0.0.1:{port}", "--detach"])
    assert result.exit_code == 1
    assert f"127.0.0.1:{port}" in result.output and "ray start" in result.output


def test_stop_against_no_cluster_names_the_address():
    port = _closed_port()
    result = CliRunner().invoke(app, ["engines", "stop", "--address", f"127.0.0.1:{port}"])
    assert result.exit_code == 1 and f"127.0.0.1:{port}" in result.output
