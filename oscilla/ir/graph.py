"""The hash-consed scalar IR that blocks lower to and codegen / the reference interpreter consume.

Every :class:`Node` is one scalar lane value (dtype ``f32``, ``i32`` or ``u32``). A node is a
*signal* expression (``instance is None``: one value per frame), a *field* expression (``instance``
is an instance id: one value per lane) or an *event* expression (a signal u32 0/1 that fires per
frame). Vector payloads are tuples of scalar nodes, so codegen and the reference interpreter only
ever see scalars. Structurally equal nodes are shared (hash-consing), and ops whose arguments are
all constants are folded on the host with the op table of :mod:`oscilla.ir.opcodes`.

Source ops (no record in ``opcodes.OPCODES``):
    const      attrs (value,)                 a literal (a Python float / int)
    time       attrs (name,)                  frame uniform of the time root: tMs, dt, phaseA, phaseB,
                                              phase, progress (f32) or the events pulse, wrapA,
                                              wrapB, wrap, ended (u32)
    external   attrs (index,)                 external channel ``index`` of the frame snapshot (f32
                                              signal); the name is ``IRBuilder.channels[index]``
    lane_index                                the lane number i (i32), fields only
    bcast      args (signal,)                 a signal value seen by every lane of ``instance``
    state      attrs (cell_id, component)     the committed value of a state cell (this lane)
    ring_read  args (head,) attrs (cell_id,)  DelayFrames: ring element ``head`` (this lane)
    reduce     args (x,) attrs (op,)          signal: sum/avg/min/max of field x over its lanes
    scan       args (x,) attrs (op,)          field: inclusive prefix sum of field x over lanes
    gather     args (src, index)              field src read at lane ``index`` (clamped to 0..N-1)

Lane-coupled ops (reduce, scan, gather) are stage barriers: their field argument (``src`` for
gather) is materialized in an earlier stage and read back from its slot.

    table      attrs (table_id,)              a per-lane constant computed on the host (e.g. a
                                              Halton basis in float64, rounded once to f32),
                                              uploaded into a ValueStore slot at creation
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from oscilla.ir import opcodes

SIG, FIELD, EVENT = "sig", "field", "event"
#: time-root outputs: InfiniteTimeRoot tMs, dt, phaseA, phaseB, pulse, wrapA, wrapB;
#: CyclicTimeRoot tMs, dt, phase, wrap; FiniteTimeRoot tMs, dt, progress, ended
TIME_F32 = ("tMs", "dt", "phaseA", "phaseB", "phase", "progress")
TIME_EVENTS = ("pulse", "wrapA", "wrapB", "wrap", "ended")


@dataclass(frozen=True)
class Node:
    """One scalar IR value. ``id`` is its index in :attr:`IRBuilder.nodes` (topological order)."""

    id: int
    op: str
    dtype: str
    args: tuple[int, ...] = ()
    attrs: tuple = ()
    #: the instance a field node has one value per lane of; None for signals and events
    instance: str | None = None
    event: bool = False

    @property
    def kind(self) -> str:
        """``"field"``, ``"event"`` or ``"sig"``."""
        if self.instance is not None:
            return FIELD
        return EVENT if self.event else SIG


@dataclass(frozen=True)
class StateCell:
    """A piece of memory owned by a stateful block (docs/language/state-and-cycles.md#state-cells).

    Attributes:
        id: ``"<block>:<role>"``.
        storage: ``"f32"`` or ``"i32"``.
        lanes: 1 for a signal cell, N for a per-lane cell.
        stride: components per lane.
        frames: ring length (DelayFrames), else 1; the cell holds frames x lanes x stride values.
        init: initial value of every element (a float or int), or None for zero.
        instance: instance id of a per-lane cell, else None.
    """

    id: str
    storage: str
    lanes: int
    stride: int = 1
    frames: int = 1
    init: float | int | None = None
    instance: str | None = None

    @property
    def size(self) -> int:
        return self.frames * self.lanes * self.stride

    @property
    def commit_units(self) -> int:
        """Invocations the phase 2 commit spends on this cell: one per 4 elements (a vec4 copy)
        for plain f32 cells, one per element for rings and i32 cells."""
        if self.storage == "f32" and self.frames == 1:
            return -(-self.lanes * self.stride // 4)
        return self.lanes * self.stride


@dataclass(frozen=True)
class StateWrite:
    """Phase 2 commit: cell <- value (one node per component, same instance as the cell).

    ``ring_pos`` is an i32 signal node giving the ring element to write (DelayFrames); the
    committed element is then ``ring[ring_pos]``.
    """

    cell: str
    values: tuple[int, ...]
    ring_pos: int | None = None


@dataclass
class IRBuilder:
    """Creates hash-consed nodes; the product of lowering is its node list, cells and writes."""

    nodes: list[Node] = field(default_factory=list)
    instances: dict[str, int] = field(default_factory=dict)
    cells: dict[str, StateCell] = field(default_factory=dict)
    writes: list[StateWrite] = field(default_factory=list)
    #: table id -> per-lane values (numpy, length = lanes of the table's instance)
    tables: dict[str, np.ndarray] = field(default_factory=dict)
    #: external channel names in first-use order (the node of channel k has attrs (k,))
    channels: list[str] = field(default_factory=list)
    _index: dict[tuple, int] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------------
    def _intern(
        self, op: str, dtype: str, args: tuple[int, ...], attrs: tuple, instance: str | None, event: bool = False
    ) -> int:
        key = (op, dtype, args, attrs, instance, event)
        nid = self._index.get(key)
        if nid is None:
            nid = len(self.nodes)
            self.nodes.append(Node(nid, op, dtype, args, attrs, instance, event))
            self._index[key] = nid
        return nid

    def const(self, value: float | int, dtype: str = "f32") -> int:
        """A literal; floats are rounded to f32 once here so every consumer sees the same bits."""
        if dtype == "f32":
            v = float(np.float32(value))
            # distinguish -0.0 / NaN payloads by their bits
            key = ("f32bits", int(np.array(v, np.float32).view(np.uint32)))
            return self._intern("const", dtype, (), (v, key), None)
        return self._intern("const", dtype, (), (int(value),), None)

    def time(self, name: str) -> int:
        """A frame uniform (tMs, dt, phaseA, phaseB) or a time event (pulse, wrapA, wrapB)."""
        if name in TIME_EVENTS:
            return self._intern("time", "u32", (), (name,), None, event=True)
        assert name in TIME_F32, name
        return self._intern("time", "f32", (), (name,), None)

    def external(self, channel: str) -> int:
        """The snapshot value of external channel ``channel`` this frame (an f32 signal). The
        node carries only the channel's dense index, never its name."""
        if channel not in self.channels:
            self.channels.append(channel)
        return self._intern("external", "f32", (), (self.channels.index(channel),), None)

    def lane_index(self, instance: str) -> int:
        return self._intern("lane_index", "i32", (), (), instance)

    def table(self, values: npt.ArrayLike, instance: str, dtype: str = "f32") -> int:
        """A per-lane host constant: ``values[i]`` in lane i of ``instance`` (rounded once to
        ``dtype``). Identical tables share one node (the id is a hash of the contents)."""
        arr = np.ascontiguousarray(np.asarray(values, dtype=opcodes.NP_DTYPE[dtype]))
        table_id = "t" + hashlib.sha256(arr.tobytes() + dtype.encode()).hexdigest()[:16]
        self.tables[table_id] = arr
        return self._intern("table", dtype, (), (table_id,), instance)

    def reduce(self, x: int, op: str) -> int:
        """Signal: ``op`` (sum, avg, min, max) of field ``x`` over every lane of its instance."""
        n = self.nodes[x]
        assert n.instance is not None and n.dtype == "f32", n
        if n.op in ("table", "scan"):
            # the field kernel that computes the reduced value also folds it into per-workgroup
            # partials, so the value must be computed by a field kernel: x · 1 is an exact copy
            x = self._intern("mul", "f32", (x, self.const(1.0)), (), n.instance)
        return self._intern("reduce", "f32", (x,), (op, n.instance), None)

    def scan(self, x: int, op: str = "add") -> int:
        """Field: inclusive prefix ``op`` of field ``x`` (lane i holds x[0] + ... + x[i])."""
        n = self.nodes[x]
        assert n.instance is not None and n.dtype == "f32", n
        return self._intern("scan", "f32", (x,), (op,), n.instance)

    def gather(self, src: int, index: int, instance: str) -> int:
        """Field over ``instance``: field ``src`` read at lane ``index`` (i32, clamped to its lanes)."""
        s = self.nodes[src]
        assert s.instance is not None, s
        index = self.bcast(index, instance) if self.nodes[index].instance is None else index
        return self._intern("gather", s.dtype, (src, index), (), instance)

    def bcast(self, nid: int, instance: str) -> int:
        """The signal ``nid`` (constants included) as a field over ``instance``; a no-op for fields
        of that instance. A field slot needs field nodes, so materialized constants go through it."""
        n = self.nodes[nid]
        if n.instance == instance:
            return nid
        assert n.instance is None, f"cannot broadcast a field of {n.instance} to {instance}"
        return self._intern("bcast", n.dtype, (nid,), (), instance)

    def op(self, op: str, *args: int, dtype: str | None = None, attrs: tuple = ()) -> int:
        """A pure op; signal arguments are broadcast to the instance of any field argument, and an op
        whose arguments are all constants is folded with :func:`oscilla.ir.opcodes.evaluate`."""
        res: str = opcodes.OPCODES[op].result
        if res == "*":
            res = dtype or self.nodes[args[1]].dtype
        instances = {self.nodes[a].instance for a in args} - {None}
        assert len(instances) <= 1, f"op {op} mixes instances {instances}"
        instance = instances.pop() if instances else None
        if all(self.nodes[a].op == "const" for a in args):
            vals = [np.asarray(self.nodes[a].attrs[0], opcodes.NP_DTYPE[self.nodes[a].dtype]) for a in args]
            return self.const(opcodes.evaluate(op, res, vals).item(), res)
        if instance is not None:
            args = tuple(a if self.nodes[a].op == "const" else self.bcast(a, instance) for a in args)
        event = op == "or_b" and all(self.nodes[a].event for a in args)
        return self._intern(op, res, tuple(args), attrs, instance, event)

    # -- state -----------------------------------------------------------------------------
    def state_cell(self, cell: StateCell) -> StateCell:
        self.cells[cell.id] = cell
        return cell

    def state_read(self, cell: StateCell, component: int = 0) -> int:
        return self._intern("state", cell.storage, (), (cell.id, component), cell.instance)

    def ring_read(self, cell: StateCell, head: int) -> int:
        if cell.instance is not None:
            head = self.bcast(head, cell.instance)
        return self._intern("ring_read", cell.storage, (head,), (cell.id,), cell.instance)

    def state_write(self, cell: StateCell, values: tuple[int, ...], ring_pos: int | None = None) -> None:
        if cell.instance is not None:
            values = tuple(self.bcast(v, cell.instance) for v in values)
        self.writes.append(StateWrite(cell.id, tuple(values), ring_pos))

    # -- inspection ------------------------------------------------------------------------
    def node(self, nid: int) -> Node:
        return self.nodes[nid]


BARRIER_OPS = ("reduce", "scan", "gather")


def kernel_args(node: Node) -> tuple[int, ...]:
    """The arguments a kernel computes itself: a reduce/scan result and a gather's source are
    read from slots written by earlier stages, and a broadcast signal from its signal slot."""
    if node.op in ("bcast", "reduce", "scan"):
        return ()
    if node.op == "gather":
        return node.args[1:]
    return node.args


def reachable(
    nodes: Sequence[Node], roots: Iterable[int], through_bcast: bool = True, stop: Collection[int] = ()
) -> list[int]:
    """Ids of every node reachable from ``roots``, ascending (a valid evaluation order).

    With ``through_bcast=False`` the walk stops where a kernel reads a slot instead of computing
    (see :func:`kernel_args`): broadcast signals, reduce/scan results and gather sources. The walk
    also stops at the nodes in ``stop`` (included, their arguments not): values a split kernel
    loads from the slot an earlier part of it wrote (docs/compiler/scheduling.md#splitting).
    """
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if n not in stop:
            stack.extend(nodes[n].args if through_bcast else kernel_args(nodes[n]))
    return sorted(seen)


def node_stages(nodes: Sequence[Node]) -> list[int]:
    """Stage of every node: 0 for sources; a reduce/scan result is one stage after its argument,
    and a gather one stage after its source (the source must be materialized first)."""
    stage = [0] * len(nodes)
    for n in nodes:
        if n.op in ("reduce", "scan"):
            stage[n.id] = stage[n.args[0]] + 1
        elif n.op == "gather":
            stage[n.id] = max(stage[n.args[0]] + 1, stage[n.args[1]])
        elif n.args:
            stage[n.id] = max(stage[a] for a in n.args)
    return stage


def format_node(n: Node) -> str:
    """One line of IR for ``oscilla inspect``: ``%12 = add.f32 %3 %7 @array``."""
    args = " ".join(f"%{a}" for a in n.args)
    attrs = ""
    if n.op == "const":
        attrs = repr(n.attrs[0])
    elif n.attrs:
        attrs = " ".join(repr(a) for a in n.attrs)
    where = f" @{n.instance}" if n.instance else (" !event" if n.event else "")
    return f"%{n.id} = {n.op}.{n.dtype} {args} {attrs}".rstrip() + where
