"""The shape payload's encoding (docs/language/rendering.md#geometry, #paths), shared by the shape blocks, the render
sink and the default of shape inputs.

A shape value is a 5-component signal: (kind, a, b, rotation, cornerRadius) with kind 0 an
ellipse (a = rx, b = ry semi-axes), kind 1 a rect (a = width, b = height full extents) and kind 2
a closed path (a, b, cornerRadius unused; the control points travel as ``Value.path``, a vec2
field over the path block's own control instance, local offsets in world units), kind 3 an image
(a = width, b = height full extents; the last component is the sprite frame, a float of an int,
per lane when the Image's ``frame`` is a field; the texture travels as ``Value.image``).
"""

from oscilla.blocks.registry import ConstantDefault
from oscilla.payloads import SHAPE

#: shape kinds: the first component of a shape value
ELLIPSE, RECT, PATH, IMAGE, TEXT = 0.0, 1.0, 2.0, 3.0, 4.0

#: the default of shape inputs (Array.element, RenderInstances2D.shape): an ellipse with
#: semi-axes 0.02, unrotated
DEFAULT_SHAPE = ConstantDefault(SHAPE, (ELLIPSE, 0.02, 0.02, 0.0, 0.0), "Ellipse")
