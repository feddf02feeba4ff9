"""The block reference page (docs/reference/blocks.md), generated from the registry.

``scripts/gen_block_reference.py`` writes it; ``tests/blocks/test_reference_page.py`` fails when the
committed page differs from :func:`render_reference`, so the page never drifts from the code.
"""

from __future__ import annotations

from typing import Any

from oscilla.blocks.language_tables import explained_in
from oscilla.blocks.registry import (
    ANY,
    NUMERIC_T,
    RAIL,
    BlockDef,
    ConstantDefault,
    ParamDef,
    PortDef,
    all_types,
    block_def,
    composite_def,
    composite_types,
)
from oscilla.payloads import DEFAULT_UNIT

_CARD = {"S": "signal", "F": "field", "E": "signal or field", "Ev": "event"}
_PAYLOAD = {NUMERIC_T: "float/vec2/vec3/color", ANY: "any"}


def _default(v: Any) -> str:
    if v is None:
        return ""
    if v == RAIL:
        return "the time root's primary phase (rail)"
    if isinstance(v, ConstantDefault):
        return f"a default {v.name}"
    return f"`{v}`"


def _port_rows(ports: tuple[PortDef, ...], with_default: bool) -> list[str]:
    rows = []
    for p in ports:
        unit = p.unit or (DEFAULT_UNIT.get(p.payload) or "from the source")
        req = " (required)" if p.required else ""
        req += " (vararg: every edge is a separate named value)" if p.vararg else ""
        default = f" | {_default(p.default)}" if with_default else ""
        rows.append(f"| `{p.id}` | {_PAYLOAD.get(p.payload, p.payload)} | {unit} | {_CARD[p.card]}{req}{default} |")
    return rows


def _param_text(p: ParamDef) -> str:
    bits: list[str] = [p.kind]
    if p.range_text():
        bits.append(f"range `{p.range_text()}`")
    if p.limit is not None:
        bits.append(f"at most `{p.limit}` (more would make {p.limit_text()}: `E_LIMIT_EXCEEDED`)")
    if p.choices:
        bits.append("one of " + ", ".join(f"`{c}`" for c in p.choices))
    default = f", default `{p.default}`" if p.default is not None else ""
    return f"`{p.name}` ({'; '.join(bits)}{default})"


def render_block(d: BlockDef) -> str:
    """Markdown section of one block type."""
    out = [
        f"### {d.type}",
        "",
        f"Category: `{d.category}`."
        + (" Time root." if d.time_root else "")
        + (" Render sink." if d.sink else "")
        + (" Creates an instance." if d.creates_instance else "")
        + (" May close feedback cycles." if d.closes_cycles else ""),
        "",
    ]
    if d.formula:
        out += [f"Semantics: {d.formula}", ""]
    title, where = explained_in(d)
    out += [f"Explained in [{title}](../{where}).", ""]
    if d.inputs:
        out += ["| input | payload | unit | cardinality | default |", "|---|---|---|---|---|"]
        out += _port_rows(d.inputs, True) + [""]
    if d.outputs:
        out += ["| output | payload | unit | cardinality |", "|---|---|---|---|"]
        out += _port_rows(d.outputs, False) + [""]
    if d.params:
        out += ["Params: " + "; ".join(_param_text(p) for p in d.params) + "."]
        if d.aliases:
            out[-1] += " Aliases: " + ", ".join(f"`{a}` = `{t}`" for a, t in d.aliases.items()) + "."
        out.append("")
    if d.state:
        out += ["State cells: " + "; ".join(f"`<id>:{role}` ({desc})" for role, desc in d.state) + "."]
        out.append("")
    return "\n".join(out)


def render_reference() -> str:
    """The whole page, blocks in catalog order, grouped by category."""
    types = all_types()
    out = [
        "# Block reference",
        "",
        "Generated from the block registry by `scripts/gen_block_reference.py`; do not edit by hand.",
        "What the blocks mean (types and units, time, state, fields, rendering, diagnostics, worked examples)",
        "is explained in the [language pages](../language/conventions.md).",
        "",
        f'{len(types)} block types, grouped by category. "signal or field" ports are fields when any '
        "of the block's inputs is a field ([cardinality](../language/fields-and-instances.md#cardinality)).",
        "",
        "Every int and number param has a range: ints are whole numbers compared exactly, numbers must be "
        "finite. A value outside it is `E_PARAM_INVALID`, whose message names the value and the range; "
        "a lane count whose instance would exceed 2^24 lanes, or a ring no device can hold, is `E_LIMIT_EXCEEDED` "
        "([diagnostic codes](../language/diagnostics-codes.md#e_param_invalid)). Numbers the GPU holds are "
        "f32, so their range is that of a finite f32.",
        "",
    ]
    groups: dict[str, list[BlockDef]] = {}
    for d in (block_def(t) for t in types):
        if d is not None:
            groups.setdefault(d.category, []).append(d)
    for category, members in groups.items():
        out += [f"## {category}", ""]
        out += [render_block(d) for d in members]
    out += _composite_section()
    return "\n".join(out).rstrip() + "\n"


def _composite_section() -> list[str]:
    """The built-in composites (docs/language/composites.md#built-in-composites): what each
    exposes and the inner blocks and edges it expands to."""
    out = [
        "## composite",
        "",
        "Built-in composites: block chains used like block types, expanded into their inner blocks "
        "(ids `<instance>/<inner>`) before compiling ([composites](../language/composites.md)).",
        "",
    ]
    for name in composite_types():
        c = composite_def(name)
        assert c is not None
        out += [f"### {name}", "", f"Category: `composite`. {c.description}", ""]
        out += ["| exposed | name | inner |", "|---|---|---|"]
        out += [f"| input | `{k}` | `{v}` |" for k, v in c.inputs.items()]
        out += [f"| output | `{k}` | `{v}` |" for k, v in c.outputs.items()]
        for k, v in c.params.items():
            out.append(f"| param | `{k}` | {', '.join(f'`{t}`' for t in ([v] if isinstance(v, str) else v))} |")
        blocks = ", ".join(
            f"`{b.id}` {b.type}" + (f" ({', '.join(f'{k} {v}' for k, v in b.params.items())})" if b.params else "")
            for b in c.blocks
        )
        out += [
            "",
            f"Inner blocks: {blocks}. Inner edges: {', '.join(f'`{e.src}` -> `{e.dst}`' for e in c.edges)}.",
            "",
        ]
    return out
