"""Pass 6, layout: offsets of every slot (SlotMeta), state cell (StateLayout) and ConstPool ids.

Slots are packed per storage class in slot order; state cells per class in declaration order.
Every offset is a multiple of 4 elements (16 bytes) so kernels may move a colour or four state
elements with one vec4 access. A cell with a non-zero initial value gets the ConstPool entry
``init:<cell id>``.
"""

from __future__ import annotations

from oscilla.compiler.schedule import Plan
from oscilla.ir.graph import IRBuilder
from oscilla.program import ConstPool, SlotMeta, StateCellLayout, StateLayout, state_storage_class

ALIGN = 4  # elements


def _align(n: int) -> int:
    return -(-n // ALIGN) * ALIGN


def layout_slots(plan: Plan, instances: dict[str, tuple[int, int]]) -> tuple[SlotMeta, ...]:
    """Assign each slot its storage-class offset; a field slot takes lanes x stride elements."""
    offsets = {"f32": 0, "i32": 0, "u32": 0}
    out = []
    for s in plan.slots:
        lanes = instances[s.instance][0] if s.instance else 1
        stride = len(s.components)
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
