"""Bad input never produces a Python traceback: every malformed patch is a CompileError.

A seeded mutation fuzz over the examples (retyped blocks, random params of every JSON kind,
rewired and removed edges, added blocks, disabled edges) plus hand-picked cases that once
crashed the compiler.
"""

import copy
import json
import random

import pytest
from support.paths import EXAMPLES
from support.reported import reported

import oscilla as osc
from oscilla.blocks.registry import all_types, block_def

T = {"id": "time", "type": "InfiniteTimeRoot"}
VALUES = [
    0,
    1,
    -1,
    2.5,
    1e30,
    -0.0,
    True,
    False,
    "x",
    None,
    [1, 2],
    [1, 2, 3],
    [1, 2, 3, 4],
    {"x": 1},
    {"r": 1, "g": 0, "b": 0},
    [],
    2**25,
    "sin",
    {"nested": [1]},
]


def _mutate(p: dict, rng: random.Random) -> dict:
    p = copy.deepcopy(p)
    types = all_types()
    for _ in range(rng.randint(1, 3)):
        r = rng.random()
        blocks, edges = p["blocks"], p["edges"]
        if r < 0.2 and blocks:
            rng.choice(blocks)["type"] = rng.choice(types)
        elif r < 0.4 and blocks:
            b = rng.choice(blocks)
            d = block_def(b["type"])
            names = ([x.id for x in d.inputs] + [x.name for x in d.params]) if d else ["foo"]
            b.setdefault("params", {})[rng.choice(names + ["zzz"])] = rng.choice(VALUES)
        elif r < 0.6 and edges:
            e, src, dst = rng.choice(edges), rng.choice(blocks), rng.choice(blocks)
            ds, dd = block_def(src["type"]), block_def(dst["type"])
            e["from"] = src["id"] + "." + (rng.choice([x.id for x in ds.outputs] or ["out"]) if ds else "out")
            e["to"] = dst["id"] + "." + (rng.choice([x.id for x in dd.inputs] or ["in"]) if dd else "in")
        elif r < 0.7 and edges:
            edges.pop(rng.randrange(len(edges)))
        elif r < 0.8 and blocks:
            blocks.pop(rng.randrange(len(blocks)))
        elif r < 0.9:
            t = rng.choice(types)
            d = block_def(t)
            nid = f"n{rng.randint(0, 99)}"
            blocks.append({"id": nid, "type": t})
            if d.outputs:
                dst = rng.choice(blocks)
                dd = block_def(dst["type"])
                port = rng.choice([x.id for x in dd.inputs] or ["a"]) if dd else "a"
                edges.append({"from": nid + "." + d.outputs[0].id, "to": f"{dst['id']}.{port}"})
        elif edges:
            rng.choice(edges)["enabled"] = rng.choice([True, False])
    return p


@pytest.mark.parametrize("seed", range(4))
def test_mutated_examples_compile_or_raise_compile_error(seed):
    rng = random.Random(seed)
    bases = [json.loads(p.read_text()) for p in EXAMPLES]
    for _ in range(400):
        patch = _mutate(rng.choice(bases), rng)
        try:
            program = osc.compile(patch, observe=rng.choice([None, "all"]))
        except osc.CompileError as e:
            assert e.diagnostics and all(d.code.startswith(("E_", "W_", "I_")) for d in e.diagnostics)
            continue
        osc.ReferenceRuntime(program).step(0.0)


CRASHERS = {
    "pinned Broadcast payload differs from its input": (
        [
            T,
            {"id": "c", "type": "Const", "params": {"value": [1, 2]}},
            {"id": "b", "type": "Broadcast", "params": {"payloadType": "float"}},
            {"id": "a", "type": "Array"},
            {"id": "add", "type": "Add"},
            {"id": "g", "type": "GridLayout"},
            {"id": "r", "type": "RenderInstances2D"},
        ],
        [
            ("c.out", "b.signal"),
            ("b.field", "add.a"),
            ("a.t", "add.b"),
            ("a.elements", "g.elements"),
            ("g.position", "r.pos"),
            ("add.out", "r.size"),
        ],
        ("E_TYPE_MISMATCH", "b", "signal"),
    ),
    "vec2 plus color": (
        [
            T,
            {"id": "c1", "type": "Const", "params": {"value": [1, 2]}},
            {"id": "c2", "type": "Const", "params": {"value": [1, 2, 3, 4]}},
            {"id": "add", "type": "Add"},
        ],
        [("c1.out", "add.a"), ("c2.out", "add.b")],
        ("E_TYPE_MISMATCH", "add", "b"),
    ),
    "vec2 plus inline color": (
        [
            T,
            {"id": "c1", "type": "Const", "params": {"value": [1, 2]}},
            {"id": "add", "type": "Add", "params": {"b": [1, 0, 0, 1]}},
        ],
        [("c1.out", "add.a")],
        ("E_TYPE_MISMATCH", "add", "b"),
    ),
}


@pytest.mark.parametrize("name", CRASHERS)
def test_former_crashers_are_diagnostics(name):
    blocks, edges, (code, block, port) = CRASHERS[name]
    patch = {"oscilla": 1, "blocks": blocks, "edges": [{"from": a, "to": b} for a, b in edges]}
    e = reported(patch)
    assert any((d.code, d.block, d.port) == (code, block, port) for d in e.value.diagnostics), [
        d.format() for d in e.value.diagnostics
    ]


def test_vec2_plus_vec3_promotes():
    patch = {
        "oscilla": 1,
        "blocks": [
            T,
            {"id": "c1", "type": "Const", "params": {"value": [1, 2]}},
            {"id": "add", "type": "Add", "params": {"b": [1, 1, 1]}},
        ],
        "edges": [{"from": "c1.out", "to": "add.a"}],
    }
    rt = osc.ReferenceRuntime(osc.compile(patch, observe=["add.out"]))
    rt.step(0.0)
    assert rt.read("add.out").tolist() == [2.0, 3.0, 1.0]
