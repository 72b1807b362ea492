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
- "set the book beside the laptop", "get the cup over by the kettle" → "put the book beside the laptop".
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
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


def _there_were(tokens: list[Token]) -> list[Token]:
    """ "what if there were 4 cats?": there should be."""
    for i in range(min(3, len(tokens) - 3)):
        if tokens[i].word in ("if", "imagine", "suppose") and tokens[i + 1].word == "there" and tokens[i + 2].word in (
                "were", "was", "are", "is"):
            lead = i - 1 if i and tokens[i - 1].word == "what" else i
            return [*tokens[:lead], _tok("there"), _tok("should"), _tok("be"), *tokens[i + 3:]]
    return tokens


_UNDO_BG = (("remove",), ("delete",), ("erase",), ("lose",), ("ditch",), ("get", "rid", "of"), ("cut", "out"))
_REDO_BG = (("replace", "it", "with"), ("swap", "it", "for"), ("swap", "it", "with"), ("change", "it", "to"),
            ("make", "it"), ("use",), ("put",), ("add",), ("give", "me"), ("put", "in"))


def _background_replaced(tokens: list[Token]) -> list[Token]:
    """ "remove the background and replace it with a beach": one new backdrop."""
    if not any(t.word in ("background", "bg", "backdrop") for t in tokens):
        return tokens
    words = [t.word for t in tokens]
    for lead in _UNDO_BG:
        n = len(lead)
        for i in range(min(4, len(words))):
            if tuple(words[i:i + n]) != lead or words[i + n:i + n + 2] not in (["the", "background"], ["the", "bg"],
                                                                               ["the", "backdrop"]):
                continue
            k = i + n + 2
            while k < len(words) and (tokens[k].kind == "comma" or words[k] in ("and", "then", "just")):
                k += 1
            for redo in _REDO_BG:
                if tuple(words[k:k + len(redo)]) == redo and k + len(redo) < len(words) and (
                        words[k + len(redo)] in ("a", "an", "some", "solid", "plain") or
                        lx.canonical_color(words[k + len(redo)]) is not None):
                    return [*tokens[:i], _tok("change"), _tok("the"), _tok("background"), _tok("to"),
                            *tokens[k + len(redo):]]
    return tokens


def _scene_as_setting(tokens: list[Token]) -> list[Token]:
    """ "change the scene to a forest", "make the scene a beach": the scene is the setting then, not
    the picture (which "make the scene brighter" still means)."""
    for i in range(1, len(tokens) - 2):
        if tokens[i].word == "scene" and tokens[i - 1].word in ("the", "this") and tokens[i + 1].word in (
                "to", "into", "a", "an", "as") and tokens[i + 2].is_word and (
                lx.canonical_color(tokens[i + 2].word) is None):
            return [*tokens[:i], _tok("setting"), *tokens[i + 1:]]
    return tokens


def _somewhere_like(tokens: list[Token]) -> list[Token]:
    """ "put the dog somewhere sunny like a beach": in that place."""
    for i, t in enumerate(tokens[:-2]):
        if t.word == "somewhere":
            k = next((k for k in range(i + 1, min(i + 4, len(tokens))) if tokens[k].word == "like"), None)
            if k is not None and all(x.is_word for x in tokens[i:k]):
                return [*tokens[:i], _tok("in"), *tokens[k + 1:]]
    return tokens


_WHO = frozenset({"kid", "kids", "son", "daughter", "boss", "client", "wife", "husband", "mom", "mum", "dad", "friend",
                  "customer", "team", "girlfriend", "boyfriend", "partner", "manager", "editor", "teacher", "family",
                  "sister", "brother", "mother", "father", "child", "children", "clients", "customers"})
_WANTS = (("wants",), ("would", "like"), ("needs",), ("asked", "for"), ("prefers",), ("would", "love"),
          ("want",), ("asked", "me", "for"))


def _someone_wants(tokens: list[Token]) -> list[Token]:
    """ "my kid wants the background to be a beach", "the client wants 3 cats": the wish is asked for."""
    for i in range(min(4, len(tokens) - 2)):
        if tokens[i].word not in _WHO or (i and tokens[0].word not in ("my", "the", "our")):
            continue
        for words in _WANTS:
            n = len(words)
            if tuple(t.word for t in tokens[i + 1:i + 1 + n]) == words and i + 1 + n < len(tokens):
                return [_tok("i"), _tok("want"), *tokens[i + 1 + n:]]
    return tokens


_GREAT = frozenset({"great", "nice", "cool", "awesome", "lovely", "better", "good", "amazing", "perfect", "fun"})


def _great_if(tokens: list[Token]) -> list[Token]:
    """ "it would be great if the background was a beach" asks what "what if …" asks."""
    for i in range(min(3, len(tokens) - 5)):
        words = [t.word for t in tokens[i:i + 5]]
        if words[:3] in (["it", "would", "be"], ["it", "will", "be"], ["it", "is", "be"]) and words[3] in _GREAT and (
                words[4] == "if"):
            return [*tokens[:i], _tok("what"), _tok("if"), *tokens[i + 5:]]
    return tokens


def _because_dropped(tokens: list[Token]) -> list[Token]:
    """ "add a lamp next to the bed because the room is dark": the reason asks nothing."""
    for i in range(3, len(tokens)):
        if tokens[i].word in ("because", "cause", "cuz", "coz", "since") and tokens[i - 1].is_word:
            end = next((k for k in range(i, len(tokens)) if tokens[k].kind == "sep"), len(tokens))
            return [*tokens[:i], *tokens[end:]]
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
    """ "give the dog a hat": a hat put on the dog."""
    if not tokens or tokens[0].word != "give" or len(tokens) < 3 or tokens[1].word not in (
            "the", "my", "that", "this", "her", "him", "them"):
        return tokens
    j = 2
    while j < len(tokens) and tokens[j].is_word and tokens[j].word not in ("a", "an", "some") and j < 6:
        j += 1
    n = _thing_words(tokens, j)
    if not n or not _ends(tokens, j + n):
        return tokens
    return [_tok("put"), *tokens[j:j + n], _tok("on"), *tokens[1:j], *tokens[j + n:]]


def _paint_a_thing(tokens: list[Token]) -> list[Token]:
    out = list(tokens)
    for i, t in enumerate(out[:-1]):
        if t.word in ("paint", "sketch", "doodle") and out[i + 1].word in _NEW_THING and (
                i == 0 or out[i - 1].kind in ("sep", "comma") or out[i - 1].word in ("and", "then", "please", "pls")):
            out[i] = _tok("draw")
    return out


def _needs_a_thing(tokens: list[Token]) -> list[Token]:
    """ "it needs a cloud above the house", "the picture could use a tree": add one."""
    for i in range(min(3, len(tokens))):
        if tokens[i].word not in _NEEDY:
            continue
        for words in _NEEDS:
            n = len(words)
            after = i + 1 + n
            if tuple(t.word for t in tokens[i + 1:after]) == words and after < len(tokens) and (
                    tokens[after].word in _NEW_THING) and all(t.word in ("the", "this", "it") for t in tokens[:i]):
                return [_tok("add"), *tokens[after:]]
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
    (_thing_material, _ASPECTS), (_size_of, frozenset(_SIZE_VERBS)), (_in_the_picture, _WHOLE),
    (_there_were, frozenset({"there"})), (_background_replaced, frozenset({"background", "bg", "backdrop"})),
    (_scene_as_setting, frozenset({"scene"})), (_somewhere_like, frozenset({"somewhere"})), (_someone_wants, _WHO),
    (_great_if, _GREAT), (_because_dropped, frozenset({"because", "cause", "cuz", "coz", "since"})),
    (_postures, _POSTURES_ING | _POSTURES_BASE), (_top_of_thing, frozenset({"top"})), (_of_the_image, _WHOLE),
    (_make_there_be, frozenset({"there"})), (_totals, _TOTAL_FIRST), (_modal_adverbs, _ADVERBS),
    (_quote_should_read, None), (_huge, frozenset(_HUGE)), (_give_a_thing, frozenset({"give"})),
    (_paint_a_thing, frozenset({"paint", "sketch", "doodle"})), (_needs_a_thing, frozenset({"needs", "need", "use",
                                                                                             "missing", "benefit"})),
    (_set_beside, frozenset({"set", "get"})),
)
