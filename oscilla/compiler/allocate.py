"""Pass 6, layout: offsets of every slot (SlotMeta), state cell (StateLayout) and ConstPool ids.

Slots are packed per storage class in slot order; state cells per class in declaration order.
Every offset is a multiple of 4 elements (16 bytes) so kernels may move a colour or four state
elements with one vec4 access. A cell with a non-zero initial value gets the ConstPool entry
``init:<cell id>``.

The f32 ValueStore is bound as ranges of ``range_elements`` elements (oscilla/abi/bindings.py):
a slot that would straddle a range boundary starts at the next one instead, so every slot lies in
one range. A store smaller than one range is laid out exactly as without ranges.
"""

from __future__ import annotations

from oscilla.abi.bindings import VALUE_RANGE_ELEMENTS
from oscilla.compiler.schedule import Plan
from oscilla.ir.graph import IRBuilder
from oscilla.program import ConstPool, SlotMeta, StateCellLayout, StateCopy, StateLayout, state_storage_class

ALIGN = 4  # elements


def _align(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def layout_slots(
    plan: Plan, instances: dict[str, tuple[int, int]], range_elements: int = VALUE_RANGE_ELEMENTS
) -> tuple[SlotMeta, ...]:
    """Assign each slot its storage-class offset; a field slot takes lanes x stride elements.
    An f32 slot that would cross a multiple of ``range_elements`` (a multiple of 4) starts at
    that multiple; a slot larger than a range stays where it is (the limits check refuses it)."""
    offsets = {"f32": 0, "i32": 0, "u32": 0}
    out = []
    for s in plan.slots:
        lanes = instances[s.instance][0] if s.instance else 1
        stride = len(s.components)
        size = lanes * stride
        start = offsets[s.storage]
        if (
            s.storage == "f32"
            and size <= range_elements
            and start // range_elements != (start + size - 1) // range_elements
        ):
            offsets["f32"] = (start // range_elements + 1) * range_elements
        out.append(
            SlotMeta(
                slot=s.slot,
                name=s.name,
                storage=s.storage,
                offset=offsets[s.storage],
                stride=stride,
                lanes=lanes,
                payload=s.payload,
                instance=s.instance,
                event=s.event,
                components=s.components,
            )
        )
        offsets[s.storage] = _align(offsets[s.storage] + lanes * stride)
    return tuple(out)


def layout_state(b: IRBuilder) -> tuple[StateLayout, ConstPool]:
    """Place every state cell and put non-zero initial values in the ConstPool."""
    pool = ConstPool()
    offsets = {"f32": 0, "i32": 0}
    cells = []
    for c in b.cells.values():
        const_id = None
        if c.init is not None:
            const_id = pool.add(f"init:{c.id}", c.init, c.storage)
        cells.append(
            StateCellLayout(
                state_id=c.id,
                storage=state_storage_class(c.storage),
                offset=offsets[c.storage],
                size=c.size,
                lanes=c.lanes,
                stride=c.stride,
                frames=c.frames,
                init_const=const_id,
                instance=c.instance,
            )
        )
        offsets[c.storage] = _align(offsets[c.storage] + c.size)
    return StateLayout(cells=tuple(cells), f32_size=offsets["f32"], i32_size=offsets["i32"]), pool


def state_copies(
    copied: set[str],
    commits: dict[str, tuple[int, int | None]],
    slot_meta: tuple[SlotMeta, ...],
    state: StateLayout,
) -> tuple[StateCopy, ...]:
    """The buffer copies committing the ``copied`` cells: each cell's next-state slot (value
    ``commits[cell][0]``, same storage class and size as the cell) into the cell, sorted by source
    and merged where both the sources and the destinations of neighbours are adjacent."""
    cells = {c.state_id: c for c in state.cells}
    runs: list[StateCopy] = []
    for cell_id in sorted(copied, key=lambda c: (cells[c].storage, slot_meta[commits[c][0]].offset)):
        c, sm = cells[cell_id], slot_meta[commits[cell_id][0]]
        if sm.storage != c.storage or sm.size != c.size:
            raise ValueError(f"state cell {cell_id}: next-state slot s{sm.slot} does not match the cell")
        last = runs[-1] if runs else None
        if (
            last
            and last.storage == c.storage
            and last.src + last.count == sm.offset
            and last.dst + last.count == c.offset
        ):
            runs[-1] = StateCopy(c.storage, last.src, last.dst, last.count + c.size)
        else:
            runs.append(StateCopy(c.storage, sm.offset, c.offset, c.size))
    return tuple(runs)
