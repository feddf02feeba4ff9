"""Payloads, units and resolved port types (docs/language/types-and-units.md).

A value in oscilla has a payload (float, int, bool, vec2, vec3, color, shape), a unit, a
cardinality (signal: one value per frame; field: one value per lane of an instance) and a
temporality (continuous or event).
"""

from __future__ import annotations

from dataclasses import dataclass

FLOAT, INT, BOOL, VEC2, VEC3, COLOR, SHAPE = "float", "int", "bool", "vec2", "vec3", "color", "shape"
PAYLOADS = (FLOAT, INT, BOOL, VEC2, VEC3, COLOR, SHAPE)

#: components per lane of each payload (shape is a signal-only handle of 4 shape parameters)
STRIDE = {FLOAT: 1, INT: 1, BOOL: 1, VEC2: 2, VEC3: 3, COLOR: 4, SHAPE: 5}

#: ValueStore storage class of each payload's components
STORAGE = {FLOAT: "f32", INT: "i32", BOOL: "u32", VEC2: "f32", VEC3: "f32", COLOR: "f32", SHAPE: "f32"}

DEFAULT_UNIT = {
    FLOAT: "scalar",
    INT: "count",
    BOOL: "none",
    VEC2: "world2",
    VEC3: "world3",
    COLOR: "rgba01",
    SHAPE: "none",
}

ALLOWED_UNITS = {
    FLOAT: ("scalar", "norm01", "phase01", "radians", "degrees", "ms", "seconds"),
    INT: ("count", "ms"),
    BOOL: ("none",),
    VEC2: ("world2",),
    VEC3: ("world3",),
    COLOR: ("rgba01",),
    SHAPE: ("none",),
}

SIGNAL, FIELD = "signal", "field"
CONTINUOUS, EVENT = "continuous", "event"

#: component dtype in the IR and on the GPU for each payload
COMPONENT_DTYPE = {FLOAT: "f32", INT: "i32", BOOL: "u32", VEC2: "f32", VEC3: "f32", COLOR: "f32", SHAPE: "f32"}


@dataclass(frozen=True)
class PortType:
    """The resolved type of one port after inference.

    Attributes:
        payload: one of PAYLOADS.
        unit: one of the payload's allowed units.
        cardinality: SIGNAL or FIELD.
        instance: id of the instance (the creating block's id) for fields, else None.
        temporality: CONTINUOUS or EVENT.
    """

    payload: str
    unit: str
    cardinality: str = SIGNAL
    instance: str | None = None
    temporality: str = CONTINUOUS

    @property
    def stride(self) -> int:
        return STRIDE[self.payload]

    def describe(self) -> str:
        card = f"field[{self.instance}]" if self.cardinality == FIELD else "signal"
        ev = " event" if self.temporality == EVENT else ""
        return f"{self.payload}<{self.unit}> {card}{ev}"
