"""Wiring: the StateGraph of one turn — the one file that shows the whole turn.

    load_session → parse_intent ─┬─ (edit) ─────────────────────────┐
                                 ├─ (generate) prepare_canvas ──────┴→ decompose ─┬→ execute ─┬→ critique ─┬→ commit_turn
                                 │                                                └→ refine ──┘            ├→ decompose (retry)
                                 ├─ (variations) variations ─────────────────────────────────┐            └→ refine (critic asked)
                                 └─ (history, pick) ──────────────────────────────────────────┴────────────→ commit_turn

With ``confirm_plan``, execute and refine first wait for the plan's approval (graph/approval.py); a
rejected plan goes back to decompose with the reviewer's feedback instead of on to critique.
"""

from __future__ import annotations

from langgraph.graph import END, START, StateGraph

from . import approval, nodes
from .state import Context, GraphState, TurnInput, TurnOutput


def build_graph() -> StateGraph:
    """The uncompiled builder, so callers can attach their own checkpointer."""
    builder = StateGraph(GraphState, context_schema=Context, input_schema=TurnInput, output_schema=TurnOutput)
    builder.add_node("load_session", approval.fresh_run(nodes.load_session))
    builder.add_node("parse_intent", nodes.parse_intent)
    builder.add_node("prepare_canvas", nodes.prepare_canvas)
    builder.add_node("decompose", nodes.decompose)
    builder.add_node("execute", approval.reviewed(nodes.execute))
    builder.add_node("refine", approval.reviewed(nodes.refine))
    builder.add_node("critique", nodes.critique)
    builder.add_node("variations", nodes.variations)
    builder.add_node("commit_turn", nodes.commit_turn)
    builder.add_edge(START, "load_session")
    builder.add_edge("load_session", "parse_intent")
    builder.add_conditional_edges("parse_intent", nodes.route_after_parse)
    builder.add_edge("prepare_canvas", "decompose")
    builder.add_conditional_edges("decompose", approval.after_decompose(nodes.route_after_decompose))
    builder.add_conditional_edges("execute", approval.route_after_review)
    builder.add_conditional_edges("refine", approval.route_after_review)
    builder.add_conditional_edges("critique", nodes.route_after_critique)
    builder.add_edge("variations", "commit_turn")
    builder.add_edge("commit_turn", END)
    return builder
