"""Bounded memory over a live session (issue 9): a swap frees the replaced program's GPU buffers
and unpins its pipelines, the pipeline cache stays at its bound, and a few hundred swaps between
distinct programs do not grow the process. (The 1,000-swap soak with its RSS table is
benchmarks/bench_soak.py.)"""

import gc
import weakref

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.gpu.pipelines import PIPELINES
from oscilla.runtime import hotswap

pytestmark = pytest.mark.gpu


def ring(i: int, n: int = 64) -> dict:
    """A ring of ``n`` lanes whose Lag smoothing (a WGSL literal) differs for every ``i``."""
    return make_patch(
        [
            blk("arr", "Array", count=n),
            blk("h", "Hash"),
            blk("lag", "Lag", smoothing=0.5 + i * 1e-4),
            blk("ring", "CircleLayout", radius=0.3),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.index", "h.value"),
            edge("h.out", "lag.target"),
            edge("arr.elements", "ring.elements"),
            edge("ring.position", "draw.pos"),
            edge("lag.out", "draw.size"),
        ],
        periodAMs=1000,
    )


def rss_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    pytest.skip("no /proc/self/status VmRSS on this system")


def entry_pins(device, pipeline) -> int:
    """How many users pin the cache entry holding ``pipeline`` (0 when it is not cached)."""
    store = PIPELINES._per_device[device]
    return next((e.pins for e in store.entries.values() if e.value is pipeline), 0)


def test_the_programs_differ_in_their_wgsl():
    assert ring(1) != ring(2)
    a, b = osc.compile(ring(1)), osc.compile(ring(2))
    assert a.wgsl != b.wgsl  # else the soak below would not create new pipelines


def test_swap_releases_the_old_program_and_pins_the_new(device):
    rt = osc.Runtime(osc.compile(ring(0)), device)
    rt.step(0.0)
    rt.render(16, 16)  # builds a renderer for the old program
    old = rt.resources
    old_pipelines = [d.pipeline for d in old.passes[1]]
    assert all(entry_pins(device, p) >= 1 for p in old_pipelines)
    old_ref, renderer_ref = weakref.ref(old), weakref.ref(rt._renderers["rgba8unorm"])
    old_buffers = [weakref.ref(b) for b in old.stores.values.buffers.values()]

    rt.swap(osc.compile(ring(1)))
    assert old.released and old.pins is not None and old.pins.released
    changed = [p for p in old_pipelines if p not in {d.pipeline for d in rt.resources.passes[1]}]
    assert changed and all(entry_pins(device, p) == 0 for p in changed)
    assert all(entry_pins(device, d.pipeline) >= 1 for d in rt.resources.passes[1])
    del old
    gc.collect()
    # nothing else (continuity, renderers, bind groups) keeps the replaced program alive
    assert old_ref() is None and renderer_ref() is None
    assert all(b() is None for b in old_buffers)
    rt.step(16.0)
    assert rt.read("lag.out").shape == (64,)


def test_a_runtime_dropped_without_a_swap_unpins_its_pipelines(device):
    rt = osc.Runtime(osc.compile(ring(10_000)), device)
    pins = rt.resources.pins
    assert pins is not None and len(pins) > 0 and not pins.released
    del rt
    gc.collect()
    assert pins.released


def test_a_failed_swap_frees_what_it_built_and_keeps_running(device, monkeypatch):
    rt = osc.Runtime(osc.compile(ring(20_000)), device)
    rt.step(0.0)
    built = []
    real_build = hotswap.build_program

    def build_and_remember(*args):
        built.append(real_build(*args))
        return built[-1]

    def broken_copy(*args):
        raise RuntimeError("simulated device loss during the state copy")

    monkeypatch.setattr(hotswap, "build_program", build_and_remember)
    monkeypatch.setattr(hotswap, "copy_state", broken_copy)
    with pytest.raises(RuntimeError, match="simulated"):
        rt.swap(osc.compile(ring(20_001)))
    [new] = built
    assert new.released and new.pins is not None and new.pins.released
    assert not rt.resources.released
    rt.step(16.0)
    assert rt.read("lag.out").shape == (64,)


def test_a_count_change_swap_releases_the_previous_continuity_buffers(device):
    rt = osc.Runtime(osc.compile(ring(30_000, n=64)), device)
    rt.step(0.0)
    rt.swap(osc.compile(ring(30_000, n=80)))  # lane count changes: continuity offsets captured
    [(cont, *_)] = rt._continuity._kernels
    assert cont.gpu_offsets is not None
    rt.step(16.0)
    rt.swap(osc.compile(ring(30_001, n=80)))
    assert cont.gpu_offsets is None  # destroyed with the pass it belonged to
    rt.step(32.0)


def test_soak_300_swaps_keeps_the_cache_at_its_bound_and_rss_flat(device, monkeypatch):
    # entries pinned by runtimes of earlier tests that are still alive cannot be evicted (nor are
    # they this test's): measure them once, and bound the cache at them plus this test's budget
    gc.collect()
    PIPELINES.clear(device)
    foreign = PIPELINES.nbytes(device)
    bound = foreign + (4 << 20)  # estimated bytes; ~6 programs of this size
    monkeypatch.setattr(PIPELINES, "max_bytes", bound)
    rt = osc.Runtime(osc.compile(ring(40_000)), device)
    rt.step(0.0)
    for i in range(1, 31):  # warm up: the cache fills, allocator arenas settle
        rt.swap(osc.compile(ring(40_000 + i)))
        rt.step(16.0 * i)
    rt.wait()
    gc.collect()
    before = rss_bytes()
    for i in range(31, 331):
        rt.swap(osc.compile(ring(40_000 + i)))
        rt.step(16.0 * i)
        if i % 50 == 0:
            assert PIPELINES.nbytes(device) <= bound
            assert PIPELINES.size(device) <= PIPELINES.max_entries
    rt.wait()
    gc.collect()
    grown = rss_bytes() - before
    # without the bound every distinct program kept ~700 KB of lavapipe pipelines: ~200 MB here
    assert grown < 48 << 20, f"RSS grew {grown / 2**20:.1f} MiB over 300 swaps"
    assert PIPELINES.nbytes(device) > bound // 2  # the cache is in use, at its bound
