"""One OpenAI-compatible chat endpoint, asked for structured output that pydantic validates.

Servers differ in what they accept: OpenAI and recent vLLM take a strict JSON schema
(``response_format: json_schema``), older vLLM, LM Studio and Ollama versions only JSON mode, and
some nothing at all. The client starts with the strictest form and steps down when the server
refuses it (a 400/422 answer), remembering per model what worked; in the weaker modes the schema
is put into the prompt instead. Output is validated with pydantic; one repair round sends the
validation error back, and a second failure raises :class:`ModelOutputError`. Every HTTP call is
recorded (model, tokens, latency) so the graph can put it into the turn's trace.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import BackendUnavailable, ModelOutputError

Mode = Literal["json_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object", "prompt")
MAX_RECORDS = 500
# Sampling options some servers or models refuse; dropped (and remembered) when a 400 names them.
OPTIONAL_PARAMS = ("temperature", "max_tokens")

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")


class CallRecord(BaseModel):
    """One request to the model endpoint, as it goes into the turn trace."""

    model_config = ConfigDict(extra="forbid")

    model: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    latency_ms: float
    ok: bool = Field(description="the answer was usable (valid output), not only delivered")
    purpose: str = Field(default="", description="which agent asked: parse, decompose, critique")
    mode: Mode = "json_schema"
    attempt: int = Field(default=1, description="2 = the repair round")
    error: str = ""


class CallLog:
    """The calls an agent made during its latest invocation, per thread.

    Sessions may run turns concurrently on one shared agent, so ``last_calls`` is thread-local:
    the graph node reads it right after calling the agent, in the same thread.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    @property
    def last_calls(self) -> list[CallRecord]:
        return list(getattr(self._local, "calls", []))

    def _begin(self) -> list[CallRecord]:
        calls: list[CallRecord] = []
        self._local.calls = calls
        return calls


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured output needs.

    References are inlined (local servers' grammar compilers handle flat schemas best), every
    object closes with ``additionalProperties: false`` and lists all its properties as required
    (optional values are nullable instead), and defaults and titles are dropped.
    """
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            target = walk(copy.deepcopy(defs[node["$ref"].rsplit("/", 1)[-1]]))
            if "description" in node:
                target["description"] = node["description"]
            return target
        out = {key: walk(value) for key, value in node.items() if key not in ("default", "title")}
        if out.get("type") == "object" and "properties" in out:
            out["additionalProperties"] = False
            out["required"] = list(out["properties"])
        return out

    return walk(schema)


def extract_json(content: str) -> Any:
    """The JSON value in a reply, tolerating code fences and prose around one object."""
    text = content.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start, end = text.find("{"), text.rfind("}")
        if start != -1 and end > start:
            return json.loads(text[start:end + 1])
        raise


def describe_error(error: Exception) -> str:
    """A short, model-readable account of why output was rejected."""
    if isinstance(error, ValidationError):
        lines = []
        for item in error.errors(include_url=False)[:12]:
            where = ".".join(str(p) for p in item["loc"]) or "(root)"
            lines.append(f"{where}: {item['msg']}")
        return "; ".join(lines)
    if isinstance(error, json.JSONDecodeError):
        return f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
    return str(error)


class LLMClient:
    """A chat-completions endpoint plus the model names to use on it.

    ``base_url`` None means OpenAI itself (or ``OPENAI_BASE_URL``). Local servers (vLLM, Ollama,
    LM Studio) ignore the key, so a placeholder is sent when none is configured for them.
    ``max_retries`` is the openai client's own retry count on connection errors and 5xx answers;
    the default 1 keeps a dead endpoint from stalling a turn for minutes.
    """

    def __init__(
        self, *, base_url: str | None = None, api_key: str | None = None, model: str = "gpt-4o-mini",
        vision_model: str | None = None, timeout: float = 60.0, max_retries: int = 1,
        structured: Mode | Literal["auto"] = "auto", temperature: float | None = 0.0,
        max_tokens: int | None = None,
    ) -> None:
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if base_url is None:
                raise BackendUnavailable(
                    "no API key for OpenAI: set RETOUCH_LLM_API_KEY or OPENAI_API_KEY, or point "
                    "RETOUCH_LLM_BASE_URL at a local OpenAI-compatible server (vLLM, Ollama, LM Studio)")
            key = "not-needed"
        self.model = model
        self.vision_model = vision_model
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.calls: list[CallRecord] = []
        self._forced: Mode | None = None if structured == "auto" else structured
        self._modes: dict[str, Mode] = {}
        self._dropped: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key, timeout=timeout, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, model={self.model!r}, vision_model={self.vision_model!r})"

    def mode_for(self, model: str) -> Mode:
        """The structured-output form this client will use next with ``model``."""
        return self._forced or self._modes.get(model, "json_schema")

    # ------------------------------------------------------------------ structured output

    @overload
    def structured(self, messages: list[dict[str, Any]], output: type[M], *, convert: None = None,
                   vision: bool = False, purpose: str = "", records: list[CallRecord] | None = None) -> M: ...

    @overload
    def structured(self, messages: list[dict[str, Any]], output: type[M], *, convert: Callable[[M], T],
                   vision: bool = False, purpose: str = "", records: list[CallRecord] | None = None) -> T: ...

    def structured(
        self, messages: list[dict[str, Any]], output: type[M], *, convert: Callable[[M], T] | None = None,
        vision: bool = False, purpose: str = "", records: list[CallRecord] | None = None,
    ) -> T | M:
        """Ask for one ``output`` object; ``convert`` may turn it into the caller's type.

        A ValueError (or ValidationError) from ``convert`` counts as invalid output, so semantic
        checks ("that colour is not in the palette") get the same single repair round as a
        schema violation.
        """
        model = (self.vision_model or self.model) if vision else self.model
        conversation = list(messages)
        last_error = ""
        for attempt in (1, 2):
            content, record = self._complete(conversation, output, model, purpose, attempt, records)
            try:
                parsed = output.model_validate(extract_json(content))
                result = convert(parsed) if convert is not None else parsed
            except (ValidationError, ValueError) as error:  # JSONDecodeError is a ValueError
                last_error = describe_error(error)
                record.ok, record.error = False, last_error[:300]
                self._record(record, records)
                conversation += [
                    {"role": "assistant", "content": content},
                    {"role": "user", "content": (
                        f"That reply could not be used: {last_error}. Reply again with only one JSON object "
                        f"that matches the {output.__name__} schema, fixing exactly these problems.")},
                ]
                continue
            except Exception:
                self._record(record, records)  # a valid answer the caller rejects on its own terms
                raise
            self._record(record, records)
            return result
        raise ModelOutputError(
            f"{model} at {self.base_url} gave unusable {output.__name__} output twice ({purpose or 'call'}): "
            f"{last_error}")

    def _record(self, record: CallRecord, records: list[CallRecord] | None) -> None:
        with self._lock:
            self.calls.append(record)
            del self.calls[:-MAX_RECORDS]
        if records is not None:
            records.append(record)

    def _complete(self, messages: list[dict[str, Any]], output: type[BaseModel], model: str, purpose: str,
                  attempt: int, records: list[CallRecord] | None) -> tuple[str, CallRecord]:
        """One chat completion, stepping down the structured-output modes the server refuses."""
        while True:
            mode = self.mode_for(model)
            request = self._request(messages, output, model, mode)
            started = time.perf_counter()
            try:
                response = self._client.chat.completions.create(**request)
            except openai.APIStatusError as error:
                ms = (time.perf_counter() - started) * 1000
                self._record(CallRecord(model=model, latency_ms=round(ms, 1), ok=False, purpose=purpose, mode=mode,
                                        attempt=attempt, error=f"HTTP {error.status_code}"), records)
                if error.status_code in (400, 422):
                    refused = [p for p in OPTIONAL_PARAMS if p in request and p in _message(error).lower()]
                    if refused:  # reasoning models take neither temperature nor max_tokens
                        self._dropped.setdefault(model, set()).update(refused)
                        continue
                    if self._forced is None and mode != "prompt":
                        self._modes[model] = MODES[MODES.index(mode) + 1]
                        continue
                raise BackendUnavailable(
                    f"{self.base_url} answered HTTP {error.status_code} for model {model!r}: "
                    f"{_message(error)}") from error
            except openai.APITimeoutError as error:
                self._failed(model, started, purpose, mode, attempt, "timeout", records)
                raise BackendUnavailable(
                    f"{self.base_url} did not answer within {self.timeout:g} s (model {model!r}); "
                    "raise RETOUCH_LLM_TIMEOUT_S or check the server") from error
            except openai.APIConnectionError as error:
                self._failed(model, started, purpose, mode, attempt, "connection", records)
                raise BackendUnavailable(f"cannot reach {self.base_url} (model {model!r}): {error}") from error
            ms = (time.perf_counter() - started) * 1000
            usage = response.usage
            record = CallRecord(
                model=model, latency_ms=round(ms, 1), ok=True, purpose=purpose, mode=mode, attempt=attempt,
                prompt_tokens=getattr(usage, "prompt_tokens", None),
                completion_tokens=getattr(usage, "completion_tokens", None),
            )
            choice = response.choices[0] if response.choices else None
            content = (choice.message.content if choice is not None else None) or ""
            if choice is not None and getattr(choice.message, "refusal", None):
                content = ""
            return content, record

    def _failed(self, model: str, started: float, purpose: str, mode: Mode, attempt: int, error: str,
                records: list[CallRecord] | None) -> None:
        self._record(CallRecord(model=model, latency_ms=round((time.perf_counter() - started) * 1000, 1), ok=False,
                                purpose=purpose, mode=mode, attempt=attempt, error=error), records)

    def _request(self, messages: list[dict[str, Any]], output: type[BaseModel], model: str,
                 mode: Mode) -> dict[str, Any]:
        schema = strict_schema(output)
        request: dict[str, Any] = {"model": model, "messages": list(messages)}
        dropped = self._dropped.get(model, set())
        if self.temperature is not None and "temperature" not in dropped:
            request["temperature"] = self.temperature
        if self.max_tokens is not None and "max_tokens" not in dropped:
            request["max_tokens"] = self.max_tokens
        if mode == "json_schema":
            request["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": output.__name__, "schema": schema, "strict": True},
            }
        else:
            if mode == "json_object":
                request["response_format"] = {"type": "json_object"}
            request["messages"] = [*messages, {"role": "system", "content": (
                f"Answer with one JSON object (no prose, no code fences) matching this JSON schema "
                f"for {output.__name__}:\n{json.dumps(schema, separators=(',', ':'))}")}]
        return request


def _message(error: openai.APIStatusError) -> str:
    body = error.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
        if isinstance(inner, str):
            return inner[:300]
    return str(error)[:300]


__all__ = ["MODES", "CallLog", "CallRecord", "LLMClient", "Mode", "describe_error", "extract_json", "strict_schema"]
