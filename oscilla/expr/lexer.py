"""Tokenizer of the expression language (docs/language/expressions.md#lexical-rules).

Whitespace is space, tab, CR and LF. NUMBER is ``[0-9]+`` (int) or ``[0-9]+\\.[0-9]+`` (float); there
is no ``.5``, and ``1.`` is NUMBER then ``.``. IDENT is ``[A-Za-z_][A-Za-z0-9_]*`` (ASCII only). The
operators are ``+ - * / % < > <= >= == != && || ! ? : ( ) , .``. Any other character is
E_EXPR_SYNTAX at its offset.
"""

from __future__ import annotations

from dataclasses import dataclass

from oscilla.expr.errors import SYNTAX, ExprError

NUM, IDENT, OP, EOF = "number", "ident", "op", "end"

WHITESPACE = frozenset(" \t\r\n")
DIGITS = frozenset("0123456789")
IDENT_START = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
IDENT_CHARS = IDENT_START | DIGITS
TWO_CHAR_OPS = ("<=", ">=", "==", "!=", "&&", "||")
ONE_CHAR_OPS = frozenset("+-*/%<>!?:(),.")

INT_MAX = 2**31 - 1


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


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an EOF token at offset len(text).

    Raises:
        ExprError: E_EXPR_SYNTAX at the offset of the first character no token can start with
            (or of an int literal too large for i32).
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
            if j + 1 < n and text[j] == "." and text[j + 1] in DIGITS:
                j += 1
                while j < n and text[j] in DIGITS:
                    j += 1
                toks.append(Token(NUM, text[i:j], i, float(text[i:j])))
            else:
                value = int(text[i:j])
                if value > INT_MAX:
                    raise ExprError(
                        SYNTAX,
                        i,
                        f"the integer literal {text[i:j]} does not fit in a 32-bit int "
                        f"(max {INT_MAX}); write it as a float, e.g. {text[i:j]}.0",
                    )
                toks.append(Token(NUM, text[i:j], i, value))
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
            f"the operators + - * / % < > <= >= == != && || ! ? : ( ) , .",
        )
    toks.append(Token(EOF, "", n))
    return toks
