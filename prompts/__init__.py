"""Prompt templates, one file per agent, filled with ``string.Template`` placeholders (``$name``).

Templates live next to this module so they ship with the package and can be edited without
touching code; a missing or unknown placeholder is an error, not a silently empty prompt.
"""

from __future__ import annotations

import functools
import json
import string
from importlib import resources
from typing import Any


class PromptError(ValueError):
    """A template is missing, or the values given do not fill its placeholders."""


@functools.cache
def _template(name: str) -> string.Template:
    try:
        text = resources.files(__name__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no prompt template named {name!r} (expected prompts/{name}.md)") from exc
    return string.Template(text)


def placeholders(name: str) -> set[str]:
    """The placeholder names the template ``name`` uses."""
    template = _template(name)
    return {m.group("named") or m.group("braced") for m in template.pattern.finditer(template.template)
            if m.group("named") or m.group("braced")}


def load_prompt(name: str, **values: object) -> str:
    """The template ``prompts/<name>.md`` with every placeholder filled from ``values``.

    Every placeholder must be given and every value must be used, so a renamed placeholder fails
    loudly instead of sending the model a prompt with a hole in it.
    """
    wanted = placeholders(name)
    missing = sorted(wanted - set(values))
    unused = sorted(set(values) - wanted)
    if missing or unused:
        raise PromptError(f"prompt {name!r}: missing values {missing}, unused values {unused}")
    return _template(name).substitute({k: str(v) for k, v in values.items()})


@functools.cache
def _examples(name: str) -> tuple[tuple[str, str], ...]:
    try:
        text = resources.files(__name__).joinpath(f"{name}_examples.json").read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise PromptError(f"no examples named {name!r} (expected prompts/{name}_examples.json)") from exc
    items = json.loads(text)
    return tuple((item["message"], json.dumps(item["answer"], separators=(",", ":"))) for item in items)


def load_examples(name: str) -> list[dict[str, Any]]:
    """``prompts/<name>_examples.json`` as chat turns: a user message, then the JSON answer.

    Few-shot turns are what lets a small model (hundreds of millions of parameters) answer in the
    right shape at all; they are the same for every request, so servers that cache a prompt's
    prefix (llama.cpp, vLLM) read them once.
    """
    turns: list[dict[str, Any]] = []
    for message, answer in _examples(name):
        turns += [{"role": "user", "content": message}, {"role": "assistant", "content": answer}]
    return turns


__all__ = ["PromptError", "load_examples", "load_prompt", "placeholders"]
