"""Deterministic WGSL codegen: one signal kernel, one fused field kernel per instance, one commit.

Codegen knows IR and layout, never blocks or patches. Every IR node a kernel needs becomes a WGSL
``let`` named from a dense index (``v0, v1, ...``); only materialized slots are stored. User
strings (block ids, params) never reach the text: names are derived from indices and the only
literals are numbers formatted here.

Every kernel starts with :func:`kernel_prelude` (the FrameUniforms struct generated from
oscilla/abi/uniforms.py, then oscilla/shaders/prelude.wgsl), the static files of the opcodes it uses
that keep their helpers outside the prelude (``Opcode.include``: the noise helpers of
oscilla/shaders/noise.wgsl) and the binding declarations of its
phase, generated from the table in oscilla/abi/bindings.py (group 0: ``fu`` the frame uniform;
``vf vi vu`` the ValueStore, read_write in phase 1 and read in phase 2; ``sf si`` the StateBuffer,
the other way round; ``vf4 sf4`` the f32 buffers again as vec4s; ``sc`` scratch). Slot and cell
offsets are multiples of 4 elements (compiler.allocate), so ``offset / 4`` indexes the vec4 views.
An f32 ValueStore larger than one binding range is declared as ranges (``vf_k``/``vf4_k``, k >= 1;
oscilla/abi/bindings.py) and each f32 slot is indexed in its range with a range-local offset
(:func:`value_ref`); a store within one range generates exactly the single-binding text.
"""

from __future__ import annotations

import math
from functools import cache

import numpy as np

from oscilla.abi.bindings import (
    VALUE_RANGE_ELEMENTS,
    BufferKey,
    binding_name,
    range_name,
    value_ranges,
    wgsl_declarations,
)
from oscilla.abi.dispatch import WORKGROUP_SIZE
from oscilla.codegen.frame_fields import TIME_FIELDS, external_field
from oscilla.ir.graph import Node, reachable
from oscilla.ir.opcodes import OPCODES
from oscilla.program import KernelSpec, ReductionSpec, SlotMeta, StateLayout, storage_sizes
from oscilla.shaders import load_wgsl, shader_source

#: WGSL names of the ValueStore / StateBuffer arrays per storage class (oscilla/abi/bindings.py)
VALUE_ARRAYS = {
    "f32": binding_name(BufferKey.VALUES_F32),
    "i32": binding_name(BufferKey.VALUES_I32),
    "u32": binding_name(BufferKey.VALUES_U32),
}
STATE_ARRAYS = {"f32": binding_name(BufferKey.STATE_F32), "i32": binding_name(BufferKey.STATE_I32)}
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
        return "bitcast<i32>(2147483648u)" if v == -(2**31) else (f"({v}i)" if v < 0 else f"{v}i")
    return f"{int(v) & 0xFFFFFFFF}u"


def bindings(phase: int, ranges: int = 1) -> str:
    """The binding declarations of a kernel of ``phase`` (1 or 2) whose f32 ValueStore spans
    ``ranges`` binding ranges, from oscilla/abi/bindings.py."""
    return wgsl_declarations(phase, ranges)


def value_ref(sm: SlotMeta, range_elements: int = VALUE_RANGE_ELEMENTS) -> tuple[str, str, int]:
    """Where kernels index slot ``sm``: (scalar array name, vec4 array name, element offset in
    that array). An f32 slot lies in one range (compiler.allocate), so its offset is local to
    range ``offset // range_elements``; the vec4 name is "" for i32/u32 slots."""
    if sm.storage != "f32":
        return VALUE_ARRAYS[sm.storage], "", sm.offset
    k = sm.offset // range_elements
    return range_name(k, False), range_name(k, True), sm.offset - k * range_elements


def _ranges(slot_meta: tuple[SlotMeta, ...], range_elements: int) -> int:
    return value_ranges(storage_sizes(slot_meta)["f32"], range_elements)


@cache
def kernel_prelude() -> str:
    """The text every generated kernel starts with: the FrameUniforms struct (generated from
    oscilla/abi/uniforms.py), a blank line, then oscilla/shaders/prelude.wgsl."""
    return shader_source("prelude.wgsl")


LANES_PER_INVOCATION = 4  # field kernels compute four adjacent lanes as vec4 values
_XYZW = "xyzw"


def kernel_invocations(k: KernelSpec) -> int:
    """Invocations a kernel is dispatched with: 1 (signal), ceil(N/4) (field: 4 lanes each), or
    the commit units (commit). Lane-coupled kernels set ``workgroups`` explicitly instead."""
    if k.workgroups:
        return k.workgroups * WORKGROUP_SIZE
    if k.kind == "signal":
        return 1
    if k.kind == "field":
        return -(-k.lanes // LANES_PER_INVOCATION)
    return k.lanes


def _entry(kind: str, invocations: int = 1) -> list[str]:
    if kind == "signal":
        return ["@compute @workgroup_size(1)", "fn main() {"]
    lines = [
        f"@compute @workgroup_size({WORKGROUP_SIZE})",
        "fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {",
        f"    let inv = gid.x + gid.y * (nwg.x * {WORKGROUP_SIZE}u);",
        f"    if (inv >= {invocations}u) {{ return; }}",
    ]
    if kind == "field":
        lines += ["    let lane0 = inv * 4u;", "    let li4 = vec4<i32>(i32(lane0)) + vec4<i32>(0, 1, 2, 3);"]
    else:
        lines += ["    let lane = inv;"]
    return lines


class _Emitter:
    """Turns IR nodes into WGSL ``let`` lines. ``width`` 1 emits scalars (the signal kernel);
    width 4 emits vec4 values holding lanes lane0 .. lane0+3 (field kernels)."""

    def __init__(
        self,
        nodes,
        sig_slot_of: dict[int, SlotMeta],
        state: StateLayout,
        width: int = 1,
        field_slot_of: dict[int, SlotMeta] | None = None,
        reductions: dict[int, ReductionSpec] | None = None,
        range_elements: int = VALUE_RANGE_ELEMENTS,
    ):
        self.nodes = nodes
        self.range_elements = range_elements
        self.reductions = reductions or {}
        self.sig_slot_of = sig_slot_of
        self.field_slot_of = field_slot_of or {}
        self.cells = {c.state_id: c for c in state.cells}
        self.w = width
        self.names: dict[int, str] = {}
        self.lines: list[str] = []
        self.hsv: dict[tuple, str] = {}

    def _type(self, dtype: str) -> str:
        return WGSL_TYPE[dtype] if self.w == 1 else f"vec4<{dtype}>"

    def _splat(self, scalar: str, dtype: str) -> str:
        return scalar if self.w == 1 else f"vec4<{dtype}>({scalar})"

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
            return self._splat(f"osc_k({int(np.array(a.attrs[0], np.float32).view(np.uint32))}u)", "f32")
        return self.expr(n.args[i])

    def _nonzero_const(self, nid: int) -> bool:
        n = self.nodes[nid]
        return n.op == "const" and n.attrs[0] != 0

    def expr(self, nid: int) -> str:
        return self.names[nid]

    def _template(self, op: str) -> str:
        """The op record's WGSL template for this emitter's width (scalar or vec4)."""
        rec = OPCODES[op]
        if self.w == 1:
            return rec.wgsl
        if rec.vec4_template is None:
            raise ValueError(f"opcode {op!r} has no vec4 template: {rec.wgsl4}")
        return rec.vec4_template

    def _lane_loads(self, arr: str, dtype: str, index_of) -> str:
        """vec4 of four scalar loads ``arr[index_of(j)]`` for lanes lane0 + j (width 4 only)."""
        return f"vec4<{dtype}>(" + ", ".join(f"{arr}[{index_of(j)}]" for j in range(4)) + ")"

    def load(self, nid: int, sm: SlotMeta) -> None:
        """Node ``nid`` read from its one-component slot ``sm`` instead of computed: a value an
        earlier part of a split kernel stored (docs/compiler/scheduling.md#splitting)."""
        n: Node = self.nodes[nid]
        arr, arr4, off = value_ref(sm, self.range_elements)
        if self.w == 1:
            code = f"{arr}[{off}u]"
        elif sm.storage == "f32":
            code = f"{arr4}[{off // 4}u + inv]"  # 4 lanes, 16-byte aligned (layout)
        else:
            code = self._lane_loads(arr, n.dtype, lambda j: f"{off}u + lane0 + {j}u")
        name = f"v{len(self.lines)}"
        self.names[nid] = name
        self.lines.append(f"    let {name}: {self._type(n.dtype)} = {code};")

    def emit(self, nid: int) -> None:
        n: Node = self.nodes[nid]
        if n.op == "const":
            self.names[nid] = self._splat(literal(n), n.dtype)
            return
        if n.op == "time":
            self.names[nid] = self._splat(TIME_FIELDS[n.attrs[0]], n.dtype)
            return
        if n.op == "external":  # the channel's dense index only; its name never reaches WGSL
            self.names[nid] = self._splat(external_field(n.attrs[0]), n.dtype)
            return
        if n.op == "lane_index":
            self.names[nid] = "li4"
            return
        if n.op in ("table", "scan"):  # a field slot of stride 1 written earlier, 16-byte aligned (layout)
            sm = self.field_slot_of[nid]
            arr, arr4, off = value_ref(sm, self.range_elements)
            code = (
                f"{arr4}[{off // 4}u + inv]"
                if sm.storage == "f32"
                else self._lane_loads(arr, n.dtype, lambda j: f"{off}u + lane0 + {j}u")
            )
            name = f"v{len(self.lines)}"
            self.names[nid] = name
            self.lines.append(f"    let {name}: {self._type(n.dtype)} = {code};")
            return
        if n.op == "bcast":
            arg = self.nodes[n.args[0]]
            if arg.op == "const":
                self.names[nid] = self._splat(literal(arg), arg.dtype)
                return
            sm = self.sig_slot_of[arg.id]
            arr, _, off = value_ref(sm, self.range_elements)
            code = self._splat(f"{arr}[{off}u]", n.dtype)
        elif n.op == "state":
            cell = self.cells[n.attrs[0]]
            arr = STATE_ARRAYS[cell.storage]
            comp = n.attrs[1]
            if n.instance is None:
                code = f"{arr}[{cell.offset + comp}u]"
            elif cell.stride == 1 and cell.storage == "f32":
                code = f"sf4[{cell.offset // 4}u + inv]"  # 4 lanes, 16-byte aligned (layout)
            else:
                code = self._lane_loads(
                    arr, n.dtype, lambda j: f"{cell.offset + comp}u + (lane0 + {j}u) * {cell.stride}u"
                )
        elif n.op == "reduce":  # fold the partials the source's field kernel left in scratch
            red = self.reductions[nid]
            off, groups, lanes, op = red.scratch_offset, red.partials, red.lanes, red.op
            acc = f"r{len(self.lines)}"
            ident = _REDUCE_IDENTITY[op]
            # Two levels (blocks of FOLD_BLOCK partials) keep the float error of a long sum small.
            # The block is unrolled: lavapipe ends any loop after 65535 iterations per invocation
            # (gpu.MAX_LOOP_ITERATIONS), so the only loop runs groups / FOLD_BLOCK times.
            self.lines += [
                f"    var {acc}: f32 = {ident};",
                f"    for (var b = 0u; b < {groups}u; b += {FOLD_BLOCK}u) {{",
                f"        var blk: f32 = {ident};",
            ]
            for i in range(min(FOLD_BLOCK, groups)):
                term = (
                    f"sc[{off}u + b + {i}u]"
                    if groups % FOLD_BLOCK == 0 or groups < FOLD_BLOCK
                    else f"select({ident}, sc[{off}u + b + {i}u], b + {i}u < {groups}u)"
                )
                self.lines.append(f"        blk = {_REDUCE_COMBINE[op].format(a='blk', b=term)};")
            self.lines += [f"        {acc} = {_REDUCE_COMBINE[op].format(a=acc, b='blk')};", "    }"]
            code = f"{acc} / {f32_literal(float(lanes))}" if op == "avg" else acc
        elif n.op == "gather":  # lanes of a field materialized by an earlier stage, at any index
            sm = self.field_slot_of[n.args[0]]
            idx = self.expr(n.args[1])
            arr, _, off = value_ref(sm, self.range_elements)
            last = sm.lanes - 1
            if self.w == 1:
                code = f"{arr}[{off}u + u32(clamp({idx}, 0, {last}))]"
            else:
                code = self._lane_loads(arr, n.dtype, lambda j: f"{off}u + u32(clamp({idx}.{_XYZW[j]}, 0, {last}))")
        elif n.op in _HSV_COMPONENT:
            # one hsv2rgb call per (h, s, v) serves all three components
            key = n.args
            if key not in self.hsv:
                self.hsv[key] = f"h{len(self.hsv)}"
                args = ", ".join(self.expr(a) for a in n.args)
                call = f"vec3<f32> = osc_hsv2rgb({args})" if self.w == 1 else f"Rgb4 = osc_hsv2rgb4({args})"
                self.lines.append(f"    let {self.hsv[key]}: {call};")
            comp = _HSV_COMPONENT[n.op] if self.w == 1 else "rgb"[_XYZW.index(_HSV_COMPONENT[n.op])]
            self.names[nid] = f"{self.hsv[key]}.{comp}"
            return
        elif n.op in ("mod_i", "div_i") and self._nonzero_const(n.args[1]):
            sym = "%" if n.op == "mod_i" else "/"
            code = f"({self.expr(n.args[0])} {sym} {self.expr(n.args[1])})"
        elif n.op == "ring_read":
            cell = self.cells[n.attrs[0]]
            arr = STATE_ARRAYS[cell.storage]
            head = self.expr(n.args[0])
            if n.instance is None:
                code = f"{arr}[{cell.offset}u + u32({head})]"
            else:  # the head is a broadcast signal: every component holds it
                code = self._lane_loads(
                    arr, n.dtype, lambda j: f"{cell.offset}u + u32({head}.x) * {cell.lanes}u + lane0 + {j}u"
                )
        elif n.op in _ARITH:
            code = self._template(n.op).format(*(self._operand(n, i) for i in range(2)))
        else:
            code = self._template(n.op).format(*(self.expr(a) for a in n.args))
        name = f"v{len(self.lines)}"
        self.names[nid] = name
        self.lines.append(f"    let {name}: {self._type(n.dtype)} = {code};")


def _signal_stores(sm: SlotMeta, em: _Emitter) -> list[str]:
    arr, _, off = value_ref(sm, em.range_elements)
    return [f"    {arr}[{off + c}u] = {em.expr(nid)};" for c, nid in enumerate(sm.components)]


def _field_stores(sm: SlotMeta, em: _Emitter) -> list[str]:
    """Stores of lanes lane0 .. lane0+3 of a field slot (the whole group is inside the slot).

    f32 slots are written as vec4s: lane group g of a slot with stride s occupies the 4·s floats
    from offset + 4·g·s, which is 16-byte aligned because offsets are multiples of 4 elements.
    """
    names = [em.expr(nid) for nid in sm.components]
    s = sm.stride
    _, arr4, off = value_ref(sm, em.range_elements)
    if sm.storage == "f32":
        flat = [f"{names[c]}.{_XYZW[j]}" for j in range(4) for c in range(s)]
        if s == 1:
            return [f"    {arr4}[{off // 4}u + inv] = {names[0]};"]
        return [
            f"    {arr4}[{off // 4}u + inv * {s}u + {q}u] = vec4<f32>({', '.join(flat[4 * q : 4 * q + 4])});"
            for q in range(s)
        ]
    return [line for j in range(4) for line in _lane_stores(sm, names, j, em.range_elements)]


def _lane_stores(sm: SlotMeta, names: list[str], j: int, range_elements: int = VALUE_RANGE_ELEMENTS) -> list[str]:
    arr, _, off = value_ref(sm, range_elements)
    return [f"    {arr}[{off + c}u + (lane0 + {j}u) * {sm.stride}u] = {names[c]}.{_XYZW[j]};" for c in range(sm.stride)]


def generate_kernel(
    k: KernelSpec,
    nodes,
    slot_meta: tuple[SlotMeta, ...],
    state: StateLayout,
    reductions: dict[int, ReductionSpec] | None = None,
    range_elements: int = VALUE_RANGE_ELEMENTS,
) -> str:
    """WGSL source of a signal or field kernel (prelude + bindings + body); ``range_elements``:
    elements of one binding range of the f32 ValueStore (oscilla/abi/bindings.py).

    A field kernel invocation computes lanes lane0 .. lane0+3 as vec4 values. When N is not a
    multiple of 4 the last invocation stores only its lanes below N, one scalar at a time. A field
    kernel with ``partials`` also writes, for each reduced value, the fold of its own (up to) four
    lanes to scratch[offset + invocation]; the next stage's signal kernel folds those partials
    (docs/language/fields-and-instances.md#reduce: summation order is free). No workgroup barrier is needed, which
    matters on software rasterizers, where a barrier suspends and resumes every invocation.
    """
    sig_slot_of = {sm.components[0]: sm for sm in slot_meta if sm.instance is None and sm.stride == 1}
    writes = [slot_meta[s] for s in k.writes]
    field = k.kind == "field"
    field_slot_of = {sm.components[0]: sm for sm in slot_meta if sm.instance is not None and sm.stride == 1}
    em = _Emitter(
        nodes,
        sig_slot_of,
        state,
        width=LANES_PER_INVOCATION if field else 1,
        field_slot_of=field_slot_of,
        reductions=reductions,
        range_elements=range_elements,
    )
    loaded = {slot_meta[s].components[0]: slot_meta[s] for s in k.loads}
    includes: set[str] = set()
    for nid in reachable(nodes, [c for sm in writes for c in sm.components], through_bcast=False, stop=loaded):
        if nid in loaded:
            em.load(nid, loaded[nid])
        else:
            em.emit(nid)
            rec = OPCODES.get(nodes[nid].op)
            if rec is not None and rec.include:
                includes.add(rec.include)
    body = list(_entry(k.kind, kernel_invocations(k)))
    body += em.lines
    for part in k.partials if field else ():
        v, op = em.expr(part.source_node), part.op
        lanes = [
            f"{v}.{_XYZW[j]}"
            if (j == 0 or k.lanes % 4 == 0)
            else f"select({_REDUCE_IDENTITY[op]}, {v}.{_XYZW[j]}, lane0 + {j}u < {k.lanes}u)"
            for j in range(4)
        ]
        fold = lanes[0]
        for x in lanes[1:]:
            fold = _REDUCE_COMBINE[op].format(a=fold, b=x)
        body.append(f"    sc[{part.scratch_offset}u + inv] = {fold};")
    if not field:
        for sm in writes:
            body += _signal_stores(sm, em)
    else:
        full = [line for sm in writes for line in _field_stores(sm, em)]
        if k.lanes % 4 == 0:
            body += full
        else:
            body.append(f"    if (lane0 + 4u <= {k.lanes}u) {{")
            body += ["    " + line for line in full]
            body.append("        return;")
            body.append("    }")
            for j in range(4):
                body.append(f"    if (lane0 + {j}u < {k.lanes}u) {{")
                for sm in writes:
                    names = [em.expr(c) for c in sm.components]
                    body += ["    " + ln for ln in _lane_stores(sm, names, j, range_elements)]
                body.append("    }")
    body.append("}")
    ranges = _ranges(slot_meta, range_elements)
    return "\n".join([kernel_prelude(), *op_includes(includes), bindings(1, ranges), "", *body, ""])


def op_includes(names: set[str]) -> list[str]:
    """The texts of the static WGSL files ``names`` (the ``include`` of the opcodes a kernel
    uses, oscilla/shaders/), in name order: the helpers that are not in the prelude."""
    return [load_wgsl(name) for name in sorted(names)]


def generate_commit(
    commits: dict[str, tuple[int, int | None]],
    slot_meta: tuple[SlotMeta, ...],
    state: StateLayout,
    total: int,
    range_elements: int = VALUE_RANGE_ELEMENTS,
) -> str:
    """WGSL of the phase 2 kernel. The cells' commit units are concatenated: invocation g copies
    its unit of a next-state slot into the cell (4 elements as one vec4 for plain f32 cells, one
    element for i32 cells and DelayFrames rings, whose element is at the position slot's value)."""
    cells = {c.state_id: c for c in state.cells}
    body = _entry("commit", total)
    start = 0
    for cell_id, (vslot, pslot) in commits.items():
        c = cells[cell_id]
        sm = slot_meta[vslot]
        n = sm.size
        vec = c.storage == "f32" and c.frames == 1
        end = start + (-(-n // 4) if vec else n)
        arr, arr4, off = value_ref(sm, range_elements)
        src = f"{arr}[{off}u + k]"
        dst_arr = STATE_ARRAYS[c.storage]
        body.append(f"    if (lane < {end}u) {{")
        body.append(f"        let k = lane - {start}u;")
        if vec and n % 4 == 0:
            body.append(f"        sf4[{c.offset // 4}u + k] = {arr4}[{off // 4}u + k];")
        elif vec:
            body.append(f"        if (k < {n // 4}u) {{")
            body.append(f"            sf4[{c.offset // 4}u + k] = {arr4}[{off // 4}u + k];")
            body.append("        } else {")
            body.append(
                f"            for (var e = {n // 4 * 4}u; e < {n}u; e++) {{ sf[{c.offset}u + e] = {arr}[{off}u + e]; }}"
            )
            body.append("        }")
        elif pslot is not None:
            ps = slot_meta[pslot]
            parr, _, poff = value_ref(ps, range_elements)
            body.append(f"        let p = u32({parr}[{poff}u]);")
            body.append(f"        {dst_arr}[{c.offset}u + p * {n}u + k] = {src};")
        else:
            body.append(f"        {dst_arr}[{c.offset}u + k] = {src};")
        body.append("        return;")
        body.append("    }")
        start = end
    body.append("}")
    return "\n".join([kernel_prelude(), bindings(2, _ranges(slot_meta, range_elements)), "", *body, ""])


# -- lane-coupled kernels (stage barriers) ----------------------------------------------------

FOLD_BLOCK = 128  # partials folded per (unrolled) block by the signal kernel
_REDUCE_COMBINE = {"sum": "({a} + {b})", "avg": "({a} + {b})", "min": "min({a}, {b})", "max": "max({a}, {b})"}
_REDUCE_IDENTITY = {
    "sum": "0.0f",
    "avg": "0.0f",
    "min": "bitcast<f32>(2139095040u)",
    "max": "bitcast<f32>(4286578688u)",
}


def generate_scan(k: KernelSpec, slot_meta: tuple[SlotMeta, ...], range_elements: int = VALUE_RANGE_ELEMENTS) -> str:
    """Inclusive prefix sums with one workgroup: thread t scans its chunk of ceil(N/256) lanes
    sequentially, thread 0 turns the 256 chunk totals into offsets, every thread adds its offset."""
    lines = [
        "var<workgroup> tot: array<f32, 256>;",
        "",
        "@compute @workgroup_size(256)",
        "fn main(@builtin(local_invocation_id) lid: vec3<u32>) {",
        "    let t = lid.x;",
    ]
    for scan in k.scans:
        s_in, s_out, lanes = slot_meta[scan.source_slot], slot_meta[scan.result_slot], scan.lanes
        a_in, _, o_in = value_ref(s_in, range_elements)
        a_out, _, o_out = value_ref(s_out, range_elements)
        chunk = -(-lanes // 256)
        lines += [
            "    {",
            f"        let start = t * {chunk}u;",
            "        var run: f32 = 0.0f;",
            # two lanes per iteration (straight-line: lavapipe counts nested loops cumulatively) keep
            # every loop under gpu.MAX_LOOP_ITERATIONS up to 2^24 lanes
            f"        for (var j = 0u; j < {chunk}u; j += 2u) {{",
            *[
                line
                for q in (0, 1)
                for line in (
                    f"            if (j + {q}u < {chunk}u && start + j + {q}u < {lanes}u) {{",
                    f"                run = run + {a_in}[{o_in}u + start + j + {q}u];",
                    f"                {a_out}[{o_out}u + start + j + {q}u] = run;",
                    "            }",
                )
            ],
            "        }",
            "        tot[t] = run;",
            "        workgroupBarrier();",
            "        if (t == 0u) {",
            "            var p: f32 = 0.0f;",
            "            for (var q = 0u; q < 256u; q++) { let v = tot[q]; tot[q] = p; p = p + v; }",
            "        }",
            "        workgroupBarrier();",
            "        let off = tot[t];",
            f"        for (var j = 0u; j < {chunk}u; j += 2u) {{",
            *[
                line
                for q in (0, 1)
                for line in (
                    f"            if (j + {q}u < {chunk}u && start + j + {q}u < {lanes}u) {{",
                    f"                {a_out}[{o_out}u + start + j + {q}u] = "
                    f"{a_out}[{o_out}u + start + j + {q}u] + off;",
                    "            }",
                )
            ],
            "        }",
            "        workgroupBarrier();",
            "    }",
        ]
    lines.append("}")
    return "\n".join([kernel_prelude(), bindings(1, _ranges(slot_meta, range_elements)), "", *lines, ""])
