"""Wiring: the StateGraph of one turn."""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from . import generation, nodes
from .state import Context, GraphState, TurnInput, TurnOutput


def build_graph() -> StateGraph:
    """The uncompiled builder, so callers can attach their own checkpointer.

    Picture making (graph/generation.py) wraps the edit nodes: a blank canvas before a generation,
    best-of-N candidates in execute/critique, the refinement agent's node, variations and picks.
    """
    builder = StateGraph(GraphState, context_schema=Context, input_schema=TurnInput, output_schema=TurnOutput)
    builder.add_node("load_session", nodes.load_session)
    builder.add_node("parse_intent", nodes.parse_intent)
    builder.add_node("prepare_canvas", generation.prepare_canvas)
    builder.add_node("decompose", generation.decompose)
    builder.add_node("execute", generation.execute)
    builder.add_node("refine", generation.refine)
    builder.add_node("critique", generation.critique)
    builder.add_node("variations", generation.variations)
    builder.add_node("commit_turn", generation.commit_turn)
    builder.add_edge(START, "load_session")
    builder.add_edge("load_session", "parse_intent")
    builder.add_conditional_edges("parse_intent", generation.route_after_parse)
    builder.add_edge("prepare_canvas", "decompose")
    builder.add_conditional_edges("decompose", generation.route_after_decompose)
    builder.add_edge("execute", "critique")
    builder.add_edge("refine", "critique")
    builder.add_conditional_edges("critique", generation.route_after_critique)
    builder.add_edge("variations", "commit_turn")
    builder.add_edge("commit_turn", END)
    return builder
