"""Lowering of a type-checked expression to hash-consed IR (docs/language/functions.md, docs/language/expressions.md).

Every construct becomes the same IR ops the blocks use, so an Expression fuses into the kernels
of its neighbours; signal operands are broadcast to fields by :meth:`IRBuilder.op` and constant
subexpressions fold on the host. The operation order of each formula is that of docs/language/functions.md, and
the numpy op table (:mod:`oscilla.ir.opcodes`) evaluates the very same ops for the reference runtime.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import replace

from oscilla.expr.typecheck import BOOL, FLOAT, INT, VECTORS, CheckedExpr, TExpr
from oscilla.ir.graph import IRBuilder
from oscilla.ir.noise import curl_noise2, fractal_noise, gradient_noise

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
_ROUNDING = {"floor": "floor", "ceil": "ceil", "round": "round", "trunc": "trunc"}
#: functions that are one float opcode of the same arity
_FLOAT_OPS = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sqrt": "sqrt",
    "wrap": "frac",
    "fract": "frac",
    "exp": "exp",
    "log": "log",
    "exp2": "exp2",
    "log2": "log2",
    "inversesqrt": "inversesqrt",
    "asin": "asin",
    "acos": "acos",
    "atan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "atan2": "atan2",
    "pow": "pow",
}
DEG_TO_RAD = math.pi / 180.0
RAD_TO_DEG = 180.0 / math.pi


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
        if op == "construct":
            return self._construct(e)
        if op in _GEOMETRIC:
            return _GEOMETRIC[op](self, [self.run(a) for a in e.args])
        # component-wise: a number argument applies to every component of a vector one
        args = [self.run(a) for a in e.args]
        width = max(len(a) for a in args)
        scalar = replace(e, type=FLOAT) if e.type in VECTORS else e
        return tuple(self._scalar(scalar, [a[k] if len(a) > 1 else a[0] for a in args]) for k in range(width))

    def _construct(self, e: TExpr) -> tuple[int, ...]:
        comps = [n for a in e.args for n in self.run(a)]
        want = VECTORS[e.type]
        if len(comps) == 1:  # vec2(s) / vec3(s) splat
            comps *= want
        if len(comps) == want - 1:  # color(r, g, b): alpha 1
            comps.append(self.c(1.0))
        return tuple(comps)

    # -- geometric functions over whole vectors (docs/language/expressions.md#vectors) ------------
    def dot(self, a: tuple[int, ...], b: tuple[int, ...]) -> int:
        """a0·b0 + a1·b1 + …, summed left to right."""
        acc = self.o("mul", a[0], b[0])
        for x, y in zip(a[1:], b[1:]):
            acc = self.o("add", acc, self.o("mul", x, y))
        return acc

    def length(self, v: tuple[int, ...]) -> int:
        """sqrt(dot(v, v)); |x| for one component."""
        return self.o("abs", v[0]) if len(v) == 1 else self.o("sqrt", self.dot(v, v))

    def _dot(self, args: list[tuple[int, ...]]) -> tuple[int, ...]:
        return (self.dot(args[0], args[1]),)

    def _length(self, args: list[tuple[int, ...]]) -> tuple[int, ...]:
        return (self.length(args[0]),)

    def _distance(self, args: list[tuple[int, ...]]) -> tuple[int, ...]:
        return (self.length(tuple(self.o("sub", x, y) for x, y in zip(args[0], args[1]))),)

    def _normalize(self, args: list[tuple[int, ...]]) -> tuple[int, ...]:
        """v / length(v), and the zero vector for a zero length."""
        (v,) = args
        n = self.length(v)
        zero = self.o("eq", n, self.c(0.0))
        return tuple(self.o("select", zero, self.c(0.0), self.o("div", x, n)) for x in v)

    def _cross(self, args: list[tuple[int, ...]]) -> tuple[int, ...]:
        (a0, a1, a2), (b0, b1, b2) = args
        o = self.o
        return (
            o("sub", o("mul", a1, b2), o("mul", a2, b1)),
            o("sub", o("mul", a2, b0), o("mul", a0, b2)),
            o("sub", o("mul", a0, b1), o("mul", a1, b0)),
        )

    def _scalar(self, e: TExpr, args: list[int]) -> int:
        """One component of the component-wise node ``e`` (its type a number type) on ``args``."""
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
        if op in _FLOAT_OPS:
            return o(_FLOAT_OPS[op], *args)
        if op in _ROUNDING:
            rounded = o(_ROUNDING[op], *args)
            return o("f2i", rounded) if e.type == INT else rounded
        if op == "sign":
            if e.type == INT:
                (x,) = args
                zero = self.b.const(0, "i32")
                neg = o("select", o("lt_i", x, zero), self.b.const(-1, "i32"), zero)
                return o("select", o("gt_i", x, zero), self.b.const(1, "i32"), neg)
            return o("sign", *args)
        if op == "step":
            edge, x = args  # WGSL step: 1 if edge <= x, else 0
            return o("select", o("le", edge, x), self.c(1.0), self.c(0.0))
        if op == "saturate":
            return self._clamp(args[0], self.c(0.0), self.c(1.0))
        if op == "radians":
            return o("mul", args[0], self.c(DEG_TO_RAD))
        if op == "degrees":
            return o("mul", args[0], self.c(RAD_TO_DEG))
        if op == "hypot":
            x, y = args
            return o("sqrt", o("add", o("mul", x, x), o("mul", y, y)))
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


_Components = tuple[int, ...]
#: the functions over whole vectors, by name
#: the noise functions' fixed settings (the blocks' defaults: docs/language/hashing-and-noise.md)
EXPR_NOISE_SEED, EXPR_FBM = 0, (4, 2.0, 0.5)  # seed; octaves, lacunarity, gain


def _noise(lw: _Lowerer, args: list[_Components]) -> _Components:
    return (gradient_noise(lw.b, args[0], EXPR_NOISE_SEED),)


def _fbm(lw: _Lowerer, args: list[_Components]) -> _Components:
    return (fractal_noise(lw.b, args[0], EXPR_NOISE_SEED, *EXPR_FBM),)


def _curl(lw: _Lowerer, args: list[_Components]) -> _Components:
    x, y = args[0]
    return curl_noise2(lw.b, x, y, EXPR_NOISE_SEED)


_GEOMETRIC: dict[str, Callable[[_Lowerer, list[_Components]], _Components]] = {
    "noise": _noise,
    "fbm": _fbm,
    "curl": _curl,
    "dot": _Lowerer._dot,
    "length": _Lowerer._length,
    "distance": _Lowerer._distance,
    "normalize": _Lowerer._normalize,
    "cross": _Lowerer._cross,
}


def lower_expression(checked: CheckedExpr, b: IRBuilder, env: Mapping[str, tuple[int, ...]]) -> tuple[int, ...]:
    """IR nodes (one per component) of ``checked``; ``env`` maps each used name to its nodes.
    An empty expression is the float constant 0."""
    if checked.tree is None:
        return (b.const(0.0, "f32"),)
    return _Lowerer(b, env).run(checked.tree)
