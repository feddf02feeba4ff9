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

Adding a binding: add a :class:`ComputeBinding` row here (and, for a new buffer, a
:class:`BufferKey` that the runtime fills in); codegen and the runtime follow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from oscilla.abi.uniforms import FRAME_UNIFORMS

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


def wgsl_declarations(phase: int) -> str:
    """The binding declarations of a kernel of ``phase`` (1 or 2), one per line, no trailing
    newline.

    Raises:
        ValueError: ``phase`` is neither 1 nor 2.
    """
    return "\n".join(b.declaration(phase) for b in COMPUTE_BINDINGS)


def layout_entries(phase: int, visibility: int) -> list[dict[str, object]]:
    """The ``GPUBindGroupLayoutEntry`` dicts of ``phase``'s bind-group layout, for
    ``device.create_bind_group_layout(entries=...)``.

    Args:
        phase: 1 or 2.
        visibility: the shader-stage flags (``wgpu.ShaderStage.COMPUTE``).

    Raises:
        ValueError: ``phase`` is neither 1 nor 2.
    """
    return [
        {"binding": b.binding, "visibility": visibility, "buffer": {"type": b.access(phase).buffer_type}}
        for b in COMPUTE_BINDINGS
    ]


class SizedBuffer(Protocol):
    """What :func:`group_entries` needs of a buffer (a ``wgpu.GPUBuffer``): its size in bytes."""

    @property
    def size(self) -> int: ...


def group_entries(buffers: Mapping[BufferKey, SizedBuffer]) -> list[dict[str, object]]:
    """The ``GPUBindGroupEntry`` dicts binding ``buffers`` (whole buffers) to every compute
    binding; the same entries serve both phases' layouts.

    Raises:
        KeyError: a :class:`BufferKey` the table binds is missing from ``buffers``.
    """
    missing = sorted({b.buffer for b in COMPUTE_BINDINGS} - set(buffers))
    if missing:
        raise KeyError(f"no buffer for {', '.join(missing)}")
    return [
        {"binding": b.binding, "resource": {"buffer": buffers[b.buffer], "offset": 0, "size": buffers[b.buffer].size}}
        for b in COMPUTE_BINDINGS
    ]
