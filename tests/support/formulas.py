"""Independent numpy implementations of the formulas of docs/language/hashing-and-noise.md and
docs/language/functions.md.

Written from the spec text only; nothing here imports oscilla. Everything is float32 / uint32 /
int32 like the GPU, so hashes can be compared bit for bit.
"""

from __future__ import annotations

import math

import numpy as np

F32 = np.float32
U32 = np.uint32
ONE_MINUS_ULP = np.nextafter(F32(1.0), F32(0.0))  # 0.99999994, the largest f32 below 1
GOLDEN_ADD = 0x9E3779B9
GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))  # 2.399963229728653
TWO_PI = 2.0 * math.pi


def f32(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float32)


def u32(x) -> np.ndarray:
    """Integers (python ints, int32 arrays, negative values) as uint32 by two's complement."""
    a = np.asarray(x)
    if a.dtype.kind == "f":
        raise TypeError("u32() of a float; use bits()")
    return (a.astype(np.int64) & 0xFFFFFFFF).astype(np.uint32)


def pcg_hash(u) -> np.ndarray:
    """state = u*747796405 + 2891336453; word = ((state >> ((state >> 28) + 4)) ^ state) * 277803737;
    result = (word >> 22) ^ word, all mod 2^32."""
    u = np.asarray(u, dtype=np.uint64) & 0xFFFFFFFF
    state = (u * 747796405 + 2891336453) & 0xFFFFFFFF
    shift = (state >> 28) + 4
    word = (((state >> shift) ^ state) * 277803737) & 0xFFFFFFFF
    return ((word >> 22) ^ word).astype(np.uint32)


def to01(h) -> np.ndarray:
    """f32(h >> 8) / 16777216."""
    h = np.asarray(h, dtype=np.uint32)
    return ((h >> 8).astype(np.float64) / 16777216.0).astype(np.float32)


def bits(x) -> np.ndarray:
    """IEEE-754 pattern of f32(x), -0.0 canonicalised to 0."""
    a = np.array(x, dtype=np.float32, ndmin=1)
    b = a.view(np.uint32).copy()
    b[b == 0x80000000] = 0
    return b.reshape(np.shape(x))


def hash01(value, seed) -> np.ndarray:
    """Hash(value, seed) = to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed))))."""
    return to01(pcg_hash(bits(value) ^ pcg_hash(bits(seed))))


def random_id(i, seed=0) -> np.ndarray:
    """to01(pcg_hash(u32(i) ^ pcg_hash(u32(s) + 0x9E3779B9)))."""
    k = pcg_hash((u32(seed).astype(np.uint64) + GOLDEN_ADD) & 0xFFFFFFFF)
    return to01(pcg_hash(u32(i) ^ k))


def stable_id_hash(i, inst_seed=0, seed=0) -> np.ndarray:
    """StableIdHash.rand: randomId with the seed s_inst + seed (i32 wrapping add)."""
    s = ((int(inst_seed) + int(seed) + 2**31) % 2**32) - 2**31
    return random_id(i, s)


def noise(x) -> np.ndarray:
    """1-D value noise of docs/language/hashing-and-noise.md#noise."""
    x = f32(x)
    k = np.floor(x).astype(np.float32)
    f = (x - k).astype(np.float32)
    ki = np.clip(k.astype(np.float64), -(2**31), 2**31 - 1).astype(np.int64)
    ku = u32(ki)
    h0 = to01(pcg_hash(ku))
    h1 = to01(pcg_hash((ku.astype(np.uint64) + 1) & 0xFFFFFFFF))
    u = f * f * (F32(3.0) - F32(2.0) * f)
    return (h0 + (h1 - h0) * u).astype(np.float32)


def frac(x) -> np.ndarray:
    """min(x - floor(x), 0.99999994)."""
    x = f32(x)
    return np.minimum((x - np.floor(x)).astype(np.float32), ONE_MINUS_ULP)


wrap01 = frac


def mod(a, b) -> np.ndarray:
    """a - b*trunc(a/b) (truncated, sign of a)."""
    a, b = f32(a), f32(b)
    with np.errstate(all="ignore"):
        return (a - b * np.trunc(a / b)).astype(np.float32)


def modulo(a, b) -> np.ndarray:
    """a - b*floor(a/b) (floored, sign of b)."""
    a, b = f32(a), f32(b)
    with np.errstate(all="ignore"):
        return (a - b * np.floor(a / b)).astype(np.float32)


def clamp(x, lo, hi) -> np.ndarray:
    return np.maximum(f32(lo), np.minimum(f32(hi), f32(x)))


def lerp(a, b, t) -> np.ndarray:
    a, b, t = f32(a), f32(b), f32(t)
    return (a * (F32(1.0) - t) + b * t).astype(np.float32)


def normalized_index(n: int) -> np.ndarray:
    """f32(i) * f32(1/(N-1)); 0.5 for every lane when N = 1."""
    if n == 1:
        return np.full(1, 0.5, np.float32)
    r = F32(1.0 / (n - 1))
    return (np.arange(n, dtype=np.float32) * r).astype(np.float32)


def hsv2rgb(h, s, v) -> np.ndarray:
    """docs/language/functions.md#hsv2rgb; returns (..., 4) RGBA float32."""
    h, s, v = np.broadcast_arrays(f32(h), f32(s), f32(v))
    hp = frac(h)
    sp = clamp(s, 0, 1)
    vp = clamp(v, 0, 1)
    c = (vp * sp).astype(np.float32)
    h6 = (F32(6.0) * hp).astype(np.float32)
    x = c * (F32(1.0) - np.abs((h6 - F32(2.0) * np.floor(h6 / F32(2.0))) - F32(1.0)))
    m = vp - c
    k = np.minimum(np.floor(h6), 5).astype(int)
    z = np.zeros_like(c)
    table = [(c, x, z), (x, c, z), (z, c, x), (z, x, c), (x, z, c), (c, z, x)]
    out = np.zeros(h.shape + (4,), np.float32)
    for sector, (r, g, b) in enumerate(table):
        sel = k == sector
        out[..., 0] = np.where(sel, r + m, out[..., 0])
        out[..., 1] = np.where(sel, g + m, out[..., 1])
        out[..., 2] = np.where(sel, b + m, out[..., 2])
    out[..., 3] = 1.0
    return out


def oscillator(phase, mode: int, amplitude=1.0, offset=0.0) -> np.ndarray:
    """Oscillator: p = frac(phase); out = amplitude*w(p) + offset
    (docs/language/signal-and-math-blocks.md#oscillator)."""
    p = frac(phase).astype(np.float64)
    if mode == 0:
        w = np.sin(TWO_PI * p)
    elif mode == 1:
        w = 2 * p - 1
    elif mode == 2:
        w = np.where(p < 0.5, 1.0, -1.0)
    elif mode == 3:
        w = 2.0 * noise(f32(8.0) * f32(p)).astype(np.float64) - 1.0
    elif mode == 4:
        w = np.cos(TWO_PI * p)
    else:
        w = 4 * np.abs(p - 0.5) - 1
    return f32(np.asarray(amplitude, np.float64) * w + np.asarray(offset, np.float64))


def jitter(pos, rand, ax, ay, az) -> np.ndarray:
    """pos + ((2*H1-1)*ax, (2*H2-1)*ay, (2*H3-1)*az), H_k = Hash(rand, k)."""
    pos = np.asarray(pos, np.float64)
    d = [
        (2.0 * hash01(rand, F32(k)).astype(np.float64) - 1.0) * np.asarray(a, np.float64)
        for k, a in ((1, ax), (2, ay), (3, az))
    ]
    return pos + np.stack(np.broadcast_arrays(*d), axis=-1)


def close(actual, expected, tol: float = 1e-5) -> np.ndarray:
    """Elementwise |a - e| <= tol or <= tol*|e| (NaN == NaN counts as close)."""
    a = np.asarray(actual, np.float64)
    e = np.asarray(expected, np.float64)
    with np.errstate(invalid="ignore"):
        ok = np.abs(a - e) <= np.maximum(tol, tol * np.abs(e))
    return ok | (np.isnan(a) & np.isnan(e))


def assert_close(actual, expected, tol: float = 1e-5, what: str = "") -> None:
    a = np.asarray(actual, np.float64)
    e = np.asarray(expected, np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    ok = close(a, e, tol)
    if not ok.all():
        bad = np.argwhere(~ok)[:5]
        lines = [f"  at {tuple(ix)}: got {a[tuple(ix)]!r}, expected {e[tuple(ix)]!r}" for ix in bad]
        raise AssertionError(f"{what}: {int((~ok).sum())} of {ok.size} values off by > {tol}:\n" + "\n".join(lines))


def assert_mostly_close(actual, expected, tol: float = 1e-5, fraction: float = 0.995, what: str = "") -> None:
    """For values that went through GPU sin/cos/div before a hash: >= fraction of lanes close."""
    a = np.asarray(actual, np.float64)
    e = np.asarray(expected, np.float64)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    ok = close(a, e, tol)
    if ok.ndim > 1:
        ok = ok.all(axis=tuple(range(1, ok.ndim)))
    frac_ok = ok.mean()
    assert frac_ok >= fraction, f"{what}: only {frac_ok:.4%} of lanes within {tol}"


def assert_bits_equal(actual, expected, what: str = "") -> None:
    a = np.asarray(actual, np.float32)
    e = np.asarray(expected, np.float32)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != {e.shape}"
    ab, eb = a.view(np.uint32), e.view(np.uint32)
    if not np.array_equal(ab, eb):
        ix = np.argwhere(ab != eb)[:5]
        raise AssertionError(
            f"{what}: not bit-exact at {ix.tolist()}: got {a[tuple(ix[0])]!r} expected {e[tuple(ix[0])]!r}"
        )
