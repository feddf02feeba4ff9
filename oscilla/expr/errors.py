"""The internal exception of the expression front end (turned into a Diagnostic by the compiler)."""

from __future__ import annotations

SYNTAX = "E_EXPR_SYNTAX"
TYPE = "E_EXPR_TYPE"


class ExprError(Exception):
    """An expression error: ``code`` (E_EXPR_SYNTAX / E_EXPR_TYPE), ``position`` (0-based character
    offset into the text; len(text) for the end of input) and ``message``."""

    def __init__(self, code: str, position: int, message: str):
        super().__init__(f"{code} at {position}: {message}")
        self.code = code
        self.position = position
        self.message = message
