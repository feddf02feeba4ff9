"""Lowering of a type-checked expression to hash-consed IR (docs/language/functions.md, docs/language/expressions.md).

Every construct becomes the same IR ops the blocks use, so an Expression fuses into the kernels
of its neighbours; signal operands are broadcast to fields by :meth:`IRBuilder.op` and constant
subexpressions fold on the host. The operation order of each formula is that of docs/language/functions.md, and
the numpy op table (:mod:`oscilla.ir.opcodes`) evaluates the very same ops for the reference runtime.
"""

from __future__ import annotations

from collections.abc import Mapping

from oscilla.expr.typecheck import BOOL, FLOAT, INT, CheckedExpr, TExpr
from oscilla.ir.graph import IRBuilder

_ARITH = {
    "add": ("add", "add_i"),
    "sub": ("sub", "sub_i"),
    "mul": ("mul", "mul_i"),
    "mod": ("mod", "mod_i"),
    "neg": ("neg", "neg_i"),
    "abs": ("abs", "abs_i"),
    "min": ("min", "min_i"),
    "max": ("max", "max_i"),
}
_COMPARE = {"lt", "le", "gt", "ge", "eq", "ne"}
_ROUNDING = {"floor": "floor", "ceil": "ceil", "round": "round"}
_FLOAT1 = {"sin": "sin", "cos": "cos", "tan": "tan", "sqrt": "sqrt", "wrap": "frac", "fract": "frac"}


class _Lowerer:
    def __init__(self, b: IRBuilder, env: Mapping[str, tuple[int, ...]]):
        self.b = b
        self.env = env

    def c(self, v: float) -> int:
        return self.b.const(v, "f32")

    def o(self, op: str, *args: int) -> int:
        if op == "select":  # a constant condition picks its branch (exactly what select returns)
            cond = self.b.nodes[args[0]]
            if cond.op == "const":
                return args[1] if cond.attrs[0] != 0 else args[2]
        return self.b.op(op, *args)

    def run(self, e: TExpr) -> tuple[int, ...]:
        op = e.op
        if op == "const":
            return (self.b.const(e.const_value, "i32" if e.type == INT else "f32"),)
        if op == "input":
            return tuple(self.env[e.input_name])
        if op == "swizzle":
            comps = self.run(e.args[0])
            return tuple(comps[i] for i in e.components)
        if op == "select":
            (cond,) = self.run(e.args[0])
            a, b = self.run(e.args[1]), self.run(e.args[2])
            return tuple(self.o("select", cond, x, y) for x, y in zip(a, b))
        args = [self.run(a)[0] for a in e.args]
        return (self._scalar(e, args),)

    def _scalar(self, e: TExpr, args: list[int]) -> int:
        op, o = e.op, self.o
        if op == "i2f":
            return o("i2f", *args)
        if op in _ARITH:
            return o(_ARITH[op][e.type == INT], *args)
        if op == "div":
            return o("div", *args)
        if op in _COMPARE:
            suffix = {FLOAT: "", INT: "_i", BOOL: "_b"}[e.operand_type]
            return o(op + suffix, *args)
        if op == "not":
            return o("not_b", *args)
        if op == "and":
            return o("and_b", *args)
        if op == "or":
            return o("or_b", *args)
        if op in _FLOAT1:
            return o(_FLOAT1[op], *args)
        if op in _ROUNDING:
            return o("f2i", o(_ROUNDING[op], *args))
        if op in ("lerp", "mix"):
            a, b, t = args
            # a·(1−t) + b·t, t unclamped
            return o("add", o("mul", a, o("sub", self.c(1.0), t)), o("mul", b, t))
        if op == "clamp":
            x, lo, hi = args
            return self._clamp(x, lo, hi)
        if op == "smoothstep":
            e0, e1, x = args
            # e0 = e1: 0 if x < e0, else 1; otherwise t = clamp((x−e0)/(e1−e0), 0, 1), t·t·(3 − 2t)
            step = o("select", o("lt", x, e0), self.c(0.0), self.c(1.0))
            t = self._clamp(o("div", o("sub", x, e0), o("sub", e1, e0)), self.c(0.0), self.c(1.0))
            smooth = o("mul", o("mul", t, t), o("sub", self.c(3.0), o("mul", self.c(2.0), t)))
            return o("select", o("eq", e0, e1), step, smooth)
        raise AssertionError(f"unhandled expression op {op}")

    def _clamp(self, x: int, lo: int, hi: int) -> int:
        """max(lo, min(hi, x)): lo wins when lo > hi (docs/language/functions.md#clamp)."""
        return self.o("max", lo, self.o("min", hi, x))


def lower_expression(checked: CheckedExpr, b: IRBuilder, env: Mapping[str, tuple[int, ...]]) -> tuple[int, ...]:
    """IR nodes (one per component) of ``checked``; ``env`` maps each used name to its nodes.
    An empty expression is the float constant 0."""
    if checked.tree is None:
        return (b.const(0.0, "f32"),)
    return _Lowerer(b, env).run(checked.tree)
