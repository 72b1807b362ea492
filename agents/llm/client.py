"""One OpenAI-compatible chat endpoint, asked for structured output that pydantic validates.

Servers differ in what they accept: OpenAI and recent vLLM take a strict JSON schema
(``response_format: json_schema``), llama.cpp's server JSON mode with a schema it turns into a
decoding grammar, older LM Studio and Ollama versions only JSON mode, and some nothing at all. A
probe asks each model once which form its server honours (:mod:`agents.llm.formats`), and a
later refusal of a form steps down further for that schema; in the weaker modes the schema is put
into the prompt instead. Output is validated with pydantic; one repair round sends the
validation error back, and a second failure raises :class:`ModelOutputError`. Every HTTP call is
recorded (model, tokens, latency) so the graph can put it into the turn's trace.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any, Literal, TypeVar, overload

import httpx
import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from agents.errors import BackendUnavailable, ModelOutputError

from .formats import (
    MODES,
    PROBE_MESSAGES,
    Mode,
    Probe,
    is_context_overflow,
    is_format_rejection,
    next_mode,
    probe_verdict,
    response_format,
    strict_schema,
)

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
    purpose: str = Field(default="", description="which agent asked: parse, decompose, critique; probe")
    mode: Mode = Field(default="json_schema", description="the structured-output form the request used")
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
    llama.cpp, LM Studio) ignore the key, so a placeholder is sent when none is configured for them.
    ``timeout`` is how long one answer may take (a small model on a CPU needs minutes for a long
    prompt); connecting gets ``connect_timeout`` only, so a dead endpoint fails at once.
    ``max_retries`` is the openai client's own retry count on connection errors and 5xx answers.
    ``probe`` asks each model once, before its first real request, which structured-output form the
    server honours (see :mod:`agents.llm.formats`); without it the client learns from refusals.
    """

    def __init__(
        self, *, base_url: str | None = None, api_key: str | None = None, model: str = "gpt-4o-mini",
        vision_model: str | None = None, timeout: float = 60.0, connect_timeout: float = 5.0, max_retries: int = 1,
        structured: Mode | Literal["auto"] = "auto", probe: bool = True, temperature: float | None = 0.0,
        max_tokens: int | None = 1024,
    ) -> None:
        self.base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
        key = api_key or os.environ.get("OPENAI_API_KEY")
        if not key:
            if base_url is None:
                raise BackendUnavailable(
                    "no API key for OpenAI: set RETOUCH_LLM_API_KEY or OPENAI_API_KEY, or point "
                    "RETOUCH_LLM_BASE_URL at a local OpenAI-compatible server (vLLM, Ollama, llama.cpp)")
            key = "not-needed"
        self.model = model
        self.vision_model = vision_model
        self.timeout = timeout
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.probe_enabled = probe and structured == "auto"
        self.calls: list[CallRecord] = []
        self._forced: Mode | None = None if structured == "auto" else structured
        self._probed: dict[str, Mode] = {}
        self._modes: dict[tuple[str, str], Mode] = {}
        self._dropped: dict[str, set[str]] = {}
        self._lock = threading.Lock()
        self._probe_lock = threading.Lock()
        limits = httpx.Timeout(timeout, connect=min(connect_timeout, timeout))
        self._client = openai.OpenAI(base_url=self.base_url, api_key=key, timeout=limits, max_retries=max_retries)

    def __repr__(self) -> str:
        return f"LLMClient(base_url={self.base_url!r}, model={self.model!r}, vision_model={self.vision_model!r})"

    def mode_for(self, model: str, output: str | None = None) -> Mode:
        """The structured-output form this client will use next with ``model`` (for ``output``)."""
        if self._forced:
            return self._forced
        found = self._modes.get((model, output)) if output else None
        return found or self._probed.get(model, "json_schema")

    @property
    def capabilities(self) -> dict[str, Mode]:
        """What the probe found per model."""
        return dict(self._probed)

    # ------------------------------------------------------------------ the capability probe

    def probe(self, model: str, records: list[CallRecord] | None = None) -> Mode:
        """The strongest structured-output form ``model``'s server honours, asked once per model.

        Each form is tried with a tiny request whose prompt asks for something the schema forbids,
        so a server that accepts a form but does not enforce it is caught too. A refusal of the form
        steps down; an outage raises BackendUnavailable (and is asked again next time).
        """
        with self._probe_lock:
            if model in self._probed:
                return self._probed[model]
            chosen: Mode = "prompt"
            client = self._client.with_options(max_retries=0)
            forms = list(MODES[:-1])
            while forms:
                mode = forms[0]
                request = {"model": model, "messages": PROBE_MESSAGES, **self._sampling(model),
                           "response_format": response_format(mode, "RetouchProbe", Probe)}
                if "max_tokens" in request:
                    request["max_tokens"] = 24
                started = time.perf_counter()
                try:
                    response = client.chat.completions.create(**request)
                except openai.APIStatusError as error:
                    message = _message(error)
                    self._failed(model, started, "probe", mode, 1, f"HTTP {error.status_code}: {message[:120]}",
                                 records)
                    if self._drop_refused(model, request, error.status_code, message):
                        continue
                    if is_format_rejection(error.status_code, message):
                        forms.pop(0)
                        continue
                    raise self._unavailable(model, error) from error
                except (openai.APITimeoutError, openai.APIConnectionError) as error:
                    self._failed(model, started, "probe", mode, 1, "timeout" if isinstance(
                        error, openai.APITimeoutError) else "connection", records)
                    raise self._unreachable(model, error) from error
                record = self._record_of(response, model, started, "probe", mode, 1)
                content = _content(response)
                record.ok = probe_verdict(mode, content)
                if not record.ok:
                    record.error = f"form accepted but not honoured: {content[:80]!r}"
                self._record(record, records)
                if record.ok:
                    chosen = mode
                    break
                forms.pop(0)
            self._probed[model] = chosen
            return chosen

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
        if self.probe_enabled and model not in self._probed:
            self.probe(model, records)
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
        """One chat completion, stepping down the structured-output forms the server refuses."""
        while True:
            mode = self.mode_for(model, output.__name__)
            request = self._request(messages, output, model, mode)
            started = time.perf_counter()
            try:
                response = self._client.chat.completions.create(**request)
            except openai.APIStatusError as error:
                message = _message(error)
                self._failed(model, started, purpose, mode, attempt, f"HTTP {error.status_code}: {message[:120]}",
                             records)
                if self._drop_refused(model, request, error.status_code, message):
                    continue
                lower = next_mode(mode)
                if self._forced is None and lower is not None and is_format_rejection(error.status_code, message):
                    self._modes[(model, output.__name__)] = lower  # this schema, on this server
                    continue
                raise self._unavailable(model, error) from error
            except (openai.APITimeoutError, openai.APIConnectionError) as error:
                self._failed(model, started, purpose, mode, attempt, "timeout" if isinstance(
                    error, openai.APITimeoutError) else "connection", records)
                raise self._unreachable(model, error) from error
            return _content(response), self._record_of(response, model, started, purpose, mode, attempt)

    def _unavailable(self, model: str, error: openai.APIStatusError) -> BackendUnavailable:
        message = _message(error)
        if is_context_overflow(message):
            return BackendUnavailable(
                f"{self.base_url} refused the request for model {model!r}: the prompt does not fit the model's "
                f"context window ({message}); start the server with a larger context (llama.cpp: --n_ctx)")
        return BackendUnavailable(f"{self.base_url} answered HTTP {error.status_code} for model {model!r}: {message}")

    def _unreachable(self, model: str, error: Exception) -> BackendUnavailable:
        if isinstance(error, openai.APITimeoutError):
            return BackendUnavailable(
                f"{self.base_url} did not answer within {self.timeout:g} s (model {model!r}); "
                "raise RETOUCH_LLM_TIMEOUT_S or check the server")
        return BackendUnavailable(f"cannot reach {self.base_url} (model {model!r}): {error}")

    @staticmethod
    def _record_of(response: Any, model: str, started: float, purpose: str, mode: Mode, attempt: int) -> CallRecord:
        usage = response.usage
        return CallRecord(
            model=model, latency_ms=round((time.perf_counter() - started) * 1000, 1), ok=True, purpose=purpose,
            mode=mode, attempt=attempt, prompt_tokens=getattr(usage, "prompt_tokens", None),
            completion_tokens=getattr(usage, "completion_tokens", None),
        )

    def _failed(self, model: str, started: float, purpose: str, mode: Mode, attempt: int, error: str,
                records: list[CallRecord] | None) -> None:
        self._record(CallRecord(model=model, latency_ms=round((time.perf_counter() - started) * 1000, 1), ok=False,
                                purpose=purpose, mode=mode, attempt=attempt, error=error), records)

    def _drop_refused(self, model: str, request: dict[str, Any], status: int, message: str) -> bool:
        """Forget the sampling options a 400 names (reasoning models take neither temperature nor
        max_tokens); True when there was one, so the request is worth sending again."""
        refused = [p for p in OPTIONAL_PARAMS if p in request and p in message.lower()] if status in (400, 422) else []
        self._dropped.setdefault(model, set()).update(refused)
        return bool(refused)

    def _sampling(self, model: str) -> dict[str, Any]:
        dropped = self._dropped.get(model, set())
        options: dict[str, Any] = {}
        if self.temperature is not None and "temperature" not in dropped:
            options["temperature"] = self.temperature
        if self.max_tokens is not None and "max_tokens" not in dropped:
            options["max_tokens"] = self.max_tokens
        return options

    def _request(self, messages: list[dict[str, Any]], output: type[BaseModel], model: str,
                 mode: Mode) -> dict[str, Any]:
        request: dict[str, Any] = {"model": model, "messages": list(messages), **self._sampling(model)}
        fmt = response_format(mode, output.__name__, output)
        if fmt is not None:
            request["response_format"] = fmt
        if mode == "json_object_schema":
            # Decoding is held to the schema; the prompt only says what to answer with.
            request["messages"] = [*messages, {"role": "system", "content": (
                f"Answer with one {output.__name__} JSON object, nothing else.")}]
        elif mode in ("json_object", "prompt"):
            request["messages"] = [*messages, {"role": "system", "content": (
                f"Answer with one JSON object (no prose, no code fences) matching this JSON schema "
                f"for {output.__name__}:\n{json.dumps(strict_schema(output), separators=(',', ':'))}")}]
        return request


def _content(response: Any) -> str:
    choice = response.choices[0] if response.choices else None
    if choice is None or getattr(choice.message, "refusal", None):
        return ""
    return choice.message.content or ""


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
