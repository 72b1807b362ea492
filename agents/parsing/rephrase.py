"""Everyday turns of phrase rewritten, in the token list, as the forms the clause builders read.

- "have the dog stand beside the tree", "make the boy stand next to the car" → "move the dog beside
  the tree"; "the cat should be sitting on the sofa" → "the cat should be on the sofa" (a posture
  said before a place is only how the thing is there);
- "make there be three ducks" → "there should be three ducks";
- "i want five balloons total" → "i want five balloons" (a total is the count said);
- "that dog should really be a wolf" → "that dog should be a wolf";
- "'Sale' should read 'Closed'" → "change 'Sale' to 'Closed'";
- "make the car huge" → "make the car much bigger";
- "give the dog a hat" → "put a hat on the dog";
- "paint a rainbow above the hills" → "draw a rainbow above the hills" (a new thing painted);
- "it needs a cloud above the house" → "add a cloud above the house";
- "set the book beside the laptop", "get the cup over by the kettle" → "put the book beside the laptop";
- "make the car sky blue" → "make the car blue"; "change the chair material to leather" → "… the
  material of the chair …"; "reduce the size of the cat" → "shrink the cat"; "add a dog to the
  picture" → "add a dog"; "a star at the top of the tree" → "on top of the tree".
Openings and wrappers ("my kid wants …", "what if there were …") are in agents.parsing.leads.
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.leads import (
    GREAT,
    WHO,
    background_replaced,
    because_dropped,
    chosen,
    great_if,
    nice_to_have,
    one_more_thing,
    scene_as_setting,
    someone_wants,
    somewhere_like,
    there_were,
    try_verb,
)
from agents.parsing.materials import is_material
from agents.parsing.tokens import Token

# How a thing is somewhere: "-ing" forms are dropped before a place; a base form only after
# "have / let / make / get <thing>" ("can the vase sit above the shelf" is read by the predicates).
_POSTURES_ING = frozenset({
    "standing", "sitting", "sat", "lying", "laying", "resting", "perched", "perching", "posing", "waiting",
    "hanging", "staying", "walking", "relaxing", "leaning", "placed", "positioned", "located", "sleeping", "flying",
    "floating", "swimming", "playing", "chilling", "hovering",
})
_POSTURES_BASE = frozenset({"stand", "sit", "lie", "lay", "rest", "perch", "pose", "wait", "hang", "stay", "walk",
                            "relax", "lean", "sleep", "fly", "float", "hover"})
_PLACE_PREPS = frozenset({"on", "in", "at", "under", "underneath", "beneath", "below", "above", "over", "beside",
                          "next", "near", "by", "behind", "inside", "onto", "atop", "to", "against", "close",
                          "closer", "nearer", "between", "left", "right"})
_CAUSATIVE = frozenset({"have", "let", "make", "get"})
_DEFINITE = frozenset({"the", "my", "this", "that", "these", "those", "his", "her", "its", "their", "our", "your",
                       "it", "them", "him"})
_MODALS = frozenset({"should", "could", "would", "must", "might", "can", "will", "may"})
_ADVERBS = frozenset({"really", "actually", "definitely", "probably", "totally", "honestly", "maybe",
                      "still", "ideally", "perhaps", "only", "just"})
_TOTAL = (("in", "total"), ("in", "all"), ("total",), ("altogether",), ("overall",), ("all", "together"),
          ("on", "there"), ("in", "there"), ("up", "there"))
_TOTAL_FIRST = frozenset(words[0] for words in _TOTAL)
_HUGE = {"huge": ("much", "bigger"), "enormous": ("much", "bigger"), "gigantic": ("much", "bigger"),
         "giant": ("much", "bigger"), "massive": ("much", "bigger"), "humongous": ("much", "bigger"),
         "tiny": ("much", "smaller"), "minuscule": ("much", "smaller"), "teeny": ("much", "smaller")}
_ENDS = frozenset({"please", "pls", "plz", "thanks", "now", "instead"})
# What "give X a …" gives that is a look, not a thing put on it.
_LOOKS = frozenset({"look", "color", "colour", "finish", "texture", "style", "effect", "filter", "makeover", "size",
                    "boost", "vibe", "feel", "tone", "shade", "tint", "glow", "touch", "new", "different", "coat",
                    "background", "backdrop", "bit", "little", "lot", "more", "less", "pattern", "print", "shine",
                    "sheen", "gloss", "polish", "paint", "paintjob", "job", "haircut", "upgrade"})
_NEEDS = (("needs",), ("need",), ("could", "use"), ("is", "missing"), ("would", "benefit", "from"))
_MORE = frozenset({"more", "fewer", "less", "extra", "additional"})
_NEEDY = frozenset({"it", "this", "picture", "image", "photo", "scene", "shot", "pic"})
_NEW_THING = frozenset({"a", "an", "some", "another"}) | frozenset(lx.NUMBER_WORDS)
_REL_START = frozenset({"beside", "next", "near", "by", "on", "onto", "under", "underneath", "beneath", "below",
                        "above", "atop", "behind", "against", "between", "closer", "nearer", "over"})


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


def _ends(tokens: list[Token], i: int) -> bool:
    """Whether the clause ends at ``i`` (the end, a full stop or comma, or a polite word)."""
    return i >= len(tokens) or tokens[i].kind in ("sep", "comma") or tokens[i].word in _ENDS or (
        tokens[i].word in ("and", "then", "but"))


def _clause_start(tokens: list[Token], i: int) -> int:
    while i > 0 and tokens[i - 1].kind not in ("sep", "comma") and tokens[i - 1].word not in ("and", "then"):
        i -= 1
    return i


def rephrase(tokens: list[Token]) -> list[Token]:
    words = {t.word for t in tokens}
    for step, needs in _STEPS:
        if needs is None or not words.isdisjoint(needs):
            changed = step(tokens)
            if changed is not tokens:
                tokens, words = changed, {t.word for t in changed}
    return tokens


def _postures(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    i = 1
    while i < len(out) - 1:
        w = out[i].word
        if (w in _POSTURES_ING or w in _POSTURES_BASE) and out[i + 1].word in _PLACE_PREPS and out[i - 1].is_word and (
                out[i - 1].word not in ("a", "an", "the")):
            start = _clause_start(out, i)
            # "have the dog stand beside the tree": the thing is moved there
            caused = out[start].word in _CAUSATIVE and start + 1 < i and out[start + 1].word in _DEFINITE
            if w in _POSTURES_BASE and out[i - 1].word == "to":  # "i'd like the cat to sit next to the dog"
                out[i] = _tok("be")
            elif caused or w in _POSTURES_ING:
                if caused:
                    out[start] = _tok("move")
                del out[i]
                continue
        i += 1
    return out


_NAMED_SHADES = frozenset({"sky", "baby", "forest", "blood", "midnight", "powder", "ocean", "sea", "grass", "fire",
                           "lemon", "cherry", "wine", "olive", "mint", "brick", "steel", "slate", "jet", "snow"})


def _named_shades(tokens: list[Token]) -> list[Token]:
    """ "make the car sky blue", "paint it forest green": a shade named after a thing, said of the colour
    (the palette has the colour; "the sky orange" keeps its sky)."""
    for i in range(1, len(tokens) - 1):
        if tokens[i].word in _NAMED_SHADES and lx.canonical_color(tokens[i + 1].word) is not None and (
                tokens[i - 1].is_word and tokens[i - 1].word not in ("the", "a", "an", "my", "this", "that", "and")) \
                and _ends(tokens, i + 2):
            return [*tokens[:i], *tokens[i + 1:]]
    return tokens


_ASPECTS = frozenset({"material", "colour", "color", "texture"})


def _thing_material(tokens: list[Token]) -> list[Token]:
    """ "change the chair material to leather": the chair's material."""
    for m in range(2, len(tokens) - 1):
        if tokens[m].word not in _ASPECTS or tokens[m + 1].word not in ("to", "into"):
            continue
        d = next((k for k in range(m - 1, max(m - 4, -1), -1) if tokens[k].word in ("the", "my", "that", "this")), None)
        if d is None or d == m - 1 or not all(t.is_word for t in tokens[d:m]) or tokens[m - 1].word in lx.BACKGROUND_WORDS:
            return tokens
        return [*tokens[:d], _tok("the"), tokens[m], _tok("of"), *tokens[d:m], *tokens[m + 1:]]
    return tokens


_SIZE_VERBS = {"reduce": "shrink", "decrease": "shrink", "lower": "shrink", "increase": "enlarge", "raise": "enlarge",
               "boost": "enlarge"}


def _size_of(tokens: list[Token]) -> list[Token]:
    """ "reduce the size of the cat by half": shrink the cat by half."""
    for i, t in enumerate(tokens[:-4]):
        if t.word in _SIZE_VERBS and [x.word for x in tokens[i + 1:i + 4]] == ["the", "size", "of"]:
            return [*tokens[:i], _tok(_SIZE_VERBS[t.word]), *tokens[i + 4:]]
    return tokens


_WHOLE = frozenset({"picture", "image", "photo", "pic", "scene", "shot", "photograph", "frame"})


def _in_the_picture(tokens: list[Token]) -> list[Token]:
    """ "add a dog to the picture": everything is in the picture; said last, it places nothing."""
    for i in range(2, len(tokens) - 2):
        if tokens[i].word in ("to", "into", "in", "onto") and tokens[i + 1].word in ("the", "this", "my", "our") and (
                tokens[i + 2].word in _WHOLE) and tokens[i - 1].is_word and tokens[i - 1].word not in (
                "back", "up", "of", "is", "be", "are", "filter", "effect", "look", "blur") and (
                _ends(tokens, i + 3) or tokens[i + 3].word in ("on", "at", "in", "near", "next", "beside")):
            return [*tokens[:i], *tokens[i + 3:]]
    return tokens


def _top_of_thing(tokens: list[Token]) -> list[Token]:
    """ "a star at the top of the tree": on the tree (the top of the image is a place of its own)."""
    for i in range(len(tokens) - 4):
        if tokens[i].word in ("at", "on") and [t.word for t in tokens[i + 1:i + 4]] == ["the", "top", "of"] and (
                tokens[i + 4].word not in lx.IMAGE_NOUNS and not (
                i + 5 < len(tokens) and tokens[i + 5].word in lx.IMAGE_NOUNS)):
            return [*tokens[:i], _tok("on"), _tok("top"), _tok("of"), *tokens[i + 4:]]
    return tokens


_PLACE_WORDS = frozenset({"top", "bottom", "left", "right", "middle", "center", "centre", "corner", "side", "edge"})


def _of_the_image(tokens: list[Token]) -> list[Token]:
    """ "move the cat to the top of the picture": the top is the picture's already."""
    for i in range(1, len(tokens) - 2):
        if tokens[i].word == "of" and tokens[i - 1].word in _PLACE_WORDS and tokens[i + 1].word in (
                "the", "this", "my") and tokens[i + 2].word in lx.IMAGE_NOUNS and _ends(tokens, i + 3):
            return [*tokens[:i], *tokens[i + 3:]]
    return tokens


def _make_there_be(tokens: list[Token]) -> list[Token]:
    for i in range(len(tokens) - 2):
        if [t.word for t in tokens[i:i + 3]] == ["make", "there", "be"]:
            return [*tokens[:i], _tok("there"), _tok("should"), _tok("be"), *tokens[i + 3:]]
    return tokens


def _totals(tokens: list[Token]) -> list[Token]:
    """ "five balloons total", "8 candles on there": the count said, no more."""
    for i in range(2, len(tokens)):
        if tokens[i].word not in _TOTAL_FIRST:
            continue
        for words in _TOTAL:
            n = len(words)
            if tuple(t.word for t in tokens[i:i + n]) == words and _ends(tokens, i + n) and (
                    any(t.kind == "number" or t.word in lx.NUMBER_WORDS for t in tokens[_clause_start(tokens, i):i])):
                return [*tokens[:i], *tokens[i + n:]]
    return tokens


def _modal_adverbs(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    i = 1
    while i < len(out) - 1:
        if out[i].word in _ADVERBS and out[i - 1].word in _MODALS and out[i + 1].word in ("be", "look", "become"):
            del out[i]
            continue
        i += 1
    return out


def _quote_should_read(tokens: list[Token]) -> list[Token]:
    """ "'Sale' should read 'Closed'": the text changes."""
    if len(tokens) >= 4 and tokens[0].kind == "quote":
        k = 1
        while k < len(tokens) and tokens[k].kind == "word" and tokens[k].word in (
                *_MODALS, "needs", "has", "ought", "to", "now", "say", "read", "be", "become", "says", "reads"):
            k += 1
        if 1 < k < len(tokens) and tokens[k].kind == "quote":
            return [_tok("change"), tokens[0], _tok("to"), *tokens[k:]]
    return tokens


def _huge(tokens: list[Token]) -> list[Token]:
    for i in range(2, len(tokens)):
        w = tokens[i].word
        if w in _HUGE and tokens[i].is_word and _ends(tokens, i + 1) and any(
                t.word in ("make", "made") for t in tokens[_clause_start(tokens, i):i]) and (
                tokens[i - 1].word not in ("a", "an")):
            return [*tokens[:i], *(_tok(x) for x in _HUGE[w]), *tokens[i + 1:]]
    return tokens


def _thing_words(tokens: list[Token], i: int) -> int:
    """How many words from ``i`` name a plain thing ("a hat", "a red bow"), not a look; 0 if none."""
    if i >= len(tokens) or tokens[i].word not in ("a", "an", "some"):
        return 0
    j = i + 1
    while j < len(tokens) and tokens[j].is_word and not _ends(tokens, j) and tokens[j].word not in _PLACE_PREPS:
        w = tokens[j].word
        if w in _LOOKS or is_material(w) or lx.VERBS.get((w,)) == "filter" or lx.canonical_color(w) is not None and (
                _ends(tokens, j + 1) or tokens[j + 1].word in _LOOKS):
            return 0
        j += 1
    return j - i if j > i + 1 else 0


def _give_a_thing(tokens: list[Token]) -> list[Token]:
    """ "give the dog a hat", "…, then give her a scarf": a hat put on the dog."""
    for g, t in enumerate(tokens[:-2]):
        if t.word != "give" or tokens[g + 1].word not in ("the", "my", "that", "this", "her", "him", "them") or (
                g and _clause_start(tokens, g) != g and tokens[g - 1].word not in ("please", "pls", "just", "also")):
            continue
        j = g + 2
        while j < len(tokens) and tokens[j].is_word and tokens[j].word not in ("a", "an", "some") and j < g + 6:
            j += 1
        n = _thing_words(tokens, j)
        if n and _ends(tokens, j + n):
            return [*tokens[:g], _tok("put"), *tokens[j:j + n], _tok("on"), *tokens[g + 1:j], *tokens[j + n:]]
    return tokens


def _paint_a_thing(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    for i, t in enumerate(out[:-1]):
        if t.word in ("paint", "sketch", "doodle") and out[i + 1].word in _NEW_THING and (
                i == 0 or out[i - 1].kind in ("sep", "comma") or out[i - 1].word in ("and", "then", "please", "pls")):
            out[i] = _tok("draw")
    return out


def _needs_a_thing(tokens: list[Token]) -> list[Token]:
    """ "it needs a cloud above the house", "the picture could use a tree": add one."""
    for i in range(min(4, len(tokens))):
        for words in _NEEDS:
            n = len(words)
            if tuple(t.word for t in tokens[i:i + n]) != words or i + n >= len(tokens):
                continue
            subject = [t.word for t in tokens[:i]]  # "it", "the sky", "this photo", or nothing
            said_of = not subject or subject[0] in _NEEDY or (subject[0] in ("the", "this", "my") and len(subject) <= 3)
            if said_of and tokens[i + n].word in _NEW_THING | _MORE and all(t.is_word for t in tokens[:i]):
                rest = tokens[i + n:]
                if subject and subject[0] in ("the", "this", "my"):  # "the table needs a vase on it"
                    rest = [x for t in rest for x in (tokens[:i] if t.word == "it" else [t])]
                return [_tok("add"), *rest]
    return tokens


def _set_beside(tokens: list[Token]) -> list[Token]:
    """ "set the book beside the laptop", "get the cup over by the kettle": put there."""
    if len(tokens) < 4 or tokens[0].word not in ("set", "get") or tokens[1].word not in _DEFINITE:
        return tokens
    for j in range(2, min(len(tokens), 7)):
        w = tokens[j].word
        if w == "over" and j + 1 < len(tokens) and tokens[j + 1].word in _REL_START:
            return [_tok("put"), *tokens[1:j], *tokens[j + 1:]]
        if w in _REL_START:
            return [_tok("put"), *tokens[1:]]
        if not tokens[j].is_word or w in ("to", "as", "into"):
            return tokens
    return tokens


# Each step with the words it needs (None: always tried); a message without them skips it.
_STEPS = (
    (one_more_thing, frozenset({"thing"})),
    (_named_shades, _NAMED_SHADES),
    (try_verb, frozenset({"try", "let"})), (nice_to_have, frozenset({"would", "will", "might", "could"})),
    (chosen, frozenset({"go", "do", "take", "thinking", "try", "room", "space", "see"})),
    (_thing_material, _ASPECTS), (_size_of, frozenset(_SIZE_VERBS)), (_in_the_picture, _WHOLE),
    (there_were, frozenset({"there"})), (background_replaced, frozenset({"background", "bg", "backdrop"})),
    (scene_as_setting, frozenset({"scene"})), (somewhere_like, frozenset({"somewhere"})), (someone_wants, WHO),
    (great_if, GREAT), (because_dropped, frozenset({"because", "cause", "cuz", "coz", "since"})),
    (_postures, _POSTURES_ING | _POSTURES_BASE), (_top_of_thing, frozenset({"top"})), (_of_the_image, _WHOLE),
    (_make_there_be, frozenset({"there"})), (_totals, _TOTAL_FIRST), (_modal_adverbs, _ADVERBS),
    (_quote_should_read, None), (_huge, frozenset(_HUGE)), (_give_a_thing, frozenset({"give"})),
    (_paint_a_thing, frozenset({"paint", "sketch", "doodle"})), (_needs_a_thing, frozenset({"needs", "need", "use",
                                                                                             "missing", "benefit"})),
    (_set_beside, frozenset({"set", "get"})),
)
