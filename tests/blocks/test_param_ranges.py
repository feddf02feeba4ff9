"""Every int and number param declares its range in the registry; out-of-range values are
E_PARAM_INVALID naming the block, the param, the value and the range; values of any size (400- and
5,000-digit integers, 1e-320, inf, NaN) are diagnosed, never an exception
(docs/reference/blocks.md, docs/language/diagnostics-codes.md#e_param_invalid).

Values a JSON patch cannot carry past the loader (integers of more than 300 digits, nesting deeper
than 64) still reach the compiler from the Python builder, so those tests build a
:class:`~oscilla.patch.Patch` with ``Patch.add`` / ``Patch.connect``."""

from __future__ import annotations

import math

import pytest
from support.builders import blk, edge, make_patch
from support.paths import ROOT
from support.reported import reported

import oscilla as osc
from oscilla.blocks.registry import all_types, block_def
from oscilla.patch import Patch

I32_MIN, I32_MAX = -(2**31), 2**31 - 1  # the i32 of docs/language/types-and-units.md
BIG_400 = 10**400  # beyond float64: float() raises OverflowError
BIG_5000 = 7 * 10**5000  # beyond Python's 4,300-digit int -> str limit: repr() raises ValueError


def _drawable(extra=(), extra_edges=(), arr=None, **root):
    """time + Array arr -> CircleLayout ring -> RenderInstances2D draw, plus ``extra``."""
    blocks = [
        blk("arr", "Array", **(arr or {"count": 8})),
        blk("ring", "CircleLayout"),
        blk("draw", "RenderInstances2D"),
    ]
    edges = [edge("arr.elements", "ring.elements"), edge("ring.position", "draw.pos")]
    return make_patch(blocks + list(extra), edges + list(extra_edges), **root)


def _built(patch: dict) -> Patch:
    """The same patch made with the Python builder (no JSON loader in between)."""
    p = Patch()
    for b in patch["blocks"]:
        p.add(b["id"], b["type"], **b.get("params", {}))
    for e in patch["edges"]:
        p.connect(e["from"], e["to"])
    return p


def _errors(patch):
    """(code, block, port, message) of every error, downgraded ones restored to their cause."""
    return [(d.code, d.block, d.port, d.message) for d in reported(patch).diagnostics]


def _numeric_params():
    for t in all_types():
        d = block_def(t)
        for p in d.params:
            if p.kind in ("int", "number"):
                yield t, p


def test_every_numeric_param_declares_both_bounds():
    params = list(_numeric_params())
    assert len(params) >= 18  # the scan works: time roots, state blocks, Array, layouts, paths, gate
    for t, p in params:
        assert p.minimum is not None and p.maximum is not None, f"{t}.{p.name} declares no range"
        assert p.minimum < p.maximum, f"{t}.{p.name}"
        if p.kind == "int":  # every int param is an i32 on the GPU or in the IR
            assert I32_MIN <= p.minimum and p.maximum <= I32_MAX, f"{t}.{p.name}"
        else:
            assert math.isfinite(p.minimum) and math.isfinite(p.maximum), f"{t}.{p.name}"
        if p.lanes_per_value:  # a lane-count param's limit is the 2^24-lane instance limit
            assert p.limit * p.lanes_per_value == 2**24, f"{t}.{p.name}"
        if p.limit is not None:  # a limit lies within the range
            assert p.minimum <= p.limit < p.maximum, f"{t}.{p.name}"


@pytest.mark.parametrize(
    "block_type, param, text",
    [
        ("Array", "seed", "`-2147483648 … 2147483647`"),
        ("Array", "count", "`1 … 2147483647`; at most `16777216`"),
        ("DelayFrames", "frames", "`1 … 2147483647`; at most `1073741823`"),
        ("InfiniteTimeRoot", "periodAMs", "`>= 0.001, finite`"),
        ("CyclicTimeRoot", "periodMs", "`>= 0.001, finite`"),
        ("FiniteTimeRoot", "durationMs", "`> 0, finite`"),
        ("ProceduralStar", "points", "`3 … 2147483647`; at most `8388608`"),
        ("Lag", "initialValue", "`finite, |x| <= 3.4028235e+38 (f32)`"),
    ],
)
def test_the_block_reference_documents_each_range(block_type, param, text):
    page = (ROOT / "docs" / "reference" / "blocks.md").read_text(encoding="utf-8")
    section = page.split(f"### {block_type}\n", 1)[1].split("\n### ", 1)[0]
    assert f"`{param}` (" in section
    assert f"range {text}" in section.split(f"`{param}` (", 1)[1].split("default", 1)[0]


def test_every_numeric_param_range_is_in_the_block_reference():
    page = (ROOT / "docs" / "reference" / "blocks.md").read_text(encoding="utf-8")
    for t, p in _numeric_params():
        section = page.split(f"### {t}\n", 1)[1].split("\n### ", 1)[0]
        assert f"`{p.name}` ({p.kind}; range `" in section, f"{t}.{p.name}"


# -- the Why items ------------------------------------------------------------------------------------


def test_seed_2_pow_40_is_param_invalid_naming_the_range():
    [(code, block, port, msg)] = _errors(_drawable(arr={"count": 8, "seed": 2**40}))
    assert (code, block, port) == ("E_PARAM_INVALID", "arr", "seed")
    assert "Array.seed" in msg and "1099511627776" in msg and "-2147483648 … 2147483647" in msg


@pytest.mark.parametrize("seed", [I32_MIN, -1, 0, 7, I32_MAX])
def test_every_i32_seed_compiles(seed):
    program = osc.compile(_drawable(arr={"count": 8, "seed": seed}))
    assert program.instances["arr"] == (8, seed)


@pytest.mark.parametrize("seed", [I32_MIN - 1, I32_MAX + 1, 2**32 - 1, -(2**40)])
def test_seeds_beyond_i32_are_param_invalid(seed):
    [(code, block, port, msg)] = _errors(_drawable(arr={"count": 8, "seed": seed}))
    assert (code, block, port) == ("E_PARAM_INVALID", "arr", "seed")
    assert str(seed) in msg


@pytest.mark.parametrize(
    "root, param",
    [
        ("InfiniteTimeRoot", "periodAMs"),
        ("InfiniteTimeRoot", "periodBMs"),
        ("CyclicTimeRoot", "periodMs"),
    ],
)
def test_a_period_of_1e_320_is_param_invalid(root, param):
    patch = _drawable()
    patch["blocks"][0] = blk("time", root, **{param: 1e-320})
    [(code, block, port, msg)] = _errors(patch)
    assert (code, block, port) == ("E_PARAM_INVALID", "time", param)
    assert f"{root}.{param}" in msg and "1e-320" in msg and ">= 0.001" in msg


def test_the_shortest_period_is_one_microsecond():
    osc.compile(_drawable(periodAMs=0.001, periodBMs=0.001))  # the bound itself is allowed
    [(code, _, port, _)] = _errors(_drawable(periodAMs=0.000999))
    assert (code, port) == ("E_PARAM_INVALID", "periodAMs")


def test_a_tiny_period_renders_without_an_overflow():
    program = osc.compile(_drawable(periodAMs=0.001), observe=["time.phaseA"])
    rt = osc.ReferenceRuntime(program)
    rt.step(1e12)  # T/P = 1e15 cycles: finite
    rt.step(1e12 + 0.0005)
    assert abs(float(rt.read("time.phaseA")) - 0.5) < 1e-3


@pytest.mark.parametrize("duration", [1e-320, 5e-324, 0.5])
def test_any_positive_duration_is_allowed(duration):
    patch = _drawable()
    patch["blocks"][0] = blk("time", "FiniteTimeRoot", durationMs=duration)
    rt = osc.ReferenceRuntime(osc.compile(patch, observe=["time.progress"]))
    rt.step(0.0)
    rt.step(1.0)
    assert float(rt.read("time.progress")) == 1.0


@pytest.mark.parametrize("big", [BIG_400, -BIG_400, BIG_5000], ids=["400 digits", "-400 digits", "5001 digits"])
@pytest.mark.parametrize(
    "block, param, code",
    [
        (blk("x", "Array", count=8), "seed", "E_PARAM_INVALID"),
        (blk("x", "DelayFrames"), "frames", "E_PARAM_INVALID"),
        (blk("x", "Lag"), "initialValue", "E_PARAM_INVALID"),
        (blk("x", "Phasor"), "initialPhase", "E_PARAM_INVALID"),
        (blk("x", "ExternalGate"), "threshold", "E_PARAM_INVALID"),
        (blk("x", "Oscillator"), "mode", "E_PARAM_INVALID"),
        (blk("x", "Const"), "value", "E_PARAM_INVALID"),
        (blk("x", "Sin"), "input", "E_PARAM_INVALID"),  # an inline port value (float)
        (blk("x", "Add"), "a", "E_PARAM_INVALID"),  # an inline value of a polymorphic port
        (blk("x", "StableIdHash"), "seed", "E_PARAM_INVALID"),  # an inline int port value
    ],
)
def test_huge_integers_in_params_are_diagnosed(block, param, code, big):
    block = dict(block, params={**block.get("params", {}), param: big})
    errors = _errors(_built(_drawable([block])))
    assert [(c, b, p) for c, b, p, _ in errors] == [(code, "x", param)]
    [(_, _, _, msg)] = errors
    assert "digits" in msg  # the value is described ("an integer of 401 digits"), never printed whole


@pytest.mark.parametrize("big", [BIG_400, -BIG_400, BIG_5000], ids=["400 digits", "-400 digits", "5001 digits"])
@pytest.mark.parametrize("param", ["cols", "rows"])
def test_huge_grid_sizes_are_param_invalid(param, big):
    patch = _drawable([blk("x", "GridLayoutUV", **{param: big})], [edge("arr.elements", "x.elements")])
    [(code, block, port, msg)] = _errors(_built(patch))
    assert (code, block, port) == ("E_PARAM_INVALID", "x", param)
    assert "digits" in msg and "1 … 2147483647" in msg


@pytest.mark.parametrize("big", [BIG_400, BIG_5000, 2**31], ids=["400 digits", "5001 digits", "2^31"])
@pytest.mark.parametrize("block, param", [(blk("x", "Array"), "count"), (blk("x", "ProceduralStar"), "points")])
def test_lane_counts_beyond_i32_are_param_invalid(block, param, big):
    block = dict(block, params={param: big})
    [(code, b, p, msg)] = _errors(_built(_drawable([block])))
    assert (code, b, p) == ("E_PARAM_INVALID", "x", param)
    assert "2147483647" in msg


@pytest.mark.parametrize(
    "block, param, value",
    [
        (blk("x", "Array"), "count", 2**24 + 1),
        (blk("x", "Array"), "count", 2**31 - 1),
        (blk("x", "ProceduralPolygon"), "sides", 2**24 + 1),
        (blk("x", "ProceduralStar"), "points", 2**23 + 1),
        (blk("x", "ProceduralStar"), "points", 2**31 - 1),
    ],
)
def test_lane_counts_beyond_the_instance_limit_are_limit_exceeded(block, param, value):
    block = dict(block, params={param: value})
    [(code, b, p, msg)] = _errors(_drawable([block]))
    assert (code, b, p) == ("E_LIMIT_EXCEEDED", "x", param)
    assert "2^24" in msg and str(value) in msg


@pytest.mark.parametrize("frames", [2**30, 2**31 - 1])
def test_a_delay_ring_no_device_can_hold_is_limit_exceeded(frames):
    patch = _drawable(
        [blk("d", "DelayFrames", frames=frames)], [edge("time.phaseA", "d.in"), edge("d.out", "draw.size")]
    )
    [(code, block, port, msg)] = _errors(patch)
    assert (code, block, port) == ("E_LIMIT_EXCEEDED", "d", "frames")
    assert "4 GiB" in msg and "1073741823" in msg


@pytest.mark.parametrize("frames", [2**31, 2**40])
def test_delay_frames_beyond_i32_are_param_invalid(frames):
    patch = _drawable(
        [blk("d", "DelayFrames", frames=frames)], [edge("time.phaseA", "d.in"), edge("d.out", "draw.size")]
    )
    [(code, block, port, msg)] = _errors(patch)
    assert (code, block, port) == ("E_PARAM_INVALID", "d", "frames")
    assert str(frames) in msg and "1 … 2147483647" in msg


def test_the_longest_delay_ring_compiles():
    patch = _drawable(
        [blk("d", "DelayFrames", frames=2**30 - 1)], [edge("time.phaseA", "d.in"), edge("d.out", "draw.size")]
    )
    program = osc.compile(patch)  # 4 GiB - 4 bytes of ring: compiled (a device with less says so at creation)
    [ring] = [c for c in program.state_layout.cells if c.state_id == "d:ring"]
    assert ring.frames == 2**30 - 1


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan, 1e-320, 2.5, "3", None, [1], True])
@pytest.mark.parametrize("param", ["seed", "count"])
def test_non_integers_in_int_params_are_param_invalid(param, bad):
    [(code, block, port, _)] = _errors(_drawable(arr={"count": 8, param: bad}))
    assert (code, block, port) == ("E_PARAM_INVALID", "arr", param)


@pytest.mark.parametrize("bad", [math.inf, math.nan, 3.5e38, -1e39, 1e300])
def test_numbers_beyond_f32_are_param_invalid(bad):
    errors = _errors(_drawable([blk("x", "UnitDelay", initialValue=bad)]))
    assert [(c, b, p) for c, b, p, _ in errors] == [("E_PARAM_INVALID", "x", "initialValue")]


def test_the_largest_f32_is_allowed():
    osc.compile(_drawable([blk("x", "UnitDelay", initialValue=3.4028234663852886e38)]))


def test_integral_floats_still_work_for_ints():
    program = osc.compile(_drawable(arr={"count": 8.0, "seed": -3.0}))
    assert program.instances["arr"] == (8, -3)
