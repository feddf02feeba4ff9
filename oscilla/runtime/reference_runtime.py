"""``ReferenceRuntime``: a numpy interpreter of the same CompiledProgram (the test oracle and the
benchmark baseline).

It runs the same schedule the GPU runs (signal kernel, field kernels, phase 2 commit) over host
arrays laid out exactly like the ValueStore and StateBuffer, evaluating every IR node with the op
table of :mod:`oscilla.ir.opcodes` in float32. It shares ``step / read / read_state / set_input /
reset`` with :class:`oscilla.Runtime`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from oscilla.ir import opcodes
from oscilla.ir.graph import Node, reachable
from oscilla.program import NP_STORAGE, STATE_STORAGE_CLASSES, CompiledProgram, KernelSpec, SlotMeta
from oscilla.runtime import continuity as cont
from oscilla.runtime.clock import FrameTime, FrameUniforms, TimeModel
from oscilla.runtime.migrate import SwapReport, plan_migration
from oscilla.runtime.ports import convert_value, port_slot
from oscilla.runtime.snapshot import (
    Snapshot,
    decode,
    encode,
    frame_time_of,
    frame_time_state,
    set_time_state,
    time_state,
)
from oscilla.runtime.stores import cell_shape, value_shape

_HSV = {"hsv_r": 0, "hsv_g": 1, "hsv_b": 2}
#: the host twin of each reduction op (on float64 lanes; the result is cast to the node's dtype)
_REDUCE: dict[str, Callable[[np.ndarray], Any]] = {"sum": np.sum, "avg": np.mean, "min": np.min, "max": np.max}


class _KernelPlan(NamedTuple):
    """How the interpreter runs one kernel: the IR nodes to evaluate in order and the slots it
    stores (``order`` is None for a scan barrier, which runs its scans instead). A tuple: the
    runner unpacks it as (kernel, order, metas), and tests hand it plain tuples of that shape."""

    kernel: KernelSpec
    order: list[int] | None = None
    metas: tuple[SlotMeta, ...] = ()


class ReferenceRuntime:
    """Evaluates ``program`` on the CPU with numpy (float32), frame by frame."""

    def __init__(self, program: CompiledProgram):
        self.time = TimeModel(program.time_root)
        #: the frame uniform's channel snapshot (``uniforms.ext``), as the GPU runtime keeps it
        self.uniforms = FrameUniforms(program.channels)
        self.channels: dict[str, float] = self.uniforms.values
        self.frame_time: FrameTime | None = None
        self._continuity: list[cont.SinkContinuity] = []
        self._load(program)
        self.reset()
        self._upload_and_init()

    def _load(self, program: CompiledProgram) -> None:
        """Host stores and evaluation plans of ``program`` (state not yet initialized)."""
        self.program = program
        self.uniforms.bind(program.channels, program.controls)
        self.values = {c: np.zeros(program.storage_size(c), NP_STORAGE[c]) for c in ("f32", "i32", "u32")}
        self.state = {c: np.zeros(program.state_layout.size_of(c), NP_STORAGE[c]) for c in ("f32", "i32")}
        self._cells = {c.state_id: c for c in program.state_layout.cells}
        # (display slots added for continuity after a swap have no IR components)
        self._sig_slot = {
            s.components[0]: s for s in program.slot_meta if s.components and s.instance is None and s.stride == 1
        }
        self._field_slot = {
            s.components[0]: s for s in program.slot_meta if s.components and s.instance is not None and s.stride == 1
        }
        plans: list[_KernelPlan] = []
        nodes = program.nodes
        for k in program.kernels:
            if k.kind == "commit":
                continue
            if k.kind == "scan":
                plans.append(_KernelPlan(k))
                continue
            metas = tuple(program.slot_meta[s] for s in k.writes)
            order = reachable(nodes, [c for m in metas for c in m.components], through_bcast=False)
            plans.append(_KernelPlan(k, order, metas))
        self._commits = [st for st in program.schedule if st.kind == "stateWrite"]
        self._once = [p for p in plans if p.kernel.once]
        self._plans = [p for p in plans if not p.kernel.once]

    def _upload_and_init(self) -> None:
        for slot, values in self.program.tables.items():
            m = self.program.slot_meta[slot]
            self.values[m.storage][m.offset : m.offset + m.size] = np.asarray(values).reshape(-1)
        self._run_kernels(self._once, None)

    def _initialize_state(self) -> None:
        for c in self.program.state_layout.cells:
            init = self.program.const_pool.get(c.init_const) if c.init_const else 0
            self.state[c.storage][c.offset : c.offset + c.size] = init

    def swap(self, new_program: CompiledProgram) -> SwapReport:
        """Like :meth:`oscilla.Runtime.swap`: the same migration plan and continuity on host arrays."""
        affected: list[str] = []
        if self.frame_time is not None:  # before the first frame nothing is on screen to ease from
            affected = cont.affected_sinks(self.program, new_program)
        new_program, conts = cont.extend_program(new_program, affected)
        copies, report = plan_migration(self.program, new_program)
        old_program, old_state, old_values = self.program, self.state, self.values
        self._load(new_program)
        self._initialize_state()
        for cp in copies:
            self.state[cp.storage][cp.dst : cp.dst + cp.count] = old_state[cp.storage][cp.src : cp.src + cp.count]
        self._upload_and_init()
        if conts:  # evaluate the new program's phase 1 at the last frame's time (no commit)
            self._run_kernels(self._plans, self.frame_time)
            old_sinks = {s.block: s for s in old_program.sinks}
            for c in conts:
                o = old_sinks[c.block]
                old_vals = cont.render_inputs(lambda s: _slot_value(old_values, old_program.slot_meta[s]), o, o.lanes)
                new_vals = cont.render_inputs(
                    lambda s: _slot_value(self.values, new_program.slot_meta[s]), c.src, c.lanes
                )
                c.offsets = cont.offsets(old_program, new_program, c.src.instance, old_vals, new_vals)
        self._continuity = conts
        self.time = self.time.continued(new_program.time_root)
        return report

    def read_rendered(self, block: str, name: str) -> np.ndarray:
        """Like :meth:`oscilla.Runtime.read_rendered`."""
        sink = next(s for s in self.program.sinks if s.block == block)
        m = self.program.slot_meta[getattr(sink, name)]
        return _slot_value(self.values, m).copy()

    def _run_kernels(self, plans: Sequence[_KernelPlan], ft: FrameTime | None) -> None:
        """Run ``plans`` in order at frame time ``ft`` (None: before the first frame, for the
        kernels that run once)."""
        nodes = self.program.nodes
        with np.errstate(all="ignore"):
            for k, order, metas in plans:
                if order is None:
                    self._run_barrier(k)
                    continue
                lanes = k.lanes if k.kind == "field" else 1
                env: dict[int, np.ndarray] = {}
                hsv_memo: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
                for nid in order:
                    env[nid] = self._eval(nodes[nid], env, ft, lanes, hsv_memo)
                for m in metas:
                    arr = self.values[m.storage]
                    for c, nid in enumerate(m.components):
                        if m.instance is None:
                            arr[m.offset + c] = env[nid]
                        else:
                            arr[m.offset + c : m.offset + m.lanes * m.stride : m.stride] = env[nid]

    def reset(self) -> None:
        """Back to frame 0 with every state cell at its initial value."""
        self.time.reset()
        self._initialize_state()
        for c in getattr(self, "_continuity", ()):  # nothing eases in from before a reset
            if c.offsets is not None:
                c.offsets[:] = 0.0

    # -- snapshots (docs/runtime/snapshots.md) -------------------------------------------------
    def snapshot(self) -> bytes:
        """Like :meth:`oscilla.Runtime.snapshot` (the same format; no trails image: the reference
        interpreter does not draw)."""
        snap = Snapshot(
            program_hash=self.program.content_hash,
            runtime="reference",
            time=time_state(self.time),
            frame_time=frame_time_state(self.frame_time),
            channels=dict(self.uniforms.values),
            state={c: self.state[c].copy() for c in STATE_STORAGE_CLASSES},
        )
        return encode(snap)

    @classmethod
    def restore(cls, program: CompiledProgram, data: bytes) -> ReferenceRuntime:
        """Like :meth:`oscilla.Runtime.restore` (a trails image in ``data`` is ignored).

        Raises:
            SnapshotError: (a ValueError) as :meth:`oscilla.Runtime.restore`.
        """
        snap = decode(data, program, None)
        rt = cls(program)
        rt._apply_snapshot(snap)
        return rt

    def load_snapshot(self, data: bytes) -> None:
        """Like :meth:`oscilla.Runtime.load_snapshot`: checked first, unchanged when refused.

        Raises:
            SnapshotError: (a ValueError) as :meth:`oscilla.Runtime.restore`.
        """
        self._apply_snapshot(decode(data, self.program, None))

    def _apply_snapshot(self, snap: Snapshot) -> None:
        for cls_name, arr in snap.state.items():
            self.state[cls_name][:] = arr
        set_time_state(self.time, snap.time)
        self.frame_time = frame_time_of(snap.frame_time)
        self.uniforms.values.clear()  # the same dict as self.channels
        self.uniforms.values.update(snap.channels)
        self.uniforms.bind(self.program.channels, self.program.controls)
        for sink in self._continuity:  # a hot swap's easing is not part of a snapshot
            if sink.offsets is not None:
                sink.offsets[:] = 0.0

    def set_input(self, name: str, value: float) -> None:
        """Set external channel ``name``; used from the next frame on (docs/language/external-channels.md#channels).

        Like :meth:`oscilla.Runtime.set_input`: a channel the program does not read is kept and
        warned about once (``warnings.warn``, an ``UnknownChannelWarning``).

        Raises:
            InputTypeError: (a TypeError and a ValueError) ``name`` is not a str or ``value`` is
                not a number.
            ValueError: ``value`` is NaN, infinite or beyond the f32 range.
        """
        self.uniforms.set_input(name, value, stacklevel=3)

    def step(self, t_ms: float) -> None:
        """One frame at ``t_ms`` ms: phase 1 kernels in schedule order, then the phase 2 commit.

        ``t_ms`` is checked before anything changes, as :meth:`oscilla.Runtime.step` does.

        Raises:
            InputTypeError: (a TypeError and a ValueError) ``t_ms`` is not a real number.
            ValueError: ``t_ms`` is NaN, infinite or above ``MAX_T_MS`` (2**53 ms).
        """
        ft = self.time.resolve(t_ms)
        self.frame_time = ft
        self._run_kernels(self._plans, ft)
        for c in self._continuity:
            if c.t0 is None:
                c.t0 = ft.t_ms
            cont.apply_host(self.values["f32"], self.program.slot_meta, c, cont.decays(ft.t_ms, c.t0))
        with np.errstate(all="ignore"):
            self._commit()

    def _run_barrier(self, k: KernelSpec) -> None:
        """Inclusive scans (float64 cumulative sum, then f32) of earlier-stage field slots."""
        for scan in k.scans:
            s, r = self.program.slot_meta[scan.source_slot], self.program.slot_meta[scan.result_slot]
            x = self.values[s.storage][s.offset : s.offset + s.size].astype(np.float64)
            self.values[r.storage][r.offset : r.offset + r.size] = np.cumsum(x)

    def _eval(
        self,
        n: Node,
        env: Mapping[int, np.ndarray],
        ft: FrameTime | None,
        lanes: int,
        hsv_memo: dict[tuple[int, ...], tuple[np.ndarray, np.ndarray, np.ndarray]],
    ) -> np.ndarray:
        """The value of node ``n`` (a scalar array for a signal, ``lanes`` values for a field)
        from the values ``env`` of the nodes before it."""
        op = n.op
        dt = NP_STORAGE[n.dtype]
        if op == "const":
            return np.asarray(n.attrs[0], dt)
        if op == "time":
            if ft is None:
                raise ValueError(f"IR node {n.id} reads the frame time in a kernel that runs before the first frame")
            return np.asarray(ft.value(n.attrs[0]), dt)
        if op == "external":
            return np.asarray(self.uniforms.ext[n.attrs[0]], dt)
        if op == "lane_index":
            return np.arange(lanes, dtype=np.int32)
        if op in ("table", "scan"):
            m = self._field_slot[n.id]
            return self.values[m.storage][m.offset : m.offset + m.size].copy()
        if op == "reduce":  # float64, then f32 (docs/language/fields-and-instances.md#reduce: summation order is free)
            red = self.program.reductions[n.id]
            m = self.program.slot_meta[red.source_slot]
            x = self.values[m.storage][m.offset : m.offset + m.size].astype(np.float64)
            return np.asarray(_REDUCE[red.op](x), dt)
        if op == "gather":
            m = self._field_slot[n.args[0]]
            src = self.values[m.storage][m.offset : m.offset + m.size]
            idx = np.clip(np.broadcast_to(np.asarray(env[n.args[1]]), (lanes,)), 0, m.lanes - 1)
            return src[idx].astype(dt)
        if op == "bcast":
            arg = self.program.nodes[n.args[0]]
            if arg.op == "const":
                return np.asarray(arg.attrs[0], dt)
            m = self._sig_slot[arg.id]
            return np.asarray(self.values[m.storage][m.offset], dt)
        if op == "state":
            c = self._cells[n.attrs[0]]
            arr = self.state[c.storage]
            if n.instance is None:
                return np.asarray(arr[c.offset + n.attrs[1]], dt)
            return arr[c.offset + n.attrs[1] : c.offset + c.lanes * c.stride : c.stride].copy()
        if op == "ring_read":
            c = self._cells[n.attrs[0]]
            arr = self.state[c.storage]
            head = np.asarray(env[n.args[0]]).reshape(-1)[0]
            base = c.offset + int(head) * c.lanes
            if n.instance is None:
                return np.asarray(arr[base], dt)
            return arr[base : base + c.lanes].copy()
        args = [env[a] for a in n.args]
        if op in _HSV:
            key = n.args
            if key not in hsv_memo:
                hsv_memo[key] = opcodes.hsv2rgb(*args)
            return hsv_memo[key][_HSV[op]]
        return opcodes.evaluate(op, n.dtype, args)

    def _commit(self) -> None:
        p = self.program
        for st in self._commits:
            cell = self._cells[st.writes_cells[0]]
            vm = p.slot_meta[st.reads_slots[0]]
            src = self.values[vm.storage][vm.offset : vm.offset + vm.size]
            dst = self.state[cell.storage]
            if len(st.reads_slots) > 1:
                pm = p.slot_meta[st.reads_slots[1]]
                pos = int(self.values[pm.storage][pm.offset])
                base = cell.offset + pos * vm.size
                dst[base : base + vm.size] = src
            else:
                dst[cell.offset : cell.offset + vm.size] = src

    def read(self, name: str) -> np.ndarray:
        """Like :meth:`oscilla.Runtime.read` (same shapes and dtypes)."""
        m = self.program.slot_meta[port_slot(self.program, name)]
        return convert_value(m, _slot_value(self.values, m).copy())

    def read_state(self, state_id: str) -> np.ndarray:
        """Like :meth:`oscilla.Runtime.read_state`."""
        c = self.program.state_layout.cell(state_id)
        return self.state[c.storage][c.offset : c.offset + c.size].copy().reshape(cell_shape(c))


def _slot_value(values: Mapping[str, np.ndarray], m: SlotMeta) -> np.ndarray:
    """A slot's contents shaped like Runtime.read (signal () / (k,), field (N,) / (N, k);
    docs/language/python-api.md)."""
    return values[m.storage][m.offset : m.offset + m.size].reshape(value_shape(m.instance, m.lanes, m.stride))
