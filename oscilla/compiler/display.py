"""The display settings of a patch (``settings.trails``, ``feedback``, ``size``, ``bloom``) as the
fields of a CompiledProgram (docs/language/rendering.md#trails, #bloom).

The patch schema (:mod:`oscilla.patch.schema`) has already checked types and ranges; this only
fills in the defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

#: ``settings.size`` when a patch names none: (width, height) pixels
DEFAULT_SIZE = (512, 512)
#: ``settings.bloom`` members a patch leaves out
BLOOM_DEFAULTS = {"threshold": 0.8, "intensity": 1.0, "radius": 0.02}


def display_settings(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``trails`` (float), ``feedback`` ((zoom, rotate, dx, dy) or None), ``size`` ((w, h)) and
    ``bloom`` ((threshold, intensity, radius) or None) for :class:`oscilla.program.CompiledProgram`.

    A feedback object's missing members are the identity (zoom 1, rotate 0, offset [0, 0]).
    """
    trails = float(settings.get("trails", 0.0))
    fb = settings.get("feedback")
    feedback = None
    if fb is not None:
        off = tuple(fb.get("offset", (0.0, 0.0)))
        feedback = (float(fb.get("zoom", 1.0)), float(fb.get("rotate", 0.0)), float(off[0]), float(off[1]))
    w, h = settings.get("size", DEFAULT_SIZE)
    bl = settings.get("bloom")
    bloom = None
    if bl is not None:
        merged = {**BLOOM_DEFAULTS, **bl}
        bloom = (float(merged["threshold"]), float(merged["intensity"]), float(merged["radius"]))
    return {"trails": trails, "feedback": feedback, "size": (int(w), int(h)), "bloom": bloom}
