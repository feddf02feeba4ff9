"""The hash-consed scalar IR that blocks lower to and codegen / the reference interpreter consume.

Every :class:`Node` is one scalar lane value (dtype ``f32``, ``i32`` or ``u32``). A node is a
*signal* expression (``domain is None``: one value per frame), a *field* expression (``domain`` is
an instance id: one value per lane) or an *event* expression (a signal u32 0/1 that fires per
frame). Vector payloads are tuples of scalar nodes, so codegen and the reference interpreter only
ever see scalars. Structurally equal nodes are shared (hash-consing), and ops whose arguments are
all constants are folded on the host with the op table of :mod:`oscilla.ir_ops`.

Source ops (not in ``ir_ops.SIGNATURES``):
    const      attrs (value,)                 a literal (a Python float / int)
    time       attrs (name,)                  frame uniform: tMs, dt, phaseA, phaseB (f32) or the
                                              events pulse, wrapA, wrapB (u32)
    lane_index                                the lane number i (i32), fields only
    bcast      args (signal,)                 a signal value seen by every lane of ``domain``
    state      attrs (cell_id, component)     the committed value of a state cell (this lane)
    ring_read  args (head,) attrs (cell_id,)  DelayFrames: ring element ``head`` (this lane)
    table      attrs (table_id,)              a per-lane constant computed on the host (e.g. a
                                              Halton basis in float64, rounded once to f32),
                                              uploaded into a ValueStore slot at creation
"""

from __future__ import annotations

import hashlib

from dataclasses import dataclass, field

import numpy as np

from . import ir_ops

SIG, FIELD, EVENT = "sig", "field", "event"
TIME_F32 = ("tMs", "dt", "phaseA", "phaseB")
TIME_EVENTS = ("pulse", "wrapA", "wrapB")


@dataclass(frozen=True)
class Node:
    """One scalar IR value. ``id`` is its index in :attr:`IRBuilder.nodes` (topological order)."""

    id: int
    op: str
    dtype: str
    args: tuple[int, ...] = ()
    attrs: tuple = ()
    domain: str | None = None
    event: bool = False

    @property
    def kind(self) -> str:
        """``"field"``, ``"event"`` or ``"sig"``."""
        if self.domain is not None:
            return FIELD
        return EVENT if self.event else SIG


@dataclass(frozen=True)
class StateCell:
    """A piece of memory owned by a stateful block (blocks.md §3.3).

    Attributes:
        id: ``"<block>:<role>"``.
        storage: ``"f32"`` or ``"i32"``.
        lanes: 1 for a signal cell, N for a per-lane cell.
        stride: components per lane.
        frames: ring length (DelayFrames), else 1; the cell holds frames x lanes x stride values.
        init: initial value of every element (a float or int), or None for zero.
        domain: instance id of a per-lane cell, else None.
    """

    id: str
    storage: str
    lanes: int
    stride: int = 1
    frames: int = 1
    init: float | int | None = None
    domain: str | None = None

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
    """Phase 2 commit: cell <- value (one node per component, same domain as the cell).

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
    _index: dict[tuple, int] = field(default_factory=dict)

    # -- construction -------------------------------------------------------------------------
    def _intern(self, op: str, dtype: str, args: tuple[int, ...], attrs: tuple, domain: str | None,
                event: bool = False) -> int:
        key = (op, dtype, args, attrs, domain, event)
        nid = self._index.get(key)
        if nid is None:
            nid = len(self.nodes)
            self.nodes.append(Node(nid, op, dtype, args, attrs, domain, event))
            self._index[key] = nid
        return nid

    def const(self, value, dtype: str = "f32") -> int:
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

    def lane_index(self, instance: str) -> int:
        return self._intern("lane_index", "i32", (), (), instance)

    def table(self, values, instance: str, dtype: str = "f32") -> int:
        """A per-lane host constant: ``values[i]`` in lane i of ``instance`` (rounded once to
        ``dtype``). Identical tables share one node (the id is a hash of the contents)."""
        arr = np.ascontiguousarray(np.asarray(values, dtype=ir_ops.NP_DTYPE[dtype]))
        table_id = "t" + hashlib.sha256(arr.tobytes() + dtype.encode()).hexdigest()[:16]
        self.tables[table_id] = arr
        return self._intern("table", dtype, (), (table_id,), instance)

    def bcast(self, nid: int, instance: str) -> int:
        """The signal ``nid`` as a field over ``instance`` (a no-op for fields of that instance)."""
        n = self.nodes[nid]
        if n.domain == instance:
            return nid
        assert n.domain is None, f"cannot broadcast a field of {n.domain} to {instance}"
        return self._intern("bcast", n.dtype, (nid,), (), instance)

    def op(self, op: str, *args: int, dtype: str | None = None, attrs: tuple = ()) -> int:
        """A pure op; signal arguments are broadcast to the domain of any field argument, and an op
        whose arguments are all constants is folded with :func:`oscilla.ir_ops.evaluate`."""
        sig_args, res = ir_ops.SIGNATURES[op]
        if res == "*":
            res = dtype or self.nodes[args[1]].dtype
        domains = {self.nodes[a].domain for a in args} - {None}
        assert len(domains) <= 1, f"op {op} mixes instances {domains}"
        domain = domains.pop() if domains else None
        if all(self.nodes[a].op == "const" for a in args):
            vals = [np.asarray(self.nodes[a].attrs[0], ir_ops.NP_DTYPE[self.nodes[a].dtype]) for a in args]
            return self.const(ir_ops.evaluate(op, res, vals).item(), res)
        if domain is not None:
            args = tuple(a if self.nodes[a].op == "const" else self.bcast(a, domain) for a in args)
        event = op == "or_b" and all(self.nodes[a].event for a in args)
        return self._intern(op, res, tuple(args), attrs, domain, event)

    def as_field(self, nid: int, instance: str) -> int:
        """Like :meth:`bcast` but also wraps constants (a field slot needs a field node)."""
        return self.bcast(nid, instance)

    # -- state -----------------------------------------------------------------------------
    def state_cell(self, cell: StateCell) -> StateCell:
        self.cells[cell.id] = cell
        return cell

    def state_read(self, cell: StateCell, component: int = 0) -> int:
        return self._intern("state", cell.storage, (), (cell.id, component), cell.domain)

    def ring_read(self, cell: StateCell, head: int) -> int:
        if cell.domain is not None:
            head = self.bcast(head, cell.domain)
        return self._intern("ring_read", cell.storage, (head,), (cell.id,), cell.domain)

    def state_write(self, cell: StateCell, values: tuple[int, ...], ring_pos: int | None = None) -> None:
        if cell.domain is not None:
            values = tuple(self.as_field(v, cell.domain) for v in values)
        self.writes.append(StateWrite(cell.id, tuple(values), ring_pos))

    # -- inspection ------------------------------------------------------------------------
    def node(self, nid: int) -> Node:
        return self.nodes[nid]


def reachable(nodes, roots, through_bcast: bool = True) -> list[int]:
    """Ids of every node reachable from ``roots``, ascending (a valid evaluation order).

    With ``through_bcast=False`` a ``bcast`` node is a leaf: a field kernel loads the broadcast
    signal from its ValueStore slot and never recomputes the signal expression behind it.
    """
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        n = stack.pop()
        if n in seen:
            continue
        seen.add(n)
        if through_bcast or nodes[n].op != "bcast":
            stack.extend(nodes[n].args)
    return sorted(seen)


def format_node(n: Node) -> str:
    """One line of IR for ``oscilla inspect``: ``%12 = add.f32 %3 %7 @array``."""
    args = " ".join(f"%{a}" for a in n.args)
    attrs = ""
    if n.op == "const":
        attrs = repr(n.attrs[0])
    elif n.attrs:
        attrs = " ".join(repr(a) for a in n.attrs)
    dom = f" @{n.domain}" if n.domain else (" !event" if n.event else "")
    return f"%{n.id} = {n.op}.{n.dtype} {args} {attrs}".rstrip() + dom
