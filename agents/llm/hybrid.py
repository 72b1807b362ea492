"""The hybrid intent parser: the grammar first, a model only for what the grammar refuses.

The grammar is fast and exact on what it covers; a small local model is slow and often valid but
wrong. So the model never overrides the grammar: it is asked only when the grammar raises an
InstructionError, and its answer must stand on the message and the session: every entity id it
names exists and is still in the picture, and every thing it names (targets, new objects,
materials, scenes, texts) is something the user actually said, and each operation is one the
message's verbs can mean. A violation goes back to the model
once (the client's repair round); when the model cannot help, the grammar's own error is raised,
since it says what was understood and what was not.
"""

from __future__ import annotations

import difflib
import re

from agents.errors import EmptyInstruction, InstructionError, ModelOutputError, UnparseableInstruction
from agents.operations import operation
from agents.types import ParseRequest
from engines.classical.vocabulary import canonical_noun
from state.blobs import ImageRepository
from state.models import Intent, IntentClause, TargetSpec

from .client import CallLog, CallRecord, LLMClient
from .parser import LLMIntentParser

_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words that are never the thing itself: a phrase is grounded by its other words.
_FUNCTION_WORDS = frozenset("a an the this that these those it its them one ones of to with in on at".split())


class HybridIntentParser(CallLog):
    """``grammar.parse`` unless it raises an InstructionError; then the model, checked."""

    name = "hybrid"

    def __init__(self, llm: LLMClient, images: ImageRepository | None = None, *, grammar=None) -> None:
        super().__init__()
        if grammar is None:
            from agents.parsing import OfflineIntentParser

            grammar = OfflineIntentParser()
        self.grammar = grammar
        self.model = LLMIntentParser(llm, images, check=check_grounded)

    @property
    def llm(self) -> LLMClient:
        return self.model.llm

    def parse(self, request: ParseRequest) -> Intent:
        records: list[CallRecord] = self._begin()
        try:
            return self.grammar.parse(request)
        except EmptyInstruction:
            raise
        except InstructionError as refused:
            try:
                return self.model.parse(request)
            except (UnparseableInstruction, ModelOutputError) as error:
                raise refused from error
            finally:
                records.extend(self.model.last_calls)


# --------------------------------------------------------------------------- checks


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("’", "'"))


def said(word: str, message_words: list[str]) -> bool:
    """Whether ``word`` (one word the model used) is one the user said, allowing plurals, typos
    and the vocabulary's synonyms ("disc" for circle)."""
    word = word.lower()
    for candidate in message_words:
        stem = candidate.removesuffix("'s")
        if word in (stem, stem.rstrip("s"), stem.removesuffix("es")) or canonical_noun(stem) == word:
            return True
        if len(word) > 3 and difflib.SequenceMatcher(None, word, stem).ratio() >= 0.8:
            return True
    return False


def _phrase_said(phrase: str, message_words: list[str]) -> bool:
    content = [w for w in _words(phrase) if w not in _FUNCTION_WORDS]
    return not content or sum(said(w, message_words) for w in content) * 2 >= len(content)


def _target_said(target: TargetSpec, message_words: list[str]) -> bool:
    if target.reference or target.entity_ids or target.scope != "object":
        return True
    if target.noun and not said(target.noun, message_words) and not _phrase_said(target.phrase, message_words):
        return False
    return _phrase_said(target.phrase, message_words)


def _clause_problems(index: int, clause: IntentClause, message_words: list[str], text: str) -> list[str]:
    problems = []
    where = f"clause {index} ({clause.op.value})"
    kind = operation(clause.op)
    if (kind.needs_target or not kind.makes_new) and not _target_said(clause.target, message_words):
        problems.append(f"{where}: the target {clause.target.phrase or clause.target.noun!r} is not in the message")
    params = clause.params
    if kind.makes_new:
        new = params.get("phrase") or params.get("noun") or ""
        if new and not _phrase_said(str(new), message_words):
            problems.append(f"{where}: the new thing {new!r} is not in the message")
    for key in ("material", "scene"):
        if params.get(key) and not _phrase_said(str(params[key]), message_words):
            problems.append(f"{where}: {key} {params[key]!r} is not in the message")
    for key in ("text", "new"):
        value = str(params.get(key) or "").strip()
        if value and value.lower() not in text.lower():
            problems.append(f"{where}: the text {value!r} is not in the message: copy it exactly")
    return problems


def _verb_families(message_words: list[str]) -> dict[str, str]:
    from agents.parsing.lexicon import VERBS

    single = {key[0]: family for key, family in VERBS.items() if len(key) == 1}
    return {w: single[w] for w in message_words if w in single}


def _op_problems(intent: Intent, message_words: list[str]) -> list[str]:
    """An operation none of the message's verbs can mean ("make the square blue" read as a
    removal): small models pick the first kind they know when unsure."""
    verbs = _verb_families(message_words)
    if not verbs:
        return []  # idioms and questions without a known verb: nothing to hold the model to
    problems = []
    for index, clause in enumerate(intent.clauses):
        allowed = operation(clause.op).verb_families
        if allowed and not allowed & set(verbs.values()):
            said_verbs = ", ".join(repr(w) for w in verbs)
            problems.append(f"clause {index}: the message says {said_verbs}, which does not mean {clause.op.value}")
    return problems


def check_grounded(intent: Intent, request: ParseRequest) -> None:
    """Raise ValueError (a repair request) when the intent names things the message and the
    session do not: entities that are gone, or targets, objects and words the user never said."""
    head = request.head
    present = {e.id for e in head.entities if e.present} if head else set()
    message_words = _words(request.text)
    problems: list[str] = []
    targets = [c.target for c in intent.clauses] + list(intent.keep) + ([intent.answer] if intent.answer else [])
    gone = sorted({i for t in targets for i in t.entity_ids if i not in present})
    if gone:
        problems.append(f"entities {gone} are no longer in the picture: use only {sorted(present) or 'none'}")
    problems += _op_problems(intent, message_words)
    for index, clause in enumerate(intent.clauses):
        problems += _clause_problems(index, clause, message_words, request.text)
    for kept in intent.keep:
        if not _target_said(kept, message_words):
            problems.append(f"keep: {kept.phrase or kept.noun!r} is not in the message")
    if problems:
        raise ValueError("; ".join(problems))


__all__ = ["HybridIntentParser", "check_grounded", "said"]
