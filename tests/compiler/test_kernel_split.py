"""Kernels larger than the size budget are split into parts (docs/compiler/scheduling.md#splitting).

A long chain of math blocks becomes several kernels of the same phase, each within
``KERNEL_BUDGET_LETS`` ``let`` s, passing the values that cross a cut through ``cut:`` slots;
everything the examples compile stays one kernel per instance and stage.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_close, normalized_index

import oscilla as osc
from oscilla.compiler import schedule
from oscilla.compiler.schedule import validate_schedule

LANES = 1001  # not a multiple of 4: the last invocation stores lanes one at a time


def _chain(
    n: int, source: str, *, every_sin: int = 0, reuse: bool = False, prefix: str = "m"
) -> tuple[list, list, str]:
    """Blocks and edges of a chain of ``n`` math blocks from port ``source``: ``Add`` 0.001 then
    ``Multiply`` 0.999 in turn (a ``Sin`` at every ``every_sin``-th block when set). With ``reuse``,
    every Add adds ``source`` itself instead of 0.001 (one value used all along the chain). Block
    ids are ``prefix`` + index. Returns (blocks, edges, the last output port)."""
    blocks, edges, prev = [], [], source
    for i in range(n):
        b = f"{prefix}{i}"
        if every_sin and i % every_sin == every_sin - 1:
            blocks.append(blk(b, "Sin"))
            edges.append(edge(prev, f"{b}.input"))
            prev = f"{b}.result"
        elif i % 2 == 0:
            blocks.append(blk(b, "Add") if reuse else blk(b, "Add", b=0.001))
            edges.append(edge(prev, f"{b}.a"))
            if reuse:
                edges.append(edge(source, f"{b}.b"))
            prev = f"{b}.out"
        else:
            blocks.append(blk(b, "Multiply", b=0.999))
            edges.append(edge(prev, f"{b}.a"))
            prev = f"{b}.out"
    return blocks, edges, prev


def _expected(n: int, x0: np.ndarray, *, every_sin: int = 0, reuse: bool = False) -> np.ndarray:
    """The chain of :func:`_chain` in float32, one block at a time."""
    x0 = np.asarray(x0, np.float32)
    x = x0.copy()
    for i in range(n):
        if every_sin and i % every_sin == every_sin - 1:
            x = np.sin(x).astype(np.float32)
        elif i % 2 == 0:
            x = (x + (x0 if reuse else np.float32(0.001))).astype(np.float32)
        else:
            x = (x * np.float32(0.999)).astype(np.float32)
    return x


def field_chain_patch(n: int, **kw) -> tuple[dict, str]:
    """``array.t + time.phaseA`` through a chain of ``n`` blocks into a Lag and the size (a per-frame
    field kernel); returns the patch and the chain's last port."""
    blocks = [
        blk("array", "Array", count=LANES),
        blk("grid", "GridLayout"),
        blk("x0", "Add"),
        blk("lag", "Lag"),
        blk("draw", "RenderInstances2D"),
    ]
    edges = [
        edge("array.elements", "grid.elements"),
        edge("grid.position", "draw.pos"),
        edge("array.t", "x0.a"),
        edge("time.phaseA", "x0.b"),
    ]
    cb, ce, last = _chain(n, "x0.out", **kw)
    edges += [edge(last, "lag.target"), edge("lag.out", "draw.size")]
    return make_patch(blocks + cb, edges + ce, periodAMs=1000.0), last


def signal_chain_patch(n: int, **kw) -> tuple[dict, str]:
    """``time.phaseA`` through a chain of ``n`` blocks into the size (the signal kernel)."""
    blocks = [blk("array", "Array", count=LANES), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D")]
    edges = [edge("array.elements", "grid.elements"), edge("grid.position", "draw.pos")]
    cb, ce, last = _chain(n, "time.phaseA", **kw)
    edges.append(edge(last, "draw.size"))
    return make_patch(blocks + cb, edges + ce, periodAMs=1000.0), last


def _node_lets(wgsl: str) -> int:
    """``let`` s of IR nodes in the kernel's entry point (v<k> values, h<k> colour calls)."""
    main = wgsl[wgsl.index("fn main(") :]
    return len(re.findall(r"^    let [vh]\d+", main, flags=re.M))


def _parts(program, base: str) -> list:
    return [k for k in program.kernels if k.name == base or k.name.startswith(base + "_p")]


@pytest.mark.parametrize("make", [field_chain_patch, signal_chain_patch], ids=["field", "signal"])
def test_a_chain_over_the_budget_becomes_parts_each_within_it(make):
    budget = schedule.KERNEL_BUDGET_LETS
    patch, _ = make(3 * budget)
    program = osc.compile(patch)
    base = "field0" if make is field_chain_patch else "signal"
    parts = _parts(program, base)
    assert len(parts) >= 3, [k.name for k in program.kernels]
    assert [k.part for k in parts] == list(range(len(parts)))
    assert [k.name for k in parts] == [base] + [f"{base}_p{i}" for i in range(1, len(parts))]
    for k in parts:
        assert _node_lets(program.wgsl[k.name]) <= budget, k.name
    # the parts run consecutively, in the phase and position of the kernel they replace
    names = [k.name for k in program.kernels]
    first = names.index(base)
    assert names[first : first + len(parts)] == [k.name for k in parts]
    assert all(k.phase == 1 and not k.once for k in parts)
    validate_schedule(program.schedule)
    # every value a part loads was written by an earlier part of the same kernel
    written: set[int] = set()
    for k in parts:
        assert set(k.loads) <= written, k.name
        for s in k.loads:
            assert program.slot_meta[s].name.startswith("cut:%")
            assert program.slot_meta[s].stride == 1
        written |= set(k.writes)
    # one dispatch per extra part, and inspect says so
    bound = len(program.instances) + program.stages + 2
    assert program.dispatches_per_frame <= bound + len(parts) - 1
    assert f"split parts = {bound} + {len(parts) - 1} = {bound + len(parts) - 1}" in program.inspect()


def test_a_static_chain_splits_its_init_kernel():
    """``array.t`` alone through the chain is frame-invariant: the once-only kernel is split."""
    cb, ce, last = _chain(2 * schedule.KERNEL_BUDGET_LETS, "array.t")
    blocks = [blk("array", "Array", count=LANES), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D")]
    edges = [edge("array.elements", "grid.elements"), edge("grid.position", "draw.pos"), edge(last, "draw.size")]
    program = osc.compile(make_patch(blocks + cb, edges + ce))
    parts = _parts(program, "init0")
    assert len(parts) >= 2 and all(k.once for k in parts)
    assert program.dispatches_per_frame <= len(program.instances) + program.stages + 2
    assert "split parts" not in program.inspect()  # once-only parts add no dispatch per frame


def test_a_value_used_all_along_the_chain_crosses_every_cut():
    patch, _ = field_chain_patch(3 * schedule.KERNEL_BUDGET_LETS, reuse=True)
    program = osc.compile(patch)
    parts = _parts(program, "field0")
    assert len(parts) >= 3
    # x0 (array.t + phaseA) is computed by the first part and loaded by every later one
    x0 = parts[0].writes
    for k in parts[1:]:
        assert set(k.loads) & set(x0), k.name
        assert len(k.loads) == 2, k.name  # x0 and the running value


def test_examples_keep_one_kernel_per_instance_and_stage(examples_dir):
    for path in sorted(examples_dir.glob("*.json")):
        program = osc.compile(osc.load_patch(path), observe="all")
        assert all(k.part == 0 and not k.loads for k in program.kernels), path.name
        per = Counter((k.kind, k.instance, k.once, k.name.split("_s")[-1]) for k in program.kernels)
        assert max(per.values()) == 1, (path.name, per)
        assert not any(s.name.startswith("cut:") for s in program.slot_meta), path.name
        assert program.dispatches_per_frame <= len(program.instances) + program.stages + 2


def test_the_budget_is_what_the_scheduler_splits_at(monkeypatch):
    monkeypatch.setattr(schedule, "KERNEL_BUDGET_LETS", 40)
    patch, _ = signal_chain_patch(100)
    program = osc.compile(patch)
    parts = _parts(program, "signal")
    assert len(parts) >= 3
    assert all(_node_lets(program.wgsl[k.name]) <= 40 for k in parts)
    monkeypatch.setattr(schedule, "KERNEL_BUDGET_LETS", 10**6)
    assert len(_parts(osc.compile(patch), "signal")) == 1


# -- results: the GPU, the reference interpreter and numpy agree -----------------------------------


@pytest.mark.gpu
@pytest.mark.parametrize("reuse", [False, True], ids=["chain", "reused-source"])
def test_split_field_chain_matches_numpy_on_gpu_and_reference(monkeypatch, reuse):
    from support.running import gpu_or_skip

    gpu_or_skip()
    monkeypatch.setattr(schedule, "KERNEL_BUDGET_LETS", 48)  # small kernels: quick to compile on lavapipe
    n = 150
    patch, last = field_chain_patch(n, every_sin=7, reuse=reuse)
    program = osc.compile(patch, observe=[last])
    assert len(_parts(program, "field0")) >= 3
    x0 = normalized_index(LANES) + np.float32(0.25)  # phaseA at t = 250 ms of a 1000 ms period
    expected = _expected(n, x0, every_sin=7, reuse=reuse)
    for cls in (osc.Runtime, osc.ReferenceRuntime):
        rt = cls(program)
        rt.step(250.0)
        assert_close(rt.read(last), expected, tol=1e-4, what=cls.__name__)


@pytest.mark.gpu
def test_split_signal_chain_matches_numpy_on_gpu_and_reference(monkeypatch):
    from support.running import gpu_or_skip

    gpu_or_skip()
    monkeypatch.setattr(schedule, "KERNEL_BUDGET_LETS", 48)
    n = 150
    patch, last = signal_chain_patch(n, every_sin=5)
    program = osc.compile(patch, observe=[last])
    assert len(_parts(program, "signal")) >= 3
    expected = _expected(n, np.float32(0.25), every_sin=5)
    for cls in (osc.Runtime, osc.ReferenceRuntime):
        rt = cls(program)
        rt.step(250.0)
        assert_close(rt.read(last), expected, tol=1e-4, what=cls.__name__)
        assert_close(rt.read_rendered("draw", "size"), expected, tol=1e-4, what=cls.__name__)


@pytest.mark.gpu
def test_a_chain_at_the_real_budget_renders_like_the_reference():
    """Additions and multiplications only (cheap to compile): three parts at the shipped budget."""
    from support.running import gpu_or_skip

    gpu_or_skip()
    n = 3 * schedule.KERNEL_BUDGET_LETS
    patch, last = field_chain_patch(n)
    program = osc.compile(patch, observe=[last])
    assert len(_parts(program, "field0")) >= 3
    expected = _expected(n, normalized_index(LANES) + np.float32(0.25))
    gpu, ref = osc.Runtime(program), osc.ReferenceRuntime(program)
    for t in (250.0, 266.0):
        gpu.step(t)
        ref.step(t)
    assert_close(gpu.read(last), ref.read(last), tol=1e-5, what="gpu vs reference")
    assert_close(gpu.read_state("lag:lag"), ref.read_state("lag:lag"), tol=1e-5, what="Lag state")
    ref2 = osc.ReferenceRuntime(program)
    ref2.step(250.0)
    assert_close(ref2.read(last), expected, tol=1e-4, what="reference vs numpy at 250 ms")


@pytest.mark.gpu
def test_split_kernels_around_a_reduce(monkeypatch):
    """A split field chain feeding a Reduce (its partials written by the part that computes the
    source) and a split stage-1 signal chain after it."""
    from support.running import gpu_or_skip

    gpu_or_skip()
    monkeypatch.setattr(schedule, "KERNEL_BUDGET_LETS", 32)
    patch, last = field_chain_patch(80)
    blocks, edges = patch["blocks"], patch["edges"]
    blocks.append(blk("avg", "Reduce", op="avg"))
    edges.append(edge(last, "avg.field"))
    cb, ce, after = _chain(80, "avg.signal", prefix="n")
    blocks += cb
    edges += ce
    program = osc.compile(patch, observe=[last, after])
    assert len(_parts(program, "field0")) >= 3
    assert len(_parts(program, "signal_s1")) >= 3
    partial_parts = [k.name for k in _parts(program, "field0") if k.partials]
    assert len(partial_parts) == 1
    validate_schedule(program.schedule)
    field = _expected(80, normalized_index(LANES) + np.float32(0.25))
    mean = np.float32(field.astype(np.float64).mean())
    expected = _expected(80, mean)
    for cls in (osc.Runtime, osc.ReferenceRuntime):
        rt = cls(program)
        rt.step(250.0)
        assert_close(rt.read(last), field, tol=1e-4, what=f"{cls.__name__} field")
        assert_close(rt.read(after), expected, tol=1e-4, what=f"{cls.__name__} after the Reduce")
