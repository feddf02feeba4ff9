"""The Image shape: a picture file drawn as a textured quad (docs/language/rendering.md#images).

The file is loaded by the compiler before lowering (oscilla/compiler/images.py); the block only
packs its shape value and names its texture (``Value.image``).
"""

from typing import Any

from oscilla.blocks.context import LowerContext
from oscilla.blocks.literals import describe_value
from oscilla.blocks.registry import BlockDef, E, ParamDef, ParamError, PortDef, S, register
from oscilla.blocks.shapes import IMAGE
from oscilla.blocks.values import ImageShape, Value

#: Image's texture sampling: the texel nearest to each pixel, or bilinear between the four nearest
IMAGE_FILTERS = ("linear", "nearest")
#: the largest sprite-sheet grid side (cells per row or column)
MAX_GRID = 4096


def _parse_grid(raw: Any) -> tuple[int, int]:
    """``[cols, rows]``, each an integer in 1..MAX_GRID, as a tuple.

    Raises:
        ParamError: anything else, naming the value.
    """
    ok = (
        isinstance(raw, (list, tuple))
        and len(raw) == 2
        and all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= MAX_GRID for v in raw)
    )
    if not ok:
        raise ParamError(
            f"expected [cols, rows], two integers from 1 to {MAX_GRID} (the sprite sheet's cells), "
            f"got {describe_value(raw)}"
        )
    return int(raw[0]), int(raw[1])


def _lower_image(ctx: LowerContext) -> dict[str, Value]:
    index, w_px, h_px = ctx.image()
    cols, rows = ctx.param("grid")
    width = ctx.input_node("width")
    if ctx.is_connected("height"):
        height = ctx.input_node("height")
    else:  # the aspect of one cell of the image
        height = ctx.op("mul", width, ctx.const((h_px / rows) / (w_px / cols)))
    frame = ctx.op("i2f", ctx.input_node("frame"))
    shape = ctx.make_value("shape", ctx.const(IMAGE), width, height, ctx.input_node("rotation"), frame)
    image = ImageShape(index, str(ctx.param("filter")), (cols, rows))
    return {"shape": Value(shape.nodes, shape.payload, shape.instance, image=image)}


register(
    BlockDef(
        "Image",
        "shape",
        inputs=(
            PortDef("width", "float", S, default=0.1),
            PortDef("height", "float", S),
            PortDef("rotation", "float", S, default=0.0),
            PortDef("frame", "int", E, default=0),
        ),
        outputs=(PortDef("shape", "shape", E),),
        params=(
            ParamDef("path", "string"),
            ParamDef("filter", "enum", "linear", choices=IMAGE_FILTERS),
            ParamDef("grid", "any", [1, 1], parse=_parse_grid),
        ),
        lower=_lower_image,
        image_param="path",
        formula="the PNG/JPEG/WebP file at path (relative to the patch file) as a width x height quad "
        "(height unset: the image's aspect), times the sink's color; with grid = [cols, rows], cell "
        "frame mod (cols·rows), row-major from the top left",
    )
)
