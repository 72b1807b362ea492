"""The compiled graph LangGraph Studio (`langgraph dev`) loads, as langgraph.json names it."""

from graph.builder import build_graph

graph = build_graph().compile(name="retouch")
