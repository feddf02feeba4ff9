"""Block definitions: ports, params, category and how each block lowers to IR (docs/reference/blocks.md).

A block type is data (:class:`BlockDef`) plus a ``lower`` function that receives a
:class:`LowerContext`-like object and returns its outputs as IR values. Blocks never emit WGSL.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# payload markers for polymorphic ports
NUMERIC_T = "T"  # float, vec2, vec3 or color (math blocks); int/bool convert to float
ANY = "any"  # any payload (Const.out, Broadcast, Array.element, layout elements)

RAIL = "rail"  # default marker: the time root's primary phase (docs/language/time.md#rail)

S, F, E, EV = "S", "F", "E", "Ev"


@dataclass(frozen=True)
class PortDef:
    """One input or output port.

    Attributes:
        id: port id (exactly the reference's).
        payload: a payload name, ``"T"`` (numeric, vector-capable) or ``"any"``.
        card: ``"S"`` signal only, ``"F"`` field only, ``"E"`` either, ``"Ev"`` event.
        unit: the port's unit (None: the payload's default unit, or free for T/any).
        default: value when unconnected (a number, list, ``"rail"``, or None for no default).
        required: E_MISSING_INPUT when unconnected without an inline value.
        vararg: every enabled edge into the port is a separate value (Expression.refs); the
            edges are not combined, and the port takes no inline value.
    """

    id: str
    payload: str
    card: str
    unit: str | None = None
    default: Any = None
    required: bool = False
    vararg: bool = False


@dataclass(frozen=True)
class ParamDef:
    """A config param: ``kind`` is "int", "number", "string", "enum" or "any"; ``minimum`` with
    ``exclusive`` bounds numbers; ``choices`` lists enum values."""

    name: str
    kind: str
    default: Any = None
    minimum: float | None = None
    exclusive: bool = False
    maximum: float | None = None
    choices: tuple = ()


@dataclass(frozen=True)
class BlockDef:
    """A block type: its ports, params and lowering.

    Attributes:
        type: the type name (e.g. ``"Oscillator"``).
        category: the block's category in docs/reference/blocks.md (time, signal, math, field, layout, ...).
        inputs / outputs: port definitions in declaration order.
        params: config params (not ports) in declaration order.
        aliases: alias param -> target param (C1).
        lower: ``lower(ctx) -> dict[port id, Value]``.
        time_root / sink / creates_instance / closes_cycles / stateful: role flags.
        formula: one-line semantics for the generated reference.
    """

    type: str
    category: str
    inputs: tuple[PortDef, ...]
    outputs: tuple[PortDef, ...]
    lower: Callable
    params: tuple[ParamDef, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    time_root: bool = False
    sink: bool = False
    creates_instance: bool = False
    #: creates_instance blocks: lanes of the new instance from the config (None: ``count``)
    instance_lanes: Callable[[dict], int] | None = None
    closes_cycles: bool = False
    stateful: bool = False
    formula: str = ""
    #: state cells as (role, size and initial value) for the reference; the cell id is <block>:<role>
    state: tuple[tuple[str, str], ...] = ()

    def input(self, port: str) -> PortDef | None:
        return next((p for p in self.inputs if p.id == port), None)

    def output(self, port: str) -> PortDef | None:
        return next((p for p in self.outputs if p.id == port), None)

    def param(self, name: str) -> ParamDef | None:
        return next((p for p in self.params if p.name == name), None)


REGISTRY: dict[str, BlockDef] = {}


def register(defn: BlockDef) -> BlockDef:
    """Add a block type to the registry (type names are unique)."""
    assert defn.type not in REGISTRY, defn.type
    REGISTRY[defn.type] = defn
    return defn


def block_def(type_name: str) -> BlockDef | None:
    _ensure_loaded()
    return REGISTRY.get(type_name)


#: catalog order of the block modules (docs/reference/blocks.md); did-you-mean ties go to this order
MODULE_ORDER = (
    "time",
    "signal",
    "state",
    "math",
    "expression",
    "instance",
    "layout",
    "geometry",
    "color",
    "external",
    "render",
    "adapters",
)


def all_types() -> list[str]:
    """Every block type name in catalog (declaration) order."""
    _ensure_loaded()
    index = {name: i for i, name in enumerate(REGISTRY)}

    def key(name: str):
        module = REGISTRY[name].lower.__module__.rsplit(".", 1)[-1]
        return (MODULE_ORDER.index(module) if module in MODULE_ORDER else len(MODULE_ORDER), index[name])

    return sorted(REGISTRY, key=key)


_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        # import order = declaration order (did-you-mean ties go to declaration order)
        for module in MODULE_ORDER:
            importlib.import_module(f"{__package__}.{module}")
