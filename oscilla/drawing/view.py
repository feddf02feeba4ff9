"""The view transform: pan and zoom of what the renderer draws (never model state).

The viewport mapping of docs/language/rendering.md#viewport puts world (x, y) at pixel
``(W/2 + (x - 0.5) S, H/2 + (y - 0.5) S)`` with ``S = min(W, H)``. A :class:`ViewTransform`
generalizes it to ``(W/2 + (x - cx) S z, H/2 + (y - cy) S z)``: ``zoom`` z magnifies about the
world point ``center`` (cx, cy), which lands at the target's centre. The identity (z = 1,
centre (0.5, 0.5)) is the plain viewport, and the shaders then compute bit for bit what they
computed without a view (``S * 1.0 == S`` and ``x - 0.5`` are the same f32 operations).

The renderer applies it through its frame uniform (``RENDER_FRAME.scale = S z`` and
``RENDER_FRAME.center``), to every shape, line and splat alike; sizes, line and stroke widths
scale with the zoom like everything else drawn in world units. Values (``read``), state and replay
never see it. The window's ``mouse.*`` channels use :meth:`ViewTransform.to_world`, so they keep
reporting the world point under the pointer.

Pure Python: no GPU here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: the zoom range the window's wheel and :meth:`ViewTransform.zoomed_about` stay within
MIN_ZOOM = 1.0 / 64.0
MAX_ZOOM = 4096.0


def _finite(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"view transform: {name} must be a finite number, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class ViewTransform:
    """Zoom ``zoom`` (dimensionless, > 0) about world point ``center`` (world units), which is
    drawn at the centre of the target.

    Raises:
        ValueError: a non-finite centre, or a zoom that is not a finite number > 0.
    """

    zoom: float = 1.0
    center: tuple[float, float] = (0.5, 0.5)

    def __post_init__(self) -> None:
        z = _finite("zoom", self.zoom)
        if z <= 0.0:
            raise ValueError(f"view transform: zoom must be > 0, got {self.zoom!r}")
        if not isinstance(self.center, (tuple, list)) or len(self.center) != 2:
            raise ValueError(f"view transform: center must be a world point (x, y), got {self.center!r}")
        cx, cy = (_finite("center", c) for c in self.center)
        object.__setattr__(self, "zoom", z)
        object.__setattr__(self, "center", (cx, cy))

    @property
    def is_identity(self) -> bool:
        """True for zoom 1 about (0.5, 0.5): the plain viewport."""
        return self == IDENTITY

    def scale(self, width: float, height: float) -> float:
        """Pixels per world unit on a ``width`` x ``height`` target: ``min(W, H) * zoom``."""
        return min(width, height) * self.zoom

    def to_pixels(self, x: float, y: float, width: float, height: float) -> tuple[float, float]:
        """Pixel position (y down) of world point (x, y) on a ``width`` x ``height`` target."""
        s = self.scale(width, height)
        return width / 2 + (x - self.center[0]) * s, height / 2 + (y - self.center[1]) * s

    def to_world(self, px: float, py: float, width: float, height: float) -> tuple[float, float]:
        """The world point under pixel (px, py): the inverse of :meth:`to_pixels`."""
        s = self.scale(width, height)
        return self.center[0] + (px - width / 2) / s, self.center[1] + (py - height / 2) / s

    def zoomed_about(self, px: float, py: float, factor: float, width: float, height: float) -> ViewTransform:
        """The view zoomed by ``factor`` (> 1 magnifies) keeping the world point under pixel
        (px, py) where it is; the zoom is clamped to [:data:`MIN_ZOOM`, :data:`MAX_ZOOM`].

        Raises ValueError for a factor that is not a finite number > 0."""
        f = _finite("factor", factor)
        if f <= 0.0:
            raise ValueError(f"view transform: zoom factor must be > 0, got {factor!r}")
        zoom = min(max(self.zoom * f, MIN_ZOOM), MAX_ZOOM)
        wx, wy = self.to_world(px, py, width, height)
        s = min(width, height) * zoom
        return ViewTransform(zoom, (wx - (px - width / 2) / s, wy - (py - height / 2) / s))

    def panned(self, dx: float, dy: float, width: float, height: float) -> ViewTransform:
        """The view dragged by (dx, dy) pixels: what was under pixel p is then under p + (dx, dy)."""
        s = self.scale(width, height)
        return ViewTransform(self.zoom, (self.center[0] - dx / s, self.center[1] - dy / s))


#: the plain viewport (no pan, no zoom)
IDENTITY = ViewTransform()
