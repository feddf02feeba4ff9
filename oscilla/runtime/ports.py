"""Port lookup and value conversion shared by the GPU runtime and the reference interpreter."""

from __future__ import annotations

import numpy as np

from oscilla.program import CompiledProgram, SlotMeta


def port_slot(program: CompiledProgram, name: str) -> int:
    """The slot holding port ``"block.port"``.

    Raises:
        KeyError: the port was neither observed nor otherwise materialized; the message says how
            to observe it.
    """
    try:
        return program.ports[name]
    except KeyError:
        raise KeyError(
            f"{name!r} is not readable: it was not observed. Compile with "
            f"oscilla.compile(patch, observe=[{name!r}]) (or observe='all')"
        ) from None


def convert_value(meta: SlotMeta, v: np.ndarray):
    """Raw slot contents -> the Runtime.read value (docs/language/python-api.md#runtime): events become a numpy bool
    scalar, bools bool."""
    if meta.event:
        return np.bool_(bool(np.asarray(v).reshape(-1)[0]))
    if meta.payload == "bool":
        return v.astype(bool)
    return v
