"""Parsing inline JSON values (inline port values, Const.value) into typed component tuples
(docs/language/types-and-units.md#inline-values).

Used by normalization (validating inline values), the typing hooks of Const and lowering (the
constant nodes of inline values and defaults)."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

from oscilla.payloads import BOOL, COLOR, FLOAT, INT, VEC2, VEC3


class LiteralError(ValueError):
    """The JSON value does not suit the payload; the message says what was expected."""


def _num(v: Any, what: str = "a number") -> float:
    if isinstance(v, bool) or not isinstance(v, Real):
        raise LiteralError(f"expected {what}, got {type(v).__name__} {v!r}")
    f = float(v)
    if not math.isfinite(f):
        raise LiteralError(f"expected a finite number, got {v!r}")
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
        f = _num(v, "an integer")
        if f != int(f):
            raise LiteralError(f"expected an integral value, got {v!r}")
        if not -(2**31) <= f < 2**31:
            raise LiteralError(f"{v!r} does not fit in a 32-bit int")
        return (int(f),)
    if payload == BOOL:
        if isinstance(v, bool):
            return (int(v),)
        if isinstance(v, Real) and not isinstance(v, bool) and v in (0, 1):
            return (int(float(v)),)
        raise LiteralError(f"expected true/false or 0/1, got {v!r}")
    if payload in (VEC2, VEC3):
        n = 2 if payload == VEC2 else 3
        names = "xyz"[:n]
        if isinstance(v, dict):
            if set(v) == set(names):
                return tuple(_num(v[k]) for k in names)
            if payload == VEC3 and set(v) == {"x", "y"}:
                return (_num(v["x"]), _num(v["y"]), 0.0)
            raise LiteralError(f"expected an object with keys {', '.join(names)}, got keys {sorted(v)}")
        if isinstance(v, list):
            if len(v) == n:
                return tuple(_num(x) for x in v)
            if payload == VEC3 and len(v) == 2:
                return (_num(v[0]), _num(v[1]), 0.0)
            raise LiteralError(f"expected {n} numbers, got {len(v)}")
        raise LiteralError(f"expected [{', '.join(names)}] for {payload}, got {v!r}")
    if payload == COLOR:
        if isinstance(v, dict):
            if not ({"r", "g", "b"} <= set(v) <= {"r", "g", "b", "a"}):
                raise LiteralError(f"expected an object with keys r, g, b[, a], got keys {sorted(v)}")
            return (_num(v["r"]), _num(v["g"]), _num(v["b"]), _num(v.get("a", 1.0)))
        if isinstance(v, list) and len(v) in (3, 4):
            vals = tuple(_num(x) for x in v)
            return vals if len(vals) == 4 else vals + (1.0,)
        raise LiteralError(f"expected [r, g, b] or [r, g, b, a], got {v!r}")
    raise LiteralError(f"{payload} values cannot be given inline")
