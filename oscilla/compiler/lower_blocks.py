"""Pass 4, lowering: every block becomes hash-consed IR through its ``lower`` function.

Consumes the normalized :class:`Graph` and :class:`Typed`; produces :class:`Lowered`: the
:class:`~oscilla.ir.graph.IRBuilder` (nodes, state cells, state writes), the IR value of every port,
and the render sinks. Blocks are lowered in dependency order; the commits of cycle-closing
blocks (UnitDelay, DelayFrames) are deferred until every block has produced its outputs.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from oscilla.blocks.adapters import ADAPTER_KIND, apply_adapter
from oscilla.blocks.registry import RAIL
from oscilla.blocks.render import ELLIPSE
from oscilla.blocks.values import Value
from oscilla.compiler.combine import combine_values
from oscilla.compiler.infer_types import Typed
from oscilla.compiler.literals import literal_payload, parse_literal
from oscilla.compiler.normalize import Graph, NBlock
from oscilla.ir.graph import IRBuilder, StateCell
from oscilla.payloads import BOOL, COMPONENT_DTYPE, FIELD, FLOAT, SHAPE, STRIDE

DEFAULT_SHAPE = (ELLIPSE, 0.02, 0.02, 0.0, 0.0)
#: the rail (docs/language/time.md#rail): the output of each time root that a ``=rail`` port defaults to
#: (FiniteTimeRoot's progress is used as it is, with no adapter)
PRIMARY_PHASE = {"InfiniteTimeRoot": "phaseA", "CyclicTimeRoot": "phase", "FiniteTimeRoot": "progress"}


@dataclass
class LoweredSink:
    """A render sink's inputs as IR values."""

    block: str
    instance: str
    inputs: dict[str, Value]


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
    instances: dict[str, tuple[int, int]] = field(default_factory=dict)
    #: resolve_input(block, port): the value arriving at an input, also one its block never read
    #: (for observing inputs after lowering)
    resolve_input: Callable[[str, str], Value] | None = None


class LowerContext:
    """What a block's ``lower`` function sees: its inputs, params, instance and the IR builder."""

    TWO_PI = 2.0 * math.pi

    def __init__(self, lowerer: _Lowerer, block: NBlock):
        self._l = lowerer
        self.blk = block
        self.b: IRBuilder = lowerer.b
        self.block_id = block.id
        self.domain: str | None = lowerer.t.instance.get(block.id)

    # -- inputs and params ---------------------------------------------------------------
    def inp(self, port: str) -> Value:
        """The value arriving at input ``port`` (edge, inline value, default or rail)."""
        return self._l.input_value(self.blk, port)

    def f(self, port: str) -> int:
        """The single node of a float input."""
        return self.inp(port).node

    def connected(self, port: str) -> bool:
        """Whether input ``port`` has an enabled edge or an inline value."""
        return bool(self._l.g.edges_into(self.blk.id, port)) or port in self.blk.inline

    def edge_values(self, port: str) -> list[tuple[str, str | None, Value]]:
        """Every enabled edge into ``port``, uncombined, in edge order (vararg ports such as
        Expression.refs): ``(source "<block>.<port>", the edge's alias, its value)``."""
        return [
            (f"{e.src_block}.{e.src_port}", e.alias, self._l._edge_value(e))
            for e in self._l.g.edges_into(self.blk.id, port)
            if e.index in self._l.t.conv
        ]

    def param(self, name: str):
        return self.blk.config.get(name)

    def out_payload(self, port: str) -> str:
        return self._l.t.out[(self.blk.id, port)].payload

    # -- builders --------------------------------------------------------------------------
    def c(self, value, dtype: str = "f32") -> int:
        return self.b.const(value, dtype)

    def o(self, op: str, *args: int, dtype: str | None = None) -> int:
        return self.b.op(op, *args, dtype=dtype)

    def value(self, payload: str, *nodes: int, instance: str | None = None) -> Value:
        return Value(tuple(nodes), payload, instance)

    def float(self, node: int) -> Value:
        return Value((node,), FLOAT)

    def event(self, node: int) -> Value:
        return Value((node,), BOOL, event=True)

    def vec3(self, x: int, y: int, z: int) -> Value:
        return Value((x, y, z), "vec3")

    def hsv(self, h: int, s: int, v: int) -> Value:
        return Value(
            (self.o("hsv_r", h, s, v), self.o("hsv_g", h, s, v), self.o("hsv_b", h, s, v), self.c(1.0)), "color"
        )

    def zip(self, a: Value, b: Value, op: str) -> Value:
        """Component-wise ``op``; a one-component operand is splatted over a vector."""
        n = max(len(a.nodes), len(b.nodes))
        an = a.nodes * n if len(a.nodes) == 1 else a.nodes
        bn = b.nodes * n if len(b.nodes) == 1 else b.nodes
        if len(an) != len(bn):  # vec2 meets vec3: promote
            an = an + (self.c(0.0),) * (n - len(an))
            bn = bn + (self.c(0.0),) * (n - len(bn))
        payload = a.payload if len(a.nodes) >= len(b.nodes) else b.payload
        return Value(tuple(self.o(op, x, y) for x, y in zip(an, bn)), payload)

    def const_value(self, raw, payload: str) -> Value:
        comps = parse_literal(raw, payload)
        dt = COMPONENT_DTYPE[payload]
        return Value(tuple(self.c(x, dt) for x in comps), payload)

    def field_of(self, v: Value, instance: str) -> Value:
        return Value(tuple(self.b.bcast(n, instance) for n in v.nodes), v.payload, instance, v.event, v.path)

    def norm_index(self, instance: str) -> int:
        """normalizedIndex = f32(i) · r_N with r_N = f32(1/(N-1)) rounded once; 0.5 when N = 1."""
        n = self.lanes_of(instance)
        if n == 1:
            return self.b.bcast(self.c(0.5), instance)
        r_n = float(np.float32(1.0 / (n - 1)))
        return self.o("mul", self.o("i2f", self.b.lane_index(instance)), self.c(r_n))

    def table(self, values, instance: str, dtype: str = "f32") -> int:
        """A per-lane constant computed on the host (see ``table`` in :mod:`oscilla.ir.graph`)."""
        return self.b.table(values, instance, dtype)

    def lanes_of(self, instance: str) -> int:
        return self._l.instances[instance][0]

    def instance_seed(self, instance: str) -> int:
        return self._l.instances[instance][1]

    # -- state, deferral, sinks -----------------------------------------------------------
    def state(self, role: str, init=0.0, storage: str = "f32", frames: int = 1, per_lane: bool = True) -> StateCell:
        """Declare the state cell ``<block>:<role>`` (per lane when the block is a field)."""
        dom = self.domain if per_lane else None
        lanes = self.lanes_of(dom) if dom else 1
        init_v = None if init in (None, 0, 0.0) else init
        return self.b.state_cell(StateCell(f"{self.block_id}:{role}", storage, lanes, 1, frames, init_v, dom))

    def commit(self, cell: StateCell, value: int, ring_pos: int | None = None) -> None:
        self.b.state_write(cell, (value,), ring_pos)

    def later(self, fn: Callable[[], None]) -> None:
        self._l.deferred.append(fn)

    def sink(self, inputs: dict[str, Value]) -> None:
        self._l.out.sinks.append(LoweredSink(self.block_id, self.domain, inputs))

    def camera(self, params: Value) -> None:
        """Register the patch's Camera: ``params`` is one f32 signal value the renderer reads."""
        self._l.out.camera = LoweredCamera(self.block_id, params)


class _Lowerer:
    def __init__(self, g: Graph, t: Typed):
        self.g, self.t = g, t
        self.b = IRBuilder()
        self.out = Lowered(self.b)
        self.deferred: list[Callable[[], None]] = []
        self.instances: dict[str, tuple[int, int]] = {}
        for b in g.blocks.values():
            if b.defn.creates_instance:  # Array: count and seed; path blocks: their lanes, seed 0 (docs/language/hashing-and-noise.md#randomid)
                lanes = b.defn.instance_lanes(b.config) if b.defn.instance_lanes else int(b.config["count"])
                self.instances[b.id] = (lanes, int(b.config.get("seed") or 0))
        self.out.instances = self.instances
        self.out.resolve_input = lambda blk, port: self.input_value(self.g.blocks[blk], port)

    def input_value(self, b: NBlock, port: str) -> Value:
        key = (b.id, port)
        if key in self.out.inputs:
            return self.out.inputs[key]
        p = b.defn.input(port)
        edges = [e for e in self.g.edges_into(b.id, port) if e.index in self.t.conv]
        if edges:
            vals = [self._edge_value(e) for e in edges]
            if p.card == "Ev":
                node = vals[0].node
                for v in vals[1:]:
                    node = self.b.op("or_b", node, v.node)
                v = Value((node,), BOOL, event=True)
            else:  # no combine mode: the last enabled edge in edge order wins (docs/language/patch-format.md#combine)
                v = combine_values(self.b, b.combine.get(port, "last"), vals)
        elif port in b.inline:
            raw = b.inline[port]
            payload = p.payload if p.payload not in ("T", "any") else literal_payload(raw)
            v = LowerContext(self, b).const_value(raw, payload)
        elif p.default == RAIL:
            root = self.g.time_root
            v = self.out.outputs[(root, PRIMARY_PHASE[self.g.blocks[root].type])]
        elif p.default == "default_shape":
            v = Value(tuple(self.b.const(x) for x in DEFAULT_SHAPE), SHAPE)
        elif p.default is not None:
            payload = p.payload if p.payload not in ("T", "any") else literal_payload(p.default)
            v = LowerContext(self, b).const_value(p.default, payload)
        else:  # optional input with no default (e.g. StableIdHash.domain)
            v = Value((self.b.const(0.0),), FLOAT)
        self.out.inputs[key] = v
        return v

    def _edge_value(self, e) -> Value:
        v = self.out.outputs[(e.src_block, e.src_port)]
        conv = self.t.conv[e.index]
        ctx = LowerContext(self, self.g.blocks[e.dst_block])
        for step in conv.steps:
            if step == "i2f":
                v = Value((self.b.op("i2f", v.node),), FLOAT, v.instance)
            elif step == "b2f":
                v = Value((self.b.op("b2f", v.node),), FLOAT, v.instance)
            elif step == "vec2to3":
                z = self.b.const(0.0) if v.instance is None else self.b.bcast(self.b.const(0.0), v.instance)
                v = Value(v.nodes + (z,), "vec3", v.instance)
            else:
                v = Value((apply_adapter(ctx, ADAPTER_KIND[step], v.node),), FLOAT, v.instance)
        return v

    def run(self, order: list[str]) -> Lowered:
        for bid in order:
            b = self.g.blocks[bid]
            ctx = LowerContext(self, b)
            outs = b.defn.lower(ctx)
            for p in b.defn.outputs:
                v = outs[p.id]
                pt = self.t.out[(bid, p.id)]
                if pt.cardinality == FIELD:
                    v = Value(
                        tuple(self.b.bcast(n, pt.instance) for n in v.nodes), pt.payload, pt.instance, v.event, v.path
                    )
                else:
                    v = Value(v.nodes, pt.payload, None, pt.temporality == "event", v.path)
                assert len(v.nodes) == STRIDE[pt.payload], (bid, p.id, v, pt)
                self.out.outputs[(bid, p.id)] = v
        for fn in self.deferred:
            fn()
        return self.out


def lower_graph(g: Graph, t: Typed, order: list[str]) -> Lowered:
    """Lower every block of ``g`` in ``order`` (from :func:`~oscilla.compiler.cycles.lowering_order`)."""
    return _Lowerer(g, t).run(order)
