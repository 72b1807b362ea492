"""Keep-constraints said in a message: "but leave the square alone", "keep everything else as is",
"don't change the star", "remain the bear unchanged", "except for the piano", "but keep her in colour".

Each is cut out of the message before the clauses are read and becomes an ``Intent.keep`` target,
which the decomposer protects and the critic checks this turn and later.
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.cursor import Context, Cursor
from agents.parsing.names import is_name_word
from agents.parsing.nouns import parse_np
from agents.parsing.tokens import Token, phrase_at
from state.models import TargetSpec

# Verbs that keep what follows only when a tail says so ("leave the square alone", "keep it as is").
_KEEP_WITH_TAIL = frozenset({("leave",), ("keep",), ("remain",), ("let",), ("have",)})
# Phrases that keep what follows by themselves.
_KEEP = frozenset({
    *((*neg, verb) for neg in (("do", "not"), ("dont",), ("please", "do", "not"), ("without",), ("but", "do", "not"),
                                ("never",))
      for verb in ("change", "changing", "touch", "touching", "move", "moving", "alter", "altering", "modify",
                   "modifying", "affect", "affecting", "edit", "editing", "recolor", "recolour", "mess", "harm")),
    ("except", "for"), ("except",), ("apart", "from"), ("save", "for"), ("but", "not"), ("other", "than"),
    ("excluding",), ("not", "including"),
})
_TAILS = frozenset({
    ("alone",), ("as", "is"), ("as", "it", "is"), ("as", "they", "are"), ("unchanged",), ("untouched",),
    ("intact",), ("the", "same"), ("as", "it", "was"), ("where", "it", "is"), ("where", "they", "are"),
    ("in", "place"), ("in", "colour"), ("in", "color"), ("in", "full", "colour"), ("in", "full", "color"),
    ("as", "before"), ("like", "it", "is"), ("the", "way", "it", "is"), ("unedited",), ("unaltered",),
    ("exactly", "as", "it", "is"), ("exactly", "as", "is"), ("be",), ("exactly", "the", "same"), ("original",),
    ("with",), ("up",), ("out", "of", "it"), ("sharp",), ("in", "focus"), ("crisp",), ("clear",), ("visible",),
    ("as", "sharp", "as", "it", "is"), ("unblurred",),
})
_IN_COLOUR = frozenset({("in", "colour"), ("in", "color"), ("in", "full", "colour"), ("in", "full", "color")})
_LEADS = frozenset({"but", "and", "while", "though", "just", "please", "also"})
_BOUNDARY_KINDS = frozenset({"comma", "sep"})


def _boundary(tokens: list[Token], i: int) -> bool:
    """Whether a keep phrase may start at token i: the message start, a comma, or "but" / "and"."""
    if i == 0:
        return True
    prev = tokens[i - 1]
    return prev.kind in _BOUNDARY_KINDS or prev.word in _LEADS


def split_keep(tokens: list[Token], context: Context, verb_at) -> tuple[list[Token], list[TargetSpec]]:
    """The message without its keep phrases, and what they keep."""
    kept: list[TargetSpec] = []
    out: list[Token] = []
    i = 0
    while i < len(tokens):
        found = _keep_at(tokens, i, context, verb_at) if _boundary(tokens, i) or tokens[i].word in (
            "except", "without", "excluding", "apart", "save", "other") or _all_but(tokens, i) else None
        if found is None:
            out.append(tokens[i])
            i += 1
            continue
        spec, end = found
        while out and (out[-1].word in _LEADS or out[-1].kind == "comma") and not _all_but(tokens, i):
            out.pop()  # "… but" / "… ," before the keep phrase goes with it
        kept.append(spec)
        i = end
        if not any(t.kind in ("word", "number", "quote") for t in out):
            while i < len(tokens) and (tokens[i].kind in ("comma", "sep") or tokens[i].word in ("and", "but", "then")):
                i += 1  # "leave the square alone and remove the circle": the rest is its own request
    return out, kept


def _ends(tokens: list[Token], i: int) -> bool:
    return i >= len(tokens) or tokens[i].kind in _BOUNDARY_KINDS or tokens[i].word in ("and", "but", "please", "then")


def _all_but(tokens: list[Token], i: int) -> bool:
    """ "blur everything but the face", "all but the star": "but" after everything / all keeps."""
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    counted = nxt is not None and (nxt.kind == "number" or nxt.word in lx.NUMBER_WORDS)  # "all but two": a count
    return tokens[i].word == "but" and i > 0 and tokens[i - 1].word in ("everything", "all", "anything", "else") \
        and not counted


def _keep_at(tokens: list[Token], i: int, context: Context, verb_at) -> tuple[TargetSpec, int] | None:
    n = phrase_at(tokens, i, _KEEP) or (1 if _all_but(tokens, i) else 0)
    needs_tail = False
    if not n:
        n = phrase_at(tokens, i, _KEEP_WITH_TAIL)
        needs_tail = True
    if not n:
        return None
    cur = Cursor(tokens, context, verb_at)
    cur.pos = i + n
    if cur.accept("the", "rest", "of"):
        parse_np(cur, "target")  # "keep the rest of the image as is"
    cur.accept("anything", "else") or cur.accept("everything", "else") or cur.accept("nothing", "else")
    if cur.pos > i + n:
        spec = TargetSpec(reference="other", scope="image", plural=True, all=True, phrase="everything else")
    elif cur.word() in ("her", "him") and not is_name_word(cur.word(1), cur.peek(1)) or (
            cur.word() == "them" and phrase_at(tokens, cur.pos + 1, _IN_COLOUR)):  # "keep them in colour": the people
        spec = TargetSpec(noun="person", phrase=cur.word() or "")
        cur.pos += 1
    else:
        cur.clause_start = cur.pos  # "remain rusty coat unchanged": a bare name is the slot
        np = parse_np(cur, "target")
        if np is None:
            return None
        spec = np.spec
    tail = phrase_at(tokens, cur.pos, _TAILS)
    if tail == 1 and tokens[cur.pos].word == "be" and not _ends(tokens, cur.pos + 1):
        tail = 0  # "let the dog be" keeps it; "let the dog be a cat" changes it
    if needs_tail and not tail and not (i > 0 and tokens[i - 1].word in ("but", "while")):
        return None
    cur.pos += tail
    while tail:
        tail = phrase_at(tokens, cur.pos, _TAILS)  # "as it is, untouched"
        cur.pos += tail
    if spec.scope == "image" and not spec.colors:
        spec = TargetSpec(reference="other", scope="image", plural=True, all=True, phrase=spec.phrase)
    return spec, cur.pos
