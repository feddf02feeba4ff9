"""CompiledProgram.content_hash (oscilla/program.py, docs/runtime/snapshots.md#program-hash): equal for
two compiles of one patch in processes with different hash seeds, different for any change that
changes what the program computes or draws."""

import os
import subprocess
import sys

import pytest
from support.builders import blk, edge, make_patch
from support.paths import EXAMPLES, ROOT

import oscilla as osc


def _patch(**lag):
    return make_patch(
        [
            blk("arr", "Array", count=8),
            blk("lay", "CircleLayout", radius=0.3),
            blk("lag", "Lag", **lag),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge("time.phaseA", "lag.target"),
            edge("lag.out", "draw.size"),
        ],
    )


def _hash(patch, **options) -> str:
    h = osc.compile(patch, **options).content_hash
    assert len(h) == 64 and int(h, 16) >= 0
    return h


def test_equal_for_equal_compiles_and_different_for_any_change():
    base = _hash(_patch())
    assert _hash(_patch()) == base
    variants = {
        "param": _hash(_patch(smoothing=0.25)),
        "observe": _hash(_patch(), observe="all"),
        "settings": _hash({**_patch(), "settings": {"background": [0.1, 0, 0, 1]}}),
        "root": _hash(make_patch(_patch()["blocks"][1:], _patch()["edges"], periodAMs=500.0)),
    }
    assert all(v != base for v in variants.values()), variants
    assert len(set(variants.values())) == len(variants)


def test_stable_across_processes_and_hash_seeds():
    path = EXAMPLES[0]
    code = f"import oscilla as osc; print(osc.compile(osc.load_patch({str(path)!r})).content_hash)"
    outs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outs.add(r.stdout.strip())
    assert outs == {osc.compile(osc.load_patch(path)).content_hash}


def test_computed_without_wgpu():
    code = (
        "import sys, oscilla as osc; osc.compile(osc.load_patch(sys.argv[1])).content_hash; "
        "print('wgpu' in sys.modules)"
    )
    r = subprocess.run(
        [sys.executable, "-c", code, str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=True,
    )
    assert r.stdout.strip() == "False"


@pytest.mark.parametrize("path", EXAMPLES[:3], ids=lambda p: p.stem)
def test_the_examples_have_distinct_hashes(path):
    others = {osc.compile(osc.load_patch(p)).content_hash for p in EXAMPLES if p != path}
    assert osc.compile(osc.load_patch(path)).content_hash not in others
