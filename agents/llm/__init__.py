"""Model back-ends of the agents, over any OpenAI-compatible chat endpoint (OpenAI, vLLM, Ollama,
llama.cpp, LM Studio), and the hybrid parser (grammar first, model for the rest). Imported only when configured, so the offline path never needs the ``openai`` client.

Each agent exposes ``last_calls`` (the CallRecords of its latest invocation in this thread) for
the turn trace; the shared client keeps every call in ``LLMClient.calls``.
"""

from __future__ import annotations

from .client import CallRecord, LLMClient, strict_schema
from .critic import VLMCritic
from .decomposer import LLMDecomposer
from .hybrid import HybridIntentParser
from .parser import LLMIntentParser

__all__ = ["CallRecord", "HybridIntentParser", "LLMClient", "LLMDecomposer", "LLMIntentParser", "VLMCritic",
           "strict_schema"]
