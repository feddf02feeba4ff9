"""The bench patch as one numba ``@njit(parallel=True)`` loop over the lanes (``prange``; numba's
threads, as many as cores by default), float32 values, no fastmath.

numba types integer arithmetic on 64 bits, so the 32-bit PCG hash is computed on uint64 values
masked to 32 bits after each multiply and add.

Threads: numba's own ``workqueue`` pool unless ``NUMBA_THREADING_LAYER`` says otherwise. The
default choice on Linux, GNU OpenMP, took a flat 8.0 ms per call at any lane count (1,000 to
1,000,000) on the 2-core VM of docs/performance.md: its workers spin, then sleep, and waking them
cost more than the work. ``OMP_WAIT_POLICY=passive`` gave 6.5 ms at 1M lanes, ``active`` 3.4 ms,
but active workers keep spinning after each call and would take the cores of whatever is timed next.
"""

from __future__ import annotations

import os

import numpy as np

from peers import NOISE_SCALE, ONE_MINUS_ULP, SAT, SMOOTHING, VAL, Outputs, PhaseClock, grid_side, id01_step
from peers._install import not_installed

F32 = np.float32


def missing(device: str) -> str | None:
    if device != "cpu":
        return f"n/a: this peer runs numba on the cpu only, not {device!r}"
    return not_installed("numba", "numba")


def make(device: str) -> NumbaPeer:
    return NumbaPeer()


def _kernels():
    """Compile-on-first-call kernels (numba is imported only when the peer is made)."""
    import numba
    from numba import prange

    if not os.environ.get("NUMBA_THREADING_LAYER"):
        numba.config.THREADING_LAYER = "workqueue"

    mask = np.uint64(0xFFFFFFFF)

    @numba.njit(inline="always")
    def pcg_hash(u):
        state = (u * np.uint64(747796405) + np.uint64(2891336453)) & mask
        word = (((state >> ((state >> np.uint64(28)) + np.uint64(4))) ^ state) * np.uint64(277803737)) & mask
        return (word >> np.uint64(22)) ^ word

    @numba.njit(inline="always")
    def to01(h):
        return F32(h >> np.uint64(8)) * F32(1.0 / 16777216.0)

    @numba.njit(inline="always")
    def frac(x):
        return min(x - F32(np.floor(x)), ONE_MINUS_ULP)

    @numba.njit(parallel=True)
    def frame(lag, color, phase, id01_step, n_is_1):
        for i in prange(lag.shape[0]):
            fi = F32(i)
            x = fi * NOISE_SCALE + phase
            k = F32(np.floor(x))
            f = x - k
            ku = np.uint64(np.int64(k) & np.int64(0xFFFFFFFF))
            h0 = to01(pcg_hash(ku))
            h1 = to01(pcg_hash((ku + np.uint64(1)) & mask))
            u = f * f * (F32(3.0) - F32(2.0) * f)
            target = h0 + (h1 - h0) * u
            lag[i] = lag[i] * (F32(1.0) - SMOOTHING) + target * SMOOTHING
            # HueFromPhase -> HsvToRgb (sat 1, val 1: clamps of constants)
            id01 = F32(0.5) if n_is_1 else fi * id01_step
            sat = min(max(SAT, F32(0.0)), F32(1.0))
            val = min(max(VAL, F32(0.0)), F32(1.0))
            c = val * sat
            h6 = F32(6.0) * frac(id01 + phase)
            xx = c * (F32(1.0) - abs((h6 - F32(2.0) * F32(np.floor(h6 / F32(2.0)))) - F32(1.0)))
            m = val - c
            sector = min(F32(np.floor(h6)), F32(5.0))
            r, g, b = c, xx, F32(0.0)
            if sector == 1:
                r, g, b = xx, c, F32(0.0)
            elif sector == 2:
                r, g, b = F32(0.0), c, xx
            elif sector == 3:
                r, g, b = F32(0.0), xx, c
            elif sector == 4:
                r, g, b = xx, F32(0.0), c
            elif sector == 5:
                r, g, b = c, F32(0.0), xx
            color[i, 0] = r + m
            color[i, 1] = g + m
            color[i, 2] = b + m
            color[i, 3] = F32(1.0)

    @numba.njit(parallel=True)
    def grid(position, side):
        for i in prange(position.shape[0]):
            col = i % side
            row = (i // side) % side
            position[i, 0] = (F32(col) + F32(0.5)) / F32(side)
            position[i, 1] = (F32(row) + F32(0.5)) / F32(side)
            position[i, 2] = F32(0.0)

    return frame, grid


class NumbaPeer:
    """The bench patch in numba (see the package docstring for the formulas)."""

    def __init__(self) -> None:
        self._frame, self._grid = _kernels()

    def setup(self, n: int) -> None:
        self.clock = PhaseClock()
        self.n_is_1 = n == 1
        self.id01_step = id01_step(n)
        self.lag = np.zeros(n, F32)
        self.color = np.zeros((n, 4), F32)
        self.position = np.zeros((n, 3), F32)
        self._grid(self.position, grid_side(n))

    def step(self, t_ms: float) -> None:
        self._frame(self.lag, self.color, self.clock.phase_a(t_ms), self.id01_step, self.n_is_1)

    def sync(self) -> None:
        pass

    def outputs(self) -> Outputs:
        return Outputs(self.lag.copy(), self.color.copy(), self.position.copy(), self.lag.copy())
