"""Image engines behind small protocols: classical (the default, offline) and neural (lazy)."""

from .base import (
    Box,
    Detection,
    EngineError,
    Filter,
    Generator,
    Grounder,
    HoleTooLarge,
    Inpainter,
    Inserter,
    InsertSpec,
    Recolorer,
    Segmenter,
    TextDrawer,
)
from .registry import EngineSet, UnknownEngine, available, build_engine_set, create, register

__all__ = [
    "Box", "Detection", "EngineError", "EngineSet", "Filter", "Generator", "Grounder", "HoleTooLarge", "Inpainter",
    "InsertSpec", "Inserter", "Recolorer", "Segmenter", "TextDrawer", "UnknownEngine", "available",
    "build_engine_set", "create", "register",
]
