"""Pass 2, type inference: payload, unit, cardinality and instance of every port (docs/language/types-and-units.md).

Consumes a :class:`~oscilla.compiler.normalize.Graph`; produces :class:`Typed`: the type of every
output port, the conversion chain of every edge (implicit int/bool->float, vec2->vec3, and
auto-inserted unit adapters ``_adapter_<edge>``) and the instance (or None) of every block.
Payloads and cardinality are a forward fixpoint (feedback loops through UnitDelay converge);
instances are found by union-find over the field-carrying edges. Emits E_TYPE_MISMATCH,
E_UNIT_MISMATCH, E_CARDINALITY_MISMATCH, E_INSTANCE_MISMATCH, E_PARAM_INVALID (Const values) and
E_EXPR_TYPE (Expression texts, checked against their inputs' payloads).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oscilla.blocks.adapters import ADAPTER_FOR
from oscilla.blocks.expression import INPUT_NAMES, expression_scope
from oscilla.blocks.registry import ANY, EV, NUMERIC_T, E, F, PortDef, S
from oscilla.compiler.literals import LiteralError, literal_payload, parse_literal
from oscilla.compiler.normalize import Graph, NBlock, NEdge
from oscilla.diagnostics import DiagnosticCollector
from oscilla.expr import ExprError, check_expression
from oscilla.payloads import BOOL, COLOR, DEFAULT_UNIT, EVENT, FIELD, FLOAT, INT, SHAPE, SIGNAL, VEC2, VEC3, PortType

VECTORS = (VEC2, VEC3, COLOR)


@dataclass
class EdgeConv:
    """How an edge's value reaches its input: conversion steps in order ("i2f", "b2f",
    "vec2to3", or an adapter type name)."""

    edge: NEdge
    steps: tuple[str, ...] = ()
    adapter_id: str | None = None


@dataclass
class Typed:
    """Result of type inference."""

    out: dict[tuple[str, str], PortType] = field(default_factory=dict)
    conv: dict[int, EdgeConv] = field(default_factory=dict)
    instance: dict[str, str | None] = field(default_factory=dict)
    field_blocks: set[str] = field(default_factory=set)
    #: Const block id -> resolved payload
    const_payload: dict[str, str] = field(default_factory=dict)
    bad_edges: set[int] = field(default_factory=set)


def _is_field_input(p: PortDef) -> bool:
    return p.card in (E, F)


def infer_types(g: Graph, diags: DiagnosticCollector) -> Typed:
    """Infer every port type of ``g`` and check every edge; problems go to ``diags``."""
    t = Typed()
    _resolve_consts(g, t, diags)
    payload: dict[tuple[str, str], str] = {}
    is_field: dict[tuple[str, str], bool] = {}

    def src_of(b: NBlock, port: str) -> tuple[str | None, bool]:
        es = g.edges_into(b.id, port)
        if not es:
            v = b.inline.get(port)
            return (literal_payload(v) if v is not None else None), False
        pl = None
        fld = False
        for e in es:
            key = (e.src_block, e.src_port)
            if key in payload:
                pl = payload[key]
                fld = fld or is_field.get(key, False)
        return pl, fld

    def edge_payloads(b: NBlock, port: str) -> list[tuple[NEdge, str | None]]:
        """Every edge into ``port`` with its source payload (None while not inferred yet)."""
        return [(e, payload.get((e.src_block, e.src_port))) for e in g.edges_into(b.id, port)]

    for _ in range(len(g.blocks) + 2):
        changed = False
        for b in g.blocks.values():
            d = b.defn
            any_field = False
            for p in d.inputs:
                if _is_field_input(p):
                    any_field = any_field or src_of(b, p.id)[1]
            for p in d.outputs:
                pl = _output_payload(b, p, t, src_of, edge_payloads)
                fl = p.card == F or (p.card == E and any_field)
                key = (b.id, p.id)
                if pl is not None and (payload.get(key) != pl or is_field.get(key) != fl):
                    payload[key] = pl
                    is_field[key] = fl
                    changed = True
        if not changed:
            break

    # -- edge checks: payload conversions, cardinality, temporality, units ----------------------
    units: dict[tuple[str, str], str] = {}
    for b in g.blocks.values():
        for p in b.defn.outputs:
            key = (b.id, p.id)
            if key not in payload:
                payload[key] = FLOAT
                is_field[key] = p.card == F
            units[key] = _output_unit(b, p, payload[key], g, t)
    for e in g.edges:
        src_b, dst_b = g.blocks[e.src_block], g.blocks[e.dst_block]
        sp = src_b.defn.output(e.src_port)
        dp = dst_b.defn.input(e.dst_port)
        pinned = dst_b.config.get("payloadType") if dst_b.type == "Broadcast" else None
        if pinned:  # a pinned payload turns Broadcast.signal into a port of that payload
            dp = PortDef(dp.id, pinned, dp.card, dp.unit, dp.default, dp.required)
        key = (e.src_block, e.src_port)
        conv = _check_edge(e, sp, dp, payload[key], units[key], is_field[key], dst_b, diags)
        if conv is None:
            t.bad_edges.add(e.index)
        else:
            t.conv[e.index] = conv
    _check_vector_operands(g, t, payload, diags)
    _check_expressions(g, t, edge_payloads, diags)

    # -- instances: union-find over field-carrying edges ------------------------------------
    parent: dict[str, str] = {}
    label: dict[str, str | None] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for b in g.blocks.values():
        has_field_out = any(is_field[(b.id, p.id)] for p in b.defn.outputs)
        has_field_in = any(_is_field_input(p) and src_of(b, p.id)[1] for p in b.defn.inputs)
        needs_field_in = any(p.card == F for p in b.defn.inputs)
        if has_field_out or has_field_in or needs_field_in:
            parent[b.id] = b.id
            label[b.id] = b.id if b.defn.creates_instance else None
            t.field_blocks.add(b.id)
    reported: set[str] = set()
    for e in g.edges:
        if e.index in t.bad_edges or not is_field[(e.src_block, e.src_port)]:
            continue
        dp = g.blocks[e.dst_block].defn.input(e.dst_port)
        if not _is_field_input(dp) or e.dst_block not in parent:
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


def _check_vector_operands(g: Graph, t: Typed, payload: dict, diags: DiagnosticCollector) -> None:
    """Math blocks combine a float with any vector, and vec2 with vec3 (promoted); two different
    vector payloads otherwise (e.g. vec2 + color) are E_TYPE_MISMATCH at the later operand."""
    for b in g.blocks.values():
        seen: tuple[str, str] | None = None
        for p in b.defn.inputs:
            if p.payload != NUMERIC_T:
                continue
            edges = [e for e in g.edges_into(b.id, p.id) if e.index in t.conv]
            if edges:
                pl = payload[(edges[-1].src_block, edges[-1].src_port)]
            elif p.id in b.inline:
                pl = literal_payload(b.inline[p.id])
            else:
                continue
            if pl not in VECTORS:
                continue
            if seen is None:
                seen = (p.id, pl)
            elif seen[1] != pl and {seen[1], pl} != {VEC2, VEC3}:
                diags.add(
                    "E_TYPE_MISMATCH",
                    f"{b.type}.{p.id} is {pl} but {b.type}.{seen[0]} is {seen[1]}; the "
                    f"operands must be the same vector type (or one of them a float)",
                    block=b.id,
                    port=p.id,
                    edge=edges[-1].index if edges else None,
                )
                for e in edges:
                    t.bad_edges.add(e.index)
                    t.conv.pop(e.index, None)


def _expression_check(b: NBlock, edge_payloads):
    """Parse and type-check an Expression block's text against its inputs' payloads: the
    :class:`~oscilla.expr.CheckedExpr`, an :class:`~oscilla.expr.ExprError`, or None while an
    input's payload is not inferred yet."""
    inputs = {}
    for name in INPUT_NAMES:
        edges = edge_payloads(b, name)
        if edges:  # several edges combine into one value of the same payload
            inputs[name] = edges[-1][1]
            if inputs[name] is None:
                return None
        elif name in b.inline:
            inputs[name] = literal_payload(b.inline[name])
        else:
            inputs[name] = None
    refs = []
    for e, pl in edge_payloads(b, "refs"):
        if pl is None:
            return None
        refs.append((f"{e.src_block}.{e.src_port}", e.alias, pl))
    names, unavailable = expression_scope(inputs, refs)
    try:
        return check_expression(b.config.get("expression") or "", names, unavailable)
    except ExprError as err:
        return err


def _check_expressions(g: Graph, t: Typed, edge_payloads, diags: DiagnosticCollector) -> None:
    """E_EXPR_TYPE at port ``expression`` with the character ``position`` (docs/language/expressions.md). A block
    reports at most one expression error: E_EXPR_SYNTAX (lexing, parsing) is normalization's. A
    block with a diagnosed input edge (e.g. an event into in0) is not typed again."""
    for b in g.blocks.values():
        if b.type != "Expression":
            continue
        if any(e.index in t.bad_edges for p in b.defn.inputs for e in g.edges_into(b.id, p.id)):
            continue
        res = _expression_check(b, edge_payloads)
        if isinstance(res, ExprError) and res.code != "E_EXPR_SYNTAX":
            diags.add(
                res.code,
                f"Expression {b.id!r}, at offset {res.position}: {res.message}",
                block=b.id,
                port="expression",
                position=res.position,
            )


def _output_payload(b: NBlock, p: PortDef, t: Typed, src_of, edge_payloads=None) -> str | None:
    if p.payload not in (NUMERIC_T, ANY):
        return p.payload
    d = b.defn
    if d.type == "Expression":  # the type of the text (float while it has an error)
        res = _expression_check(b, edge_payloads)
        return None if res is None else FLOAT if isinstance(res, ExprError) else res.type
    if d.type == "Const":
        return t.const_payload.get(b.id, FLOAT)
    if d.type == "Broadcast":
        return b.config.get("payloadType") or src_of(b, "signal")[0] or FLOAT
    if d.type == "Array":
        return src_of(b, "element")[0] or SHAPE
    # numeric T: the vector payload among the inputs, else float
    best = FLOAT
    for ip in d.inputs:
        if ip.payload == NUMERIC_T:
            pl = src_of(b, ip.id)[0]
            if pl in VECTORS and (best == FLOAT or (best == VEC2 and pl == VEC3)):
                best = pl
    return best


def _output_unit(b: NBlock, p: PortDef, payload: str, g: Graph, t: Typed) -> str:
    if p.unit is not None:
        return p.unit
    d = b.defn
    if d.type == "Reduce":  # keeps the unit of its input (docs/language/types-and-units.md#unit-resolution)
        edges = g.edges_into(b.id, "field")
        if edges and payload == FLOAT:
            src = g.blocks[edges[-1].src_block].defn.output(edges[-1].src_port)
            return src.unit or DEFAULT_UNIT[payload]
        return DEFAULT_UNIT[payload]
    if d.type == "Const" or (d.type == "Broadcast" and not g.edges_into(b.id, "signal")):
        for e in g.consumers(b.id, p.id):
            dp = g.blocks[e.dst_block].defn.input(e.dst_port)
            if dp.payload == payload and dp.unit:
                return dp.unit
        return DEFAULT_UNIT[payload]
    return DEFAULT_UNIT[payload]


def _resolve_consts(g: Graph, t: Typed, diags: DiagnosticCollector) -> None:
    """Const payload: payloadType, else the value's kind, else (numbers) the first consumer's."""
    for b in g.blocks.values():
        if b.type != "Const":
            continue
        value = b.config.get("value", 0)
        pl = b.config.get("payloadType") or literal_payload(value)
        if pl == FLOAT and not b.config.get("payloadType"):
            for e in g.consumers(b.id, "out"):
                dp = g.blocks[e.dst_block].defn.input(e.dst_port)
                if dp.payload in (INT, BOOL, FLOAT):
                    pl = dp.payload
                    break
        if pl is None:
            diags.add(
                "E_PARAM_INVALID",
                f"Const.value {value!r} is not a number, bool, 2-4 number array or x/y/z / r/g/b/a object",
                block=b.id,
                port="value",
            )
            pl = FLOAT
        else:
            try:
                parse_literal(value, pl)
            except LiteralError as err:
                diags.add("E_PARAM_INVALID", f"Const.value as {pl}: {err}", block=b.id, port="value")
        t.const_payload[b.id] = pl


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
    where = f"edge {e.src_block}.{e.src_port} -> {e.dst_block}.{e.dst_port}"
    tgt = dict(block=e.dst_block, port=e.dst_port, edge=e.index)
    src_event = sp.card == EV
    if src_event != (dp.card == EV):
        what = "an event" if src_event else "a continuous value"
        want = "an event" if dp.card == EV else "a continuous value"
        diags.add(
            "E_TYPE_MISMATCH",
            f"{where}: {what} cannot feed {want}"
            + ("; use EventToSignalMask to turn an event into a signal" if src_event else ""),
            **tgt,
        )
        return None
    # a field of shapes is the broadcast of one shape, so it may feed a shape input
    # (docs/language/rendering.md#geometry)
    if src_field and dp.card == S and not (dp.payload == SHAPE and src_payload == SHAPE):
        diags.add(
            "E_CARDINALITY_MISMATCH",
            f"{where}: a field (one value per lane) cannot feed the "
            f"signal-only input {dst_b.type}.{dp.id}; reduce it to a signal first (Reduce)",
            **tgt,
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
            diags.add("E_TYPE_MISMATCH", f"{where}: {pl} cannot feed a numeric input", **tgt)
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
                diags.add(
                    "E_TYPE_MISMATCH",
                    f"{where}: {pl} cannot feed {want} input {dst_b.type}.{dp.id}"
                    + ("; only int->float, bool->float and vec2->vec3 convert implicitly"),
                    **tgt,
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
    adapter = ADAPTER_FOR.get((unit, want_unit))
    if adapter is None:
        diags.add(
            "E_UNIT_MISMATCH",
            f"{where}: unit {unit} cannot feed {want_unit} and no adapter converts "
            f"{unit} to {want_unit}; convert explicitly (e.g. with Multiply) or use a port of unit {unit}",
            **tgt,
        )
        return None
    return EdgeConv(e, tuple(steps) + (adapter,), f"_adapter_{e.index}")
