"""The Expression block (docs/language/expressions.md).

Inputs ``in0`` / ``in1`` (any payload, optional: usable when connected or given an inline value)
and ``refs`` (vararg: every enabled edge into it makes its source usable as ``<block>.<port>`` and
under the edge's ``alias``). Param ``expression``; the output payload is the expression's type.
The text is parsed and type-checked by :mod:`oscilla.expr` and lowered to ordinary IR ops.
"""

from __future__ import annotations

from typing import TypeVar

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.literals import literal_payload
from oscilla.blocks.registry import ANY, BlockDef, Config, E, ParamDef, PortDef, register
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector
from oscilla.expr import CheckedExpr, ExprError, check_expression, lower_expression, parse
from oscilla.payloads import FLOAT

X = TypeVar("X")

INPUT_NAMES = ("in0", "in1")


def expression_scope(
    inputs: dict[str, X | None], refs: list[tuple[str, str | None, X]]
) -> tuple[dict[str, X], list[str]]:
    """The names an expression may use and the unavailable inputs.

    Args:
        inputs: ``in0`` / ``in1`` -> their payload or value, or None when unavailable.
        refs: one ``(source "<block>.<port>", alias or None, payload or value)`` per edge into
            ``refs``, in edge order.

    Returns ``(names, unavailable)``. Available inputs come first and win over a same-named alias;
    among refs a later edge wins over an earlier one with the same name.
    """
    names = {k: v for k, v in inputs.items() if v is not None}
    for src, alias, x in refs:
        for name in (src, alias):
            if name and not (name in INPUT_NAMES and inputs.get(name) is not None):
                names[name] = x
    return names, [k for k, v in inputs.items() if v is None]


def _report(diags: DiagnosticCollector, block_id: str, err: ExprError) -> None:
    diags.add(
        err.code,
        f"Expression {block_id!r}, at offset {err.position}: {err.message}",
        block=block_id,
        port="expression",
        position=err.position,
    )


def _check_syntax(block_id: str, config: Config, diags: DiagnosticCollector) -> None:
    """E_EXPR_SYNTAX (lexing, then parsing) of the text; it needs no types, so normalization finds
    it with the other per-block problems. Typing (E_EXPR_TYPE) is :func:`_check_types`'."""
    try:
        parse(config.get("expression") or "")
    except ExprError as err:
        _report(diags, block_id, err)


def _typecheck(ctx: TypeContext) -> CheckedExpr | ExprError | None:
    """The text parsed and type-checked against the payloads of the inputs: the checked expression,
    its first error, or None while an input's payload is not inferred yet."""
    inputs: dict[str, str | None] = {}
    for name in INPUT_NAMES:
        edges = ctx.edge_payloads(name)
        if edges:  # several edges combine into one value of the same payload
            inputs[name] = edges[-1][2]
            if inputs[name] is None:
                return None
        elif ctx.inline_value(name) is not None:
            inputs[name] = literal_payload(ctx.inline_value(name))
        else:
            inputs[name] = None
    refs: list[tuple[str, str | None, str]] = []
    for src, alias, payload in ctx.edge_payloads("refs"):
        if payload is None:
            return None
        refs.append((src, alias, payload))
    names, unavailable = expression_scope(inputs, refs)
    try:
        return check_expression(ctx.param("expression") or "", names, unavailable)
    except ExprError as err:
        return err


def _output_payload(ctx: TypeContext, port: str) -> str | None:
    """The type of the text (float while it has an error; None while an input is not typed)."""
    res = _typecheck(ctx)
    return None if res is None else FLOAT if isinstance(res, ExprError) else res.type


def _check_types(ctx: TypeContext, diags: DiagnosticCollector) -> None:
    """E_EXPR_TYPE at port ``expression`` with the character ``position`` (docs/language/expressions.md). A block
    reports at most one expression error: E_EXPR_SYNTAX is normalization's."""
    res = _typecheck(ctx)
    if isinstance(res, ExprError) and res.code != "E_EXPR_SYNTAX":
        _report(diags, ctx.block_id, res)


def _lower(ctx: LowerContext) -> dict[str, Value]:
    text = ctx.param("expression") or ""
    inputs = {k: (ctx.input_value(k) if ctx.is_connected(k) else None) for k in INPUT_NAMES}
    values, unavailable = expression_scope(inputs, ctx.edge_values("refs"))
    checked = check_expression(text, {k: v.payload for k, v in values.items()}, unavailable)
    nodes = lower_expression(checked, ctx.builder, {k: values[k].nodes for k in checked.names})
    return {"out": ctx.make_value(checked.type, *nodes)}


register(
    BlockDef(
        "Expression",
        "math",
        inputs=(PortDef("in0", ANY, E), PortDef("in1", ANY, E), PortDef("refs", ANY, E, vararg=True)),
        outputs=(PortDef("out", ANY, E),),
        params=(ParamDef("expression", "string", ""),),
        lower=_lower,
        check_params=_check_syntax,
        output_payload=_output_payload,
        check_input_types=_check_types,
        formula="out = the expression over in0, in1 and each ref; the payload is its type",
    )
)
