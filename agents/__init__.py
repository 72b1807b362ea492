"""The four agents: intent parser, task decomposer, executor and critic.

Each has an offline back-end (deterministic, no model) and an LLM/VLM back-end reached through
any OpenAI-compatible endpoint (``agents.llm``, imported only when configured).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from state.models import Critique, Intent

from .critic import CritiqueRequest, OfflineCritic
from .decomposer import Decomposition, OfflineDecomposer
from .errors import (
    BackendUnavailable,
    EmptyInstruction,
    InstructionError,
    ModelOutputError,
    TargetNotFound,
    UnparseableInstruction,
)
from .executor import Execution, Executor, OpOutcome
from .targets import Scene
from .types import ParseRequest


@runtime_checkable
class IntentParser(Protocol):
    name: str

    def parse(self, request: ParseRequest) -> Intent: ...


@runtime_checkable
class Critic(Protocol):
    name: str

    def critique(self, request: CritiqueRequest) -> Critique: ...


def build_parser(kind: str = "offline", llm: Any = None, images: Any = None) -> IntentParser:
    if kind == "llm":
        from .llm import LLMIntentParser

        return LLMIntentParser(llm, images)
    if kind == "hybrid":  # the grammar first, the model only for what it refuses
        from .llm import HybridIntentParser

        return HybridIntentParser(llm, images)
    from .parsing import OfflineIntentParser

    return OfflineIntentParser()


__all__ = [
    "BackendUnavailable", "Critic", "CritiqueRequest", "Decomposition", "EmptyInstruction", "Execution",
    "Executor", "InstructionError", "IntentParser", "ModelOutputError", "OfflineCritic", "OfflineDecomposer",
    "OpOutcome", "ParseRequest", "Scene", "TargetNotFound", "UnparseableInstruction", "build_parser",
]
