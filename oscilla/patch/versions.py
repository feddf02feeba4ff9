"""Patch format versions and the migration table that upgrades older files on load
(docs/language/patch-format.md#versions).

:data:`MIGRATIONS` maps a format version ``N`` to the :class:`Migration` that turns a version-``N``
patch into a version-``N + 1`` one; :func:`upgrade_data` applies them in order up to
:data:`~oscilla.patch.schema.FORMAT_VERSION`. Migrations work on the parsed JSON (before the
structure is checked), so each one touches only the parts it recognizes and leaves anything
malformed for the structural check to report. They never modify the caller's data: what they
change is copied first.

A version bump that changes nothing in a file (a file of version 1 that has no '/' in its block
ids) is read silently; a migration that rewrites something reports it, and the compiler turns
that into an ``I_PATCH_UPGRADED`` info diagnostic. ``oscilla upgrade PATCH`` writes the upgraded
file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from oscilla.patch.schema import FORMAT_VERSION, OLDEST_VERSION

#: upgrade(data) -> (upgraded data of the next version, what changed: one phrase per change)
Upgrade = Callable[[dict[str, Any]], tuple[dict[str, Any], list[str]]]


@dataclass(frozen=True)
class Migration:
    """One step of the migration table.

    Attributes:
        source: the format version it reads; it writes ``source + 1``.
        summary: what the newer version changed, for the patch-format page and ``oscilla upgrade``.
        upgrade: the step itself (:data:`Upgrade`); must not modify its argument.
    """

    source: int
    summary: str
    upgrade: Upgrade


def _v1_to_v2(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Version 2 reserves '/' in block ids for the blocks of composite instances
    (``<instance>/<inner>``): a block id holding '/' gets each '/' replaced by '_' (with a numeric
    suffix when that id is taken), and the edges naming it follow."""
    out = dict(data, oscilla=2)
    blocks = data.get("blocks")
    if not isinstance(blocks, (list, tuple)):
        return out, []
    ids = {b["id"] for b in blocks if isinstance(b, dict) and isinstance(b.get("id"), str)}
    renamed: dict[str, str] = {}
    for old in ids:
        if "/" not in old:
            continue
        base = new = old.replace("/", "_")
        n = 2
        while new in ids or new in renamed.values():
            new, n = f"{base}_{n}", n + 1
        renamed[old] = new
    if not renamed:
        return out, []
    out["blocks"] = [
        dict(b, id=renamed[b["id"]]) if isinstance(b, dict) and b.get("id") in renamed else b for b in blocks
    ]
    edges = data.get("edges")
    if isinstance(edges, (list, tuple)):
        out["edges"] = [_rename_edge(e, renamed) for e in edges]
    changes = [
        f"block id {old!r} renamed {new!r} ('/' is reserved in version 2)" for old, new in sorted(renamed.items())
    ]
    return out, changes


def _rename_edge(e: Any, renamed: dict[str, str]) -> Any:
    if not isinstance(e, dict):
        return e
    new = dict(e)
    for key in ("from", "to"):
        end = e.get(key)
        if isinstance(end, str) and "." in end:
            block, _, port = end.rpartition(".")
            if block in renamed:
                new[key] = f"{renamed[block]}.{port}"
    return new


#: format version -> the step that upgrades it to the next version
MIGRATIONS: dict[int, Migration] = {
    1: Migration(
        1,
        "composites (the top-level 'composites' key); '/' reserved in block ids for composite instances",
        _v1_to_v2,
    ),
}
assert sorted(MIGRATIONS) == list(range(OLDEST_VERSION, FORMAT_VERSION)), "one step per older version"


@dataclass(frozen=True)
class Upgraded:
    """The result of :func:`upgrade_data`.

    Attributes:
        data: the patch data at :data:`~oscilla.patch.schema.FORMAT_VERSION` (``data`` itself when
            no step ran).
        source_version: the version the data was written in (None when it has no usable version;
            the structural check reports that).
        changes: what the steps rewrote, one phrase each (empty: only the version number changed).
    """

    data: Any
    source_version: int | None
    changes: tuple[str, ...] = ()


def upgrade_data(data: Any) -> Upgraded:
    """Upgrade parsed patch data of an older format version to the current one.

    Data that is not an object, has no integer version, or a version outside
    ``OLDEST_VERSION .. FORMAT_VERSION - 1`` is returned as it is (the structural check reports a
    missing, malformed or unsupported version). Never modifies ``data``.
    """
    version = data.get("oscilla") if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool):
        return Upgraded(data, None)
    if version not in MIGRATIONS:
        return Upgraded(data, version)
    changes: list[str] = []
    current = data
    for v in range(version, FORMAT_VERSION):
        current, changed = MIGRATIONS[v].upgrade(current)
        changes += changed
    return Upgraded(current, version, tuple(changes))
