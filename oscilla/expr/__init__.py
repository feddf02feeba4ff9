"""The Expression block's language (docs/language/expressions.md): lexer, parser, type checker and IR lowering.

The text is data: it is tokenized and parsed here, type-checked against the payloads of the names
it may use, and lowered to the same hash-consed IR ops the other blocks emit. It never reaches
WGSL or Python ``eval``. Errors are :class:`ExprError` (code E_EXPR_SYNTAX or E_EXPR_TYPE, a
0-based character ``position`` and a message with a suggestion where one exists).
"""

from __future__ import annotations

from oscilla.expr.errors import ExprError
from oscilla.expr.lower_expr import lower_expression
from oscilla.expr.parser import parse
from oscilla.expr.typecheck import FUNCTIONS, CheckedExpr, check_expression

__all__ = ["ExprError", "parse", "check_expression", "lower_expression", "CheckedExpr", "FUNCTIONS"]
