"""Classical engines: OpenCV, Pillow and scikit-image only (no model, no torch), the offline default.

Importing this package registers one classical engine per role with ``engines.registry``.
"""

from ..registry import register
from .colors import PALETTE, canonical_color, color_name, rgb_of
from .filters import FILTERS, ClassicalFilter
from .generator import ProceduralGenerator
from .geometry import crop, flip_image, object_matrix, rotate_image, transform_object
from .grounding import ClassicalGrounder, detect_faces, detect_sky
from .inpainting import ClassicalInpainter
from .insertion import ClassicalInserter, draw_object, draw_shape, paste_reference
from .recolor import ClassicalRecolorer
from .scene import SceneCache, classify_shape, parse_scene
from .segmentation import ClassicalSegmenter, refine_mask
from .text import PillowTextDrawer, draw_box, fit_text

register("grounder", "classical", ClassicalGrounder)
register("segmenter", "classical", ClassicalSegmenter)
register("inpainter", "classical", ClassicalInpainter)
register("inserter", "classical", ClassicalInserter)
register("recolorer", "classical", ClassicalRecolorer)
register("filter", "classical", ClassicalFilter)
register("text", "classical", PillowTextDrawer)
register("generator", "classical", ProceduralGenerator)

__all__ = [
    "FILTERS", "PALETTE", "ClassicalFilter", "ClassicalGrounder", "ClassicalInpainter", "ClassicalInserter",
    "ClassicalRecolorer", "ClassicalSegmenter", "PillowTextDrawer", "ProceduralGenerator", "SceneCache", "canonical_color",
    "classify_shape", "color_name", "crop", "detect_faces", "detect_sky", "draw_box", "draw_object",
    "draw_shape", "fit_text", "flip_image", "object_matrix", "parse_scene", "paste_reference", "refine_mask",
    "rgb_of", "rotate_image", "transform_object",
]
