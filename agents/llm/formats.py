"""The structured-output forms a chat server may accept, the schemas each needs, and how to tell a
server's refusal of a form from an outage.

Four forms, strongest first:

- ``json_schema``: ``response_format: {"type": "json_schema", "strict": true}`` (OpenAI, vLLM).
- ``json_object_schema``: ``{"type": "json_object", "schema": …}``, which llama.cpp's server turns
  into a decoding grammar (it refuses ``json_schema`` with HTTP 500).
- ``json_object``: JSON mode without a schema (older Ollama and LM Studio); the schema goes into the
  prompt and pydantic checks the answer.
- ``prompt``: plain text with the schema in the prompt, validated the same way.

Servers say "no" to a form in different ways: 400 or 422 from most, a 500 whose message is a
validation error about ``response_format`` from llama-cpp-python. Those step down to the next
form; a 5xx about anything else, a refused connection or a timeout is an outage.
"""

from __future__ import annotations

import copy
import re
from typing import Any, Literal

from pydantic import BaseModel

Mode = Literal["json_schema", "json_object_schema", "json_object", "prompt"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object_schema", "json_object", "prompt")

# Words of a server's error that show it rejected the response_format, not that it broke.
_FORMAT_WORDS = re.compile(r"response_format|json_schema|json_object|input should be 'text'|grammar|schema",
                           re.IGNORECASE)
_CONTEXT_WORDS = re.compile(r"context (window|length)|maximum context|too many tokens|exceed", re.IGNORECASE)
# JSON-schema keywords llama.cpp's grammar conversion does not take, or takes only partly; removed
# from the schema sent in json_object_schema mode (pydantic still checks them on the answer).
_GRAMMAR_UNSUPPORTED = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "default", "title",
                        "description", "examples", "format")


_IMAGE_WORDS = re.compile(r"image|multimodal|multi-modal|\(not \"list\"\)|not a string|content must be",
                          re.IGNORECASE)


def refuses_images(status: int, message: str) -> bool:
    """Whether a server's error says the model cannot take image parts (a text-only model behind
    llama.cpp answers "can only concatenate str (not "list") to str"; vLLM and Ollama name the
    image or multimodal input)."""
    return status in (400, 422, 500) and bool(_IMAGE_WORDS.search(message))


def next_mode(mode: Mode) -> Mode | None:
    index = MODES.index(mode)
    return MODES[index + 1] if index + 1 < len(MODES) else None


def is_format_rejection(status: int, message: str) -> bool:
    """Whether an HTTP error answers *this form of request*, so the next form may succeed."""
    if is_context_overflow(message):
        return False
    if status in (400, 422):
        return True
    return status == 500 and bool(_FORMAT_WORDS.search(message))


def is_context_overflow(message: str) -> bool:
    return bool(_CONTEXT_WORDS.search(message)) and "token" in message.lower()


def _inline(model: type[BaseModel]) -> dict[str, Any]:
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
        return {key: walk(value) for key, value in node.items()}

    return walk(schema)


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in the form strict structured output needs.

    References are inlined (local servers' grammar compilers handle flat schemas best), every
    object closes with ``additionalProperties: false`` and lists all its properties as required
    (optional values are nullable instead), and defaults and titles are dropped.
    """

    def close(node: dict[str, Any]) -> dict[str, Any]:
        node["additionalProperties"] = False
        node["required"] = list(node["properties"])
        return node

    return _rewrite(_inline(model), ("default", "title"), close)


def grammar_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The schema for grammar-constrained decoding (llama.cpp): closed objects, but only the fields
    without a default are required, so a small model may leave the rest out instead of spelling
    out twenty nulls per clause; keywords the grammar conversion ignores or mishandles are dropped,
    (the descriptions live in the prompt)."""

    def close(node: dict[str, Any]) -> dict[str, Any]:
        node["additionalProperties"] = False
        required = [k for k in node.get("required", []) if k in node["properties"]]
        node.pop("required", None)
        if required:
            node["required"] = required
        return node

    return _rewrite(_inline(model), _GRAMMAR_UNSUPPORTED, close)


def _rewrite(schema: dict[str, Any], drop: tuple[str, ...], close: Any) -> dict[str, Any]:
    """``schema`` without the keywords ``drop`` and with ``close`` applied to every object node;
    the names under ``properties`` are field names, never keywords, so they are all kept."""

    def walk(node: Any, names: bool = False) -> Any:
        if isinstance(node, list):
            return [walk(item) for item in node]
        if not isinstance(node, dict):
            return node
        if names:
            return {key: walk(value) for key, value in node.items()}
        out = {key: walk(value, key == "properties") for key, value in node.items() if key not in drop}
        return close(out) if out.get("type") == "object" and "properties" in out else out

    return walk(schema)


def response_format(mode: Mode, name: str, model: type[BaseModel]) -> dict[str, Any] | None:
    if mode == "json_schema":
        return {"type": "json_schema", "json_schema": {"name": name, "schema": strict_schema(model), "strict": True}}
    if mode == "json_object_schema":
        return {"type": "json_object", "schema": grammar_schema(model)}
    if mode == "json_object":
        return {"type": "json_object"}
    return None


# --------------------------------------------------------------------------- the capability probe


class Probe(BaseModel):
    """A one-field answer the probe asks for while its prompt asks for something else, so only a
    server that really constrains decoding to the schema answers with it."""

    probe: Literal["retouch"]


PROBE_MESSAGES = [
    {"role": "system", "content": "You answer with JSON only."},
    {"role": "user", "content": 'Reply with exactly this JSON object: {"answer": "no"}'},
]


def probe_verdict(mode: Mode, content: str) -> bool:
    """Whether a probe answer shows ``mode`` is honoured: the schema was enforced (schema forms) or
    the reply is one JSON object (plain JSON mode)."""
    from .client import extract_json  # the client's tolerant reader

    try:
        value = extract_json(content)
    except ValueError:
        return False
    if mode in ("json_schema", "json_object_schema"):
        return isinstance(value, dict) and value.get("probe") == "retouch"
    return isinstance(value, dict)


__all__ = ["MODES", "PROBE_MESSAGES", "Mode", "Probe", "grammar_schema", "is_context_overflow",
           "is_format_rejection", "next_mode", "probe_verdict", "refuses_images", "response_format", "strict_schema"]
