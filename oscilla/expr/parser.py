"""Recursive-descent parser of the expression language (docs/language/expressions.md#grammar).

```
ternary := or ( "?" ternary ":" ternary )?
or      := and ( "||" and )*
and     := cmp ( "&&" cmp )*
cmp     := add ( ("<"|">"|"<="|">="|"=="|"!=") add )*
add     := mul ( ("+"|"-") mul )*
mul     := unary ( ("*"|"/"|"%") unary )*
unary   := ("!"|"-"|"+") unary | power
power   := call ( "**" unary )?                            -- right-associative: 2 ** 3 ** 2 = 2 ** 9
call    := member ( "(" ( ternary ("," ternary)* )? ")" ( "." IDENT )* )?    -- callee: a bare IDENT
member  := primary ( "." IDENT )*
primary := NUMBER | IDENT | "(" ternary ")"
```

Binary operators are left-associative except ``**`` (pow), which is right-associative and binds
tighter than a unary operator on its left (``-x ** 2`` is ``-(x ** 2)``, as in Python) but takes a
unary operand on its right (``2 ** -1``); unary operators and ``?:`` are right-associative. The whole
input must be consumed. Every AST node carries ``pos``, the offset where it starts (a binary node
starts at its left operand, a call at its callee, a member access at its object, and a
parenthesized expression at its ``(``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from oscilla.expr.errors import SYNTAX, ExprError
from oscilla.expr.lexer import EOF, IDENT, NUM, OP, Token, tokenize

#: nesting bounds that keep the recursive passes far from Python's recursion limit
MAX_NESTING = 64
MAX_DEPTH = 256


@dataclass(frozen=True)
class Num:
    pos: int
    value: int | float

    @property
    def is_int(self) -> bool:
        return isinstance(self.value, int)


@dataclass(frozen=True)
class Name:
    pos: int
    name: str


@dataclass(frozen=True)
class Member:
    pos: int
    obj: Node
    name: str
    name_pos: int


@dataclass(frozen=True)
class Call:
    pos: int
    func: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Unary:
    pos: int
    op: str
    operand: Node


@dataclass(frozen=True)
class Binary:
    pos: int
    op: str
    left: Node
    right: Node
    op_pos: int


@dataclass(frozen=True)
class Ternary:
    pos: int
    cond: Node
    then: Node
    other: Node


Node = Num | Name | Member | Call | Unary | Binary | Ternary

_LEVELS = (("||",), ("&&",), ("<", ">", "<=", ">=", "==", "!="), ("+", "-"), ("*", "/", "%"))


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.nesting = 0
        self.heights: dict[int, int] = {}

    # -- helpers ------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def at(self, *ops: str) -> bool:
        t = self.tok
        return t.kind == OP and t.text in ops

    def advance(self) -> Token:
        t = self.tok
        self.i += 1
        return t

    def fail(self, tok: Token, what: str) -> ExprError:
        return ExprError(SYNTAX, tok.pos, f"unexpected {tok.describe()}; {what}")

    def expect(self, op: str, what: str) -> Token:
        if not self.at(op):
            raise self.fail(self.tok, what)
        return self.advance()

    def _height(self, node: Node, tok: Token, *children: Node) -> Node:
        h = 1 + max((self.heights[id(c)] for c in children), default=0)
        if h > MAX_DEPTH:
            raise ExprError(
                SYNTAX,
                tok.pos,
                f"the expression is nested too deeply (more than {MAX_DEPTH} "
                f"levels); split it into several Expression blocks",
            )
        self.heights[id(node)] = h
        return node

    def _nest(self, tok: Token) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise ExprError(
                SYNTAX,
                tok.pos,
                f"the expression is nested too deeply (more than {MAX_NESTING} "
                f"levels of parentheses, calls, conditionals or unary operators)",
            )

    # -- grammar ------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self.ternary()
        if self.tok.kind != EOF:
            raise self.fail(self.tok, "expected an operator or the end of the expression")
        return node

    def ternary(self) -> Node:
        self._nest(self.tok)
        cond = self.binary(0)
        if self.at("?"):
            q = self.advance()
            then = self.ternary()
            self.expect(":", "expected ':' of the conditional 'c ? a : b'")
            other = self.ternary()
            cond = self._height(Ternary(cond.pos, cond, then, other), q, cond, then, other)
        self.nesting -= 1
        return cond

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        ops = _LEVELS[level]
        left = self.binary(level + 1)
        while self.at(*ops):
            op = self.advance()
            right = self.binary(level + 1)
            left = self._height(Binary(left.pos, op.text, left, right, op.pos), op, left, right)
        return left

    def unary(self) -> Node:
        if self.at("!", "-", "+"):
            op = self.advance()
            self._nest(op)
            operand = self.unary()
            self.nesting -= 1
            return self._height(Unary(op.pos, op.text, operand), op, operand)
        return self.power()

    def power(self) -> Node:
        base = self.call()
        if not self.at("**"):
            return base
        op = self.advance()
        self._nest(op)
        exponent = self.unary()
        self.nesting -= 1
        return self._height(Binary(base.pos, "**", base, exponent, op.pos), op, base, exponent)

    def call(self) -> Node:
        start = self.i
        callee = self.member()
        if not self.at("("):
            return callee
        paren = self.tok
        if not (isinstance(callee, Name) and self.i == start + 1):  # a bare IDENT, not (f) or a.b
            raise self.fail(paren, "only a function name can be called, e.g. sin(x)")
        self.advance()
        args: list[Node] = []
        if not self.at(")"):
            args.append(self.ternary())
            while self.at(","):
                self.advance()
                args.append(self.ternary())
        self.expect(")", f"expected ',' or ')' to close the argument list of {callee.name}( at offset {paren.pos}")
        return self.members(self._height(Call(callee.pos, callee.name, tuple(args)), paren, *args))

    def member(self) -> Node:
        return self.members(self.primary())

    def members(self, node: Node) -> Node:
        """``node`` followed by any number of ``. IDENT`` (swizzles or dotted names)."""
        while self.at("."):
            dot = self.advance()
            t = self.tok
            if t.kind != IDENT:
                raise self.fail(t, "expected a name after '.' (a swizzle such as .xy or a port name)")
            self.advance()
            node = self._height(Member(node.pos, node, t.text, t.pos), dot, node)
        return node

    def primary(self) -> Node:
        t = self.tok
        if t.kind == NUM:
            assert t.value is not None, "the lexer gives every number token its value"
            self.advance()
            return self._height(Num(t.pos, t.value), t)
        if t.kind == IDENT:
            self.advance()
            return self._height(Name(t.pos, t.text), t)
        if self.at("("):
            self.advance()
            node = self.ternary()
            self.expect(")", f"expected ')' to close the '(' at offset {t.pos}")
            # a parenthesized expression starts at its '(' (as in the reference)
            spanned = replace(node, pos=t.pos)
            self.heights[id(spanned)] = self.heights[id(node)]
            return spanned
        raise self.fail(t, "expected a number, a name or '('")


def parse(text: str) -> Node | None:
    """The AST of ``text``, or None for an empty / all-whitespace expression.

    Raises:
        ExprError: E_EXPR_SYNTAX (lexer or parser) at the offending token's offset.
    """
    p = _Parser(text)
    if p.tok.kind == EOF:
        return None
    return p.parse()
