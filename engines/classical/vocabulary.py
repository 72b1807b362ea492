"""The nouns the classical engines can find and draw."""

# Shapes the classical grounder classifies from contours, and the inserter draws.
SHAPES: tuple[str, ...] = (
    "circle", "ellipse", "square", "rectangle", "triangle", "star", "hexagon", "pentagon", "diamond",
    "heart",
)

SHAPE_SYNONYMS: dict[str, str] = {
    "circles": "circle", "disc": "circle", "disk": "circle", "dot": "circle", "ball": "circle",
    "round": "circle", "ring": "circle", "oval": "ellipse", "ovals": "ellipse", "ellipses": "ellipse",
    "squares": "square", "box": "square", "boxes": "square", "block": "square", "rectangles": "rectangle",
    "rect": "rectangle", "bar": "rectangle", "triangles": "triangle", "stars": "star",
    "hexagons": "hexagon", "pentagons": "pentagon", "diamonds": "diamond", "rhombus": "diamond",
    "hearts": "heart", "rhombi": "diamond", "rhombuses": "diamond", "dots": "circle", "discs": "circle",
    "disks": "circle", "balls": "circle", "rings": "circle", "bars": "rectangle", "blocks": "square",
    "rects": "rectangle",
}
# Singular words that end in "s" all the same.
_SINGULAR_S = frozenset({"rhombus", "canvas", "this", "glass", "grass", "bus", "cactus", "lens", "dress"})

# Composite objects the classical inserter and scene composer can draw from shapes.
OBJECTS: tuple[str, ...] = ("sun", "balloon", "tree", "house", "cloud", "moon", "flower", "hill", "logo")

# Regions the classical grounder finds on photographs.
REGION_NOUNS: tuple[str, ...] = ("face", "background", "subject", "person", "sky", "text", "cat", "eye")

# Words for what the photo detectors find.
PHOTO_SYNONYMS: dict[str, str] = {
    "people": "person", "man": "person", "woman": "person", "boy": "person", "girl": "person",
    "astronaut": "person", "human": "person", "men": "person", "women": "person", "persons": "person",
    "writing": "text", "words": "text", "word": "text", "sign": "text", "caption": "text", "label": "text",
    "lettering": "text", "letters": "text", "title": "text", "texts": "text", "signs": "text",
    "kitten": "cat", "kitty": "cat", "cats": "cat", "eyes": "eye",
}

# Words that mean "any object".
GENERIC_NOUNS: tuple[str, ...] = ("object", "shape", "thing", "item", "one", "ones", "objects", "shapes",
                                 "things", "items")


def is_plural_noun(word: str) -> bool:
    """Whether a noun names several things: "circles", "boxes", "ones", "rhombi"; not "rhombus" or "grass"."""
    word = word.lower()
    if word in _SINGULAR_S or word in SHAPES or word in OBJECTS or word in REGION_NOUNS or word.endswith("ss"):
        return False
    return word.endswith("s") or word in ("rhombi", "people")


def canonical_noun(word: str) -> str | None:
    word = word.lower()
    if word in SHAPES or word in OBJECTS or word in REGION_NOUNS:
        return word
    if word in SHAPE_SYNONYMS:
        return SHAPE_SYNONYMS[word]
    if word in PHOTO_SYNONYMS:
        return PHOTO_SYNONYMS[word]
    if word.endswith("s") and word[:-1] in SHAPES + OBJECTS + REGION_NOUNS:
        return word[:-1]
    if word in ("faces",):
        return "face"
    if word in GENERIC_NOUNS:
        return "object"
    return None
