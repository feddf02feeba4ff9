"""Continuity when a hot swap changes an instance's lane count (see docs/runtime/continuity.md).

Policies (from the original system), driven by model time only:
- position: the old-minus-new offset decays with time constant 120 ms;
- size: 120 ms; colour (r, g, b): 150 ms; opacity (alpha): 80 ms;
- newborn lanes (element ids the old program did not have) start at their new value.

Mechanism: at the swap, the runtime evaluates the new program's Phase 1 once at the last frame's
time (no Phase 2, so the migrated state is untouched) and takes, per lane, offset = old - new of
the rendered position, size and colour, old lanes matched by element id (seed + i). From the first
frame after the swap on, a continuity kernel writes ``new + offset · exp(-(T - T0)/tau)`` into
display slots that the sink draws instead of its inputs (T0: that first frame's model time). The
offset decay equals a slew toward the new value while the new value is steady; it needs no state,
so it adds no Phase 2 work, and it is exact in the first frame (the displayed value equals the
last frame before the swap when the new layout is static).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from oscilla.program import CompiledProgram, SinkSpec, SlotMeta
from oscilla.runtime.migrate import lane_mapping

TAU_POS_MS, TAU_SIZE_MS, TAU_COLOR_MS, TAU_ALPHA_MS = 120.0, 120.0, 150.0, 80.0


@dataclass
class SinkContinuity:
    """One sink's continuity: its source slots, its display slots and the per-lane offsets."""

    block: str
    lanes: int
    src: SinkSpec  # the sink as compiled (its own input slots)
    pos_dst: int  # display slots (slot numbers in the extended program)
    size_dst: int
    color_dst: int
    offsets: np.ndarray | None = None  # reference runtime: (lanes, 8) dx, dy, dz, dsize, dr, dg, db, da
    t0: float | None = None  # model time of the first frame after the swap
    gpu_offsets: object = None  # GPU runtime: the same offsets in a storage buffer


def affected_sinks(old: CompiledProgram, new: CompiledProgram) -> list[str]:
    """Sinks (by block id) in both programs whose instance changed its lane count or seed."""
    old_sinks = {s.block: s for s in old.sinks}
    out: list[str] = []
    for s in new.sinks:
        o = old_sinks.get(s.block)
        if o is None or o.instance != s.instance or s.instance not in old.instances:
            continue
        if old.instances[s.instance] != new.instances[s.instance]:
            out.append(s.block)
    return out


def extend_program(program: CompiledProgram, blocks: list[str]) -> tuple[CompiledProgram, list[SinkContinuity]]:
    """``program`` with display slots for the given sinks appended to the ValueStore (f32) and those
    sinks drawing from them; the original input slots stay as compiled."""
    metas = list(program.slot_meta)
    f32_end = -(-program.storage_size("f32") // 4) * 4
    sinks = list(program.sinks)
    conts: list[SinkContinuity] = []
    for k, s in enumerate(sinks):
        if s.block not in blocks:
            continue
        n = s.lanes
        slots: list[int] = []
        for name, stride, payload in (("pos", 3, "vec3"), ("size", 1, "float"), ("color", 4, "color")):
            slot = len(metas)
            metas.append(SlotMeta(slot, f"continuity:{s.block}.{name}", "f32", f32_end, stride, n, payload, s.instance))
            f32_end += -(-n * stride // 4) * 4
            slots.append(slot)
        conts.append(SinkContinuity(s.block, n, s, pos_dst=slots[0], size_dst=slots[1], color_dst=slots[2]))
        sinks[k] = replace(s, pos=slots[0], pos_stride=3, size=slots[1], color=slots[2])
    return replace(program, slot_meta=tuple(metas), sinks=tuple(sinks)), conts


def render_inputs(read_slot: Callable[[int], np.ndarray], sink: SinkSpec, lanes: int) -> np.ndarray:
    """(lanes, 8) float64 array of a sink's drawn position (x, y, z), size and colour, from
    ``read_slot(slot) -> numpy`` (signals broadcast to every lane; vec2 positions get z = 0)."""
    out = np.zeros((lanes, 8))
    pos = np.asarray(read_slot(sink.pos), np.float64).reshape(lanes, -1) if lanes else np.zeros((0, 3))
    out[:, : pos.shape[1]] = pos
    out[:, 3] = np.broadcast_to(np.asarray(read_slot(sink.size), np.float64).reshape(-1), (lanes,))
    color = np.asarray(read_slot(sink.color), np.float64).reshape(-1, 4)
    out[:, 4:8] = np.broadcast_to(color, (lanes, 4))
    return out


def offsets(
    old: CompiledProgram, new: CompiledProgram, instance: str, old_vals: np.ndarray, new_vals: np.ndarray
) -> np.ndarray:
    """old - new per new lane, old lanes matched by element id; 0 for newborn lanes (every lane
    when ``instance`` is not in the old program). Shapes: (lanes, 8) in, (new lanes, 8) float32 out."""
    off = np.zeros_like(new_vals)
    mapping = lane_mapping(old, new, instance)
    if mapping is not None:
        shift, lo, hi = mapping
        if hi > lo:
            off[lo:hi] = old_vals[lo + shift : hi + shift] - new_vals[lo:hi]
    return np.where(np.isfinite(off), off, 0.0).astype(np.float32)


def decays(t: float, t0: float) -> tuple[float, float, float, float]:
    """exp(-(t - t0)/tau) for position, size, colour and opacity (model time in ms)."""
    d = max(0.0, t - t0)
    return (
        math.exp(-d / TAU_POS_MS),
        math.exp(-d / TAU_SIZE_MS),
        math.exp(-d / TAU_COLOR_MS),
        math.exp(-d / TAU_ALPHA_MS),
    )


def apply_host(
    values_f32: np.ndarray, slot_meta: Sequence[SlotMeta], c: SinkContinuity, k: tuple[float, float, float, float]
) -> None:
    """The continuity kernel in numpy (the reference runtime's twin of oscilla/shaders/continuity.wgsl).

    Writes the display slots of ``c`` in ``values_f32`` (the f32 ValueStore, indexed by
    ``slot_meta``) from its source slots, its offsets and the decay factors ``k`` of :func:`decays`.

    Raises:
        ValueError: when the sink's offsets were never captured (``c.offsets`` is None).
    """
    if c.offsets is None:
        raise ValueError(f"continuity of sink {c.block!r}: offsets were not captured at the swap")
    n = c.lanes
    cur = render_inputs(lambda s: _slot_view(values_f32, slot_meta[s]), c.src, n).astype(np.float32)
    off = c.offsets.astype(np.float32)
    kp, ks, kc, ka = (np.float32(x) for x in k)
    disp = cur.copy()
    disp[:, 0:3] = cur[:, 0:3] + off[:, 0:3] * kp
    disp[:, 3] = cur[:, 3] + off[:, 3] * ks
    disp[:, 4:7] = cur[:, 4:7] + off[:, 4:7] * kc
    disp[:, 7] = cur[:, 7] + off[:, 7] * ka
    for slot, cols in ((c.pos_dst, slice(0, 3)), (c.size_dst, slice(3, 4)), (c.color_dst, slice(4, 8))):
        m = slot_meta[slot]
        values_f32[m.offset : m.offset + m.size] = disp[:, cols].reshape(-1)


def _slot_view(values_f32: np.ndarray, m: SlotMeta) -> np.ndarray:
    v = values_f32[m.offset : m.offset + m.size]
    return v if m.instance is not None else v.reshape(m.stride)
