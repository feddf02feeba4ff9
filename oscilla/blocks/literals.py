"""Parsing inline JSON values (inline port values, Const.value) into typed component tuples
(docs/language/types-and-units.md#inline-values).

Used by normalization (validating inline values), the typing hooks of Const and lowering (the
constant nodes of inline values and defaults)."""

from __future__ import annotations

import math
from numbers import Integral, Real
from typing import Any

from oscilla.payloads import BOOL, COLOR, FLOAT, INT, VEC2, VEC3


class LiteralError(ValueError):
    """The JSON value does not suit the payload; the message says what was expected."""


#: the largest finite f32 (a float value beyond it would be inf on the GPU)
F32_MAX = 3.4028234663852886e38
#: the smallest magnitude that rounds to inf in f32 (halfway between F32_MAX and 2^128)
_F32_OVERFLOW = 2.0**128 - 2.0**103
I32_MIN, I32_MAX = -(2**31), 2**31 - 1

#: longest text of a value a message quotes; longer values are described, never printed whole
_MAX_QUOTE = 60


def describe_value(v: Any) -> str:
    """A short description of a JSON value for messages: its repr when short, else what it is.

    Never raises and never recurses deeply: an integer of thousands of digits is "an integer of
    N digits" (Python refuses to print ints above 4,300 digits), a long string, list or object is
    named by its kind and size, so any user value can be quoted in a diagnostic.
    """
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, int):
        if -(10**18) < v < 10**18:
            return repr(v)
        return f"an integer of {_digits(v)} digits"
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, str):
        return repr(v) if len(v) <= _MAX_QUOTE else f"a string of {len(v)} characters"
    if isinstance(v, list | tuple):
        if all(isinstance(x, bool | float | str) or (isinstance(x, int) and abs(x) < 10**18) for x in v):
            text = repr(v)
            if len(text) <= _MAX_QUOTE:
                return text
        return f"a list of {len(v)} items"
    if isinstance(v, dict):
        return f"an object with {len(v)} key(s)"
    try:
        text = repr(v)
    except Exception:  # an exotic object whose repr fails
        return f"a {type(v).__name__}"
    return text if len(text) <= _MAX_QUOTE else f"a {type(v).__name__}"


def _digits(v: int) -> int:
    """Decimal digits of ``abs(v)``, without converting it to a string (no 4,300-digit limit)."""
    v = abs(v)
    n = max(1, int(v.bit_length() * 0.30102999566398120))  # log10(2): n or n+1 digits
    return n + 1 if v >= 10**n else n


def _num(v: Any, what: str = "a number") -> float:
    """``v`` as a finite float within the f32 range (a value the GPU can hold)."""
    if isinstance(v, bool) or not isinstance(v, Real):
        raise LiteralError(f"expected {what}, got {type(v).__name__} {describe_value(v)}")
    try:
        f = float(v)
    except OverflowError:  # an integer beyond the float range
        f = math.inf
    if math.isnan(f):
        raise LiteralError(f"expected a finite number, got {describe_value(v)}")
    if not abs(f) < _F32_OVERFLOW:
        raise LiteralError(
            f"{describe_value(v)} is outside the f32 range; allowed: finite numbers with |x| <= {F32_MAX:.8g}"
        )
    return f


def literal_payload(v: Any) -> str | None:
    """The payload a JSON value implies on its own: bool, float, or vec2/vec3/color by arity."""
    if isinstance(v, bool):
        return BOOL
    if isinstance(v, Real):
        return FLOAT
    if isinstance(v, list):
        return {2: VEC2, 3: VEC3, 4: COLOR}.get(len(v))
    if isinstance(v, dict):
        keys = set(v)
        if keys <= {"r", "g", "b", "a"} and {"r", "g", "b"} <= keys:
            return COLOR
        if keys == {"x", "y", "z"}:
            return VEC3
        if keys == {"x", "y"}:
            return VEC2
    return None


def parse_literal(v: Any, payload: str) -> tuple[float, ...]:
    """Components of ``v`` as ``payload``: floats for float/vec/color, an int for int, 0/1 for bool.

    Raises:
        LiteralError: wrong JSON kind, non-finite, non-integral int, wrong arity.
    """
    if payload == FLOAT:
        if isinstance(v, bool):
            return (1.0 if v else 0.0,)
        return (_num(v),)
    if payload == INT:
        if isinstance(v, bool) or not isinstance(v, Real):
            raise LiteralError(f"expected an integer, got {type(v).__name__} {describe_value(v)}")
        if isinstance(v, Integral):
            i = int(v)  # exact, whatever its size (never through float)
        else:
            f = float(v)
            if not math.isfinite(f) or f != int(f):
                raise LiteralError(f"expected an integral value, got {describe_value(v)}")
            i = int(f)
        if not I32_MIN <= i <= I32_MAX:
            raise LiteralError(f"{describe_value(v)} does not fit in a 32-bit int; allowed: {I32_MIN} … {I32_MAX}")
        return (i,)
    if payload == BOOL:
        if isinstance(v, bool):
            return (int(v),)
        if isinstance(v, Real) and not isinstance(v, bool) and v in (0, 1):
            return (int(float(v)),)
        raise LiteralError(f"expected true/false or 0/1, got {describe_value(v)}")
    if payload in (VEC2, VEC3):
        n = 2 if payload == VEC2 else 3
        names = "xyz"[:n]
        if isinstance(v, dict):
            if set(v) == set(names):
                return tuple(_num(v[k]) for k in names)
            if payload == VEC3 and set(v) == {"x", "y"}:
                return (_num(v["x"]), _num(v["y"]), 0.0)
            raise LiteralError(
                f"expected an object with keys {', '.join(names)}, got keys {describe_value(sorted(map(str, v)))}"
            )
        if isinstance(v, list):
            if len(v) == n:
                return tuple(_num(x) for x in v)
            if payload == VEC3 and len(v) == 2:
                return (_num(v[0]), _num(v[1]), 0.0)
            raise LiteralError(f"expected {n} numbers, got {len(v)}")
        raise LiteralError(f"expected [{', '.join(names)}] for {payload}, got {describe_value(v)}")
    if payload == COLOR:
        if isinstance(v, dict):
            if not ({"r", "g", "b"} <= set(v) <= {"r", "g", "b", "a"}):
                raise LiteralError(
                    f"expected an object with keys r, g, b[, a], got keys {describe_value(sorted(map(str, v)))}"
                )
            return (_num(v["r"]), _num(v["g"]), _num(v["b"]), _num(v.get("a", 1.0)))
        if isinstance(v, list) and len(v) in (3, 4):
            vals = tuple(_num(x) for x in v)
            return vals if len(vals) == 4 else vals + (1.0,)
        raise LiteralError(f"expected [r, g, b] or [r, g, b, a], got {describe_value(v)}")
    raise LiteralError(f"{payload} values cannot be given inline")
