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

Inputs are checked before anything changes, so a bad one never leaves a runtime that cannot take its
next step: :func:`check_time` (``step``'s ``t_ms``: a real number, finite, at most :data:`MAX_T_MS`)
and :func:`check_channel_value` (``set_input``: a real number that fits f32) raise ValueError. Phases
stay finite for every period: when T/P overflows float64 (a period such as 1e-320 ms) the phase and
cycle count are computed exactly with rationals instead.

The frame uniform (:data:`oscilla.abi.uniforms.FRAME_UNIFORMS`, 320 bytes; its WGSL struct is
generated from the same declaration) is a 64-byte time header followed by ``ext``: up to
:data:`MAX_CHANNELS` external channel values (docs/language/external-channels.md#channels), one f32 each, at the dense
channel index the compiler assigned (``CompiledProgram.channels``). It is packed by member name.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from oscilla.abi.uniforms import FRAME_UNIFORMS, MAX_CHANNELS
from oscilla.program import ControlSpec, TimeRootSpec, channel_ranges

ONE_MINUS_ULP = float(np.float32(0.99999994))

#: bytes of the frame uniform (FRAME_UNIFORMS.size, 320)
UNIFORM_SIZE = FRAME_UNIFORMS.size
#: byte offset of the external channels (``ext``) in the frame uniform: the time header's size (64)
HEADER_SIZE = FRAME_UNIFORMS.offsets["ext"]


#: The largest ``t_ms`` that ``step`` accepts: 2**53 ms (about 285,000 years). The clock resolves
#: time in float64, which holds every whole millisecond exactly up to 2**53 (above it neighbouring
#: milliseconds collapse, so frames would repeat a time and dt would be wrong); tMs and dt then go to
#: the GPU as f32, which 2**53 fits with a huge margin (f32 overflows at 3.4e38: ``step(1e39)`` used
#: to write inf into the frame uniform). Phases are exact to f32 resolution for T/P < 2**29 and
#: degrade gracefully (quantized, never non-finite) above it (docs/language/time.md#phases).
MAX_T_MS = float(2**53)
#: the largest magnitude a channel value may have: the largest finite f32 (the GPU's copy is f32)
MAX_CHANNEL_VALUE = float(np.finfo(np.float32).max)

#: the channels the live window sets every frame (docs/language/external-channels.md#window-channels):
#: ``set_input`` does not warn about them when the running program does not read them
WINDOW_CHANNELS = frozenset(
    {
        "mouse.x",
        "mouse.y",
        "mouse.over",
        "mouse.button.left.held",
        "mouse.button.right.held",
        "mouse.button.left.down",
        "mouse.button.left.up",
        "mouse.button.right.down",
        "mouse.button.right.up",
        "mouse.wheel.dx",
        "mouse.wheel.dy",
    }
)


class InputTypeError(TypeError, ValueError):
    """A runtime argument of the wrong type (``step("100")``, ``set_input("k", "x")``): a TypeError,
    and a ValueError too, so ``except ValueError`` catches every bad argument of ``step`` and
    ``set_input``."""


class UnknownChannelWarning(UserWarning):
    """``set_input`` of a channel the running program does not read (issued once per channel name
    and runtime, with :func:`warnings.warn`); the value is kept for a program swapped in later."""


def _is_real(value: object) -> bool:
    """A real number that is not a bool: int, float, Fraction, numpy integer or floating scalar."""
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))


def check_time(t_ms: object) -> float:
    """``t_ms`` (ms) as a float after checking it: a real number (not a str or a bool), finite and
    at most :data:`MAX_T_MS`. A negative time is allowed (time never moves backwards: it repeats
    the previous frame's time).

    Raises:
        InputTypeError: (a TypeError and a ValueError) ``t_ms`` is not a real number.
        ValueError: ``t_ms`` is NaN, infinite or above :data:`MAX_T_MS`.
    """
    if not _is_real(t_ms):
        raise InputTypeError(
            f"step: t_ms must be a number of milliseconds, got {type(t_ms).__name__} {t_ms!r}; "
            f"pass an int or a float (e.g. step(1000.0))"
        )
    try:
        t = float(t_ms)  # type: ignore[arg-type]  # a numbers.Real converts to float
    except OverflowError:  # an int beyond the float range
        t = math.inf
    if not math.isfinite(t) or t > MAX_T_MS:
        raise ValueError(
            f"step: t_ms must be finite and at most {MAX_T_MS:.0f} ms (2**53, the largest time the "
            f"clock resolves to the millisecond in float64), got {t_ms!r}; the runtime is unchanged, "
            f"step again with a valid time (or reset() to start over)"
        )
    return t


def check_channel_value(name: object, value: object) -> float:
    """The value of external channel ``name`` as a float after checking it: a real number (a bool
    counts as 0 or 1) that is finite and fits f32 (magnitude at most :data:`MAX_CHANNEL_VALUE`).

    Raises:
        InputTypeError: (a TypeError and a ValueError) ``name`` is not a str or ``value`` is not a number.
        ValueError: ``value`` is NaN, infinite or beyond the f32 range.
    """
    if not isinstance(name, str):
        raise InputTypeError(f"set_input: the channel name must be a str, got {type(name).__name__} {name!r}")
    if isinstance(value, (bool, np.bool_)):
        return float(value)
    if not _is_real(value):
        raise InputTypeError(
            f"set_input: channel {name!r} needs a number, got {type(value).__name__} {value!r}; "
            f"channels are floats (docs/language/external-channels.md#channels)"
        )
    try:
        v = float(value)  # type: ignore[arg-type]  # a numbers.Real converts to float
    except OverflowError:
        v = math.inf
    if not math.isfinite(v) or abs(v) > MAX_CHANNEL_VALUE:
        raise ValueError(
            f"set_input: channel {name!r} needs a finite number within the f32 range "
            f"(|value| <= {MAX_CHANNEL_VALUE:.4g}), got {value!r}; the channel keeps its value"
        )
    return v


def _floor_frac(t: float, period: float) -> tuple[int, float]:
    """(floor(t/period), frac(t/period)) in float64; when t/period is not finite (a period so
    small that the quotient overflows) exactly, with rationals. A period that is zero or not finite
    gives (0, 0.0): there is no cycle to count."""
    x = t / period if period != 0.0 else math.nan
    if math.isfinite(x):
        c = math.floor(x)
        return c, x - c
    if period == 0.0 or not math.isfinite(period) or not math.isfinite(t):
        return 0, 0.0
    q = Fraction(t) / Fraction(period)
    c = math.floor(q)
    return c, float(q - c)


def phase_f32(t: float, period: float) -> tuple[float, int]:
    """(phase as the f32 the GPU sees, cycle count) of time ``t`` ms for ``period`` ms.

    Never raises for a finite ``t``: a period so small that t/period overflows float64 is handled
    exactly (see :func:`_floor_frac`)."""
    c, frac = _floor_frac(t, period)
    p = float(np.float32(frac))
    return (ONE_MINUS_ULP if p >= 1.0 else p), c


def cycle_count(t: float, period: float) -> int:
    """floor(t/period), exact where float64 division overflows."""
    return _floor_frac(t, period)[0]


def pingpong_f32(t: float, period: float) -> float:
    """CyclicTimeRoot pingpong phase of ``t`` ms: w = frac(T/2P); 2w if w < 0.5 else 2 - 2w,
    rounded to f32 and kept below 1."""
    half = t / period / 2.0 if period != 0.0 else math.nan
    if math.isfinite(half):
        w = half - math.floor(half)
    else:
        w = _floor_frac(t, 2.0 * period)[1] if math.isfinite(2.0 * period) else 0.0
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
            m.cycles_a = cycle_count(self.prev, spec.period_a_ms)
            m.cycles_b = cycle_count(self.prev, spec.period_b_ms)
            m.cycles = cycle_count(self.prev, spec.period_ms)
            m.ended_fired = self.ended_fired if spec.type == self.spec.type else self.prev >= spec.duration_ms
        return m

    def resolve(self, t_abs: float) -> FrameTime:
        """Resolve absolute time ``t_abs`` (ms, float64) into this frame's FrameTime.

        ``t_abs`` is checked (:func:`check_time`) before any state changes, so after an error the
        next valid time resolves as if the bad call never happened.

        Raises:
            InputTypeError: (a TypeError and a ValueError) ``t_abs`` is not a real number.
            ValueError: ``t_abs`` is not finite or above :data:`MAX_T_MS`.
        """
        t = max(check_time(t_abs), self.prev)
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
        self._warned: set[str] = set()  # unknown channel names already warned about
        self.bind(channels)

    def bind(self, channels: tuple[str, ...], controls: Sequence[ControlSpec] = ()) -> None:
        """Use the channel index and the declared controls of a (new) program; values set earlier
        carry over. A channel with a control (docs/guide/controls.md) reads the control's default
        until it is set, and its value is clamped to the control's range (from now on, and a value
        set earlier is clamped too)."""
        assert len(channels) <= MAX_CHANNELS, len(channels)
        self.index = {name: i for i, name in enumerate(channels)}
        self.ranges = channel_ranges(controls)
        for name, (lo, hi, _) in self.ranges.items():
            if name in self.values:
                self.values[name] = min(max(self.values[name], lo), hi)
        self.ext[:] = 0.0
        for name, i in self.index.items():
            r = self.ranges.get(name)
            self.ext[i] = self.values.get(name, r[2] if r is not None else 0.0)

    def set_input(self, name: str, value: float, *, stacklevel: int = 2) -> None:
        """Set channel ``name`` to ``value``; the program sees it from the next frame on. A channel
        with a declared control (docs/guide/controls.md) gets ``value`` clamped to the control's range.

        The value is checked first (:func:`check_channel_value`), so a bad one changes nothing. A
        channel the bound program does not read (and that is not one of :data:`WINDOW_CHANNELS`)
        is still kept, for a program swapped in later, and gets one :class:`UnknownChannelWarning`
        per name (``warnings.warn``; ``stacklevel`` as there, counted from this method: 2 is its caller).

        Raises:
            InputTypeError: (a TypeError and a ValueError) ``name`` is not a str or ``value`` is not a number.
            ValueError: ``value`` is NaN, infinite or beyond the f32 range.
        """
        v = check_channel_value(name, value)
        r = self.ranges.get(name)
        if r is not None:  # a declared control: its range bounds every value
            v = min(max(v, r[0]), r[1])
        self.values[name] = v
        i = self.index.get(name)
        if i is not None:
            self.ext[i] = v
        elif name not in WINDOW_CHANNELS and name not in self._warned:
            self._warned.add(name)
            known = ", ".join(sorted(self.index)) or "none"
            warnings.warn(
                f"set_input: the running program reads no channel {name!r} (it reads: {known}); the value "
                f"is kept for a program that reads it. Check the name of the ExternalInput block's channel "
                f"(this warning is given once per channel)",
                UnknownChannelWarning,
                stacklevel=stacklevel,
            )

    def pack(self, ft: FrameTime) -> bytearray:
        """Write ``ft`` into the time header; returns the whole struct (the buffer to upload)."""
        record = self._record
        for name, value in ft.header().items():
            record[name] = value
        return self.data
