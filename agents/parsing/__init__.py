"""The offline intent parser: tokenizer, grammar, clause builders and reference resolution.

Entry point: :class:`OfflineIntentParser` (``parse(ParseRequest) -> Intent``). The grammar is
documented in docs/grammar.md.
"""

from agents.parsing.offline import OfflineIntentParser
from agents.parsing.references import last_added, last_touched, resolve_clauses, resolve_target
from agents.parsing.tokens import Token, tokenize

__all__ = [
    "OfflineIntentParser", "Token", "tokenize", "last_touched", "last_added", "resolve_target", "resolve_clauses",
]
