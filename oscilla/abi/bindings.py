"""The bindings of every generated compute kernel (bind group 0), declared once.

:data:`COMPUTE_BINDINGS` is the one table: binding number, WGSL variable name and type, the
runtime buffer it binds, and its access in phase 1 (signal, field, scan and init kernels) and
phase 2 (commit). Codegen writes the WGSL declarations from it (:func:`wgsl_declarations`); the
runtime builds its bind-group layouts (:func:`layout_entries`) and bind groups
(:func:`group_entries`) from it. Access modes differ by phase so that a WebGPU pass boundary
orders every phase 1 read of the state before any phase 2 write (docs/runtime/execution-model.md).

The f32 ValueStore and StateBuffer buffers are bound twice: once as ``array<f32>`` and once as
``array<vec4<f32>>`` (16-byte aligned colour stores and vec4 copies). Slot and cell offsets are
multiples of 4 elements (oscilla.compiler.allocate), so ``offset / 4`` indexes the vec4 views.

The f32 ValueStore may be larger than one storage binding (128 MiB on lavapipe and the WebGPU
default): it is then bound as several *ranges* of :data:`VALUE_RANGE_ELEMENTS` elements each. Range
0 is ``vf``/``vf4`` (bindings 1 and 6, as above); range k >= 1 adds ``vf_k``/``vf4_k`` at bindings
:func:`range_binding` (after the table), bound at byte offset ``4 * k * VALUE_RANGE_ELEMENTS``. The
allocator never lets a slot straddle a range boundary, so a slot is indexed in one range with an
offset local to it. A program whose ValueStore fits one range has exactly the bindings above.

Adding a binding: add a :class:`ComputeBinding` row here (and, for a new buffer, a
:class:`BufferKey` that the runtime fills in); codegen and the runtime follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from oscilla.abi.uniforms import FRAME_UNIFORMS

#: elements of one range of the f32 ValueStore: 2^25 f32 = 128 MiB, the WebGPU default
#: ``maxStorageBufferBindingSize`` that every device supports, so the WGSL never depends on the
#: device. Compiling reads it at call time (tests shrink it to make small patches span ranges);
#: a program records the value it was compiled with (``CompiledProgram.value_range``).
VALUE_RANGE_ELEMENTS = 2**25
#: the bind group index of the compute bindings
COMPUTE_GROUP = 0
#: the phases a kernel runs in (1: compute, 2: commit)
PHASES: tuple[int, ...] = (1, 2)


class Access(StrEnum):
    """How a kernel of one phase may use a binding: its WGSL address space and access mode."""

    UNIFORM = "uniform"
    READ = "read"
    READ_WRITE = "read_write"

    @property
    def buffer_type(self) -> str:
        """The WebGPU ``GPUBufferBindingType`` (wgpu's string value) of this access."""
        return {"uniform": "uniform", "read": "read-only-storage", "read_write": "storage"}[self.value]

    @property
    def address_space(self) -> str:
        """The WGSL ``var<...>`` template of this access (``uniform`` or ``storage, <mode>``)."""
        return "uniform" if self is Access.UNIFORM else f"storage, {self.value}"


class BufferKey(StrEnum):
    """The runtime buffers the compute bindings bind (keys of :func:`group_entries`' mapping)."""

    FRAME_UNIFORMS = "frame_uniforms"  # FRAME_UNIFORMS.size bytes, UNIFORM usage
    VALUES_F32 = "values_f32"  # the ValueStore, one buffer per storage class
    VALUES_I32 = "values_i32"
    VALUES_U32 = "values_u32"
    STATE_F32 = "state_f32"  # the StateBuffer
    STATE_I32 = "state_i32"
    SCRATCH = "scratch"  # f32 reduction partials, runtime-private


@dataclass(frozen=True)
class ComputeBinding:
    """One row of :data:`COMPUTE_BINDINGS`.

    Attributes:
        binding: the ``@binding`` number in group :data:`COMPUTE_GROUP`.
        name: the WGSL variable name generated kernels use.
        wgsl_type: the WGSL store type (``FrameUniforms``, ``array<f32>``, ``array<vec4<f32>>``).
        buffer: the runtime buffer bound here.
        phase1, phase2: the access in each phase.
        doc: what the binding holds.
    """

    binding: int
    name: str
    wgsl_type: str
    buffer: BufferKey
    phase1: Access
    phase2: Access
    doc: str = ""

    def access(self, phase: int) -> Access:
        """The access in ``phase`` (1 or 2).

        Raises:
            ValueError: ``phase`` is neither 1 nor 2.
        """
        if phase == 1:
            return self.phase1
        if phase == 2:
            return self.phase2
        raise ValueError(f"phase must be 1 or 2, got {phase!r}")

    def declaration(self, phase: int) -> str:
        """The WGSL module-scope declaration of this binding in a kernel of ``phase``."""
        return (
            f"@group({COMPUTE_GROUP}) @binding({self.binding}) "
            f"var<{self.access(phase).address_space}> {self.name}: {self.wgsl_type};"
        )


_U, _R, _RW = Access.UNIFORM, Access.READ, Access.READ_WRITE

#: the compute bindings, in binding order; values are written in phase 1 and read in phase 2,
#: state the other way round
COMPUTE_BINDINGS: tuple[ComputeBinding, ...] = (
    ComputeBinding(0, "fu", FRAME_UNIFORMS.name, BufferKey.FRAME_UNIFORMS, _U, _U, "time and external channels"),
    ComputeBinding(1, "vf", "array<f32>", BufferKey.VALUES_F32, _RW, _R, "ValueStore f32"),
    ComputeBinding(2, "vi", "array<i32>", BufferKey.VALUES_I32, _RW, _R, "ValueStore i32"),
    ComputeBinding(3, "vu", "array<u32>", BufferKey.VALUES_U32, _RW, _R, "ValueStore u32"),
    ComputeBinding(4, "sf", "array<f32>", BufferKey.STATE_F32, _R, _RW, "StateBuffer f32"),
    ComputeBinding(5, "si", "array<i32>", BufferKey.STATE_I32, _R, _RW, "StateBuffer i32"),
    ComputeBinding(6, "vf4", "array<vec4<f32>>", BufferKey.VALUES_F32, _RW, _R, "ValueStore f32 as vec4s"),
    ComputeBinding(7, "sf4", "array<vec4<f32>>", BufferKey.STATE_F32, _R, _RW, "StateBuffer f32 as vec4s"),
    ComputeBinding(8, "sc", "array<f32>", BufferKey.SCRATCH, _RW, _RW, "scratch f32 (reduction partials)"),
)


def binding_name(buffer: BufferKey, wgsl_type: str | None = None) -> str:
    """The WGSL variable name of the binding of ``buffer`` (the first one in the table, or the
    one with store type ``wgsl_type``, e.g. ``"array<vec4<f32>>"`` for a vec4 view).

    Raises:
        KeyError: no such binding.
    """
    for b in COMPUTE_BINDINGS:
        if b.buffer == buffer and wgsl_type in (None, b.wgsl_type):
            return b.name
    raise KeyError(f"no compute binding of {buffer} with type {wgsl_type}")


def value_ranges(elements: int, range_elements: int) -> int:
    """Ranges of ``range_elements`` elements an f32 ValueStore of ``elements`` elements is bound
    as (at least 1)."""
    return max(1, -(-elements // range_elements))


def range_binding(k: int, vec4: bool) -> int:
    """The ``@binding`` number of range ``k`` of the f32 ValueStore (``vec4``: the vec4 view)."""
    if k == 0:
        return 6 if vec4 else 1
    return len(COMPUTE_BINDINGS) + 2 * (k - 1) + (1 if vec4 else 0)


def range_name(k: int, vec4: bool) -> str:
    """The WGSL name of range ``k`` of the f32 ValueStore: ``vf``/``vf4`` for range 0 (the
    table's names), ``vf_k``/``vf4_k`` beyond."""
    base = binding_name(BufferKey.VALUES_F32, "array<vec4<f32>>" if vec4 else "array<f32>")
    return base if k == 0 else f"{base}_{k}"


def _range_rows(ranges: int) -> list[tuple[ComputeBinding, int]]:
    """The rows of the f32 ValueStore ranges 1 .. ranges-1 with their range index (range 0 is in
    :data:`COMPUTE_BINDINGS`)."""
    rows = []
    for k in range(1, ranges):
        for vec4 in (False, True):
            b = binding_name(BufferKey.VALUES_F32, "array<vec4<f32>>" if vec4 else "array<f32>")
            proto = next(r for r in COMPUTE_BINDINGS if r.name == b)
            row = ComputeBinding(
                range_binding(k, vec4), range_name(k, vec4), proto.wgsl_type, proto.buffer, proto.phase1, proto.phase2
            )
            rows.append((row, k))
    return rows


def storage_bindings(ranges: int = 1) -> int:
    """Storage-buffer bindings of a kernel with ``ranges`` ValueStore ranges (what the device's
    ``maxStorageBuffersPerShaderStage`` must allow)."""
    return sum(1 for b in COMPUTE_BINDINGS if b.phase1 is not Access.UNIFORM) + 2 * (ranges - 1)


def wgsl_declarations(phase: int, ranges: int = 1) -> str:
    """The binding declarations of a kernel of ``phase`` (1 or 2) of a program whose f32
    ValueStore spans ``ranges`` ranges, one per line, no trailing newline.

    Raises:
        ValueError: ``phase`` is neither 1 nor 2.
    """
    rows = [*COMPUTE_BINDINGS, *(r for r, _ in _range_rows(ranges))]
    return "\n".join(b.declaration(phase) for b in rows)


def layout_entries(phase: int, visibility: int, ranges: int = 1) -> list[dict[str, object]]:
    """The ``GPUBindGroupLayoutEntry`` dicts of ``phase``'s bind-group layout, for
    ``device.create_bind_group_layout(entries=...)``.

    Args:
        phase: 1 or 2.
        visibility: the shader-stage flags (``wgpu.ShaderStage.COMPUTE``).
        ranges: ranges of the f32 ValueStore (:func:`value_ranges`).

    Raises:
        ValueError: ``phase`` is neither 1 nor 2.
    """
    rows = [*COMPUTE_BINDINGS, *(r for r, _ in _range_rows(ranges))]
    return [
        {"binding": b.binding, "visibility": visibility, "buffer": {"type": b.access(phase).buffer_type}} for b in rows
    ]


class SizedBuffer(Protocol):
    """What :func:`group_entries` needs of a buffer (a ``wgpu.GPUBuffer``): its size in bytes."""

    @property
    def size(self) -> int: ...


def group_entries(
    buffers: Mapping[BufferKey, SizedBuffer], ranges: int = 1, range_elements: int = VALUE_RANGE_ELEMENTS
) -> list[dict[str, object]]:
    """The ``GPUBindGroupEntry`` dicts binding ``buffers`` to every compute binding; the same
    entries serve both phases' layouts. With one range every buffer is bound whole; with more,
    range k of the f32 ValueStore binds bytes ``[4·k·range_elements, 4·(k+1)·range_elements)``
    (the last one up to the buffer's end).

    Raises:
        KeyError: a :class:`BufferKey` the table binds is missing from ``buffers``.
    """
    missing = sorted({b.buffer for b in COMPUTE_BINDINGS} - set(buffers))
    if missing:
        raise KeyError(f"no buffer for {', '.join(missing)}")
    out: list[dict[str, object]] = []
    rows = [*((b, 0) for b in COMPUTE_BINDINGS), *_range_rows(ranges)]
    for b, k in rows:
        buf = buffers[b.buffer]
        offset, size = 0, buf.size
        if ranges > 1 and b.buffer == BufferKey.VALUES_F32:
            offset = 4 * k * range_elements
            size = min(4 * range_elements, buf.size - offset)
        out.append({"binding": b.binding, "resource": {"buffer": buf, "offset": offset, "size": size}})
    return out
