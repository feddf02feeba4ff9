"""State migration across a hot swap (issue: live runtime; docs/language/state-and-cycles.md#hot-swap).

:func:`plan_migration` compares the state layouts of the running and the new program and returns
the copies that carry state over, plus a :class:`SwapReport`. Both runtimes execute the same plan:
the GPU runtime as ``copy_buffer_to_buffer`` commands, the reference interpreter with numpy.

Cells migrate by id:
- same id, same kind and the same lanes (and instance seed): **copied** whole;
- same id and kind, different lane count or instance seed: **mapped** by element id. A lane's
  element id is ``seed + i``, so old lane j and new lane i are the same element when
  ``j = i + seed_new - seed_old``: a contiguous range, copied per ring frame; new lanes keep the
  cell's initial value;
- a new id: **initialized** from the const pool;
- an id that disappeared: **dropped**;
- a kind change (signal <-> field, another stride, storage class or ring length): **reset** to
  the initial value, with an I_STATE_RESET info diagnostic naming the cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from oscilla.diagnostics import INFO, Diagnostic
from oscilla.program import CompiledProgram, StateCellLayout


@dataclass
class SwapReport:
    """What a swap did with every state cell, and how long its parts took (ms)."""

    copied: list[str] = field(default_factory=list)
    mapped: list[str] = field(default_factory=list)
    initialized: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    reset: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.copied)} copied, {len(self.mapped)} mapped, {len(self.initialized)} initialized, "
            f"{len(self.dropped)} dropped, {len(self.reset)} reset"
        )


@dataclass(frozen=True)
class Copy:
    """Copy ``count`` elements of storage class ``storage`` from old offset ``src`` to new ``dst``."""

    storage: str
    src: int
    dst: int
    count: int


def _seed(program: CompiledProgram, instance: str | None) -> int:
    return program.instances[instance][1] if instance is not None and instance in program.instances else 0


def _kind_changed(o: StateCellLayout, c: StateCellLayout) -> bool:
    return (
        o.storage != c.storage
        or o.stride != c.stride
        or o.frames != c.frames
        or (o.instance is None) != (c.instance is None)
    )


def plan_migration(old: CompiledProgram, new: CompiledProgram) -> tuple[list[Copy], SwapReport]:
    """The copies that carry ``old``'s committed state into ``new``'s (already initialized) state."""
    report = SwapReport()
    copies: list[Copy] = []
    old_cells = {c.state_id: c for c in old.state_layout.cells}
    for c in new.state_layout.cells:
        o = old_cells.get(c.state_id)
        if o is None:
            report.initialized.append(c.state_id)
            continue
        if _kind_changed(o, c):
            report.reset.append(c.state_id)
            what = (
                "signal <-> field"
                if (o.instance is None) != (c.instance is None)
                else "ring length"
                if o.frames != c.frames
                else "stride or storage"
            )
            report.diagnostics.append(
                Diagnostic(
                    "I_STATE_RESET",
                    INFO,
                    f"state cell {c.state_id!r} changed kind ({what}) and was re-initialized to its initial value",
                    block=c.state_id.split(":")[0],
                )
            )
            continue
        shift = _seed(new, c.instance) - _seed(old, o.instance)
        if o.lanes == c.lanes and shift == 0:
            copies.append(Copy(c.storage, o.offset, c.offset, c.size))
            report.copied.append(c.state_id)
            continue
        # element ids seed + i: new lane i is old lane i + shift
        lo, hi = max(0, -shift), min(c.lanes, o.lanes - shift)
        per_lane = c.stride
        if hi > lo:
            for f in range(c.frames):
                copies.append(
                    Copy(
                        c.storage,
                        o.offset + (f * o.lanes + lo + shift) * per_lane,
                        c.offset + (f * c.lanes + lo) * per_lane,
                        (hi - lo) * per_lane,
                    )
                )
        report.mapped.append(c.state_id)
    new_ids = {c.state_id for c in new.state_layout.cells}
    report.dropped = [i for i in old_cells if i not in new_ids]
    return copies, report


def lane_mapping(old: CompiledProgram, new: CompiledProgram, instance: str) -> tuple[int, int, int] | None:
    """For an instance in both programs: (shift, lo, hi) such that new lanes lo..hi-1 are old lanes
    lo+shift .. hi-1+shift (the same element ids); None when the instance is new."""
    if instance not in old.instances or instance not in new.instances:
        return None
    (n_old, s_old), (n_new, s_new) = old.instances[instance], new.instances[instance]
    shift = s_new - s_old
    return shift, max(0, -shift), min(n_new, n_old - shift)
