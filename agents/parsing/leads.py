"""How people open or wrap a request, rewritten in the token list (see agents.parsing.rephrase):
"what if there were 4 cats", "remove the background and replace it with a beach", "change the scene
to a forest", "somewhere sunny like a beach", "my kid wants …", "it would be great if …", and a
reason after "because"."""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.tokens import Token


def _tok(word: str) -> Token:
    return Token(word, "word", raw=word)


_CHOOSE = (("let", "us", "go", "with"), ("let", "us", "do"), ("i", "would", "go", "with"), ("go", "with"),
           ("we", "will", "go", "with"), ("i", "will", "go", "with"), ("i", "will", "take"), ("let", "us", "try"),
           ("i", "would", "go", "for"), ("go", "for"), ("let", "us", "go", "for"), ("i", "am", "thinking"),
           ("i", "was", "thinking"), ("thinking",), ("there", "is", "room", "for"), ("there", "is", "space", "for"),
           *((who, "would", wish, "to", "see") for who in ("i", "we") for wish in ("like", "love")),
           ("i", "want", "to", "see"), ("we", "want", "to", "see"))


def chosen(tokens: list[Token]) -> list[Token]:
    """ "let's go with a forest background", "i'd go with 3 cats": what is wished for."""
    for lead in _CHOOSE:
        n = len(lead)
        if tuple(t.word for t in tokens[:n]) == lead and n < len(tokens) and (
                tokens[n].word in ("a", "an", "some", "another") or tokens[n].kind == "number" or
                tokens[n].word in lx.NUMBER_WORDS):
            return [_tok("i"), _tok("want"), *tokens[n:]]
    return tokens


_NICE = frozenset({"nice", "great", "good", "cool", "lovely", "better", "perfect", "fun", "cute", "awesome"})


def nice_to_have(tokens: list[Token]) -> list[Token]:
    """ "a dog would be nice on the right", "a lamp here would look great": the thing is asked for."""
    if not tokens or tokens[0].word not in ("a", "an", "some") and tokens[0].kind != "number":
        return tokens
    for i in range(2, min(len(tokens) - 2, 8)):
        if tokens[i].word in ("would", "will", "might", "could") and tokens[i + 1].word in ("be", "look") and (
                tokens[i + 2].word in _NICE):
            return [*tokens[:i], *tokens[i + 3:]]
        if not tokens[i].is_word:
            break
    return tokens


_ONE_MORE = (("one", "more", "thing"), ("one", "last", "thing"), ("another", "thing"), ("one", "thing"),
             ("also", "one", "thing"), ("quick", "thing"), ("last", "thing"))


def one_more_thing(tokens: list[Token]) -> list[Token]:
    """ "one more thing, remove the tree": a lead-in, not a count of things."""
    for lead in _ONE_MORE:
        n = len(lead)
        if tuple(t.word for t in tokens[:n]) == lead and n < len(tokens) and tokens[n].kind in ("comma", "sep"):
            return one_more_thing(tokens[n + 1:])
    return tokens


def try_verb(tokens: list[Token]) -> list[Token]:
    """ "try replacing the cat with a dog" (the gerund already read as the verb), "try to remove it",
    "let a dog replace the cat" → "replace the cat with a dog"."""
    if len(tokens) > 2 and tokens[0].word == "try":
        k = 2 if tokens[1].word == "to" else 1
        if lx.VERBS.get((tokens[k].word,)) is not None:
            return tokens[k:]
    if len(tokens) > 4 and tokens[0].word == "let" and tokens[1].word in ("a", "an", "some"):
        at = next((i for i in range(2, min(6, len(tokens))) if tokens[i].word == "replace"), None)
        if at is not None and at + 1 < len(tokens):
            return [_tok("replace"), *tokens[at + 1:], _tok("with"), *tokens[1:at]]
    return tokens


def there_were(tokens: list[Token]) -> list[Token]:
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


def background_replaced(tokens: list[Token]) -> list[Token]:
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


def scene_as_setting(tokens: list[Token]) -> list[Token]:
    """ "change the scene to a forest", "make the scene a beach": the scene is the setting then, not
    the picture (which "make the scene brighter" still means)."""
    for i in range(1, len(tokens) - 2):
        if tokens[i].word == "scene" and tokens[i - 1].word in ("the", "this") and tokens[i + 1].word in (
                "to", "into", "a", "an", "as") and tokens[i + 2].is_word and (
                lx.canonical_color(tokens[i + 2].word) is None):
            return [*tokens[:i], _tok("setting"), *tokens[i + 1:]]
    return tokens


def somewhere_like(tokens: list[Token]) -> list[Token]:
    """ "put the dog somewhere sunny like a beach": in that place."""
    for i, t in enumerate(tokens[:-2]):
        if t.word == "somewhere":
            k = next((k for k in range(i + 1, min(i + 4, len(tokens))) if tokens[k].word == "like"), None)
            if k is not None and all(x.is_word for x in tokens[i:k]):
                return [*tokens[:i], _tok("in"), *tokens[k + 1:]]
    return tokens


WHO = frozenset({"kid", "kids", "son", "daughter", "boss", "client", "wife", "husband", "mom", "mum", "dad", "friend",
                  "customer", "team", "girlfriend", "boyfriend", "partner", "manager", "editor", "teacher", "family",
                  "sister", "brother", "mother", "father", "child", "children", "clients", "customers"})
_WANTS = (("wants",), ("would", "like"), ("needs",), ("asked", "for"), ("prefers",), ("would", "love"),
          ("want",), ("asked", "me", "for"))


def someone_wants(tokens: list[Token]) -> list[Token]:
    """ "my kid wants the background to be a beach", "the client wants 3 cats": the wish is asked for."""
    for i in range(min(4, len(tokens) - 2)):
        if tokens[i].word not in WHO or (i and tokens[0].word not in ("my", "the", "our")):
            continue
        for words in _WANTS:
            n = len(words)
            if tuple(t.word for t in tokens[i + 1:i + 1 + n]) == words and i + 1 + n < len(tokens):
                return [_tok("i"), _tok("want"), *tokens[i + 1 + n:]]
    return tokens


GREAT = frozenset({"great", "nice", "cool", "awesome", "lovely", "better", "good", "amazing", "perfect", "fun"})


def great_if(tokens: list[Token]) -> list[Token]:
    """ "it would be great if the background was a beach" asks what "what if …" asks."""
    for i in range(min(3, len(tokens) - 5)):
        words = [t.word for t in tokens[i:i + 5]]
        if words[:3] in (["it", "would", "be"], ["it", "will", "be"], ["it", "is", "be"]) and words[3] in GREAT and (
                words[4] == "if"):
            return [*tokens[:i], _tok("what"), _tok("if"), *tokens[i + 5:]]
    return tokens


def because_dropped(tokens: list[Token]) -> list[Token]:
    """ "add a lamp next to the bed because the room is dark": the reason asks nothing."""
    for i in range(3, len(tokens)):
        if tokens[i].word in ("because", "cause", "cuz", "coz", "since") and tokens[i - 1].is_word:
            end = next((k for k in range(i, len(tokens)) if tokens[k].kind == "sep"), len(tokens))
            return [*tokens[:i], *tokens[end:]]
    return tokens
