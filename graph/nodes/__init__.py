"""The graph's nodes, one module each, with the route that leaves each node beside it.

Nodes read their services from the run's context, never from the environment, and hand each
other references (content hashes) and small pydantic models, never image bytes.
"""

from __future__ import annotations

from .canvas import prepare_canvas
from .commit import commit_turn, store_turn
from .common import PlanRejected
from .critique import critique, route_after_critique
from .decompose import decompose, route_after_decompose
from .execute import execute
from .load import load_session
from .parse import parse_intent, route_after_parse
from .refine import refine
from .variations import variations

__all__ = ["PlanRejected", "commit_turn", "critique", "decompose", "execute", "load_session", "parse_intent",
           "prepare_canvas", "refine", "route_after_critique", "route_after_decompose", "route_after_parse",
           "store_turn", "variations"]
