"""Settings of the HTTP server itself (the editor's own settings stay in graph.settings)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServerConfig(BaseSettings):
    """Limits and access control for ``retouch serve``, from RETOUCH_* environment variables."""

    model_config = SettingsConfigDict(env_prefix="RETOUCH_", extra="ignore")

    api_key: str | None = Field(default=None, description="required in X-API-Key or 'Authorization: Bearer' "
                                                           "when set; the browser editor asks for it")
    max_request_bytes: int = Field(default=32 * 1024 * 1024, ge=1024,
                                   description="largest request body accepted (413 beyond)")
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024,
                                  description="largest single image accepted (413 beyond)")
    thumbnail_px: int = Field(default=160, ge=16, le=1024, description="longest side of history thumbnails")
