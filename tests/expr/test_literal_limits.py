"""Number literals of the expression language have limits (docs/language/expressions.md#lexical-rules):
an int literal fits an i32, a float literal the f32 range, and no literal is longer than 100
characters. Anything else is E_EXPR_SYNTAX at the literal's first character, never a ValueError
(Python refuses int() of more than 4,300 digits) and never an inf constant in the program."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.reported import reported

import oscilla as osc
from oscilla.expr.errors import ExprError
from oscilla.expr.lexer import tokenize

F32_MAX = float(np.finfo(np.float32).max)  # 3.4028235e38, computed here by numpy


def _patch(text: str) -> dict:
    """An Expression ``e`` that feeds the sink's size, so its errors are never downgraded."""
    blocks = [
        blk("arr", "Array", count=4),
        blk("grid", "GridLayout"),
        blk("draw", "RenderInstances2D"),
        blk("e", "Expression", expression=text),
    ]
    edges = [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos"), edge("e.out", "draw.size")]
    return make_patch(blocks, edges)


def _error(text: str):
    [d] = [d for d in reported(_patch(text)).diagnostics if d.block == "e"]
    return d


@pytest.mark.parametrize(
    "text, position",
    [
        ("1" + "0" * 399, 0),  # a 400-digit int literal
        ("in0 + " + "1" + "0" * 399, 6),
        ("1" + "0" * 4999, 0),  # 5,000 digits: beyond Python's int() string limit
        ("2 * (" + "7" * 5000 + ")", 5),
        ("1" + "0" * 399 + ".5", 0),  # a 400-digit float literal
        ("0." + "0" * 5000 + "1", 0),  # an over-long float literal, however small
        ("0" * 101, 0),  # over-long, though its value is 0
        ("1" + "0" * 39 + ".0", 0),  # 1e39: beyond f32
        ("0.5 + 340282357000000000000000000000000000000.0", 6),  # just beyond the largest f32
        ("2147483648", 0),  # the i32 limit (already refused before)
    ],
)
def test_out_of_range_and_over_long_literals_are_syntax_errors_at_their_position(text, position):
    d = _error(text)
    assert (d.code, d.port, d.position, d.severity) == ("E_EXPR_SYNTAX", "expression", position, "error")
    assert len(d.message) < 400  # the literal is quoted by its start and length, not whole


def test_the_lexer_raises_expr_error_for_a_5000_digit_literal():
    with pytest.raises(ExprError) as e:
        tokenize("in0 * " + "9" * 5000)
    assert (e.value.code, e.value.position) == ("E_EXPR_SYNTAX", 6)
    assert "5000 characters" in e.value.message


@pytest.mark.parametrize(
    "text, value",
    [
        ("2147483647", 2147483647),
        ("340282346638528859811704183484516925440.0", F32_MAX),  # the largest f32, written out
        ("0." + "0" * 44 + "14", 1.4e-45),  # a subnormal f32, 48 characters
        ("0" * 99 + "7", 7),  # 100 characters: the longest literal
    ],
)
def test_literals_within_the_limits_are_numbers(text, value):
    [tok, _end] = tokenize(text)
    assert tok.value == pytest.approx(value, rel=1e-7)


def test_the_largest_f32_literal_compiles_and_reads(runtime_cls):
    patch = make_patch([blk("e", "Expression", expression="340282346638528859811704183484516925440.0 * 0.5")])
    rt = runtime_cls(osc.compile(patch, observe=["e.out"]))
    rt.step(0.0)
    assert float(rt.read("e.out")) == pytest.approx(F32_MAX / 2, rel=1e-6)
