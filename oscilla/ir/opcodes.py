"""The scalar IR opcode table and its numpy semantics (blocks.md §4, §7).

Each IR node is one scalar lane value of dtype ``f32``, ``i32`` or ``u32`` (bool is u32 0/1).
This table is the single definition of what an opcode computes: the constant folder and the
reference interpreter both evaluate ops through :func:`evaluate`, and ``codegen/wgsl_ops.py`` maps
the same names to WGSL. Everything is computed in numpy float32 / int32 / uint32 with the operation
order of the generated WGSL, so GPU and reference agree within api.md's tolerance and integer
hashes agree bit for bit.
"""

from __future__ import annotations

import numpy as np

F32, I32, U32 = "f32", "i32", "u32"
NP_DTYPE = {F32: np.float32, I32: np.int32, U32: np.uint32}

#: largest float32 below 1.0; frac/wrap01 never return 1.0 (blocks.md §7)
ONE_MINUS_ULP = np.float32(0.99999994)
TWO_PI = np.float32(2.0 * np.pi)

#: op name -> (argument dtypes, result dtype). "*" means "same as the node's dtype".
SIGNATURES: dict[str, tuple[tuple[str, ...], str]] = {
    # float arithmetic
    "add": ((F32, F32), F32),
    "sub": ((F32, F32), F32),
    "mul": ((F32, F32), F32),
    "div": ((F32, F32), F32),
    "min": ((F32, F32), F32),
    "max": ((F32, F32), F32),
    "mod": ((F32, F32), F32),
    "modulo": ((F32, F32), F32),
    "neg": ((F32,), F32),
    "abs": ((F32,), F32),
    "floor": ((F32,), F32),
    "ceil": ((F32,), F32),
    "trunc": ((F32,), F32),
    "sqrt": ((F32,), F32),
    "sin": ((F32,), F32),
    "cos": ((F32,), F32),
    "exp": ((F32,), F32),
    "frac": ((F32,), F32),
    "atan2": ((F32, F32), F32),
    "tan": ((F32,), F32),
    "round": ((F32,), F32),
    "noise": ((F32,), F32),
    "hash": ((F32, F32), F32),
    "hsv_r": ((F32, F32, F32), F32),
    "hsv_g": ((F32, F32, F32), F32),
    "hsv_b": ((F32, F32, F32), F32),
    # comparisons and selection
    "lt": ((F32, F32), U32),
    "ge": ((F32, F32), U32),
    "le": ((F32, F32), U32),
    "gt": ((F32, F32), U32),
    "eq": ((F32, F32), U32),
    "ne": ((F32, F32), U32),
    "lt_i": ((I32, I32), U32),
    "le_i": ((I32, I32), U32),
    "gt_i": ((I32, I32), U32),
    "ge_i": ((I32, I32), U32),
    "eq_i": ((I32, I32), U32),
    "ne_i": ((I32, I32), U32),
    "eq_b": ((U32, U32), U32),
    "ne_b": ((U32, U32), U32),
    "select": ((U32, "*", "*"), "*"),
    # integer arithmetic
    "add_i": ((I32, I32), I32),
    "mod_i": ((I32, I32), I32),
    "div_i": ((I32, I32), I32),
    "max_i": ((I32, I32), I32),
    "min_i": ((I32, I32), I32),
    "mul_i": ((I32, I32), I32),
    "add_u": ((U32, U32), U32),
    "sub_i": ((I32, I32), I32),
    "neg_i": ((I32,), I32),
    "abs_i": ((I32,), I32),
    # bool / event logic
    "or_b": ((U32, U32), U32),
    "and_b": ((U32, U32), U32),
    "not_b": ((U32,), U32),
    # conversions
    "i2f": ((I32,), F32),
    "b2f": ((U32,), F32),
    "f2i": ((F32,), I32),
    # hashing (u32 wrapping arithmetic)
    "pcg": ((U32,), U32),
    "to01": ((U32,), F32),
    "bits": ((F32,), U32),
    "xor": ((U32, U32), U32),
    "i2u": ((I32,), U32),
}

#: ops whose value is not a pure function of their arguments (never constant-folded)
SOURCE_OPS = {
    "const",
    "time",
    "lane_index",
    "state",
    "ring_read",
    "bcast",
    "table",
    "reduce",
    "scan",
    "gather",
    "external",
}


def pcg_hash(u: np.ndarray) -> np.ndarray:
    """PCG hash on uint32 with wrapping arithmetic (blocks.md §4)."""
    u = np.asarray(u, dtype=np.uint32)
    with np.errstate(over="ignore"):
        state = u * np.uint32(747796405) + np.uint32(2891336453)
        word = ((state >> ((state >> np.uint32(28)) + np.uint32(4))) ^ state) * np.uint32(277803737)
    return (word >> np.uint32(22)) ^ word


def to01(h: np.ndarray) -> np.ndarray:
    """to01(h) = f32(h >> 8) / 2^24, exact in float32."""
    return (np.asarray(h, dtype=np.uint32) >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def f32_bits(x: np.ndarray) -> np.ndarray:
    """IEEE-754 bit pattern of float32 x with -0.0 canonicalised to 0."""
    x = np.asarray(x, dtype=np.float32)
    b = x.view(np.uint32) if x.ndim else np.array(x).reshape(1).view(np.uint32).reshape(())
    return np.where(x == np.float32(0.0), np.uint32(0), b).astype(np.uint32)


def hash01(value: np.ndarray, seed: np.ndarray) -> np.ndarray:
    """Hash(value, seed) = to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed))))."""
    return to01(pcg_hash(f32_bits(value) ^ pcg_hash(f32_bits(seed))))


def frac(x: np.ndarray) -> np.ndarray:
    """min(x - floor(x), 0.99999994): in [0, 1)."""
    x = np.asarray(x, dtype=np.float32)
    return np.minimum(x - np.floor(x), ONE_MINUS_ULP)


def noise1(x: np.ndarray) -> np.ndarray:
    """1-D value noise in [0, 1) (blocks.md §4): smoothstep interpolation of lattice hashes."""
    x = np.asarray(x, dtype=np.float32)
    k = np.floor(x)
    f = x - k
    ki = np.clip(np.nan_to_num(k.astype(np.float64), nan=0.0), -2147483648.0, 2147483647.0)
    ku = (
        ki.astype(np.int64).astype(np.int32).view(np.uint32)
        if ki.ndim
        else np.array(ki.astype(np.int64)).astype(np.int32).reshape(1).view(np.uint32).reshape(())
    )
    h0 = to01(pcg_hash(ku))
    h1 = to01(pcg_hash(ku + np.uint32(1)))
    u = f * f * (np.float32(3.0) - np.float32(2.0) * f)
    return h0 + (h1 - h0) * u


def hsv2rgb(h, s, v):
    """hsv2rgb of blocks.md §7 -> (r, g, b) float32 arrays (alpha is always 1)."""
    h = np.asarray(h, dtype=np.float32)
    s = np.asarray(s, dtype=np.float32)
    v = np.asarray(v, dtype=np.float32)
    hp = frac(h)
    sp = np.maximum(np.float32(0), np.minimum(np.float32(1), s))
    vp = np.maximum(np.float32(0), np.minimum(np.float32(1), v))
    c = vp * sp
    h6 = np.float32(6.0) * hp
    x = c * (np.float32(1.0) - np.abs((h6 - np.float32(2.0) * np.floor(h6 / np.float32(2.0))) - np.float32(1.0)))
    m = vp - c
    k = np.minimum(np.floor(h6), np.float32(5.0))
    z = np.zeros_like(c)
    r = np.select([k == 0, k == 1, k == 2, k == 3, k == 4], [c, x, z, z, x], c)
    g = np.select([k == 0, k == 1, k == 2, k == 3, k == 4], [x, c, c, x, z], z)
    b = np.select([k == 0, k == 1, k == 2, k == 3, k == 4], [z, z, x, c, c], x)
    return (r + m).astype(np.float32), (g + m).astype(np.float32), (b + m).astype(np.float32)


def _div_trunc(a, b):
    """i32 division truncating toward zero (WGSL's i32 '/')."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    safe = np.where(b == 0, 1, b)
    q = np.abs(a) // np.abs(safe)
    q = np.where((a < 0) != (safe < 0), -q, q)
    return np.where(b == 0, a, q).astype(np.int32)


def _f(x):
    return np.asarray(x, dtype=np.float32)


def _i(x):
    return np.asarray(x, dtype=np.int32)


#: WGSL's f32 -> i32 conversion saturates at the largest f32 below 2^31 (and at -2^31)
F2I_MAX = 2147483520


def _f2i(x):
    """i32(x) as WGSL converts it: truncation toward zero, saturating (NaN, indeterminate in WGSL, gives 0)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return np.trunc(np.clip(x, -2147483648.0, float(F2I_MAX))).astype(np.int64).astype(np.int32)


_IMPL = {
    "add": lambda a, b: _f(a) + _f(b),
    "sub": lambda a, b: _f(a) - _f(b),
    "mul": lambda a, b: _f(a) * _f(b),
    "div": lambda a, b: _f(a) / _f(b),
    "min": lambda a, b: np.minimum(_f(a), _f(b)),
    "max": lambda a, b: np.maximum(_f(a), _f(b)),
    "mod": lambda a, b: _f(a) - _f(b) * np.trunc(_f(a) / _f(b)),
    "modulo": lambda a, b: _f(a) - _f(b) * np.floor(_f(a) / _f(b)),
    "neg": lambda a: -_f(a),
    "abs": lambda a: np.abs(_f(a)),
    "floor": lambda a: np.floor(_f(a)),
    "ceil": lambda a: np.ceil(_f(a)),
    "trunc": lambda a: np.trunc(_f(a)),
    "sqrt": lambda a: np.sqrt(_f(a)),
    "sin": lambda a: np.sin(_f(a)),
    "cos": lambda a: np.cos(_f(a)),
    "exp": lambda a: np.exp(_f(a)),
    "tan": lambda a: np.tan(_f(a)),
    "round": lambda a: np.rint(_f(a)),  # ties to even, like WGSL round
    "atan2": lambda y, x: np.where((_f(y) == 0) & (_f(x) == 0), np.float32(0), np.arctan2(_f(y), _f(x))),
    "frac": frac,
    "noise": noise1,
    "hash": hash01,
    "hsv_r": lambda h, s, v: hsv2rgb(h, s, v)[0],
    "hsv_g": lambda h, s, v: hsv2rgb(h, s, v)[1],
    "hsv_b": lambda h, s, v: hsv2rgb(h, s, v)[2],
    "lt": lambda a, b: (_f(a) < _f(b)).astype(np.uint32),
    "ge": lambda a, b: (_f(a) >= _f(b)).astype(np.uint32),
    "le": lambda a, b: (_f(a) <= _f(b)).astype(np.uint32),
    "gt": lambda a, b: (_f(a) > _f(b)).astype(np.uint32),
    "eq": lambda a, b: (_f(a) == _f(b)).astype(np.uint32),
    "ne": lambda a, b: (_f(a) != _f(b)).astype(np.uint32),
    "lt_i": lambda a, b: (_i(a) < _i(b)).astype(np.uint32),
    "le_i": lambda a, b: (_i(a) <= _i(b)).astype(np.uint32),
    "gt_i": lambda a, b: (_i(a) > _i(b)).astype(np.uint32),
    "ge_i": lambda a, b: (_i(a) >= _i(b)).astype(np.uint32),
    "eq_i": lambda a, b: (_i(a) == _i(b)).astype(np.uint32),
    "ne_i": lambda a, b: (_i(a) != _i(b)).astype(np.uint32),
    "eq_b": lambda a, b: (np.asarray(a, np.uint32) == np.asarray(b, np.uint32)).astype(np.uint32),
    "ne_b": lambda a, b: (np.asarray(a, np.uint32) != np.asarray(b, np.uint32)).astype(np.uint32),
    "select": lambda c, a, b: np.where(np.asarray(c) != 0, a, b),
    "add_i": lambda a, b: (np.asarray(a, np.int32) + np.asarray(b, np.int32)).astype(np.int32),
    "mod_i": lambda a, b: np.fmod(np.asarray(a, np.int32), np.asarray(b, np.int32)).astype(np.int32),
    "div_i": lambda a, b: _div_trunc(a, b),
    "max_i": lambda a, b: np.maximum(np.asarray(a, np.int32), np.asarray(b, np.int32)),
    "min_i": lambda a, b: np.minimum(np.asarray(a, np.int32), np.asarray(b, np.int32)),
    "mul_i": lambda a, b: (np.asarray(a, np.int32) * np.asarray(b, np.int32)).astype(np.int32),
    "add_u": lambda a, b: np.asarray(a, np.uint32) + np.asarray(b, np.uint32),
    "sub_i": lambda a, b: (_i(a) - _i(b)).astype(np.int32),
    "neg_i": lambda a: (-_i(a)).astype(np.int32),
    "abs_i": lambda a: np.abs(_i(a)).astype(np.int32),
    "or_b": lambda a, b: np.minimum(np.asarray(a, np.uint32) + np.asarray(b, np.uint32), np.uint32(1)),
    "and_b": lambda a, b: np.asarray(a, np.uint32) * np.asarray(b, np.uint32),
    "not_b": lambda a: np.uint32(1) - np.asarray(a, np.uint32),
    "i2f": lambda a: np.asarray(a, np.int32).astype(np.float32),
    "b2f": lambda a: np.asarray(a, np.uint32).astype(np.float32),
    "f2i": lambda a: _f2i(a),
    "pcg": pcg_hash,
    "to01": to01,
    "bits": f32_bits,
    "xor": lambda a, b: np.asarray(a, np.uint32) ^ np.asarray(b, np.uint32),
    "i2u": lambda a: (
        np.asarray(a, np.int32).astype(np.uint32)
        if np.ndim(a)
        else np.array(a, np.int32).reshape(1).view(np.uint32).reshape(())
    ),
}


def evaluate(op: str, dtype: str, args: list[np.ndarray]) -> np.ndarray:
    """Evaluate a pure op on numpy arguments (scalars or lane arrays); result has ``dtype``."""
    with np.errstate(all="ignore"):
        out = _IMPL[op](*args)
    return np.asarray(out, dtype=NP_DTYPE[dtype])
