"""Human-readable diagnostic report for ``oscilla check``: grouped by block, with the offending
edge endpoint or expression column marked."""

from __future__ import annotations

from oscilla.diagnostics import SUMMARY_LIMIT, Diagnostic, summarize, summary_line
from oscilla.patch import Patch


def _edge_lines(patch: Patch, d: Diagnostic) -> list[str]:
    if d.edge is None or not 0 <= d.edge < len(patch.edges):
        return []
    e = patch.edges[d.edge]
    text = f"edges[{d.edge}]: {e.src} -> {e.dst}"
    start, width = None, 0
    for end, endpoint in (("src", e.src), ("dst", e.dst)):
        blk, port = endpoint.rsplit(".", 1)
        if (d.block, d.port) == (blk, port) or (d.code == "E_DANGLING_EDGE" and blk != d.block):
            start, width = (
                text.index(endpoint, len(f"edges[{d.edge}]: ") if end == "src" else text.index("->")),
                len(endpoint),
            )
            break
    lines = [f"      {text}"]
    if start is not None:
        lines.append("      " + " " * start + "^" * width)
    return lines


def _expression_lines(patch: Patch, d: Diagnostic) -> list[str]:
    if d.position is None or d.block is None:
        return []
    try:
        text = patch.block(d.block).params.get("expression")
    except KeyError:
        return []
    if not isinstance(text, str):
        return []
    return [f"      {text}", "      " + " " * d.position + "^"]


def format_report(patch: Patch | None, diagnostics: list[Diagnostic], limit: int = SUMMARY_LIMIT) -> list[str]:
    """Lines of the grouped report: a header per block (patch-level problems first), then each of
    its diagnostics as ``CODE block.port: message`` followed by the marked edge or expression.

    At most ``limit`` diagnostics of one code are shown; the rest of each code are one line
    (``and 349,950 more W_GRAPH_DISCONNECTED_BLOCK``) before the totals, which count them all.
    Linear in blocks + diagnostics."""
    shown, more = summarize(diagnostics, limit)
    groups: dict[str | None, list[Diagnostic]] = {}
    for d in shown:
        groups.setdefault(d.block, []).append(d)
    position: dict[str | None, int] = {}  # block id -> its place in the patch; keyed like the groups
    types: dict[str | None, str] = {}  # block id -> type
    if patch is not None:
        for b in patch.blocks:
            position.setdefault(b.id, len(position))
            types.setdefault(b.id, b.type)

    # an inner block of a composite instance (id '<instance>/<inner>') sorts and is named with its instance
    def top(b: str | None) -> str | None:
        return b if b is None or b in types else b.split("/", 1)[0]

    order = sorted(groups, key=lambda b: (b is not None, position.get(top(b), len(position))))
    lines: list[str] = []
    for blk in order:
        kind = types.get(blk) if blk is not None else None
        if blk is not None and kind is None and top(blk) in types:
            kind = f"inside {types[top(blk) or '']} {top(blk)!r}"
        lines.append("patch" if blk is None else f"block {blk!r} ({kind or '?'})")
        for d in groups[blk]:
            lines.append(f"  {d.severity}: {d.format()}")
            if patch is not None:
                lines += _edge_lines(patch, d) + _expression_lines(patch, d)
    lines += [summary_line(code, n) for code, n in more.items()]
    n_err = sum(d.severity == "error" for d in diagnostics)
    n_warn = sum(d.severity == "warning" for d in diagnostics)
    lines.append(f"{n_err} error(s), {n_warn} warning(s)")
    return lines
