"""Patch model: blocks, edges and settings, loaded from and saved to the JSON of docs/language/patch-format.md.

Loading never executes anything from the file. Structural problems (bad JSON, wrong shapes,
unknown version or top-level fields, missing ids) are collected as E_PATCH_INVALID diagnostics
and raised as one :class:`~oscilla.diagnostics.CompileError`; semantic checks (duplicate ids,
unknown types, dangling edges) belong to the compiler, which reports them with their codes.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from oscilla.diagnostics import ERROR, CompileError, Diagnostic

FORMAT_VERSION = 1

_SCHEMA = {
    "type": "object",
    "properties": {
        "oscilla": {"type": "integer"},
        "settings": {
            "type": "object",
            "properties": {"background": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 4}},
        },
        "blocks": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "type"],
                "properties": {
                    "id": {"type": "string", "minLength": 1},
                    "type": {"type": "string", "minLength": 1},
                    "params": {"type": "object"},
                    "combine": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
        },
        "edges": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["from", "to"],
                "properties": {
                    "from": {"type": "string"},
                    "to": {"type": "string"},
                    "enabled": {"type": "boolean"},
                    "alias": {"type": "string"},
                },
            },
        },
    },
    "required": ["oscilla"],
    "additionalProperties": False,
}
_VALIDATOR = jsonschema.Draft202012Validator(_SCHEMA)


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


@dataclass
class Patch:
    """A patch: ``blocks`` in patch order, ``edges`` in edge order, ``settings`` (background)."""

    blocks: list[Block] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)

    # -- construction helpers (the Python builder) -------------------------------------------
    def add(self, block_id: str, block_type: str, **params: Any) -> Patch:
        """Append a block; returns the patch for chaining."""
        self.blocks.append(Block(block_id, block_type, dict(params)))
        return self

    def connect(self, src: str, dst: str, *, enabled: bool = True, alias: str | None = None) -> Patch:
        """Append an edge from ``"block.port"`` to ``"block.port"``; returns the patch."""
        src_end = _split_endpoint(src)
        dst_end = _split_endpoint(dst)
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
        """Build a Patch from the docs/language/patch-format.md structure.

        Raises:
            CompileError: with E_PATCH_INVALID diagnostics for every structural problem.
        """
        diags: list[Diagnostic] = []
        if not isinstance(data, dict):
            raise CompileError(
                [Diagnostic("E_PATCH_INVALID", ERROR, f"a patch must be a JSON object, got {type(data).__name__}")]
            )
        for err in sorted(_VALIDATOR.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            diags.append(_schema_diag(err))
        version = data.get("oscilla")
        if isinstance(version, int) and not isinstance(version, bool) and version != FORMAT_VERSION:
            diags.append(
                Diagnostic(
                    "E_PATCH_INVALID",
                    ERROR,
                    f"unknown patch format version {version}; this oscilla reads version "
                    f'{FORMAT_VERSION} (set "oscilla": 1)',
                )
            )
        edges: list[Edge] = []
        raw_edges = data.get("edges", [])
        if isinstance(raw_edges, list):
            for i, e in enumerate(raw_edges):
                if not isinstance(e, dict) or not isinstance(e.get("from"), str) or not isinstance(e.get("to"), str):
                    continue  # reported by the schema
                src_end = _split_endpoint(e["from"])
                dst_end = _split_endpoint(e["to"])
                bad = [s for s, end in ((e["from"], src_end), (e["to"], dst_end)) if end is None]
                for s in bad:
                    diags.append(
                        Diagnostic("E_PATCH_INVALID", ERROR, f"edge endpoint {s!r} is not '<block>.<port>'", edge=i)
                    )
                if src_end is None or dst_end is None:
                    continue
                edges.append(Edge(*src_end, *dst_end, bool(e.get("enabled", True)), e.get("alias")))
        if diags:
            raise CompileError(diags)
        blocks = [
            Block(b["id"], b["type"], dict(b.get("params", {})), dict(b.get("combine", {})))
            for b in data.get("blocks", [])
        ]
        return cls(blocks, edges, dict(data.get("settings", {})))

    def to_dict(self) -> dict[str, Any]:
        """The docs/language/patch-format.md structure (round-trips through :meth:`from_dict`)."""
        d: dict[str, Any] = {"oscilla": FORMAT_VERSION}
        if self.settings:
            d["settings"] = dict(self.settings)
        d["blocks"] = [b.to_dict() for b in self.blocks]
        d["edges"] = [e.to_dict() for e in self.edges]
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2)

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the patch as JSON to ``path``."""
        Path(path).write_text(self.to_json() + "\n", encoding="utf-8")


def _split_endpoint(s: object) -> tuple[str, str] | None:
    """Split ``"<block>.<port>"`` at the last '.' into (block, port); None when malformed."""
    if not isinstance(s, str) or "." not in s:
        return None
    b, p = s.rsplit(".", 1)
    if not b or not p:
        return None
    return b, p


def _schema_diag(err: jsonschema.ValidationError) -> Diagnostic:
    where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
    msg = err.message
    if err.validator == "additionalProperties" and not err.absolute_path:
        msg += "; a patch has only the fields oscilla, settings, blocks and edges"
    edge = None
    path = list(err.absolute_path)
    if len(path) >= 2 and path[0] == "edges" and isinstance(path[1], int):
        edge = path[1]
    return Diagnostic("E_PATCH_INVALID", ERROR, f"{where}: {msg}", edge=edge)


def load_patch(source: Patch | dict[str, Any] | str | os.PathLike[str]) -> Patch:
    """Load a patch from a dict, JSON text, a file path or an existing Patch.

    A str whose first non-blank character is ``{`` or ``[`` is JSON text; any other str or
    path-like is a file path (docs/language/python-api.md).

    Raises:
        CompileError: E_PATCH_INVALID for bad JSON or a bad structure.
        OSError: when the file cannot be read.
    """
    if isinstance(source, Patch):
        return source
    if isinstance(source, dict):
        return Patch.from_dict(source)
    if isinstance(source, str) and source.lstrip()[:1] in ("{", "["):
        text = source
    else:
        text = Path(source).read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise CompileError(
            [Diagnostic("E_PATCH_INVALID", ERROR, f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}")]
        ) from None
    return Patch.from_dict(data)
