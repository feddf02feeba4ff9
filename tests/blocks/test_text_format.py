"""The Text.format grammar (oscilla/blocks/text_format.py, docs/language/rendering.md#text): what is
accepted, what is refused, and that the reference string is Python's own formatting of the spec."""

from __future__ import annotations

import pytest

from oscilla.blocks.text_format import FormatError, NumberFormat, format_reference, parse_format


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("{:.2f}", NumberFormat("", "", 2, False, 0)),
        ("{:f}", NumberFormat("", "", 6, False, 0)),
        ("{:d}", NumberFormat("", "", 0, False, 0)),
        ("{:5d}", NumberFormat("", "", 0, False, 5)),
        ("{:+.1f}", NumberFormat("", "", 1, True, 0)),
        ("{:+12.0f}", NumberFormat("", "", 0, True, 12)),
        ("x = {:.3f} m", NumberFormat("x = ", " m", 3, False, 0)),
    ],
)
def test_accepted_formats(text, parsed):
    assert parse_format(text) == parsed


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "{}",
        "{0}",
        "{:x}",
        "{:.2e}",
        "{:05d}",
        "{:,d}",
        "{:>5d}",
        "{:.7f}",
        "{:33d}",
        "{:.2f}{:.2f}",
        "a}{:.2f}",
        "{:.2f",
        "{x.__class__}",
        "{:.2f}" + "x" * 33,
        None,
        3,
    ],
)
def test_refused_formats(text):
    with pytest.raises(FormatError):
        parse_format(text)


@pytest.mark.parametrize("fmt", ["{:.2f}", "{:+.1f}", "{:8.3f}", "{:d}", "[{:+5d}]"])
@pytest.mark.parametrize("value", [0.0, -0.0, 1.5, -2.25, 123.456, -0.004, 1e6])
def test_the_reference_is_pythons_formatting(fmt, value):
    spec = parse_format(fmt)
    python = fmt.replace("d}", ".0f}")  # {:d} is {:.0f} here (Python refuses floats for d)
    assert format_reference(spec, value) == python.format(value)


def test_overflow_and_non_finite():
    spec = parse_format("{:+.2f}")
    assert format_reference(spec, 5e7) == "+#"  # 5e9 hundredths do not fit 32 bits
    assert format_reference(spec, -5e7) == "-#"
    assert format_reference(spec, float("nan")) == "+nan"
    assert format_reference(parse_format("{:6.1f}"), float("-inf")) == "  -inf"
