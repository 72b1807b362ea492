"""Test-wide set-up: isolated data directories, no accidental network or model calls."""

from __future__ import annotations

import os
import tempfile

# Before anything imports the product: user data goes to a temp folder, hubs are offline, and any
# accidental OpenAI call goes to a closed local port instead of the internet.
_DATA = tempfile.mkdtemp(prefix="retouch-test-data-")
os.environ["RETOUCH_DATA_DIR"] = _DATA
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1"
os.environ["OPENAI_API_KEY"] = "test-key-not-real"
os.environ.setdefault("LANGGRAPH_CLI_NO_ANALYTICS", "1")
os.environ.setdefault("LANGGRAPH_NO_VERSION_CHECK", "true")
for key in [k for k in os.environ if k.startswith("RETOUCH_") and k != "RETOUCH_DATA_DIR"]:
    del os.environ[key]

try:  # torchvision's CUDA build imports on this CPU machine only with its op schemas defined
    from tests.neural_models import install_torchvision_cpu_shim

    install_torchvision_cpu_shim()
except ImportError:
    pass

pytest_plugins = ["tests.redis_server"]
