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
    """Nothing in the image matches what the instruction points at.

    ``thing`` names it as said; ``actions`` are the ways forward a client can offer (draw a box or
    a mask and say "… this", or configure a grounding model).
    """

    code = "target_not_found"

    def __init__(self, message: str, thing: str | None = None, actions: list[str] | None = None,
                 why: str = "", verb: str = "edit") -> None:
        super().__init__(message)
        self.thing = thing
        self.why = why
        self.verb = verb
        self.actions = actions if actions is not None else ["draw_box", "draw_mask"]

    def for_verb(self, verb: str) -> TargetNotFound:
        """The same refusal, telling the user which words to send with a box ("remove this")."""
        return cannot_find(self.thing, verb, self.why) if self.thing else self

    @property
    def details(self) -> dict:
        return {"thing": self.thing, "actions": self.actions, "say": f"{self.verb} this"}


def cannot_find(thing: str, verb: str = "edit", why: str = "") -> TargetNotFound:
    """The refusal for a named thing the engines cannot find: it names the thing and offers the way on."""
    because = f" ({why})" if why else ""
    return TargetNotFound(
        f"I can't find {thing!r} in the image{because}. Draw a box or a mask around it and say "
        f"'{verb} this', or configure a grounding model (RETOUCH_GROUNDING_MODEL) that knows it.",
        thing=thing, actions=["draw_box", "draw_mask", "configure_grounding_model"], why=why, verb=verb)


class OperationFailed(InstructionError):
    """An engine could not carry out one planned operation (it cannot draw that, the reference
    image is missing, …); nothing was written."""

    code = "operation_failed"


class ModelOutputError(RetouchError):
    """A language model answered with output that does not fit the schema, even after a repair."""

    code = "model_output_error"


class BackendUnavailable(RetouchError):
    """A model endpoint could not be reached or answered with an error."""

    code = "backend_unavailable"
