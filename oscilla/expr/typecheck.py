"""Type checker of the expression language (docs/language/expressions.md#names, #types, #functions).

Input: the AST of :mod:`oscilla.expr.parser` and the payload of every name the expression may use
(``in0``/``in1`` when available, ``<block>.<port>`` for each ref edge, and each edge alias).
Output: a typed tree (:class:`TExpr`) in which every coercion is explicit, ready for
:mod:`oscilla.expr.lower_expr`. Types are the payload names int, float, bool, vec2, vec3 and color.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, overload

from oscilla.diagnostics import suggest
from oscilla.expr.errors import TYPE, ExprError
from oscilla.expr.parser import Binary, Call, Member, Name, Node, Num, Ternary, Unary, parse

INT, FLOAT, BOOL, VEC2, VEC3, COLOR = "int", "float", "bool", "vec2", "vec3", "color"
NUMERIC = (INT, FLOAT)
VECTORS = {VEC2: 2, VEC3: 3, COLOR: 4}
SWIZZLE_INDEX = {"x": 0, "y": 1, "z": 2, "w": 3, "r": 0, "g": 1, "b": 2, "a": 3}
SWIZZLE_TYPE = {1: FLOAT, 2: VEC2, 3: VEC3, 4: COLOR}
COMPARE_HINT = "compare, e.g. x > 0"


@dataclass(frozen=True)
class Func:
    """One function of the language.

    Attributes:
        params: the parameter names, in call order (the last ``len(params) - min_args`` optional).
        kind: how arguments and result are typed: ``float`` (component-wise, float result),
            ``same`` (component-wise, the argument's type: int stays int), ``intorfloat``
            (component-wise, int when every argument is int), ``toint`` (component-wise; a scalar
            result is an int), ``reduce`` (vectors of one type -> float), ``vector`` (a vector ->
            the same vector type), ``cross`` (vec3, vec3 -> vec3), ``construct`` (components ->
            the vector type ``name``) or ``select`` (WGSL's ``select(f, t, cond)``).
        meaning: its definition and edge cases, one line (the table of docs/language/expressions.md).
        min_args: the fewest arguments it takes (default: all of them).
    """

    params: tuple[str, ...]
    kind: str
    meaning: str
    min_args: int | None = None

    @property
    def arity(self) -> tuple[int, int]:
        """(fewest, most) arguments."""
        return (len(self.params) if self.min_args is None else self.min_args, len(self.params))

    def signature(self, name: str) -> str:
        """``name(p1, p2[, p3])`` for messages and the documentation."""
        lo = self.arity[0]
        head = ", ".join(self.params[:lo])
        tail = "".join(f"[, {p}]" for p in self.params[lo:])
        return f"{name}({head}{tail})"


def _f(params: str, kind: str, meaning: str, min_args: int | None = None) -> Func:
    return Func(tuple(params.split()), kind, meaning, min_args)


#: every function, in the order of docs/language/expressions.md#functions (name -> signature)
FUNCTIONS: dict[str, Func] = {
    # the first 16, kept in their historical order
    "sin": _f("x", "float", "sine, x in radians"),
    "cos": _f("x", "float", "cosine, x in radians"),
    "tan": _f("x", "float", "tangent, x in radians"),
    "abs": _f("x", "same", "absolute value"),
    "sqrt": _f("x", "float", "square root; NaN for x < 0"),
    "floor": _f("x", "toint", "largest integer <= x"),
    "ceil": _f("x", "toint", "smallest integer >= x"),
    "round": _f("x", "toint", "nearest integer, ties to even (WGSL round)"),
    "min": _f("a b", "intorfloat", "the smaller of a and b"),
    "max": _f("a b", "intorfloat", "the larger of a and b"),
    "lerp": _f("a b t", "float", "a·(1 − t) + b·t, t not clamped (same as mix)"),
    "mix": _f("a b t", "float", "a·(1 − t) + b·t, t not clamped (WGSL mix)"),
    "smoothstep": _f("e0 e1 x", "float", "t·t·(3 − 2t), t = clamp((x − e0)/(e1 − e0), 0, 1); e0 = e1: x < e0 ? 0 : 1"),
    "clamp": _f("x lo hi", "float", "max(lo, min(hi, x)); lo when lo > hi"),
    "wrap": _f("x", "float", "frac(x) = min(x − floor(x), 0.99999994), in [0, 1)"),
    "fract": _f("x", "float", "frac(x) = min(x − floor(x), 0.99999994), in [0, 1) (same as wrap)"),
    # creative math (issue 12)
    "atan2": _f("y x", "float", "angle of (x, y) in [−π, π]; atan2(0, 0) = 0"),
    "pow": _f("x y", "float", "x^y, also x ** y; see pow below for x <= 0"),
    "exp": _f("x", "float", "e^x; +inf when it overflows"),
    "log": _f("x", "float", "natural logarithm; log(0) = −inf, NaN for x < 0"),
    "exp2": _f("x", "float", "2^x"),
    "log2": _f("x", "float", "base-2 logarithm; log2(0) = −inf, NaN for x < 0"),
    "inversesqrt": _f("x", "float", "1 / sqrt(x); +inf at 0, NaN for x < 0"),
    "trunc": _f("x", "toint", "x rounded toward zero"),
    "sign": _f("x", "same", "−1, 0 or 1"),
    "step": _f("edge x", "float", "1 if edge <= x, else 0 (WGSL step)"),
    "saturate": _f("x", "float", "clamp(x, 0, 1)"),
    "hypot": _f("x y", "float", "sqrt(x·x + y·y), the length of (x, y)"),
    "radians": _f("deg", "float", "deg · π/180"),
    "degrees": _f("rad", "float", "rad · 180/π"),
    "asin": _f("x", "float", "arcsine in [−π/2, π/2]; NaN for |x| > 1"),
    "acos": _f("x", "float", "arccosine in [0, π]; NaN for |x| > 1"),
    "atan": _f("x", "float", "arctangent in (−π/2, π/2)"),
    "sinh": _f("x", "float", "hyperbolic sine"),
    "cosh": _f("x", "float", "hyperbolic cosine"),
    "tanh": _f("x", "float", "hyperbolic tangent, in [−1, 1]"),
    "dot": _f("a b", "reduce", "a.x·b.x + a.y·b.y (+ …), summed in component order"),
    "length": _f("v", "reduce", "sqrt(dot(v, v)); |v| for a number"),
    "distance": _f("a b", "reduce", "length(a − b)"),
    "normalize": _f("v", "vector", "v / length(v); the zero vector stays zero"),
    "cross": _f("a b", "cross", "the cross product of two vec3"),
    "select": _f("f t cond", "select", "t if cond, else f (WGSL argument order: the condition last)"),
    "noise": _f("p", "noise", "gradient noise of a vec2 or vec3 in [−1, 1] (Noise2D / Noise3D with seed 0)"),
    "fbm": _f(
        "p", "noise", "fractal noise of a vec2 or vec3 (FractalNoise: 4 octaves, lacunarity 2, gain 0.5, seed 0)"
    ),
    "curl": _f("p", "curl", "the divergence-free curl of 2-D noise at a vec2, a vec2 (CurlNoise2D, seed 0)"),
    "vec2": _f("x y", "construct", "a vec2 from numbers and vectors (2 components; vec2(s) splats s)"),
    "vec3": _f("x y z", "construct", "a vec3 from numbers and vectors (3 components; vec3(s) splats s)"),
    "color": _f("r g b a", "construct", "a color from numbers and vectors (3 or 4 components; a = 1 by default)", 3),
}

#: the named constants (a connected input or alias of the same name wins over them)
CONSTANTS: dict[str, float] = {"pi": math.pi, "tau": 2.0 * math.pi, "e": math.e}
#: the component count of each constructor's type (color also accepts 3: alpha is 1)
CONSTRUCTED = {"vec2": VEC2, "vec3": VEC3, "color": COLOR}
#: component-wise function kinds
COMPONENTWISE = ("float", "same", "intorfloat", "toint")


@dataclass(frozen=True)
class TExpr:
    """A typed expression node.

    ``op`` is one of: const (attr = value), input (attr = name), swizzle (attr = component
    indices), construct (a vector from the components of its arguments), i2f, neg, add, sub, mul,
    div, mod, pow, lt, le, gt, ge, eq, ne (operands of type ``attr``), not, and, or, select
    (cond, then, else), or a function name (after coercion of its arguments). A node of a vector
    type applies its op component by component; a number argument of it applies to every
    component.
    """

    op: str
    type: str
    args: tuple[TExpr, ...] = ()
    attr: int | float | str | tuple[int, ...] | None = None

    @property
    def const_value(self) -> int | float:
        """The value of a ``const`` node (a Python int for an int constant, float for a float one).

        Raises:
            TypeError: when the node is not a ``const``.
        """
        if self.op != "const" or not isinstance(self.attr, (int, float)):
            raise TypeError(f"a {self.op!r} expression node has no constant value")
        return self.attr

    @property
    def input_name(self) -> str:
        """The name an ``input`` node reads (``in0``, ``"<block>.<port>"`` or an alias).

        Raises:
            TypeError: when the node is not an ``input``.
        """
        if self.op != "input" or not isinstance(self.attr, str):
            raise TypeError(f"a {self.op!r} expression node reads no input")
        return self.attr

    @property
    def components(self) -> tuple[int, ...]:
        """The component indices (0-3) a ``swizzle`` node picks, in order.

        Raises:
            TypeError: when the node is not a ``swizzle``.
        """
        if self.op != "swizzle" or not isinstance(self.attr, tuple):
            raise TypeError(f"a {self.op!r} expression node is not a swizzle")
        return self.attr

    @property
    def operand_type(self) -> str:
        """The type (int, float or bool) both operands of a comparison node share.

        Raises:
            TypeError: when the node is not a comparison (lt, le, gt, ge, eq, ne).
        """
        if self.op not in ("lt", "le", "gt", "ge", "eq", "ne") or not isinstance(self.attr, str):
            raise TypeError(f"a {self.op!r} expression node is not a comparison")
        return self.attr


@dataclass
class CheckedExpr:
    """A type-checked expression: its typed tree (None for an empty text, which is float 0),
    its result type and the input names it uses."""

    tree: TExpr | None
    type: str
    names: set[str] = field(default_factory=set)


def _describe(t: str) -> str:
    return {INT: "an int", FLOAT: "a float", BOOL: "a bool", VEC2: "a vec2", VEC3: "a vec3", COLOR: "a color"}.get(
        t, f"a {t}"
    )


class _Checker:
    def __init__(self, names: Mapping[str, str], unavailable: Sequence[str]):
        self.scope = dict(names)
        self.unavailable = tuple(unavailable)
        self.used: set[str] = set()

    # -- names ----------------------------------------------------------------------------
    def _input(self, name: str, pos: int) -> TExpr:
        t = self.scope[name]
        if t not in (INT, FLOAT, BOOL) and t not in VECTORS:
            raise ExprError(
                TYPE,
                pos,
                f"{name!r} is {_describe(t)} value, which an expression cannot use; "
                f"expressions take int, float, bool, vec2, vec3 and color inputs",
            )
        self.used.add(name)
        return TExpr("input", t, (), name)

    def _undefined(self, name: str, pos: int) -> ExprError:
        valid = list(self.scope)
        s = suggest(name, valid + [c for c in CONSTANTS if c not in self.scope])
        hint = f"did you mean '{s}'? " if s else ""
        listing = "available names: " + (", ".join(valid) if valid else "(none)")
        if name in self.unavailable:
            return ExprError(
                TYPE,
                pos,
                f"undefined input {name!r}: it is not connected and has no inline "
                f"value; connect an edge to it or set it in params. {hint}{listing}",
            )
        if name in FUNCTIONS:
            return ExprError(TYPE, pos, f"{name!r} is a function; call it, e.g. {name}(x). {listing}")
        kind = "input" if name.startswith("in") and name[2:].isdigit() else "name"
        return ExprError(TYPE, pos, f"undefined {kind} {name!r}; {hint}{listing}")

    def _path(self, node: Node) -> str | None:
        """``a.b.c`` for a chain of names joined by member access, else None."""
        if isinstance(node, Name):
            return node.name
        if isinstance(node, Member):
            base = self._path(node.obj)
            return None if base is None else f"{base}.{node.name}"
        return None

    def _soft(self, node: Node) -> TExpr | None:
        """Like :meth:`check`, but a name chain that names nothing gives None instead of an error."""
        if isinstance(node, Name):
            return self._input(node.name, node.pos) if node.name in self.scope else None
        if isinstance(node, Member):
            return self._member(node, soft=True)
        return self.check(node)

    @overload
    def _member(self, node: Member, soft: Literal[False] = False) -> TExpr: ...

    @overload
    def _member(self, node: Member, soft: bool) -> TExpr | None: ...

    def _member(self, node: Member, soft: bool = False) -> TExpr | None:
        """The typed member access ``node`` (a swizzle or a dotted ref); with ``soft``, None when
        the name chain names nothing (instead of raising E_EXPR_TYPE)."""
        obj = self._soft(node.obj)
        path = self._path(node)
        is_ref = path is not None and path in self.scope
        if obj is not None and obj.type in VECTORS and not (is_ref and not _swizzle_letters(node.name)):
            return self._swizzle(obj, node)
        if is_ref and path is not None:
            return self._input(path, node.pos)
        if obj is None:
            if soft:
                return None
            root = node.obj
            while isinstance(root, Member):
                root = root.obj
            if isinstance(root, Name) and root.name in self.unavailable:
                raise self._undefined(root.name, root.pos)
            # _soft gives None only for a chain of names, so the chain has a dotted path
            assert path is not None, "a member access on nothing that is not a name chain"
            raise self._undefined(path, node.pos)
        raise ExprError(
            TYPE,
            node.pos,
            f"'.{node.name}' on {_describe(obj.type)}: only vec2, vec3 and "
            f"color values have components (swizzles such as .x, .xy, .rgb)"
            + (f", and {path!r} is not a connected ref" if path else ""),
        )

    def _swizzle(self, obj: TExpr, node: Member) -> TExpr:
        count = VECTORS[obj.type]
        letters = node.name
        valid = "xyzw"[:count] + "/" + "rgba"[:count]
        if not _swizzle_letters(letters):
            raise ExprError(
                TYPE,
                node.pos,
                f"bad swizzle '.{letters}' on {_describe(obj.type)}: use 1-4 of "
                f"the letters {valid} (x=r, y=g, z=b, w=a)",
            )
        idx = tuple(SWIZZLE_INDEX[c] for c in letters)
        bad = [c for c in letters if SWIZZLE_INDEX[c] >= count]
        if bad:
            raise ExprError(
                TYPE,
                node.pos,
                f"bad swizzle '.{letters}': {_describe(obj.type)} has {count} "
                f"components, so '{bad[0]}' is out of range; use the letters {valid}",
            )
        return TExpr("swizzle", SWIZZLE_TYPE[len(idx)], (obj,), idx)

    # -- expressions ----------------------------------------------------------------------
    def check(self, node: Node) -> TExpr:
        if isinstance(node, Num):
            return TExpr("const", INT if node.is_int else FLOAT, (), node.value)
        if isinstance(node, Name):
            if node.name not in self.scope:
                if node.name in CONSTANTS:
                    return TExpr("const", FLOAT, (), CONSTANTS[node.name])
                raise self._undefined(node.name, node.pos)
            return self._input(node.name, node.pos)
        if isinstance(node, Member):
            return self._member(node)
        if isinstance(node, Call):
            return self._call(node)
        if isinstance(node, Unary):
            return self._unary(node)
        if isinstance(node, Binary):
            return self._binary(node)
        assert isinstance(node, Ternary)
        return self._ternary(node)

    def _unary(self, node: Unary) -> TExpr:
        x = self.check(node.operand)
        if node.op == "!":
            if x.type != BOOL:
                hint = f"; {COMPARE_HINT}" if x.type in NUMERIC else ""
                raise ExprError(TYPE, node.pos, f"'!' needs a bool operand, got {_describe(x.type)}{hint}")
            return TExpr("not", BOOL, (x,))
        if x.type not in NUMERIC and x.type not in VECTORS:
            raise ExprError(
                TYPE,
                node.pos,
                f"unary '{node.op}' needs a number or a vector operand, got {_describe(x.type)}",
            )
        return x if node.op == "+" else TExpr("neg", x.type, (x,))

    def _binary(self, node: Binary) -> TExpr:
        a = self.check(node.left)
        b = self.check(node.right)
        op = node.op
        if op in ("&&", "||"):
            for x in (a, b):
                if x.type != BOOL:
                    hint = f"; {COMPARE_HINT}" if x.type in NUMERIC else ""
                    raise ExprError(
                        TYPE,
                        node.pos,
                        f"'{op}' needs bool operands, got {_describe(a.type)} {op} {_describe(b.type)}{hint}",
                    )
            return TExpr("and" if op == "&&" else "or", BOOL, (a, b))
        if op in ("==", "!=") and a.type == BOOL and b.type == BOOL:
            return TExpr("eq" if op == "==" else "ne", BOOL, (a, b), BOOL)
        arith = op in ("+", "-", "*", "/", "%", "**")
        if arith and (a.type in VECTORS or b.type in VECTORS):
            return self._vector_arith(node, a, b)
        if a.type not in NUMERIC or b.type not in NUMERIC:
            want = "two ints/floats or two bools" if op in ("==", "!=") else "int or float operands"
            if arith:
                want = "numbers or vectors"
            raise ExprError(
                TYPE,
                node.pos,
                f"'{op}' needs {want}, got {_describe(a.type)} {op} {_describe(b.type)}" + _vector_hint(a.type, b.type),
            )
        if op == "/":
            return TExpr("div", FLOAT, (_to_float(a), _to_float(b)))
        if op == "**":
            return TExpr("pow", FLOAT, (_to_float(a), _to_float(b)))
        t = INT if a.type == INT and b.type == INT else FLOAT
        a, b = _coerce(a, t), _coerce(b, t)
        name = {
            "+": "add",
            "-": "sub",
            "*": "mul",
            "%": "mod",
            "<": "lt",
            "<=": "le",
            ">": "gt",
            ">=": "ge",
            "==": "eq",
            "!=": "ne",
        }[op]
        if op in ("+", "-", "*", "%"):
            return TExpr(name, t, (a, b))
        return TExpr(name, BOOL, (a, b), t)

    def _vector_arith(self, node: Binary, a: TExpr, b: TExpr) -> TExpr:
        """``a op b`` with a vector operand: component-wise, a number broadcast to every component."""
        op = node.op
        for x in (a, b):
            if x.type not in VECTORS and x.type not in NUMERIC:
                raise ExprError(
                    TYPE,
                    node.pos,
                    f"'{op}' needs numbers or vectors, got {_describe(a.type)} {op} {_describe(b.type)}",
                )
        if a.type in VECTORS and b.type in VECTORS and a.type != b.type:
            raise ExprError(
                TYPE,
                node.pos,
                f"'{op}' on {_describe(a.type)} and {_describe(b.type)}: vectors combine component by "
                f"component, so both must have the same type (a number is applied to every component); "
                f"convert one, e.g. {_convert_hint(a.type, b.type)}",
            )
        t = a.type if a.type in VECTORS else b.type
        name = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "**": "pow"}[op]
        return TExpr(name, t, (_to_float(a), _to_float(b)))

    def _ternary(self, node: Ternary) -> TExpr:
        c = self.check(node.cond)
        a = self.check(node.then)
        b = self.check(node.other)
        if c.type != BOOL:
            hint = f"; {COMPARE_HINT}" if c.type in NUMERIC else ""
            raise ExprError(TYPE, node.pos, f"the condition of '?:' must be a bool, got {_describe(c.type)}{hint}")
        t = _unify(a, b)
        if t is None:
            raise ExprError(
                TYPE,
                node.pos,
                f"the branches of '?:' must have the same type (int and float "
                f"mix to float), got {_describe(a.type)} and {_describe(b.type)}",
            )
        return TExpr("select", t, (c, _coerce(a, t), _coerce(b, t)))

    def _call(self, node: Call) -> TExpr:
        if node.func not in FUNCTIONS:
            names = list(FUNCTIONS)
            s = suggest(node.func, names)
            hint = f"did you mean '{s}'? " if s else ""
            raise ExprError(TYPE, node.pos, f"unknown function {node.func!r}; {hint}functions: {', '.join(names)}")
        fn = FUNCTIONS[node.func]
        sig = fn.signature(node.func)
        lo, hi = fn.arity
        if not lo <= len(node.args) <= hi and not (fn.kind == "construct" and len(node.args) >= 1):
            count = str(lo) if lo == hi else f"{lo} or {hi}"
            raise ExprError(
                TYPE,
                node.pos,
                f"{sig} takes {count} argument{'s' if hi > 1 else ''}, got {len(node.args)}",
            )
        args = [self.check(a) for a in node.args]
        if fn.kind == "construct":
            return self._construct(node, sig, args)
        if fn.kind == "select":
            return self._select(node, sig, args)
        for a, src in zip(args, node.args):
            if a.type not in NUMERIC and a.type not in VECTORS:
                hint = "; convert it, e.g. c ? 1.0 : 0.0" if a.type == BOOL else ""
                raise ExprError(
                    TYPE, src.pos, f"{sig}: argument needs a number or a vector, got {_describe(a.type)}{hint}"
                )
        vectors = [(a, src) for a, src in zip(args, node.args) if a.type in VECTORS]
        if fn.kind in COMPONENTWISE:
            if vectors:
                t = vectors[0][0].type
                for a, src in vectors[1:]:
                    if a.type != t:
                        raise ExprError(
                            TYPE,
                            src.pos,
                            f"{sig}: {_describe(a.type)} among {_describe(t)} arguments; the function works "
                            f"component by component, so vector arguments must have one type (a number is "
                            f"applied to every component)",
                        )
                return TExpr(node.func, t, tuple(_to_float(a) for a in args))
            if fn.kind == "same":
                return TExpr(node.func, args[0].type, tuple(args))
            if fn.kind == "intorfloat":
                t = INT if all(a.type == INT for a in args) else FLOAT
                return TExpr(node.func, t, tuple(_coerce(a, t) for a in args))
            return TExpr(node.func, INT if fn.kind == "toint" else FLOAT, tuple(_to_float(a) for a in args))
        return self._geometric(node, fn, sig, args)

    def _geometric(self, node: Call, fn: Func, sig: str, args: list[TExpr]) -> TExpr:
        """dot, length, distance (-> float), normalize (-> the vector), cross (vec3 -> vec3), noise and
        fbm (vec2 or vec3 -> float), curl (vec2 -> vec2)."""
        types = [a.type for a in args]
        if fn.kind in ("noise", "curl"):
            allowed = (VEC2, VEC3) if fn.kind == "noise" else (VEC2,)
            if types[0] not in allowed:
                want = "a vec2 or vec3" if fn.kind == "noise" else "a vec2"
                raise ExprError(
                    TYPE, node.args[0].pos, f"{sig}: needs {want}, got {_describe(types[0])}; build one with vec2(x, y)"
                )
            return TExpr(node.func, FLOAT if fn.kind == "noise" else VEC2, tuple(args))
        if fn.kind == "cross":
            for a, src in zip(args, node.args):
                if a.type != VEC3:
                    raise ExprError(TYPE, src.pos, f"{sig}: needs two vec3, got {_describe(a.type)}")
            return TExpr("cross", VEC3, tuple(args))
        if fn.kind == "vector":
            if types[0] not in VECTORS:
                raise ExprError(
                    TYPE,
                    node.args[0].pos,
                    f"{sig}: needs a vec2, vec3 or color, got {_describe(types[0])}; the sign of a number is sign(x)",
                )
            return TExpr(node.func, types[0], tuple(args))
        # reduce: dot needs vectors; length and distance also take numbers
        if len(set(types)) > 1 and not all(t in NUMERIC for t in types):
            raise ExprError(
                TYPE,
                node.args[1].pos,
                f"{sig}: both arguments must have the same type (vectors of one type"
                + (")" if node.func == "dot" else ", or two numbers)")
                + f", got {_describe(types[0])} and {_describe(types[1])}",
            )
        if node.func == "dot" and types[0] not in VECTORS:
            raise ExprError(
                TYPE,
                node.pos,
                f"{sig}: needs two vectors of the same type, got {_describe(types[0])}; for numbers write a * b",
            )
        return TExpr(node.func, FLOAT, tuple(_to_float(a) for a in args))

    def _construct(self, node: Call, sig: str, args: list[TExpr]) -> TExpr:
        """vec2 / vec3 / color from numbers (int -> float) and vectors, whose components are laid
        out in order; vec2(s) and vec3(s) splat one number; color of 3 components gets alpha 1."""
        t = CONSTRUCTED[node.func]
        want = VECTORS[t]
        for a, src in zip(args, node.args):
            if a.type not in NUMERIC and a.type not in VECTORS:
                hint = "; convert it, e.g. c ? 1.0 : 0.0" if a.type == BOOL else ""
                raise ExprError(
                    TYPE, src.pos, f"{sig}: a component must be a number or a vector, got {_describe(a.type)}{hint}"
                )
        count = sum(VECTORS.get(a.type, 1) for a in args)
        splat = len(args) == 1 and args[0].type in NUMERIC and t != COLOR
        if not (count == want or splat or (t == COLOR and count == 3)):
            parts = " + ".join(f"{VECTORS.get(a.type, 1)} ({a.type})" for a in args)
            need = "3 or 4" if t == COLOR else str(want)
            raise ExprError(
                TYPE,
                node.pos,
                f"{sig} needs {need} components, got {count}: {parts}",
            )
        return TExpr("construct", t, tuple(_to_float(a) for a in args))

    def _select(self, node: Call, sig: str, args: list[TExpr]) -> TExpr:
        f, t, cond = args
        if cond.type != BOOL:
            if f.type == BOOL or t.type == BOOL:
                hint = "; the condition comes last, as in WGSL: select(f, t, cond)"
            else:
                hint = f"; {COMPARE_HINT}" if cond.type in NUMERIC else ""
            raise ExprError(TYPE, node.args[2].pos, f"{sig}: cond must be a bool, got {_describe(cond.type)}{hint}")
        u = _unify(f, t)
        if u is None:
            raise ExprError(
                TYPE,
                node.args[1].pos,
                f"{sig}: f and t must have the same type (int and float mix to float), "
                f"got {_describe(f.type)} and {_describe(t.type)}",
            )
        return TExpr("select", u, (cond, _coerce(t, u), _coerce(f, u)))


def _swizzle_letters(name: str) -> bool:
    return 1 <= len(name) <= 4 and all(c in SWIZZLE_INDEX for c in name)


def _vector_hint(*types: str) -> str:
    if any(t in VECTORS for t in types):
        return "; vectors cannot be compared or combined with bools: compare their components (e.g. v.x)"
    return ""


def _convert_hint(a: str, b: str) -> str:
    """How to turn one of two different vector types into the other, for a message."""
    small, big = sorted((a, b), key=lambda t: VECTORS[t])
    return {
        (VEC2, VEC3): "vec3(v, 0.0) or v3.xy",
        (VEC2, COLOR): "color(v, 0.0, 1.0) or c.xy",
        (VEC3, COLOR): "color(v, 1.0) or c.rgb",
    }[(small, big)]


def _unify(a: TExpr, b: TExpr) -> str | None:
    """The common type of two values (int and float unify to float), or None."""
    if a.type == b.type:
        return a.type
    if a.type in NUMERIC and b.type in NUMERIC:
        return FLOAT
    return None


def _to_float(x: TExpr) -> TExpr:
    """A number as a float; a vector (float components) unchanged."""
    return x if x.type in VECTORS else _coerce(x, FLOAT)


def _coerce(x: TExpr, t: str) -> TExpr:
    if x.type == t:
        return x
    assert x.type == INT and t == FLOAT, (x, t)
    if x.op == "const":
        return TExpr("const", FLOAT, (), float(x.const_value))
    return TExpr("i2f", FLOAT, (x,))


def check_expression(text: str, names: Mapping[str, str], unavailable: Sequence[str] = ()) -> CheckedExpr:
    """Parse and type-check ``text``.

    Args:
        text: the expression.
        names: every name the expression may use -> its payload (in0/in1 when available,
            ``"<block>.<port>"`` of each ref edge, each edge alias).
        unavailable: input names that exist but are unconnected (better messages).

    Raises:
        ExprError: the first error found: lexing, then parsing, then typing.
    """
    ast = parse(text)
    if ast is None:
        return CheckedExpr(None, FLOAT)
    c = _Checker(names, unavailable)
    tree = c.check(ast)
    return CheckedExpr(tree, tree.type, c.used)
