"""The Expression block (docs/language/expressions.md).

Inputs ``in0`` / ``in1`` (any payload, optional: usable when connected or given an inline value)
and ``refs`` (vararg: every enabled edge into it makes its source usable as ``<block>.<port>`` and
under the edge's ``alias``). Param ``expression``; the output payload is the expression's type.
The text is parsed and type-checked by :mod:`oscilla.expr` and lowered to ordinary IR ops.
"""

from __future__ import annotations

from typing import TypeVar

from oscilla.blocks.registry import ANY, BlockDef, E, ParamDef, PortDef, register
from oscilla.expr import check_expression, lower_expression

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


def _lower(ctx):
    text = ctx.param("expression") or ""
    inputs = {k: (ctx.inp(k) if ctx.connected(k) else None) for k in INPUT_NAMES}
    values, unavailable = expression_scope(inputs, ctx.edge_values("refs"))
    checked = check_expression(text, {k: v.payload for k, v in values.items()}, unavailable)
    nodes = lower_expression(checked, ctx.b, {k: values[k].nodes for k in checked.names})
    return {"out": ctx.value(checked.type, *nodes)}


register(
    BlockDef(
        "Expression",
        "math",
        inputs=(PortDef("in0", ANY, E), PortDef("in1", ANY, E), PortDef("refs", ANY, E, vararg=True)),
        outputs=(PortDef("out", ANY, E),),
        params=(ParamDef("expression", "string", ""),),
        lower=_lower,
        formula="out = the expression over in0, in1 and each ref; the payload is its type",
    )
)
