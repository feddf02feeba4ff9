"""Combine modes (docs/language/patch-format.md#combine): several enabled edges into one
continuous input, on signals and fields, on the GPU Runtime and the ReferenceRuntime.

Expected values are computed here in float64 from the observed source values (read back with
``rt.read``) and compared within the tolerance of docs/language/conventions.md#numerics (1e-5 absolute or relative).
"""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_close
from support.reported import reported
from support.running import run_frames

import oscilla as osc

TOL = 1e-5
N = 1000
TIMES = (0.0, 1234.5, 2999.0)
NUMERIC = ("sum", "avg", "min", "max", "mul", "first", "last")


def expected(mode: str, vals: list) -> np.ndarray:
    """The combined value of ``vals`` (edge order), component-wise, in float64."""
    a = np.broadcast_arrays(*[np.asarray(v, np.float64) for v in vals])
    if mode == "sum":
        return sum(a)
    if mode == "avg":
        return sum(a) / len(a)
    if mode == "min":
        return np.minimum.reduce(a)
    if mode == "max":
        return np.maximum.reduce(a)
    if mode == "mul":
        return np.prod(a, axis=0)
    if mode == "first":
        return a[0]
    return a[-1]


def _block(block_id, block_type, combine=None, **params):
    b = blk(block_id, block_type, **params)
    if combine:
        b["combine"] = combine
    return b


# -- sources ---------------------------------------------------------------------------------------
def _signal_sources():
    """Three float signals that vary with time: s1 = tMs/1000 - 2, s2 = phaseA, s3 = sin(2π phaseB)."""
    blocks = [blk("s1k", "Multiply", b=0.001), blk("s1", "Subtract", b=2.0), blk("s3", "Oscillator")]
    edges = [edge("time.tMs", "s1k.a"), edge("s1k.out", "s1.a"), edge("time.phaseB", "s3.phase")]
    return blocks, edges, ["s1.out", "time.phaseA", "s3.out"]


def _field_sources():
    """Float fields over Array ``a``: f1 = 3t - 1, f2 = sin(2π(t + phaseA)) (t = normalizedIndex)."""
    blocks = [
        blk("a", "Array", count=N),
        blk("f1k", "Multiply", b=3.0),
        blk("f1", "Subtract", b=1.0),
        blk("f2p", "Add"),
        blk("f2", "Oscillator"),
    ]
    edges = [
        edge("a.t", "f1k.a"),
        edge("f1k.out", "f1.a"),
        edge("a.t", "f2p.a"),
        edge("time.phaseA", "f2p.b"),
        edge("f2p.out", "f2.phase"),
    ]
    return blocks, edges, ["f1.out", "f2.out"]


# -- numeric modes ---------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", NUMERIC)
def test_numeric_modes_on_signals(runtime_cls, mode):
    blocks, edges, srcs = _signal_sources()
    blocks.append(_block("t", "Add", {"a": mode}, b=0.25))
    edges += [edge(s, "t.a") for s in srcs]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), srcs + ["t.a", "t.out"], TIMES)
    for tm, r in zip(TIMES, frames):
        want = expected(mode, [r[s] for s in srcs])
        assert_close(r["t.a"], want, TOL, f"{mode} t={tm}")
        assert_close(r["t.out"], want + 0.25, TOL, f"{mode} feeds the block t={tm}")
    assert frames[0]["t.a"].shape == ()


@pytest.mark.parametrize("mode", NUMERIC)
def test_numeric_modes_on_a_field_with_a_broadcast_signal(runtime_cls, mode):
    blocks, edges, srcs = _field_sources()
    srcs = [srcs[0], "time.phaseA", srcs[1]]  # a signal between two fields is broadcast to every lane
    blocks.append(_block("t", "Multiply", {"a": mode}, b=2.0))
    edges += [edge(s, "t.a") for s in srcs]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), srcs + ["t.a", "t.out"], TIMES)
    for tm, r in zip(TIMES, frames):
        want = expected(mode, [r[s] for s in srcs])
        assert r["t.a"].shape == (N,)
        assert_close(r["t.a"], want, TOL, f"{mode} t={tm}")
        assert_close(r["t.out"], 2.0 * want, TOL, f"{mode} feeds the block t={tm}")


@pytest.mark.parametrize("mode", ["sum", "avg", "min", "max", "mul", "first"])
def test_numeric_modes_on_vector_fields_are_component_wise(runtime_cls, mode):
    blocks = [
        blk("a", "Array", count=N),
        blk("g", "GridLayout", cols=40, rows=25),
        blk("c", "CircleLayout", radius=0.4),
        blk("p", "PolarToCartesian", radius=0.2),
        _block("t", "Add", {"a": mode}),
    ]
    edges = [
        edge("a.elements", "g.elements"),
        edge("a.elements", "c.elements"),
        edge("time.phaseA", "c.phase"),
        edge("time.tMs", "p.angle"),
        edge("c.position", "t.a"),
        edge("p.pos", "t.a"),
        edge("g.position", "t.a"),
    ]
    srcs = ["c.position", "p.pos", "g.position"]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), srcs + ["t.a"], TIMES)
    for tm, r in zip(TIMES, frames):
        assert r["t.a"].shape == (N, 3)
        assert_close(r["t.a"], expected(mode, [r[s] for s in srcs]), TOL, f"vec3 {mode} t={tm}")


def test_colors_combine_component_wise(runtime_cls):
    blocks = [
        blk("a", "Array", count=N),
        blk("h1", "HsvToRgb", sat=0.5),
        blk("h2", "HSVToColor", val=0.7),
        _block("t", "Add", {"a": "avg"}),
        _block("m", "Multiply", {"a": "max"}),
    ]
    edges = [
        edge("a.t", "h1.hue"),
        edge("time.phaseA", "h2.hue"),
        edge("h1.color", "t.a"),
        edge("h2.color", "t.a"),
        edge("h1.color", "m.a"),
        edge("h2.color", "m.a"),
    ]
    frames = run_frames(runtime_cls, make_patch(blocks, edges), ["h1.color", "h2.color", "t.a", "m.a"], TIMES)
    for r in frames:
        assert r["t.a"].shape == (N, 4)
        assert_close(r["t.a"], (r["h1.color"] + r["h2.color"].astype(np.float64)) / 2, TOL, "color avg")
        assert_close(r["m.a"], np.maximum(r["h1.color"], r["h2.color"]), TOL, "color max")


# -- int and bool ------------------------------------------------------------------------------------
def test_int_modes():
    """Int signals (GridLayout.cols/rows) and an int field (GridLayout.elements: index + indexInt)."""
    blocks = [
        blk("a", "Array", count=12),
        blk("d", "DomainIndex"),
        blk("k2", "Const", value=2),
        blk("k5", "Const", value=5),
        blk("k3", "Const", value=3),
        _block("g", "GridLayout", {"cols": "avg", "rows": "min"}),
        _block("gs", "GridLayout", {"elements": "sum", "cols": "mul"}),
        _block("gm", "GridLayout", {"elements": "mul", "cols": "max"}),
        _block("ga", "GridLayout", {"elements": "avg"}),
    ]
    edges = [
        edge("a.elements", "g.elements"),
        edge("k2.out", "g.cols"),
        edge("k5.out", "g.cols"),
        edge("k3.out", "g.rows"),
        edge("k5.out", "g.rows"),
        edge("a.index", "gs.elements"),
        edge("d.indexInt", "gs.elements"),
        edge("k2.out", "gs.cols"),
        edge("k3.out", "gs.cols"),
        edge("a.index", "gm.elements"),
        edge("d.indexInt", "gm.elements"),
        edge("k2.out", "gm.cols"),
        edge("k5.out", "gm.cols"),
        edge("a.index", "ga.elements"),
        edge("d.indexInt", "ga.elements"),
        edge("a.index", "ga.elements"),
    ]
    obs = ["g.cols", "g.rows", "gs.elements", "gs.cols", "gm.elements", "gm.cols", "ga.elements", "g.position"]
    for cls in (osc.ReferenceRuntime, osc.Runtime):
        [r] = run_frames(cls, make_patch(blocks, edges), obs, [0.0])
        i = np.arange(12)
        assert int(r["g.cols"]) == 3 and int(r["g.rows"]) == 3  # avg(2, 5) = 7 / 2 truncated; min(3, 5)
        assert int(r["gs.cols"]) == 6 and int(r["gm.cols"]) == 5
        assert r["gs.elements"].dtype.kind == "i"
        assert r["gs.elements"].tolist() == (2 * i).tolist()
        assert r["gm.elements"].tolist() == (i * i).tolist()
        assert r["ga.elements"].tolist() == i.tolist()  # (3i) / 3
        col, row = i % 3, (i // 3) % 3
        assert_close(r["g.position"], np.stack([(col + 0.5) / 3, (row + 0.5) / 3, 0 * i], 1), TOL, "grid")


def test_bool_or_and():
    """bool inputs: a signal (Broadcast.signal from two Consts) and a field (GridLayout.elements,
    fed by Array.active = 1 and a broadcast false)."""
    blocks = [
        blk("a", "Array", count=8),
        blk("yes", "Const", value=True),
        blk("no", "Const", value=False),
        _block("bo", "Broadcast", {"signal": "or"}),
        _block("ba", "Broadcast", {"signal": "and"}),
        blk("bf", "Broadcast"),
        blk("bt", "Broadcast"),
        _block("go", "GridLayout", {"elements": "or"}),
        _block("ga", "GridLayout", {"elements": "and"}),
        _block("gt", "GridLayout", {"elements": "and"}),
    ]
    edges = [
        edge("yes.out", "bo.signal"),
        edge("no.out", "bo.signal"),
        edge("yes.out", "ba.signal"),
        edge("no.out", "ba.signal"),
        edge("bo.field", "go.elements"),
        edge("ba.field", "ga.elements"),  # fix the Broadcasts' instance
        edge("no.out", "bf.signal"),
        edge("yes.out", "bt.signal"),
        edge("bf.field", "go.elements"),
        edge("a.active", "go.elements"),
        edge("bf.field", "ga.elements"),
        edge("a.active", "ga.elements"),
        edge("bt.field", "gt.elements"),
        edge("a.active", "gt.elements"),
    ]
    obs = ["bo.signal", "ba.signal", "go.elements", "ga.elements", "gt.elements"]
    for cls in (osc.ReferenceRuntime, osc.Runtime):
        [r] = run_frames(cls, make_patch(blocks, edges), obs, [0.0])
        assert int(r["bo.signal"]) == 1 and int(r["ba.signal"]) == 0
        assert r["go.elements"].tolist() == [1] * 8  # or(true, false, 1)
        assert r["ga.elements"].tolist() == [0] * 8  # and(false, false, 1)
        assert r["gt.elements"].tolist() == [1] * 8  # and(true, 1)


# -- ordering and disabled edges -------------------------------------------------------------------
def test_first_and_last_follow_edge_order_and_skip_disabled_edges(runtime_cls):
    blocks, edges, srcs = _signal_sources()
    s1, s2, s3 = srcs
    blocks += [
        _block("f", "Add", {"a": "first"}),
        _block("l", "Add", {"a": "last"}),
        blk("d", "Add"),
        _block("f2", "Add", {"a": "first"}),
        _block("l2", "Add", {"a": "last"}),
        _block("sm", "Add", {"a": "sum"}),
        _block("av", "Add", {"a": "avg"}),
    ]
    edges += [
        edge(s2, "f.a"),
        edge(s1, "f.a"),
        edge(s3, "f.a"),  # first = s2
        edge(s3, "l.a"),
        edge(s1, "l.a"),
        edge(s2, "l.a"),  # last = s2
        edge(s3, "d.a"),
        edge(s1, "d.a"),  # no combine: last = s1
        edge(s3, "f2.a", enabled=False),
        edge(s1, "f2.a"),
        edge(s2, "f2.a"),  # first enabled = s1
        edge(s3, "l2.a"),
        edge(s1, "l2.a"),
        edge(s2, "l2.a", enabled=False),  # last enabled = s1
        edge(s1, "sm.a"),
        edge(s2, "sm.a", enabled=False),
        edge(s3, "sm.a"),
        edge(s1, "av.a"),
        edge(s2, "av.a"),
        edge(s3, "av.a", enabled=False),
    ]
    obs = srcs + ["f.a", "l.a", "d.a", "f2.a", "l2.a", "sm.a", "av.a"]
    for tm, r in zip(TIMES, run_frames(runtime_cls, make_patch(blocks, edges), obs, TIMES)):
        assert_close(r["f.a"], r[s2], TOL, f"first t={tm}")
        assert_close(r["l.a"], r[s2], TOL, f"last t={tm}")
        assert_close(r["d.a"], r[s1], TOL, f"default last t={tm}")
        assert_close(r["f2.a"], r[s1], TOL, f"first skips a disabled edge t={tm}")
        assert_close(r["l2.a"], r[s1], TOL, f"last skips a disabled edge t={tm}")
        assert_close(r["sm.a"], r[s1] + r[s3].astype(np.float64), TOL, f"sum ignores a disabled edge t={tm}")
        assert_close(r["av.a"], (r[s1] + r[s2].astype(np.float64)) / 2, TOL, f"avg counts enabled edges t={tm}")


def test_combine_on_an_input_with_one_or_no_edge_changes_nothing(runtime_cls):
    blocks = [_block("one", "Add", {"a": "avg", "b": "mul"}, b=0.5), _block("none", "Add", {"a": "min"}, a=2.0)]
    edges = [edge("time.phaseA", "one.a")]
    for r in run_frames(runtime_cls, make_patch(blocks, edges), ["time.phaseA", "one.out", "none.out"], TIMES):
        assert_close(r["one.out"], r["time.phaseA"] + 0.5, TOL, "one edge")
        assert_close(r["none.out"], 2.0, TOL, "inline value")


def test_event_inputs_accept_or():
    blocks = [_block("sh", "SampleHold", {"trigger": "or"}), blk("v", "Multiply", b=0.01)]
    edges = [
        edge("time.tMs", "v.a"),
        edge("v.out", "sh.value"),
        edge("time.wrapA", "sh.trigger"),
        edge("time.wrapB", "sh.trigger"),
    ]
    frames = run_frames(
        osc.ReferenceRuntime,
        make_patch(blocks, edges, periodAMs=1000, periodBMs=700),
        ["sh.out"],
        [0.0, 500.0, 800.0, 900.0, 1100.0],
    )
    # wrapB fires at 800 (700 ms period), wrapA at 1100
    assert [round(float(r["sh.out"]), 4) for r in frames] == [0.0, 0.0, 8.0, 8.0, 11.0]


# -- validation --------------------------------------------------------------------------------------
def _errors(patch) -> list[tuple[str, str | None, str | None, str]]:
    exc = reported(patch)
    return [(d.code, d.block, d.port, d.message) for d in exc.value.diagnostics]


def test_unknown_port_in_combine_is_e_unknown_port_with_a_suggestion():
    patch = make_patch(
        [_block("t", "Add", {"aa": "sum"}), _block("g", "GridLayoutUV", {"cols": "max"}), blk("a", "Array", count=4)],
        [edge("a.elements", "g.elements")],
    )
    errs = _errors(patch)
    assert [(c, b, p) for c, b, p, _ in errs] == [("E_UNKNOWN_PORT", "t", "aa"), ("E_UNKNOWN_PORT", "g", "cols")]
    assert "did you mean 'a'" in errs[0][3]
    assert "is a param, not a port" in errs[1][3]


@pytest.mark.parametrize(
    "block, port, mode, hint",
    [
        (blk("t", "Add"), "a", "summ", "did you mean 'sum'"),  # unknown mode
        (blk("t", "Add"), "a", "SUM", "did you mean 'sum'"),  # modes are case-sensitive
        (blk("t", "Add"), "a", "or", "bool"),  # bool mode on a numeric input
        (blk("t", "CircleLayout"), "radius", "and", "bool"),  # ... on a float input
        (blk("t", "GridLayout"), "cols", "or", "bool"),  # ... on an int input
        (blk("t", "RenderInstances2D"), "shape", "sum", "numeric"),  # numeric mode on a shape input
        (blk("t", "SampleHold"), "trigger", "and", "or"),  # event inputs always OR
        (blk("t", "SampleHold"), "trigger", "last", "or"),
    ],
)
def test_bad_mode_is_e_param_invalid_on_the_port(block, port, mode, hint):
    block["combine"] = {port: mode}
    errs = [e for e in _errors(make_patch([block])) if e[0] == "E_PARAM_INVALID"]
    assert [(c, b, p) for c, b, p, _ in errs] == [("E_PARAM_INVALID", "t", port)]
    assert hint in errs[0][3]


def test_polymorphic_inputs_are_checked_against_their_edges():
    blocks = [
        blk("yes", "Const", value=True),
        blk("k", "Const", value=1.5),
        blk("v", "Const", value=[1, 2, 3]),
        blk("e1", "Ellipse"),
        blk("e2", "Ellipse"),
        _block("b1", "Broadcast", {"signal": "sum"}),  # numeric mode, bool edges
        _block("b2", "Broadcast", {"signal": "or"}),  # bool mode, float edges
        _block("b3", "Broadcast", {"signal": "max"}),  # float and vec3 edges
        _block("arr", "Array", {"element": "avg"}),  # shapes
        _block("ok", "Broadcast", {"signal": "last"}),
    ]  # last accepts anything (as without combine)
    edges = [
        edge("yes.out", "b1.signal"),
        edge("yes.out", "b1.signal"),
        edge("k.out", "b2.signal"),
        edge("k.out", "b2.signal"),
        edge("k.out", "b3.signal"),
        edge("v.out", "b3.signal"),
        edge("e1.shape", "arr.element"),
        edge("e2.shape", "arr.element"),
        edge("k.out", "ok.signal"),
        edge("v.out", "ok.signal"),
    ]
    errs = _errors(make_patch(blocks, edges))
    got = sorted((c, b, p) for c, b, p, _ in errs if c != "E_INSTANCE_MISMATCH")  # unconsumed Broadcasts
    assert got == [
        ("E_PARAM_INVALID", "arr", "element"),
        ("E_PARAM_INVALID", "b1", "signal"),
        ("E_PARAM_INVALID", "b2", "signal"),
        ("E_TYPE_MISMATCH", "b3", "signal"),
    ]


def test_numeric_input_with_int_and_bool_edges_combines_as_float(runtime_cls):
    blocks = [blk("a", "Array", count=5), blk("yes", "Const", value=True), _block("t", "Add", {"a": "sum"})]
    edges = [edge("a.index", "t.a"), edge("yes.out", "t.a"), edge("a.t", "t.a")]
    [r] = run_frames(runtime_cls, make_patch(blocks, edges), ["t.a", "a.t"], [0.0])
    assert_close(r["t.a"], np.arange(5) + 1.0 + r["a.t"], TOL, "int + bool + float")


def test_combine_round_trips_through_the_patch_file():
    d = make_patch([_block("t", "Add", {"a": "max"})], [edge("time.phaseA", "t.a")])
    assert osc.Patch.from_dict(d).to_dict()["blocks"][1]["combine"] == {"a": "max"}
    osc.compile(d)


def test_bool_or_and_on_varying_bools(runtime_cls):
    """Comparisons (Expression) give bools that vary per lane and per frame."""
    blocks = [
        blk("a", "Array", count=N),
        blk("lo", "Expression", expression="in0 > 0.3"),
        blk("hi", "Expression", expression="in0 < 0.7"),
        blk("ph", "Expression", expression="in0 < 0.5"),
        _block("band", "Expression", {"in0": "and"}, expression="in0"),
        _block("bor", "Expression", {"in0": "or"}, expression="in0"),
        _block("sand", "Expression", {"in0": "and"}, expression="in0"),
        _block("sor", "Expression", {"in0": "or"}, expression="in0"),
    ]
    edges = [
        edge("a.t", "lo.in0"),
        edge("a.t", "hi.in0"),
        edge("time.phaseA", "ph.in0"),
        edge("lo.out", "band.in0"),
        edge("ph.out", "band.in0"),
        edge("hi.out", "band.in0"),
        edge("lo.out", "bor.in0"),
        edge("ph.out", "bor.in0"),
        edge("hi.out", "bor.in0"),
        edge("ph.out", "sand.in0"),
        edge("ph.out", "sand.in0"),
        edge("ph.out", "sor.in0"),
    ]
    obs = ["a.t", "time.phaseA", "band.out", "bor.out", "sand.out", "sor.out"]
    frames = run_frames(runtime_cls, make_patch(blocks, edges, periodAMs=1000), obs, (0.0, 400.0, 700.0))
    for r in frames:
        t, ph = r["a.t"].astype(np.float64), float(r["time.phaseA"]) < 0.5
        assert r["band.out"].tolist() == ((t > 0.3) & ph & (t < 0.7)).tolist()
        assert r["bor.out"].tolist() == ((t > 0.3) | ph | (t < 0.7)).tolist()
        assert bool(r["sand.out"]) == ph and bool(r["sor.out"]) == ph


def test_vararg_refs_are_never_combined():
    block = _block("x", "Expression", {"refs": "sum"}, expression="1")
    errs = [e for e in _errors(make_patch([block])) if e[0] == "E_PARAM_INVALID"]
    assert [(c, b, p) for c, b, p, _ in errs] == [("E_PARAM_INVALID", "x", "refs")]
