"""Combine modes: how several enabled edges into one input become one value (docs/language/patch-format.md#combine).

A block may set ``"combine": {"<portId>": mode}`` (docs/language/patch-format.md#combine). Continuous inputs default to
``last`` (the last enabled edge in edge order wins); event inputs always OR (docs/language/time.md#events), so ``or`` is
the only mode an event input accepts. The modes:

- numeric (float, int, vec2, vec3, color; component-wise): ``sum``, ``avg`` (sum / count; for int
  the i32 quotient truncated toward zero), ``min``, ``max`` (as docs/language/functions.md#arithmetic), ``mul``;
- bool: ``or`` (min(a + b, 1)) and ``and`` (a·b), as docs/language/functions.md#select;
- any payload: ``first`` and ``last`` (edge order).

:func:`mode_problem` is the payload check shared by normalization (ports with a fixed payload) and
:func:`check_combine` (polymorphic ports, once the edge payloads are known); :func:`combine_values`
builds the IR during lowering.
"""

from __future__ import annotations

from oscilla.blocks.registry import ANY, EV, NUMERIC_T
from oscilla.blocks.values import Value
from oscilla.compiler.graph import Graph, Typed
from oscilla.diagnostics import DiagnosticCollector
from oscilla.payloads import BOOL, COLOR, FLOAT, INT, VEC2, VEC3

NUMERIC_MODES = ("sum", "avg", "min", "max", "mul")
BOOL_MODES = ("or", "and")
ORDER_MODES = ("first", "last")
MODES = NUMERIC_MODES + ORDER_MODES + BOOL_MODES
NUMERIC_PAYLOADS = (FLOAT, INT, VEC2, VEC3, COLOR, NUMERIC_T)

#: mode -> IR op per component dtype (avg folds with the sum op, then divides by the edge count)
_FOLD_OPS = {
    "f32": {"sum": "add", "avg": "add", "mul": "mul", "min": "min", "max": "max"},
    "i32": {"sum": "add_i", "avg": "add_i", "mul": "mul_i", "min": "min_i", "max": "max_i"},
    "u32": {"or": "or_b", "and": "and_b"},
}


def mode_problem(mode: str, payload: str, card: str) -> str | None:
    """Why ``mode`` does not suit an input of ``payload`` / cardinality ``card`` (None if it does).
    ``payload`` may be ``"any"`` (not decidable yet: accepted)."""
    if card == EV:
        return None if mode == "or" else "several edges into an event input always combine with 'or'"
    if mode in ORDER_MODES or payload == ANY:
        return None
    if mode in BOOL_MODES and payload != BOOL:
        return (
            f"'{mode}' combines bool inputs; this input is {'numeric' if payload == NUMERIC_T else payload}. "
            f"Use one of {', '.join(NUMERIC_MODES + ORDER_MODES)}"
        )
    if mode in NUMERIC_MODES and payload not in NUMERIC_PAYLOADS:
        return (
            f"'{mode}' combines numeric inputs; this input is {payload}. "
            f"Use one of {', '.join((BOOL_MODES if payload == BOOL else ()) + ORDER_MODES)}"
        )
    return None


def check_combine(g: Graph, t: Typed, diags: DiagnosticCollector) -> None:
    """After type inference: the combine mode of a polymorphic input (numeric ``T`` or ``any``) must
    suit the payloads of its edges, and a mode other than ``last`` needs every edge to carry one
    payload (the block's output type follows the last edge). Emits E_PARAM_INVALID / E_TYPE_MISMATCH."""
    for b in g.blocks.values():
        for port, mode in b.combine.items():
            p = b.defn.input(port)
            if p is None or p.payload not in (ANY, NUMERIC_T) or p.card == EV or mode == "last":
                continue
            edges = [e for e in g.edges_into(b.id, port) if e.index in t.conv]
            pinned = b.config.get(p.payload_param) if p.payload_param else None
            payloads = []
            for e in edges:
                pl = pinned or t.out[(e.src_block, e.src_port)].payload
                if p.payload == NUMERIC_T and pl in (INT, BOOL):
                    pl = FLOAT  # converted on the edge (docs/language/types-and-units.md#implicit-conversions)
                payloads.append(pl)
            if not payloads:
                continue
            if len(set(payloads)) > 1:
                diags.add(
                    "E_TYPE_MISMATCH",
                    f"{b.type}.{port} combines its edges with '{mode}', but they carry "
                    f"different payloads ({', '.join(payloads)}); connect edges of one payload",
                    block=b.id,
                    port=port,
                    edge=edges[-1].index,
                )
                continue
            why = mode_problem(mode, payloads[0], p.card)
            if why:
                diags.add("E_PARAM_INVALID", f"{b.type} combine for {port!r}: {why}", block=b.id, port=port)


def combine_values(b, mode: str, vals: list[Value]) -> Value:
    """The IR value of a continuous input fed by the (converted) edge values ``vals`` in edge order.
    ``b`` is the :class:`~oscilla.ir.graph.IRBuilder`; a signal meeting a field is broadcast."""
    if mode == "last":
        return vals[-1]
    if mode == "first" or len(vals) == 1:
        return vals[0]
    instance = next((v.instance for v in vals if v.instance is not None), None)
    nodes = []
    for j in range(len(vals[0].nodes)):
        acc = vals[0].nodes[j]
        dtype = b.node(acc).dtype
        op = _FOLD_OPS[dtype][mode]
        for v in vals[1:]:
            acc = b.op(op, acc, v.nodes[j])
        if mode == "avg":
            acc = b.op("div" if dtype == "f32" else "div_i", acc, b.const(len(vals), dtype))
        nodes.append(acc)
    return Value(tuple(nodes), vals[-1].payload, instance)
