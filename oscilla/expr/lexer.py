"""Tokenizer of the expression language (docs/language/expressions.md#lexical-rules).

Whitespace is space, tab, CR and LF. NUMBER is ``[0-9]+`` (int), or ``[0-9]+(\\.[0-9]+)?`` followed
by an exponent ``[eE][+-]?[0-9]+`` and/or with a fraction (float): ``1e-3``, ``2.5E+4`` and ``1e3``
are floats; there is no ``.5``, and ``1.`` is NUMBER then ``.``. An ``e``/``E`` right after the digits
must start a complete exponent (``2e`` and ``2e+`` are errors, not the number 2 and the name e).
IDENT is ``[A-Za-z_][A-Za-z0-9_]*`` (ASCII only). The operators are
``+ - * / % ** < > <= >= == != && || ! ? : ( ) , .``. Any other character is E_EXPR_SYNTAX at its
offset, and so is a number literal longer than :data:`MAX_LITERAL_LENGTH` characters, an int
literal above :data:`INT_MAX` or a float literal beyond the f32 range.
"""

from __future__ import annotations

from dataclasses import dataclass

from oscilla.expr.errors import SYNTAX, ExprError

NUM, IDENT, OP, EOF = "number", "ident", "op", "end"

WHITESPACE = frozenset(" \t\r\n")
DIGITS = frozenset("0123456789")
IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
IDENT_CHARS = IDENT_START | DIGITS
TWO_CHAR_OPS = ("**", "<=", ">=", "==", "!=", "&&", "||")
ONE_CHAR_OPS = frozenset("+-*/%<>!?:(),.")

INT_MAX = 2**31 - 1
#: the largest finite f32; a float literal that would round to inf in f32 is out of range
F32_MAX = 3.4028234663852886e38
_F32_OVERFLOW = 2.0**128 - 2.0**103  # halfway between F32_MAX and 2^128: rounds to inf
#: the longest number literal accepted, in characters (an f32 holds about 9 significant digits;
#: the longest useful literal, a subnormal written out, is about 50)
MAX_LITERAL_LENGTH = 100


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` (number, ident, op, end), its source ``text`` and start offset ``pos``.
    A number token's ``value`` is a Python int (int literal) or float (float literal)."""

    kind: str
    text: str
    pos: int
    value: int | float | None = None

    def describe(self) -> str:
        return "end of the expression" if self.kind == EOF else repr(self.text)


def _quote(literal: str) -> str:
    """The literal for a message: whole when short, else its start and its length."""
    return literal if len(literal) <= 24 else f"{literal[:12]}... ({len(literal)} characters)"


def _check_length(literal: str, pos: int) -> None:
    if len(literal) > MAX_LITERAL_LENGTH:
        raise ExprError(
            SYNTAX,
            pos,
            f"the number literal {_quote(literal)} is longer than {MAX_LITERAL_LENGTH} characters; "
            f"an f32 holds about 9 significant digits, so write it shorter",
        )


def _int_literal(literal: str, pos: int) -> int:
    """An int literal's value (an i32); E_EXPR_SYNTAX at ``pos`` when too long or too large."""
    _check_length(literal, pos)  # so int() never meets Python's 4,300-digit limit
    value = int(literal)
    if value > INT_MAX:
        raise ExprError(
            SYNTAX,
            pos,
            f"the integer literal {_quote(literal)} does not fit in a 32-bit int "
            f"(max {INT_MAX}); write it as a float, e.g. {_quote(literal + '.0')}",
        )
    return value


def _float_literal(literal: str, pos: int) -> float:
    """A float literal's value (finite in f32); E_EXPR_SYNTAX at ``pos`` when too long or too large."""
    _check_length(literal, pos)
    value = float(literal)
    if not value < _F32_OVERFLOW:
        raise ExprError(
            SYNTAX,
            pos,
            f"the float literal {_quote(literal)} is beyond the f32 range (max {F32_MAX:.8g}); use a smaller number",
        )
    return value


def _exponent_end(text: str, start: int, j: int) -> int:
    """The end of the exponent ``[eE][+-]?[0-9]+`` at ``text[j]`` of the number starting at ``start``.

    Raises:
        ExprError: E_EXPR_SYNTAX at ``start`` when the exponent has no digits (``2e``, ``2e+x``).
    """
    k = j + 1
    if k < len(text) and text[k] in "+-":
        k += 1
    if k >= len(text) or text[k] not in DIGITS:
        raise ExprError(
            SYNTAX,
            start,
            f"the number {_quote(text[start : k + 1])!r} has an exponent without digits; "
            f"write e.g. 1e-3 or 2.5e4 (for the constant e, put an operator before it: 2 * e)",
        )
    while k < len(text) and text[k] in DIGITS:
        k += 1
    return k


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an EOF token at offset len(text).

    Raises:
        ExprError: E_EXPR_SYNTAX at the offset of the first character no token can start with,
            or of a number literal that is too long, an int literal too large for i32 or a float
            literal beyond the f32 range.
    """
    toks: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in WHITESPACE:
            i += 1
            continue
        if ch in DIGITS:
            j = i
            while j < n and text[j] in DIGITS:
                j += 1
            is_float = False
            if j + 1 < n and text[j] == "." and text[j + 1] in DIGITS:
                is_float = True
                j += 1
                while j < n and text[j] in DIGITS:
                    j += 1
            if j < n and text[j] in "eE":
                j = _exponent_end(text, i, j)
                is_float = True
            if is_float:
                toks.append(Token(NUM, text[i:j], i, _float_literal(text[i:j], i)))
            else:
                toks.append(Token(NUM, text[i:j], i, _int_literal(text[i:j], i)))
            i = j
            continue
        if ch in IDENT_START:
            j = i + 1
            while j < n and text[j] in IDENT_CHARS:
                j += 1
            toks.append(Token(IDENT, text[i:j], i))
            i = j
            continue
        two = text[i : i + 2]
        if two in TWO_CHAR_OPS:
            toks.append(Token(OP, two, i))
            i += 2
            continue
        if ch in ONE_CHAR_OPS:
            toks.append(Token(OP, ch, i))
            i += 1
            continue
        hint = ""
        if ch == "&":
            hint = "; logical and is &&"
        elif ch == "|":
            hint = "; logical or is ||"
        elif ch == "=":
            hint = "; equality is =="
        raise ExprError(
            SYNTAX,
            i,
            f"unexpected character {ch!r}{hint}. Expressions use numbers, names and "
            f"the operators + - * / % ** < > <= >= == != && || ! ? : ( ) , .",
        )
    toks.append(Token(EOF, "", n))
    return toks
