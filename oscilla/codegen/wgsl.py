"""Deterministic WGSL codegen: one signal kernel, one fused field kernel per instance, one commit.

Codegen knows IR and layout, never blocks or patches. Every IR node a kernel needs becomes a WGSL
``let`` named from a dense index (``v0, v1, ...``); only materialized slots are stored. User
strings (block ids, params) never reach the text: names are derived from indices and the only
literals are numbers formatted here.

Bindings (group 0), the same for every kernel; access modes differ by phase:
    0 fu  uniform FrameUniforms
    1 vf  ValueStore f32   (phase 1: read_write, phase 2: read)
    2 vi  ValueStore i32
    3 vu  ValueStore u32
    4 sf  StateBuffer f32  (phase 1: read, phase 2: read_write)
    5 si  StateBuffer i32
    6 vf4 the ValueStore f32 buffer again, as vec4s (16-byte aligned colour stores, vec4 copies)
    7 sf4 the StateBuffer f32 buffer again, as vec4s
Slot and cell offsets are multiples of 4 elements (compiler.layout), so ``offset / 4`` indexes the
vec4 views.
"""

from __future__ import annotations

import math

import numpy as np

from ..ir import Node, reachable
from ..program import KernelSpec, SlotMeta, StateLayout
from ..shaders_path import load_wgsl
from .wgsl_ops import TIME_FIELDS, WGSL_OPS

WORKGROUP_SIZE = 256
VALUE_ARRAYS = {"f32": "vf", "i32": "vi", "u32": "vu"}
STATE_ARRAYS = {"f32": "sf", "i32": "si"}
WGSL_TYPE = {"f32": "f32", "i32": "i32", "u32": "u32"}
_HSV_COMPONENT = {"hsv_r": "x", "hsv_g": "y", "hsv_b": "z"}
_ARITH = ("add", "sub", "mul", "div")


def f32_literal(x: float) -> str:
    """A WGSL f32 literal whose value is exactly f32(x) (shortest round-trip digits)."""
    v = np.float32(x)
    if not math.isfinite(float(v)):
        return f"bitcast<f32>({int(np.array(v).view(np.uint32))}u)"
    if v == 0:
        return "-0.0f" if np.signbit(v) else "0.0f"
    a = abs(float(v))
    if 1e-4 <= a < 1e7:
        s = np.format_float_positional(v, unique=True, trim="0")
    else:
        s = np.format_float_scientific(v, unique=True, trim="0")
    s = s.replace("+", "")
    if s.endswith("."):
        s += "0"
    return f"({s}f)" if s.startswith("-") else f"{s}f"


def literal(n: Node) -> str:
    v = n.attrs[0]
    if n.dtype == "f32":
        return f32_literal(v)
    if n.dtype == "i32":
        return "bitcast<i32>(2147483648u)" if v == -2**31 else (f"({v}i)" if v < 0 else f"{v}i")
    return f"{int(v) & 0xFFFFFFFF}u"


def bindings(phase: int) -> str:
    vmode = "read_write" if phase == 1 else "read"
    smode = "read" if phase == 1 else "read_write"
    return "\n".join([
        "@group(0) @binding(0) var<uniform> fu: FrameUniforms;",
        f"@group(0) @binding(1) var<storage, {vmode}> vf: array<f32>;",
        f"@group(0) @binding(2) var<storage, {vmode}> vi: array<i32>;",
        f"@group(0) @binding(3) var<storage, {vmode}> vu: array<u32>;",
        f"@group(0) @binding(4) var<storage, {smode}> sf: array<f32>;",
        f"@group(0) @binding(5) var<storage, {smode}> si: array<i32>;",
        f"@group(0) @binding(6) var<storage, {vmode}> vf4: array<vec4<f32>>;",
        f"@group(0) @binding(7) var<storage, {smode}> sf4: array<vec4<f32>>;",
    ])


def _entry(kind: str) -> list[str]:
    if kind == "signal":
        return ["@compute @workgroup_size(1)", "fn main() {"]
    return [f"@compute @workgroup_size({WORKGROUP_SIZE})",
            "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {",
            f"    let lane = gid.x + gid.y * (nwg.x * {WORKGROUP_SIZE}u);"]


class _Emitter:
    def __init__(self, nodes, slots: dict[int, SlotMeta], sig_slot_of: dict[int, SlotMeta],
                 state: StateLayout, lanes: int | None):
        self.nodes = nodes
        self.sig_slot_of = sig_slot_of
        self.cells = {c.state_id: c for c in state.cells}
        self.lanes = lanes
        self.names: dict[int, str] = {}
        self.lines: list[str] = []
        self.hsv: dict[tuple, str] = {}

    def _has_const_arith(self, nid: int) -> bool:
        n = self.nodes[nid]
        return n.op in _ARITH + ("neg",) and any(self.nodes[a].op == "const" for a in n.args)

    def _operand(self, n: Node, i: int) -> str:
        """Operand i of an f32 arithmetic node. A literal whose partner is itself arithmetic with a
        literal becomes osc_k(bits), so the driver cannot fold the two literals together (it would
        change the rounding the reference interpreter reproduces)."""
        a = self.nodes[n.args[i]]
        other = n.args[1 - i]
        if a.op == "const" and a.dtype == "f32" and self._has_const_arith(other):
            return f"osc_k({int(np.array(a.attrs[0], np.float32).view(np.uint32))}u)"
        return self.expr(n.args[i])

    def _nonzero_const(self, nid: int) -> bool:
        n = self.nodes[nid]
        return n.op == "const" and n.attrs[0] != 0

    def expr(self, nid: int) -> str:
        return self.names[nid]

    def emit(self, nid: int) -> None:
        n: Node = self.nodes[nid]
        if n.op == "const":
            self.names[nid] = literal(n)
            return
        if n.op == "time":
            self.names[nid] = TIME_FIELDS[n.attrs[0]]
            return
        if n.op == "lane_index":
            self.names[nid] = "i32(lane)"
            return
        if n.op == "bcast":
            arg = self.nodes[n.args[0]]
            if arg.op == "const":
                self.names[nid] = literal(arg)
                return
            sm = self.sig_slot_of[arg.id]
            code = f"{VALUE_ARRAYS[sm.storage]}[{sm.offset}u]"
        elif n.op == "state":
            cell = self.cells[n.attrs[0]]
            arr = STATE_ARRAYS[cell.storage]
            comp = n.attrs[1]
            if n.domain is None:
                code = f"{arr}[{cell.offset + comp}u]"
            else:
                code = f"{arr}[{cell.offset + comp}u + lane * {cell.stride}u]" if cell.stride > 1 else \
                    f"{arr}[{cell.offset}u + lane]"
        elif n.op in _HSV_COMPONENT:
            # one hsv2rgb call per (h, s, v) serves all three components
            key = n.args
            if key not in self.hsv:
                self.hsv[key] = f"h{len(self.hsv)}"
                args = ", ".join(self.expr(a) for a in n.args)
                self.lines.append(f"    let {self.hsv[key]}: vec3<f32> = osc_hsv2rgb({args});")
            self.names[nid] = f"{self.hsv[key]}.{_HSV_COMPONENT[n.op]}"
            return
        elif n.op in ("mod_i", "div_i") and self._nonzero_const(n.args[1]):
            sym = "%" if n.op == "mod_i" else "/"
            code = f"({self.expr(n.args[0])} {sym} {self.expr(n.args[1])})"
        elif n.op == "ring_read":
            cell = self.cells[n.attrs[0]]
            arr = STATE_ARRAYS[cell.storage]
            head = self.expr(n.args[0])
            if n.domain is None:
                code = f"{arr}[{cell.offset}u + u32({head})]"
            else:
                code = f"{arr}[{cell.offset}u + u32({head}) * {cell.lanes}u + lane]"
        elif n.op in _ARITH:
            code = WGSL_OPS[n.op].format(*(self._operand(n, i) for i in range(2)))
        else:
            code = WGSL_OPS[n.op].format(*(self.expr(a) for a in n.args))
        name = f"v{len(self.lines)}"
        self.names[nid] = name
        self.lines.append(f"    let {name}: {WGSL_TYPE[n.dtype]} = {code};")


def _store(sm: SlotMeta, comp: int, value: str) -> str:
    arr = VALUE_ARRAYS[sm.storage]
    if sm.instance is None:
        return f"    {arr}[{sm.offset + comp}u] = {value};"
    if sm.stride == 1:
        return f"    {arr}[{sm.offset}u + lane] = {value};"
    return f"    {arr}[{sm.offset + comp}u + lane * {sm.stride}u] = {value};"


def generate_kernel(k: KernelSpec, nodes, slot_meta: tuple[SlotMeta, ...], state: StateLayout) -> str:
    """WGSL source of a signal or field kernel (prelude + bindings + body)."""
    sig_slot_of = {sm.components[0]: sm for sm in slot_meta if sm.instance is None and sm.stride == 1}
    writes = [slot_meta[s] for s in k.writes]
    em = _Emitter(nodes, {s.slot: s for s in writes}, sig_slot_of, state, k.lanes if k.kind == "field" else None)
    for nid in reachable(nodes, [c for sm in writes for c in sm.components], through_bcast=False):
        em.emit(nid)
    body = list(_entry(k.kind))
    if k.kind == "field":
        body.append(f"    if (lane >= {k.lanes}u) {{ return; }}")
    body += em.lines
    for sm in writes:
        if sm.instance is not None and sm.stride == 4 and sm.storage == "f32":
            comps = ", ".join(em.expr(nid) for nid in sm.components)
            body.append(f"    vf4[{sm.offset // 4}u + lane] = vec4<f32>({comps});")
            continue
        for c, nid in enumerate(sm.components):
            body.append(_store(sm, c, em.expr(nid)))
    body.append("}")
    return "\n".join([load_wgsl("prelude.wgsl"), bindings(1), "", *body, ""])


def generate_commit(commits: dict[str, tuple[int, int | None]], slot_meta: tuple[SlotMeta, ...],
                    state: StateLayout, total: int) -> str:
    """WGSL of the phase 2 kernel. The cells' commit units are concatenated: invocation g copies
    its unit of a next-state slot into the cell (4 elements as one vec4 for plain f32 cells, one
    element for i32 cells and DelayFrames rings, whose element is at the position slot's value)."""
    cells = {c.state_id: c for c in state.cells}
    body = _entry("commit")
    body.append(f"    if (lane >= {total}u) {{ return; }}")
    start = 0
    for cell_id, (vslot, pslot) in commits.items():
        c = cells[cell_id]
        sm = slot_meta[vslot]
        n = sm.size
        vec = c.storage == "f32" and c.frames == 1
        end = start + (-(-n // 4) if vec else n)
        src = f"{VALUE_ARRAYS[sm.storage]}[{sm.offset}u + k]"
        dst_arr = STATE_ARRAYS[c.storage]
        body.append(f"    if (lane < {end}u) {{")
        body.append(f"        let k = lane - {start}u;")
        if vec and n % 4 == 0:
            body.append(f"        sf4[{c.offset // 4}u + k] = vf4[{sm.offset // 4}u + k];")
        elif vec:
            body.append(f"        if (k < {n // 4}u) {{")
            body.append(f"            sf4[{c.offset // 4}u + k] = vf4[{sm.offset // 4}u + k];")
            body.append("        } else {")
            body.append(f"            for (var e = {n // 4 * 4}u; e < {n}u; e++) {{ sf[{c.offset}u + e] = vf[{sm.offset}u + e]; }}")
            body.append("        }")
        elif pslot is not None:
            ps = slot_meta[pslot]
            body.append(f"        let p = u32({VALUE_ARRAYS[ps.storage]}[{ps.offset}u]);")
            body.append(f"        {dst_arr}[{c.offset}u + p * {n}u + k] = {src};")
        else:
            body.append(f"        {dst_arr}[{c.offset}u + k] = {src};")
        body.append("        return;")
        body.append("    }")
        start = end
    body.append("}")
    return "\n".join([load_wgsl("prelude.wgsl"), bindings(2), "", *body, ""])
