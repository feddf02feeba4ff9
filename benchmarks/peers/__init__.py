"""The bench patch written by hand in other CPU/GPU frameworks ("peers"), for `make bench`.

The bench patch (``bench_patch`` of ``benchmarks/bench_runtime.py``) over N lanes, per frame at
time ``t_ms``, with phaseA from an InfiniteTimeRoot of period 3000 ms (the semantics are those of
docs/language/: time.md#phases, hashing-and-noise.md#noise, state-and-cycles.md for the Lag,
functions.md#frac and #hsv2rgb, fields-and-instances.md for normalizedIndex and GridLayout):

    x_i     = f32(i) * 0.001 + phaseA                          Multiply, Add
    n_i     = Noise(x_i)                                        1-D value noise of PCG lattice hashes
    lag_i   = lag_i * (1 - 0.2) + n_i * 0.2                     Lag(smoothing 0.2, initialValue 0)
    size_i  = lag_i                                             RenderInstances2D.size
    hue_i   = frac(f32(i) * f32(1/(N-1)) + phaseA)              Array.t -> HueFromPhase (phase = rail phaseA)
    color_i = hsv2rgb(hue_i, 1, 1) with alpha 1                 HsvToRgb
    pos_i   = ((col + 0.5)/C, (row + 0.5)/R, 0)                 GridLayout, C = R = isqrt(N),
                                                                col = i mod C, row = floor(i/C) mod R

Every peer keeps the Lag's state and its output in one float32 array (what hand-written code does;
oscilla's execution model commits the state in a separate Phase 2) and computes the positions once
at :meth:`Peer.setup` (oscilla computes frame-invariant fields once at creation too). Each peer
module exposes ``missing(device) -> str | None`` (why it cannot run here, None when it can) and
``make(device) -> Peer``, and needs only its framework and numpy; :data:`PEERS` lists them with
the package that the pip extra `bench` installs.
"""

from __future__ import annotations

import importlib
import math
from dataclasses import dataclass
from typing import NamedTuple, Protocol

import numpy as np

#: InfiniteTimeRoot.periodAMs of the bench patch (ms)
PERIOD_A_MS = 3000.0
#: Multiply.b: the noise coordinate advances 0.001 per lane
NOISE_SCALE = np.float32(0.001)
#: Lag.smoothing of the bench patch (per frame, not scaled by dt)
SMOOTHING = np.float32(0.2)
#: HsvToRgb's sat and val defaults
SAT = np.float32(1.0)
VAL = np.float32(1.0)
#: largest float32 below 1 (frac and the host phases never reach 1)
ONE_MINUS_ULP = np.float32(0.99999994)
#: the pip extra that installs every peer's framework
EXTRA = "bench"


class Outputs(NamedTuple):
    """One frame's values of a peer or of the reference, float32 numpy arrays:
    ``size`` (N,) world units, ``color`` (N, 4) RGBA in 0..1, ``position`` (N, 3) world units,
    ``lag_state`` (N,) the Lag's committed state."""

    size: np.ndarray
    color: np.ndarray
    position: np.ndarray
    lag_state: np.ndarray


class Peer(Protocol):
    """The common interface of the hand-written implementations."""

    def setup(self, n: int) -> None:
        """Allocate N lanes (N >= 1), compute the positions, set the Lag state to 0 and the clock to frame 0."""

    def step(self, t_ms: float) -> None:
        """Run one frame at ``t_ms`` ms (host time, float64); may return before an asynchronous device finishes."""

    def sync(self) -> None:
        """Wait until every frame stepped so far has finished (a no-op for synchronous peers)."""

    def outputs(self) -> Outputs:
        """The last frame's values copied to numpy (see :class:`Outputs`)."""


class PhaseClock:
    """The time root on the host (float64): T = max(t, previous T), phaseA = T/P - floor(T/P) as
    float32, a phase that rounds to 1.0 becoming 0.99999994."""

    def __init__(self, period_ms: float = PERIOD_A_MS):
        self.period_ms = period_ms
        self.prev = 0.0

    def reset(self) -> None:
        self.prev = 0.0

    def phase_a(self, t_ms: float) -> np.float32:
        """phaseA of the frame at ``t_ms`` ms, a float32 in [0, 1)."""
        t = max(float(t_ms), self.prev)
        self.prev = t
        c = t / self.period_ms
        p = np.float32(c - math.floor(c))
        return ONE_MINUS_ULP if p >= np.float32(1.0) else p


def grid_side(n: int) -> int:
    """Rows = cols of the bench patch's GridLayout for ``n`` lanes (isqrt(n), at least 1)."""
    return max(1, math.isqrt(n))


def id01_step(n: int) -> np.float32:
    """r_N = f32(1/(N-1)), the factor of normalizedIndex = f32(i) * r_N (N = 1 uses 0.5 instead)."""
    return np.float32(1.0 / (n - 1)) if n > 1 else np.float32(0.0)


@dataclass(frozen=True)
class PeerInfo:
    """A peer of the table: ``key`` (results JSON), ``label`` (table), ``module`` (under ``peers``)
    and the ``device`` argument of its ``make``."""

    key: str
    label: str
    module: str
    device: str

    def load(self) -> tuple[Peer | None, str]:
        """(a new peer, "") or (None, why it cannot run here: the extra to install, or no such device)."""
        mod = importlib.import_module(f"peers.{self.module}")
        why = mod.missing(self.device)
        if why is not None:
            return None, why
        return mod.make(self.device), ""


PEERS: tuple[PeerInfo, ...] = (
    PeerInfo("numpy", "hand-written float32 numpy, 1 thread", "numpy_peer", "cpu"),
    PeerInfo("numba", "numba @njit(parallel=True), workqueue threads", "numba_peer", "cpu"),
    PeerInfo("warp-cpu", "NVIDIA Warp, device=cpu", "warp_peer", "cpu"),
    PeerInfo("warp-cuda", "NVIDIA Warp, device=cuda", "warp_peer", "cuda"),
    PeerInfo("taichi-cpu", "Taichi, arch=cpu", "taichi_peer", "cpu"),
)
