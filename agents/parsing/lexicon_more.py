"""More verbs people use for the edits the grammar knows, merged into lexicon.VERBS."""

from __future__ import annotations

MORE_VERBS: dict[tuple[str, ...], str] = {
    # "transport the boat to a lake", "teleport her to paris"
    **{(w,): "move" for w in ("transport", "teleport", "scooch", "shove")},
    # "morph the frog into a prince"
    **{(w,): "make" for w in ("morph", "transmute")},
    # "bump the birds up to six": a number raised ("bump" alone stays a noun: "the speed bump")
    ("bump", "the"): "adjust",
    # "stick the vase on the shelf" moves it, "stick a hat on the dog" adds one, as "put" does
    **{(w,): "place" for w in ("stick", "slap", "plonk", "plunk", "squeeze", "tuck")},
    # "i'd like to see a dog next to the cat" (so "see" is known, never read as "set")
    **{(who, "would", wish, "to", "see"): "want" for who in ("i", "we") for wish in ("like", "love")},
    ("i", "want", "to", "see"): "want", ("we", "want", "to", "see"): "want",
    # "can i get seven cupcakes"
    **{(*who, "get"): "exist" for who in (("can", "i"), ("could", "i"), ("may", "i"))},
}
