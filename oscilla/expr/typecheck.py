"""Type checker of the expression language (docs/language/expressions.md#names, #types, #functions).

Input: the AST of :mod:`oscilla.expr.parser` and the payload of every name the expression may use
(``in0``/``in1`` when available, ``<block>.<port>`` for each ref edge, and each edge alias).
Output: a typed tree (:class:`TExpr`) in which every coercion is explicit, ready for
:mod:`oscilla.expr.lower_expr`. Types are the payload names int, float, bool, vec2, vec3 and color.
"""

from __future__ import annotations

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

#: the 16 functions in the order of docs/language/expressions.md#functions: name -> (parameter names, kind)
FUNCTIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "sin": (("x",), "float"),
    "cos": (("x",), "float"),
    "tan": (("x",), "float"),
    "abs": (("x",), "same"),
    "sqrt": (("x",), "float"),
    "floor": (("x",), "toint"),
    "ceil": (("x",), "toint"),
    "round": (("x",), "toint"),
    "min": (("a", "b"), "intorfloat"),
    "max": (("a", "b"), "intorfloat"),
    "lerp": (("a", "b", "t"), "float"),
    "mix": (("a", "b", "t"), "float"),
    "smoothstep": (("e0", "e1", "x"), "float"),
    "clamp": (("x", "lo", "hi"), "float"),
    "wrap": (("x",), "float"),
    "fract": (("x",), "float"),
}


@dataclass(frozen=True)
class TExpr:
    """A typed expression node.

    ``op`` is one of: const (attr = value), input (attr = name), swizzle (attr = component
    indices), i2f, neg, add, sub, mul, div, mod, lt, le, gt, ge, eq, ne (operands of type
    ``attr``), not, and, or, select, or a function name (after coercion of its arguments).
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
        s = suggest(name, valid)
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
        if x.type not in NUMERIC:
            raise ExprError(
                TYPE,
                node.pos,
                f"unary '{node.op}' needs an int or float operand, got {_describe(x.type)}" + _vector_hint(x.type),
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
        if a.type not in NUMERIC or b.type not in NUMERIC:
            want = "two ints/floats or two bools" if op in ("==", "!=") else "int or float operands"
            raise ExprError(
                TYPE,
                node.pos,
                f"'{op}' needs {want}, got {_describe(a.type)} {op} {_describe(b.type)}" + _vector_hint(a.type, b.type),
            )
        if op == "/":
            return TExpr("div", FLOAT, (_to_float(a), _to_float(b)))
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

    def _ternary(self, node: Ternary) -> TExpr:
        c = self.check(node.cond)
        a = self.check(node.then)
        b = self.check(node.other)
        if c.type != BOOL:
            hint = f"; {COMPARE_HINT}" if c.type in NUMERIC else ""
            raise ExprError(TYPE, node.pos, f"the condition of '?:' must be a bool, got {_describe(c.type)}{hint}")
        if a.type == b.type:
            t = a.type
        elif a.type in NUMERIC and b.type in NUMERIC:
            t = FLOAT
        else:
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
        params, kind = FUNCTIONS[node.func]
        sig = f"{node.func}({', '.join(params)})"
        if len(node.args) != len(params):
            raise ExprError(
                TYPE,
                node.pos,
                f"{sig} takes {len(params)} argument{'s' if len(params) > 1 else ''}, got {len(node.args)}",
            )
        args = [self.check(a) for a in node.args]
        for a, src in zip(args, node.args):
            if a.type not in NUMERIC:
                hint = "; convert it, e.g. c ? 1.0 : 0.0" if a.type == BOOL else _vector_hint(a.type)
                raise ExprError(TYPE, src.pos, f"{sig}: argument needs an int or float, got {_describe(a.type)}{hint}")
        if kind == "same":
            return TExpr(node.func, args[0].type, tuple(args))
        if kind == "intorfloat":
            t = INT if all(a.type == INT for a in args) else FLOAT
            return TExpr(node.func, t, tuple(_coerce(a, t) for a in args))
        return TExpr(node.func, INT if kind == "toint" else FLOAT, tuple(_to_float(a) for a in args))


def _swizzle_letters(name: str) -> bool:
    return 1 <= len(name) <= 4 and all(c in SWIZZLE_INDEX for c in name)


def _vector_hint(*types: str) -> str:
    if any(t in VECTORS for t in types):
        return "; vectors allow no arithmetic, use their components (e.g. v.x)"
    return ""


def _to_float(x: TExpr) -> TExpr:
    return _coerce(x, FLOAT)


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
