"""Error isolation (docs/language/diagnostics-codes.md#isolation): errors in blocks that reach no render sink do not
stop the compile.

A block *reaches* a render sink (a block whose role is ``render_sink`` or ``camera``) when a directed path of enabled
edges leads from it to one; edges count whether or not their port names are valid, rails do not.
An error attributed to a block that reaches no sink becomes W_BLOCK_UNREACHABLE_ERROR (its
``cause`` holds the original code) and that block and everything downstream of it are left out of
the program. Graph-level codes, unknown block types (a misspelled sink would otherwise turn into
an empty picture) and errors on a time root are never downgraded. Every block other than a time
root, a render sink or the camera that reaches no sink gets W_GRAPH_DISCONNECTED_BLOCK, and a patch
without any render sink gets W_NO_RENDER_SINK (it compiles: its values can still be read).
"""

from __future__ import annotations

from dataclasses import replace

from oscilla.blocks.literals import describe_value
from oscilla.blocks.registry import all_types, block_def
from oscilla.diagnostics import ERROR, WARNING, Diagnostic, suggest
from oscilla.patch import Patch

GRAPH_LEVEL = {
    "E_PATCH_INVALID",
    "E_DUPLICATE_BLOCK_ID",
    "E_TIME_ROOT_MISSING",
    "E_TIME_ROOT_MULTIPLE",
    "E_CAMERA_MULTIPLE",
}
#: codes that are never downgraded, whether or not their block reaches a sink: an unknown block
#: type may be a misspelled sink (RenderInstance2D), which reaches nothing because it is unknown
NEVER_DOWNGRADED = GRAPH_LEVEL | {"E_UNKNOWN_BLOCK_TYPE"}


def _first_blocks(patch: Patch) -> dict[str, str]:
    """Block id -> type, first occurrence of each id (later duplicates are ignored)."""
    out: dict[str, str] = {}
    for b in patch.blocks:
        out.setdefault(b.id, b.type)
    return out


def reaching_blocks(patch: Patch) -> set[str]:
    """Ids of the blocks that reach a render sink over enabled edges (sinks included)."""
    types = _first_blocks(patch)
    preds: dict[str, list[str]] = {}
    for e in patch.edges:
        if e.enabled and e.src_block in types and e.dst_block in types:
            preds.setdefault(e.dst_block, []).append(e.src_block)
    sink_types = {t for t in set(types.values()) if _is_sink(t)}  # one registry lookup per type
    seen = {b for b, t in types.items() if t in sink_types}
    stack = list(seen)
    while stack:
        for p in preds.get(stack.pop(), ()):
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return seen


def downstream(patch: Patch, start: set[str]) -> set[str]:
    """``start`` plus every block reachable from it over enabled edges."""
    succ: dict[str, list[str]] = {}
    for e in patch.edges:
        if e.enabled:
            succ.setdefault(e.src_block, []).append(e.dst_block)
    seen = set(start)
    stack = list(start)
    while stack:
        for s in succ.get(stack.pop(), ()):
            if s not in seen:
                seen.add(s)
                stack.append(s)
    return seen


def isolate(patch: Patch, diagnostics: list[Diagnostic]) -> tuple[list[Diagnostic], set[str]]:
    """Apply docs/language/diagnostics-codes.md#isolation to the diagnostics of a compile.

    Returns the final diagnostics (errors that remain, downgraded warnings, disconnected-block
    warnings, and any other warnings/infos) and the ids of the blocks to leave out of the program.
    """
    types = _first_blocks(patch)
    reach = reaching_blocks(patch)
    out: list[Diagnostic] = []
    excluded: set[str] = set()
    for d in diagnostics:
        keep = (
            d.severity != ERROR
            or d.code in NEVER_DOWNGRADED
            or d.block is None
            or d.block not in types
            or _is_time_root(types[d.block])
            or d.block in reach
        )
        if keep or d.block is None:
            out.append(d)
            continue
        excluded.add(d.block)
        out.append(
            replace(
                d,
                code="W_BLOCK_UNREACHABLE_ERROR",
                severity=WARNING,
                cause=d.code,
                message=f"{d.message} [{d.code}; block {d.block!r} reaches no render sink, so it is "
                f"left out and the rest of the patch compiles]",
            )
        )
    exempt = {t for t in set(types.values()) if _is_time_root(t) or _is_sink(t)}  # once per type
    for bid, btype in types.items():
        if bid in reach or btype in exempt:
            continue
        out.append(
            Diagnostic(
                "W_GRAPH_DISCONNECTED_BLOCK",
                WARNING,
                f"{btype if len(btype) <= 64 else describe_value(btype)} {describe_value(bid)} reaches no render "
                f"sink: it is computed (and can be observed) but "
                f"cannot affect the image; connect it to a RenderInstances2D or remove it",
                block=bid,
            )
        )
    if not any(_is_render_sink(t) for t in types.values()):
        out.append(_no_render_sink(types))
    return out, (downstream(patch, excluded) if excluded else set())


def _no_render_sink(types: dict[str, str]) -> Diagnostic:
    """W_NO_RENDER_SINK for a patch none of whose blocks is a render sink, naming an unknown type
    that looks like a misspelled sink."""
    sinks = [t for t in all_types() if _is_render_sink(t)]
    misspelled = next(
        ((bid, t, s) for bid, t in types.items() if block_def(t) is None and (s := suggest(t, sinks)) is not None),
        None,
    )
    hint = (
        f"; block {misspelled[0]!r} has the unknown type {misspelled[1]!r}: did you mean {misspelled[2]!r}?"
        if misspelled
        else f"; add a {sinks[0]} to draw"
    )
    return Diagnostic(
        "W_NO_RENDER_SINK",
        WARNING,
        "the patch has no render sink: it compiles and its values can be read (Runtime.read), but it "
        f"draws nothing, so `oscilla render` and `oscilla run` refuse it{hint}",
    )


def without_blocks(patch: Patch, left_out: set[str]) -> Patch:
    """A copy of ``patch`` without ``left_out`` blocks; edges touching them are disabled (edge
    indices, and so adapter ids and diagnostics, stay the same).

    Only the structure that changes is copied: the lists of blocks and edges, and each disabled
    edge. The kept blocks (and their params, which may be nested arbitrarily deep) are shared with
    ``patch``, which is not modified."""
    edges = [
        replace(e, enabled=False) if e.enabled and (e.src_block in left_out or e.dst_block in left_out) else e
        for e in patch.edges
    ]
    return replace(patch, blocks=[b for b in patch.blocks if b.id not in left_out], edges=edges)


def _is_time_root(type_name: str) -> bool:
    d = block_def(type_name)
    return bool(d and d.time_root)


def _is_sink(type_name: str) -> bool:
    """A render sink or the camera (unknown types are neither)."""
    d = block_def(type_name)
    return bool(d and d.sink)


def _is_render_sink(type_name: str) -> bool:
    """A render sink (what draws; the camera alone draws nothing)."""
    d = block_def(type_name)
    return bool(d and d.role == "render_sink")
