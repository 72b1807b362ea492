"""The LangGraph wiring, the Python API (Editor, Session), the CLI and the Studio entry."""

from .api import Editor, ProgressEvent, Session, TurnResult
from .approval import NoPendingPlan, PlanPending, PlanRejected
from .builder import build_graph
from .settings import Settings

__all__ = ["Editor", "NoPendingPlan", "PlanPending", "PlanRejected", "ProgressEvent", "Session", "Settings", "TurnResult",
           "build_graph"]
