"""The bench patch as an NVIDIA Warp kernel, on ``device="cpu"`` (Warp runs CPU kernels on one
thread) or ``"cuda"`` when a CUDA device is present. float32 values, uint32 hashes (Warp's unsigned
arithmetic wraps); the colour is a ``vec4`` array, the positions a ``vec3`` array.
"""

from __future__ import annotations

import numpy as np

from peers import NOISE_SCALE, ONE_MINUS_ULP, SAT, SMOOTHING, VAL, Outputs, PhaseClock, grid_side, id01_step
from peers._install import not_installed

_KERNELS: tuple | None = None


def missing(device: str) -> str | None:
    why = not_installed("warp", "warp-lang")
    if why is not None or device == "cpu":
        return why
    wp = _warp()
    if device == "cuda" and wp.is_cuda_available():
        return None
    return f"n/a: no {device} device"


def make(device: str) -> WarpPeer:
    return WarpPeer(device)


def _warp():
    """warp, initialized once, without its start-up banner (warnings still print)."""
    import warp as wp

    wp.config.log_level = wp.LOG_WARNING
    wp.config.quiet = True
    wp.init()
    return wp


def _kernels() -> tuple:
    """The Warp functions and kernels, defined once per process (Warp compiles a module on first launch)."""
    global _KERNELS
    if _KERNELS is not None:
        return _KERNELS
    wp = _warp()
    pcg_mul = wp.constant(wp.uint32(747796405))
    pcg_inc = wp.constant(wp.uint32(2891336453))
    pcg_word = wp.constant(wp.uint32(277803737))
    one_minus_ulp = wp.constant(float(ONE_MINUS_ULP))
    noise_scale = wp.constant(float(NOISE_SCALE))
    smoothing = wp.constant(float(SMOOTHING))
    sat_c = wp.constant(float(SAT))
    val_c = wp.constant(float(VAL))

    @wp.func
    def pcg_hash(u: wp.uint32) -> wp.uint32:
        state = u * pcg_mul + pcg_inc
        word = ((state >> ((state >> wp.uint32(28)) + wp.uint32(4))) ^ state) * pcg_word
        return (word >> wp.uint32(22)) ^ word

    @wp.func
    def to01(h: wp.uint32) -> float:
        return float(h >> wp.uint32(8)) * (1.0 / 16777216.0)

    @wp.func
    def frac(x: float) -> float:
        return wp.min(x - wp.floor(x), one_minus_ulp)

    @wp.kernel
    def frame(
        lag: wp.array(dtype=float),
        color: wp.array(dtype=wp.vec4),
        phase: float,
        id01_step: float,
        n_is_1: int,
    ):
        i = wp.tid()
        fi = float(i)
        x = fi * noise_scale + phase
        k = wp.floor(x)
        f = x - k
        ku = wp.uint32(wp.int32(k))
        h0 = to01(pcg_hash(ku))
        h1 = to01(pcg_hash(ku + wp.uint32(1)))
        u = f * f * (3.0 - 2.0 * f)
        target = h0 + (h1 - h0) * u
        y = lag[i] * (1.0 - smoothing) + target * smoothing
        lag[i] = y
        id01 = fi * id01_step
        if n_is_1 != 0:
            id01 = 0.5
        sat = wp.max(0.0, wp.min(1.0, sat_c))
        val = wp.max(0.0, wp.min(1.0, val_c))
        c = val * sat
        h6 = 6.0 * frac(id01 + phase)
        xx = c * (1.0 - wp.abs((h6 - 2.0 * wp.floor(h6 / 2.0)) - 1.0))
        m = val - c
        sector = wp.min(wp.floor(h6), 5.0)
        r = c
        g = xx
        b = 0.0
        if sector == 1.0:
            r = xx
            g = c
        elif sector == 2.0:
            r = 0.0
            g = c
            b = xx
        elif sector == 3.0:
            r = 0.0
            g = xx
            b = c
        elif sector == 4.0:
            r = xx
            g = 0.0
            b = c
        elif sector == 5.0:
            g = 0.0
            b = xx
        color[i] = wp.vec4(r + m, g + m, b + m, 1.0)

    @wp.kernel
    def grid(position: wp.array(dtype=wp.vec3), side: int):
        i = wp.tid()
        col = i % side
        row = (i // side) % side
        position[i] = wp.vec3((float(col) + 0.5) / float(side), (float(row) + 0.5) / float(side), 0.0)

    _KERNELS = (wp, frame, grid)
    return _KERNELS


class WarpPeer:
    """The bench patch in Warp on ``device`` ("cpu" or "cuda"; see the package docstring for the formulas)."""

    def __init__(self, device: str):
        self.wp, self._frame, self._grid = _kernels()
        self.device = device

    def setup(self, n: int) -> None:
        wp = self.wp
        self.n = n
        self.clock = PhaseClock()
        self.args = (float(id01_step(n)), int(n == 1))
        self.lag = wp.zeros(n, dtype=float, device=self.device)
        self.color = wp.zeros(n, dtype=wp.vec4, device=self.device)
        self.position = wp.zeros(n, dtype=wp.vec3, device=self.device)
        wp.launch(self._grid, dim=n, inputs=[self.position, grid_side(n)], device=self.device)

    def step(self, t_ms: float) -> None:
        phase = float(self.clock.phase_a(t_ms))
        self.wp.launch(self._frame, dim=self.n, inputs=[self.lag, self.color, phase, *self.args], device=self.device)

    def sync(self) -> None:
        self.wp.synchronize_device(self.device)

    def outputs(self) -> Outputs:
        lag = np.array(self.lag.numpy(), dtype=np.float32)
        return Outputs(lag, np.array(self.color.numpy()), np.array(self.position.numpy()), lag.copy())
