"""The HTTP API (FastAPI, server-sent events) and the browser editor it serves."""

from .app import create_app
from .config import ServerConfig

__all__ = ["ServerConfig", "create_app"]
