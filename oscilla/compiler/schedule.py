"""Pass 5, scheduling: which values are materialized, which kernel computes them, in which phase.

Consumes :class:`~oscilla.compiler.lower_blocks.Lowered`; produces a :class:`Plan`: slot requests
(render inputs, next-state values, ring positions, observed ports, and signals that field
kernels read), kernels (one signal kernel, one fused field kernel per instance, one phase 2
commit kernel; a kernel larger than :data:`KERNEL_BUDGET_LETS` is split into parts) and the
ordered steps. Everything else stays in registers inside a kernel.

:func:`validate_schedule` proves the execution model's invariants on a step list: a slot has a
single writer, state cells are written only in phase 2, phase 2 writes no slots, phases never go
backwards, and no step reads a slot before its writer ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oscilla.blocks.values import Value
from oscilla.compiler.lower_blocks import Lowered
from oscilla.diagnostics import ERROR, CompileError, Diagnostic
from oscilla.ir.graph import BARRIER_OPS, IRBuilder, StateCell, kernel_args, node_stages, reachable
from oscilla.payloads import STORAGE
from oscilla.program import (
    KernelKind,
    KernelSpec,
    PartialSpec,
    ReductionSpec,
    ScanSpec,
    Step,
    StepKind,
    StorageClass,
    storage_class,
)

_DTYPE_PAYLOAD = {"f32": "float", "i32": "int", "u32": "bool"}


@dataclass
class SlotReq:
    """A value to materialize: components (node ids), payload, instance (None: signal)."""

    slot: int
    name: str
    components: tuple[int, ...]
    payload: str
    instance: str | None
    event: bool = False
    storage: StorageClass = "f32"
    #: written by the host at runtime creation (a ``table`` node), not by a kernel
    host: bool = False
    #: written by a lane-coupled kernel ("reduce" or "scan") instead of a signal/field kernel
    writer: str | None = None
    #: lanes of the slot's instance (1 for signals), filled when the slot is requested
    lanes_hint: int = 1


#: a plain state cell (no DelayFrames ring) of at least this many elements is committed by a
#: buffer-to-buffer copy (CompiledProgram.state_copies) instead of the commit kernel: on lavapipe a
#: 4 MB copy takes 0.3 ms against 2 ms of kernel (docs/performance.md#phase-2); small cells stay in
#: the kernel, where they cost no extra wgpu call each
COPY_MIN_ELEMENTS = 1024


def _copyable(cell: StateCell) -> bool:
    return cell.frames == 1 and cell.lanes * cell.stride >= COPY_MIN_ELEMENTS


@dataclass
class Plan:
    slots: list[SlotReq] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    kernels: list[KernelSpec] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    #: state cell id -> (value slot, ring position slot or None)
    commits: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    #: the cells of ``commits`` that phase 2 commits with a buffer copy instead of the commit kernel
    copied: set[str] = field(default_factory=set)
    #: sink block -> {input name: slot} (and "path" for path shapes)
    sink_slots: dict[str, dict[str, int]] = field(default_factory=dict)
    #: slot of the Camera's parameter signal, when the patch has a Camera
    camera_slot: int | None = None
    #: host-written slot -> table id
    tables: dict[int, str] = field(default_factory=dict)
    #: reduce/scan/gather node -> slot of its (field) source
    barrier_src: dict[int, int] = field(default_factory=dict)
    #: reduce/scan node -> slot its kernel writes
    barrier_result: dict[int, int] = field(default_factory=dict)
    #: f32 elements of scratch memory (reduction partials)
    scratch: int = 0
    #: reduce node -> where its partials are and what they reduce
    reductions: dict[int, ReductionSpec] = field(default_factory=dict)
    #: stages of the frame (1 + the number of lane-coupled barriers on the longest chain)
    stages: int = 1


class ScheduleError(CompileError):
    """A schedule violates an execution-model invariant; the message names the slot or cell."""

    def __init__(self, message: str):
        super().__init__([Diagnostic("E_SCHEDULE_INVALID", ERROR, message)])
        self.message = message

    def __str__(self) -> str:
        return self.message


class _Slots:
    def __init__(self, b: IRBuilder, plan: Plan, instances: dict[str, tuple[int, int]]):
        self.b, self.plan, self.instances = b, plan, instances
        self.by_key: dict[tuple, int] = {}

    def request(self, name: str, v: Value) -> int:
        inst = v.instance
        comps = tuple(v.nodes)
        if inst is not None:
            comps = tuple(self.b.bcast(n, inst) for n in comps)
        key = (comps, inst)
        if key in self.by_key:
            slot = self.by_key[key]
        else:
            slot = len(self.plan.slots)
            dtype = self.b.nodes[comps[0]].dtype
            self.plan.slots.append(
                SlotReq(
                    slot,
                    name,
                    comps,
                    v.payload,
                    inst,
                    v.event,
                    storage_class(STORAGE.get(v.payload, dtype)),
                    lanes_hint=self.instances[inst][0] if inst else 1,
                )
            )
            self.by_key[key] = slot
        self.plan.ports.setdefault(name, slot)
        return slot

    def fresh(self, name: str, v: Value) -> int:
        """A new slot for ``v`` even when its value already has one (that one is written by a
        later kernel, so a split kernel cannot load it): one more writer of the same value."""
        slot = len(self.plan.slots)
        dtype = self.b.nodes[v.nodes[0]].dtype
        lanes = self.instances[v.instance][0] if v.instance else 1
        self.plan.slots.append(
            SlotReq(slot, name, tuple(v.nodes), v.payload, v.instance, v.event, storage_class(dtype), lanes_hint=lanes)
        )
        return slot


def _unwrap_shape(b: IRBuilder, v: Value) -> Value:
    """A field of shapes that is the broadcast of one shape signal: take that signal. (An Image
    shape with a per-lane sprite frame stays a field: docs/language/rendering.md#images.)"""
    if v.instance is None or not all(b.nodes[n].op == "bcast" for n in v.nodes):
        return v
    return Value(tuple(b.nodes[n].args[0] for n in v.nodes), v.payload, path=v.path, image=v.image)


#: the render inputs a sink may declare, in the order their slots are requested
_SINK_PORTS = ("pos", "color", "size", "rotation", "scale", "shape", "strokeWidth", "strokeColor", "b")


def plan_schedule(low: Lowered, observe: list[tuple[str, Value]], instance_order: list[str]) -> Plan:
    """Decide slots, kernels and steps for the lowered program."""
    b = low.builder
    plan = Plan()
    slots = _Slots(b, plan, low.instances)
    for s in low.sinks:
        ins = dict(s.inputs)
        for name in ("pos", "b"):  # positions are per lane: a signal is broadcast over the instance
            v = ins.get(name)
            if v is not None and v.instance is None:
                ins[name] = Value(tuple(b.bcast(n, s.instance) for n in v.nodes), v.payload, s.instance)
        if "shape" in ins:
            ins["shape"] = _unwrap_shape(b, ins["shape"])
        # the sink's inputs (RenderInstances2D: pos .. shape, strokes only when strokeWidth is
        # connected, docs/language/rendering.md#strokes; RenderLines2D: pos = a, b, size = width, color)
        plan.sink_slots[s.block] = {
            name: slots.request(f"{s.block}.{name}", ins[name]) for name in _SINK_PORTS if name in ins
        }
        if "shape" in ins and ins["shape"].path is not None:  # a path shape: its control points are an input too
            plan.sink_slots[s.block]["path"] = slots.request(f"{s.block}.path", ins["shape"].path)
    if low.camera is not None:
        plan.camera_slot = slots.request(f"{low.camera.block}.camera", low.camera.params)
    for w in b.writes:
        cell = b.cells[w.cell]
        payload = "float" if cell.storage == "f32" else "int"
        vslot = slots.request(f"next:{w.cell}", Value(w.values, payload, cell.instance))
        pslot = None
        if w.ring_pos is not None:
            pslot = slots.request(f"pos:{w.cell}", Value((w.ring_pos,), "int"))
        plan.commits[w.cell] = (vslot, pslot)
    for name, v in observe:
        slots.request(name, v)

    _close_over_kernel_inputs(b, plan, slots)

    # every output port whose value already sits in a slot is readable too
    for (blk, port), v in low.outputs.items():
        comps = v.nodes if v.instance is None else tuple(b.bcast(n, v.instance) for n in v.nodes)
        slot = slots.by_key.get((comps, v.instance))
        if slot is not None:
            plan.ports.setdefault(f"{blk}.{port}", slot)

    _kernels_and_steps(low, plan, instance_order, slots)
    return plan


def _close_over_kernel_inputs(b: IRBuilder, plan: Plan, slots: _Slots) -> None:
    """Give a slot to everything a kernel reads instead of computing: broadcast signals, host
    tables, the sources of reduce/scan/gather and reduce/scan results (to a fixpoint, since the
    new slots' values have inputs of their own)."""
    i = 0
    while i < len(plan.slots):
        sr = plan.slots[i]
        i += 1
        for nid in reachable(b.nodes, sr.components, through_bcast=False):
            n = b.nodes[nid]
            if n.op == "bcast" and b.nodes[n.args[0]].op != "const":
                arg = b.nodes[n.args[0]]
                slots.request(f"sig:%{arg.id}", Value((arg.id,), _DTYPE_PAYLOAD[arg.dtype], None, arg.event))
            elif n.op == "table":
                slot = slots.request(f"table:{n.attrs[0]}", Value((nid,), _DTYPE_PAYLOAD[n.dtype], n.instance))
                plan.slots[slot].host = True
                plan.tables[slot] = n.attrs[0]
            elif n.op == "reduce":  # folded by the signal kernel from the source kernel's partials
                src = b.nodes[n.args[0]]
                plan.barrier_src[nid] = slots.request(f"src:%{src.id}", Value((src.id,), "float", src.instance))
            elif n.op == "scan":
                src = b.nodes[n.args[0]]
                plan.barrier_src[nid] = slots.request(f"src:%{src.id}", Value((src.id,), "float", src.instance))
                slot = slots.request(f"scan:%{nid}", Value((nid,), "float", n.instance))
                plan.slots[slot].writer = "scan"
                plan.barrier_result[nid] = slot
            elif n.op == "gather":
                src = b.nodes[n.args[0]]
                plan.barrier_src[nid] = slots.request(
                    f"src:%{src.id}", Value((src.id,), _DTYPE_PAYLOAD[src.dtype], src.instance)
                )


def _cells_read(b: IRBuilder, nodes: list[int]) -> tuple[str, ...]:
    return tuple(sorted({b.nodes[n].attrs[0] for n in nodes if b.nodes[n].op in ("state", "ring_read")}))


def static_nodes(nodes) -> set[int]:
    """Nodes whose value is the same every frame: built from constants, the lane index and host
    tables only (no time, external channel, state, signal input or lane-coupled op). Signals of
    that kind were already constant-folded."""
    static: set[int] = set()
    for n in nodes:
        if n.op in ("const", "lane_index", "table"):
            static.add(n.id)
        elif n.op == "bcast":
            if nodes[n.args[0]].op == "const":
                static.add(n.id)
        elif n.op not in ("time", "external", "state", "ring_read") + BARRIER_OPS and all(a in static for a in n.args):
            static.add(n.id)
    return static


def _slot_reads(b: IRBuilder, plan: Plan, nodes: list[int]) -> tuple[int, ...]:
    """Slots a kernel computing ``nodes`` reads: broadcast signals, host tables, reduce/scan
    results and gather sources."""
    sig = {
        sr.components[0]: sr.slot
        for sr in plan.slots
        if sr.instance is None and len(sr.components) == 1 and b.nodes[sr.components[0]].op != "const"
    }
    reads = set()
    for nid in nodes:
        n = b.nodes[nid]
        if n.op == "bcast" and n.args[0] in sig:
            reads.add(sig[n.args[0]])
        elif n.op == "table":
            reads.update(k for k, t in plan.tables.items() if t == n.attrs[0])
        elif n.op == "reduce":
            reads.add(plan.barrier_src[nid])
        elif n.op == "scan":
            reads.add(plan.barrier_result[nid])
        elif n.op == "gather":
            reads.add(plan.barrier_src[nid])
    return tuple(sorted(reads))


def _kernels_and_steps(low: Lowered, plan: Plan, instance_order: list[str], slots: _Slots) -> None:
    b = low.builder
    static = static_nodes(b.nodes)
    stage = node_stages(b.nodes)
    host = tuple(sorted(plan.tables))
    if host:
        plan.steps.append(Step(kind="hostWrite", phase=1, lanes=0, writes_slots=host))
    computed = [sr for sr in plan.slots if not sr.host and sr.writer is None]
    _attach_partials(b, plan)
    for k, inst in enumerate(instance_order):
        writes = tuple(sr.slot for sr in computed if sr.instance == inst and all(c in static for c in sr.components))
        if writes:
            _add_kernel(b, plan, slots, f"init{k}", "initKernel", writes, inst, low.instances[inst][0])
    init_written = {s for k in plan.kernels for s in k.writes}
    computed = [sr for sr in computed if sr.slot not in init_written]
    slot_stage = {sr.slot: max((stage[c] for c in sr.components), default=0) for sr in plan.slots}
    last = max(slot_stage.values(), default=0)
    plan.stages = last + 1
    for st in range(last + 1):
        suffix = "" if st == 0 else f"_s{st}"
        if st > 0:
            _barrier_kernels(b, plan, st, suffix, stage)
        sig_slots = tuple(sr.slot for sr in computed if sr.instance is None and slot_stage[sr.slot] == st)
        if sig_slots:
            _add_kernel(b, plan, slots, f"signal{suffix}", "signalKernel", sig_slots, None, 1)
        for k, inst in enumerate(instance_order):
            writes = tuple(sr.slot for sr in computed if sr.instance == inst and slot_stage[sr.slot] == st)
            if writes:
                _add_kernel(b, plan, slots, f"field{k}{suffix}", "fieldKernel", writes, inst, low.instances[inst][0])
    for s in low.sinks:
        ss = plan.sink_slots[s.block]
        reads = set(ss.values()) | ({plan.camera_slot} if plan.camera_slot is not None else set())
        plan.steps.append(
            Step(
                kind="render",
                phase=1,
                instance=s.instance,
                lanes=low.instances[s.instance][0],
                reads_slots=tuple(sorted(reads)),
                block=s.block,
            )
        )
    if plan.commits:
        plan.copied = {cell for cell, (_v, pslot) in plan.commits.items() if pslot is None and _copyable(b.cells[cell])}
        kernel_cells = [cell for cell in plan.commits if cell not in plan.copied]
        if kernel_cells:
            total = sum(b.cells[c].commit_units for c in kernel_cells)
            plan.kernels.append(KernelSpec(name="commit", kind="commit", phase=2, lanes=total))
        for cell, (vslot, pslot) in plan.commits.items():
            c = b.cells[cell]
            plan.steps.append(
                Step(
                    kind="stateWrite",
                    phase=2,
                    kernel=None if cell in plan.copied else "commit",
                    instance=c.instance,
                    lanes=c.lanes,
                    reads_slots=(vslot,) if pslot is None else (vslot, pslot),
                    writes_cells=(cell,),
                )
            )


#: The size budget of one generated kernel, in WGSL ``let`` s (IR nodes it evaluates). A signal,
#: field or init kernel that would be larger is split into parts of at most this many
#: (docs/compiler/scheduling.md#splitting). Measured on lavapipe (llvmpipe, LLVM 15, 2 cores;
#: benchmarks/bench_kernel_size.py, docs/performance.md#kernel-size): the driver's compile time
#: per ``let`` is flat up to about 500 ``let`` s and then grows with the kernel (chains of additions:
#: 0.17-0.28 ms per ``let`` up to 1,000, 0.5 at 2,000, 1.3 at 4,000; chains with a ``sin`` in every
#: third block: 0.8-1.5 ms up to 500, 2.1 at 1,000, 3.7 at 2,000, 5.8 at 4,000). Below about 100
#: the fixed cost of a kernel (15-25 ms) dominates. Compiling a 4,000-block chain at budgets of 64
#: to 1,024 was fastest at 256 for signal chains and within 20% of the fastest for field chains.
KERNEL_BUDGET_LETS = 256

#: ops a split kernel evaluates again in every part that uses them instead of passing them on in
#: a slot: literals, frame inputs, the lane index, and single loads of a slot or a state cell
_REEVALUATED = ("const", "time", "external", "lane_index", "bcast", "state", "table", "scan")
#: ops that are no ``let`` of their own (codegen writes them into their users)
_INLINE = ("const", "time", "external", "lane_index")


def _let_cost(b: IRBuilder, nid: int) -> int:
    """``let`` s codegen emits for node ``nid``: none for a literal or frame input (written into
    its users), one for any other node. (A Reduce fold's unrolled block of additions counts as
    one: additions are the cheapest lines to compile, see docs/performance.md#kernel-size.)"""
    n = b.nodes[nid]
    if n.op in _INLINE or (n.op == "bcast" and b.nodes[n.args[0]].op == "const"):
        return 0
    return 1


def _add_kernel(
    b: IRBuilder,
    plan: Plan,
    slots: _Slots,
    name: str,
    step_kind: StepKind,
    writes: tuple[int, ...],
    instance: str | None,
    lanes: int,
) -> None:
    """Append the kernel ``name`` computing ``writes`` and its step, split into parts of at most
    :data:`KERNEL_BUDGET_LETS` when it is larger (the parts are named ``name``, ``name_p1``, ...)."""
    once = step_kind == "initKernel"
    kind: KernelKind = "signal" if step_kind == "signalKernel" else "field"
    written = {x for st in plan.steps for x in st.writes_slots}
    for i, (part_writes, loads) in enumerate(_split(b, plan, slots, writes, written)):
        stop = {plan.slots[x].components[0] for x in loads}
        roots = [c for x in part_writes for c in plan.slots[x].components]
        nodes = [n for n in reachable(b.nodes, roots, through_bcast=False, stop=stop) if n not in stop]
        part = f"{name}_p{i}" if i else name
        plan.kernels.append(
            KernelSpec(
                name=part,
                kind=kind,
                phase=1,
                lanes=lanes,
                instance=instance,
                writes=part_writes,
                once=once,
                partials=_partials_for(plan, part_writes) if kind == "field" else (),
                loads=loads,
                part=i,
            )
        )
        reads = tuple(sorted(set(loads) | set(() if once else _slot_reads(b, plan, nodes))))
        plan.steps.append(
            Step(
                kind=step_kind,
                phase=1,
                kernel=part,
                instance=instance,
                lanes=lanes,
                reads_slots=reads,
                writes_slots=part_writes,
                reads_cells=() if once else _cells_read(b, nodes),
            )
        )


def _split(
    b: IRBuilder, plan: Plan, slots: _Slots, writes: tuple[int, ...], written: set[int]
) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The parts of the kernel computing ``writes``: for each, the slots it writes and the slots it
    loads (values an earlier part computed). One part, loading nothing, when the kernel is within
    :data:`KERNEL_BUDGET_LETS`.

    The kernel's nodes are cut, in evaluation order, into runs of at most the budget (counting the
    ``let`` s a part needs for what it re-evaluates or loads). A value computed in one part and used
    by a later one (an argument, or a component of a slot the later part writes) crosses the cut:
    it gets a one-component slot (``cut:%<node>``), written by the part that computes it and
    loaded by the parts that use it, exactly like a value crossing a stage. Literals, frame inputs
    and single loads (:data:`_REEVALUATED`) are evaluated again where they are used. ``written``
    holds the slots earlier steps wrote: a crossing value that already sits in one is loaded from
    it."""
    nodes = reachable(b.nodes, [c for x in writes for c in plan.slots[x].components], through_bcast=False)
    cost = {n: _let_cost(b, n) for n in nodes}
    if sum(cost.values()) <= KERNEL_BUDGET_LETS:
        return [(writes, ())]
    part_of: dict[int, int] = {}
    cur, used = 0, 0
    present: set[int] = set()  # nodes the current part already has a name for
    for n in nodes:
        if b.nodes[n].op in _REEVALUATED:
            continue
        args = set(kernel_args(b.nodes[n]))
        # its own let, plus a load (computed in an earlier part) or a re-evaluation of new arguments
        add = cost[n] + sum(1 if a in part_of else cost[a] for a in args - present)
        if used and used + add > KERNEL_BUDGET_LETS:
            cur, used, present = cur + 1, 0, set()
            add = cost[n] + sum(1 if a in part_of else cost[a] for a in args)
        part_of[n] = cur
        used += add
        present |= args | {n}
    if cur == 0:
        return [(writes, ())]
    home = {x: max((part_of.get(c, 0) for c in plan.slots[x].components), default=0) for x in writes}
    # crossing values, in evaluation order, and the parts that need each
    needed: dict[int, set[int]] = {}
    for n, p in part_of.items():
        for a in kernel_args(b.nodes[n]):
            if a in part_of and part_of[a] < p:
                needed.setdefault(a, set()).add(p)
    for x, p in home.items():
        for c in plan.slots[x].components:
            if c in part_of and part_of[c] < p:
                needed.setdefault(c, set()).add(p)
    own = set(writes)
    cut: dict[int, int] = {}
    for a in sorted(needed):
        node = b.nodes[a]
        v = Value((a,), _DTYPE_PAYLOAD[node.dtype], node.instance, node.event)
        slot = slots.by_key.get(((a,), node.instance))
        if slot is None:
            slot = slots.request(f"cut:%{a}", v)
        elif slot not in own and slot not in written:
            slot = slots.fresh(f"cut:%{a}", v)
        cut[a] = slot
    parts: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    for p in range(cur + 1):
        pw = [x for x in writes if home[x] == p]
        pw += [cut[a] for a in sorted(needed) if part_of[a] == p and cut[a] not in own and cut[a] not in written]
        loads = sorted({cut[a] for a, ps in needed.items() if p in ps})
        if pw:  # (a part whose values all sit in slots already is not needed)
            parts.append((tuple(pw), tuple(loads)))
    return parts


PARTIAL_LANES = 4  # lanes folded into one partial: one field-kernel invocation


def _attach_partials(b: IRBuilder, plan: Plan) -> None:
    """Give every reduce node its scratch range: one partial per invocation of the field kernel
    that computes its source (ceil(N / 4) partials)."""
    for nid, src in sorted(plan.barrier_src.items()):
        n = b.nodes[nid]
        if n.op != "reduce":
            continue
        lanes = plan.slots[src].lanes_hint
        groups = -(-lanes // PARTIAL_LANES)
        plan.reductions[nid] = ReductionSpec(
            scratch_offset=plan.scratch, partials=groups, lanes=lanes, op=n.attrs[0], source_slot=src
        )
        plan.scratch += groups


def _partials_for(plan: Plan, writes: tuple[int, ...]) -> tuple[PartialSpec, ...]:
    """The partials of every reduction whose source slot is among ``writes`` (a field kernel's)."""
    return tuple(
        PartialSpec(source_node=plan.slots[r.source_slot].components[0], op=r.op, scratch_offset=r.scratch_offset)
        for _nid, r in sorted(plan.reductions.items())
        if r.source_slot in writes
    )


def _barrier_kernels(b: IRBuilder, plan: Plan, st: int, suffix: str, stage: list[int]) -> None:
    """Scan kernels that make stage ``st``'s prefix sums from earlier-stage slots: one dispatch of
    one workgroup (chunked sequential scans, then a prefix over the chunk totals). Reductions need
    no kernel of their own (see :func:`_attach_partials`)."""
    scans = [nid for nid in plan.barrier_result if b.nodes[nid].op == "scan" and stage[nid] == st]
    if scans:
        specs = tuple(
            ScanSpec(
                node=nid,
                source_slot=plan.barrier_src[nid],
                result_slot=plan.barrier_result[nid],
                op=b.nodes[nid].attrs[0],
                lanes=plan.slots[plan.barrier_src[nid]].lanes_hint,
            )
            for nid in scans
        )
        results = tuple(s.result_slot for s in specs)
        name = f"scan{suffix}"
        plan.kernels.append(
            KernelSpec(name=name, kind="scan", phase=1, lanes=0, writes=results, workgroups=1, scans=specs)
        )
        plan.steps.append(
            Step(
                kind="scanKernel",
                phase=1,
                kernel=name,
                lanes=0,
                reads_slots=tuple(sorted({s.source_slot for s in specs})),
                writes_slots=results,
            )
        )


def validate_schedule(steps) -> None:
    """Check the invariants of the two-phase execution model on ``steps``.

    Raises:
        ScheduleError: two steps write one slot (the message names the slot); a state cell is
            written outside phase 2; a phase 2 step writes a slot; a phase 1 step follows a phase 2
            step; a step reads a slot that no earlier step wrote.
    """
    writer: dict[int, int] = {}
    all_written = {s for st in steps for s in st.writes_slots}
    seen_phase = 1
    for i, st in enumerate(steps):
        if st.phase not in (1, 2):
            raise ScheduleError(f"step {i} ({st.kind}) has phase {st.phase}; phases are 1 and 2")
        if st.phase < seen_phase:
            raise ScheduleError(
                f"step {i} ({st.kind}) is phase 1 but follows a phase 2 step; all phase 1 "
                f"steps run before the phase 2 state commit"
            )
        seen_phase = st.phase
        if st.writes_cells and st.phase != 2:
            raise ScheduleError(
                f"step {i} ({st.kind}) writes state cell(s) {', '.join(st.writes_cells)} in phase "
                f"{st.phase}; state is written only in phase 2, after every reader ran "
                f"(otherwise a UnitDelay becomes a wire)"
            )
        if st.phase == 2 and st.writes_slots:
            raise ScheduleError(
                f"step {i} ({st.kind}) writes slot(s) {', '.join(f's{x}' for x in st.writes_slots)} "
                f"in phase 2; phase 2 only commits state"
            )
        for s in st.reads_slots:
            if s not in writer and s in all_written:
                raise ScheduleError(f"step {i} ({st.kind}) reads slot s{s} before the step that writes it")
        for s in st.writes_slots:
            if s in writer:
                raise ScheduleError(
                    f"slot s{s} has two writers: step {writer[s]} and step {i} ({st.kind}); "
                    f"every slot has a single writer per frame"
                )
            writer[s] = i
