"""Configuration: one typed model, from RETOUCH_* environment variables and an optional TOML file."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from platformdirs import user_data_dir
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    return Path(os.environ.get("RETOUCH_DATA_DIR") or user_data_dir("retouch", appauthor=False))


class Settings(BaseSettings):
    """Everything that can be configured. Nodes never read the environment: they get this."""

    model_config = SettingsConfigDict(env_prefix="RETOUCH_", extra="ignore", protected_namespaces=())

    data_dir: Path = Field(default_factory=default_data_dir, description="where the default store lives")
    store: str = Field(default="", description="memory://, sqlite:///PATH or redis://HOST:PORT/DB; "
                                               "empty = SQLite file in data_dir")
    store_prefix: str = Field(default="retouch", description="key prefix in Redis")
    store_ttl_seconds: int | None = Field(default=None, description="expire idle sessions (Redis)")
    max_versions: int | None = Field(default=None, description="versions kept per session (Redis)")
    blob_dir: Path | None = Field(default=None, description="image blobs on disk instead of in Redis")

    engines: str = Field(default="classical", pattern=r"^(classical|neural|auto|ray://\S+)$",
                         description="engine family, or ray://HOST:PORT for engines served by Ray")
    engines_config: str | None = Field(default=None, description="with ray://: the TOML the engines were served "
                                       "with (app prefix, call timeout, the store replicas read)")
    device: str = Field(default="auto", description="auto, cpu, cuda, cuda:1, mps")
    dtype: str = Field(default="auto", description="auto (fp16 on GPU), float32, float16, bfloat16")
    inpaint_model: str | None = Field(default=None, description="diffusers inpainting id or folder")
    text2img_model: str | None = Field(default=None, description="diffusers text-to-image id or folder")
    upscale_model: str | None = Field(default=None, description="diffusers upscaler id or folder")
    grounding_model: str | None = Field(default=None, description="OWLv2 / GroundingDINO id or folder")
    sam2_model: str | None = Field(default=None, description="SAM 2 hub id (facebook/sam2.1-hiera-tiny …) "
                                                             "or a folder holding sam2.json and the .pt")
    sam2_config: str | None = Field(default=None, description="SAM 2 config name (configs/sam2.1/…yaml), "
                                                              "with sam2_checkpoint; wins over sam2_model")
    sam2_checkpoint: str | None = Field(default=None, description="SAM 2 checkpoint (.pt) path")
    clip_model: str | None = Field(default=None, description="CLIP id or folder for the critic/evals")
    ip_adapter: str | None = Field(default=None, description="IP-Adapter weights folder")
    vram_budget_gb: float | None = Field(default=None, description="offload models beyond this budget")
    diffusion_steps: int | None = Field(default=None, ge=1, le=200, description="denoising steps of the "
                                        "diffusion inpainter and inserter (None = their default, 30)")

    parser: Literal["offline", "llm", "hybrid"] = Field(
        default="offline", description="intent parser back-end (hybrid: the grammar, a model for what it refuses)")
    decomposer: Literal["offline", "llm"] = Field(default="offline", description="decomposer back-end")
    critic: Literal["offline", "vlm"] = Field(default="offline", description="critic back-end")
    llm_base_url: str | None = Field(default=None, description="OpenAI-compatible endpoint")
    llm_model: str = Field(default="gpt-4o-mini", description="model for parsing and planning")
    vlm_model: str | None = Field(default=None, description="vision model for the critic (default llm_model)")
    llm_api_key: str | None = Field(default=None, description="API key (or OPENAI_API_KEY)")
    llm_timeout_s: float = Field(default=60.0)
    critic_combine: Literal["min", "mean", "vlm", "measured"] = Field(
        default="min", description="how the VLM critic's score combines with the measured one")

    threshold: float = Field(default=0.85, ge=0.0, le=1.0, description="critic score needed to accept")
    max_rounds: int = Field(default=3, ge=1, le=10, description="decompose→critique rounds per turn")
    best_of: int = Field(default=1, ge=1, le=8, description="candidates per attempt (best kept)")
    max_pixels: int = Field(default=64_000_000, description="refuse larger images")
    recent_turns: int = Field(default=6, description="turns of history the parser sees")
    seed: int = Field(default=0)
    confirm_plan: bool = Field(default=False, description="pause for approval before a turn's plan runs "
                                                              "(each interface can also ask per message)")
    commit_retries: int = Field(default=3, description="re-runs of a turn after a SessionConflict")
    memory: bool = Field(default=True, description="parse with the session's entities and history "
                                                   "(off only for ablations)")
    check_constraints: bool = Field(default=True, description="critic checks earlier turns' constraints "
                                                              "(off only for ablations)")

    @classmethod
    def load(cls, config_file: str | Path | None = None, **overrides: Any) -> Settings:
        """Environment, then the TOML file (RETOUCH_CONFIG or ``config_file``), then overrides."""
        values: dict[str, Any] = {}
        path = config_file or os.environ.get("RETOUCH_CONFIG")
        if path:
            with open(path, "rb") as handle:
                values.update(tomllib.load(handle).get("retouch", {}))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def store_url(self) -> str:
        return self.store or f"sqlite:///{self.data_dir / 'sessions.db'}"

    def engine_options(self) -> dict[str, dict[str, Any]]:
        """Per-role options for engines/neural's factories, in the names their ``…Options`` accept.

        A role without a configured model is left out (it stays classical). ``dtype`` is passed only
        when set, so each engine keeps its own default (the detector stays fp32 on a GPU). SAM 2 has
        no dtype option (it runs in fp32); when it is configured the grounder and the inserter get it
        too, for object masks instead of boxes. The VRAM budget is not an engine option: it sizes the
        shared model manager (see ``model_budget_bytes``).
        """
        common: dict[str, Any] = {"device": self.device}
        if self.dtype != "auto":
            common["dtype"] = self.dtype
        steps = {"steps": self.diffusion_steps} if self.diffusion_steps else {}
        segmenter: dict[str, Any] = {}
        if self.sam2_config:
            segmenter = {"config": self.sam2_config, "checkpoint": self.sam2_checkpoint, "device": self.device}
        elif self.sam2_model:
            segmenter = {"model": self.sam2_model, "device": self.device}
        options: dict[str, dict[str, Any]] = {}
        if self.inpaint_model:
            options["inpainter"] = {"model": self.inpaint_model, **common, **steps}
        if self.text2img_model:
            # Insertion needs a text-to-image UNet; an inpainting checkpoint cannot stand in for it.
            inserter: dict[str, Any] = {"model": self.text2img_model, **common, **steps}
            if self.ip_adapter:
                inserter["ip_adapter"] = self.ip_adapter
            if segmenter:
                inserter["segmenter"] = dict(segmenter)
            options["inserter"] = inserter
        if self.grounding_model:
            options["grounder"] = {"model": self.grounding_model, **common}
            if segmenter:
                options["grounder"]["segmenter"] = dict(segmenter)
        if segmenter:
            options["segmenter"] = segmenter
        if self.text2img_model:
            options["generator"] = {"model": self.text2img_model, **common}
        return options

    def model_budget_bytes(self) -> int | None:
        """``vram_budget_gb`` in bytes, for the neural model manager (None = no budget)."""
        return int(self.vram_budget_gb * 2**30) if self.vram_budget_gb else None
