"""Pass 5, scheduling: which values are materialized, which kernel computes them, in which phase.

Consumes :class:`~oscilla.compiler.lower.Lowered`; produces a :class:`Plan`: slot requests
(render inputs, next-state values, ring positions, observed ports, and signals that field
kernels read), kernels (one signal kernel, one fused field kernel per instance, one phase 2
commit kernel) and the ordered steps. Everything else stays in registers inside a kernel.

:func:`validate_schedule` proves the execution model's invariants on a step list: a slot has a
single writer, state cells are written only in phase 2, phase 2 writes no slots, phases never go
backwards, and no step reads a slot before its writer ran.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..blocks.values import Value
from ..diagnostics import CompileError, Diagnostic, ERROR
from ..ir import IRBuilder, reachable
from ..program import KernelSpec, Step
from ..types import STORAGE
from .lower import Lowered

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
    storage: str = "f32"
    #: written by the host at runtime creation (a ``table`` node), not by a kernel
    host: bool = False


@dataclass
class Plan:
    slots: list[SlotReq] = field(default_factory=list)
    ports: dict[str, int] = field(default_factory=dict)
    kernels: list[KernelSpec] = field(default_factory=list)
    steps: list[Step] = field(default_factory=list)
    #: state cell id -> (value slot, ring position slot or None)
    commits: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    #: sink block -> {input name: slot} (and "path" for path shapes)
    sink_slots: dict[str, dict[str, int]] = field(default_factory=dict)
    #: slot of the Camera's parameter signal, when the patch has a Camera
    camera_slot: int | None = None
    #: host-written slot -> table id
    tables: dict[int, str] = field(default_factory=dict)


class ScheduleError(CompileError):
    """A schedule violates an execution-model invariant; the message names the slot or cell."""

    def __init__(self, message: str):
        super().__init__([Diagnostic("E_SCHEDULE_INVALID", ERROR, message)])
        self.message = message

    def __str__(self) -> str:
        return self.message


class _Slots:
    def __init__(self, b: IRBuilder, plan: Plan):
        self.b, self.plan = b, plan
        self.by_key: dict[tuple, int] = {}

    def request(self, name: str, v: Value) -> int:
        inst = v.instance
        comps = tuple(v.nodes)
        if inst is not None:
            comps = tuple(self.b.as_field(n, inst) for n in comps)
        key = (comps, inst)
        if key in self.by_key:
            slot = self.by_key[key]
        else:
            slot = len(self.plan.slots)
            dtype = self.b.nodes[comps[0]].dtype
            self.plan.slots.append(SlotReq(slot, name, comps, v.payload, inst, v.event,
                                           STORAGE.get(v.payload, dtype) if v.payload in STORAGE else dtype))
            self.by_key[key] = slot
        self.plan.ports.setdefault(name, slot)
        return slot


def _unwrap_shape(b: IRBuilder, v: Value) -> Value:
    """A field of shapes is the broadcast of one shape signal: take that signal."""
    if v.instance is None:
        return v
    return Value(tuple(b.nodes[n].args[0] if b.nodes[n].op == "bcast" else n for n in v.nodes), v.payload,
                 path=v.path)


def plan_schedule(low: Lowered, observe: list[tuple[str, Value]], instance_order: list[str]) -> Plan:
    """Decide slots, kernels and steps for the lowered program."""
    b = low.builder
    plan = Plan()
    slots = _Slots(b, plan)
    for s in low.sinks:
        ins = s.inputs
        pos = ins["pos"]
        if pos.instance is None:
            pos = Value(tuple(b.as_field(n, s.instance) for n in pos.nodes), pos.payload, s.instance)
        plan.sink_slots[s.block] = {
            "pos": slots.request(f"{s.block}.pos", pos),
            "color": slots.request(f"{s.block}.color", ins["color"]),
            "size": slots.request(f"{s.block}.size", ins["size"]),
            "rotation": slots.request(f"{s.block}.rotation", ins["rotation"]),
            "scale": slots.request(f"{s.block}.scale", ins["scale"]),
            "shape": slots.request(f"{s.block}.shape", _unwrap_shape(b, ins["shape"])),
        }
        shape = _unwrap_shape(b, ins["shape"])
        if shape.path is not None:  # a path shape: its control points are a render input too
            plan.sink_slots[s.block]["path"] = slots.request(f"{s.block}.path", shape.path)
    if low.camera is not None:
        plan.camera_slot = slots.request(f"{low.camera.block}.camera", low.camera.params)
    for w in b.writes:
        cell = b.cells[w.cell]
        payload = "float" if cell.storage == "f32" else "int"
        vslot = slots.request(f"next:{w.cell}", Value(w.values, payload, cell.domain))
        pslot = None
        if w.ring_pos is not None:
            pslot = slots.request(f"pos:{w.cell}", Value((w.ring_pos,), "int"))
        plan.commits[w.cell] = (vslot, pslot)
    for name, v in observe:
        slots.request(name, v)

    # signals that field kernels read (the arguments of bcast nodes) need signal slots
    for inst in instance_order:
        roots = [n for sr in list(plan.slots) if sr.instance == inst for n in sr.components]
        for nid in reachable(b.nodes, roots, through_bcast=False):
            n = b.nodes[nid]
            if n.op == "bcast" and b.nodes[n.args[0]].op != "const":
                arg = b.nodes[n.args[0]]
                slots.request(f"sig:%{arg.id}", Value((arg.id,), _DTYPE_PAYLOAD[arg.dtype], None, arg.event))

    # host tables that kernels read get slots the runtime fills at creation
    for inst in instance_order:
        roots = [n for sr in list(plan.slots) if sr.instance == inst for n in sr.components]
        for nid in reachable(b.nodes, roots, through_bcast=False):
            n = b.nodes[nid]
            if n.op == "table":
                slot = slots.request(f"table:{n.attrs[0]}", Value((nid,), _DTYPE_PAYLOAD[n.dtype], inst))
                plan.slots[slot].host = True
                plan.tables[slot] = n.attrs[0]

    # every output port whose value already sits in a slot is readable too
    for (blk, port), v in low.outputs.items():
        comps = v.nodes if v.instance is None else tuple(b.as_field(n, v.instance) for n in v.nodes)
        slot = slots.by_key.get((comps, v.instance))
        if slot is not None:
            plan.ports.setdefault(f"{blk}.{port}", slot)

    _kernels_and_steps(low, plan, instance_order)
    return plan


def _cells_read(b: IRBuilder, nodes: list[int]) -> tuple[str, ...]:
    return tuple(sorted({b.nodes[n].attrs[0] for n in nodes if b.nodes[n].op in ("state", "ring_read")}))


def static_nodes(nodes) -> set[int]:
    """Nodes whose value is the same every frame: built from constants and the lane index only
    (no time, state or signal input). Signals of that kind were already constant-folded."""
    static: set[int] = set()
    for n in nodes:
        if n.op in ("const", "lane_index", "table"):
            static.add(n.id)
        elif n.op == "bcast":
            if nodes[n.args[0]].op == "const":
                static.add(n.id)
        elif n.op not in ("time", "state", "ring_read") and all(a in static for a in n.args):
            static.add(n.id)
    return static


def _kernels_and_steps(low: Lowered, plan: Plan, instance_order: list[str]) -> None:
    b = low.builder
    static = static_nodes(b.nodes)
    host = tuple(sorted(plan.tables))
    if host:
        plan.steps.append(Step("hostWrite", 1, None, None, 0, (), host))
    for k, inst in enumerate(instance_order):
        writes = tuple(s.slot for s in plan.slots
                       if s.instance == inst and not s.host and all(c in static for c in s.components))
        if writes:
            lanes = low.instances[inst][0]
            plan.kernels.append(KernelSpec(f"init{k}", "field", 1, lanes, inst, writes, once=True))
            plan.steps.append(Step("initKernel", 1, f"init{k}", inst, lanes, (), writes))
    init_written = {s for k in plan.kernels for s in k.writes}
    sig_slots = tuple(s.slot for s in plan.slots if s.instance is None)
    sig_index = {s.components[0]: s.slot for s in plan.slots
                 if s.instance is None and len(s.components) == 1 and b.nodes[s.components[0]].op != "const"}
    if sig_slots:
        nodes = reachable(b.nodes, [n for s in sig_slots for n in plan.slots[s].components])
        plan.kernels.append(KernelSpec("signal", "signal", 1, 1, None, sig_slots))
        plan.steps.append(Step("signalKernel", 1, "signal", None, 1, (), sig_slots, _cells_read(b, nodes)))
    for k, inst in enumerate(instance_order):
        writes = tuple(s.slot for s in plan.slots
                       if s.instance == inst and s.slot not in init_written and not s.host)
        if not writes:
            continue
        nodes = reachable(b.nodes, [n for s in writes for n in plan.slots[s].components], through_bcast=False)
        reads = tuple(sorted({sig_index[b.nodes[n].args[0]] for n in nodes
                              if b.nodes[n].op == "bcast" and b.nodes[n].args[0] in sig_index}))
        lanes = low.instances[inst][0]
        name = f"field{k}"
        plan.kernels.append(KernelSpec(name, "field", 1, lanes, inst, writes))
        plan.steps.append(Step("fieldKernel", 1, name, inst, lanes, reads, writes, _cells_read(b, nodes)))
    for s in low.sinks:
        ss = plan.sink_slots[s.block]
        plan.steps.append(Step("render", 1, None, s.instance, low.instances[s.instance][0],
                               tuple(sorted(set(ss.values()))), block=s.block))
    if plan.commits:
        total = sum(b.cells[c].commit_units for c in plan.commits)
        plan.kernels.append(KernelSpec("commit", "commit", 2, total))
        for cell, (vslot, pslot) in plan.commits.items():
            reads = (vslot,) if pslot is None else (vslot, pslot)
            c = b.cells[cell]
            plan.steps.append(Step("stateWrite", 2, "commit", c.domain, c.lanes, reads, (), (), (cell,)))


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
            raise ScheduleError(f"step {i} ({st.kind}) is phase 1 but follows a phase 2 step; all phase 1 "
                                f"steps run before the phase 2 state commit")
        seen_phase = st.phase
        if st.writes_cells and st.phase != 2:
            raise ScheduleError(f"step {i} ({st.kind}) writes state cell(s) {', '.join(st.writes_cells)} in phase "
                                f"{st.phase}; state is written only in phase 2, after every reader ran "
                                f"(otherwise a UnitDelay becomes a wire)")
        if st.phase == 2 and st.writes_slots:
            raise ScheduleError(f"step {i} ({st.kind}) writes slot(s) {', '.join(f's{x}' for x in st.writes_slots)} "
                                f"in phase 2; phase 2 only commits state")
        for s in st.reads_slots:
            if s not in writer and s in all_written:
                raise ScheduleError(f"step {i} ({st.kind}) reads slot s{s} before the step that writes it")
        for s in st.writes_slots:
            if s in writer:
                raise ScheduleError(f"slot s{s} has two writers: step {writer[s]} and step {i} ({st.kind}); "
                                    f"every slot has a single writer per frame")
            writer[s] = i
