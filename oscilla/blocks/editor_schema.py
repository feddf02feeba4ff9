"""The JSON Schema for editors (``oscilla schema > patch.schema.json``; docs/guide/cli.md#schema),
generated from the block registry so that an editor autocompletes block types, their params and
inline input values, and flags a misspelled param.

It describes the same structure as :data:`oscilla.patch.schema.PATCH_SCHEMA` (the loader's
schema) plus what only the registry knows: per block type, the params and the input ports that
take inline values, with their kinds, ranges, defaults and descriptions. It is a help for
editing, not the loader's check: the compiler still decides (a type defined in the patch's own
``composites`` is accepted by the schema as any string).
"""

from __future__ import annotations

import copy
from typing import Any

from oscilla.blocks.registry import ANY, EV, NUMERIC_T, F, ParamDef, PortDef, all_types, block_def, composite_def
from oscilla.blocks.registry import composite_types as builtin_composites
from oscilla.patch.schema import (
    BLOCK_SCHEMA,
    COMPOSITE_SCHEMA,
    EDGE_SCHEMA,
    FORMAT_VERSION,
    OLDEST_VERSION,
    SETTINGS_SCHEMA,
)
from oscilla.payloads import BOOL, COLOR, FLOAT, INT, SHAPE, VEC2, VEC3

_NUMBER: dict[str, Any] = {"type": "number"}
_LITERALS: dict[str, dict[str, Any]] = {
    FLOAT: {"type": ["number", "boolean"]},
    INT: {"type": "integer"},
    BOOL: {"anyOf": [{"type": "boolean"}, {"enum": [0, 1]}]},
    VEC2: {
        "anyOf": [
            {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 2},
            {"type": "object", "required": ["x", "y"], "properties": {"x": _NUMBER, "y": _NUMBER}},
        ]
    },
    VEC3: {
        "anyOf": [
            {"type": "array", "items": _NUMBER, "minItems": 2, "maxItems": 3},
            {"type": "object", "required": ["x", "y"], "properties": {"x": _NUMBER, "y": _NUMBER, "z": _NUMBER}},
        ]
    },
    COLOR: {
        "anyOf": [
            {"type": "array", "items": _NUMBER, "minItems": 3, "maxItems": 4},
            {"type": "object", "required": ["r", "g", "b"], "properties": {k: _NUMBER for k in "rgba"}},
        ]
    },
}
_ANY_LITERAL: dict[str, Any] = {"type": ["number", "boolean", "array", "object"]}


def _without_finite(schema: Any) -> Any:
    """``schema`` without the loader's own ``finite`` keyword (editors know only the standard ones)."""
    if isinstance(schema, dict):
        return {k: _without_finite(v) for k, v in schema.items() if k != "finite"}
    if isinstance(schema, list):
        return [_without_finite(v) for v in schema]
    return schema


def _param_schema(p: ParamDef) -> dict[str, Any]:
    s: dict[str, Any] = {}
    if p.parse is None:
        if p.kind == "int":
            s = {"type": "integer"}
        elif p.kind == "number":
            s = {"type": "number"}
        elif p.kind == "string":
            s = {"type": "string"}
        elif p.kind == "enum":
            s = {"enum": list(p.choices)}
        if p.kind in ("int", "number") and p.minimum is not None and p.maximum is not None:
            s["exclusiveMinimum" if p.exclusive else "minimum"] = p.minimum
            s["maximum"] = p.maximum
    elif p.kind == "enum":
        s = {"examples": list(p.choices)}
    if p.default is not None:
        s["default"] = p.default
    s["description"] = f"param ({p.kind})" + (f"; range {p.range_text()}" if p.range_text() else "")
    return s


def _inline(p: PortDef) -> bool:
    """Whether input ``p`` takes an inline value in ``params``."""
    return p.card not in (F, EV) and p.payload != SHAPE and not p.vararg


def _port_schema(p: PortDef) -> dict[str, Any]:
    s = copy.deepcopy(_ANY_LITERAL if p.payload in (NUMERIC_T, ANY) else _LITERALS.get(p.payload, _ANY_LITERAL))
    if isinstance(p.default, (int, float, bool, list)):
        s["default"] = p.default
    payload = "numeric" if p.payload == NUMERIC_T else p.payload
    s["description"] = f"input port ({payload}): an inline value, used while no edge is connected"
    return s


def _block_params(type_name: str) -> dict[str, Any]:
    """The ``params`` schema of a registered block type or a built-in composite."""
    d = block_def(type_name)
    props: dict[str, Any] = {}
    if d is not None:
        for port in d.inputs:
            if _inline(port):
                props[port.id] = _port_schema(port)
        for p in d.params:
            props[p.name] = _param_schema(p)
        for alias, target in d.aliases.items():
            props[alias] = {"description": f"alias of {target}"}
    else:
        c = composite_def(type_name)
        assert c is not None, type_name
        for name in c.inputs:
            props[name] = {"description": f"exposed input ({c.inputs[name]}): an inline value"}
        for name, mapped in c.params.items():
            where = mapped if isinstance(mapped, str) else ", ".join(mapped)
            props[name] = {"description": f"exposed param ({where})"}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _type_description(type_name: str) -> str:
    d = block_def(type_name)
    if d is not None:
        return f"{d.category} block: {d.formula}" if d.formula else f"{d.category} block"
    c = composite_def(type_name)
    return f"built-in composite: {c.description}" if c is not None else ""


def editor_schema() -> dict[str, Any]:
    """The editor JSON Schema (draft 2020-12) as a dict: block types (with descriptions) to
    autocomplete, and per type its params and inline input values. Deterministic: the same
    registry gives the same schema."""
    types = all_types() + builtin_composites()
    block = copy.deepcopy(BLOCK_SCHEMA)
    block["properties"]["type"] = {
        "anyOf": [{"const": t, "description": _type_description(t)} for t in types]
        + [{"type": "string", "minLength": 1, "description": "a composite defined in this patch's 'composites'"}]
    }
    block["allOf"] = [
        {
            "if": {"properties": {"type": {"const": t}}, "required": ["type"]},
            "then": {"properties": {"params": {"$ref": f"#/$defs/params/{t}"}}},
        }
        for t in types
    ]
    edge = copy.deepcopy(EDGE_SCHEMA)
    for key in ("from", "to"):
        edge["properties"][key] = {
            "type": "string",
            "pattern": r"^.+\..+$",
            "description": "'<block id>.<port>' (a composite instance: '<instance>.<exposed port>')",
        }
    composite = copy.deepcopy(COMPOSITE_SCHEMA)
    composite["properties"]["blocks"] = {"type": "array", "items": {"$ref": "#/$defs/block"}}
    composite["properties"]["edges"] = {"type": "array", "items": {"$ref": "#/$defs/edge"}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"oscilla patch (format version {FORMAT_VERSION})",
        "description": "Generated by `oscilla schema` from the block registry; see docs/language/patch-format.md.",
        "type": "object",
        "required": ["oscilla"],
        "properties": {
            "oscilla": {
                "enum": list(range(OLDEST_VERSION, FORMAT_VERSION + 1)),
                "default": FORMAT_VERSION,
                "description": "the patch format version (older versions are upgraded on load; `oscilla upgrade`)",
            },
            "settings": _without_finite(SETTINGS_SCHEMA),
            "composites": {
                "type": "object",
                "propertyNames": {"minLength": 1, "pattern": "^[^/]*$"},
                "additionalProperties": {"$ref": "#/$defs/composite"},
            },
            "blocks": {"type": "array", "items": {"$ref": "#/$defs/block"}},
            "edges": {"type": "array", "items": {"$ref": "#/$defs/edge"}},
        },
        "additionalProperties": False,
        "$defs": {
            "block": block,
            "edge": edge,
            "composite": composite,
            "params": {t: _block_params(t) for t in types},
        },
    }
