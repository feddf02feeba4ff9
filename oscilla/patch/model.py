"""Patch model: blocks, edges and settings, built from and saved to the JSON of docs/language/patch-format.md.

Structural problems (wrong shapes, unknown keys, an unsupported version, missing ids; see
:mod:`oscilla.patch.schema`) are collected as E_PATCH_INVALID diagnostics and raised as one
:class:`~oscilla.diagnostics.CompileError`; semantic checks (duplicate ids, unknown types,
dangling edges) belong to the compiler, which reports them with their codes. Reading files and
JSON text is :mod:`oscilla.patch.loader`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oscilla.diagnostics import ERROR, CompileError, Diagnostic
from oscilla.patch.schema import FORMAT_VERSION, check_patch_data, gc_paused, split_endpoint
from oscilla.patch.versions import upgrade_data


@dataclass
class Block:
    """One block instance: ``id`` (unique, any non-empty string), ``type`` (a type of docs/reference/blocks.md),
    ``params`` (inline port values and config params) and optional ``combine`` modes."""

    id: str
    type: str
    params: dict[str, Any] = field(default_factory=dict)
    combine: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"id": self.id, "type": self.type}
        if self.params:
            d["params"] = dict(self.params)
        if self.combine:
            d["combine"] = dict(self.combine)
        return d


@dataclass
class Edge:
    """A connection ``src_block.src_port -> dst_block.dst_port`` (endpoints split at the last '.')."""

    src_block: str
    src_port: str
    dst_block: str
    dst_port: str
    enabled: bool = True
    alias: str | None = None

    @property
    def src(self) -> str:
        return f"{self.src_block}.{self.src_port}"

    @property
    def dst(self) -> str:
        return f"{self.dst_block}.{self.dst_port}"

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"from": self.src, "to": self.dst}
        if not self.enabled:
            d["enabled"] = False
        if self.alias is not None:
            d["alias"] = self.alias
        return d


def _edges_from(items: Any) -> list[Edge]:
    """Edges from checked edge dicts (endpoints split at the last '.')."""
    edges = []
    for e in items:
        src_block, _, src_port = e["from"].rpartition(".")
        dst_block, _, dst_port = e["to"].rpartition(".")
        edges.append(Edge(src_block, src_port, dst_block, dst_port, e.get("enabled", True), e.get("alias")))
    return edges


@dataclass
class Composite:
    """A composite block type (docs/language/composites.md): inner ``blocks`` and ``edges``, and
    the names it exposes. ``inputs``/``outputs`` map an exposed port name to one inner
    ``"block.port"``; ``params`` map an exposed param name to one inner ``"block.param"`` or a list
    of them (an inner param or an input port's inline value). An instance ``inst`` of the
    composite becomes the inner blocks with ids ``inst/<inner id>`` when the patch is compiled."""

    blocks: list[Block] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    params: dict[str, str | list[str]] = field(default_factory=dict)
    description: str = ""

    @classmethod
    def from_checked_dict(cls, data: dict[str, Any]) -> Composite:
        """A Composite from a dict that satisfies :data:`~oscilla.patch.schema.COMPOSITE_SCHEMA`."""
        return cls(
            [
                Block(b["id"], b["type"], dict(b.get("params") or {}), dict(b.get("combine") or {}))
                for b in data["blocks"]
            ],
            _edges_from(data.get("edges", ())),
            dict(data.get("inputs") or {}),
            dict(data.get("outputs") or {}),
            {k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in (data.get("params") or {}).items()},
            data.get("description", ""),
        )

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {}
        if self.description:
            d["description"] = self.description
        for key in ("inputs", "outputs", "params"):
            if getattr(self, key):
                d[key] = {k: (list(v) if isinstance(v, list) else v) for k, v in getattr(self, key).items()}
        d["blocks"] = [b.to_dict() for b in self.blocks]
        d["edges"] = [e.to_dict() for e in self.edges]
        return d


@dataclass
class Patch:
    """A patch: ``blocks`` in patch order, ``edges`` in edge order, ``settings`` (background),
    ``composites`` (name -> :class:`Composite`, usable as block types).

    ``base_dir`` is the folder of the patch file (set by :func:`oscilla.load_patch` for a path),
    where relative file paths in params (``Image.path``) are resolved and whose tree they must stay
    in (docs/language/rendering.md#images); None for a patch built in memory (the current
    directory then). ``source_version`` is the format version the patch was read from
    (``FORMAT_VERSION`` for a patch built in Python) and ``upgrades`` says what the migration table
    rewrote on load (:mod:`oscilla.patch.versions`). None of the three is saved or compared.
    """

    blocks: list[Block] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    composites: dict[str, Composite] = field(default_factory=dict)
    source_version: int = field(default=FORMAT_VERSION, compare=False)
    upgrades: tuple[str, ...] = field(default=(), compare=False)
    base_dir: Path | None = field(default=None, compare=False, repr=False)

    # -- construction helpers (the Python builder) -------------------------------------------
    def add(self, block_id: str, block_type: str, **params: Any) -> Patch:
        """Append a block; returns the patch for chaining."""
        self.blocks.append(Block(block_id, block_type, dict(params)))
        return self

    def connect(self, src: str, dst: str, *, enabled: bool = True, alias: str | None = None) -> Patch:
        """Append an edge from ``"block.port"`` to ``"block.port"``; returns the patch."""
        src_end = split_endpoint(src)
        dst_end = split_endpoint(dst)
        if src_end is None or dst_end is None:
            raise CompileError(
                [
                    Diagnostic(
                        "E_PATCH_INVALID", ERROR, f"edge endpoints must be '<block>.<port>', got {src!r} -> {dst!r}"
                    )
                ]
            )
        self.edges.append(Edge(*src_end, *dst_end, enabled, alias))
        return self

    def block(self, block_id: str) -> Block:
        """The block with id ``block_id``.

        Raises:
            KeyError: when no block has that id.
        """
        for b in self.blocks:
            if b.id == block_id:
                return b
        raise KeyError(block_id)

    # -- (de)serialization -----------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Any) -> Patch:
        """Build a Patch from the docs/language/patch-format.md structure (a dict as ``json.loads``
        returns it; tuples count as arrays).

        Raises:
            CompileError: with E_PATCH_INVALID diagnostics for every structural problem
                (:func:`oscilla.patch.schema.check_patch_data`).
        """
        with gc_paused():
            up = upgrade_data(data)
            diags = check_patch_data(up.data)
            if diags:
                raise CompileError(diags)
            patch = cls.from_checked_dict(up.data)
            patch.source_version = up.source_version or FORMAT_VERSION
            patch.upgrades = up.changes
            return patch

    @classmethod
    def from_checked_dict(cls, data: dict[str, Any], *, copy: bool = True) -> Patch:
        """Build a Patch from a dict that :func:`~oscilla.patch.schema.check_patch_data` found valid
        (no checks here: the loader calls this after checking). ``copy=False`` keeps the dicts
        of ``data`` (params, combine, settings) instead of copying them: for data nobody else holds."""
        own = dict if copy else _same
        blocks = [
            Block(b["id"], b["type"], own(b.get("params") or {}), own(b.get("combine") or {}))
            for b in data.get("blocks", ())
        ]
        edges = _edges_from(data.get("edges", ()))  # endpoints checked well-formed
        composites = {name: Composite.from_checked_dict(c) for name, c in (data.get("composites") or {}).items()}
        return cls(blocks, edges, own(data.get("settings") or {}), composites)

    def to_dict(self) -> dict[str, Any]:
        """The docs/language/patch-format.md structure (round-trips through :meth:`from_dict`)."""
        d: dict[str, Any] = {"oscilla": FORMAT_VERSION}
        if self.settings:
            d["settings"] = dict(self.settings)
        if self.composites:
            d["composites"] = {name: c.to_dict() for name, c in self.composites.items()}
        d["blocks"] = [b.to_dict() for b in self.blocks]
        d["edges"] = [e.to_dict() for e in self.edges]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the patch as JSON to ``path``."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")


def _same(d: dict[str, Any]) -> dict[str, Any]:
    return d
