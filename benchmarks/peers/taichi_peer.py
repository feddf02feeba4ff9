"""The bench patch as a Taichi kernel on ``arch=ti.cpu`` (a parallel range-for over the lanes, as
many threads as cores by default), float32 values, u32 hashes, ``fast_math=False`` so the float
arithmetic is the IEEE float32 the spec names (as for the numba peer). Taichi is initialized once per
process, at the first :func:`make`. (No ``from __future__ import annotations`` here: Taichi reads
the kernels' annotations as objects.)
"""

import numpy as np

from peers import NOISE_SCALE, ONE_MINUS_ULP, SAT, SMOOTHING, VAL, Outputs, PhaseClock, grid_side, id01_step
from peers._install import not_installed

_KERNELS: tuple | None = None


def missing(device: str) -> "str | None":
    if device != "cpu":
        return f"n/a: this peer runs Taichi on the cpu only, not {device!r}"
    return not_installed("taichi", "taichi")


def make(device: str) -> "TaichiPeer":
    return TaichiPeer()


def _kernels() -> tuple:
    """Taichi (initialized on the cpu) and the kernels, once per process."""
    global _KERNELS
    if _KERNELS is not None:
        return _KERNELS
    import taichi as ti

    ti.init(arch=ti.cpu, fast_math=False, log_level=ti.WARN)
    one_minus_ulp = float(ONE_MINUS_ULP)
    noise_scale, smoothing, sat_c, val_c = float(NOISE_SCALE), float(SMOOTHING), float(SAT), float(VAL)

    @ti.func
    def pcg_hash(u):
        state = u * ti.u32(747796405) + ti.u32(2891336453)
        word = ((state >> ((state >> ti.u32(28)) + ti.u32(4))) ^ state) * ti.u32(277803737)
        return (word >> ti.u32(22)) ^ word

    @ti.func
    def to01(h):
        return ti.cast(h >> ti.u32(8), ti.f32) * ti.f32(1.0 / 16777216.0)

    @ti.func
    def frac(x):
        return ti.min(x - ti.floor(x), ti.f32(one_minus_ulp))

    @ti.kernel
    def frame(
        lag: ti.types.ndarray(dtype=ti.f32, ndim=1),
        color: ti.types.ndarray(dtype=ti.math.vec4, ndim=1),
        phase: ti.f32,
        id01_step: ti.f32,
        n_is_1: ti.i32,
    ):
        for i in range(lag.shape[0]):
            fi = ti.cast(i, ti.f32)
            x = fi * ti.f32(noise_scale) + phase
            k = ti.floor(x)
            f = x - k
            ku = ti.cast(ti.cast(k, ti.i32), ti.u32)
            h0 = to01(pcg_hash(ku))
            h1 = to01(pcg_hash(ku + ti.u32(1)))
            u = f * f * (ti.f32(3.0) - ti.f32(2.0) * f)
            target = h0 + (h1 - h0) * u
            lag[i] = lag[i] * (ti.f32(1.0) - ti.f32(smoothing)) + target * ti.f32(smoothing)
            id01 = fi * id01_step
            if n_is_1 != 0:
                id01 = ti.f32(0.5)
            sat = ti.max(ti.f32(0.0), ti.min(ti.f32(1.0), ti.f32(sat_c)))
            val = ti.max(ti.f32(0.0), ti.min(ti.f32(1.0), ti.f32(val_c)))
            c = val * sat
            h6 = ti.f32(6.0) * frac(id01 + phase)
            xx = c * (ti.f32(1.0) - ti.abs((h6 - ti.f32(2.0) * ti.floor(h6 / ti.f32(2.0))) - ti.f32(1.0)))
            m = val - c
            sector = ti.min(ti.floor(h6), ti.f32(5.0))
            r, g, b = c, xx, ti.f32(0.0)
            if sector == 1.0:
                r, g, b = xx, c, ti.f32(0.0)
            elif sector == 2.0:
                r, g, b = ti.f32(0.0), c, xx
            elif sector == 3.0:
                r, g, b = ti.f32(0.0), xx, c
            elif sector == 4.0:
                r, g, b = xx, ti.f32(0.0), c
            elif sector == 5.0:
                r, g, b = c, ti.f32(0.0), xx
            color[i] = ti.math.vec4(r + m, g + m, b + m, 1.0)

    @ti.kernel
    def grid(position: ti.types.ndarray(dtype=ti.math.vec3, ndim=1), side: ti.i32):
        for i in range(position.shape[0]):
            col = i % side
            row = (i // side) % side
            fs = ti.cast(side, ti.f32)
            position[i] = ti.math.vec3((ti.cast(col, ti.f32) + 0.5) / fs, (ti.cast(row, ti.f32) + 0.5) / fs, 0.0)

    _KERNELS = (ti, frame, grid)
    return _KERNELS


class TaichiPeer:
    """The bench patch in Taichi on the cpu (see the package docstring for the formulas)."""

    def __init__(self) -> None:
        self.ti, self._frame, self._grid = _kernels()

    def setup(self, n: int) -> None:
        ti = self.ti
        self.clock = PhaseClock()
        self.args = (float(id01_step(n)), int(n == 1))
        self.lag = ti.ndarray(ti.f32, shape=n)
        self.lag.fill(0.0)
        self.color = ti.Vector.ndarray(4, ti.f32, shape=n)
        self.position = ti.Vector.ndarray(3, ti.f32, shape=n)
        self._grid(self.position, grid_side(n))

    def step(self, t_ms: float) -> None:
        self._frame(self.lag, self.color, float(self.clock.phase_a(t_ms)), *self.args)

    def sync(self) -> None:
        self.ti.sync()

    def outputs(self) -> Outputs:
        lag = np.asarray(self.lag.to_numpy(), dtype=np.float32)
        color = np.asarray(self.color.to_numpy(), dtype=np.float32)
        position = np.asarray(self.position.to_numpy(), dtype=np.float32)
        return Outputs(lag, color, position, lag.copy())
