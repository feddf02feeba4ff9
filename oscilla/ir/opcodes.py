"""The scalar IR opcodes: one :class:`Opcode` record per pure op, in one table (:data:`OPCODES`).

Each IR node is one scalar lane value of dtype ``f32``, ``i32`` or ``u32`` (bool is u32 0/1).
A record is the single definition of an op: its signature, its numpy meaning (used by the
constant folder in :mod:`oscilla.ir.graph` and by the reference interpreter, through
:func:`evaluate`) and its WGSL spelling for one lane and for four lanes (used by
:mod:`oscilla.codegen.wgsl`). Everything is computed in numpy float32 / int32 / uint32 with the
operation order of the generated WGSL, so GPU and reference agree within the tolerance of
docs/language/conventions.md#numerics and integer hashes agree bit for bit.

Adding an op means adding one record to :data:`OPCODES` (and, when its WGSL is more than an
expression, an ``osc_*`` helper to ``oscilla/shaders/prelude.wgsl``, or to the static file named by
the record's ``include``, which only the kernels using the op carry: the gradient noise of
``oscilla/shaders/noise.wgsl``); ``tests/ir/test_opcodes.py`` fails when a record is incomplete or
calls a helper that neither the prelude nor its include defines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

DType = Literal["f32", "i32", "u32"]
#: an argument or result dtype; ``"*"`` means "the node's own dtype" (``select``)
OperandType = Literal["f32", "i32", "u32", "*"]

F32: DType = "f32"
I32: DType = "i32"
U32: DType = "u32"
SAME: OperandType = "*"
NP_DTYPE: dict[str, type[np.generic]] = {F32: np.float32, I32: np.int32, U32: np.uint32}

#: largest float32 below 1.0; frac/wrap01 never return 1.0 (docs/language/functions.md#frac)
ONE_MINUS_ULP = np.float32(0.99999994)
TWO_PI = np.float32(2.0 * np.pi)


@dataclass(frozen=True)
class NoVec4:
    """The marker for an op without a per-op vec4 template; ``reason`` says how codegen emits
    its four-lane form instead."""

    reason: str


@dataclass(frozen=True, kw_only=True)
class Opcode:
    """One pure IR op.

    Attributes:
        name: the op name nodes carry (``Node.op``).
        args: dtype of each argument (``"*"``: the node's dtype).
        result: the result dtype (``"*"``: given by the caller or by the second argument).
        numpy: the meaning: called with one numpy value per argument (scalars or lane arrays of
            the argument dtypes), returns the result (cast to the result dtype by :func:`evaluate`).
        wgsl: WGSL expression for one lane; ``{0}``, ``{1}``, ... are the argument expressions.
        wgsl4: WGSL expression on ``vec4`` operands (four lanes at once), or :class:`NoVec4`
            when codegen emits the four-lane form itself.
        include: the static WGSL file (``oscilla/shaders/<include>``) that defines the op's
            ``osc_*`` helpers when the prelude does not; codegen adds it to the kernels that use
            the op, and only to those ("" for ops of the prelude).
    """

    name: str
    args: tuple[OperandType, ...]
    result: OperandType
    numpy: Callable[..., npt.ArrayLike]
    wgsl: str
    wgsl4: str | NoVec4
    include: str = ""

    @property
    def vec4_template(self) -> str | None:
        """The vec4 template, or None when the op has no per-op vec4 form."""
        return None if isinstance(self.wgsl4, NoVec4) else self.wgsl4


#: the static WGSL of the gradient-noise ops (their ``include``)
NOISE_WGSL = "noise.wgsl"

#: ops whose value is not a pure function of their arguments (never constant-folded; no record)
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


# -- numpy helpers (docs/language/hashing-and-noise.md, docs/language/functions.md) ------------------------------------


def pcg_hash(u: npt.ArrayLike) -> np.ndarray:
    """PCG hash with wrapping arithmetic (docs/language/hashing-and-noise.md#pcg-hash): uint32 in/out, same shape."""
    u = np.asarray(u, dtype=np.uint32)
    with np.errstate(over="ignore"):
        state = u * np.uint32(747796405) + np.uint32(2891336453)
        word = ((state >> ((state >> np.uint32(28)) + np.uint32(4))) ^ state) * np.uint32(277803737)
    return np.asarray((word >> np.uint32(22)) ^ word)


def to01(h: npt.ArrayLike) -> np.ndarray:
    """to01(h) = f32(h >> 8) / 2^24, exact in float32: uint32 in, float32 in [0, 1) out."""
    return (np.asarray(h, dtype=np.uint32) >> np.uint32(8)).astype(np.float32) * np.float32(1.0 / 16777216.0)


def f32_bits(x: npt.ArrayLike) -> np.ndarray:
    """IEEE-754 bit pattern (uint32) of float32 x with -0.0 canonicalised to 0."""
    x = np.asarray(x, dtype=np.float32)
    b = x.view(np.uint32) if x.ndim else np.array(x).reshape(1).view(np.uint32).reshape(())
    return np.where(x == np.float32(0.0), np.uint32(0), b).astype(np.uint32)


def hash01(value: npt.ArrayLike, seed: npt.ArrayLike) -> np.ndarray:
    """Hash(value, seed) = to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed)))): float32 in [0, 1)."""
    return to01(pcg_hash(f32_bits(value) ^ pcg_hash(f32_bits(seed))))


def frac(x: npt.ArrayLike) -> np.ndarray:
    """min(x - floor(x), 0.99999994): float32 in [0, 1)."""
    x = np.asarray(x, dtype=np.float32)
    return np.minimum(x - np.floor(x), ONE_MINUS_ULP)


def noise1(x: npt.ArrayLike) -> np.ndarray:
    """1-D value noise in [0, 1) (docs/language/hashing-and-noise.md#noise): smoothstepped lattice hashes (float32)."""
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
    return np.asarray(h0 + (h1 - h0) * u)


# -- gradient noise (docs/language/hashing-and-noise.md#gradient-noise; WGSL twins in oscilla/shaders/noise.wgsl) ------

#: 1/max|n| of 2-D gradient noise with unit gradients: the maximum, sqrt(2)/2, is at a cell centre
NOISE2_SCALE = np.float32(1.4142135)
#: 1/max|n| of 3-D gradient noise with Perlin's 12 gradients (max 1.0363538 at (0.3553, 0.4815, 0.5) and its mirrors)
NOISE3_SCALE = np.float32(0.96491)
#: the components of the diagonal unit gradients (±1, ±1)/sqrt(2)
NOISE_DIAG = np.float32(0.70710677)
_ONE = np.float32(1.0)


def _lattice(x: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """(the u32 bit pattern of i32(floor(x)), x - floor(x)) of float32 x."""
    x = np.asarray(x, dtype=np.float32)
    k = np.floor(x)
    return _i2u(_f2i(k)), x - k


def fade(t: npt.ArrayLike) -> np.ndarray:
    """Perlin's quintic fade t³(t(6t - 15) + 10) (float32, the operation order of osc_fade)."""
    t = np.asarray(t, dtype=np.float32)
    return t * t * t * (t * (t * np.float32(6.0) - np.float32(15.0)) + np.float32(10.0))


def dfade(t: npt.ArrayLike) -> np.ndarray:
    """The derivative of :func:`fade`, 30t²(t(t - 2) + 1) (float32, the order of osc_dfade)."""
    t = np.asarray(t, dtype=np.float32)
    return np.float32(30.0) * t * t * (t * (t - np.float32(2.0)) + _ONE)


def _grad2(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The unit gradient of a corner from its hash's top 3 bits b: (±1, 0) or (0, ±1) when b < 4
    (bit 1 picks the axis, bit 0 the sign), else (±s, ±s) with s = sqrt(1/2) (signs: bits 0 and 1)."""
    b = np.asarray(h, dtype=np.uint32) >> np.uint32(29)
    sx = np.where((b & np.uint32(1)) != 0, np.float32(-1.0), _ONE)
    sy = np.where((b & np.uint32(2)) != 0, np.float32(-1.0), _ONE)
    on_y = (b & np.uint32(2)) != 0
    diag = (b & np.uint32(4)) != 0
    zero = np.float32(0.0)
    gx = np.where(diag, sx * NOISE_DIAG, np.where(on_y, zero, sx)).astype(np.float32)
    gy = np.where(diag, sy * NOISE_DIAG, np.where(on_y, sx, zero)).astype(np.float32)
    return gx, gy


def gradient_noise2(
    x: npt.ArrayLike, y: npt.ArrayLike, seed: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """2-D gradient noise and its partial derivatives, (n, ∂n/∂x, ∂n/∂y), each scaled by
    :data:`NOISE2_SCALE` (float32 arrays of the broadcast shape; seed is a u32). Unclamped: the
    Noise2D value is n clamped to [-1, 1]. The operation order of osc_gnoise2."""
    x, y, seed = np.broadcast_arrays(_f(x), _f(y), _u(seed))
    i, fx = _lattice(x)
    j, fy = _lattice(y)
    one = np.uint32(1)
    with np.errstate(over="ignore"):
        s = pcg_hash(seed)
        a0, a1 = pcg_hash(s + i), pcg_hash(s + i + one)
        g00, g01 = _grad2(pcg_hash(a0 + j)), _grad2(pcg_hash(a0 + j + one))
        g10, g11 = _grad2(pcg_hash(a1 + j)), _grad2(pcg_hash(a1 + j + one))
    fx1, fy1 = fx - _ONE, fy - _ONE
    n00 = g00[0] * fx + g00[1] * fy
    n10 = g10[0] * fx1 + g10[1] * fy
    n01 = g01[0] * fx + g01[1] * fy1
    n11 = g11[0] * fx1 + g11[1] * fy1
    u, v = fade(fx), fade(fy)
    du, dv = dfade(fx), dfade(fy)
    nx0 = n00 + u * (n10 - n00)
    nx1 = n01 + u * (n11 - n01)
    n = nx0 + v * (nx1 - nx0)
    dx0 = g00[0] + u * (g10[0] - g00[0]) + du * (n10 - n00)
    dx1 = g01[0] + u * (g11[0] - g01[0]) + du * (n11 - n01)
    dnx = dx0 + v * (dx1 - dx0)
    dy0 = g00[1] + u * (g10[1] - g00[1])
    dy1 = g01[1] + u * (g11[1] - g01[1])
    dny = dy0 + v * (dy1 - dy0) + dv * (nx1 - nx0)
    return n * NOISE2_SCALE, dnx * NOISE2_SCALE, dny * NOISE2_SCALE


def noise2(x: npt.ArrayLike, y: npt.ArrayLike, seed: npt.ArrayLike) -> np.ndarray:
    """Noise2D: 2-D gradient noise in [-1, 1] (float32)."""
    return np.clip(gradient_noise2(x, y, seed)[0], np.float32(-1.0), _ONE)


def _grad3(h: np.ndarray, x: np.ndarray, y: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Perlin's (2002) grad: the dot product with one of 12 gradients (±1, ±1, 0) ... picked by
    the hash's top 4 bits b (u = x if b < 8 else y; v = y if b < 4 else x if b is 12 or 14 else z)."""
    b = np.asarray(h, dtype=np.uint32) >> np.uint32(28)
    u = np.where(b < 8, x, y)
    v = np.where(b < 4, y, np.where((b == 12) | (b == 14), x, z))
    return np.where((b & np.uint32(1)) != 0, -u, u) + np.where((b & np.uint32(2)) != 0, -v, v)


def noise3(x: npt.ArrayLike, y: npt.ArrayLike, z: npt.ArrayLike, seed: npt.ArrayLike) -> np.ndarray:
    """Noise3D: 3-D gradient noise (Perlin 2002) scaled by :data:`NOISE3_SCALE` and clamped to
    [-1, 1] (float32 of the broadcast shape; seed is a u32). The operation order of osc_noise3."""
    x, y, z, seed = np.broadcast_arrays(_f(x), _f(y), _f(z), _u(seed))
    i, fx = _lattice(x)
    j, fy = _lattice(y)
    k, fz = _lattice(z)
    one = np.uint32(1)
    with np.errstate(over="ignore"):
        s = pcg_hash(seed)
        a0, a1 = pcg_hash(s + i), pcg_hash(s + i + one)
        b00, b01 = pcg_hash(a0 + j), pcg_hash(a0 + j + one)
        b10, b11 = pcg_hash(a1 + j), pcg_hash(a1 + j + one)
        h = {
            (0, 0, 0): pcg_hash(b00 + k),
            (0, 0, 1): pcg_hash(b00 + k + one),
            (0, 1, 0): pcg_hash(b01 + k),
            (0, 1, 1): pcg_hash(b01 + k + one),
            (1, 0, 0): pcg_hash(b10 + k),
            (1, 0, 1): pcg_hash(b10 + k + one),
            (1, 1, 0): pcg_hash(b11 + k),
            (1, 1, 1): pcg_hash(b11 + k + one),
        }
    fxs, fys, fzs = (fx, fx - _ONE), (fy, fy - _ONE), (fz, fz - _ONE)
    n = {c: _grad3(hc, fxs[c[0]], fys[c[1]], fzs[c[2]]) for c, hc in h.items()}
    u, v, w = fade(fx), fade(fy), fade(fz)
    nx00 = n[0, 0, 0] + u * (n[1, 0, 0] - n[0, 0, 0])
    nx10 = n[0, 1, 0] + u * (n[1, 1, 0] - n[0, 1, 0])
    nx01 = n[0, 0, 1] + u * (n[1, 0, 1] - n[0, 0, 1])
    nx11 = n[0, 1, 1] + u * (n[1, 1, 1] - n[0, 1, 1])
    nxy0 = nx00 + v * (nx10 - nx00)
    nxy1 = nx01 + v * (nx11 - nx01)
    out = nxy0 + w * (nxy1 - nxy0)
    return np.clip(out * NOISE3_SCALE, np.float32(-1.0), _ONE)


def hsv2rgb(h: npt.ArrayLike, s: npt.ArrayLike, v: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """hsv2rgb of docs/language/functions.md#hsv2rgb -> (r, g, b) float32 arrays of the broadcast shape (alpha is 1)."""
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


def _div_trunc(a: npt.ArrayLike, b: npt.ArrayLike) -> np.ndarray:
    """i32 division truncating toward zero (WGSL's i32 '/'); x / 0 gives x."""
    a = np.asarray(a, np.int64)
    b = np.asarray(b, np.int64)
    safe = np.where(b == 0, 1, b)
    q = np.abs(a) // np.abs(safe)
    q = np.where((a < 0) != (safe < 0), -q, q)
    return np.where(b == 0, a, q).astype(np.int32)


def _f(x: npt.ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def _i(x: npt.ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.int32)


def _u(x: npt.ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.uint32)


#: WGSL's f32 -> i32 conversion saturates at the largest f32 below 2^31 (and at -2^31)
F2I_MAX = 2147483520


def _f2i(x: npt.ArrayLike) -> np.ndarray:
    """i32(x) as WGSL converts it: truncation toward zero, saturating (NaN, indeterminate in WGSL, gives 0)."""
    x = np.nan_to_num(np.asarray(x, dtype=np.float64), nan=0.0)
    return np.trunc(np.clip(x, -2147483648.0, float(F2I_MAX))).astype(np.int64).astype(np.int32)


def _i2u(a: npt.ArrayLike) -> np.ndarray:
    """bitcast<u32> of an i32."""
    if np.ndim(a):
        return np.asarray(a, np.int32).astype(np.uint32)
    return np.array(a, np.int32).reshape(1).view(np.uint32).reshape(())


def _atan2(y: npt.ArrayLike, x: npt.ArrayLike) -> np.ndarray:
    """atan2 with atan2(0, 0) = 0 (osc_atan2)."""
    return np.where((_f(y) == 0) & (_f(x) == 0), np.float32(0), np.arctan2(_f(y), _f(x)))


_NAN = np.float32(np.nan)
_INF = np.float32(np.inf)


def _log_of(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[npt.ArrayLike], np.ndarray]:
    """``fn`` (np.log or np.log2) with -inf at ±0 and NaN below 0 (osc_log, osc_log2)."""

    def log(x: npt.ArrayLike) -> np.ndarray:
        x = _f(x)
        return np.where(x < 0, _NAN, np.where(x == 0, -_INF, fn(x)))

    return log


def _inversesqrt(x: npt.ArrayLike) -> np.ndarray:
    """1 / sqrt(x) with +inf at ±0 and NaN below 0 (osc_inversesqrt)."""
    x = _f(x)
    return np.where(x < 0, _NAN, np.where(x == 0, _INF, np.float32(1.0) / np.sqrt(x)))


def _in_unit(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[npt.ArrayLike], np.ndarray]:
    """``fn`` (np.arcsin or np.arccos) with NaN outside [-1, 1] (osc_asin, osc_acos)."""

    def f(x: npt.ArrayLike) -> np.ndarray:
        x = _f(x)
        return np.where(np.abs(x) > 1, _NAN, fn(x))

    return f


def _pow(x: npt.ArrayLike, y: npt.ArrayLike) -> np.ndarray:
    """x^y as osc_pow defines it (docs/language/functions.md#pow): 1 for y = 0; for x = ±0, 0
    when y > 0 and +inf when y < 0; for x < 0, ±|x|^y for integer y (negative when y is odd) and
    NaN otherwise."""
    x, y = _f(x), _f(y)
    ax = np.abs(x)
    mag = np.where(ax == 0, np.where(y > 0, np.float32(0), _INF), np.power(ax, y))
    odd = (y - np.float32(2) * np.floor(np.float32(0.5) * y)) == 1
    neg = np.where(odd, -mag, mag)
    r = np.where(x < 0, np.where(np.trunc(y) == y, neg, _NAN), mag)
    return np.where(y == 0, np.float32(1), r)


_HSV_VEC4 = NoVec4(
    "one osc_hsv2rgb4 call per (h, s, v) serves hsv_r, hsv_g and hsv_b; codegen emits it once and reads .r/.g/.b"
)


def _table(*records: Opcode) -> dict[str, Opcode]:
    table: dict[str, Opcode] = {}
    for r in records:
        if r.name in table or r.name in SOURCE_OPS:
            raise ValueError(f"opcode {r.name!r} is declared twice")
        table[r.name] = r
    return table


#: every pure op, by name: the one table the constant folder, the reference interpreter and codegen read
OPCODES: dict[str, Opcode] = _table(
    # float arithmetic (round: ties to even, like WGSL round)
    Opcode(
        name="add",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) + _f(b),
        wgsl="({0} + {1})",
        wgsl4="({0} + {1})",
    ),
    Opcode(
        name="sub",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) - _f(b),
        wgsl="({0} - {1})",
        wgsl4="({0} - {1})",
    ),
    Opcode(
        name="mul",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) * _f(b),
        wgsl="({0} * {1})",
        wgsl4="({0} * {1})",
    ),
    Opcode(
        name="div",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) / _f(b),
        wgsl="({0} / {1})",
        wgsl4="({0} / {1})",
    ),
    Opcode(
        name="min",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: np.minimum(_f(a), _f(b)),
        wgsl="min({0}, {1})",
        wgsl4="min({0}, {1})",
    ),
    Opcode(
        name="max",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: np.maximum(_f(a), _f(b)),
        wgsl="max({0}, {1})",
        wgsl4="max({0}, {1})",
    ),
    Opcode(
        name="mod",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) - _f(b) * np.trunc(_f(a) / _f(b)),
        wgsl="osc_mod({0}, {1})",
        wgsl4="osc_mod4({0}, {1})",
    ),
    Opcode(
        name="modulo",
        args=(F32, F32),
        result=F32,
        numpy=lambda a, b: _f(a) - _f(b) * np.floor(_f(a) / _f(b)),
        wgsl="osc_modulo({0}, {1})",
        wgsl4="osc_modulo4({0}, {1})",
    ),
    Opcode(name="neg", args=(F32,), result=F32, numpy=lambda a: -_f(a), wgsl="(-{0})", wgsl4="(-{0})"),
    Opcode(name="abs", args=(F32,), result=F32, numpy=lambda a: np.abs(_f(a)), wgsl="abs({0})", wgsl4="abs({0})"),
    Opcode(
        name="floor", args=(F32,), result=F32, numpy=lambda a: np.floor(_f(a)), wgsl="floor({0})", wgsl4="floor({0})"
    ),
    Opcode(name="ceil", args=(F32,), result=F32, numpy=lambda a: np.ceil(_f(a)), wgsl="ceil({0})", wgsl4="ceil({0})"),
    Opcode(
        name="trunc", args=(F32,), result=F32, numpy=lambda a: np.trunc(_f(a)), wgsl="trunc({0})", wgsl4="trunc({0})"
    ),
    Opcode(name="sqrt", args=(F32,), result=F32, numpy=lambda a: np.sqrt(_f(a)), wgsl="sqrt({0})", wgsl4="sqrt({0})"),
    Opcode(name="sin", args=(F32,), result=F32, numpy=lambda a: np.sin(_f(a)), wgsl="sin({0})", wgsl4="sin({0})"),
    Opcode(name="cos", args=(F32,), result=F32, numpy=lambda a: np.cos(_f(a)), wgsl="cos({0})", wgsl4="cos({0})"),
    Opcode(name="exp", args=(F32,), result=F32, numpy=lambda a: np.exp(_f(a)), wgsl="exp({0})", wgsl4="exp({0})"),
    Opcode(name="frac", args=(F32,), result=F32, numpy=frac, wgsl="osc_frac({0})", wgsl4="osc_frac4({0})"),
    Opcode(
        name="atan2",
        args=(F32, F32),
        result=F32,
        numpy=_atan2,
        wgsl="osc_atan2({0}, {1})",
        wgsl4="osc_atan24({0}, {1})",
    ),
    Opcode(name="tan", args=(F32,), result=F32, numpy=lambda a: np.tan(_f(a)), wgsl="tan({0})", wgsl4="tan({0})"),
    Opcode(
        name="round", args=(F32,), result=F32, numpy=lambda a: np.rint(_f(a)), wgsl="round({0})", wgsl4="round({0})"
    ),
    Opcode(name="noise", args=(F32,), result=F32, numpy=noise1, wgsl="osc_noise({0})", wgsl4="osc_noise4({0})"),
    Opcode(
        name="hash", args=(F32, F32), result=F32, numpy=hash01, wgsl="osc_hash({0}, {1})", wgsl4="osc_hash4({0}, {1})"
    ),
    Opcode(
        name="hsv_r",
        args=(F32, F32, F32),
        result=F32,
        numpy=lambda h, s, v: hsv2rgb(h, s, v)[0],
        wgsl="osc_hsv2rgb({0}, {1}, {2}).x",
        wgsl4=_HSV_VEC4,
    ),
    Opcode(
        name="hsv_g",
        args=(F32, F32, F32),
        result=F32,
        numpy=lambda h, s, v: hsv2rgb(h, s, v)[1],
        wgsl="osc_hsv2rgb({0}, {1}, {2}).y",
        wgsl4=_HSV_VEC4,
    ),
    Opcode(
        name="hsv_b",
        args=(F32, F32, F32),
        result=F32,
        numpy=lambda h, s, v: hsv2rgb(h, s, v)[2],
        wgsl="osc_hsv2rgb({0}, {1}, {2}).z",
        wgsl4=_HSV_VEC4,
    ),
    # logarithms, powers, inverse trigonometry (docs/language/functions.md#domains): edge cases as in the prelude
    Opcode(name="log", args=(F32,), result=F32, numpy=_log_of(np.log), wgsl="osc_log({0})", wgsl4="osc_log4({0})"),
    Opcode(name="log2", args=(F32,), result=F32, numpy=_log_of(np.log2), wgsl="osc_log2({0})", wgsl4="osc_log24({0})"),
    Opcode(name="exp2", args=(F32,), result=F32, numpy=lambda a: np.exp2(_f(a)), wgsl="exp2({0})", wgsl4="exp2({0})"),
    Opcode(name="pow", args=(F32, F32), result=F32, numpy=_pow, wgsl="osc_pow({0}, {1})", wgsl4="osc_pow4({0}, {1})"),
    Opcode(
        name="inversesqrt",
        args=(F32,),
        result=F32,
        numpy=_inversesqrt,
        wgsl="osc_inversesqrt({0})",
        wgsl4="osc_inversesqrt4({0})",
    ),
    Opcode(name="sign", args=(F32,), result=F32, numpy=lambda a: np.sign(_f(a)), wgsl="sign({0})", wgsl4="sign({0})"),
    Opcode(
        name="asin", args=(F32,), result=F32, numpy=_in_unit(np.arcsin), wgsl="osc_asin({0})", wgsl4="osc_asin4({0})"
    ),
    Opcode(
        name="acos", args=(F32,), result=F32, numpy=_in_unit(np.arccos), wgsl="osc_acos({0})", wgsl4="osc_acos4({0})"
    ),
    Opcode(name="atan", args=(F32,), result=F32, numpy=lambda a: np.arctan(_f(a)), wgsl="atan({0})", wgsl4="atan({0})"),
    Opcode(name="sinh", args=(F32,), result=F32, numpy=lambda a: np.sinh(_f(a)), wgsl="sinh({0})", wgsl4="sinh({0})"),
    Opcode(name="cosh", args=(F32,), result=F32, numpy=lambda a: np.cosh(_f(a)), wgsl="cosh({0})", wgsl4="cosh({0})"),
    Opcode(
        name="tanh",
        args=(F32,),
        result=F32,
        numpy=lambda a: np.tanh(_f(a)),
        wgsl="osc_tanh({0})",
        wgsl4="osc_tanh4({0})",
    ),
    # comparisons and selection
    Opcode(
        name="lt",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) < _f(b)).astype(np.uint32),
        wgsl="u32({0} < {1})",
        wgsl4="vec4<u32>({0} < {1})",
    ),
    Opcode(
        name="ge",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) >= _f(b)).astype(np.uint32),
        wgsl="u32({0} >= {1})",
        wgsl4="vec4<u32>({0} >= {1})",
    ),
    Opcode(
        name="le",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) <= _f(b)).astype(np.uint32),
        wgsl="u32({0} <= {1})",
        wgsl4="vec4<u32>({0} <= {1})",
    ),
    Opcode(
        name="gt",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) > _f(b)).astype(np.uint32),
        wgsl="u32({0} > {1})",
        wgsl4="vec4<u32>({0} > {1})",
    ),
    Opcode(
        name="eq",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) == _f(b)).astype(np.uint32),
        wgsl="u32({0} == {1})",
        wgsl4="vec4<u32>({0} == {1})",
    ),
    Opcode(
        name="ne",
        args=(F32, F32),
        result=U32,
        numpy=lambda a, b: (_f(a) != _f(b)).astype(np.uint32),
        wgsl="u32({0} != {1})",
        wgsl4="vec4<u32>({0} != {1})",
    ),
    Opcode(
        name="lt_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) < _i(b)).astype(np.uint32),
        wgsl="u32({0} < {1})",
        wgsl4="vec4<u32>({0} < {1})",
    ),
    Opcode(
        name="le_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) <= _i(b)).astype(np.uint32),
        wgsl="u32({0} <= {1})",
        wgsl4="vec4<u32>({0} <= {1})",
    ),
    Opcode(
        name="gt_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) > _i(b)).astype(np.uint32),
        wgsl="u32({0} > {1})",
        wgsl4="vec4<u32>({0} > {1})",
    ),
    Opcode(
        name="ge_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) >= _i(b)).astype(np.uint32),
        wgsl="u32({0} >= {1})",
        wgsl4="vec4<u32>({0} >= {1})",
    ),
    Opcode(
        name="eq_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) == _i(b)).astype(np.uint32),
        wgsl="u32({0} == {1})",
        wgsl4="vec4<u32>({0} == {1})",
    ),
    Opcode(
        name="ne_i",
        args=(I32, I32),
        result=U32,
        numpy=lambda a, b: (_i(a) != _i(b)).astype(np.uint32),
        wgsl="u32({0} != {1})",
        wgsl4="vec4<u32>({0} != {1})",
    ),
    Opcode(
        name="eq_b",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: (_u(a) == _u(b)).astype(np.uint32),
        wgsl="u32({0} == {1})",
        wgsl4="vec4<u32>({0} == {1})",
    ),
    Opcode(
        name="ne_b",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: (_u(a) != _u(b)).astype(np.uint32),
        wgsl="u32({0} != {1})",
        wgsl4="vec4<u32>({0} != {1})",
    ),
    Opcode(
        name="select",
        args=(U32, SAME, SAME),
        result=SAME,
        numpy=lambda c, a, b: np.where(np.asarray(c) != 0, a, b),
        wgsl="select({2}, {1}, {0} != 0u)",
        wgsl4="select({2}, {1}, {0} != vec4<u32>(0u))",
    ),
    # integer arithmetic
    Opcode(
        name="add_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: (_i(a) + _i(b)).astype(np.int32),
        wgsl="({0} + {1})",
        wgsl4="({0} + {1})",
    ),
    Opcode(
        name="mod_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: np.fmod(_i(a), _i(b)).astype(np.int32),
        wgsl="osc_mod_i({0}, {1})",
        wgsl4="osc_mod_i4({0}, {1})",
    ),
    Opcode(
        name="div_i",
        args=(I32, I32),
        result=I32,
        numpy=_div_trunc,
        wgsl="osc_div_i({0}, {1})",
        wgsl4="osc_div_i4({0}, {1})",
    ),
    Opcode(
        name="max_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: np.maximum(_i(a), _i(b)),
        wgsl="max({0}, {1})",
        wgsl4="max({0}, {1})",
    ),
    Opcode(
        name="min_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: np.minimum(_i(a), _i(b)),
        wgsl="min({0}, {1})",
        wgsl4="min({0}, {1})",
    ),
    Opcode(
        name="mul_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: (_i(a) * _i(b)).astype(np.int32),
        wgsl="({0} * {1})",
        wgsl4="({0} * {1})",
    ),
    Opcode(
        name="add_u",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: _u(a) + _u(b),
        wgsl="({0} + {1})",
        wgsl4="({0} + {1})",
    ),
    Opcode(
        name="sub_i",
        args=(I32, I32),
        result=I32,
        numpy=lambda a, b: (_i(a) - _i(b)).astype(np.int32),
        wgsl="({0} - {1})",
        wgsl4="({0} - {1})",
    ),
    Opcode(
        name="neg_i", args=(I32,), result=I32, numpy=lambda a: (-_i(a)).astype(np.int32), wgsl="(-{0})", wgsl4="(-{0})"
    ),
    Opcode(
        name="abs_i",
        args=(I32,),
        result=I32,
        numpy=lambda a: np.abs(_i(a)).astype(np.int32),
        wgsl="abs({0})",
        wgsl4="abs({0})",
    ),
    # bool / event logic
    Opcode(
        name="or_b",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: np.minimum(_u(a) + _u(b), np.uint32(1)),
        wgsl="min({0} + {1}, 1u)",
        wgsl4="min({0} + {1}, vec4<u32>(1u))",
    ),
    Opcode(
        name="and_b",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: _u(a) * _u(b),
        wgsl="({0} * {1})",
        wgsl4="({0} * {1})",
    ),
    Opcode(
        name="not_b",
        args=(U32,),
        result=U32,
        numpy=lambda a: np.uint32(1) - _u(a),
        wgsl="(1u - {0})",
        wgsl4="(vec4<u32>(1u) - {0})",
    ),
    # conversions
    Opcode(
        name="i2f",
        args=(I32,),
        result=F32,
        numpy=lambda a: _i(a).astype(np.float32),
        wgsl="f32({0})",
        wgsl4="vec4<f32>({0})",
    ),
    Opcode(
        name="b2f",
        args=(U32,),
        result=F32,
        numpy=lambda a: _u(a).astype(np.float32),
        wgsl="f32({0})",
        wgsl4="vec4<f32>({0})",
    ),
    # NaN gives 0 on both runtimes (oscilla/shaders/convert.wgsl; WGSL leaves it indeterminate)
    Opcode(
        name="f2i",
        args=(F32,),
        result=I32,
        numpy=_f2i,
        wgsl="osc_f2i({0})",
        wgsl4="osc_f2i4({0})",
        include="convert.wgsl",
    ),
    # hashing (u32 wrapping arithmetic)
    Opcode(name="pcg", args=(U32,), result=U32, numpy=pcg_hash, wgsl="osc_pcg({0})", wgsl4="osc_pcg4({0})"),
    Opcode(name="to01", args=(U32,), result=F32, numpy=to01, wgsl="osc_to01({0})", wgsl4="osc_to014({0})"),
    Opcode(name="bits", args=(F32,), result=U32, numpy=f32_bits, wgsl="osc_bits({0})", wgsl4="osc_bits4({0})"),
    Opcode(
        name="xor",
        args=(U32, U32),
        result=U32,
        numpy=lambda a, b: _u(a) ^ _u(b),
        wgsl="({0} ^ {1})",
        wgsl4="({0} ^ {1})",
    ),
    Opcode(name="i2u", args=(I32,), result=U32, numpy=_i2u, wgsl="bitcast<u32>({0})", wgsl4="bitcast<vec4<u32>>({0})"),
    # gradient noise (docs/language/hashing-and-noise.md#gradient-noise): (x, y[, z], seed) -> f32
    Opcode(
        name="noise2",
        args=(F32, F32, U32),
        result=F32,
        numpy=noise2,
        wgsl="osc_noise2({0}, {1}, {2})",
        wgsl4="osc_noise24({0}, {1}, {2})",
        include=NOISE_WGSL,
    ),
    Opcode(
        name="noise2_dx",
        args=(F32, F32, U32),
        result=F32,
        numpy=lambda x, y, seed: gradient_noise2(x, y, seed)[1],
        wgsl="osc_gnoise2({0}, {1}, {2}).y",
        wgsl4="osc_noise2_dx4({0}, {1}, {2})",
        include=NOISE_WGSL,
    ),
    Opcode(
        name="noise2_dy",
        args=(F32, F32, U32),
        result=F32,
        numpy=lambda x, y, seed: gradient_noise2(x, y, seed)[2],
        wgsl="osc_gnoise2({0}, {1}, {2}).z",
        wgsl4="osc_noise2_dy4({0}, {1}, {2})",
        include=NOISE_WGSL,
    ),
    Opcode(
        name="noise3",
        args=(F32, F32, F32, U32),
        result=F32,
        numpy=noise3,
        wgsl="osc_noise3({0}, {1}, {2}, {3})",
        wgsl4="osc_noise34({0}, {1}, {2}, {3})",
        include=NOISE_WGSL,
    ),
)


def evaluate(op: str, dtype: str, args: list[np.ndarray]) -> np.ndarray:
    """Evaluate the pure op ``op`` on numpy arguments (scalars or lane arrays, one per argument of
    its signature); the result has numpy dtype ``dtype`` (``"f32"``, ``"i32"`` or ``"u32"``) and the
    broadcast shape of the arguments. Floating-point warnings are silenced (NaN/inf propagate as
    on the GPU). Raises KeyError for a name that is not a pure op."""
    with np.errstate(all="ignore"):
        out = OPCODES[op].numpy(*args)
    return np.asarray(out, dtype=NP_DTYPE[dtype])
