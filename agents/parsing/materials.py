"""Material words: what a thing can be made of ("make the mug glass", "a wooden chair").

The offline looks know some of them (engines/classical/materials.py); a prompted inpainter takes any.
The parser carries the word as said ("silk", "wooden") and the material operation maps it to a look.
"""

from __future__ import annotations

from engines.classical.materials import canonical_material

# Materials people name beyond the offline looks' table: the parser must know them to read
# "make the cake chocolate" as a material and not as a new name.
_MORE = frozenset({
    "velvet", "satin", "silk", "lace", "felt", "fur", "suede", "tweed", "corduroy", "linen", "cotton", "nylon",
    "polyester", "canvas", "chocolate", "candy", "sugar", "ice", "wax", "jelly", "crystal", "diamond", "jade",
    "ivory", "pearl", "amber", "obsidian", "bamboo", "wicker", "rattan", "straw", "cork", "brick", "sandstone",
    "slate", "cobblestone", "iron", "tin", "titanium", "platinum", "pewter", "neon", "foam", "sponge", "lego",
    "origami", "porcelain", "terracotta", "mosaic", "stained", "plasticine", "playdough", "fabric", "cloth",
    "knit", "knitted", "woven", "crochet", "gem", "gemstone", "quartz", "ruby", "emerald", "sapphire", "mahogany",
    "oak", "pine", "walnut", "birch", "cherrywood", "metallic", "wooden", "golden", "glassy", "stone", "stony",
})
_ADJECTIVE_FORMS = {"wooden": "wood", "golden": "gold", "metallic": "metal", "woolen": "wool", "woollen": "wool",
                    "glassy": "glass", "stony": "stone", "leathery": "leather", "rubbery": "rubber",
                    "silken": "silk", "marbled": "marble", "knitted": "wool"}


def is_material(word: str | None) -> bool:
    if not word:
        return False
    return word in _MORE or canonical_material(word) is not None


def material_name(word: str) -> str:
    """The material a word names, as said but in its noun form ("wooden" → wood, "silk" → silk)."""
    return _ADJECTIVE_FORMS.get(word, word)
