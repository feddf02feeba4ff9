"""Pass 2, type inference: payload, unit, cardinality and instance of every port (docs/language/types-and-units.md).

Consumes a :class:`~oscilla.compiler.graph.Graph`; produces :class:`~oscilla.compiler.graph.Typed`: the type of every
output port, the conversion chain of every edge (implicit int/bool->float, vec2->vec3, and
auto-inserted unit adapters ``_adapter_<edge>``) and the instance (or None) of every block.
Payloads and cardinality are a forward fixpoint (a worklist: feedback loops through UnitDelay converge);
instances are found by union-find over the field-carrying edges. Emits E_TYPE_MISMATCH,
E_UNIT_MISMATCH, E_CARDINALITY_MISMATCH and E_INSTANCE_MISMATCH; the blocks' typing hooks
(:class:`~oscilla.blocks.registry.BlockDef`) report their own problems, E_PARAM_INVALID for a
Const value and E_EXPR_TYPE for an Expression text checked against its inputs' payloads.
"""

from __future__ import annotations

import dataclasses
import heapq
from collections.abc import Callable
from typing import Any

from oscilla.blocks.literals import literal_payload
from oscilla.blocks.registry import ANY, EV, NUMERIC_T, E, F, PortDef, S, find_unit_adapter
from oscilla.compiler.graph import EdgeConv, Graph, NBlock, NEdge, Typed
from oscilla.diagnostics import DiagnosticCollector
from oscilla.payloads import BOOL, COLOR, DEFAULT_UNIT, EVENT, FIELD, FLOAT, INT, SHAPE, SIGNAL, VEC2, VEC3, PortType

VECTORS = (VEC2, VEC3, COLOR)


def _is_field_input(p: PortDef) -> bool:
    return p.card in (E, F)


#: src_of(block, input port) -> (payload arriving there or None, whether a field arrives)
SourceOf = Callable[[NBlock, str], tuple[str | None, bool]]


class _BlockTyping:
    """The compiler's :class:`~oscilla.blocks.context.TypeContext` for one block, over the
    payloads inferred so far (the protocol documents every method)."""

    def __init__(self, g: Graph, b: NBlock, payload: dict[tuple[str, str], str], src_of: SourceOf):
        self._g, self._b, self._payload, self._src_of = g, b, payload, src_of
        self.block_id = b.id

    def param(self, name: str) -> Any:
        return self._b.config.get(name)

    def input_payload(self, port: str) -> str | None:
        return self._src_of(self._b, port)[0]

    def has_edges(self, port: str) -> bool:
        return bool(self._g.edges_into(self._b.id, port))

    def inline_value(self, port: str) -> Any:
        return self._b.inline.get(port)

    def edge_payloads(self, port: str) -> list[tuple[str, str | None, str | None]]:
        return [
            (f"{e.src_block}.{e.src_port}", e.alias, self._payload.get((e.src_block, e.src_port)))
            for e in self._g.edges_into(self._b.id, port)
        ]

    def source_unit(self, port: str) -> str | None:
        edges = self._g.edges_into(self._b.id, port)
        if not edges:
            return None
        src = self._g.blocks[edges[-1].src_block].defn.output(edges[-1].src_port)
        return src.unit if src is not None else None

    def consumers(self, port: str) -> list[tuple[str, str | None]]:
        out = []
        for e in self._g.consumers(self._b.id, port):
            dp = self._g.blocks[e.dst_block].defn.input(e.dst_port)
            if dp is not None:
                out.append((dp.payload, dp.unit))
        return out


def _payload_of_literal(v: Any) -> str | None:
    """:func:`literal_payload`, with the common plain numbers answered without its ABC check."""
    t = type(v)
    return FLOAT if t is float or t is int else literal_payload(v)


class _Views(dict):
    """block id -> its :class:`_BlockTyping`, made on first use (most blocks never need one)."""

    def __init__(self, g: Graph, payload: dict[tuple[str, str], str], src_of: SourceOf):
        super().__init__()
        self._args = g, payload, src_of

    def __missing__(self, bid: str) -> _BlockTyping:
        g, payload, src_of = self._args
        view = self[bid] = _BlockTyping(g, g.blocks[bid], payload, src_of)
        return view


@dataclasses.dataclass(frozen=True)
class _PortsOf:
    """What the passes below ask of a block definition, computed once per definition."""

    field_inputs: tuple[str, ...]  # inputs that may carry a field (card E or F)
    needs_field_in: bool  # an input is field-only
    numeric_inputs: tuple[str, ...]  # polymorphic numeric (``T``) inputs
    inputs: dict[str, PortDef]  # by id
    outputs: dict[str, PortDef]  # by id


def _ports_of(cache: dict[int, _PortsOf], d: Any) -> _PortsOf:
    info = cache.get(id(d))
    if info is None:
        info = cache[id(d)] = _PortsOf(
            tuple(p.id for p in d.inputs if _is_field_input(p)),
            any(p.card == F for p in d.inputs),
            tuple(p.id for p in d.inputs if p.payload == NUMERIC_T),
            {p.id: p for p in reversed(d.inputs)},  # the first of a duplicated id, as BlockDef.input
            {p.id: p for p in reversed(d.outputs)},
        )
    return info


def infer_types(g: Graph, diags: DiagnosticCollector) -> Typed:
    """Infer every port type of ``g`` and check every edge; problems go to ``diags``.

    Linear in blocks + edges (each block is typed once, again only when a source changed)."""
    t = Typed()
    payload: dict[tuple[str, str], str] = {}
    is_field: dict[tuple[str, str], bool] = {}
    edges_into = g.inputs

    def src_of(b: NBlock, port: str) -> tuple[str | None, bool]:
        es = edges_into.get((b.id, port))
        if not es:
            v = b.inline.get(port)
            return (_payload_of_literal(v) if v is not None else None), False
        pl = None
        fld = False
        for e in es:
            key = (e.src_block, e.src_port)
            if key in payload:
                pl = payload[key]
                fld = fld or is_field.get(key, False)
        return pl, fld

    views = _Views(g, payload, src_of)
    ports: dict[int, _PortsOf] = {}
    for b in g.blocks.values():  # config values against their payload (Const.value)
        if b.defn.check_config_types is not None:
            b.defn.check_config_types(views[b.id], diags)

    field_in = _propagate_payloads(g, views, src_of, payload, is_field, ports)

    # -- edge checks: payload conversions, cardinality, temporality, units ----------------------
    units: dict[tuple[str, str], str] = {}
    for b in g.blocks.values():
        for p in b.defn.outputs:
            key = (b.id, p.id)
            if key not in payload:
                payload[key] = FLOAT
                is_field[key] = p.card == F
                field_in = None  # the sources' fieldness changed after the propagation
            if p.unit is not None:
                units[key] = p.unit
            elif b.defn.output_unit is None:
                units[key] = DEFAULT_UNIT[payload[key]]
            else:
                units[key] = _output_unit(b, p, payload[key], views[b.id])
    for e in g.edges:
        src_b, dst_b = g.blocks[e.src_block], g.blocks[e.dst_block]
        sp = _ports_of(ports, src_b.defn).outputs.get(e.src_port)
        dp = _ports_of(ports, dst_b.defn).inputs.get(e.dst_port)
        assert sp is not None and dp is not None, e
        pinned = dst_b.config.get(dp.payload_param) if dp.payload_param else None
        if pinned:  # a pinned payload (Broadcast.payloadType) turns the port into one of that payload
            dp = dataclasses.replace(dp, payload=pinned)
        key = (e.src_block, e.src_port)
        conv = _check_edge(e, sp, dp, payload[key], units[key], is_field[key], dst_b, diags)
        if conv is None:
            t.bad_edges.add(e.index)
        else:
            t.conv[e.index] = conv
    _check_vector_operands(g, t, payload, diags, ports, _vector_operand_blocks(g, payload))
    for b in g.blocks.values():  # checks that need the input payloads (an Expression's text)
        check = b.defn.check_input_types
        if check is None:
            continue
        # a block with a diagnosed input edge (e.g. an event into an Expression's in0) is not
        # typed again: its problem is reported once, at the edge
        if any(e.index in t.bad_edges for p in b.defn.inputs for e in g.edges_into(b.id, p.id)):
            continue
        check(views[b.id], diags)

    # -- instances: union-find over field-carrying edges ------------------------------------
    parent: dict[str, str] = {}
    label: dict[str, str | None] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for b in g.blocks.values():
        info = _ports_of(ports, b.defn)
        if (
            info.needs_field_in
            or any(is_field[(b.id, p.id)] for p in b.defn.outputs)
            or (field_in[b.id] if field_in is not None else any(src_of(b, port)[1] for port in info.field_inputs))
        ):
            parent[b.id] = b.id
            label[b.id] = b.id if b.defn.creates_instance else None
            t.field_blocks.add(b.id)
    reported: set[str] = set()
    for e in g.edges:
        if e.index in t.bad_edges or not is_field[(e.src_block, e.src_port)]:
            continue
        dp = g.blocks[e.dst_block].defn.input(e.dst_port)
        if dp is None or not _is_field_input(dp) or e.dst_block not in parent:
            continue
        a, c = find(e.src_block), find(e.dst_block)
        if a == c:
            continue
        la, lc = label[a], label[c]
        if la is not None and lc is not None and la != lc:
            if e.dst_block not in reported:
                reported.add(e.dst_block)
                diags.add(
                    "E_INSTANCE_MISMATCH",
                    f"two instances meet in {e.dst_block!r}: {la!r} and {lc!r} "
                    f"(via edge {e.src_block}.{e.src_port} -> {e.dst_block}.{e.dst_port}); all field "
                    f"ports of one block must share an instance",
                    block=e.dst_block,
                    port=e.dst_port,
                )
            continue
        parent[a] = c
        label[c] = lc if lc is not None else la
    unresolved_roots: set[str] = set()
    # a class holding a block with an earlier error (e.g. a missing `elements` input) has no
    # instance as a consequence of that error: reporting it again would not be an independent problem
    errored = {d.block for d in diags.items if d.severity == "error"} | {b for b, _ in g.diagnosed_inputs}
    for bid in parent:
        if bid in errored:
            unresolved_roots.add(find(bid))
    for bid in sorted(parent, key=lambda x: g.blocks[x].order):
        root = find(bid)
        t.instance[bid] = label[root]
        if label[root] is None and root not in unresolved_roots:
            unresolved_roots.add(root)
            diags.add(
                "E_INSTANCE_MISMATCH",
                f"cannot infer the instance of {bid!r}: no field from an "
                f"Array reaches it; connect a field of the instance it should run over",
                block=bid,
            )
    for b in g.blocks.values():
        t.instance.setdefault(b.id, None)
        for p in b.defn.outputs:
            key = (b.id, p.id)
            fl = is_field[key]
            t.out[key] = PortType(
                payload[key],
                units[key],
                FIELD if fl else SIGNAL,
                t.instance[b.id] if fl else None,
                EVENT if p.card == EV else "continuous",
            )
    return t


def _propagate_payloads(
    g: Graph,
    views: dict[str, _BlockTyping],
    src_of: SourceOf,
    payload: dict[tuple[str, str], str],
    is_field: dict[tuple[str, str], bool],
    ports: dict[int, _PortsOf],
) -> dict[str, bool] | None:
    """The forward fixpoint of output payloads and fieldness, as a worklist in patch order.

    A block's outputs are a function of its sources' outputs only, so a block is evaluated again
    only when one of its sources changed: each block once for an acyclic patch in any order, and a
    few times around a feedback loop (linear in blocks + edges, where sweeping every block until
    nothing changed was O(blocks x depth)). At most (blocks + 2) x blocks evaluations, the bound
    of those sweeps, when a feedback loop never settles.

    Returns block id -> whether a field reaches one of its inputs, as seen by its last typing
    (None when a feedback loop never settled: then those are stale)."""
    dependents: dict[str, list[str]] = {}
    for e in g.edges:
        dependents.setdefault(e.src_block, []).append(e.dst_block)

    field_in: dict[str, bool] = {}

    def evaluate(b: NBlock) -> bool:
        """Type ``b``'s outputs from its sources; True when one changed."""
        d = b.defn
        info = _ports_of(ports, d)
        srcs = {port: src_of(b, port) for port in info.field_inputs}  # each source once
        any_field = False
        for _pl, fld in srcs.values():
            if fld:
                any_field = True
                break
        field_in[b.id] = any_field
        changed = False
        for p in d.outputs:
            if p.payload not in (NUMERIC_T, ANY):
                pl: str | None = p.payload
            elif d.output_payload is not None:
                pl = d.output_payload(views[b.id], p.id)
            else:  # the widest vector among the T inputs (vec3 over vec2), else float
                pl = FLOAT
                for port in info.numeric_inputs:
                    src_pl = (srcs.get(port) or src_of(b, port))[0]
                    if src_pl in VECTORS and (pl == FLOAT or (pl == VEC2 and src_pl == VEC3)):
                        pl = src_pl
            fl = p.card == F or (p.card == E and any_field)
            key = (b.id, p.id)
            if pl is not None and (payload.get(key) != pl or is_field.get(key) != fl):
                payload[key] = pl
                is_field[key] = fl
                changed = True
        return changed

    # one sweep in patch order; a block whose source changed after it was typed (a feedback
    # loop, or an edge pointing back in patch order) is queued and typed again, in patch order
    heap: list[tuple[int, str]] = []
    queued: set[str] = set()

    def requeue(b: NBlock, later: bool) -> None:
        for dst in dependents.get(b.id, ()):
            o = g.blocks[dst].order
            if (later or o <= b.order) and dst not in queued:
                queued.add(dst)
                heapq.heappush(heap, (o, dst))

    for b in g.blocks.values():
        if evaluate(b):
            requeue(b, False)
    budget = (len(g.blocks) + 1) * len(g.blocks)
    while heap and budget > 0:
        budget -= 1
        _, bid = heapq.heappop(heap)
        queued.discard(bid)
        b = g.blocks[bid]
        if evaluate(b):
            requeue(b, True)
    return None if heap else field_in


def _vector_operand_blocks(g: Graph, payload: dict[tuple[str, str], str]) -> set[str]:
    """The blocks a vector may reach as an operand: consumers of a vector output, and blocks with
    an inline list or object value (what a vector literal is). Only these can mix vectors."""
    out: set[str] = set()
    for (bid, port), pl in payload.items():
        if pl in VECTORS:
            out.update(e.dst_block for e in g.consumers(bid, port))
    for b in g.blocks.values():
        if b.inline and any(type(v) is list or type(v) is dict for v in b.inline.values()):
            out.add(b.id)
    return out


def _check_vector_operands(
    g: Graph,
    t: Typed,
    payload: dict,
    diags: DiagnosticCollector,
    ports: dict[int, _PortsOf],
    candidates: set[str],
) -> None:
    """Math blocks combine a float with any vector, and vec2 with vec3 (promoted); two different
    vector payloads otherwise (e.g. vec2 + color) are E_TYPE_MISMATCH at the later operand.
    Only ``candidates`` (:func:`_vector_operand_blocks`) are looked at."""
    conv = t.conv
    for b in g.blocks.values():
        if b.id not in candidates:
            continue
        seen: tuple[str, str] | None = None
        for port in _ports_of(ports, b.defn).numeric_inputs:
            all_edges = g.inputs.get((b.id, port), ())
            last = None
            for e in reversed(all_edges):
                if e.index in conv:
                    last = e
                    break
            if last is not None:
                pl = payload[(last.src_block, last.src_port)]
            elif port in b.inline:
                pl = _payload_of_literal(b.inline[port])
            else:
                continue
            if pl not in VECTORS:
                continue
            if seen is None:
                seen = (port, pl)
            elif seen[1] != pl and {seen[1], pl} != {VEC2, VEC3}:
                diags.add(
                    "E_TYPE_MISMATCH",
                    f"{b.type}.{port} is {pl} but {b.type}.{seen[0]} is {seen[1]}; the "
                    f"operands must be the same vector type (or one of them a float)",
                    block=b.id,
                    port=port,
                    edge=last.index if last is not None else None,
                )
                for e in [e for e in all_edges if e.index in conv]:
                    t.bad_edges.add(e.index)
                    conv.pop(e.index, None)


def _output_unit(b: NBlock, p: PortDef, payload: str, view: _BlockTyping) -> str:
    """The unit of output ``p``: its declared one, the block's own rule, or the payload's default."""
    if p.unit is not None:
        return p.unit
    if b.defn.output_unit is not None:
        unit = b.defn.output_unit(view, p.id, payload)
        if unit is not None:
            return unit
    return DEFAULT_UNIT[payload]


def _check_edge(
    e: NEdge,
    sp: PortDef,
    dp: PortDef,
    src_payload: str,
    src_unit: str,
    src_field: bool,
    dst_b: NBlock,
    diags: DiagnosticCollector,
) -> EdgeConv | None:
    def report(code: str, message: str) -> None:  # an edge problem goes to the consumer's input
        where = f"edge {e.src_block}.{e.src_port} -> {e.dst_block}.{e.dst_port}"  # only when reported
        diags.add(code, f"{where}: {message}", block=e.dst_block, port=e.dst_port, edge=e.index)

    src_event = sp.card == EV
    if src_event != (dp.card == EV):
        what = "an event" if src_event else "a continuous value"
        want = "an event" if dp.card == EV else "a continuous value"
        report(
            "E_TYPE_MISMATCH",
            f"{what} cannot feed {want}"
            + ("; use EventToSignalMask to turn an event into a signal" if src_event else ""),
        )
        return None
    # a field of shapes is the broadcast of one shape, so it may feed a shape input
    # (docs/language/rendering.md#geometry)
    if src_field and dp.card == S and not (dp.payload == SHAPE and src_payload == SHAPE):
        report(
            "E_CARDINALITY_MISMATCH",
            f"a field (one value per lane) cannot feed the "
            f"signal-only input {dst_b.type}.{dp.id}; reduce it to a signal first (Reduce)",
        )
        return None
    steps: list[str] = []
    pl = src_payload
    want = dp.payload
    if want == ANY:
        return EdgeConv(e)
    if want == NUMERIC_T:
        if pl == INT:
            steps.append("i2f")
            pl = FLOAT
        elif pl == BOOL:
            steps.append("b2f")
            pl = FLOAT
        elif pl not in (FLOAT,) + VECTORS:
            report("E_TYPE_MISMATCH", f"{pl} cannot feed a numeric input")
            return None
        want_unit = "scalar" if pl == FLOAT else None
    else:
        if pl != want:
            if pl == INT and want == FLOAT:
                steps.append("i2f")
            elif pl == BOOL and want == FLOAT:
                steps.append("b2f")
            elif pl == VEC2 and want == VEC3:
                steps.append("vec2to3")
            else:
                report(
                    "E_TYPE_MISMATCH",
                    f"{pl} cannot feed {want} input {dst_b.type}.{dp.id}"
                    + ("; only int->float, bool->float and vec2->vec3 convert implicitly"),
                )
                return None
            pl = want
        want_unit = dp.unit or DEFAULT_UNIT[want]
    unit = src_unit
    if steps and steps[0] in ("i2f", "b2f"):
        unit = "scalar" if (want_unit in ("scalar", None) or src_unit != "ms") else src_unit
    if steps and steps[0] == "vec2to3":
        unit = "world3"
    if want_unit is None or unit == want_unit:
        return EdgeConv(e, tuple(steps))
    adapter = find_unit_adapter(unit, want_unit)
    if adapter is None:
        report(
            "E_UNIT_MISMATCH",
            f"unit {unit} cannot feed {want_unit} and no adapter converts "
            f"{unit} to {want_unit}; convert explicitly (e.g. with Multiply) or use a port of unit {unit}",
        )
        return None
    return EdgeConv(e, tuple(steps) + (adapter.type,), f"_adapter_{e.index}")
