"""The corpus's words: everyday nouns, colours, materials, scenes, looks, texts and the filler people add.

Written from how people describe photos, not from the parser's lexicon, so the corpus measures what
the parser understands rather than echoing it. Nouns carry their plural and the materials that suit
them; colours map the word said to the palette name the intent carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Noun:
    """One everyday noun: the words said (``text``), its head in the singular, its plural as said."""

    text: str
    category: str
    plural: str
    materials: tuple[str, ...] = field(default=())

    @property
    def head(self) -> str:
        return self.text.split()[-1]

    @property
    def modifiers(self) -> list[str]:
        return self.text.split()[:-1]


def _plural(text: str) -> str:
    *lead, last = text.split()
    if last.endswith(("s", "x", "ch", "sh")):
        last += "es"
    elif last.endswith("y") and last[-2] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return " ".join([*lead, last])


_IRREGULAR = {
    "leaf": "leaves", "knife": "knives", "shelf": "shelves", "sheep": "sheep", "deer": "deer", "fish": "fish",
    "goose": "geese", "tomato": "tomatoes", "potato": "potatoes", "mango": "mangoes", "wolf": "wolves",
    "scarf": "scarves", "loaf": "loaves", "mouse": "mice", "man": "men", "woman": "women", "child": "children",
    "person": "people", "cactus": "cacti", "bus": "buses", "dress": "dresses", "hoof": "hooves",
    "glass": "glasses",
}

WOODISH = ("wood", "metal", "plastic", "glass", "marble", "stone")
FABRIC = ("leather", "denim", "silk", "wool", "velvet", "cotton", "fabric")
VESSEL = ("glass", "ceramic", "metal", "plastic", "wood", "marble", "copper")
HARD = ("metal", "wood", "plastic", "stone", "steel", "bronze", "glass")
FOOD = ("glass", "plastic", "chocolate", "ceramic", "marble")
ANIMAL = ("bronze", "marble", "wood", "stone", "glass", "ceramic")

_NOUNS: dict[str, tuple[tuple[str, ...], str]] = {
    "household": (VESSEL, """mug cup bowl plate vase teapot kettle jar bottle candle lamp clock pillow cushion blanket
        rug curtain mirror basket book laptop keyboard phone remote television speaker towel umbrella backpack
        suitcase handbag wallet key notebook pen pencil candlestick lantern bucket tray spoon fork knife pan pot
        toaster blender microwave fridge radio camera headphone calculator stapler globe trophy piggy_bank
        flower_pot coffee_mug water_bottle wine_bottle picture_frame alarm_clock desk_lamp table_lamp
        tissue_box soap_dispenser cutting_board frying_pan"""),
    "clothing": (FABRIC, """shirt jacket hat cap scarf dress skirt sneaker boot glove sock tie belt sweater hoodie coat
        sandal helmet vest blouse raincoat apron beanie mitten slipper bow_tie baseball_cap cowboy_hat
        leather_jacket denim_jacket winter_coat running_shoe high_heel baseball_glove"""),
    "furniture": (WOODISH, """chair table sofa couch bench stool desk bed shelf cabinet dresser armchair bookcase
        wardrobe ottoman nightstand crib hammock rocking_chair coffee_table dining_table office_chair
        bar_stool park_bench picnic_table garden_chair"""),
    "food": (FOOD, """apple banana lemon pear cake cookie donut pizza sandwich burger croissant muffin egg tomato carrot
        strawberry grape watermelon pineapple cupcake bagel pie pretzel peach plum mango avocado potato
        onion pepper cucumber broccoli lollipop taco waffle pancake hot_dog ice_cream_cone birthday_cake
        cherry_pie"""),
    "animal": (ANIMAL, """cat dog bird horse cow sheep duck rabbit bear fox owl parrot squirrel deer goat pig chicken
        frog turtle butterfly fish elephant giraffe zebra lion tiger penguin dolphin wolf goose swan
        hamster kitten puppy pony camel koala panda monkey flamingo seagull pigeon ladybug snail
        teddy_bear polar_bear golden_retriever tabby_cat"""),
    "vehicle": (HARD, """car bus truck bicycle motorcycle boat airplane train scooter van taxi tractor skateboard
        helicopter sailboat canoe jeep wagon tram rocket ambulance fire_truck police_car school_bus
        pickup_truck race_car hot_air_balloon"""),
    "nature": (("stone", "glass", "copper", "wood", "metal"), """tree flower rock cloud bush leaf sunflower tulip
        cactus log mushroom pumpkin pinecone shell feather acorn daisy lily fern palm_tree oak_tree
        pine_tree rose_bush maple_leaf"""),
    "street": (("metal", "wood", "stone", "brick", "glass", "plastic", "concrete"), """sign fence gate door window
        wall roof chimney billboard poster banner flag mailbox bollard fountain statue lamppost hydrant
        stop_sign street_sign traffic_light fire_hydrant street_lamp brick_wall garden_gate front_door
        shop_sign bus_stop traffic_cone"""),
    "toy": (("plastic", "wood", "metal", "rubber", "glass", "steel"), """ball kite doll balloon racket frisbee surfboard
        puzzle robot drum guitar violin trumpet piano yoyo beach_ball soccer_ball tennis_ball
        toy_car rubber_duck"""),
    "shape": (("wood", "metal", "glass", "plastic"), """circle square star triangle heart hexagon pentagon
        diamond"""),
}

PEOPLE = ("man", "woman", "child", "boy", "girl", "person")
# Parts a possessive names: "her face", "the cat's fur", "the man's hat".
POSSESSED = {
    "person": ("face", "hair", "shirt", "hat", "jacket", "glasses frame", "scarf", "eye"),
    "cat": ("fur", "collar", "tail", "ear"),
    "dog": ("fur", "collar", "leash", "tail"),
    "bear": ("fur", "nose"),
    "car": ("wheel", "door", "roof", "headlight"),
    "house": ("roof", "door", "window", "chimney"),
}
PRONOUN_OWNERS = {"her": "person", "his": "person", "their": "person"}


def nouns() -> list[Noun]:
    """Every corpus noun, in a fixed order."""
    out: list[Noun] = []
    for category, (materials, words) in _NOUNS.items():
        for word in words.split():
            text = word.replace("_", " ")
            head = text.split()[-1]
            plural = " ".join([*text.split()[:-1], _IRREGULAR[head]]) if head in _IRREGULAR else _plural(text)
            out.append(Noun(text, category, plural, materials))
    return out


# --------------------------------------------------------------------------- colours

# The word said → the palette name the intent carries.
COLORS: dict[str, str] = {
    "red": "red", "orange": "orange", "yellow": "yellow", "green": "green", "blue": "blue", "purple": "purple",
    "pink": "pink", "brown": "brown", "black": "black", "white": "white", "gray": "gray", "grey": "gray",
    "cyan": "cyan", "navy": "blue", "teal": "cyan", "crimson": "red", "violet": "purple", "turquoise": "cyan",
    "lime": "green", "maroon": "red", "lavender": "purple", "beige": "brown", "magenta": "pink",
    "scarlet": "red",
}
# Colours named with a shade word before them: the colour is the last word.
SHADES = ("light", "dark", "bright", "pale", "deep", "concrete")
BASIC_COLORS = ("red", "orange", "yellow", "green", "blue", "purple", "pink", "brown", "black", "white", "gray",
                "grey")

# --------------------------------------------------------------------------- materials and looks

# The word said → the material the intent carries.
MATERIALS: dict[str, str] = {
    "wood": "wood", "wooden": "wood", "metal": "metal", "metallic": "metal", "glass": "glass", "leather": "leather",
    "plastic": "plastic", "marble": "marble", "stone": "stone", "gold": "gold", "golden": "gold",
    "bronze": "bronze", "ceramic": "ceramic", "denim": "denim", "silk": "silk", "wool": "wool", "woolen": "wool",
    "velvet": "velvet", "cotton": "cotton", "fabric": "fabric", "rubber": "rubber", "brick": "brick",
    "concrete": "concrete", "chocolate": "chocolate", "copper": "copper", "steel": "steel", "silver": "silver",
}
# Adjective forms for phrases ("the wooden chair"); the noun form is the material itself.
MATERIAL_ADJECTIVES = {"wood": "wooden", "metal": "metal", "gold": "golden", "wool": "woolen", "stone": "stone",
                       "glass": "glass", "leather": "leather", "plastic": "plastic", "marble": "marble",
                       "ceramic": "ceramic", "denim": "denim", "silk": "silk", "velvet": "velvet",
                       "cotton": "cotton", "fabric": "fabric", "rubber": "rubber", "brick": "brick",
                       "concrete": "concrete", "bronze": "bronze", "chocolate": "chocolate",
                       "copper": "copper", "steel": "steel"}
PATTERNS = ("striped", "polka-dot", "checkered", "floral", "plaid", "spotted", "painted", "patterned", "fluffy",
            "shiny", "old", "worn", "rusty", "round", "tall", "open", "folded", "furry", "fur", "knitted")
SIZES = {"small": "small", "little": "small", "tiny": "small", "big": "large", "large": "large", "huge": "large"}

SCENES = ("forest", "beach", "city street", "desert", "snowy mountain", "sunset sky", "ocean", "park", "kitchen",
          "office", "field of flowers", "night sky", "garden", "lake", "jungle", "waterfall", "library",
          "meadow", "rainy street", "starry sky", "living room", "mountain lake", "wheat field", "harbor",
          "snowy forest", "tropical island", "rooftop", "cafe", "classroom", "stadium", "cave", "space")

# Looks: the filter name the intent carries → ways to say it as "make X ___" and as a verb phrase.
LOOK_ADJ = {
    "blur": ("blurry", "blurred", "out of focus"), "sharpen": ("sharper", "crisper", "sharp"),
    "brighten": ("brighter", "lighter"), "darken": ("darker", "dimmer"), "grayscale": ("black and white",
    "grayscale", "greyscale", "monochrome"), "sepia": ("sepia", "vintage", "old-timey"), "saturate": (
    "more vivid", "more colorful", "more saturated"), "desaturate": ("less saturated", "more muted", "washed out"),
    "warm": ("warmer",), "cool": ("cooler", "colder"), "cartoon": ("cartoony", "like a cartoon"),
    "sketch": ("like a pencil sketch", "like a drawing"), "invert": ("inverted", "a negative"),
}
LOOK_VERB = {
    "blur": ("blur {t}", "add some blur to {t}", "soften {t} with a blur"), "sharpen": ("sharpen {t}",
    "crisp up {t}"), "brighten": ("brighten {t}", "lighten up {t}"), "darken": ("darken {t}", "dim {t}"),
    "grayscale": ("turn {t} black and white", "convert {t} to black and white"), "sepia": (
    "apply a sepia filter to {t}", "give {t} a sepia tone"), "saturate": ("saturate {t}", "boost the colours of {t}"),
    "desaturate": ("desaturate {t}", "tone down the colours of {t}"), "warm": ("warm up {t}",),
    "cool": ("cool down {t}",), "cartoon": ("cartoonize {t}", "turn {t} into a cartoon"),
    "sketch": ("turn {t} into a sketch", "make {t} a pencil drawing"), "invert": ("invert the colours of {t}",),
    "denoise": ("denoise {t}", "remove the noise from {t}", "clean up the grain in {t}"),
    "contrast": ("increase the contrast of {t}", "boost the contrast in {t}", "add more contrast to {t}"),
}

SIGN_WORDS = ("Houston", "SOFTBALL", "SALE", "OPEN", "CLOSED", "Welcome", "EXIT", "STOP", "Coffee", "Bakery",
              "Hello", "Happy Birthday", "Paris", "Fresh Bread", "Hotel", "Pizza", "Books", "Garage", "TAXI",
              "Main St", "Boston", "Lakers", "Tigers", "Library", "FOR RENT", "Market", "Sushi", "Diner",
              "Gym", "Cinema", "Pharmacy", "Bar", "Vote", "Summer", "Winter Sale", "50% OFF", "Thank You",
              "Home", "Beach", "Cafe", "Police", "School Bus", "Love", "Dream Big", "NO PARKING", "Tacos")

NUMBER_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}

# --------------------------------------------------------------------------- voices

# Wrappers around an imperative clause {x}; split between dev and test like the templates.
POLITE = ("could you {x}?", "can you please {x}", "{x} please", "please {x}", "would you {x} for me?",
          "I'd like you to {x}", "{x}, thanks!", "pls {x}", "can u {x}", "hey, {x}",
          "I need you to {x}", "go ahead and {x}", "let's {x}", "hi! could you {x} please?", "{x} thx",
          "kindly {x}", "ok so {x}", "hmm, {x}", "right, {x}", "if possible, {x}")
FILLER = ("ugh, {x}", "tbh just {x}", "{x} lol", "honestly, {x}", "so yeah, {x}", "um {x}", "ok {x} now",
          "{x}, if you can", "{x} real quick", "just {x} already", "can you just {x}", "{x} i guess",
          "alright, {x}", "{x} haha", "{x}!!", "oh and {x}", "{x} ok?", "erm, {x}")
REASONS = ("it's blocking the view", "it looks weird", "I don't like it", "it's distracting", "my boss asked",
           "it's for a poster", "it ruins the shot", "that looks off", "it clashes with the rest",
           "the client wants it", "it's too busy", "it just bugs me", "it's for my mom", "it looks cheap")
FEELINGS = ("I love this photo but", "this is nearly perfect,", "sorry to be picky,", "quick one:",
            "one more thing:", "almost there!", "ugh, one thing:", "nice! now", "great, and", "ok last thing,")
