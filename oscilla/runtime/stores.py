"""ValueStore and StateBuffer: every value and every piece of memory, in GPU storage buffers.

The ValueStore holds one storage buffer per storage class (``"f32"``, ``"i32"``, ``"u32"``); a
slot (:class:`~oscilla.program.SlotMeta`) is the element range ``[offset, offset + lanes*stride)``
of its class's buffer, lane ``i`` component ``c`` at ``offset + i*stride + c``. The StateBuffer
holds one storage buffer per state class (``"f32"``, ``"i32"``) laid out by a
:class:`~oscilla.program.StateLayout`. Elements are 4 bytes in every class.

Everything here is built once per program. Per frame the runtime only calls
:meth:`ValueStore.clear` (and host-side :meth:`ValueStore.write`, which enforces one writer per
slot per frame); reads are blocking readbacks meant for tests, inspection and capture.
"""

from __future__ import annotations

import numpy as np

from oscilla.gpu import device as gpu
from oscilla.program import (
    NP_STORAGE,
    STATE_STORAGE_CLASSES,
    STORAGE_CLASSES,
    CompiledProgram,
    ConstPool,
    SlotMeta,
    StateCellLayout,
    StateLayout,
    storage_sizes,
)

ELEMENT_BYTES = 4

SlotRef = int | SlotMeta


class SingleWriterError(RuntimeError):
    """A ValueStore slot was written twice in one frame (message names the slot number and name)."""


def value_shape(instance: str | None, lanes: int, stride: int) -> tuple[int, ...]:
    """Shape of one lane-set: () / (stride,) for a signal, (lanes,) / (lanes, stride) per lane."""
    if instance is None and lanes == 1:
        return () if stride == 1 else (stride,)
    return (lanes,) if stride == 1 else (lanes, stride)


class ValueStore:
    """The ValueStore: one GPU storage buffer per storage class.

    Attributes:
        buffers: storage class -> ``GPUBuffer`` (usage STORAGE | COPY_SRC | COPY_DST; at least
            16 bytes even for an empty class so it can always be bound).
        sizes: storage class -> logical size in elements (max(offset + size) over its slots; 0
            for a class without slots).
        slot_meta: the slots, as given.
        device: the wgpu device the buffers live on.
    """

    def __init__(self, slot_meta, device) -> None:
        self.device = device
        self.slot_meta = tuple(slot_meta)
        self._meta: dict[int, SlotMeta] = {}
        for m in self.slot_meta:
            if m.storage not in STORAGE_CLASSES:
                raise ValueError(
                    f"slot {m.slot} ({m.name!r}): unknown storage class {m.storage!r}; "
                    f"expected one of {', '.join(STORAGE_CLASSES)}"
                )
            if m.offset < 0 or m.stride < 0 or m.lanes < 0:
                raise ValueError(f"slot {m.slot} ({m.name!r}): negative offset, stride or lanes")
            if m.slot in self._meta:
                raise ValueError(f"slot number {m.slot} appears twice ({self._meta[m.slot].name!r}, {m.name!r})")
            self._meta[m.slot] = m
        self.sizes: dict[str, int] = storage_sizes(self.slot_meta)
        self.buffers = {
            cls: gpu.create_storage_buffer(device, n * ELEMENT_BYTES, f"oscilla.values.{cls}")
            for cls, n in self.sizes.items()
        }
        self._written: set[int] = set()

    def meta(self, slot: SlotRef) -> SlotMeta:
        """The store's SlotMeta for a slot number (or a SlotMeta); raises KeyError if unknown."""
        key = slot.slot if isinstance(slot, SlotMeta) else int(slot)
        try:
            return self._meta[key]
        except KeyError:
            raise KeyError(f"no ValueStore slot {key}; the store has {len(self._meta)} slots") from None

    def clear(self) -> None:
        """Start a new frame's single-writer tracking. Values stay in the buffers."""
        self._written.clear()

    def write(self, slot: SlotRef, value) -> None:
        """Host-side write of a whole slot (``queue.write_buffer`` of its byte range).

        Args:
            slot: slot number or SlotMeta.
            value: python scalar, bool, list or numpy array with exactly ``lanes*stride`` elements
                (any shape; flattened in C order, lane-major) converted to the class dtype
                (f32 -> float32, i32 -> int32, u32 -> uint32).

        Raises:
            KeyError: unknown slot.
            ValueError: the value's element count differs from the slot size (names the slot).
            SingleWriterError: the slot was already written since the last :meth:`clear`
                (names the slot number and name).
        """
        m = self.meta(slot)
        arr = np.asarray(value)
        dtype = NP_STORAGE[m.storage]
        if arr.dtype != dtype:
            arr = arr.astype(dtype)
        if arr.size != m.size:
            raise ValueError(
                f"slot {m.slot} ({m.name!r}) holds {m.size} elements "
                f"({m.lanes} lanes x stride {m.stride}); got a value of shape {arr.shape}"
            )
        if m.slot in self._written:
            raise SingleWriterError(
                f"slot {m.slot} ({m.name!r}) written twice in one frame; each slot has a single writer per frame"
            )
        self._written.add(m.slot)
        gpu.write_bytes(
            self.device, self.buffers[m.storage], m.offset * ELEMENT_BYTES, np.ascontiguousarray(arr).reshape(-1)
        )

    def read(self, slot: SlotRef) -> np.ndarray:
        """Read one slot back from the GPU (blocking).

        Returns:
            A new array of the class dtype (float32 / int32 / uint32) shaped: signal stride 1
            ``()``; signal stride k ``(k,)``; field stride 1 ``(N,)``; field stride k ``(N, k)``.

        Raises:
            KeyError: unknown slot.
        """
        m = self.meta(slot)
        raw = gpu.read_bytes(self.device, self.buffers[m.storage], m.offset * ELEMENT_BYTES, m.size * ELEMENT_BYTES)
        flat = np.frombuffer(raw, dtype=NP_STORAGE[m.storage]).copy()
        return flat.reshape(value_shape(m.instance, m.lanes, m.stride))

    def read_all(self, storage: str) -> np.ndarray:
        """Flat copy (class dtype, logical size ``sizes[storage]``) of one class buffer.

        Raises:
            KeyError: unknown storage class.
        """
        if storage not in self.buffers:
            raise KeyError(f"unknown storage class {storage!r}; expected one of {', '.join(STORAGE_CLASSES)}")
        raw = gpu.read_bytes(self.device, self.buffers[storage], 0, self.sizes[storage] * ELEMENT_BYTES)
        return np.frombuffer(raw, dtype=NP_STORAGE[storage]).copy()


class StateBuffer:
    """The StateBuffer: one GPU storage buffer per state class (``"f32"``, ``"i32"``).

    Attributes:
        buffers: state class -> ``GPUBuffer`` (STORAGE | COPY_SRC | COPY_DST, at least 16 bytes).
        sizes: state class -> logical size in elements (``layout.f32_size`` / ``layout.i32_size``).
        layout: the StateLayout, as given.
        device: the wgpu device the buffers live on.
    """

    def __init__(self, layout: StateLayout, device) -> None:
        self.device = device
        self.layout = layout
        self.sizes: dict[str, int] = {cls: int(layout.size_of(cls)) for cls in STATE_STORAGE_CLASSES}
        for cell in layout.cells:
            if cell.storage not in STATE_STORAGE_CLASSES:
                raise ValueError(
                    f"state cell {cell.state_id!r}: unknown storage class {cell.storage!r}; "
                    f"expected one of {', '.join(STATE_STORAGE_CLASSES)}"
                )
            if cell.offset < 0 or cell.offset + cell.size > self.sizes[cell.storage]:
                raise ValueError(
                    f"state cell {cell.state_id!r} [{cell.offset}:+{cell.size}] lies outside the "
                    f"{cell.storage} state buffer of {self.sizes[cell.storage]} elements"
                )
        self.buffers = {
            cls: gpu.create_storage_buffer(device, n * ELEMENT_BYTES, f"oscilla.state.{cls}")
            for cls, n in self.sizes.items()
        }

    def read_cell(self, state_id: str) -> np.ndarray:
        """Read one state cell back from the GPU (blocking), class dtype (float32 / int32).

        Shapes, frames == 1: ``()`` for a scalar signal cell (lanes 1, stride 1, no instance);
        ``(stride,)`` for a signal vector; ``(lanes,)`` per lane with stride 1; ``(lanes, stride)``
        otherwise. frames > 1 (ring buffers): ``(frames,)`` + that shape, i.e. ``(frames, lanes)``
        per lane and ``(frames,)`` for a signal ring.

        Raises:
            KeyError: unknown state id (names the valid ids).
        """
        cell = self.layout.cell(state_id)
        raw = gpu.read_bytes(
            self.device, self.buffers[cell.storage], cell.offset * ELEMENT_BYTES, cell.size * ELEMENT_BYTES
        )
        flat = np.frombuffer(raw, dtype=NP_STORAGE[cell.storage]).copy()
        return flat.reshape(cell_shape(cell))

    def read_all(self, storage: str) -> np.ndarray:
        """Flat copy (class dtype, logical size) of one state class buffer; KeyError if unknown."""
        if storage not in self.buffers:
            raise KeyError(
                f"unknown state storage class {storage!r}; expected one of {', '.join(STATE_STORAGE_CLASSES)}"
            )
        raw = gpu.read_bytes(self.device, self.buffers[storage], 0, self.sizes[storage] * ELEMENT_BYTES)
        return np.frombuffer(raw, dtype=NP_STORAGE[storage]).copy()


def cell_shape(cell: StateCellLayout) -> tuple[int, ...]:
    """The numpy shape :meth:`StateBuffer.read_cell` gives a cell (see there)."""
    base = value_shape(cell.instance, cell.lanes, cell.stride)
    shape = base if cell.frames == 1 else (cell.frames,) + base
    if int(np.prod(shape, dtype=np.int64)) != cell.size:  # inconsistent layout: fall back to flat
        return (cell.size,)
    return shape


def create_value_store(slot_meta, device=None) -> ValueStore:
    """Allocate the ValueStore for ``slot_meta`` (an iterable of SlotMeta).

    One buffer per storage class sized max(offset + size) elements over that class's slots.

    Raises:
        ValueError: unknown storage class, duplicate slot number, or a class larger than the
            device's max-buffer-size.
    """
    return ValueStore(slot_meta, device if device is not None else gpu.get_device())


def create_state_buffer(layout: StateLayout, device=None) -> StateBuffer:
    """Allocate (but do not initialize) the f32 and i32 state buffers of ``layout``.

    Raises:
        ValueError: unknown storage class or a cell outside its class's size.
    """
    return StateBuffer(layout, device if device is not None else gpu.get_device())


def initialize_state(buffer: StateBuffer, layout: StateLayout, const_pool: ConstPool) -> None:
    """Write every cell's initial value: one ``write_buffer`` per state class.

    A cell with ``init_const`` None is zero. Otherwise the pool value (numpy scalar or array) is
    used: one element fills all ``size`` elements of the cell (ring buffers included); an array of
    exactly ``size`` elements is copied in C order.

    Raises:
        KeyError: ``init_const`` is not in the pool (names the cell's state_id and the const id).
        ValueError: a pool array whose size is neither 1 nor the cell size, or a layout larger
            than the buffer.
    """
    host = {}
    for cls in STATE_STORAGE_CLASSES:
        n = int(layout.size_of(cls))
        if n > buffer.sizes[cls]:
            raise ValueError(f"state layout needs {n} {cls} elements; the buffer holds {buffer.sizes[cls]}")
        host[cls] = np.zeros(n, dtype=NP_STORAGE[cls])
    for cell in layout.cells:
        if cell.init_const is None:
            continue
        if cell.init_const not in const_pool:
            raise KeyError(
                f"state cell {cell.state_id!r}: initial value const {cell.init_const!r} is not in the const pool"
            )
        value = np.asarray(const_pool.get(cell.init_const))
        dest = host[cell.storage][cell.offset : cell.offset + cell.size]
        if value.size == 1:
            dest[...] = value.reshape(())
        elif value.size == cell.size:
            dest[...] = value.reshape(-1)
        else:
            raise ValueError(
                f"state cell {cell.state_id!r}: const {cell.init_const!r} has {value.size} "
                f"elements; expected 1 or {cell.size}"
            )
    for cls, arr in host.items():
        gpu.write_bytes(buffer.device, buffer.buffers[cls], 0, arr)


class RuntimeState:
    """The GPU memory of one CompiledProgram.

    Attributes:
        program: the CompiledProgram.
        values: its ValueStore (from ``program.slot_meta``).
        state: its StateBuffer (from ``program.state_layout``), initialized from the const pool.
    """

    def __init__(self, program: CompiledProgram, device) -> None:
        self.program = program
        self.values = create_value_store(program.slot_meta, device)
        self.state = create_state_buffer(program.state_layout, device)
        self.reset_state()

    def reset_state(self) -> None:
        """Re-initialize every state cell from the const pool (zero where no init)."""
        initialize_state(self.state, self.program.state_layout, self.program.const_pool)


def create_runtime_state(program: CompiledProgram, device=None) -> RuntimeState:
    """Allocate the ValueStore and StateBuffer of ``program`` and initialize the state.

    Raises:
        ValueError / KeyError: as :func:`create_value_store`, :func:`create_state_buffer` and
            :func:`initialize_state`.
    """
    return RuntimeState(program, device if device is not None else gpu.get_device())


__all__ = [
    "SingleWriterError",
    "ValueStore",
    "StateBuffer",
    "RuntimeState",
    "create_value_store",
    "create_state_buffer",
    "initialize_state",
    "create_runtime_state",
    "cell_shape",
]
