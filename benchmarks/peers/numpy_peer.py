"""The bench patch in plain float32 numpy, one thread (numpy's element-wise loops do not thread).

Frame-invariant per-lane terms (f32(i)·0.001, the normalized index, the positions) are computed
once at :meth:`NumpyPeer.setup`, as a numpy programmer would; the colour's alpha is set once too.
"""

from __future__ import annotations

import numpy as np

from peers import NOISE_SCALE, ONE_MINUS_ULP, SAT, SMOOTHING, VAL, Outputs, PhaseClock, grid_side, id01_step

F32 = np.float32
U32 = np.uint32
#: per hsv2rgb sector k = 0..5, the weights of c and x in r, g and b (docs/language/functions.md#hsv2rgb)
_C_OF = np.array([[1, 0, 0, 0, 0, 1], [0, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 0]], dtype=F32)
_X_OF = np.array([[0, 1, 0, 0, 1, 0], [1, 0, 0, 1, 0, 0], [0, 0, 1, 0, 0, 1]], dtype=F32)


def missing(device: str) -> str | None:
    """None: numpy is a dependency of oscilla; only the cpu device exists."""
    return None if device == "cpu" else f"n/a: numpy has no device {device!r}"


def make(device: str) -> NumpyPeer:
    return NumpyPeer()


def pcg_hash(u: np.ndarray) -> np.ndarray:
    """PCG hash of uint32 lanes (wrapping arithmetic), uint32 out."""
    state = u * U32(747796405) + U32(2891336453)
    word = ((state >> ((state >> U32(28)) + U32(4))) ^ state) * U32(277803737)
    return (word >> U32(22)) ^ word


def to01(h: np.ndarray) -> np.ndarray:
    """f32(h >> 8) / 2^24, float32 in [0, 1)."""
    return (h >> U32(8)).astype(F32) * F32(1.0 / 16777216.0)


def frac(x: np.ndarray) -> np.ndarray:
    """min(x - floor(x), 0.99999994), float32."""
    return np.minimum(x - np.floor(x), ONE_MINUS_ULP)


def noise(x: np.ndarray) -> np.ndarray:
    """1-D value noise: smoothstep between the hashes of floor(x) and floor(x) + 1, float32.
    (The bench's x is in [0, 1001), so the saturating i32 conversion never saturates here.)"""
    k = np.floor(x)
    f = x - k
    ku = k.astype(np.int32).view(U32)
    h0 = to01(pcg_hash(ku))
    h1 = to01(pcg_hash(ku + U32(1)))
    u = f * f * (F32(3.0) - F32(2.0) * f)
    return h0 + (h1 - h0) * u


def hsv2rgb_into(out: np.ndarray, h: np.ndarray, s: np.float32, v: np.float32) -> None:
    """Write hsv2rgb(h, s, v) into ``out[:, 0:3]`` (float32, (N, 4)); alpha is left alone."""
    s = min(max(s, F32(0.0)), F32(1.0))
    v = min(max(v, F32(0.0)), F32(1.0))
    c = v * s
    h6 = F32(6.0) * frac(h)
    x = c * (F32(1.0) - np.abs((h6 - F32(2.0) * np.floor(h6 / F32(2.0))) - F32(1.0)))
    m = v - c
    k = np.minimum(np.floor(h6), F32(5.0)).astype(np.intp)
    for ch in range(3):
        out[:, ch] = _C_OF[ch][k] * c + _X_OF[ch][k] * x + m


class NumpyPeer:
    """The bench patch in float32 numpy (see the package docstring for the formulas)."""

    def setup(self, n: int) -> None:
        fi = np.arange(n, dtype=np.int32).astype(F32)
        self.clock = PhaseClock()
        self.x0 = fi * NOISE_SCALE
        self.id01 = fi * id01_step(n) if n > 1 else np.full(n, 0.5, F32)
        self.lag = np.zeros(n, F32)
        self.color = np.ones((n, 4), F32)
        side = grid_side(n)
        i = np.arange(n, dtype=np.int32)
        col, row = i % side, (i // side) % side
        self.position = np.zeros((n, 3), F32)
        self.position[:, 0] = (col.astype(F32) + F32(0.5)) / F32(side)
        self.position[:, 1] = (row.astype(F32) + F32(0.5)) / F32(side)

    def step(self, t_ms: float) -> None:
        phase = self.clock.phase_a(t_ms)
        target = noise(self.x0 + phase)
        self.lag *= F32(1.0) - SMOOTHING
        self.lag += target * SMOOTHING
        hsv2rgb_into(self.color, frac(self.id01 + phase), SAT, VAL)

    def sync(self) -> None:
        pass

    def outputs(self) -> Outputs:
        return Outputs(self.lag.copy(), self.color.copy(), self.position.copy(), self.lag.copy())
