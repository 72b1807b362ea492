"""Errors the agents raise on bad instructions or bad model output."""

from __future__ import annotations

from state.errors import RetouchError


class InstructionError(RetouchError):
    """The instruction cannot be carried out as given."""

    code = "instruction_error"


class UnparseableInstruction(InstructionError):
    """The offline parser did not understand some of the words."""

    code = "unparseable_instruction"

    def __init__(self, text: str, unknown_words: list[str], hint: str = ""):
        self.text = text
        self.unknown_words = unknown_words
        words = ", ".join(repr(w) for w in unknown_words) if unknown_words else "(nothing to do)"
        message = f"could not understand {words} in {text!r}"
        if hint:
            message += f"; {hint}"
        super().__init__(message)


class EmptyInstruction(InstructionError):
    code = "empty_instruction"


class TargetNotFound(InstructionError):
    """Nothing in the image matches what the instruction points at."""

    code = "target_not_found"


class ModelOutputError(RetouchError):
    """A language model answered with output that does not fit the schema, even after a repair."""

    code = "model_output_error"


class BackendUnavailable(RetouchError):
    """A model endpoint could not be reached or answered with an error."""

    code = "backend_unavailable"
