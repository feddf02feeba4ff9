"""Block knowledge lives in blocks: the compiler asks a block's BlockDef and never names a block
type. Every string constant in oscilla/compiler/ is compared with the registered type names, and
the compiler may import from the blocks layer only the registry, the API protocols, values and
literals (never a category module such as blocks/signal.py)."""

from __future__ import annotations

import ast

from support.paths import ROOT

from oscilla.blocks.registry import all_types

COMPILER = ROOT / "oscilla" / "compiler"
#: the blocks-layer modules the compiler may use: the registry and its records, the protocols
#: it implements, port values and literal parsing
ALLOWED_BLOCK_MODULES = {
    "oscilla.blocks.registry",
    "oscilla.blocks.context",
    "oscilla.blocks.values",
    "oscilla.blocks.literals",
}


def _modules() -> list[tuple[str, ast.Module]]:
    files = sorted(COMPILER.glob("*.py"))
    assert len(files) >= 8, files
    return [(p.name, ast.parse(p.read_text(encoding="utf-8"))) for p in files]


def test_no_compiler_module_names_a_block_type():
    types = set(all_types())
    assert {"Const", "Camera", "InfiniteTimeRoot", "Adapter_PhaseToRadians"} <= types
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in types:
                found.append(f"{name}:{node.lineno} {node.value!r}")
    assert not found, "the compiler tests block type names; declare a BlockDef hook instead: " + ", ".join(found)


def test_the_compiler_imports_no_block_category_module():
    found = []
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("oscilla.blocks"):
                if node.module not in ALLOWED_BLOCK_MODULES:
                    found.append(f"{name}:{node.lineno} {node.module}")
            elif isinstance(node, ast.Import):
                found += [f"{name}:{node.lineno} {a.name}" for a in node.names if a.name.startswith("oscilla.blocks")]
    assert not found, found
