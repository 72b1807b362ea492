"""Template families: how people ask for each kind of edit, grouped by voice.

A family is one way of asking (a task, a voice, a few templates). The split holds out whole families
for test, so test phrasings are not near-copies of dev lines. Slots are filled by
:mod:`evals.language.slots`; ``@polite`` / ``@filler`` wrap the clause in a voice from vocab.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    id: str
    task: str
    voice: str
    templates: tuple[str, ...]


_SPEC: dict[str, dict[str, tuple[str, ...]]] = {
    "remove": {
        "terse.a": ("remove {t}", "delete {t}", "erase {t}", "get rid of {t}"),
        "terse.b": ("take out {t}", "take away {t}", "remove {t} from the picture", "clear out {t}"),
        "benchmark.a": ("Remove {T}", "Remove the {T}", "Delete {T}"),
        "benchmark.b": ("Erase {T} from the image", "Remove {T} from the photo", "Get rid of {T}"),
        "polite.a": ("@polite remove {t}", "@polite get rid of {t}"),
        "polite.b": ("@polite delete {t}", "@polite erase {t}"),
        "question.a": ("can {t} go?", "could you take {t} out?", "can we lose {t}?", "can {t} be removed?"),
        "question.b": ("is it possible to remove {t}?", "any chance you could erase {t}?", "could {t} disappear?",
                       "can you make {t} go away?"),
        "idiom.a": ("{t} has to go", "ditch {t}", "lose {t}", "{t} needs to go"),
        "idiom.b": ("bin {t}", "nuke {t}", "{t} must go", "scrap {t}", "axe {t}"),
        "wish.a": ("I don't want {t}", "I'd like {t} removed", "I want {t} gone", "we don't need {t}"),
        "wish.b": ("I want {t} out of the picture", "{t} shouldn't be there", "I'd rather not have {t}",
                   "please make {t} disappear"),
        "reason.a": ("remove {t}, {reason}", "get rid of {t} — {reason}"),
        "reason.b": ("{reason}, so please remove {t}", "can you delete {t}? {reason}"),
        "filler.a": ("@filler remove {t}", "@filler get rid of {t}"),
        "filler.b": ("@filler delete {t}", "@filler take out {t}"),
        "possessive.a": ("remove {tp}", "erase {tp}", "get rid of {tp}"),
        "keep.a": ("remove {t} but leave {keep} alone", "delete {t} and keep {keep} as it is",
                   "remove {t} but keep {keep}"),
        "keep.b": ("get rid of {t}, don't touch {keep}", "erase {t}; {keep} stays",
                   "remove {t} and keep everything else as is{keepall}"),
        "color_only.a": ("can the {c0} one go?", "remove the {c0} one", "get rid of the {c0} one"),
        "feeling.a": ("{feel} remove {t}", "{feel} can you get rid of {t}?"),
    },
    "add": {
        "terse.a": ("add {n}", "add {n} {pos}", "insert {n} {pos}"),
        "terse.b": ("put {n} {pos}", "place {n} {pos}", "draw {n} {pos}"),
        "benchmark.a": ("Add {N} {rel} {A}", "Add a {N} {rel} the {A}"),
        "benchmark.b": ("Add {N} {pos}", "Insert {N} {rel} {A}"),
        "relation.a": ("add {n} {rel} {a}", "put {n} {rel} {a}"),
        "relation.b": ("place {n} {rel} {a}", "could you add {n} {rel} {a}?"),
        "polite.a": ("@polite add {n} {pos}", "@polite put {n} {rel} {a}"),
        "polite.b": ("@polite insert {n} {rel} {a}", "@polite place {n} {pos}"),
        "wish.a": ("I'd like {n} {pos}", "I want {n} {rel} {a}", "there should be {n} {rel} {a}"),
        "wish.b": ("what if there was {n} {pos}?", "how about {n} {rel} {a}?", "it needs {n} {pos}"),
        "count.a": ("add {k} {np}", "put {k} {np} {pos}"),
        "count.b": ("add {k} {np} {rel} {a}", "draw {k} {np}"),
        "filler.a": ("@filler add {n} {pos}", "@filler throw in {n} {rel} {a}"),
        "reason.a": ("add {n} {pos}, {reason}", "{reason} — put {n} {rel} {a}"),
        "keep.a": ("add {n} {pos} but leave {keep} alone", "add {n} {rel} {a} and keep everything else as is{keepall}"),
        "correction.a": ("add a {c} {N} {pos} — no wait, {c2}", "add a {c}, no, a {c2} {N} {pos}"),
        "correction.b": ("draw a {c} {N}... actually {c2}", "put a {c} {N} {rel} {a}, sorry, {c2}"),
    },
    "replace": {
        "benchmark.a": ("Replace {tn} with {n}", "Replace {T} with {N}"),
        "benchmark.b": ("Replace {tn} with a {N}", "Replace {T} with a {N}"),
        "swap.a": ("swap {t} for {n}", "swap out {t} for {n}", "exchange {t} for {n}"),
        "swap.b": ("switch {t} out for {n}", "trade {t} for {n}", "swap {t} with {n}"),
        "turn.a": ("turn {t} into {n}", "change {t} into {n}"),
        "turn.b": ("transform {t} into {n}", "make {t} into {n}"),
        "instead.a": ("put {n} where {t} is", "I want {n} instead of {t}", "use {n} instead of {t}"),
        "instead.b": ("{n} instead of {t}, please", "instead of {t}, put {n}", "I'd prefer {n} rather than {t}"),
        "question.a": ("can you replace {t} with {n}?", "could {t} be {n} instead?"),
        "question.b": ("what if {t} was {n}?", "how about {n} in place of {t}?"),
        "passive.a": ("{t} should be replaced with {n}", "replace {t} by {n}"),
        "passive.b": ("have {n} replace {t}", "{t} needs to become {n}"),
        "polite.a": ("@polite replace {t} with {n}",),
        "filler.a": ("@filler swap {t} for {n}", "@filler replace {t} with {n}"),
        "keep.a": ("replace {t} with {n} but leave {keep} alone", "swap {t} for {n}, keep {keep} as is"),
    },
    "recolor": {
        "benchmark.a": ("Change the color of {T} to {c}", "Change the colour of the {T} to {c}"),
        "benchmark.b": ("Make the {T} {c}", "Color the {T} {c}", "Change the {T} color to {c}"),
        "terse.a": ("make {t} {c}", "paint {t} {c}", "turn {t} {c}"),
        "terse.b": ("color {t} {c}", "recolor {t} to {c}", "{t} in {c}"),
        "question.a": ("could {t} be {c}?", "can you make {t} {c}?", "what if {t} was {c}"),
        "question.b": ("how would {t} look in {c}?", "can {t} be {c} instead?", "what about making {t} {c}?"),
        "wish.a": ("I'd like {t} in {c}", "I want {t} {c}", "{t} should be {c}"),
        "wish.b": ("{t} would look better in {c}", "let's have {t} in {c}", "{t} needs to be {c}"),
        "possessive.a": ("make {tp} {c}", "change the colour of {tp} to {c}"),
        "possessive.b": ("dye {tp} {c}", "paint {tp} {c}"),
        "correction.a": ("make {t} {c} — no wait, {c2}", "paint {t} {c}, sorry, I meant {c2}"),
        "correction.b": ("turn {t} {c}... actually no, {c2}", "make {t} {c}. hmm, no, {c2} is better"),
        "filler.a": ("@filler make {t} {c}", "make {t} kinda {c}"),
        "filler.b": ("@filler paint {t} {c}", "make {t} really {c} tbh"),
        "reason.a": ("make {t} {c}, {reason}", "{t} should be {c} — {reason}"),
        "keep.a": ("make {t} {c} but leave {keep} alone", "change {t} to {c}, don't change {keep}"),
        "keep.b": ("paint {t} {c} and keep everything else as is{keepall}", "turn {t} {c} but keep {keep} the same"),
        "from.a": ("change {tc} to {c}", "make {tc} {c}"),
        "from.b": ("can the {c0} one be {c}?", "turn the {c0} one {c}"),
    },
    "material": {
        "benchmark.a": ("Change the material of {T} to {m}", "Change the material of the {T} to {m}"),
        "benchmark.b": ("Change the {T}'s material to {m}", "Make the {T} out of {m}"),
        "make.a": ("make {t} {ma}", "make {t} out of {m}"),
        "make.b": ("make {t} look like {m}", "turn {t} to {m}", "give {t} a {m} look"),
        "madeof.a": ("{t} should be made of {m}", "I want {t} made of {m}"),
        "madeof.b": ("can {t} be made of {m}?", "what if {t} was made of {m}?"),
        "finish.a": ("give {t} a {m} finish", "redo {t} in {m}"),
        "finish.b": ("switch the material of {t} to {m}", "{t} in {m}, please"),
        "possessive.a": ("make {tp} {ma}", "change {tp} to {m}"),
        "polite.a": ("@polite make {t} {ma}", "@polite change the material of {t} to {m}"),
        "filler.a": ("@filler make {t} {ma}", "make {t} kinda {ma}"),
        "keep.a": ("make {t} {ma} but leave {keep} alone", "change the material of {t} to {m}, keep {keep} as is"),
    },
    "background": {
        "benchmark.a": ("Change the background to {scene}", "Change the background to {bgc}"),
        "benchmark.b": ("Replace the background with {scene}", "Change the background to {scene}, remain {keepT} unchanged"),
        "scene.a": ("make the background {scene}", "set the background to {scene}"),
        "scene.b": ("swap the backdrop for {scene}", "switch the background to {scene}", "use {scene} as the background"),
        "color.a": ("make the background plain {bgc}", "set the background to solid {bgc}"),
        "color.b": ("use a plain {bgc} background", "put it on a plain {bgc} background", "I want a solid {bgc} background"),
        "gradient.a": ("make the background a gradient from {g1} to {g2}", "give it a {g1} to {g2} gradient background"),
        "gradient.b": ("set the background to a {g1}-to-{g2} gradient", "a gradient from {g1} to {g2} behind everything"),
        "question.a": ("could the background be {scene}?", "what if the background was {scene}"),
        "question.b": ("how about {scene} as the background?", "can we have {scene} in the background?"),
        "keep.a": ("change the background to {scene} but keep {keep} unchanged",
                   "make the background {scene} and leave {keep} alone"),
        "keep.b": ("replace the background with {scene}, keep {keep} as is", "{scene} background please, don't touch {keep}"),
        "polite.a": ("@polite change the background to {scene}", "@polite make the background {scene}"),
        "filler.a": ("@filler change the background to {scene}", "@filler set the background to {scene}"),
    },
    "count": {
        "benchmark.a": ("Change the count of {Tp} to {k}", "Change the number of {Tp} to {k}"),
        "benchmark.b": ("Change the count of the {Tp} to {k}", "Change the quantity of {Tp} to {k}"),
        "make.a": ("make it {k} {Tp}", "I want {k} {Tp}"),
        "make.b": ("there should be {k} {Tp}", "let's have {k} {Tp}", "make that {k} {Tp} instead"),
        "more.a": ("add {dplus} more {Tp}", "{dplus} more {Tp}, please"),
        "more.b": ("throw in {dplus} more {Tp}", "I need {dplus} extra {Tp}"),
        "fewer.a": ("keep only {k} {Tp}", "leave just {k} {Tp}"),
        "fewer.b": ("I want {dminus} fewer {Tp}", "make it {dminus} fewer {Tp}"),
        "question.a": ("could there be {k} {Tp}?", "can we have {k} {Tp} instead?"),
        "question.b": ("what if there were {k} {Tp}?", "how about {k} {Tp}?"),
        "polite.a": ("@polite change the number of {Tp} to {k}", "@polite make it {k} {Tp}"),
        "filler.a": ("@filler make it {k} {Tp}", "@filler change the count of {Tp} to {k}"),
    },
    "replace_text": {
        "benchmark.a": ("Replace the text '{old}' with '{new}'", 'Replace the text "{old}" with "{new}"'),
        "benchmark.b": ("Change the text '{old}' to '{new}'", "Replace the word '{old}' with '{new}'"),
        "change.a": ("change '{old}' to '{new}'", "change {oldw} to {neww}"),
        "change.b": ("rewrite '{old}' as '{new}'", "swap the word '{old}' for '{new}'"),
        "say.a": ("make the sign say '{new}' instead of '{old}'", "the sign should read '{new}', not '{old}'"),
        "say.b": ("it should say “{new}” instead of “{old}”", "have the banner read '{new}' rather than '{old}'"),
        "noold.a": ("change the text to '{new}'", "make the sign say '{new}'"),
        "noold.b": ("the banner should say '{new}'", "replace the writing with '{new}'", "change the caption to '{new}'"),
        "question.a": ("can you change '{old}' to '{new}'?", "could the sign say '{new}' instead of '{old}'?"),
        "question.b": ("what if it said '{new}' instead of '{old}'?", "can '{old}' become '{new}'?"),
        "polite.a": ("@polite replace the text '{old}' with '{new}'", "@polite change '{old}' to '{new}'"),
        "filler.a": ("@filler change '{old}' to '{new}'", "@filler replace '{old}' with '{new}'"),
    },
    "move": {
        "benchmark.a": ("Move {T} {rel} {A}", "Move the {T} {rel} the {A}"),
        "benchmark.b": ("Move {T} to the {side}", "Move the {T} {pos2}"),
        "direction.a": ("move {t} {dir}", "shift {t} to the {hdir}", "nudge {t} {dir}"),
        "direction.b": ("drag {t} {dir} a bit", "slide {t} {dir}", "push {t} {dir}"),
        "pixels.a": ("move {t} {dir} by {px}", "shift {t} {px} to the {hdir}"),
        "position.a": ("move {t} {pos2}", "drag {t} {pos2}"),
        "position.b": ("put {t} {pos}", "reposition {t} {pos2}"),
        "relation.a": ("move {t} {rel} {a}", "put {t} {rel} {a}"),
        "relation.b": ("place {t} {rel} {a}", "slide {t} over {rel} {a}"),
        "question.a": ("could {t} go {rel} {a}?", "can you move {t} {dir}?"),
        "question.b": ("what if {t} was {rel} {a}?", "can {t} sit {rel} {a}?"),
        "wish.a": ("{t} should be {rel} {a}", "I want {t} {rel} {a}"),
        "wish.b": ("I'd like {t} more to the {hdir}", "{t} belongs {rel} {a}"),
        "correction.a": ("move {t} {dir0} — no wait, {dir}", "shift {t} to the {hdir0}, sorry, {hdir}"),
        "reason.a": ("move {t} {dir}, {reason}", "{reason} — move {t} {rel} {a}"),
        "keep.a": ("move {t} {rel} {a} but leave {keep} where it is", "move {t} {dir} and don't touch {keep}"),
        "filler.a": ("@filler move {t} {dir}", "@filler put {t} {rel} {a}"),
    },
    "resize": {
        "terse.a": ("make {t} {cmp}", "{t} {cmp}"),
        "terse.b": ("enlarge {t}{big}", "shrink {t}{small}"),
        "amount.a": ("make {t} {amt}", "can you make {t} {amt}?"),
        "amount.b": ("I want {t} {amt}", "{t} should be {amt}"),
        "scale.a": ("scale {t} {by}", "resize {t} {by}"),
        "intensity.a": ("make {t} {cmp_even}", "make {t} {cmp_lot}"),
        "intensity.b": ("make {t} {cmp_bit}", "can you make {t} {cmp_bit}?"),
        "question.a": ("could {t} be {cmp}?", "can you make {t} {cmp}?"),
        "question.b": ("what if {t} was {cmp}?", "is it possible to make {t} {cmp}?"),
        "too.a": ("{t} is {too}", "{t} looks {too}"),
        "too.b": ("{t} is {too}, fix it", "hmm, {t} seems {too}"),
        "wish.a": ("{t} should be {cmp}", "I'd like {t} {cmp}"),
        "correction.a": ("make {t} {amt0} — no wait, {amt}", "make {t} {amt0}... actually {amt}"),
        "possessive.a": ("make {tp} {cmp}", "make {tp} {amt}"),
        "filler.a": ("@filler make {t} {cmp}", "@filler make {t} {amt}"),
        "keep.a": ("make {t} {cmp} but leave {keep} alone", "make {t} {amt} and keep {keep} as is"),
    },
    "filter": {
        "image.a": ("{lvimg}", "make {img} {la}"),
        "image.b": ("{img} should be {la}", "can you make {img} {la}?"),
        "background.a": ("{lvbg}", "make {bg} {la}"),
        "background.b": ("I'd like {bg} {la}", "could {bg} be {la}?"),
        "object.a": ("{lvobj}", "make {t} {la}"),
        "object.b": ("{lvtp}", "make {tp} {la}"),
        "question.a": ("could you {lvimg}?", "what if {img} was {la}?"),
        "question.b": ("can {img} be {la}?", "how about making {img} {la}?"),
        "keep.a": ("make {bg} black and white but keep {keeptp} in colour{gray}", "{lvimg} but leave {keep} alone"),
        "keep.b": ("{lvbg} but keep {keep} sharp", "make {img} {la} except for {keep}"),
        "filler.a": ("@filler {lvimg}", "make {img} kinda {la}"),
        "filler.b": ("@filler {lvbg}", "make {img} a tad {la}"),
        "reason.a": ("{lvimg}, {reason}", "{reason}, so {lvbg}"),
    },
}

# Compound messages: joiners with numbered clause slots; the clauses are drawn from CORE.
COMPOUND: dict[str, tuple[str, ...]] = {
    "and.a": ("{1} and {2}", "{1} and also {2}"),
    "and.b": ("{1}, and {2}", "{1} plus {2}"),
    "then.a": ("{1}, then {2}", "{1} and then {2}"),
    "then.b": ("first {1}, then {2}", "{1}; after that {2}"),
    "sentences.a": ("{1}. {2}.", "{1}. Also {2}."),
    "sentences.b": ("{1}! {2} too", "{1}. Then {2}."),
    "long.a": ("first {1}, then {2}, and finally {3}", "{1}, {2} and {3}"),
    "long.b": ("{1}, then {2}, then {3}", "{1}. Next, {2}. Finally {3}."),
    "chatty.a": ("{feel} {1}, and could you also {2}?", "ok so {1}, and {2} if you can"),
    "chatty.b": ("hey! can you {1} and maybe {2}? oh and {3}", "{feel} {1}... and {2}, thanks"),
    "pronoun.a": ("add {n} {pos} and make it {c}", "put {n} {pos} and then move it {dir}"),
    "pronoun.b": ("add {n} {rel} {a} and make it {cmp}", "insert {n} {pos}, then make it {c}"),
}

# Short imperative clauses per task, for compound messages.
CORE: dict[str, tuple[str, ...]] = {
    "remove": ("remove {t}", "get rid of {t}", "delete {t}"),
    "add": ("add {n} {pos}", "put {n} {rel} {a}"),
    "replace": ("replace {t} with {n}", "swap {t} for {n}"),
    "recolor": ("make {t} {c}", "paint {t} {c}"),
    "material": ("make {t} {ma}", "change the material of {t} to {m}"),
    "background": ("change the background to {scene}",),
    "count": ("make it {k} {Tp}",),
    "replace_text": ("change the text '{old}' to '{new}'",),
    "move": ("move {t} {dir}", "move {t} {rel} {a}"),
    "resize": ("make {t} {cmp}", "make {t} {amt}"),
    "filter": ("{lvimg}", "{lvbg}"),
}


def families() -> list[Family]:
    """Every family in a fixed order: tasks as listed, then compounds."""
    out = [Family(f"{task}.{name}", task, name.split(".")[0], templates)
           for task, spec in _SPEC.items() for name, templates in spec.items()]
    out += [Family(f"compound.{name}", "compound", name.split(".")[0], templates) for name, templates in COMPOUND.items()]
    return out


TASKS: tuple[str, ...] = (*_SPEC, "compound")
