"""The block-author API (oscilla/blocks/context.py): the worked example of CONTRIBUTING.md ("How to
add a block") is real code. Its BlockDef is registered for the duration of one test, compiled
through the LowerContext protocol and run on both runtimes; its test is the one the guide shows,
so the guide cannot drift from the API."""

from __future__ import annotations

import re

import numpy as np
from support.paths import ROOT

import oscilla as osc
from oscilla.blocks.registry import REGISTRY, block_def

GUIDE = ROOT / "CONTRIBUTING.md"


def _example_blocks() -> list[str]:
    """The Python code blocks of the guide's "How to add a block" section, in order."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## How to add a block", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    return [re.sub(r"^ {3}", "", b, flags=re.M) for b in blocks]  # the blocks sit in a list item


def test_the_contributing_example_block_compiles_and_runs(runtime_cls):
    definition, test = _example_blocks()
    assert "Smoothstep" not in REGISTRY and block_def("Add") is not None  # the registry is loaded
    scope: dict = {"__name__": "oscilla.blocks.math"}
    exec(  # the imports the example's module already has
        "from oscilla.blocks.context import LowerContext\n"
        "from oscilla.blocks.registry import BlockDef, E, PortDef, register\n"
        "from oscilla.blocks.values import Value\n" + definition,
        scope,
    )
    try:
        exec(test, scope)
        scope["test_smoothstep_on_a_field"](runtime_cls)
        # the same formula on a signal, against numpy float64: x = 0.6 between edges 0.2 and 1.2
        patch = {
            "oscilla": 1,
            "blocks": [
                {"id": "time", "type": "InfiniteTimeRoot"},
                {"id": "s", "type": "Smoothstep", "params": {"x": 0.6, "edge0": 0.2, "edge1": 1.2}},
            ],
            "edges": [],
        }
        rt = runtime_cls(osc.compile(patch, observe=["s.out"]))
        rt.step(0.0)
        np.testing.assert_allclose(rt.read("s.out"), 0.4 * 0.4 * (3 - 2 * 0.4), atol=1e-6)
    finally:
        REGISTRY.pop("Smoothstep", None)
