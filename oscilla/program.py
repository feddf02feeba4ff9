"""CompiledProgram and the records it carries (SlotMeta, StateLayout, ConstPool, Step, KernelSpec, ...).

A :class:`CompiledProgram` is frozen data: the IR, the schedule, where every materialized value
lives in the ValueStore, where every state cell lives in the StateBuffer, and the generated WGSL.
The runtime and the reference interpreter consume it; nothing in it refers back to the patch
objects.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from typing import Any, Literal, get_args

import numpy as np

from oscilla.abi.bindings import VALUE_RANGE_ELEMENTS, storage_bindings, value_ranges
from oscilla.diagnostics import ERROR, Diagnostic
from oscilla.ir.graph import Node, StateCell, format_node
from oscilla.ir.opcodes import DType

#: a ValueStore storage class: one buffer per IR dtype (bools and events are u32)
StorageClass = DType
#: a StateBuffer storage class
StateStorageClass = Literal["f32", "i32"]
#: what a schedule step does (see :class:`Step`)
StepKind = Literal["hostWrite", "scanKernel", "initKernel", "signalKernel", "fieldKernel", "render", "stateWrite"]
#: what a generated kernel computes (see :class:`KernelSpec`)
KernelKind = Literal["signal", "field", "scan", "commit"]
#: the Reduce block's ops
ReduceOp = Literal["sum", "avg", "min", "max"]

STORAGE_CLASSES: tuple[StorageClass, ...] = get_args(DType)
STATE_STORAGE_CLASSES: tuple[StateStorageClass, ...] = get_args(StateStorageClass)
NP_STORAGE: dict[str, type[np.generic]] = {"f32": np.float32, "i32": np.int32, "u32": np.uint32}


def storage_class(name: str) -> StorageClass:
    """``name`` as a ValueStore storage class; raises ValueError for anything but f32, i32, u32."""
    for c in STORAGE_CLASSES:
        if name == c:
            return c
    raise ValueError(f"unknown storage class {name!r}; expected one of {', '.join(STORAGE_CLASSES)}")


def state_storage_class(name: str) -> StateStorageClass:
    """``name`` as a StateBuffer storage class; raises ValueError for anything but f32, i32."""
    for c in STATE_STORAGE_CLASSES:
        if name == c:
            return c
    raise ValueError(f"unknown state storage class {name!r}; expected one of {', '.join(STATE_STORAGE_CLASSES)}")


def storage_sizes(slot_meta: Sequence[SlotMeta]) -> dict[str, int]:
    """Elements each ValueStore storage class needs: max(offset + size) over its slots (0 if none).
    The one place that sizes the ValueStore (the compiler's limit check and the GPU stores use it)."""
    sizes: dict[str, int] = dict.fromkeys(STORAGE_CLASSES, 0)
    for s in slot_meta:
        sizes[s.storage] = max(sizes[s.storage], s.offset + s.size)
    return sizes


@dataclass(frozen=True)
class DeviceLimits:
    """The device limits a program must fit, in bytes (read from a wgpu device's ``limits``).

    ``oscilla.compile(patch, limits=...)`` checks a program against them; the runtime checks
    again with its own device's limits at creation. Compiling never opens a device itself.
    """

    max_storage_binding_bytes: int
    #: the largest width or height of a 2-D texture, pixels (an Image's texture); 8192 is what every
    #: WebGPU device supports
    max_texture_dimension_2d: int = 8192
    #: the largest buffer, bytes (the f32 ValueStore, bound as several ranges, may reach it);
    #: 256 MiB is the WebGPU default
    max_buffer_bytes: int = 2**28
    #: storage buffers one shader stage may bind (each extra ValueStore range takes two); 8 is the
    #: WebGPU default
    max_storage_buffers_per_stage: int = 8

    @classmethod
    def from_device(cls, device: Any) -> DeviceLimits:
        """The limits of a wgpu ``GPUDevice`` (or anything with a ``limits`` mapping)."""
        return cls(
            max_storage_binding_bytes=int(device.limits["max-storage-buffer-binding-size"]),
            max_texture_dimension_2d=int(device.limits.get("max-texture-dimension-2d", 8192)),
            max_buffer_bytes=int(device.limits.get("max-buffer-size", 2**28)),
            max_storage_buffers_per_stage=int(device.limits.get("max-storage-buffers-per-shader-stage", 8)),
        )


#: the texture size every WebGPU device supports (pixels per side): the Image limit when
#: ``compile`` is given no device limits (docs/language/rendering.md#images)
DEFAULT_MAX_TEXTURE_DIMENSION = 8192


@dataclass(frozen=True, eq=False)
class ImageData:
    """A decoded image file a program draws (docs/language/rendering.md#images), loaded once at compile time.

    Attributes:
        path: the resolved absolute path of the file (for messages and ``oscilla inspect``).
        width, height: pixels.
        rgba: straight-alpha RGBA8 texels, row-major from the top row, ``width * height * 4`` bytes.
    """

    path: str
    width: int
    height: int
    rgba: bytes

    def texels(self) -> np.ndarray:
        """The texels as a (height, width, 4) uint8 array (a read-only view of :attr:`rgba`)."""
        return np.frombuffer(self.rgba, dtype=np.uint8).reshape(self.height, self.width, 4)


@dataclass(frozen=True)
class SlotMeta:
    """One ValueStore slot: a materialized port value, next-state value or cross-kernel signal.

    Attributes:
        slot: dense slot number (index into ``program.slot_meta``).
        name: readable key, e.g. ``"draw.pos"`` or ``"next:lag:lag"``.
        storage: storage class, ``"f32"``, ``"i32"`` or ``"u32"`` (bools and events are u32).
        offset: first element of the slot in that class's storage buffer (elements, not bytes).
        stride: components per lane (1 float/int/bool, 2 vec2, 3 vec3, 4 color, 5 shape).
        lanes: 1 for a signal, N for a field over an instance of N lanes.
        payload: the payload type name of the value (docs/language/types-and-units.md#payloads).
        instance: instance id for fields, else None.
        event: True when the slot holds an event (read back as a numpy bool scalar).
        components: IR node id of each component (lane-generic), length ``stride``.
    """

    slot: int
    name: str
    storage: StorageClass
    offset: int
    stride: int
    lanes: int
    payload: str = "float"
    instance: str | None = None
    event: bool = False
    components: tuple[int, ...] = ()

    @property
    def size(self) -> int:
        """Number of elements the slot occupies: lanes x stride."""
        return self.lanes * self.stride

    @property
    def is_field(self) -> bool:
        return self.instance is not None


@dataclass(frozen=True)
class StateCellLayout:
    """Where one state cell lives in the StateBuffer.

    Attributes:
        state_id: ``"<block>:<role>"``.
        storage: ``"f32"`` or ``"i32"``.
        offset: first element in that class's state buffer.
        size: elements = frames x lanes x stride (a DelayFrames ring holds frames x lanes).
        lanes, stride, frames: the cell's shape.
        init_const: id of the ConstPool entry holding the initial value, or None (zero).
        instance: instance id of a per-lane cell, else None.
    """

    state_id: str
    storage: StateStorageClass
    offset: int
    size: int
    lanes: int = 1
    stride: int = 1
    frames: int = 1
    init_const: str | None = None
    instance: str | None = None


@dataclass(frozen=True)
class StateLayout:
    """Every state cell and the size (elements) of the f32 and i32 state buffers."""

    cells: tuple[StateCellLayout, ...] = ()
    f32_size: int = 0
    i32_size: int = 0

    def cell(self, state_id: str) -> StateCellLayout:
        """The cell with this id; raises KeyError naming the valid ids."""
        for c in self.cells:
            if c.state_id == state_id:
                return c
        raise KeyError(f"no state cell {state_id!r}; cells: {', '.join(c.state_id for c in self.cells) or '(none)'}")

    def size_of(self, storage: str) -> int:
        return {"f32": self.f32_size, "i32": self.i32_size}[storage]


@dataclass
class ConstPool:
    """Host-side constants addressed by id (state initial values). Values are numpy scalars."""

    values: dict[str, np.ndarray] = field(default_factory=dict)

    def add(self, const_id: str, value: float | int, storage: str) -> str:
        self.values[const_id] = np.asarray(value, dtype=NP_STORAGE[storage])
        return const_id

    def get(self, const_id: str) -> np.ndarray:
        """The constant; raises KeyError for an unknown id."""
        return self.values[const_id]

    def __contains__(self, const_id: str) -> bool:
        return const_id in self.values


@dataclass(frozen=True)
class StateCopy:
    """One buffer-to-buffer copy of phase 2: ``count`` elements of ValueStore class ``storage`` from
    element ``src`` into the StateBuffer of the same class at element ``dst`` (next-state values of
    plain state cells, adjacent cells merged; docs/runtime/execution-model.md#phase-2)."""

    storage: str
    src: int
    dst: int
    count: int


@dataclass(frozen=True, kw_only=True)
class Step:
    """One schedule entry (constructed with keywords only).

    Attributes:
        kind: ``"hostWrite"`` (phase 1, once at creation: host tables into their slots),
            ``"scanKernel"`` (phase 1: prefix sums between stages),
            ``"initKernel"`` (phase 1, runs once at creation: frame-invariant fields),
            ``"signalKernel"``, ``"fieldKernel"``, ``"render"`` (phase 1) or ``"stateWrite"`` (phase 2).
        phase: 1 or 2.
        kernel: name of the WGSL kernel that implements the step (None for render, and for a
            state write done by a buffer copy: ``CompiledProgram.state_copies``).
        instance: instance id of a field kernel or render sink.
        lanes: lanes the step covers.
        reads_slots / writes_slots: ValueStore slots read / written.
        reads_cells / writes_cells: state cell ids read / written.
        block: the sink block id for render steps.
    """

    kind: StepKind
    phase: int
    kernel: str | None = None
    instance: str | None = None
    lanes: int = 1
    reads_slots: tuple[int, ...] = ()
    writes_slots: tuple[int, ...] = ()
    reads_cells: tuple[str, ...] = ()
    writes_cells: tuple[str, ...] = ()
    block: str | None = None


@dataclass(frozen=True)
class ScanSpec:
    """One inclusive prefix sum a scan kernel computes (a ``scan`` node of the IR).

    Attributes:
        node: the ``scan`` IR node.
        source_slot: the f32 field slot, written by an earlier stage, that is summed.
        result_slot: the f32 field slot the kernel writes (lane i holds x[0] + ... + x[i]).
        op: the scan op (``"add"``).
        lanes: lanes of the source instance.
    """

    node: int
    source_slot: int
    result_slot: int
    op: str
    lanes: int


@dataclass(frozen=True)
class PartialSpec:
    """A reduction whose partials a field kernel writes: each invocation folds its own (up to)
    four lanes of ``source_node`` with ``op`` into ``scratch[scratch_offset + invocation]``.

    Attributes:
        source_node: the IR node (a field of this kernel's instance) that is reduced.
        op: sum, avg, min or max.
        scratch_offset: first f32 element of the reduction's partials in scratch memory.
    """

    source_node: int
    op: ReduceOp
    scratch_offset: int


@dataclass(frozen=True)
class ReductionSpec:
    """Where a ``reduce`` node's value comes from: the partials its source's field kernel left in
    scratch memory, which the next stage's signal kernel folds.

    Attributes:
        scratch_offset: first f32 element of the partials in scratch memory.
        partials: number of partials (one per field-kernel invocation: ceil(lanes / 4)).
        lanes: lanes of the reduced field.
        op: sum, avg, min or max.
        source_slot: the field slot of the reduced value (the reference interpreter reads it).
    """

    scratch_offset: int
    partials: int
    lanes: int
    op: ReduceOp
    source_slot: int


@dataclass(frozen=True, kw_only=True)
class KernelSpec:
    """One generated compute kernel and how it is dispatched (constructed with keywords only).

    ``kind`` is ``"signal"`` (one invocation), ``"field"`` (four lanes of ``instance`` per
    invocation), ``"scan"`` (prefix sums between stages) or ``"commit"`` (phase 2).
    ``writes`` lists the slots a signal/field kernel stores, in emission order. ``once`` marks a
    field kernel of frame-invariant values (functions of the lane index and constants only): it
    runs once when the runtime is created, not every frame.
    """

    name: str
    kind: KernelKind
    phase: int
    lanes: int
    instance: str | None = None
    writes: tuple[int, ...] = ()
    once: bool = False
    #: explicit workgroup count (lane-coupled kernels); 0: derived from the lanes
    workgroups: int = 0
    #: the dispatch: workgroup counts (x, y), computed at compile time (oscilla.abi.dispatch)
    grid: tuple[int, int] = (1, 1)
    #: scan kernels: the prefix sums the kernel computes
    scans: tuple[ScanSpec, ...] = ()
    #: field kernels: the reductions whose per-invocation partials this kernel writes into scratch
    #: memory (see docs/runtime/execution-model.md, stages)
    partials: tuple[PartialSpec, ...] = ()
    #: signal/field kernels split at the size budget (docs/compiler/scheduling.md#splitting): the
    #: slots of values an earlier part of the same kernel computed, which this part loads (each a
    #: one-component slot) instead of computing them again
    loads: tuple[int, ...] = ()
    #: which part of a split kernel this is: 0 for the first part (and for a kernel not split)
    part: int = 0


@dataclass(frozen=True, eq=False)
class TextLayout:
    """What a ``Text`` sink draws besides its atlas (docs/language/rendering.md#text; text.wgsl).

    Glyph quads are placed in font pixels relative to each label's anchor (the left end of the
    line's vertical middle, Pillow's anchor ``"lm"``), then scaled by ``size / em`` world units
    per font pixel.

    Attributes:
        glyphs: float32 ``(n_glyphs, 8)``: atlas rectangle (x, y, w, h in texels), the rectangle's
            top-left offset from the pen (x, y font pixels, y down), the advance (font pixels), 0.
            In ``format`` mode glyphs 0..18 are ``FORMAT_GLYPHS`` in order.
        table: float32 ``(labels, slots, 4)``: static text: per character slot (glyph index or -1,
            pen x in font pixels, the label's width in font pixels, 0). Format mode: one row of
            the prefix's then the suffix's glyph indices.
        slots: characters per label drawn (quads per lane: ``6 * slots`` vertices).
        labels: rows of ``table`` (static: lane i draws row ``i mod labels``).
        em: the font size glyphs were rasterized at, pixels.
        align: 0 left, 0.5 centre, 1 right: the fraction of the label's width left of the anchor.
        format: format mode: (precision, plus, width, prefix length, suffix length), else None.
    """

    glyphs: bytes
    table: bytes
    slots: int
    labels: int
    em: float
    align: float
    format: tuple[int, bool, int, int, int] | None = None


#: the glyphs 0..18 of a format-mode atlas, in order (text.wgsl indexes them)
FORMAT_GLYPHS = "0123456789-+.naif# "


@dataclass(frozen=True)
class SinkSpec:
    """What a RenderInstances2D draws: slot references for each render input.

    Each input is ``(slot, component)``: the value of lane i, component c lives at
    ``offset + i * lane_stride + c`` with lane_stride 0 for signals. ``shape`` is the slot of the
    5-component shape signal: (kind 0 ellipse / 1 rect / 2 path, a, b, rotation, cornerRadius).
    ``path`` is the slot of a path shape's control points (a vec2 field over the control
    instance; local offsets in world units, docs/language/rendering.md#paths), else None. ``camera`` is the slot of
    the patch's Camera parameter signal, else None (no camera: docs/language/rendering.md#draw-order lane order, no
    culling). ``blend`` is the sink's blend mode (``"over"``, ``"add"``, ``"multiply"``, ``"screen"``;
    docs/language/rendering.md#blend-modes). ``stroke_width`` / ``stroke_color`` are the slots of the
    strokeWidth (world units) and strokeColor inputs when strokeWidth is connected, else None (fill only;
    docs/language/rendering.md#strokes).

    ``image`` (with ``image_filter`` and ``image_grid``) is set when the shape is an ``Image``: the
    sink draws textured quads (oscilla/drawing/images.py) and the shape's last component is the
    sprite frame, per lane when the shape slot is a field.

    ``kind`` is what the sink draws: ``"instances"`` (a shape per lane, the fields above) or
    ``"lines"`` (a RenderLines2D, docs/language/rendering.md#lines: ``pos`` is the ``a`` slot, ``b``
    the ``b`` slot or None, ``size`` the width slot (world units), ``color`` the colour slot,
    ``connect`` ``"pairs"`` / ``"strip"`` / ``"loop"``, ``cap`` ``"butt"`` / ``"round"``; ``rotation``,
    ``scale`` and ``shape`` repeat the width slot and are not read).
    """

    block: str
    instance: str
    lanes: int
    pos: int
    pos_stride: int
    color: int
    size: int
    rotation: int
    scale: int
    shape: int
    path: int | None = None
    camera: int | None = None
    blend: str = "over"
    stroke_width: int | None = None
    stroke_color: int | None = None
    kind: str = "instances"
    b: int | None = None
    connect: str = "pairs"
    cap: str = "butt"
    #: an Image shape (docs/language/rendering.md#images): the index into ``CompiledProgram.images``, else None
    image: int | None = None
    #: the Image's texture sampling, ``"nearest"`` or ``"linear"``
    image_filter: str = "linear"
    #: the Image's sprite-sheet grid (cols, rows); (1, 1) is the whole image
    image_grid: tuple[int, int] = (1, 1)
    #: a Text shape (docs/language/rendering.md#text): its glyph layout; ``image`` is its atlas
    text: TextLayout | None = None


@dataclass(frozen=True)
class TimeRootSpec:
    """The patch's time root: its type and config params for the host-side time model
    (docs/language/time.md#time-roots; oscilla/runtime/clock.py).

    Attributes:
        type: InfiniteTimeRoot, CyclicTimeRoot or FiniteTimeRoot.
        block: the root's block id.
        period_a_ms / period_b_ms: InfiniteTimeRoot periodAMs / periodBMs.
        period_ms / mode: CyclicTimeRoot periodMs and mode (``"loop"`` or ``"pingpong"``).
        duration_ms: FiniteTimeRoot durationMs.
    """

    type: str = "InfiniteTimeRoot"
    block: str | None = None
    period_a_ms: float = 1000.0
    period_b_ms: float = 2000.0
    period_ms: float = 1000.0
    mode: str = "loop"
    duration_ms: float = 10000.0


#: the kinds of a control of ``settings.controls`` (docs/guide/controls.md)
CONTROL_KINDS = ("slider", "toggle", "trigger", "xy")


@dataclass(frozen=True)
class ControlSpec:
    """One control of ``settings.controls`` (docs/guide/controls.md): a named input the patch
    declares for an external channel, drawn by the window's panel and as a notebook widget.

    Attributes:
        channel: the channel it feeds; for ``kind="xy"`` the base of the two channels
            ``<channel>.x`` and ``<channel>.y`` (as ExternalVec2's ``channelBase``).
        kind: ``"slider"`` (any value in range), ``"toggle"`` (``lo`` off, ``hi`` on),
            ``"trigger"`` (``hi`` for one frame when pressed, else ``lo``) or ``"xy"`` (a 2-D pad).
        lo, hi: the range, ``lo < hi``; every value set on the channel is clamped to it.
        default: the value(s) before anything sets the channel: one float, two for ``"xy"``.
        label: the text shown beside the control (default: the channel name).
    """

    channel: str
    kind: str = "slider"
    lo: float = 0.0
    hi: float = 1.0
    default: tuple[float, ...] = (0.0,)
    label: str = ""

    @property
    def channels(self) -> tuple[str, ...]:
        """The channel names it feeds: ``(channel,)``, or ``(channel.x, channel.y)`` for an xy pad."""
        return (f"{self.channel}.x", f"{self.channel}.y") if self.kind == "xy" else (self.channel,)

    def clamp(self, value: float) -> float:
        """``value`` limited to [lo, hi] (a float)."""
        return min(max(float(value), self.lo), self.hi)


def channel_ranges(controls: Sequence[ControlSpec]) -> dict[str, tuple[float, float, float]]:
    """Channel name -> (lo, hi, default) for every channel the controls feed (an xy pad gives two)."""
    out = {}
    for c in controls:
        for name, default in zip(c.channels, c.default):
            out[name] = (c.lo, c.hi, default)
    return out


@dataclass(frozen=True)
class CompiledProgram:
    """Everything the runtime needs, as frozen data (see docs/runtime/execution-model.md).

    Attributes:
        nodes: the IR (scalar nodes, ids in topological order).
        slot_meta: every ValueStore slot.
        state_layout: every state cell.
        const_pool: state initial values.
        schedule: ordered steps; phase 1 steps precede phase 2 steps.
        kernels: compute kernels in dispatch order (signal, field..., commit).
        wgsl: kernel name -> WGSL source (deterministic for a given patch).
        sinks: render sinks in patch order.
        ports: ``"block.port"`` -> slot number for every readable port value.
        instances: instance id -> (lane count, seed).
        time_root: the host-side time model parameters.
        background: straight-alpha RGBA clear colour.
        trails, feedback, size, bloom: the display settings (docs/language/rendering.md#trails, #bloom).
        controls: the declared controls of ``settings.controls`` (docs/guide/controls.md).
        diagnostics: warnings and infos of the successful compile.
        cells: the IR state cells by id.
        tables: per-lane host constants (slot -> values) the runtime uploads at creation.
    """

    nodes: tuple[Node, ...]
    slot_meta: tuple[SlotMeta, ...]
    state_layout: StateLayout
    const_pool: ConstPool
    schedule: tuple[Step, ...]
    kernels: tuple[KernelSpec, ...]
    wgsl: dict[str, str]
    sinks: tuple[SinkSpec, ...]
    ports: dict[str, int]
    instances: dict[str, tuple[int, int]]
    time_root: TimeRootSpec
    background: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 1.0)
    #: ``settings.trails`` t in [0, 1): the previous frame faded by t under each new frame
    #: (docs/language/rendering.md#trails); 0 = every frame starts from the background
    trails: float = 0.0
    #: ``settings.feedback`` as (zoom, rotate radians, offset x, offset y world units) per frame, or None
    feedback: tuple[float, float, float, float] | None = None
    #: ``settings.size``: (width, height) pixels of the image whose previous frame trails keep
    size: tuple[int, int] = (512, 512)
    #: ``settings.bloom`` as (threshold, intensity, radius world units), or None (off)
    bloom: tuple[float, float, float] | None = None
    diagnostics: tuple[Diagnostic, ...] = ()
    cells: dict[str, StateCell] = field(default_factory=dict)
    #: host-written slots (``hostWrite`` step): slot -> per-lane values, written at creation
    tables: dict[int, np.ndarray] = field(default_factory=dict)
    #: f32 elements of scratch memory for reduction partials (a runtime-private buffer)
    scratch_size: int = 0
    #: reduce node -> where its partials are and what they reduce
    reductions: dict[int, ReductionSpec] = field(default_factory=dict)
    #: stages of the frame: 1, plus one per Reduce / lane-coupled barrier on the longest chain
    stages: int = 1
    #: external channel names the program reads (docs/language/external-channels.md#channels), in first-use order:
    #: channel k is FrameUniforms.ext element k; the names themselves never reach WGSL
    channels: tuple[str, ...] = ()
    #: phase 2 state writes done as buffer copies after the commit kernel (large plain cells)
    state_copies: tuple[StateCopy, ...] = ()
    #: the images the sinks draw (``SinkSpec.image`` indexes it), each file once; uploaded as textures
    #: when the runtime builds its renderer
    images: tuple[ImageData, ...] = ()
    #: ``settings.controls``: the patch's declared controls, whose channels start at their defaults and are
    #: clamped to their ranges (docs/guide/controls.md)
    controls: tuple[ControlSpec, ...] = ()
    #: elements of one binding range of the f32 ValueStore the kernels were generated for
    #: (oscilla/abi/bindings.py: ``VALUE_RANGE_ELEMENTS`` at compile time)
    value_range: int = VALUE_RANGE_ELEMENTS

    @property
    def value_ranges(self) -> int:
        """Binding ranges of the f32 ValueStore (1 when it fits one range)."""
        return value_ranges(self.storage_size("f32"), self.value_range)

    def storage_size(self, storage: str) -> int:
        """Elements needed by a ValueStore storage class: max(offset + size) over its slots."""
        return storage_sizes(self.slot_meta)[storage]

    def limit_diagnostics(self, limits: DeviceLimits) -> list[Diagnostic]:
        """E_LIMIT_EXCEEDED for every ValueStore / StateBuffer storage class larger than the
        device binds, naming the instance of the largest slot (the one to shrink), and for every
        image wider or taller than the device's largest texture; [] when it fits.
        The one limits check: the compiler (given ``limits``) and the runtime both call it."""
        limit = limits.max_storage_binding_bytes
        out = []
        buffers: list[tuple[str, int, Sequence[SlotMeta | StateCellLayout]]] = [
            (f"ValueStore {c}", self.storage_size(c), [s for s in self.slot_meta if s.storage == c])
            for c in STORAGE_CLASSES
        ]
        buffers += [
            (f"StateBuffer {c}", self.state_layout.size_of(c), [x for x in self.state_layout.cells if x.storage == c])
            for c in STATE_STORAGE_CLASSES
        ]
        for name, elements, members in buffers:
            if name == "ValueStore f32":
                out += self._value_range_diagnostics(limits, elements, members)
                continue
            if 4 * elements <= limit:
                continue
            instance = max(members, key=lambda m: m.size).instance  # the largest member: the one to shrink
            where = f"reduce the instance {instance!r}" if instance else "use fewer lanes"
            out.append(
                Diagnostic(
                    "E_LIMIT_EXCEEDED",
                    ERROR,
                    f"the {name} buffer needs {4 * elements} bytes, more than the device's maximum storage "
                    f"binding ({limit} bytes); {where} or observe fewer ports",
                    block=instance,
                )
            )
        side = limits.max_texture_dimension_2d
        for sink in self.sinks:
            if sink.image is None:
                continue
            img = self.images[sink.image]
            if max(img.width, img.height) > side:
                out.append(
                    Diagnostic(
                        "E_LIMIT_EXCEEDED",
                        ERROR,
                        f"the image {img.path} is {img.width}x{img.height} pixels, larger than the device's "
                        f"largest texture ({side} pixels a side); scale it down",
                        block=sink.block,
                    )
                )
        return out

    def _value_range_diagnostics(
        self, limits: DeviceLimits, elements: int, members: Sequence[SlotMeta | StateCellLayout]
    ) -> list[Diagnostic]:
        """E_LIMIT_EXCEEDED for the f32 ValueStore, which the kernels bind as ranges of
        ``value_range`` elements: beyond the device's largest buffer, with a slot larger than one
        range (or than the device binds), or with more ranges than the device's storage bindings
        per shader stage allow."""
        binding, ranges = limits.max_storage_binding_bytes, self.value_ranges
        range_bytes = min(4 * self.value_range, binding)
        big = max(members, key=lambda m: m.size) if members else None
        where = f"reduce the instance {big.instance!r}" if big is not None and big.instance else "use fewer lanes"
        problems = []
        if 4 * elements > limits.max_buffer_bytes:
            problems.append(
                f"the ValueStore f32 buffer needs {4 * elements} bytes, more than the device's largest buffer "
                f"({limits.max_buffer_bytes} bytes)"
            )
        elif ranges == 1 and 4 * elements > binding:
            problems.append(
                f"the ValueStore f32 buffer needs {4 * elements} bytes, more than the device's maximum storage "
                f"binding ({binding} bytes)"
            )
        elif ranges > 1 and 4 * self.value_range > binding:
            problems.append(
                f"the ValueStore f32 buffer is bound as ranges of {4 * self.value_range} bytes, more than the "
                f"device's maximum storage binding ({binding} bytes)"
            )
        elif big is not None and 4 * big.size > range_bytes:
            problems.append(
                f"one ValueStore f32 slot needs {4 * big.size} bytes, more than one storage binding "
                f"({range_bytes} bytes)"
            )
        elif storage_bindings(ranges) > limits.max_storage_buffers_per_stage:
            problems.append(
                f"the ValueStore f32 buffer needs {ranges} bindings of {4 * self.value_range} bytes "
                f"({storage_bindings(ranges)} storage buffers per kernel), more than the device's "
                f"{limits.max_storage_buffers_per_stage}"
            )
        return [
            Diagnostic(
                "E_LIMIT_EXCEEDED",
                ERROR,
                f"{p}; {where} or observe fewer ports",
                block=big.instance if big is not None else None,
            )
            for p in problems
        ]

    @property
    def dispatches_per_frame(self) -> int:
        """Compute dispatches one frame issues (phase 1 kernels plus the phase 2 commit kernel when
        some cell needs it; kernels that run once at creation and the buffer copies of
        ``state_copies`` are not counted)."""
        return sum(1 for k in self.kernels if not k.once)

    def inspect(self) -> str:
        """Readable listing: instances, slots, state cells, schedule (``oscilla inspect``)."""
        out = ["instances:"]
        out += [f"  {k}: {n} lanes (seed {s})" for k, (n, s) in self.instances.items()]
        if self.images:  # docs/language/rendering.md#images
            out.append("images:")
            out += [f"  {i}: {img.path} ({img.width}x{img.height})" for i, img in enumerate(self.images)]
        out.append("slots:")
        for s in self.slot_meta:
            card = f"field[{s.instance}] x{s.lanes}" if s.instance else "signal"
            out.append(f"  s{s.slot} {s.name}: {s.payload} {card} {s.storage}[{s.offset}:+{s.size}] stride {s.stride}")
        out.append("state cells:")
        for c in self.state_layout.cells:
            out.append(
                f"  {c.state_id}: {c.storage}[{c.offset}:+{c.size}] lanes {c.lanes} frames {c.frames}"
                f" init {c.init_const or 'zero'}"
            )
        out.append("schedule:")
        for i, st in enumerate(self.schedule):
            bits = [f"  {i:>2} phase {st.phase} {st.kind}"]
            if st.kernel:
                bits.append(f"kernel={st.kernel}")
            if st.instance:
                bits.append(f"instance={st.instance} lanes={st.lanes}")
            if st.block:
                bits.append(f"block={st.block}")
            if st.reads_cells:
                bits.append("reads cells " + ",".join(st.reads_cells))
            if st.reads_slots:
                bits.append("reads " + ",".join(f"s{x}" for x in st.reads_slots))
            if st.writes_slots:
                bits.append("writes " + ",".join(f"s{x}" for x in st.writes_slots))
            if st.writes_cells:
                bits.append("writes cells " + ",".join(st.writes_cells))
            out.append(" ".join(bits))
        bound = len(self.instances) + self.stages + 2
        out.append(f"stages: {self.stages}")
        if self.state_copies:
            nbytes = 4 * sum(c.count for c in self.state_copies)
            out.append(f"phase 2 buffer copies: {len(self.state_copies)} ({nbytes:,} bytes)")
        parts = sum(1 for k in self.kernels if k.part and not k.once)
        if parts:  # kernels split at the size budget add one dispatch per extra part
            out.append(
                f"dispatches per frame: {self.dispatches_per_frame} (bound: instances + stages + 2 + split parts "
                f"= {bound} + {parts} = {bound + parts})"
            )
        else:
            out.append(f"dispatches per frame: {self.dispatches_per_frame} (bound: instances + stages + 2 = {bound})")
        return "\n".join(out)

    def format_ir(self) -> str:
        return "\n".join(format_node(n) for n in self.nodes)

    @cached_property
    def content_hash(self) -> str:
        """sha256 (64 hex digits) of everything that decides what the program computes and draws:
        :func:`program_hash`, computed once per program. Snapshots carry it
        (docs/runtime/snapshots.md): a snapshot restores only into a program of the same hash."""
        return program_hash(self)

    def to_json(self) -> str:
        """A JSON summary (slots, cells, schedule, kernels) for tooling and diffs."""

        def conv(o: Any) -> Any:
            if isinstance(o, np.ndarray):
                return o.tolist()
            raise TypeError(type(o))

        d = {
            "slots": [asdict(s) for s in self.slot_meta],
            "state": [asdict(c) for c in self.state_layout.cells],
            "schedule": [asdict(s) for s in self.schedule],
            "kernels": [asdict(k) for k in self.kernels],
            "instances": self.instances,
        }
        return json.dumps(d, indent=1, default=conv)


def _hash_array(h: Any, name: str, value: Any) -> None:
    """Feed ``name``, dtype, shape and the C-order bytes of an array (or scalar) into ``h``."""
    arr = np.ascontiguousarray(np.asarray(value))
    h.update(f"\n{name} {arr.dtype.str} {arr.shape}\n".encode())
    h.update(arr.tobytes())


def program_hash(program: CompiledProgram) -> str:
    """A stable sha256 (64 hex digits) of a compiled program: its IR, WGSL texts, slot and state
    layouts, const pool, schedule, kernels, sinks, ports, instances, time root, display settings,
    host tables, reductions and channels (not its diagnostics). Two compiles of the same patch with
    the same options by the same oscilla give the same hash, in any process; anything that changes
    a value, a layout or a pixel changes it. Pure Python and numpy (no wgpu)."""
    h = hashlib.sha256(b"oscilla-program-hash-1")
    records: list[tuple[str, Any]] = [
        ("nodes", program.nodes),
        ("slots", program.slot_meta),
        ("state", program.state_layout),
        ("schedule", program.schedule),
        ("kernels", program.kernels),
        ("sinks", program.sinks),
        ("ports", sorted(program.ports.items())),
        ("instances", sorted(program.instances.items())),
        ("time_root", program.time_root),
        ("display", (program.background, program.trails, program.feedback, program.size, program.bloom)),
        ("scratch", (program.scratch_size, sorted(program.reductions.items()), program.stages)),
        ("channels", program.channels),
        ("copies", program.state_copies),
    ]
    for name, record in records:  # dataclass reprs: every field, floats exactly (repr round-trips)
        h.update(f"\n{name} {record!r}".encode())
    for kernel, text in sorted(program.wgsl.items()):
        h.update(f"\nwgsl {kernel} {len(text)}\n".encode())
        h.update(text.encode())
    for const_id in sorted(program.const_pool.values):
        _hash_array(h, f"const {const_id}", program.const_pool.values[const_id])
    for slot in sorted(program.tables):
        _hash_array(h, f"table {slot}", program.tables[slot])
    return h.hexdigest()
