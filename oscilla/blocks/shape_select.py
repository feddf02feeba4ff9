"""ShapeSelect: a per-lane choice among up to eight shapes (docs/language/rendering.md#per-lane-shapes).

The selection is IR ``select`` chains on the index, component by component, so the shape value
becomes a field the render sink reads per lane (the generic shape pipeline reads the kind of each
lane): no CPU round trip, one draw. A sink has one path slot, so at most one distinct path may be
among the inputs; Image shapes are refused (their texture is one per sink).
"""

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.registry import BlockDef, E, PortDef, register
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector

#: the most shapes one ShapeSelect chooses among
MAX_SELECT_SHAPES = 8
#: ShapeSelect's shape inputs, in index order
SHAPE_PORTS = tuple(f"shape{i}" for i in range(MAX_SELECT_SHAPES))


def _connected(ctx: TypeContext) -> list[bool]:
    return [ctx.has_edges(p) or ctx.inline_value(p) is not None for p in SHAPE_PORTS]


def _check_select(ctx: TypeContext, diags: DiagnosticCollector) -> None:
    """E_MISSING_INPUT when no shape input is connected, or when one is left out below a connected
    one (the shapes are numbered by port, so a gap would select a default shape)."""
    conn = _connected(ctx)
    if not any(conn):
        diags.add(
            "E_MISSING_INPUT",
            f"ShapeSelect {ctx.block_id} has no shape to select: connect shapes to "
            f"{ctx.block_id}.shape0, .shape1, ... (up to {MAX_SELECT_SHAPES})",
            block=ctx.block_id,
            port="shape0",
        )
        return
    count = max(i for i, c in enumerate(conn) if c) + 1
    for i in range(count):
        if not conn[i]:
            diags.add(
                "E_MISSING_INPUT",
                f"ShapeSelect.{SHAPE_PORTS[i]} is unconnected but ShapeSelect.{SHAPE_PORTS[count - 1]} is connected; "
                f"connect the shapes from shape0 on without gaps (index i selects shape i mod {count})",
                block=ctx.block_id,
                port=SHAPE_PORTS[i],
            )
            return


def _lower_select(ctx: LowerContext) -> dict[str, Value]:
    ports = [p for p in SHAPE_PORTS if ctx.is_connected(p)]
    values: list[Value] = []
    path: Value | None = None
    for port in ports:
        v = ctx.input_value(port)
        if v.image is not None:  # an Image, or a Text (whose glyph atlas is its texture)
            kind = "a Text" if getattr(v.image, "text", None) is not None else "an Image"
            ctx.report(
                "E_TYPE_MISMATCH",
                f"ShapeSelect.{port} receives {kind} shape; ShapeSelect chooses among ellipses, rects and paths "
                f"(a sink draws one texture): draw it with a RenderInstances2D of its own",
                port=port,
            )
            v = Value(v.nodes, v.payload, v.instance, v.event, v.path)
        if v.path is not None:
            if path is not None and v.path != path:
                ctx.report(
                    "E_TYPE_MISMATCH",
                    f"ShapeSelect.{port} receives a second path shape; a sink draws at most one distinct path "
                    f"(one control-point slot), so ShapeSelect takes one path among its shapes: draw the other "
                    f"path with a RenderInstances2D of its own",
                    port=port,
                )
            path = path or v.path
        values.append(v)
    if not values:  # diagnosed by _check_select
        values = [ctx.input_value("shape0")]
    count = len(values)
    index = ctx.input_node("index")
    if count == 1:
        return {"shape": Value(values[0].nodes, "shape", values[0].instance, path=path)}
    # j = index mod count, wrapped into 0..count-1 also for a negative index (Euclidean)
    k = ctx.const(count, "i32")
    r = ctx.op("mod_i", index, k)
    j = ctx.op("select", ctx.op("lt_i", r, ctx.const(0, "i32")), ctx.op("add_i", r, k), r, dtype="i32")
    comps = []
    for c in range(5):
        node = values[0].nodes[c]
        for i in range(1, count):
            node = ctx.op("select", ctx.op("eq_i", j, ctx.const(i, "i32")), values[i].nodes[c], node, dtype="f32")
        comps.append(node)
    return {"shape": Value(tuple(comps), "shape", path=path)}


register(
    BlockDef(
        "ShapeSelect",
        "shape",
        inputs=tuple(PortDef(p, "shape", E) for p in SHAPE_PORTS) + (PortDef("index", "int", E, default=0),),
        outputs=(PortDef("shape", "shape", E),),
        lower=_lower_select,
        check_input_types=_check_select,
        formula="shape_j with j = index mod n (Euclidean: -1 selects the last), n = the connected shapes "
        "shape0..shape(n-1); per lane when index is a field; at most one distinct path, no Image",
    )
)
