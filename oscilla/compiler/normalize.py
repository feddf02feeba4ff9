"""Pass 1, normalization: resolve blocks, params, edges and input sources from a Patch.

Its first step, composite expansion (:mod:`oscilla.compiler.composites`), replaces every
composite instance by its inner blocks before :func:`normalize` sees the patch.

Consumes a :class:`~oscilla.patch.Patch`; produces a :class:`Graph` in which every block has a
definition, validated config params and inline port values, every enabled edge names existing
ports, and every input has a known source (edges, an inline value, its default, or the rail).
Emits E_DUPLICATE_BLOCK_ID, E_UNKNOWN_BLOCK_TYPE, E_UNKNOWN_PARAM, E_PARAM_INVALID,
E_LIMIT_EXCEEDED (instance counts), E_UNKNOWN_PORT, E_DANGLING_EDGE, E_TIME_ROOT_MISSING,
E_TIME_ROOT_MULTIPLE, E_CAMERA_MULTIPLE, E_MISSING_INPUT and E_EXPR_SYNTAX.
"""

from __future__ import annotations

from typing import Any

from oscilla.abi.uniforms import MAX_CHANNELS
from oscilla.blocks.literals import LiteralError, describe_value, literal_payload, parse_literal
from oscilla.blocks.registry import (
    ANY,
    EV,
    MAX_INSTANCE_LANES,
    NUMERIC_T,
    BlockDef,
    F,
    ParamDef,
    ParamError,
    ParamLimitError,
    all_types,
    block_def,
    composite_types,
)
from oscilla.compiler.combine import MODES, mode_problem
from oscilla.compiler.graph import Graph, NBlock, NEdge
from oscilla.diagnostics import DiagnosticCollector, did_you_mean
from oscilla.patch import Patch
from oscilla.payloads import SHAPE

MAX_INSTANCE_COUNT = MAX_INSTANCE_LANES  # the instance size limit, 2^24 lanes


def normalize(patch: Patch, diags: DiagnosticCollector) -> Graph:
    """Resolve ``patch`` into a :class:`Graph`, reporting every problem found into ``diags``."""
    blocks: dict[str, NBlock] = {}
    # C1 rule 1: a param naming an input port that has an enabled edge is ignored, with no diagnostic
    connected = {(e.dst_block, e.dst_port) for e in patch.edges if e.enabled}
    port_ids: dict[tuple[int, str], frozenset[str]] = {}  # (id of a definition, kind) -> its port ids
    for order, b in enumerate(patch.blocks):
        if b.id in blocks:
            diags.add(
                "E_DUPLICATE_BLOCK_ID",
                f"block id {b.id!r} is used more than once; this later "
                f"block ({b.type}) is ignored. Give every block a unique id",
                block=b.id,
            )
            continue
        defn = block_def(b.type)
        if defn is None:
            diags.add(
                "E_UNKNOWN_BLOCK_TYPE",
                f"unknown block type {describe_value(b.type)}; "
                + did_you_mean(b.type, all_types() + composite_types() + list(patch.composites), "types"),
                block=b.id,
            )
            continue
        nb = NBlock(b.id, b.type, defn, order)
        input_ids = _port_ids(port_ids, defn, "input")
        _resolve_params(
            nb,
            {k: v for k, v in b.params.items() if k not in input_ids or (b.id, k) not in connected},
            diags,
        )
        _resolve_combine(nb, b.combine, diags)
        if defn.check_params is not None:  # e.g. an Expression's syntax
            defn.check_params(nb.id, nb.config, diags)
        blocks[b.id] = nb

    edges: list[NEdge] = []
    diagnosed_inputs: set[tuple[str, str]] = set()
    known_ids = {b.id for b in patch.blocks}  # once, not per edge: linear in blocks + edges
    for i, e in enumerate(patch.edges):
        if not e.enabled:
            continue
        src, dst = blocks.get(e.src_block), blocks.get(e.dst_block)
        if src is None or dst is None:
            missing = [x for x in (e.src_block, e.dst_block) if x not in known_ids]
            if missing:
                existing = e.dst_block if e.dst_block in blocks else (e.src_block if e.src_block in blocks else None)
                diags.add(
                    "E_DANGLING_EDGE",
                    f"edge {e.src} -> {e.dst} names block "
                    f"{missing[0]!r}, which is not in the patch; remove the edge or add the block",
                    block=existing,
                    edge=i,
                )
                if existing == e.dst_block:
                    diagnosed_inputs.add((e.dst_block, e.dst_port))
            continue  # an edge touching an unknown-type block was diagnosed with the block
        ok = True
        if e.src_port not in _port_ids(port_ids, src.defn, "output"):
            ok = False
            _unknown_port(diags, src, e.src_port, "output", i)
        if e.dst_port not in _port_ids(port_ids, dst.defn, "input"):
            ok = False
            _unknown_port(diags, dst, e.dst_port, "input", i)
        if not ok:
            diagnosed_inputs.add((e.dst_block, e.dst_port))
            continue
        edges.append(NEdge(i, e.src_block, e.src_port, e.dst_block, e.dst_port, e.alias))

    inputs: dict[tuple[str, str], list[NEdge]] = {}
    for ne in edges:
        inputs.setdefault((ne.dst_block, ne.dst_port), []).append(ne)

    roots = [b for b in blocks.values() if b.defn.time_root]
    if not roots:
        root_types = [t for t in all_types() if _defined(t).time_root]
        diags.add(
            "E_TIME_ROOT_MISSING",
            f"the patch has no time root; add an {root_types[0]} block (or {' / '.join(root_types[1:])})",
        )
    for extra in roots[1:]:
        diags.add(
            "E_TIME_ROOT_MULTIPLE",
            f"a patch has exactly one time root; {roots[0].id!r} is already one. Remove {extra.id!r}",
            block=extra.id,
        )
    cameras = [b for b in blocks.values() if b.defn.role == "camera"]
    for extra in cameras[1:]:
        diags.add(
            "E_CAMERA_MULTIPLE",
            f"a patch has at most one {cameras[0].type}; {cameras[0].id!r} is already one. Remove {extra.id!r}",
            block=extra.id,
        )

    for nb in blocks.values():
        for p in nb.defn.inputs:
            if not p.required or (nb.id, p.id) in inputs or p.id in nb.inline:
                continue
            if (nb.id, p.id) in diagnosed_inputs:
                continue
            diags.add(
                "E_MISSING_INPUT",
                f"{nb.type}.{p.id} is required; connect an edge to "
                f"{nb.id}.{p.id}"
                + ("" if p.card in (F, EV) or p.payload == SHAPE else " or give it an inline value in params"),
                block=nb.id,
                port=p.id,
            )

    _check_channel_limit(blocks, diags)

    bg = tuple(float(x) for x in patch.settings.get("background", (0.0, 0.0, 0.0, 1.0)))  # 3 or 4 numbers
    if len(bg) == 3:
        bg = bg + (1.0,)
    background = (bg[0], bg[1], bg[2], bg[3])
    return Graph(blocks, edges, roots[0].id if roots else None, background, inputs, diagnosed_inputs)


def _port_ids(cache: dict[tuple[int, str], frozenset[str]], d: BlockDef, kind: str) -> frozenset[str]:
    """The ids of ``d``'s input or output ports (``kind``), computed once per definition."""
    ids = cache.get((id(d), kind))
    if ids is None:
        ids = cache[(id(d), kind)] = frozenset(p.id for p in (d.inputs if kind == "input" else d.outputs))
    return ids


def _check_channel_limit(blocks: dict[str, NBlock], diags: DiagnosticCollector) -> None:
    """E_LIMIT_EXCEEDED on every block that reads an external channel beyond the first
    MAX_CHANNELS distinct names (counted in patch order; the frame uniform holds 64)."""
    index: dict[str, int] = {}
    for b in blocks.values():
        if b.defn.external_channels is None:
            continue
        chans = b.defn.external_channels(b.config)
        if max((index.setdefault(ch, len(index)) for ch in chans), default=-1) >= MAX_CHANNELS:
            diags.add(
                "E_LIMIT_EXCEEDED",
                f"{b.type} {b.id!r} reads external channel(s) "
                f"{', '.join(repr(c) for c in chans)}, beyond the {MAX_CHANNELS} distinct channels one "
                f"patch may read; reuse channel names",
                block=b.id,
            )


def _defined(type_name: str) -> BlockDef:
    """The definition of a registered block type."""
    d = block_def(type_name)
    assert d is not None, type_name
    return d


def _unknown_port(
    diags: DiagnosticCollector, b: NBlock, port: str, kind: str, edge: int | None, where: str = ""
) -> None:
    names = [p.id for p in (b.defn.outputs if kind == "output" else b.defn.inputs)]
    if b.defn.param(port) is not None or port in b.defn.aliases:
        msg = f"{port!r} is a param, not a port, of {b.type}; set it in params. Valid {kind}s: " + (
            ", ".join(names) or "(none)"
        )
    else:
        msg = f"{b.type} has no {kind} port {port!r}; " + did_you_mean(port, names, f"{kind}s")
    diags.add("E_UNKNOWN_PORT", where + msg, block=b.id, port=port, edge=edge)


def _resolve_combine(nb: NBlock, combine: dict[str, str], diags: DiagnosticCollector) -> None:
    """Validate ``blocks[].combine`` (docs/language/patch-format.md#combine): each key must be an input port and each
    mode one of :data:`~oscilla.compiler.combine.MODES` that suits the port's payload (polymorphic ports
    are checked again once their edges are typed)."""
    d = nb.defn
    for port, mode in combine.items():
        p = d.input(port)
        if p is None:
            _unknown_port(diags, nb, port, "input", None, "combine: ")
            continue
        if mode not in MODES:
            diags.add(
                "E_PARAM_INVALID",
                f"{d.type} combine for {port!r}: unknown mode {mode!r}; " + did_you_mean(mode, list(MODES), "modes"),
                block=nb.id,
                port=port,
            )
            continue
        why = mode_problem(mode, p.payload, p.card)
        if p.vararg:
            why = "every edge into this port is a separate value, so its edges are never combined"
        if why:
            diags.add("E_PARAM_INVALID", f"{d.type} combine for {port!r}: {why}", block=nb.id, port=port)
            continue
        nb.combine[port] = mode


def _resolve_params(nb: NBlock, params: dict[str, Any], diags: DiagnosticCollector) -> None:
    d = nb.defn
    config: dict[str, Any] = {}
    for name, value in params.items():
        port = d.input(name)
        if port is not None:
            if port.card in (F, EV) or port.payload == SHAPE:
                diags.add(
                    "E_PARAM_INVALID",
                    f"{d.type}.{name} is a "
                    f"{'field-only' if port.card == F else port.payload if port.payload == SHAPE else 'event'} "
                    f"port and takes no inline value; connect an edge instead",
                    block=nb.id,
                    port=name,
                )
                continue
            if port.vararg:
                diags.add(
                    "E_PARAM_INVALID",
                    f"{d.type}.{name} takes edges only (each edge adds one named "
                    f"value), not an inline value; connect an edge instead",
                    block=nb.id,
                    port=name,
                )
                continue
            # a polymorphic port takes the payload the value implies
            payload = literal_payload(value) if port.payload in (NUMERIC_T, ANY) else port.payload
            if payload is None:
                diags.add(
                    "E_PARAM_INVALID",
                    f"{d.type}.{name}: {describe_value(value)} is not a number, bool or 2-4 number array",
                    block=nb.id,
                    port=name,
                )
                continue
            try:
                parse_literal(value, payload)
            except LiteralError as err:
                diags.add("E_PARAM_INVALID", f"{d.type}.{name}: {err}", block=nb.id, port=name)
                continue
            nb.inline[name] = value
            continue
        target = d.aliases.get(name, name)
        pdef = d.param(target)
        if pdef is None:
            valid = [p.id for p in d.inputs] + [p.name for p in d.params] + list(d.aliases)
            diags.add(
                "E_UNKNOWN_PARAM",
                f"{d.type} has no param {name!r}; " + did_you_mean(name, valid, "params"),
                block=nb.id,
                port=name,
            )
            continue
        ok, v = _check_param(nb, pdef, name, value, diags)
        if not ok:
            continue
        if target in config and config[target] != v:
            alias = next(a for a, t in d.aliases.items() if t == target)
            diags.add(
                "E_PARAM_INVALID",
                f"{d.type}: '{target}' and '{alias}' disagree "
                f"({describe_value(config[target])} vs {describe_value(v)}); give only one",
                block=nb.id,
                port=name,
            )
            continue
        config[target] = v
    for p in d.params:
        config.setdefault(p.name, p.default)
    nb.config = config


def _check_param(nb: NBlock, p: ParamDef, name: str, value, diags: DiagnosticCollector) -> tuple[bool, Any]:
    """Validate one config param against its :class:`ParamDef` (kind and declared range).

    E_PARAM_INVALID for a wrong kind or an out-of-range value (the message names the value and
    the allowed range), E_LIMIT_EXCEEDED for a lane count beyond the instance size limit."""
    d = nb.defn
    try:
        return True, p.validate(value)
    except ParamLimitError as err:
        diags.add("E_LIMIT_EXCEEDED", f"{d.type}.{name}: {err}", block=nb.id, port=name)
    except ParamError as err:
        diags.add("E_PARAM_INVALID", f"{d.type}.{name}: {err}", block=nb.id, port=name)
    return False, None
