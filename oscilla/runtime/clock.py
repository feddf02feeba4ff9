"""Host-side time resolution in float64 (docs/language/time.md#time-resolution, #time-roots) and frame-uniform bytes.

T = max(tAbs, prev) never decreases; dt = 0 on the first frame. For a period P the cycle count is
c = floor(T/P) and the phase T/P - c; a wrap fires when not first and c grew (once, however many
cycles a frame skipped). Phases go to the GPU as f32 and a phase that rounds to 1.0 becomes
0.99999994, so every phase is in [0, 1).

The model depends on the root type (:class:`TimeRootSpec.type`):

* InfiniteTimeRoot: tMs = T; phaseA/phaseB with periods A and B; pulse every frame; wrapA/wrapB.
* CyclicTimeRoot: tMs = T; ``phase`` = frac(T/P) (loop) or the triangle 2w / 2 - 2w with
  w = frac(T/2P) (pingpong); ``wrap`` fires at every turn (every P), in both modes.
* FiniteTimeRoot: tMs = min(T, D); dt = tMs - previous tMs; progress = tMs/D; ``ended`` fires on
  the first frame with T >= D (frame 0 included), once per time state (until ``reset``).

The frame uniform (:data:`oscilla.abi.uniforms.FRAME_UNIFORMS`, 320 bytes; its WGSL struct is
generated from the same declaration) is a 64-byte time header followed by ``ext``: up to
:data:`MAX_CHANNELS` external channel values (docs/language/external-channels.md#channels), one f32 each, at the dense
channel index the compiler assigned (``CompiledProgram.channels``). It is packed by member name.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from oscilla.abi.uniforms import FRAME_UNIFORMS, MAX_CHANNELS
from oscilla.program import TimeRootSpec

ONE_MINUS_ULP = float(np.float32(0.99999994))

#: bytes of the frame uniform (FRAME_UNIFORMS.size, 320)
UNIFORM_SIZE = FRAME_UNIFORMS.size
#: byte offset of the external channels (``ext``) in the frame uniform: the time header's size (64)
HEADER_SIZE = FRAME_UNIFORMS.offsets["ext"]


def phase_f32(t: float, period: float) -> tuple[float, int]:
    """(phase as the f32 the GPU sees, cycle count) of time ``t`` ms for ``period`` ms."""
    x = t / period
    c = math.floor(x)
    p = float(np.float32(x - c))
    return (ONE_MINUS_ULP if p >= 1.0 else p), c


def pingpong_f32(t: float, period: float) -> float:
    """CyclicTimeRoot pingpong phase of ``t`` ms: w = frac(T/2P); 2w if w < 0.5 else 2 - 2w,
    rounded to f32 and kept below 1."""
    half = t / period / 2.0
    w = half - math.floor(half)
    p = float(np.float32(2.0 * w if w < 0.5 else 2.0 - 2.0 * w))
    return ONE_MINUS_ULP if p >= 1.0 else p


@dataclass(frozen=True)
class FrameTime:
    """One frame's resolved time: tMs and dt in ms, phases in [0,1), events as bools.

    Only the outputs of the program's root type are meaningful; the others stay 0 / False.
    """

    frame: int
    t_ms: float
    dt: float
    phase_a: float = 0.0
    phase_b: float = 0.0
    pulse: bool = False
    wrap_a: bool = False
    wrap_b: bool = False
    phase: float = 0.0  # CyclicTimeRoot.phase
    progress: float = 0.0  # FiniteTimeRoot.progress
    wrap: bool = False  # CyclicTimeRoot.wrap
    ended: bool = False  # FiniteTimeRoot.ended

    def header(self) -> dict[str, float | int]:
        """The FrameUniforms time header by member name (:data:`oscilla.abi.uniforms.FRAME_UNIFORMS`):
        times and phases as floats, events as 0/1; ``opaque_zero`` and the pads stay 0."""
        return {
            "t_ms": self.t_ms,
            "dt": self.dt,
            "phase_a": self.phase_a,
            "phase_b": self.phase_b,
            "pulse": int(self.pulse),
            "wrap_a": int(self.wrap_a),
            "wrap_b": int(self.wrap_b),
            "frame": self.frame & 0xFFFFFFFF,
            "wrap": int(self.wrap),
            "ended": int(self.ended),
            "phase": self.phase,
            "progress": self.progress,
        }

    def uniform_bytes(self) -> bytes:
        """The whole FrameUniforms struct (:data:`UNIFORM_SIZE` bytes) with every external
        channel at 0. The runtimes use :class:`FrameUniforms` instead, which also carries the
        channels and allocates nothing per frame."""
        return FRAME_UNIFORMS.pack(**self.header())

    def value(self, name: str) -> float | bool:
        """The frame input named as in the IR's ``time`` op (tMs, dt, phaseA, ..., ended): a float
        time or phase, or a bool event.

        Raises:
            KeyError: for a name that is not a frame input.
        """
        return {
            "tMs": self.t_ms,
            "dt": self.dt,
            "phaseA": self.phase_a,
            "phaseB": self.phase_b,
            "pulse": self.pulse,
            "wrapA": self.wrap_a,
            "wrapB": self.wrap_b,
            "phase": self.phase,
            "progress": self.progress,
            "wrap": self.wrap,
            "ended": self.ended,
        }[name]


class TimeModel:
    """The monotonic time state of one runtime: ``prev``, ``first``, the cycle counts and whether
    FiniteTimeRoot's ``ended`` already fired. The formulas depend on the root type of ``spec``."""

    def __init__(self, spec: TimeRootSpec):
        self.spec = spec
        self.reset()

    def reset(self) -> None:
        """Back to frame 0: prev = 0, first = true."""
        self.prev = 0.0
        self.first = True
        self.frame = 0
        self.cycles_a = 0
        self.cycles_b = 0
        self.cycles = 0  # CyclicTimeRoot
        self.ended_fired = False  # FiniteTimeRoot

    def continued(self, spec: TimeRootSpec) -> TimeModel:
        """A model for a (hot-swapped) time root ``spec`` that continues this one: same T, frame
        count and first-frame flag, with cycle counts recomputed for the new periods so the next
        frame fires no false wrap."""
        m = TimeModel(spec)
        m.prev, m.first, m.frame = self.prev, self.first, self.frame
        if not self.first:
            m.cycles_a = math.floor(self.prev / spec.period_a_ms)
            m.cycles_b = math.floor(self.prev / spec.period_b_ms)
            m.cycles = math.floor(self.prev / spec.period_ms)
            m.ended_fired = self.ended_fired if spec.type == self.spec.type else self.prev >= spec.duration_ms
        return m

    def resolve(self, t_abs: float) -> FrameTime:
        """Resolve absolute time ``t_abs`` (ms, float64) into this frame's FrameTime."""
        t_abs = float(t_abs)
        if not math.isfinite(t_abs):
            t_abs = self.prev
        t = max(t_abs, self.prev)
        kind = self.spec.type
        if kind == "FiniteTimeRoot":
            ft = self._finite(t)
        elif kind == "CyclicTimeRoot":
            ft = self._cyclic(t)
        else:
            ft = self._infinite(t)
        self.prev, self.first = t, False
        self.frame += 1
        return ft

    def _infinite(self, t: float) -> FrameTime:
        dt = 0.0 if self.first else t - self.prev
        pa, ca = phase_f32(t, self.spec.period_a_ms)
        pb, cb = phase_f32(t, self.spec.period_b_ms)
        wrap_a = (not self.first) and ca > self.cycles_a
        wrap_b = (not self.first) and cb > self.cycles_b
        self.cycles_a, self.cycles_b = ca, cb
        return FrameTime(self.frame, t, dt, pa, pb, True, wrap_a, wrap_b)

    def _cyclic(self, t: float) -> FrameTime:
        period = self.spec.period_ms
        dt = 0.0 if self.first else t - self.prev
        loop, c = phase_f32(t, period)
        phase = pingpong_f32(t, period) if self.spec.mode == "pingpong" else loop
        wrap = (not self.first) and c > self.cycles
        self.cycles = c
        return FrameTime(self.frame, t, dt, phase=phase, wrap=wrap)

    def _finite(self, t: float) -> FrameTime:
        d = self.spec.duration_ms
        t_ms = min(t, d)
        dt = 0.0 if self.first else t_ms - min(self.prev, d)
        ended = t >= d and not self.ended_fired
        self.ended_fired = self.ended_fired or ended
        return FrameTime(self.frame, t_ms, dt, progress=float(np.float32(t_ms / d)), ended=ended)


class FrameUniforms:
    """The host copy of the FrameUniforms struct of one runtime, built once.

    ``set_input`` keeps every channel ever set (``values``, docs/language/external-channels.md#channels: a value
    persists; a channel never set reads 0) and writes the ones the program reads straight into the ``ext``
    view of the struct; ``pack`` writes a frame's time header in place. So a frame's upload is the
    channel snapshot of the moment ``step`` began, and nothing is allocated per frame.
    """

    def __init__(self, channels: tuple[str, ...] = ()):
        self.data = bytearray(UNIFORM_SIZE)
        self._record = FRAME_UNIFORMS.view(self.data)
        #: the external channel values as the GPU sees them (f32, index = channel index): a flat
        #: view of ``ext`` (MAX_CHANNELS / 4 vec4s) inside ``data``
        self.ext = self._record["ext"].reshape(MAX_CHANNELS)
        self.values: dict[str, float] = {}
        self.bind(channels)

    def bind(self, channels: tuple[str, ...]) -> None:
        """Use the channel index of a (new) program; values set earlier carry over."""
        assert len(channels) <= MAX_CHANNELS, len(channels)
        self.index = {name: i for i, name in enumerate(channels)}
        self.ext[:] = 0.0
        for name, i in self.index.items():
            self.ext[i] = self.values.get(name, 0.0)

    def set_input(self, name: str, value: float) -> None:
        v = float(value)
        self.values[name] = v
        i = self.index.get(name)
        if i is not None:
            self.ext[i] = v

    def pack(self, ft: FrameTime) -> bytearray:
        """Write ``ft`` into the time header; returns the whole struct (the buffer to upload)."""
        record = self._record
        for name, value in ft.header().items():
            record[name] = value
        return self.data
