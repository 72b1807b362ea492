"""Open-vocabulary names: the words of a noun phrase that say what the thing is.

After the determiner and the modifiers the grammar knows (colours, sizes, ordinals, places), a name
is a run of content words: words the lexicon does not know (nouns and adjectives of any kind), nouns
it does know, materials and patterns. The run's last word is the head noun ("the painted white leaf
pattern" → pattern, "metal black glasses frame" → frame); the words before it are its modifiers,
colours among them go to the colours. One run is one thing: it is never split in two.

The run stops at a word with a grammatical role (a preposition, a verb, a direction, a degree, …),
so "move the fire truck left" names "fire truck". Two cases keep a last word out of the run because
it says what to do rather than what the thing is: a material after a noun in a "make X …" clause
("make the mug glass") and a trailing adjective-like word after a known noun ("the circle pretty").
"""

from __future__ import annotations

from agents.parsing import lexicon as lx
from agents.parsing.colour_nouns import THING_COLORS, names_thing_at
from agents.parsing.materials import is_material
from agents.parsing.modifiers import SHADES, comparative_color
from agents.parsing.tokens import Token

# Known words that may still be part of a name ("the old door", "the open laptop", "the light bulb").
_NAME_ADJECTIVES = frozenset({"old", "open", "closed", "empty", "full", "round", "square", "flat", "tall", "short",
                              "long", "wide", "narrow", "thick", "thin", "wooden", "light", "striped"})
# Words that never belong to a name even though the lexicon gives them no role.
FUNCTION_WORDS = _NEVER = frozenset({"where", "when", "while", "were", "went", "wait", "say", "says", "said", "read",
                    "reads", "saying", "reading", "further", "farther", "forward",
                    "backward", "backwards", "aside", "away", "out", "off", "back", "together", "apart", "slightly",
                    "somewhat", "bit", "tad", "touch", "smidge", "way", "far", "enough", "anymore", "exactly",
                    "please", "thanks", "if", "because", "since", "so", "instead", "already", "too",
                    "now", "then", "here", "there", "again", "somewhere", "a", "an", "the", "some", "any",
                    "each", "every", "and", "or", "but", "nor", "with", "without", "for", "real", "quick",
                    "would", "could", "should", "must", "might", "will", "can", "shall", "may", "is", "are",
                    "was", "be", "been", "being", "am", "do", "does", "did", "has", "have", "had",
                    "not", "no", "yes", "very", "really", "quite", "rather", "pretty", "kinda", "sorta",
                    "more", "less", "most", "least", "than", "as", "like", "about", "what", "which", "who",
                    "whose", "how", "why", "all", "both", "either", "neither", "own",
                    "other", "another", "such", "only", "also", "just", "even", "still", "much", "many",
                    "few", "little", "lot", "lots", "ever", "never", "always", "totally", "i", "you",
                    "he", "she", "we", "they", "me", "him", "her", "us", "them", "my", "your", "his", "our",
                    "their", "its", "it", "this", "that", "these", "those", "lol", "haha", "ok", "okay",
                    # prepositions and the verbs of subject-first phrasings ("the star needs to be bigger")
                    "above", "below", "under", "beneath", "underneath", "over", "behind", "beside", "besides",
                    "near", "nearby", "next", "between", "among", "inside", "outside", "around", "across",
                    "along", "alongside", "against", "toward", "towards", "onto", "upon", "atop", "within",
                    "through", "past", "beyond", "close", "closer", "nearer", "needs", "need", "wants", "want", "seems",
                    "seem", "looks", "goes", "gets", "got", "becomes", "become", "turns", "remains", "remain", "stays",
                    "stay", "keep", "keeps", "belongs", "belong", "sits", "sit", "stands", "supposed", "ought",
                    "gone", "shouldn", "wouldn", "couldn", "don", "doesn", "isn", "aren", "wasn",
                    "unchanged", "intact", "alone", "untouched", "whatever", "somehow", "though",
                    "although", "except", "anyway", "sorry", "meant", "oops",
                    "actually", "ugh", "hmm", "um", "uh", "erm", "tbh", "honestly", "literally", "basically"})
_PARTICIPLES = frozenset({"sitting", "standing", "lying", "holding", "wearing", "running", "walking", "flying",
                          "swimming", "sleeping", "eating", "playing", "jumping", "hanging", "floating", "looking",
                          "smiling", "waving", "riding", "carrying", "leaning", "resting", "perched", "sat", "stood"})
_ADJECTIVE_SUFFIXES = ("ful", "ous", "ish", "ive", "less", "able", "ible")
_IRREGULAR_DONE = frozenset({"made", "drawn", "taken", "shrunk", "grown", "thrown"})  # not "set" (a tea set)


def done_to(word: str) -> bool:
    """A past participle of an editing verb ("moved", "painted", "shifted", "made"): after a name it
    says what to do with the thing ("I need the circle moved left"), not what it is called."""
    if word in _IRREGULAR_DONE:
        return True
    if not word.endswith("ed") or len(word) < 5:
        return False
    stems = (word[:-2], word[:-1], word[:-3] if word[-3] == word[-4] else "", word[:-3] + "y" if word.endswith("ied") else "")
    return any(stem in lx.VERB_WORDS for stem in stems if stem)

_IRREGULAR_PLURALS = {
    "people": "person", "men": "man", "women": "woman", "children": "child", "mice": "mouse", "geese": "goose",
    "feet": "foot", "teeth": "tooth", "leaves": "leaf", "knives": "knife", "shelves": "shelf", "wolves": "wolf",
    "scarves": "scarf", "loaves": "loaf", "hooves": "hoof", "halves": "half", "lives": "life", "wives": "wife",
    "cacti": "cactus", "fungi": "fungus", "octopi": "octopus", "dice": "die", "oxen": "ox", "glasses": "glasses",
}
_IE_NOUNS = frozenset({"cookie", "movie", "pie", "tie", "zombie", "selfie", "brownie", "rookie", "smoothie", "hoodie",
                       "beanie", "goalie", "genie", "magpie", "collie", "cutie", "auntie", "birdie", "doggie",
                       "veggie", "pixie", "prairie", "calorie", "lassie", "walkie", "onesie", "nightie", "bootie"})
_ES_AFTER = ("ches", "shes", "xes", "sses", "zzes", "oes")
_O_ES_EXCEPTIONS = frozenset({"shoes", "toes", "canoes", "hoes", "oboes", "tiptoes", "horseshoes"})
_SINGULAR_S = frozenset({"glass", "bus", "dress", "cactus", "canvas", "grass", "lens", "gas", "octopus", "virus",
                         "bonus", "campus", "circus", "hippopotamus", "bass", "chess", "mattress", "series",
                         "species", "news", "jeans", "pants", "shorts", "scissors", "glasses", "trousers", "sheep",
                         "deer", "fish", "asparagus", "hummus", "walrus", "iris", "tennis", "mess", "dais"})


def singular(word: str) -> tuple[str, bool]:
    """The singular of a head noun and whether it was plural ("couches" → couch, "leaves" → leaf)."""
    if word in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[word], word != _IRREGULAR_PLURALS[word]
    if word in _SINGULAR_S or word.endswith(("ss", "us", "is")) or len(word) < 4:
        return word, False
    if word.endswith("ies"):
        if word[:-1] in _IE_NOUNS:
            return word[:-1], True
        return word[:-3] + "y", True
    if word.endswith(_ES_AFTER) and word not in _O_ES_EXCEPTIONS:
        return word[:-2], True
    if word.endswith("s"):
        return word[:-1], True
    return word, False


def is_name_word(word: str | None, token: Token | None = None) -> bool:
    """Whether a word may be part of a thing's name."""
    if word is None or (token is not None and token.kind != "word") or word in _NEVER or word == "'s":
        return False
    if not word.isalpha() or comparative_color(word) is not None:
        return False  # "the grass greener": what to do, not the name
    if lx.canonical_noun(word) is not None or word in lx.NOUN_LIKE or is_material(word) or word in _NAME_ADJECTIVES \
            or (word in lx.IMAGE_NOUNS and word not in ("whole", "colors", "colours")):
        return True
    return not lx.is_known_alone(word)


def adjective_like(word: str) -> bool:
    """Unknown words that read as an adjective when they follow a noun ("the circle pretty")."""
    if lx.is_known_alone(word):
        return False
    if word.endswith(_NOUN_ENDINGS_IN_Y):
        return False  # "strawberry", "trolley", "dragonfly", "library": things, though they end in -y
    return len(word) > 4 and (word.endswith(_ADJECTIVE_SUFFIXES) or word.endswith(("y", "ing")))


_NOUN_ENDINGS_IN_Y = ("berry", "ey", "fly", "ary", "ory")


def name_run(tokens: list[Token], pos: int) -> tuple[list[str], list[str], int]:
    """The name starting at ``pos``: (name words, colours inside it, tokens taken). Colours count as part
    of the name only between name words ("the concrete red bus")."""
    words: list[str] = []
    colors: list[str] = []
    i = pos
    while i < len(tokens):
        tok = tokens[i]
        w = tok.word
        if words and lx.canonical_noun(words[-1]) is None and names_thing_at(tokens, i):
            words.append(w)  # "the old lime with a kiwi": the colour word is the thing, and ends the name
            i += 1
            break
        shade = 1 if w in SHADES and i + 1 < len(tokens) and lx.canonical_color(tokens[i + 1].word) else 0
        color = lx.canonical_color(tokens[i + shade].word) if tok.kind == "word" else None
        if words and shade and color is not None and not (i + 2 < len(tokens) and is_name_word(
                tokens[i + 2].word, tokens[i + 2]) and lx.canonical_color(tokens[i + 2].word) is None):
            break  # "make the car light green": the shade and colour are said of the car
        if words and color is not None and i + shade + 1 < len(tokens) and \
                is_name_word(tokens[i + shade + 1].word, tokens[i + shade + 1]) and \
                lx.canonical_color(tokens[i + shade + 1].word) is None:
            colors.append(color)  # "the plaid (bright) purple office chair": one chair
            i += 1 + shade
            continue
        if not is_name_word(w, tok) and not (tok.kind == "word" and w in lx.VERB_WORDS and (
                not words or (i + 1 < len(tokens) and is_name_word(tokens[i + 1].word, tokens[i + 1])))):
            break  # a verb word names a thing only where a name stands ("the mirror", "the paint can")
        if lx.canonical_color(w) is not None and not is_material(w):
            break  # a colour that ends the run is said of the thing, not part of its name
        words.append(w)
        i += 1
    return words, colors, i - pos


def trim_run(words: list[str], *, make_clause: bool) -> list[str]:
    """Drop a last word that says what to do rather than what the thing is (see the module docstring)."""
    while len(words) > 1:
        last, before = words[-1], words[-2]
        if last in _PARTICIPLES or done_to(last):
            words = words[:-1]  # "a dog sitting on the couch", "the circle moved left": not its name
            continue
        if make_clause and is_material(last) and not is_material(before):
            words = words[:-1]
            continue
        if adjective_like(last) and last not in THING_COLORS and (lx.canonical_noun(before) is not None or lx.is_known(before)):
            words = words[:-1]
            continue
        break
    return words
