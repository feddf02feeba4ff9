"""The lanes override of ``oscilla bench --lanes N [--array ID]``: a copy of a patch whose Array
counts are N, with its grid layouts resized so the patch still lays its lanes out sensibly.

It works on the :class:`~oscilla.patch.Patch` model before compiling: only the ``count`` param of
Array blocks and the ``rows``/``cols`` of grid layouts change, so the compiler checks the result
like any patch (a count beyond the instance limit is its E_... diagnostic, not a surprise here),
and nothing of the user's text ever reaches WGSL except through the compiler.

Grid layouts fed (through any chain of edges into ``elements``) by an overridden Array are resized:

- ``GridLayout`` (lane ``i`` at column ``i mod cols``, row ``floor(i/cols) mod rows``): rows·cols
  becomes at least N, so no two lanes share a cell, with the same fill (rows·cols / count, at least
  1) and about the same aspect (cols / rows) as written;
- ``GridLayoutUV`` (lanes scattered into cells): the same fill and aspect, so the tiles keep their
  density.

A grid whose ``rows`` or ``cols`` comes from an edge is left alone, with a note. Circle, line and
the other layouts depend on the count only through the compiler (``i / N``) and need nothing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from oscilla.blocks.registry import MAX_INSTANCE_LANES, block_def
from oscilla.patch import Patch

#: block types whose rows/cols are resized with the count of the Array they lay out
GRID_TYPES = ("GridLayout", "GridLayoutUV")


class BenchInputError(ValueError):
    """Bad input to the benchmark (an unknown Array id, a patch without Arrays, a lane count out of
    range, ...): the message says what to change. The CLI turns it into exit code 2."""


@dataclass
class LanesOverride:
    """A patch with its Array counts overridden.

    Attributes:
        patch: the new patch (the input is not modified).
        lanes: the count N every overridden Array now has.
        arrays: ids of the overridden Array blocks, in patch order.
        grids: grid block id -> (rows, cols) after resizing.
        notes: one line per thing left alone that a reader of the results should know.
    """

    patch: Patch
    lanes: int
    arrays: list[str]
    grids: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _default(block_type: str, name: str) -> int:
    """The registry default of param or inline input ``name`` of ``block_type``."""
    d = block_def(block_type)
    assert d is not None, block_type
    for p in d.params:
        if p.name == name:
            return int(p.default)  # ints for count, rows and cols
    for port in d.inputs:
        if port.id == name:
            return int(port.default)
    raise KeyError(f"{block_type}.{name}")


def _positive_int(value: object) -> int:
    """``value`` as an int of at least 1 (what the compiler makes of a count, rows or cols); 1 for
    anything else (the compiler reports a value that is not a number)."""
    try:
        return max(1, int(value))  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        return 1


def array_ids(patch: Patch) -> list[str]:
    """Ids of the patch's Array blocks, in patch order."""
    return [b.id for b in patch.blocks if b.type == "Array"]


def _feeding_array(patch: Patch, block_id: str, arrays: set[str]) -> str | None:
    """The Array of ``arrays`` that an enabled chain of edges into ``block_id.elements`` starts
    from (breadth first), or None."""
    into: dict[str, list[str]] = {}
    for e in patch.edges:
        if e.enabled:
            into.setdefault(e.dst_block, []).append(e.src_block)
    frontier = [e.src_block for e in patch.edges if e.enabled and e.dst_block == block_id and e.dst_port == "elements"]
    seen: set[str] = set()
    while frontier:
        nxt = []
        for b in frontier:
            if b in arrays:
                return b
            if b not in seen:
                seen.add(b)
                nxt += into.get(b, [])
        frontier = nxt
    return None


def grid_dims(cells: float, aspect: float) -> tuple[int, int]:
    """(rows, cols) with rows·cols >= ``cells`` (at least 1) and cols / rows close to ``aspect``."""
    cells = max(1, math.ceil(cells))
    cols = max(1, min(cells, round(math.sqrt(cells * aspect))))
    rows = math.ceil(cells / cols)
    return rows, cols


def override_lanes(patch: Patch, lanes: int, array: str | None = None) -> LanesOverride:
    """A copy of ``patch`` whose Array blocks (all of them, or only the one with id ``array``) have
    ``count = lanes``, with their grid layouts resized (module docstring).

    Raises:
        BenchInputError: ``lanes`` is not an int in 1 .. 2**24 (the instance limit); the patch has
            no Array block; no Array has the id ``array`` (the message lists the Arrays).
    """
    if isinstance(lanes, bool) or not isinstance(lanes, int) or not 1 <= lanes <= MAX_INSTANCE_LANES:
        raise BenchInputError(f"lanes must be a whole number from 1 to {MAX_INSTANCE_LANES:,}, got {lanes!r}")
    ids = array_ids(patch)
    if not ids:
        raise BenchInputError(
            "the patch has no Array block, so there is no lane count to override; run it without --lanes, "
            "or add an Array"
        )
    if array is not None and array not in ids:
        raise BenchInputError(f"no Array block has the id {array!r}; the patch's Arrays: {', '.join(ids)}")
    chosen = [array] if array is not None else ids
    new = Patch.from_checked_dict(patch.to_dict())  # a deep enough copy: params dicts are new
    old_counts: dict[str, int] = {}
    for b in new.blocks:
        if b.id in chosen:
            old_counts[b.id] = _positive_int(b.params.get("count", _default("Array", "count")))
            b.params["count"] = lanes
    result = LanesOverride(new, lanes, chosen)
    for b in new.blocks:
        if b.type not in GRID_TYPES:
            continue
        source = _feeding_array(new, b.id, set(chosen))
        if source is None:
            continue
        wired = sorted(
            {e.dst_port for e in new.edges if e.enabled and e.dst_block == b.id and e.dst_port in ("rows", "cols")}
        )
        if wired:
            result.notes.append(
                f"{b.type} {b.id!r} takes {' and '.join(wired)} from an edge; its grid was not resized for {lanes:,} "
                "lanes"
            )
            continue
        rows0 = _positive_int(b.params.get("rows", _default(b.type, "rows")))
        cols0 = _positive_int(b.params.get("cols", _default(b.type, "cols")))
        fill = rows0 * cols0 / old_counts[source]
        if b.type == "GridLayout":
            fill = max(1.0, fill)
        rows, cols = grid_dims(lanes * fill, cols0 / rows0)
        b.params["rows"], b.params["cols"] = rows, cols
        result.grids[b.id] = (rows, cols)
    return result
