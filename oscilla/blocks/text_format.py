"""The number formats of ``Text.format`` (docs/language/rendering.md#text): a small, strict grammar.

A format is user text, so it is parsed here and never evaluated (no ``str.format``) nor pasted into
WGSL: the GPU formats the value by arithmetic from the parsed numbers (text.wgsl). The grammar::

    format  := literal "{" ":" ["+"] [width] ( "." precision "f" | "f" | "d" ) "}" literal
    literal := any characters but "{" and "}" (at most MAX_LITERAL of them on each side)
    width   := 1..MAX_WIDTH, digits without a leading zero
    precision := 0..MAX_PRECISION

``{:.Nf}`` prints N decimals (``{:f}`` is ``{:.6f}``, as in Python), ``{:d}`` the value rounded to
an integer (Python refuses floats there; here it is ``{:.0f}``), ``+`` a plus sign on non-negative
values, ``width`` pads with spaces on the left to that many characters (the literals not counted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: the most decimals: the value times 10**precision must fit a u32 on the GPU
MAX_PRECISION = 6
#: the widest padded number
MAX_WIDTH = 32
#: the most characters of literal text before and after the number
MAX_LITERAL = 32
#: characters of the longest number the GPU writes before padding: a sign and the ten digits of a u32
NUMBER_CHARS = 11

_SPEC = re.compile(r"\{:(\+?)([1-9][0-9]?)?(?:\.([0-9]+)f|(f)|(d))\}")


class FormatError(ValueError):
    """A ``Text.format`` outside the grammar; the message says what is accepted."""


@dataclass(frozen=True)
class NumberFormat:
    """A parsed ``Text.format``.

    Attributes:
        prefix, suffix: the literal text around the number.
        precision: decimals (0..MAX_PRECISION); 0 prints no decimal point.
        plus: a ``+`` before non-negative values.
        width: the number's minimum width in characters, padded with spaces on the left (0: none).
    """

    prefix: str
    suffix: str
    precision: int
    plus: bool
    width: int

    @property
    def number_slots(self) -> int:
        """The most characters the number takes (sign, ten digits, point and decimals, or the width)."""
        longest = NUMBER_CHARS + (self.precision + 1 if self.precision else 0)
        return max(longest, self.width)

    @property
    def slots(self) -> int:
        """The most characters of a formatted label."""
        return len(self.prefix) + self.number_slots + len(self.suffix)


ACCEPTED = '"{:.2f}", "{:d}", "{:5d}", "{:+.1f}", "x = {:.3f} m" (literal text around one {:...} spec)'


def parse_format(text: str) -> NumberFormat:
    """Parse a ``Text.format`` string.

    Raises:
        FormatError: not a string of the grammar (module docstring), naming what is accepted.
    """
    if not isinstance(text, str):
        raise FormatError(f"expected a format string such as {ACCEPTED}")
    m = None
    start = text.find("{")
    if start >= 0:
        m = _SPEC.match(text, start)
    if m is None:
        raise FormatError(
            f"{text!r} is not a supported number format; the accepted forms are {ACCEPTED}: "
            f"an optional +, an optional width 1..{MAX_WIDTH}, then .Nf (N = 0..{MAX_PRECISION}), f or d"
        )
    prefix, suffix = text[:start], text[m.end() :]
    if "{" in suffix or "}" in suffix or "}" in prefix:
        raise FormatError(f"{text!r} has braces outside its one {{:...}} spec; literal text may not hold {{ or }}")
    if len(prefix) > MAX_LITERAL or len(suffix) > MAX_LITERAL:
        raise FormatError(f"{text!r}: at most {MAX_LITERAL} characters of literal text before and after the number")
    plus, width, prec, f_only, _d = m.groups()
    precision = int(prec) if prec is not None else (6 if f_only else 0)
    if width and int(width) > MAX_WIDTH:
        raise FormatError(f"{text!r}: the width is at most {MAX_WIDTH} characters")
    if precision > MAX_PRECISION:
        raise FormatError(f"{text!r}: at most {MAX_PRECISION} decimals (the GPU formats a 32-bit integer)")
    return NumberFormat(prefix, suffix, precision, plus == "+", int(width) if width else 0)


def format_reference(fmt: NumberFormat, value: float) -> str:
    """What the GPU writes for ``value`` (a float32), by Python's formatting of the same spec: the
    reference the tests compare with. It differs from text.wgsl only for values within float32
    rounding of a tie (the GPU rounds ``|v| * 10**precision`` in float32). A value whose rounded
    ``|v| * 10**precision`` is 2**32 or more is written as its sign and ``#``."""
    import math

    spec = f"{'+' if fmt.plus else ''}.{fmt.precision}f"
    if math.isfinite(value) and round(abs(value) * 10**fmt.precision) >= 2**32:
        body = ("-" if math.copysign(1.0, value) < 0 else "+" if fmt.plus else "") + "#"
    else:
        body = format(value, spec)
    return fmt.prefix + body.rjust(fmt.width) + fmt.suffix
