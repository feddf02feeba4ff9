"""The corpus files too big to commit, written at test time from the ``generated`` entries of
tests/corpus/manifest.json (``"generate"`` names a function here, ``"args"`` its arguments)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _base(extra_blocks: list[dict[str, Any]], extra_edges: list[dict[str, str]]) -> dict[str, Any]:
    """The corpus's valid patch (time, array, grid, draw) with extra blocks and edges."""
    return {
        "oscilla": 1,
        "blocks": [
            {"id": "time", "type": "InfiniteTimeRoot"},
            {"id": "array", "type": "Array", "params": {"count": 16}},
            {"id": "grid", "type": "GridLayout"},
            {"id": "draw", "type": "RenderInstances2D"},
            *extra_blocks,
        ],
        "edges": [
            {"from": "array.elements", "to": "grid.elements"},
            {"from": "grid.position", "to": "draw.pos"},
            *extra_edges,
        ],
    }


def deep_nesting(depth: int, in_params: bool = False) -> bytes:
    """``depth`` nested JSON arrays: the whole document, or the value of a reachable block's param."""
    nested = "[" * depth + "]" * depth
    if not in_params:
        return nested.encode()
    text = json.dumps(_base([{"id": "osc", "type": "Oscillator", "params": {"amplitude": 0}}], []))
    return text.replace('"amplitude": 0', '"amplitude": ' + nested).encode()


def deep_param_unreachable(depth: int) -> bytes:
    """A block that reaches no sink, with a param nested ``depth`` deep."""
    text = json.dumps(_base([{"id": "spare", "type": "Sin", "params": {"input": 0}}], []))
    return text.replace('"input": 0', '"input": ' + "[" * depth + "]" * depth).encode()


def long_unknown_type(length: int) -> bytes:
    """A reachable block whose unknown type is ``length`` characters long."""
    return json.dumps(_base([{"id": "osc", "type": "O" * length}], [{"from": "osc.out", "to": "draw.size"}])).encode()


def write(entry: dict[str, Any], folder: Path) -> Path:
    """Write the generated entry's file into ``folder``; returns its path."""
    path = folder / entry["file"]
    path.write_bytes(globals()[entry["generate"]](**entry.get("args", {})))
    return path
