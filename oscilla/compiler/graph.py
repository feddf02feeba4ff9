"""The records the compiler passes hand to each other: the normalized graph (normalize) and the
inferred types (infer_types). They live apart from the passes so that every pass, combine
included, can import them without importing another pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oscilla.blocks.registry import BlockDef
from oscilla.payloads import PortType
from oscilla.program import ImageData, TextLayout


@dataclass
class NBlock:
    """A resolved block: definition, config params (validated, defaults filled) and inline port
    values (raw JSON, validated against the port payload where it is fixed)."""

    id: str
    type: str
    defn: BlockDef
    order: int
    config: dict[str, Any] = field(default_factory=dict)
    inline: dict[str, Any] = field(default_factory=dict)
    #: input port -> combine mode (docs/language/patch-format.md#combine), validated
    combine: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NEdge:
    """An enabled edge whose blocks and ports exist. ``index`` is its position in the patch."""

    index: int
    src_block: str
    src_port: str
    dst_block: str
    dst_port: str
    alias: str | None = None


@dataclass
class Graph:
    """The normalized patch: blocks by id (patch order), valid enabled edges, the time root."""

    blocks: dict[str, NBlock]
    edges: list[NEdge]
    time_root: str | None
    background: tuple[float, float, float, float]
    #: (block, input port) -> edges into it, in edge order
    inputs: dict[tuple[str, str], list[NEdge]] = field(default_factory=dict)
    #: (block, input) pairs that lost an edge diagnosed here (E_UNKNOWN_PORT / E_DANGLING_EDGE)
    diagnosed_inputs: set[tuple[str, str]] = field(default_factory=set)
    #: block id -> the image file it draws, decoded (blocks with an ``image_param``; oscilla/compiler/images.py)
    images: dict[str, ImageData] = field(default_factory=dict)
    #: block id -> the glyph layout of a Text block (its atlas is in ``images``; oscilla/compiler/text.py)
    text_layouts: dict[str, TextLayout] = field(default_factory=dict)

    #: (block, output port) -> edges out of it, in edge order; built on first use
    _outputs: dict[tuple[str, str], list[NEdge]] | None = field(default=None, repr=False, compare=False)
    _outputs_of: int = field(default=-1, repr=False, compare=False)

    def edges_into(self, block: str, port: str) -> list[NEdge]:
        return self.inputs.get((block, port), [])

    def consumers(self, block: str, port: str) -> list[NEdge]:
        """The edges out of output ``block.port``, in edge order (an index built once: O(1) a call)."""
        if self._outputs is None or self._outputs_of != len(self.edges):
            outputs: dict[tuple[str, str], list[NEdge]] = {}
            for e in self.edges:
                outputs.setdefault((e.src_block, e.src_port), []).append(e)
            self._outputs, self._outputs_of = outputs, len(self.edges)
        return list(self._outputs.get((block, port), ()))


@dataclass
class EdgeConv:
    """How an edge's value reaches its input: conversion steps in order ("i2f", "b2f",
    "vec2to3", or an adapter type name)."""

    edge: NEdge
    steps: tuple[str, ...] = ()
    adapter_id: str | None = None


@dataclass
class Typed:
    """Result of type inference."""

    out: dict[tuple[str, str], PortType] = field(default_factory=dict)
    conv: dict[int, EdgeConv] = field(default_factory=dict)
    instance: dict[str, str | None] = field(default_factory=dict)
    field_blocks: set[str] = field(default_factory=set)
    bad_edges: set[int] = field(default_factory=set)
