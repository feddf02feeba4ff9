"""Hot swap (issue 4): state migration by id, continuity across count changes, time continuity."""

import math

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc

pytestmark = pytest.mark.gpu


def stateful(freq=1.0, smoothing=0.3, extra=()):
    """Signal Lag, Phasor and UnitDelay fed by time; a ring so the patch draws."""
    return make_patch(
        [
            blk("lag", "Lag", smoothing=smoothing),
            blk("ph", "Phasor", frequency=freq),
            blk("ud", "UnitDelay"),
            blk("arr", "Array", count=8),
            blk("ring", "CircleLayout"),
            blk("draw", "RenderInstances2D"),
            *extra,
        ],
        [
            edge("time.phaseA", "lag.target"),
            edge("time.phaseA", "ud.in"),
            edge("arr.elements", "ring.elements"),
            edge("ring.position", "draw.pos"),
            edge("ph.out", "ring.phase"),
            edge("lag.out", "ring.radius"),
            edge("ud.out", "draw.rotation"),
        ],
        periodAMs=1000,
    )


def run(rt, times):
    for t in times:
        rt.step(t)


def test_param_change_keeps_lag_phasor_and_unit_delay(runtime_cls):
    rt = runtime_cls(osc.compile(stateful()))
    run(rt, [0, 16, 32, 48])
    before = {c: rt.read_state(c).copy() for c in ("lag:lag", "ph:phasor", "ud:delay")}
    report = rt.swap(osc.compile(stateful(freq=2.0, smoothing=0.9)))
    assert sorted(report.copied) == ["lag:lag", "ph:phasor", "ud:delay"]
    assert not (report.mapped or report.initialized or report.dropped or report.reset)
    for c, v in before.items():
        np.testing.assert_array_equal(rt.read_state(c), v)
    # the next frame continues from the migrated state with the new params (dt = 16 ms)
    rt.step(64)
    np.testing.assert_allclose(rt.read_state("ph:phasor"), (before["ph:phasor"] + 2.0 * 16 / 1000) % 1.0, atol=1e-6)
    np.testing.assert_allclose(rt.read_state("lag:lag"), before["lag:lag"] * 0.1 + 0.064 * 0.9, atol=1e-6)
    np.testing.assert_allclose(rt.read_state("ud:delay"), 0.064, atol=1e-6)


def test_adding_initializes_only_new_cells_and_removing_drops(runtime_cls):
    rt = runtime_cls(osc.compile(stateful()))
    run(rt, [0, 16, 32])
    lag = rt.read_state("lag:lag").copy()
    acc = blk("acc", "Accumulator", delta=1)
    report = rt.swap(osc.compile(stateful(extra=[acc])))
    assert report.initialized == ["acc:accumulator"] and "lag:lag" in report.copied
    np.testing.assert_array_equal(rt.read_state("lag:lag"), lag)
    np.testing.assert_array_equal(rt.read_state("acc:accumulator"), 0.0)
    rt.step(48)
    report = rt.swap(osc.compile(stateful()))
    assert report.dropped == ["acc:accumulator"]
    with pytest.raises(KeyError):
        rt.read_state("acc:accumulator")


def test_signal_to_field_change_resets_with_i_state_reset(runtime_cls):
    sig = stateful()
    rt = runtime_cls(osc.compile(sig))
    run(rt, [0, 16, 32])
    per_lane = stateful()
    per_lane["edges"] = [e for e in per_lane["edges"] if e["to"] != "lag.target"] + [edge("arr.t", "lag.target")]
    per_lane["edges"] = [e for e in per_lane["edges"] if e["from"] != "lag.out"] + [edge("lag.out", "draw.size")]
    report = rt.swap(osc.compile(per_lane))
    assert report.reset == ["lag:lag"]
    [d] = report.diagnostics
    assert (d.code, d.severity, d.block) == ("I_STATE_RESET", "info", "lag") and "lag:lag" in d.message
    np.testing.assert_array_equal(rt.read_state("lag:lag"), np.zeros(8))


def grid(n, seed=0):
    """Lanes on a ring (positions depend on N) with a per-lane Lag of Hash(index)."""
    return make_patch(
        [
            blk("arr", "Array", count=n, seed=seed),
            blk("h", "Hash"),
            blk("lag", "Lag", smoothing=0.5),
            blk("ring", "CircleLayout", radius=0.3),
            blk("hue", "HueFromPhase", phase=0.0),
            blk("rgb", "HsvToRgb"),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.index", "h.value"),
            edge("h.out", "lag.target"),
            edge("arr.elements", "ring.elements"),
            edge("ring.position", "draw.pos"),
            edge("lag.out", "draw.size"),
            edge("arr.t", "hue.id01"),
            edge("hue.hue", "rgb.hue"),
            edge("rgb.color", "draw.color"),
        ],
        periodAMs=1000,
    )


def test_count_100_to_120_keeps_lanes_and_positions_converge_with_120ms(runtime_cls):
    rt = runtime_cls(osc.compile(grid(100)))
    times = [k * 16.0 for k in range(6)]
    run(rt, times)
    lag_before = rt.read_state("lag:lag").copy()
    pos_before = rt.read_rendered("draw", "pos").copy()
    size_before = rt.read_rendered("draw", "size").copy()
    report = rt.swap(osc.compile(grid(120)))
    assert report.mapped == ["lag:lag"]
    np.testing.assert_array_equal(rt.read_state("lag:lag")[:100], lag_before)  # same elements, exact
    np.testing.assert_array_equal(rt.read_state("lag:lag")[100:], 0.0)  # newborn: initial value
    t0 = times[-1] + 16.0
    rt.step(t0)
    pos = rt.read_rendered("draw", "pos")
    assert np.abs(pos[:100] - pos_before).max() <= 1e-6
    np.testing.assert_allclose(rt.read_rendered("draw", "size")[:100], size_before, atol=1e-6)
    # converge to the new layout: displayed - new = (old - new) * exp(-(t - t0)/120)
    i = np.arange(120)
    new = np.stack([0.5 + 0.3 * np.cos(2 * np.pi * i / 120), 0.5 + 0.3 * np.sin(2 * np.pi * i / 120)], 1)
    off = pos_before[:, :2] - new[:100]
    for k in range(1, 8):
        t = t0 + 16.0 * k
        rt.step(t)
        pos = rt.read_rendered("draw", "pos")
        np.testing.assert_allclose(pos[:100, :2] - new[:100], off * math.exp(-(t - t0) / 120.0), atol=2e-6)
        np.testing.assert_allclose(pos[100:, :2], new[100:], atol=2e-6)  # newborn lanes at their new value


def test_seed_change_maps_lanes_by_element_id(runtime_cls):
    rt = runtime_cls(osc.compile(grid(50, seed=0)))
    run(rt, [0, 16])
    lag = rt.read_state("lag:lag").copy()
    rt.swap(osc.compile(grid(50, seed=10)))  # element ids 10..59: new lane i is old lane i + 10
    np.testing.assert_array_equal(rt.read_state("lag:lag")[:40], lag[10:])
    np.testing.assert_array_equal(rt.read_state("lag:lag")[40:], 0.0)


def test_failed_compile_or_build_leaves_the_running_program_untouched(monkeypatch):
    rt = osc.Runtime(osc.compile(stateful()))
    run(rt, [0, 16, 32])
    img, lag = rt.render(64, 64).copy(), rt.read_state("lag:lag").copy()
    cyclic = stateful()
    cyclic["blocks"].append(blk("p", "Add"))
    cyclic["edges"] += [edge("p.out", "p.a"), edge("p.out", "draw.scale")]
    with pytest.raises(osc.CompileError) as e:
        rt.swap(osc.compile(cyclic))
    assert "E_CYCLE_DETECTED" in [d.code for d in e.value.diagnostics]
    from oscilla.runtime import gpu_program

    def out_of_memory(*a, **k):
        raise MemoryError("simulated allocation failure")

    monkeypatch.setattr(gpu_program, "create_runtime_state", out_of_memory)
    with pytest.raises(MemoryError):
        rt.swap(osc.compile(stateful(freq=3.0)))  # building the new program fails: nothing changed
    monkeypatch.undo()
    np.testing.assert_array_equal(rt.render(64, 64), img)
    np.testing.assert_array_equal(rt.read_state("lag:lag"), lag)
    rt.step(48)  # and it keeps running
    assert rt.frame_time.t_ms == 48


def test_time_continues_without_false_wraps_across_a_period_change(runtime_cls):
    rt = runtime_cls(osc.compile(stateful(), observe=["time.wrapA", "time.tMs"]))
    run(rt, [0, 900, 990])
    faster = stateful()
    faster["blocks"][0] = blk("time", "InfiniteTimeRoot", periodAMs=300)
    rt.swap(osc.compile(faster, observe=["time.wrapA", "time.tMs", "time.phaseA"]))
    rt.step(995)  # 995 ms is in cycle 3 of 300 ms, as 990 was: no wrap
    assert not rt.read("time.wrapA") and float(rt.read("time.tMs")) == 995.0
    rt.step(500)  # time never moves backwards
    assert float(rt.read("time.tMs")) == 995.0
    rt.step(1200)
    assert rt.read("time.wrapA")


def test_sink_moved_to_a_new_instance_shows_every_lane_as_newborn(runtime_cls):
    """The sink's lane count changes and its instance is a new one (the Array was renamed): no lane
    maps to an old element, so every lane is drawn at its new value at once."""
    rt = runtime_cls(osc.compile(grid(100)))
    run(rt, [0.0, 16.0, 32.0])
    renamed = grid(120)
    for b in renamed["blocks"]:
        if b["id"] == "arr":
            b["id"] = "arr2"
    for e in renamed["edges"]:
        e["from"] = e["from"].replace("arr.", "arr2.")
    rt.swap(osc.compile(renamed))
    rt.step(48.0)
    i = np.arange(120)
    new = np.stack([0.5 + 0.3 * np.cos(2 * np.pi * i / 120), 0.5 + 0.3 * np.sin(2 * np.pi * i / 120)], 1)
    np.testing.assert_allclose(rt.read_rendered("draw", "pos")[:, :2], new, atol=2e-6)
