"""The pipeline cache (issue 9, bounded memory): an LRU bounded by entry count and estimated
bytes, whose pinned entries (the running program's) are never evicted. A fake device records
what is built, so these tests need no GPU."""

import gc

import pytest

from oscilla.gpu.pipelines import BYTES_PER_WGSL_CHAR, LAYOUT_BYTES, PipelineCache

assert BYTES_PER_WGSL_CHAR == 64 and LAYOUT_BYTES == 1024  # the figures the expectations below use


class FakeDevice:
    """Counts the wgpu objects the cache asks it to build."""

    def __init__(self):
        self.built = []

    def create_shader_module(self, label="", code=""):
        self.built.append(("module", code))
        return ("module", code)

    def create_bind_group_layout(self, label="", entries=()):
        self.built.append(("bgl", len(entries)))
        return ("bgl", len(entries))

    def create_pipeline_layout(self, label="", bind_group_layouts=()):
        return ("layout", tuple(bind_group_layouts))

    def create_compute_pipeline(self, label="", layout=None, compute=None):
        self.built.append(("pipeline", compute["module"][1]))
        return ("pipeline", compute["module"][1])


def wgsl(i: int, chars: int = 100) -> str:
    text = f"// kernel {i}\n"
    return text + "x" * (chars - len(text))


def test_count_bound_drops_least_recently_used():
    cache, dev = PipelineCache(max_entries=3, max_bytes=1 << 40), FakeDevice()
    for k in "abcd":
        cache.get_or_build(dev, k, lambda k=k: k)
    assert cache.size(dev) == 3
    cache.get_or_build(dev, "b", lambda: "rebuilt")  # b is now the most recent
    cache.get_or_build(dev, "e", lambda: "e")  # evicts c (a went first)
    assert cache.get_or_build(dev, "b", lambda: "rebuilt") == "b"
    assert cache.get_or_build(dev, "c", lambda: "rebuilt c") == "rebuilt c"


def test_byte_bound_counts_the_estimate_of_each_shader():
    # a pipeline of N characters is estimated at BYTES_PER_WGSL_CHAR * N plus one pipeline layout,
    # its module included; its bind-group layout is LAYOUT_BYTES more
    one = BYTES_PER_WGSL_CHAR * 1000 + 2 * LAYOUT_BYTES
    cache, dev = PipelineCache(max_entries=10_000, max_bytes=3 * one), FakeDevice()
    for i in range(10):
        cache.compute_pipeline(dev, wgsl(i, 1000), [[{"binding": 0}]])
        assert cache.nbytes(dev) <= 3 * one
    # three (module, pipeline) pairs of 64,000 + 1,024 bytes each and the shared layout
    assert cache.nbytes(dev) == 3 * (64_000 + 1024) + 1024
    assert cache.size(dev) == 3 * 2 + 1
    # the three most recent pipelines are still cached: no rebuild
    n = len(dev.built)
    for i in (7, 8, 9):
        cache.compute_pipeline(dev, wgsl(i, 1000), [[{"binding": 0}]])
    assert len(dev.built) == n


def test_pinned_pipelines_survive_any_number_of_other_programs():
    cache, dev = PipelineCache(max_entries=8, max_bytes=1 << 40), FakeDevice()
    pins = cache.pins(dev)
    running = [cache.compute_pipeline(dev, wgsl(i), [[{"binding": 0}]], pins=pins) for i in range(3)]
    assert cache.pinned(dev) == 3 + 3 + 1  # three pipelines, their modules, one shared layout
    for i in range(100, 200):  # 100 other programs come and go
        cache.compute_pipeline(dev, wgsl(i), [[{"binding": 0}]])
        assert cache.size(dev) <= 8
    built = len(dev.built)
    again = [cache.compute_pipeline(dev, wgsl(i), [[{"binding": 0}]]) for i in range(3)]
    assert again == running and len(dev.built) == built  # served from the cache, nothing rebuilt
    pins.release()
    pins.release()  # idempotent
    assert cache.pinned(dev) == 0
    for i in range(200, 210):
        cache.compute_pipeline(dev, wgsl(i), [[{"binding": 0}]])
    assert cache.size(dev) <= 8
    cache.compute_pipeline(dev, wgsl(0), [[{"binding": 0}]])
    assert len(dev.built) > built + 20  # unpinned, the old program's pipeline was evicted and rebuilt


def test_two_users_pin_the_same_entry_until_both_release():
    cache, dev = PipelineCache(max_entries=2, max_bytes=1 << 40), FakeDevice()
    a, b = cache.pins(dev), cache.pins(dev)
    cache.shader_module(dev, wgsl(0), pins=a)
    cache.shader_module(dev, wgsl(0), pins=b)
    a.release()
    for i in range(1, 10):
        cache.shader_module(dev, wgsl(i))
    assert cache.pinned(dev) == 1
    b.release()
    for i in range(10, 20):
        cache.shader_module(dev, wgsl(i))
    assert cache.pinned(dev) == 0 and cache.size(dev) == 2


def test_more_pinned_than_the_bound_keeps_exactly_the_pinned():
    cache, dev = PipelineCache(max_entries=2, max_bytes=1 << 40), FakeDevice()
    pins = cache.pins(dev)
    for i in range(5):
        cache.shader_module(dev, wgsl(i), pins=pins)
    cache.shader_module(dev, wgsl(99))
    assert cache.size(dev) == 5 and cache.pinned(dev) == 5
    pins.release()
    assert cache.size(dev) == 2  # releasing evicts down to the bound at once


def test_released_pins_cannot_pin_again():
    cache, dev = PipelineCache(), FakeDevice()
    pins = cache.pins(dev)
    pins.release()
    with pytest.raises(ValueError, match="released"):
        cache.shader_module(dev, wgsl(0), pins=pins)


def test_a_collected_device_takes_its_entries_with_it():
    cache, dev = PipelineCache(), FakeDevice()
    cache.shader_module(dev, wgsl(0))
    pins = cache.pins(dev)
    del dev
    gc.collect()
    assert len(cache._per_device) == 0
    pins.release()  # no device left: nothing to do, no error
