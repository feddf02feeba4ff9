"""The generated tables of the language pages (docs/language/), built from the block registry.

The language pages explain the semantics in prose; wherever a page lists blocks (the time roots,
the stateful blocks, the adapters, the layouts, ...) or another table the code already holds (the
payloads, the Expression functions), the list is generated, so it cannot drift from the registry.
A page marks each generated table with a pair of HTML comments, invisible on the site::

    <!-- generated: stateful-blocks -->
    ... (replaced by TABLES["stateful-blocks"]) ...
    <!-- end generated: stateful-blocks -->

``scripts/gen_block_reference.py`` (``make reference``) rewrites the text between the markers of
every page under docs/ with :func:`fill_generated`; ``tests/blocks/test_language_tables.py`` fails
when a committed page differs from what it would write. Each table links every block to its
section of the generated block reference (docs/reference/blocks.md).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from oscilla.blocks.registry import (
    ANY,
    FLOAT32,
    INT32,
    NUMERIC_T,
    RAIL,
    BlockDef,
    ConstantDefault,
    PortDef,
    all_types,
    block_def,
)
from oscilla.expr.typecheck import CONSTRUCTED, FUNCTIONS
from oscilla.payloads import ALLOWED_UNITS, DEFAULT_UNIT, PAYLOADS, STORAGE, STRIDE

#: the block reference page, relative to docs/
REFERENCE_PAGE = "reference/blocks.md"

_MARKER = re.compile(
    r"(<!-- generated: (?P<name>[a-z0-9-]+) -->\n)(?P<body>.*?)(<!-- end generated: (?P=name) -->)",
    re.S,
)
_OPEN = re.compile(r"<!-- generated: ([a-z0-9-]+) -->")
_CARD = {"S": "S", "F": "F", "E": "E", "Ev": "Ev"}
_PAYLOAD = {NUMERIC_T: "T", ANY: "any"}


def anchor(type_name: str) -> str:
    """The anchor MkDocs gives the ``### <type_name>`` heading of the block reference (the toc
    extension's default slug: lower case, characters other than word characters, spaces and
    hyphens dropped, spaces as hyphens)."""
    slug = re.sub(r"[^\w\s-]", "", type_name).strip().lower()
    return re.sub(r"[-\s]+", "-", slug)


def _cell(text: str) -> str:
    """``text`` made safe inside a Markdown table cell (no column break, no HTML tag)."""
    return text.replace("|", "\\|").replace("<", "&lt;")


def _module(d: BlockDef) -> str:
    """The block module that declares ``d`` (the catalog section it belongs to)."""
    return d.lower.__module__.rsplit(".", 1)[-1]


#: block module -> (title, page#anchor under docs/language/) of the page that explains its blocks
_EXPLAINED_IN = {
    "time": ("time roots", "time.md#time-roots"),
    "signal": ("signal sources", "signal-and-math-blocks.md#signal-sources"),
    "state": ("state and cycles", "state-and-cycles.md#stateful-blocks"),
    "math": ("math", "signal-and-math-blocks.md#math"),
    "noise": ("gradient noise", "hashing-and-noise.md#gradient-noise"),
    "expression": ("expressions", "expressions.md"),
    "instance": ("fields and instances", "fields-and-instances.md#instances"),
    "layout": ("layouts", "fields-and-instances.md#layouts"),
    "geometry": ("geometry helpers", "signal-and-math-blocks.md#geometry"),
    "color": ("colour", "signal-and-math-blocks.md#color"),
    "external": ("external channels", "external-channels.md#io-blocks"),
    "render": ("rendering", "rendering.md#geometry"),
    "image": ("images", "rendering.md#images"),
    "shape_select": ("per-lane shapes", "rendering.md#per-lane-shapes"),
    "text": ("text", "rendering.md#text"),
    "adapters": ("adapters", "types-and-units.md#adapters"),
}


def explained_in(d: BlockDef) -> tuple[str, str]:
    """(title, path relative to docs/ with anchor) of the language page that explains block ``d``.

    Raises:
        KeyError: ``d`` is declared in a block module no page covers yet (add it to the map).
    """
    if any(p.id == "controlPoints" for p in d.inputs + d.outputs):
        return "paths", "language/rendering.md#paths"
    title, where = _EXPLAINED_IN[_module(d)]
    return title, f"language/{where}"


def _blocks(pred: Callable[[BlockDef], bool]) -> list[BlockDef]:
    out = []
    for t in all_types():
        d = block_def(t)
        if d is not None and pred(d):
            out.append(d)
    return out


def _value(v: object) -> str:
    """A default value as written in a patch (floats without a trailing ``.0``)."""
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    return str(v)


def _port(p: PortDef, with_default: bool) -> str:
    """``id payload<unit> card =default``, the notation of docs/language/conventions.md."""
    payload = _PAYLOAD.get(p.payload, p.payload)
    unit = f"<{p.unit}>" if p.unit else ""
    text = f"{p.id} {payload}{unit} {_CARD[p.card]}"
    if p.required:
        text += " req"
    elif p.vararg:
        text += " vararg"
    elif with_default and p.default is not None:
        if p.default == RAIL:
            text += " =rail"
        elif isinstance(p.default, ConstantDefault):  # a constant such as the default Ellipse
            text += f" ={p.default.name}"
        else:
            text += f" ={_value(p.default)}"
    return f"`{text}`"


def _ports(ports: tuple[PortDef, ...], with_default: bool) -> str:
    return "<br>".join(_port(p, with_default) for p in ports) or "none"


def _params(d: BlockDef) -> str:
    bits = []
    for p in d.params:
        text = p.name
        if p.choices:
            text += " " + "/".join(str(c) for c in p.choices)
        elif p.minimum is not None and (p.minimum, p.maximum) not in (INT32, FLOAT32):
            text += f" {'>' if p.exclusive else '>='}{p.minimum:g}"  # the full range is in the reference
        if p.default is not None:
            text += f" ={_value(p.default)}"
        bits.append(f"`{text}`")
    return "<br>".join(bits) or "none"


def _link(d: BlockDef, page: str) -> str:
    rel = posixpath.relpath(REFERENCE_PAGE, posixpath.dirname(page) or ".")
    return f"[{d.type}]({rel}#{anchor(d.type)})"


def _table(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(out)


def _block_table(blocks: list[BlockDef], page: str, *, params: bool = False) -> str:
    header = ["block", "inputs", "outputs"] + (["params"] if params else []) + ["semantics"]
    rows = []
    for d in blocks:
        row = [_link(d, page), _ports(d.inputs, True), _ports(d.outputs, False)]
        if params:
            row.append(_params(d))
        row.append(_cell(d.formula))
        rows.append(row)
    return _table(header, rows)


# -- the tables ------------------------------------------------------------------------------------


def payloads_table(page: str) -> str:
    """Every payload: components per lane, storage class, default and other allowed units."""
    rows = []
    for p in PAYLOADS:
        others = [u for u in ALLOWED_UNITS[p] if u != DEFAULT_UNIT[p]]
        rows.append([f"`{p}`", str(STRIDE[p]), STORAGE[p], DEFAULT_UNIT[p], ", ".join(others) or "none"])
    return _table(["payload", "components per lane", "storage", "default unit", "other units"], rows)


def adapters_table(page: str) -> str:
    """Every unit adapter: the units it converts between and its formula."""
    rows = []
    for d in _blocks(lambda d: d.category == "adapter"):
        src, dst = d.inputs[0], d.outputs[0]
        rows.append([_link(d, page), f"`{src.payload}<{src.unit}>`", f"`{dst.payload}<{dst.unit}>`", _cell(d.formula)])
    return _table(["adapter", "from", "to", "out ="], rows)


def time_roots_table(page: str) -> str:
    return _block_table(_blocks(lambda d: d.time_root), page, params=True)


def stateful_blocks_table(page: str) -> str:
    """Every stateful block: its state cells (id, size, initial value) and whether it may close a
    feedback cycle."""
    rows = []
    for d in _blocks(lambda d: d.stateful):
        cells = "<br>".join(f"`<id>:{role}` ({_cell(desc)})" for role, desc in d.state)
        rows.append(
            [_link(d, page), _ports(d.inputs, True), cells, "yes" if d.closes_cycles else "no", _cell(d.formula)]
        )
    return _table(["block", "inputs", "state cells (size, initial value)", "closes cycles", "Phase 1 / commit"], rows)


def event_blocks_table(page: str) -> str:
    """Blocks that consume events and are not stateful (the stateful ones are on the state page)."""
    return _block_table(_blocks(lambda d: not d.stateful and any(p.card == "Ev" for p in d.inputs)), page)


def instance_blocks_table(page: str) -> str:
    """The blocks of the instance module: instance creation, broadcast, identity, Reduce."""
    return _block_table(_blocks(lambda d: _module(d) == "instance"), page, params=True)


def layouts_table(page: str) -> str:
    return _block_table(_blocks(lambda d: d.category == "layout"), page, params=True)


def signal_blocks_table(page: str) -> str:
    """Stateless signal sources (the stateful blocks of the same category are on the state page)."""
    return _block_table(_blocks(lambda d: _module(d) == "signal"), page, params=True)


def math_blocks_table(page: str) -> str:
    return _block_table(_blocks(lambda d: _module(d) in ("math", "expression")), page)


def noise_blocks_table(page: str) -> str:
    """The gradient-noise blocks (Noise2D, Noise3D, FractalNoise, CurlNoise2D) with their params."""
    return _block_table(_blocks(lambda d: _module(d) == "noise"), page, params=True)


def geometry_blocks_table(page: str) -> str:
    return _block_table(_blocks(lambda d: _module(d) == "geometry"), page)


def color_blocks_table(page: str) -> str:
    return _block_table(_blocks(lambda d: _module(d) == "color"), page)


def io_blocks_table(page: str) -> str:
    return _block_table(_blocks(lambda d: _module(d) == "external"), page, params=True)


def render_blocks_table(page: str) -> str:
    """Shapes (PathField included: it reads a path's control points), the render sink and the camera."""
    return _block_table(_blocks(lambda d: _module(d) == "render" or d.category == "shape"), page, params=True)


_KIND = {
    "float": "float (a vector for vector arguments)",
    "same": "the argument's type",
    "toint": "int; a vector for a vector argument",
    "intorfloat": "int if every argument is int, else float (a vector for vector arguments)",
    "reduce": "float",
    "vector": "the argument's type",
    "cross": "vec3",
    "noise": "float",
    "curl": "vec2",
    "select": "the type of f and t",
}


def expression_functions_table(page: str) -> str:
    """The functions an Expression may call, with their meaning (the type checker's table)."""
    rows = []
    for name, fn in FUNCTIONS.items():
        result = CONSTRUCTED[name] if fn.kind == "construct" else _KIND[fn.kind]
        rows.append([f"`{fn.signature(name)}`", result, _cell(fn.meaning)])
    return _table(["function", "result", "meaning"], rows)


#: table name (as written in the page's markers) -> renderer of that table for a page (the page's
#: path relative to docs/, so links to the block reference resolve)
TABLES: dict[str, Callable[[str], str]] = {
    "payloads": payloads_table,
    "adapters": adapters_table,
    "time-roots": time_roots_table,
    "stateful-blocks": stateful_blocks_table,
    "event-blocks": event_blocks_table,
    "instance-blocks": instance_blocks_table,
    "layouts": layouts_table,
    "signal-blocks": signal_blocks_table,
    "math-blocks": math_blocks_table,
    "noise-blocks": noise_blocks_table,
    "geometry-blocks": geometry_blocks_table,
    "color-blocks": color_blocks_table,
    "io-blocks": io_blocks_table,
    "render-blocks": render_blocks_table,
    "expression-functions": expression_functions_table,
}


def fill_generated(text: str, page: str) -> str:
    """``text`` (a page under docs/, at ``page`` relative to docs/) with every generated region
    rewritten from the registry.

    Raises:
        ValueError: a region names a table that :data:`TABLES` lacks, or an opening marker has no
            matching end marker.
    """
    opened = _OPEN.findall(text)
    regions = list(_MARKER.finditer(text))
    if len(opened) != len(regions):
        raise ValueError(f"docs/{page}: a '<!-- generated: NAME -->' marker lacks its '<!-- end generated: NAME -->'")
    for m in regions:
        if m.group("name") not in TABLES:
            raise ValueError(f"docs/{page}: unknown generated table {m.group('name')!r}; known: {', '.join(TABLES)}")

    def fill(m: re.Match) -> str:
        return f"{m.group(1)}{TABLES[m.group('name')](page)}\n{m.group(4)}"

    return _MARKER.sub(fill, text)
