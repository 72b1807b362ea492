"""The parser's vocabulary: every word the grammar gives a role, grouped by that role.

Colours and nouns come from the classical engines' vocabulary (engines/classical), so the words the
parser accepts are the words the engines can act on. Multi-word entries are tuples of tokens and are
matched longest first (see :func:`agents.parsing.tokens.longest_match`).
"""

from __future__ import annotations

from agents.parsing.lexicon_more import MORE_VERBS
from engines.classical.colors import COLOR_WORDS, canonical_color
from engines.classical.vocabulary import (
    GENERIC_NOUNS,
    OBJECTS,
    REGION_NOUNS,
    SHAPES,
    canonical_noun,
    is_plural_noun,
)

__all__ = [
    "COLOR_WORDS", "canonical_color", "canonical_noun", "is_plural_noun", "SHAPES", "OBJECTS", "REGION_NOUNS", "GENERIC_NOUNS",
]

Phrase = tuple[str, ...]

# --------------------------------------------------------------------------- filler

# Words that carry no meaning for an edit, wherever they stand.
FILLERS: frozenset[str] = frozenset({
    "please", "pls", "plz", "kindly", "just", "now", "also", "too", "thanks", "thx", "ok", "okay",
    "hey", "hi", "hello", "hmm", "um", "uh", "alright", "so", "again", "quickly", "maybe", "simply",
    # interjections and hedges people type around a request
    "omg", "wow", "ugh", "yo", "yeah", "yep", "lol", "haha", "hah", "oh", "ah", "tbh", "imo", "btw", "fyi",
    "honestly", "basically", "literally", "seriously", "kinda", "sorta", "perhaps", "possibly", "ideally",
    "hopefully", "anyway", "anyways", "erm", "er", "uhh", "umm", "hmmm", "ty", "cheers",
})
FILLER_PHRASES: frozenset[Phrase] = frozenset({
    ("for", "me"), ("thank", "you"), ("as", "well"), ("or", "something"), ("or", "smth"), ("or", "so"),
    ("or", "whatever"), ("or", "anything"), ("or", "something", "like", "that"), ("real", "quick"),
    ("if", "you", "can"), ("if", "you", "could"), ("i", "guess"), ("i", "think"), ("for", "now"), ("if", "you", "can"), ("if", "possible"),
    ("right", "now"), ("go", "ahead", "and"),
})
# Politeness and intent prefixes that may open a clause ("could you", "I want you to", …).
PREFIXES: frozenset[Phrase] = frozenset({
    ("could", "you"), ("can", "you"), ("would", "you"), ("will", "you"), ("could", "u"), ("can", "u"),
    ("i", "want", "you", "to"), ("i", "would", "like", "you", "to"), ("i", "need", "you", "to"),
    ("i", "would", "like", "to"), ("i", "want", "to"), ("i", "need", "to"), ("i", "wanna"),
    ("let", "us"), ("help", "me"), ("try", "to"), ("you", "should"), ("you", "can"), ("we", "should"),
    ("i", "would", "love", "it", "if", "you", "could"), ("be", "so", "kind", "as", "to"),
    ("would", "you", "mind"), ("could", "you", "please"), ("can", "you", "please"),
    ("i", "think"), ("i", "guess"), ("i", "feel", "like"), ("i", "believe"), ("i", "suppose"),
    ("how", "about", "we"), ("what", "if", "we"), ("can", "we"), ("i", "was", "thinking"), ("i", "am", "thinking"),
    ("i", "was", "wondering", "if", "you", "could"), ("i", "was", "hoping", "you", "could"),
    ("i", "was", "hoping", "for"), ("i", "would", "really", "like", "you", "to"), ("do", "me", "a", "favor", "and"), ("could", "we"), ("shall", "we"),
    ("is", "it", "possible", "to"), ("would", "it", "be", "possible", "to"), ("any", "chance", "you", "could"),
    ("do", "you", "think", "you", "could"), ("i", "would", "love", "you", "to"), ("you", "could"),
    ("what", "about"), ("how", "about"), ("why", "not"), ("let", "us", "go", "ahead", "and"),
})
# Words for what is behind the subject.
BACKGROUND_WORDS: frozenset[str] = frozenset({"background", "backdrop", "bg", "backround", "scenery", "surroundings",
                                             "environment", "setting", "backgrounds"})
DETERMINERS: frozenset[str] = frozenset({"the", "a", "an", "some", "any", "each", "my", "its", "their"})

# --------------------------------------------------------------------------- numbers

NUMBER_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "dozen": 12,
}
# Vague quantities for "add some stars".
QUANTITY_PHRASES: dict[Phrase, int] = {
    ("a", "couple", "of"): 2, ("a", "pair", "of"): 2, ("couple", "of"): 2, ("a", "few"): 3,
    ("few",): 3, ("several",): 3, ("some",): 3, ("many",): 5, ("lots", "of"): 5, ("a", "lot", "of"): 5,
}
MULTIPLIERS: dict[str, float] = {
    "twice": 2.0, "double": 2.0, "doubled": 2.0, "triple": 3.0, "thrice": 3.0, "tripled": 3.0,
    "quadruple": 4.0, "half": 0.5, "halve": 0.5, "halved": 0.5,
}
ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "6th": 6, "7th": 7,
    "8th": 8, "9th": 9, "10th": 10, "last": -1,
}

# --------------------------------------------------------------------------- degree

DEGREE_PHRASES: dict[Phrase, str] = {
    ("a", "bit"): "bit", ("a", "little"): "bit", ("a", "little", "bit"): "bit", ("a", "tiny", "bit"): "bit",
    ("slightly",): "bit", ("a", "touch"): "bit", ("a", "tad"): "bit", ("somewhat",): "bit",
    ("a", "smidge"): "bit", ("lightly",): "bit", ("gently",): "bit", ("a", "little", "more"): "bit",
    ("a", "bit", "more"): "bit", ("bit",): "bit", ("little",): "bit", ("subtly",): "bit",
    ("a", "lot"): "lot", ("a", "lot", "more"): "lot", ("much",): "lot", ("much", "more"): "lot",
    ("way",): "lot", ("way", "more"): "lot", ("very",): "lot", ("really",): "lot", ("significantly",): "lot",
    ("heavily",): "lot", ("strongly",): "lot", ("greatly",): "lot", ("far",): "lot",
    ("considerably",): "lot", ("dramatically",): "lot", ("hugely",): "lot", ("a", "great", "deal"): "lot",
    ("substantially",): "lot", ("extremely",): "lot", ("super",): "lot", ("massively",): "lot",
    ("lots",): "lot", ("more",): "normal", ("a", "bit", "too"): "bit",
    ("completely",): "all", ("fully",): "all", ("entirely",): "all", ("totally",): "all",
    # "much further up", "a bit further left": a further step, sized by its degree
    **{(*lead, far): degree for far in ("further", "farther") for lead, degree in (
        (("much",), "lot"), (("way",), "lot"), (("a", "lot"), "lot"), (("far",), "lot"), (("even",), "normal"),
        (("a", "bit"), "bit"), (("a", "little"), "bit"), (("slightly",), "bit"), (("a", "touch"), "bit"),
        (("a", "little", "bit"), "bit"), (("a", "tad"), "bit"))},
}
FILTER_STRENGTH: dict[str, float] = {"bit": 0.5, "normal": 1.0, "lot": 1.8, "all": 1.8}
# "a strong blur", "a subtle sepia": an adjective before a look sizes it.
LOOK_STRENGTH: dict[str, str] = {"strong": "lot", "heavy": "lot", "intense": "lot", "big": "lot", "slight": "bit",
                                 "subtle": "bit", "light": "bit", "gentle": "bit", "soft": "bit", "small": "bit"}
RESIZE_STEP: dict[str, float] = {"bit": 1.15, "normal": 1.3, "lot": 1.6}

# --------------------------------------------------------------------------- places

HORIZONTAL: dict[str, str] = {"left": "left", "right": "right"}
VERTICAL: dict[str, str] = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom"}
CENTER_WORDS: frozenset[str] = frozenset({"center", "centre", "middle", "central"})
PLACE_NOUNS: frozenset[str] = frozenset({"corner", "side", "edge", "part", "area", "portion", "half"})
IMAGE_NOUNS: frozenset[str] = frozenset({
    "image", "picture", "photo", "photograph", "pic", "canvas", "frame", "scene", "img", "colors", "colours",
    "whole",
})
SUPERLATIVES: dict[Phrase, str] = {
    ("leftmost",): "leftmost", ("left", "most"): "leftmost", ("rightmost",): "rightmost",
    ("right", "most"): "rightmost", ("topmost",): "topmost", ("top", "most"): "topmost",
    ("uppermost",): "topmost", ("highest",): "topmost", ("bottommost",): "bottommost",
    ("bottom", "most"): "bottommost", ("lowest",): "bottommost", ("lowermost",): "bottommost",
    ("largest",): "largest", ("biggest",): "largest", ("bigger",): "largest", ("larger",): "largest",
    ("smallest",): "smallest", ("tiniest",): "smallest", ("smaller",): "smallest", ("littlest",): "smallest",
    ("centermost",): "centermost", ("centremost",): "centermost", ("middle",): "centermost",
    ("central",): "centermost", ("center",): "centermost", ("centre",): "centermost",
    ("innermost",): "centermost",
}
SIZE_ADJECTIVES: dict[str, str] = {
    "small": "small", "little": "small", "tiny": "small", "mini": "small", "smallish": "small",
    "big": "large", "large": "large", "huge": "large", "giant": "large", "massive": "large",
    "enormous": "large", "medium": "medium", "mid": "medium", "biggish": "large",
}
# Insertion sizes: the contract knows small, medium and large.
INSERT_SIZES: dict[str, str] = {k: v for k, v in SIZE_ADJECTIVES.items()}

# --------------------------------------------------------------------------- motion

DIRECTION_WORDS: dict[str, str] = {
    "left": "left", "leftward": "left", "leftwards": "left", "right": "right", "rightward": "right",
    "rightwards": "right", "up": "up", "upward": "up", "upwards": "up", "higher": "up", "down": "down",
    "downward": "down", "downwards": "down", "lower": "down", "north": "up", "south": "down",
    "west": "left", "east": "right",
}
PIXEL_UNITS: frozenset[str] = frozenset({"px", "pixel", "pixels", "pix", "pxs"})
PERCENT_UNITS: frozenset[str] = frozenset({"percent", "%", "pc", "per"})
DEGREE_UNITS: frozenset[str] = frozenset({"degrees", "degree", "deg", "degs"})
CLOCKWISE: dict[Phrase, int] = {
    ("clockwise",): 1, ("cw",): 1, ("to", "the", "right"): 1, ("right",): 1,
    ("counterclockwise",): -1, ("counter", "clockwise"): -1, ("anticlockwise",): -1,
    ("anti", "clockwise"): -1, ("ccw",): -1, ("to", "the", "left"): -1, ("left",): -1,
}

# --------------------------------------------------------------------------- filters

# Adjectives and nouns naming a look, usable after make/turn/convert/apply ("make it sepia").
FILTER_PHRASES: dict[Phrase, str] = {
    ("blurry",): "blur", ("blurred",): "blur", ("blurrier",): "blur", ("blur",): "blur",
    ("out", "of", "focus"): "blur", ("fuzzy",): "blur", ("soft", "focus"): "blur",
    ("sharp",): "sharpen", ("sharper",): "sharpen", ("crisper",): "sharpen", ("crisp",): "sharpen",
    ("sharpened",): "sharpen", ("in", "focus"): "sharpen", ("sharpness",): "sharpen",
    ("brighter",): "brighten", ("bright",): "brighten", ("lighter",): "brighten", ("brightness",): "brighten",
    ("darker",): "darken", ("dark",): "darken", ("dimmer",): "darken", ("dim",): "darken",
    ("more", "contrast"): "contrast", ("higher", "contrast"): "contrast", ("contrasty",): "contrast",
    ("more", "contrasty"): "contrast", ("high", "contrast"): "contrast", ("punchier",): "contrast",
    ("contrast",): "contrast",
    ("less", "contrast"): "soften_contrast", ("lower", "contrast"): "soften_contrast",
    ("low", "contrast"): "soften_contrast", ("flatter",): "soften_contrast",
    ("more", "saturated"): "saturate", ("saturated",): "saturate", ("vivid",): "saturate",
    ("more", "vivid"): "saturate", ("vibrant",): "saturate", ("more", "vibrant"): "saturate",
    ("colorful",): "saturate", ("colourful",): "saturate", ("more", "colorful"): "saturate",
    ("more", "colourful"): "saturate", ("saturation",): "saturate",
    ("less", "saturated"): "desaturate", ("desaturated",): "desaturate", ("washed", "out"): "desaturate",
    ("muted",): "desaturate", ("less", "colorful"): "desaturate", ("less", "colourful"): "desaturate",
    ("less", "vivid"): "desaturate", ("faded",): "desaturate",
    ("grayscale",): "grayscale", ("greyscale",): "grayscale", ("gray", "scale"): "grayscale",
    ("grey", "scale"): "grayscale", ("black", "and", "white"): "grayscale", ("b", "&", "w"): "grayscale",
    ("bw",): "grayscale", ("monochrome",): "grayscale", ("monochromatic",): "grayscale",
    ("black", "&", "white"): "grayscale", ("colorless",): "grayscale", ("colourless",): "grayscale",
    ("sepia",): "sepia", ("vintage",): "sepia", ("old", "fashioned"): "sepia", ("retro",): "sepia",
    ("antique",): "sepia", ("old",): "sepia", ("old", "timey"): "sepia", ("old", "time"): "sepia",
    ("inverted",): "invert", ("negative",): "invert", ("a", "negative"): "invert", ("invert",): "invert",
    ("cartoon",): "cartoon", ("a", "cartoon"): "cartoon", ("cartoonish",): "cartoon",
    ("cartoony",): "cartoon", ("cartoonized",): "cartoon", ("comic",): "cartoon", ("animated",): "cartoon",
    ("sketch",): "sketch", ("a", "sketch"): "sketch", ("pencil", "drawing"): "sketch",
    ("a", "pencil", "drawing"): "sketch", ("pencil", "sketch"): "sketch", ("a", "pencil", "sketch"): "sketch",
    ("a", "drawing"): "sketch", ("drawing",): "sketch", ("sketchy",): "sketch", ("line", "drawing"): "sketch",
    ("a", "line", "drawing"): "sketch",
    ("denoised",): "denoise", ("noise", "free"): "denoise", ("less", "noisy"): "denoise",
    ("less", "grainy"): "denoise", ("cleaner",): "denoise", ("smoother",): "denoise",
    ("warmer",): "warm", ("warm",): "warm", ("warmth",): "warm",
    ("cooler",): "cool", ("cool",): "cool", ("colder",): "cool", ("cold",): "cool",
    ("pop",): "saturate", ("punchy",): "saturate", ("punchier", "colours"): "saturate",
}
# Filter verbs: the verb alone names the filter ("blur the background").
FILTER_VERBS: dict[Phrase, str] = {
    ("blur",): "blur", ("soften",): "blur", ("defocus",): "blur", ("smudge",): "blur",
    ("sharpen",): "sharpen", ("crisp", "up"): "sharpen",
    ("brighten",): "brighten", ("lighten",): "brighten", ("brighten", "up"): "brighten",
    ("lighten", "up"): "brighten", ("illuminate",): "brighten",
    ("darken",): "darken", ("dim",): "darken", ("dim", "down"): "darken",
    ("saturate",): "saturate", ("desaturate",): "desaturate",
    ("grayscale",): "grayscale", ("greyscale",): "grayscale",
    ("sepia",): "sepia", ("invert",): "invert", ("negate",): "invert",
    ("cartoonize",): "cartoon", ("cartoonise",): "cartoon", ("cartoonify",): "cartoon",
    ("toonify",): "cartoon", ("sketchify",): "sketch",
    ("denoise",): "denoise", ("declutter",): "denoise", ("clean", "up"): "denoise", ("clean",): "denoise",
    ("warm",): "warm", ("warm", "up"): "warm", ("cool",): "cool", ("cool", "down"): "cool",
}
# Quantities a verb can raise or lower ("increase the contrast", "lower the saturation").
FILTER_NOUNS: dict[str, tuple[str, str]] = {
    "contrast": ("contrast", "soften_contrast"),
    "saturation": ("saturate", "desaturate"),
    "colors": ("saturate", "desaturate"),
    "colours": ("saturate", "desaturate"),
    "vibrance": ("saturate", "desaturate"),
    "brightness": ("brighten", "darken"),
    "exposure": ("brighten", "darken"),
    "light": ("brighten", "darken"),
    "lighting": ("brighten", "darken"),
    "sharpness": ("sharpen", "blur"),
    "detail": ("sharpen", "blur"),
    "details": ("sharpen", "blur"),
    "blur": ("blur", "sharpen"),
    "warmth": ("warm", "cool"),
    "noise": ("denoise", "denoise"),
    "grain": ("denoise", "denoise"),
}
RAISE_WORDS: frozenset[str] = frozenset({
    "increase", "boost", "raise", "more", "higher", "add", "enhance", "amplify", "strengthen", "up",
    "pump", "crank", "bump", "intensify", "improve",
})
LOWER_WORDS: frozenset[str] = frozenset({
    "lower", "reduce", "decrease", "less", "tone", "soften", "cut", "drop", "weaken", "diminish", "remove",
})
# Words that may follow a filter name and mean nothing more ("a sepia filter", "a vintage look").
FILTER_TAILS: frozenset[str] = frozenset({"filter", "effect", "look", "style", "tone", "tones", "version"})

# --------------------------------------------------------------------------- references

PRONOUNS_SINGULAR: frozenset[str] = frozenset({"it", "that", "this"})
PRONOUNS_PLURAL: frozenset[str] = frozenset({"them", "those", "these", "they"})
ADDED_VERBS: frozenset[str] = frozenset({"added", "inserted", "drew", "drawn", "put", "placed", "created",
                                         "made", "pasted"})
USER_REGION_PHRASES: frozenset[Phrase] = frozenset({
    ("here",), ("there",), ("the", "selected", "area"), ("the", "selected", "region"),
    ("the", "selected", "part"), ("the", "selection"), ("my", "selection"), ("what", "i", "marked"),
    ("what", "i", "selected"), ("what", "i", "highlighted"), ("what", "i", "circled"),
    ("the", "marked", "area"), ("the", "marked", "region"), ("the", "marked", "part"),
    ("the", "area", "i", "marked"), ("the", "area", "i", "selected"), ("the", "region", "i", "marked"),
    ("the", "region", "i", "selected"), ("the", "part", "i", "marked"), ("the", "part", "i", "selected"),
    ("the", "highlighted", "area"), ("the", "highlighted", "region"), ("this", "area"), ("this", "region"),
    ("this", "part"), ("this", "spot"), ("this", "bit"), ("the", "masked", "area"), ("the", "mask"),
    ("the", "marked", "spot"), ("that", "area"), ("that", "region"), ("that", "spot"),
})
REFERENCE_IMAGE_PHRASES: frozenset[Phrase] = frozenset({
    ("the", "reference"), ("the", "reference", "image"), ("the", "reference", "picture"),
    ("the", "image", "i", "attached"), ("the", "picture", "i", "attached"), ("the", "photo", "i", "attached"),
    ("the", "attached", "image"), ("the", "attached", "picture"), ("the", "attached", "photo"),
    ("the", "attachment"), ("the", "image", "i", "uploaded"), ("the", "uploaded", "image"),
    ("the", "picture", "i", "uploaded"), ("the", "logo", "i", "attached"), ("my", "logo"),
    ("the", "image", "i", "sent"), ("the", "picture", "i", "sent"), ("this", "image"), ("this", "picture"),
    ("this", "logo"), ("that", "logo"), ("the", "attached", "logo"), ("the", "logo", "i", "uploaded"),
})

# --------------------------------------------------------------------------- verbs

# Verb phrase → clause family; agents.parsing.clauses maps each family to its builder.
VERBS: dict[Phrase, str] = {
    **{(w,): "remove" for w in ("remove", "delete", "erase", "eliminate", "clear", "wipe", "ditch", "scrap",
                                "lose", "hide", "omit", "kill", "strip", "exclude")},
    # "I don't want the star (anymore)": a wish not to have a thing is its removal
    **{(who, "do", "not", wish): "remove" for who in ("i", "we") for wish in ("want", "need", "like")},
    ("i", "no", "longer", "want"): "remove", ("i", "would", "rather", "not", "have"): "remove",
    ("i", "would", "rather", "have"): "want", ("we", "would", "rather", "have"): "want",
    ("take",): "take", ("throw", "away"): "remove", ("throw", "out"): "remove",
    ("get", "rid", "of"): "remove", ("take", "out"): "remove", ("take", "away"): "remove",
    ("clear", "out"): "remove", ("cut", "out"): "remove", ("wipe", "out"): "remove", ("rub", "out"): "remove",
    ("crop", "out"): "remove", ("do", "away", "with"): "remove", ("take", "off"): "remove",
    ("remove", "all", "traces", "of"): "remove", ("erase", "out"): "remove",
    **{(w,): "insert" for w in ("add", "insert", "draw", "create", "paste", "include", "stick", "drop", "spawn",
                                "use")},
    **{(w,): "duplicate" for w in ("duplicate", "clone", "copy", "replicate", "multiply")},
    **{(w,): "remove" for w in ("bin", "axe", "nuke", "trash", "toss", "chuck", "yeet", "zap", "banish", "purge",
                                "drop")},
    ("put", "in"): "insert", ("throw", "in"): "insert", ("add", "in"): "insert",
    # "there should be five stars", "can we have a forest in the background?"
    **{words: "exist" for words in (
        ("there", "should", "be"), ("there", "must", "be"), ("there", "could", "be"), ("could", "there", "be"),
        ("can", "there", "be"), ("there", "needs", "to", "be"), ("i", "want", "there", "to", "be"),
        ("let", "us", "have"), ("can", "we", "have"), ("could", "we", "have"), ("can", "i", "have"),
        ("could", "i", "have"), ("can", "we", "get"), ("could", "we", "get"), ("we", "need"), ("show",), ("let", "there", "be"), ("keep",), ("leave",), ("display",), ("feature",), ("depict",), ("keep", "only"), ("leave", "only"), ("keep", "just"), ("leave", "just"),
        ("only", "keep"), ("there", "ought", "to", "be"), ("there", "has", "to", "be"), ("i", "would", "like",
        "there", "to", "be"), ("give", "me"), ("can", "you", "give", "me"), ("we", "should", "have"))},
    # "I want a black circle" adds; "I'd like the circle in cyan" changes (clauses.build_want decides)
    **{(*who, wish): "want" for who in (("i",), ("we",)) for wish in ("want", "need")},
    **{(who, adverb, wish): "want" for who in ("i", "we") for adverb in ("only", "just", "really", "actually", "still")
       for wish in ("want", "need")},  # "I only want one lamp"
    **{(*who, "would", wish): "want" for who in (("i",), ("we",)) for wish in ("like", "love", "prefer")},
    ("have",): "want",  # "I want to have a green square" (the prefix takes "I want to")
    **{(w,): "place" for w in ("put", "place", "position", "throw", "pop", "plop", "toss")},
    **{(w,): "make" for w in ("make", "turn", "change", "render", "colour", "color", "recolor", "recolour",
                              "paint", "tint", "dye", "fill", "switch", "convert", "transform", "apply",
                              "give", "get", "shade", "swap", "set", "replace", "exchange", "trade",
                              "substitute", "update", "rewrite", "edit", "fix", "correct", "amend", "alter",
                              "modify", "adjust", "retype", "respell", "redo", "redesign", "reimagine", "remake",
                              "rework")},
    ("turn", "into"): "make", ("swap", "out"): "make", ("switch", "out"): "make", ("trade", "out"): "make",
    ("change", "out"): "make", ("exchange", "out"): "make",
    **{(w,): "move" for w in ("move", "shift", "drag", "slide", "push", "nudge", "relocate", "reposition",
                              "bring", "pull", "translate", "carry", "send", "scoot", "inch", "budge")},
    ("move", "over"): "move", ("center",): "move", ("centre",): "move", ("recenter",): "move",
    **{(w,): "resize" for w in ("resize", "scale", "enlarge", "grow", "shrink", "magnify", "expand",
                                "double", "halve", "triple", "quadruple", "upscale", "downscale", "minimize", "maximize",
                                "widen", "inflate", "compress")},
    ("scale", "up"): "resize", ("scale", "down"): "resize", ("blow", "up"): "resize", ("size", "up"): "resize",
    ("size", "down"): "resize", ("shrink", "down"): "resize",
    **{k: "filter" for k in FILTER_VERBS},
    **{(w,): "adjust" for w in ("increase", "boost", "raise", "lower", "reduce", "decrease", "enhance",
                                "amplify", "strengthen", "weaken", "diminish", "intensify", "improve", "more",
                                "less", "tone", "cut")},
    ("turn", "up"): "adjust", ("turn", "down"): "adjust", ("crank", "up"): "adjust", ("bump", "up"): "adjust",
    ("pump", "up"): "adjust", ("tone", "down"): "adjust", ("add", "more"): "adjust", ("add", "some"): "adjust",
    ("dial", "up"): "adjust", ("dial", "down"): "adjust", ("bring", "up"): "adjust",
    ("bring", "down"): "adjust", ("get", "rid", "of", "the", "noise"): "adjust",
    **{(w,): "text" for w in ("write", "caption", "label", "title", "type", "print", "annotate", "letter")},
    ("add", "text"): "text", ("add", "the", "text"): "text", ("add", "a", "caption"): "text",
    ("add", "a", "label"): "text", ("add", "a", "title"): "text", ("add", "the", "word"): "text",
    ("add", "the", "words"): "text", ("add", "a", "text"): "text", ("put", "text"): "text",
    ("add", "some", "text"): "text", ("add", "a", "heading"): "text", ("add", "the", "caption"): "text",
    **{(w,): "crop" for w in ("crop", "trim", "frame")},
    ("zoom", "in", "on"): "crop", ("zoom", "into"): "crop", ("zoom", "in", "to"): "crop", ("cut", "down"): "crop",
    ("crop", "in", "on"): "crop",
    **{(w,): "rotate" for w in ("rotate", "spin", "tilt", "twist", "rotated")},
    **{(w,): "flip" for w in ("flip", "mirror", "reflect", "invert", "flop")},
    ("flip", "over"): "flip",
}
# "invert" names a filter unless an axis follows ("invert it horizontally"); the filter wins by default.
VERBS[("invert",)] = "filter"
VERBS.update(MORE_VERBS)

# Verbs of motion that mean a small step when no amount is said ("nudge it left").
SMALL_MOVE_VERBS: frozenset[str] = frozenset({"nudge", "inch", "budge"})
# What a thing can be told to do or become to mean its removal ("make it disappear", "get it out of
# here", "take the star away", "I want the circle gone"); "out"/"away" alone close "take X away".
REMOVE_TAILS: frozenset[Phrase] = frozenset({
    ("disappear",), ("vanish",), ("go", "away"), ("go",), ("be", "gone"), ("gone",), ("removed",),
    ("deleted",), ("erased",), ("invisible",), ("away",), ("out",), ("off",), ("out", "of", "here"),
    ("out", "of", "the", "way"), ("out", "of", "sight"), ("out", "of", "the", "picture"),
    ("out", "of", "the", "image"), ("out", "of", "the", "photo"), ("out", "of", "there"),
    ("be", "removed"), ("be", "deleted"), ("be", "erased"), ("go", "away", "completely"),
    ("out", "of", "the", "scene"), ("off", "the", "picture"), ("off", "the", "image"), ("off", "the", "canvas"),
})
# Where a removed thing goes from, or how thoroughly: decoration after "remove X".
REMOVE_DECORATION: frozenset[Phrase] = frozenset({
    *((*prep, *det, noun) for prep in (("from",), ("off",), ("out", "of"))
      for det in ((), ("the",), ("this",), ("my",), ("the", "whole"), ("the", "entire"))
      for noun in ("image", "picture", "photo", "photograph", "pic", "scene", "canvas", "frame", "composition")),
    ("out", "of", "here"), ("out", "of", "there"), ("completely",), ("entirely",), ("altogether",),
    ("for", "good"), ("anymore",), ("any", "more"), ("away",), ("out",), ("off",), ("from", "here"),
    ("from", "there"), ("in", "the", "picture"), ("in", "the", "image"), ("please",),
})

# Structural words every rule may consume; together with the tables above they are the known words.
STRUCTURAL: frozenset[str] = frozenset({
    "to", "of", "by", "from", "with", "in", "on", "at", "into", "onto", "towards", "toward", "and", "then",
    "or", "but", "it", "is", "are", "be", "was", "that", "which", "who", "this", "these", "those", "them",
    "they", "both", "all", "every", "everything", "everyone", "one", "ones", "other", "others", "rest",
    "else", "new", "newly", "added", "i", "you", "we", "me", "my", "your", "our", "the", "a", "an", "its",
    "size", "color", "colour", "as", "than", "times", "x", "factor", "way", "entire", "whole", "number",
    "option", "choice", "candidate", "about", "around", "roughly", "approximately", "'s", "not", "do",
    "same", "thing", "instead", "actually", "no", "yes", "undo", "redo", "revert", "back", "over", "out",
    "up", "down", "upside", "quarter", "turn", "text", "letters", "font", "word", "words", "saying",
    "says", "reading", "caption", "label", "so", "look", "like", "tightly", "loosely", "margin",
    "horizontally", "vertically", "horizontal", "vertical", "axis", "sideways", "diagonally", "next",
    "afterwards", "finally", "first", "lastly", "plus", "after", "once", "done", "again",
})


def is_known(word: str) -> bool:
    """Whether the grammar gives ``word`` any role (used to tell unknown nouns from unknown words)."""
    return (
        word in STRUCTURAL or word in FILLERS or word in DETERMINERS or word in NUMBER_WORDS
        or word in MULTIPLIERS or word in ORDINALS or word in SIZE_ADJECTIVES or word in DIRECTION_WORDS
        or word in HORIZONTAL or word in VERTICAL or word in CENTER_WORDS or word in PLACE_NOUNS
        or word in IMAGE_NOUNS or word in PIXEL_UNITS or word in PERCENT_UNITS or word in DEGREE_UNITS
        or word in FILTER_NOUNS or word in RAISE_WORDS or word in LOWER_WORDS or word in FILTER_TAILS
        or word in ADDED_VERBS or word in PRONOUNS_SINGULAR or word in PRONOUNS_PLURAL
        or canonical_color(word) is not None or canonical_noun(word) is not None
        or word in _KNOWN_IN_PHRASES
    )


_KNOWN_IN_PHRASES: frozenset[str] = frozenset(
    w
    for table in (VERBS, FILTER_PHRASES, REMOVE_TAILS, REMOVE_DECORATION, FILTER_VERBS, DEGREE_PHRASES, SUPERLATIVES, CLOCKWISE,
                  QUANTITY_PHRASES, FILLER_PHRASES, PREFIXES, USER_REGION_PHRASES, REFERENCE_IMAGE_PHRASES)
    for key in table
    for w in key
)

_SINGLE_KEYS: frozenset[str] = frozenset(
    key[0]
    for table in (VERBS, FILTER_PHRASES, REMOVE_TAILS, REMOVE_DECORATION, FILTER_VERBS, DEGREE_PHRASES, SUPERLATIVES, CLOCKWISE,
                  QUANTITY_PHRASES, FILLER_PHRASES, PREFIXES, USER_REGION_PHRASES, REFERENCE_IMAGE_PHRASES)
    for key in table
    if len(key) == 1
)


def is_known_alone(word: str) -> bool:
    """Whether ``word`` has a role by itself; words met only inside longer phrases ("pencil" of "pencil
    drawing", "front" of "in front of") are free to name things."""
    return is_known(word) and (word not in _KNOWN_IN_PHRASES or word in _SINGLE_KEYS or word in STRUCTURAL
                               or word in FILLERS or word in DETERMINERS)


VERB_WORDS: frozenset[str] = frozenset(key[0] for key in VERBS if len(key) == 1)

# Known words that may still head a noun phrase ("remove the label", "remove the noise").
NOUN_LIKE: frozenset[str] = frozenset({
    "label", "caption", "title", "frame", "drawing", "sketch", "cartoon", "letter", "letters", "word",
    "words", "light", "noise", "grain", "blur", "shade", "tint", "stick", "print", "type", "detail",
    "details", "border", "dim", "tone", "bar", "cut", "swap", "drop", "block",
})
