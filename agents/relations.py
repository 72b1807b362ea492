"""Which of several candidates a relation to another thing picks: "the cup next to the laptop",
"the book under the lamp", "the mug left of the plate".

Boxes are compared by their centres: a candidate is left of the anchor when its centre is left of
the anchor's, above when higher, and so on; "next to", "near", "behind" and "on" take the closest.
Among the candidates on the right side, the closest to the anchor wins, with near-ties kept (still
ambiguous, so the user is asked).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from state.models import Box

# Relative distance within which two candidates are equally close to the anchor.
TIE = 0.15
_SIDES = {
    "left_of": lambda c, a: c[0] < a[0], "right_of": lambda c, a: c[0] > a[0],
    "above": lambda c, a: c[1] < a[1], "below": lambda c, a: c[1] > a[1],
}


def _center(box: Box) -> tuple[float, float]:
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _gap(box: Box, anchor: Box) -> float:
    """Distance between the two boxes' edges (0 when they touch or overlap)."""
    dx = max(anchor[0] - box[2], box[0] - anchor[2], 0)
    dy = max(anchor[1] - box[3], box[1] - anchor[3], 0)
    return math.hypot(dx, dy)


def related(boxes: Sequence[Box], anchor: Box, rel: str) -> list[int]:
    """Indices of the boxes that stand in ``rel`` to ``anchor``, the closest first (near-ties kept)."""
    side = _SIDES.get(rel)
    anchor_center = _center(anchor)
    fitting = [i for i, box in enumerate(boxes) if side is None or side(_center(box), anchor_center)]
    if not fitting:
        return []
    distance = {i: _gap(boxes[i], anchor) + 0.25 * math.dist(_center(boxes[i]), anchor_center) for i in fitting}
    best = min(distance.values())
    scale = max(anchor[2] - anchor[0], anchor[3] - anchor[1], 1)
    return sorted((i for i in fitting if distance[i] <= best + TIE * scale), key=distance.get)
