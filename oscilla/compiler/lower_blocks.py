"""Pass 4, lowering: every block becomes hash-consed IR through its ``lower`` function.

Consumes the normalized :class:`Graph` and :class:`Typed`; produces :class:`Lowered`: the
:class:`~oscilla.ir.graph.IRBuilder` (nodes, state cells, state writes), the IR value of every port,
and the render sinks. Blocks are lowered in dependency order; the commits of cycle-closing
blocks (UnitDelay, DelayFrames) are deferred until every block has produced its outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from oscilla.blocks.literals import literal_payload, parse_literal
from oscilla.blocks.registry import ANY, EV, NUMERIC_T, RAIL, ConstantDefault, block_def
from oscilla.blocks.values import Value
from oscilla.compiler.combine import combine_values
from oscilla.compiler.graph import Graph, NBlock, NEdge, Typed
from oscilla.ir.graph import IRBuilder, StateCell
from oscilla.payloads import BOOL, COLOR, COMPONENT_DTYPE, FIELD, FLOAT, STRIDE, VEC3
from oscilla.program import ImageData, TextLayout


@dataclass
class LoweredSink:
    """A render sink's inputs as IR values."""

    block: str
    instance: str
    inputs: dict[str, Value]
    blend: str = "over"
    #: "instances" or "lines"; options: the line sink's connect and cap (oscilla.program.SinkSpec)
    kind: str = "instances"
    options: dict[str, str] = field(default_factory=dict)


@dataclass
class LoweredCamera:
    """The patch's Camera: its block id and its inputs packed as one f32 signal value
    (the component order is defined by the Camera block's lowering)."""

    block: str
    params: Value


@dataclass
class Lowered:
    """Result of lowering: IR, port values (outputs, and resolved inputs as ``block.<in>port``)."""

    builder: IRBuilder
    outputs: dict[tuple[str, str], Value] = field(default_factory=dict)
    inputs: dict[tuple[str, str], Value] = field(default_factory=dict)
    sinks: list[LoweredSink] = field(default_factory=list)
    camera: LoweredCamera | None = None
    #: the images the Image blocks draw, each file once (``ImageShape.index`` indexes it)
    images: list[ImageData] = field(default_factory=list)
    instances: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: resolve_input(block, port): the value arriving at an input, also one its block never read
    #: (for observing inputs after lowering)
    resolve_input: Callable[[str, str], Value] | None = None
    #: problems the blocks reported while lowering (``LowerContext.report``): (code, message, block, port)
    problems: list[tuple[str, str, str, str | None]] = field(default_factory=list)


class PatchLowerContext:
    """The compiler's :class:`~oscilla.blocks.context.LowerContext`: what one block's ``lower``
    function sees of the patch being lowered (its inputs, params and instance) and of the IR
    builder. The protocol documents every method."""

    def __init__(self, lowerer: _Lowerer, block: NBlock):
        self._lowerer = lowerer
        self._block = block
        self.block_id = block.id
        self.instance: str | None = lowerer.t.instance.get(block.id)
        self.builder: IRBuilder = lowerer.b

    def field_instance(self) -> str:
        if self.instance is None:
            raise ValueError(f"block {self.block_id!r} is not a field block: it has no instance")
        return self.instance

    # -- inputs and params ---------------------------------------------------------------
    def input_value(self, port: str) -> Value:
        return self._lowerer.input_value(self._block, port)

    def input_node(self, port: str) -> int:
        return self.input_value(port).node

    def is_connected(self, port: str) -> bool:
        return bool(self._lowerer.g.edges_into(self._block.id, port)) or port in self._block.inline

    def edge_values(self, port: str) -> list[tuple[str, str | None, Value]]:
        return [
            (f"{e.src_block}.{e.src_port}", e.alias, self._lowerer.edge_value(e))
            for e in self._lowerer.g.edges_into(self._block.id, port)
            if e.index in self._lowerer.t.conv
        ]

    def param(self, name: str) -> Any:
        return self._block.config.get(name)

    def output_payload(self, port: str) -> str:
        return self._lowerer.t.out[(self._block.id, port)].payload

    # -- IR nodes --------------------------------------------------------------------------
    def const(self, value: float, dtype: str = "f32") -> int:
        return self.builder.const(value, dtype)

    def op(self, op: str, *args: int, dtype: str | None = None) -> int:
        return self.builder.op(op, *args, dtype=dtype)

    def time_input(self, name: str) -> int:
        return self.builder.time(name)

    def external_channel(self, channel: str) -> int:
        return self.builder.external(channel)

    def lane_index(self, instance: str) -> int:
        return self.builder.lane_index(instance)

    def lane_count(self, instance: str) -> int:
        return self._lowerer.instances[instance][0]

    def instance_seed(self, instance: str) -> int:
        return self._lowerer.instances[instance][1]

    def normalized_index(self, instance: str) -> int:
        n = self.lane_count(instance)
        if n == 1:
            return self.builder.bcast(self.const(0.5), instance)
        r_n = float(np.float32(1.0 / (n - 1)))
        return self.op("mul", self.op("i2f", self.builder.lane_index(instance)), self.const(r_n))

    def broadcast_node(self, node: int, instance: str) -> int:
        return self.builder.bcast(node, instance)

    def lane_table(self, values: npt.ArrayLike, instance: str, dtype: str = "f32") -> int:
        return self.builder.table(values, instance, dtype)

    def reduce_lanes(self, node: int, op: str) -> int:
        return self.builder.reduce(node, op)

    def scan_lanes(self, node: int) -> int:
        return self.builder.scan(node)

    def gather_lanes(self, node: int, index: int, instance: str) -> int:
        return self.builder.gather(node, index, instance)

    # -- values ----------------------------------------------------------------------------
    def make_value(self, payload: str, *nodes: int, instance: str | None = None) -> Value:
        return Value(tuple(nodes), payload, instance)

    def float_value(self, node: int) -> Value:
        return Value((node,), FLOAT)

    def event_value(self, node: int) -> Value:
        return Value((node,), BOOL, event=True)

    def vec3_value(self, x: int, y: int, z: int) -> Value:
        return Value((x, y, z), VEC3)

    def hsv_color(self, hue: int, sat: int, val: int) -> Value:
        channels = tuple(self.op(op, hue, sat, val) for op in ("hsv_r", "hsv_g", "hsv_b"))
        return Value(channels + (self.const(1.0),), COLOR)

    def componentwise(self, op: str, a: Value, b: Value) -> Value:
        n = max(len(a.nodes), len(b.nodes))
        an = a.nodes * n if len(a.nodes) == 1 else a.nodes
        bn = b.nodes * n if len(b.nodes) == 1 else b.nodes
        if len(an) != len(bn):  # vec2 meets vec3: promote
            an = an + (self.const(0.0),) * (n - len(an))
            bn = bn + (self.const(0.0),) * (n - len(bn))
        payload = a.payload if len(a.nodes) >= len(b.nodes) else b.payload
        return Value(tuple(self.op(op, x, y) for x, y in zip(an, bn)), payload)

    def literal_value(self, raw: Any, payload: str) -> Value:
        dtype = COMPONENT_DTYPE[payload]
        return Value(tuple(self.const(x, dtype) for x in parse_literal(raw, payload)), payload)

    def broadcast(self, value: Value, instance: str) -> Value:
        nodes = tuple(self.builder.bcast(n, instance) for n in value.nodes)
        return Value(nodes, value.payload, instance, value.event, value.path, value.image)

    # -- state, deferral, sinks -----------------------------------------------------------
    def state_cell(
        self, role: str, init: float | None = 0.0, storage: str = "f32", frames: int = 1, per_lane: bool = True
    ) -> StateCell:
        instance = self.instance if per_lane else None
        lanes = self.lane_count(instance) if instance else 1
        init_v = None if init in (None, 0, 0.0) else init
        return self.builder.state_cell(
            StateCell(f"{self.block_id}:{role}", storage, lanes, 1, frames, init_v, instance)
        )

    def read_state(self, cell: StateCell) -> int:
        return self.builder.state_read(cell)

    def read_ring(self, cell: StateCell, head: int) -> int:
        return self.builder.ring_read(cell, head)

    def commit(self, cell: StateCell, value: int, ring_pos: int | None = None) -> None:
        self.builder.state_write(cell, (value,), ring_pos)

    def defer(self, fn: Callable[[], None]) -> None:
        self._lowerer.deferred.append(fn)

    def declare_render_sink(
        self, inputs: Mapping[str, Value], blend: str = "over", kind: str = "instances", **options: str
    ) -> None:
        self._lowerer.out.sinks.append(
            LoweredSink(self.block_id, self.field_instance(), dict(inputs), blend, kind, dict(options))
        )

    def image(self) -> tuple[int, int, int]:
        img = self._lowerer.g.images[self.block_id]
        images = self._lowerer.out.images
        index = next((i for i, known in enumerate(images) if known is img), None)
        if index is None:
            index = len(images)
            images.append(img)
        return index, img.width, img.height

    def text_layout(self) -> TextLayout:
        return self._lowerer.g.text_layouts[self.block_id]

    def declare_camera(self, params: Value) -> None:
        self._lowerer.out.camera = LoweredCamera(self.block_id, params)

    def report(self, code: str, message: str, port: str | None = None) -> None:
        self._lowerer.out.problems.append((code, message, self.block_id, port))


class _Lowerer:
    def __init__(self, g: Graph, t: Typed):
        self.g, self.t = g, t
        self.b = IRBuilder()
        self.out = Lowered(self.b)
        self.deferred: list[Callable[[], None]] = []
        self.instances: dict[str, tuple[int, int]] = {}
        for b in g.blocks.values():
            if b.defn.creates_instance:  # lanes, seed: docs/language/fields-and-instances.md#instances
                self.instances[b.id] = (b.defn.instance_lanes(b.config), b.defn.instance_seed(b.config))
        self.out.instances = self.instances
        self.out.resolve_input = lambda blk, port: self.input_value(self.g.blocks[blk], port)

    def input_value(self, b: NBlock, port: str) -> Value:
        key = (b.id, port)
        if key in self.out.inputs:
            return self.out.inputs[key]
        p = b.defn.input(port)
        assert p is not None, (b.id, port)
        edges = [e for e in self.g.edges_into(b.id, port) if e.index in self.t.conv]
        if edges:
            vals = [self.edge_value(e) for e in edges]
            if p.card == EV:
                node = vals[0].node
                for v in vals[1:]:
                    node = self.b.op("or_b", node, v.node)
                v = Value((node,), BOOL, event=True)
            else:  # no combine mode: the last enabled edge in edge order wins (docs/language/patch-format.md#combine)
                v = combine_values(self.b, b.combine.get(port, "last"), vals)
        elif port in b.inline:
            v = self._literal(b, b.inline[port], p.payload)
        elif p.default == RAIL:
            root = self.g.time_root
            assert root is not None
            rail = self.g.blocks[root].defn.rail_output
            assert rail is not None, root
            v = self.out.outputs[(root, rail)]
        elif isinstance(p.default, ConstantDefault):
            dtype = COMPONENT_DTYPE[p.default.payload]
            v = Value(tuple(self.b.const(x, dtype) for x in p.default.components), p.default.payload)
        elif p.default is not None:
            v = self._literal(b, p.default, p.payload)
        else:  # optional input with no default (e.g. StableIdHash.domain)
            v = Value((self.b.const(0.0),), FLOAT)
        self.out.inputs[key] = v
        return v

    def _literal(self, b: NBlock, raw: Any, port_payload: str) -> Value:
        """Constant nodes of an inline value or default; a polymorphic port takes the payload the
        literal implies."""
        payload = port_payload if port_payload not in (NUMERIC_T, ANY) else literal_payload(raw)
        assert payload is not None, (b.id, raw)
        return PatchLowerContext(self, b).literal_value(raw, payload)

    def edge_value(self, e: NEdge) -> Value:
        """The value edge ``e`` delivers: its source's value through the edge's conversions."""
        v = self.out.outputs[(e.src_block, e.src_port)]
        conv = self.t.conv[e.index]
        ctx = PatchLowerContext(self, self.g.blocks[e.dst_block])
        for step in conv.steps:
            if step == "i2f":
                v = Value((self.b.op("i2f", v.node),), FLOAT, v.instance)
            elif step == "b2f":
                v = Value((self.b.op("b2f", v.node),), FLOAT, v.instance)
            elif step == "vec2to3":
                z = self.b.const(0.0) if v.instance is None else self.b.bcast(self.b.const(0.0), v.instance)
                v = Value(v.nodes + (z,), VEC3, v.instance)
            else:  # an auto-inserted unit adapter, named by its block type
                adapter = block_def(step)
                assert adapter is not None and adapter.unit_adapter is not None, step
                v = Value((adapter.unit_adapter.apply(ctx, v.node),), FLOAT, v.instance)
        return v

    def run(self, order: list[str]) -> Lowered:
        for bid in order:
            b = self.g.blocks[bid]
            outs = b.defn.lower(PatchLowerContext(self, b))
            for p in b.defn.outputs:
                v = outs[p.id]
                pt = self.t.out[(bid, p.id)]
                if pt.cardinality == FIELD:
                    assert pt.instance is not None, (bid, p.id)
                    instance = pt.instance
                    v = Value(
                        tuple(self.b.bcast(n, instance) for n in v.nodes),
                        pt.payload,
                        instance,
                        v.event,
                        v.path,
                        v.image,
                    )
                else:
                    v = Value(v.nodes, pt.payload, None, pt.temporality == "event", v.path, v.image)
                assert len(v.nodes) == STRIDE[pt.payload], (bid, p.id, v, pt)
                self.out.outputs[(bid, p.id)] = v
        for fn in self.deferred:
            fn()
        return self.out


def lower_graph(g: Graph, t: Typed, order: list[str]) -> Lowered:
    """Lower every block of ``g`` in ``order`` (from :func:`~oscilla.compiler.cycles.lowering_order`)."""
    return _Lowerer(g, t).run(order)
