"""Compiler diagnostics (docs/language/diagnostics-codes.md): codes, attribution (block, port, edge) and did-you-mean
suggestions (docs/language/diagnostics-codes.md#suggestions). Diagnostics are compared as multisets of (code, block,
port). Blocks with errors are wired into a render sink so that the unreachable-block downgrade (#isolation) never
applies."""

from __future__ import annotations

import re

import pytest
from support.builders import blk, edge, make_patch
from support.reported import reported

import oscilla as osc


def _diags(patch, observe=None):
    ei = reported(patch, observe=observe)
    return ei.value.diagnostics


def _errors(patch):
    return [d for d in _diags(patch) if d.severity == "error"]


def _keys(ds):
    return sorted(((d.code, d.block, d.port) for d in ds), key=lambda k: tuple("" if x is None else x for x in k))


def _suggestion(msg: str):
    m = re.search(r"did you mean '([^']+)'", msg)
    return m.group(1) if m else None


def _one(ds, code, block=None, port=None):
    hits = [d for d in ds if d.code == code and d.block == block and d.port == port]
    assert len(hits) == 1, f"expected one {code} {block}/{port}, got {_keys(ds)}"
    return hits[0]


def scaffold(blocks=(), edges=(), **root_params):
    """time + Array arr (4) -> GridLayout grid -> RenderInstances2D draw, plus ``blocks``/``edges``."""
    base = [blk("arr", "Array", count=4), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D")]
    base_edges = [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")]
    return make_patch(base + list(blocks), base_edges + list(edges), **root_params)


def test_scaffold_compiles():
    prog = osc.compile(scaffold())
    assert not [d for d in prog.diagnostics if d.severity == "error"]


# -- graph-level -----------------------------------------------------------------------------------
def test_duplicate_block_id():
    p = scaffold([blk("x", "Sin"), blk("x", "Cos"), blk("x", "Add")], [edge("x.result", "draw.size")])
    ds = _errors(p)
    assert _keys(ds) == [("E_DUPLICATE_BLOCK_ID", "x", None)] * 2


@pytest.mark.parametrize(
    "typ, want",
    [("Oscilator", "Oscillator"), ("GridLayot", "GridLayout"), ("hsvtorgb", "HsvToRgb"), ("Zqxwvjkpyy", None)],
)
def test_unknown_block_type(typ, want):
    [d] = _errors(scaffold([blk("o", typ)], [edge("o.out", "draw.size")]))
    assert (d.code, d.block) == ("E_UNKNOWN_BLOCK_TYPE", "o")
    assert _suggestion(d.message) == want, d.message


def test_time_root_missing():
    p = scaffold()
    p["blocks"] = p["blocks"][1:]
    assert _keys(_errors(p)) == [("E_TIME_ROOT_MISSING", None, None)]


def test_time_root_multiple():
    p = scaffold([blk("t2", "InfiniteTimeRoot"), blk("t3", "InfiniteTimeRoot")])
    assert _keys(_errors(p)) == [("E_TIME_ROOT_MULTIPLE", "t2", None), ("E_TIME_ROOT_MULTIPLE", "t3", None)]


def test_dangling_edge():
    p = scaffold(
        [blk("c", "HsvToRgb")],
        [
            edge("ghost.out", "c.hue"),
            edge("c.color", "draw.color"),
            edge("arr.t", "nobody.x"),
            edge("ghost.a", "ghost2.b"),
        ],
    )
    ds = _errors(p)
    assert _keys(ds) == [
        ("E_DANGLING_EDGE", None, None),
        ("E_DANGLING_EDGE", "arr", None),
        ("E_DANGLING_EDGE", "c", None),
    ], "c.hue is not E_MISSING_INPUT: its only edge is diagnosed"
    assert {d.block: d.edge for d in ds} == {"c": 2, "arr": 4, None: 5}
    assert "ghost" in _one(ds, "E_DANGLING_EDGE", "c").message


# -- params -----------------------------------------------------------------------------------------
def test_w17_stale_names():
    """W17 without the Expression: exactly these diagnostics."""
    blocks = [
        blk("a", "Array"),
        blk("g", "GridLayout", columns=10, width=0.8),
        blk("e", "Ellipse"),
        blk("r", "RenderInstances2D", color=[1, 0, 0, 1]),
    ]
    edges = [edge("a.idx", "g.idx"), edge("g.pos", "r.pos"), edge("e.shape", "r.shape")]
    ds = _errors(make_patch(blocks, edges))
    assert _keys(ds) == sorted(
        [
            ("E_UNKNOWN_PARAM", "g", "columns"),
            ("E_UNKNOWN_PARAM", "g", "width"),
            ("E_UNKNOWN_PORT", "a", "idx"),
            ("E_UNKNOWN_PORT", "g", "idx"),
            ("E_UNKNOWN_PORT", "g", "pos"),
            ("E_MISSING_INPUT", "g", "elements"),
        ]
    )
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "g", "columns").message) == "cols"
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "g", "width").message) is None
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "a", "idx").message) == "index"
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "g", "idx").message) is None
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "g", "pos").message) == "position"
    assert _one(ds, "E_UNKNOWN_PORT", "a", "idx").edge == 0
    assert _one(ds, "E_UNKNOWN_PORT", "g", "pos").edge == 1
    # the message always lists the valid names
    msg = _one(ds, "E_UNKNOWN_PORT", "a", "idx").message
    assert all(n in msg for n in ("elements", "index", "t", "active")), msg


def test_stale_array_outputs_and_grid_params():
    p = scaffold([blk("s", "Sin")], [edge("arr.count", "s.input"), edge("s.result", "draw.size")])
    p["blocks"][2]["params"] = {"height": 0.5}
    ds = _errors(p)
    assert _keys(ds) == [("E_UNKNOWN_PARAM", "grid", "height"), ("E_UNKNOWN_PORT", "arr", "count")]
    assert "is a param, not a port" in _one(ds, "E_UNKNOWN_PORT", "arr", "count").message


@pytest.mark.parametrize(
    "target, block_type, port",
    [("osc", "Oscillator", "mode"), ("df", "DelayFrames", "frames"), ("arr", "Array", "seed")],
)
def test_param_not_a_port(target, block_type, port):
    blocks = [] if target == "arr" else [blk(target, block_type)]
    edges = [edge("time.tMs", f"{target}.{port}")]
    if target != "arr":
        edges.append(edge(f"{target}.out", "draw.size"))
    [d] = _errors(scaffold(blocks, edges))
    assert (d.code, d.block, d.port) == ("E_UNKNOWN_PORT", target, port)
    assert f"{port}" in d.message and "is a param, not a port" in d.message, d.message


def test_unknown_param_suggestions():
    blocks = [blk("o", "Oscillator", amplitud=1, wavefrom="sin", zzzzzzzz=3), blk("l", "Lag", smooth=0.3)]
    edges = [edge("o.out", "l.target"), edge("l.out", "draw.size")]
    ds = _errors(scaffold(blocks, edges))
    assert _keys(ds) == [
        ("E_UNKNOWN_PARAM", "l", "smooth"),
        ("E_UNKNOWN_PARAM", "o", "amplitud"),
        ("E_UNKNOWN_PARAM", "o", "wavefrom"),
        ("E_UNKNOWN_PARAM", "o", "zzzzzzzz"),
    ]
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "o", "amplitud").message) == "amplitude"
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "o", "wavefrom").message) == "waveform"
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "o", "zzzzzzzz").message) is None
    assert _suggestion(_one(ds, "E_UNKNOWN_PARAM", "l", "smooth").message) == "smoothing"


def test_unknown_port_suggestion_on_inputs():
    blocks = [blk("s", "Sin"), blk("h", "HsvToRgb", hue=0.5)]
    edges = [
        edge("time.tMs", "s.inptu"),
        edge("s.result", "h.saturation"),
        edge("h.color", "draw.color"),
        edge("time.phaseAA", "draw.size"),
    ]
    ds = _errors(scaffold(blocks, edges))
    assert _keys(ds) == [
        ("E_UNKNOWN_PORT", "h", "saturation"),
        ("E_UNKNOWN_PORT", "s", "inptu"),
        ("E_UNKNOWN_PORT", "time", "phaseAA"),
    ]
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "s", "inptu").message) == "input"
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "h", "saturation").message) == "sat"
    assert _suggestion(_one(ds, "E_UNKNOWN_PORT", "time", "phaseAA").message) == "phaseA"


@pytest.mark.parametrize(
    "blocks, edges, want",
    [
        ([], [], [("arr", "count", 0)]),
        ([], [], [("time", "periodAMs", -1)]),
        ([], [], [("arr", "count", 2.5)]),
        ([blk("df", "DelayFrames", frames=1.5)], [edge("df.out", "draw.size")], None),
        ([blk("df", "DelayFrames", frames=0)], [edge("df.out", "draw.size")], None),
        ([blk("o", "Oscillator", mode="sin", waveform="square")], [edge("o.out", "draw.size")], None),
        ([blk("o", "Oscillator", mode="wobble")], [edge("o.out", "draw.size")], None),
        ([blk("c", "Const", value="abc")], [edge("c.out", "draw.size")], None),
        ([blk("c", "Const", value=[1])], [edge("c.out", "draw.size")], None),
        ([blk("c", "Const", value={"q": 1})], [edge("c.out", "draw.size")], None),
        ([blk("c", "Const", value=2.5)], [edge("c.out", "grid.cols")], None),
        ([blk("s", "Sin", input="x")], [edge("s.result", "draw.size")], None),
        ([blk("s", "Sin", input=[1, 2])], [edge("s.result", "draw.size")], None),
        ([blk("h", "HsvToRgb", sat=float("inf"), hue=0.5)], [edge("h.color", "draw.color")], None),
        (
            [blk("b", "Broadcast", payloadType="quaternion")],
            [edge("time.tMs", "b.signal"), edge("b.field", "draw.size")],
            None,
        ),
    ],
    ids=[
        "count0",
        "periodAMs-1",
        "count2.5",
        "frames1.5",
        "frames0",
        "mode-waveform",
        "mode-unknown",
        "const-str",
        "const-arity1",
        "const-object",
        "const-nonintegral-int",
        "inline-str",
        "inline-vec-on-float",
        "inline-inf",
        "enum-payloadType",
    ],
)
def test_param_invalid(blocks, edges, want):
    p = scaffold(blocks, edges)
    if want:
        bid, name, value = want[0]
        b = next(x for x in p["blocks"] if x["id"] == bid)
        b.setdefault("params", {})[name] = value
    ds = _errors(p)
    assert len(ds) == 1 and ds[0].code == "E_PARAM_INVALID", _keys(ds)
    d = ds[0]
    if want:
        assert (d.block, d.port) == (want[0][0], want[0][1])
    else:
        b = blocks[0]
        assert d.block == b["id"]
        assert d.port in b["params"], d.port


def test_param_invalid_on_field_shape_and_event_ports():
    # inline values on field-only, shape and event ports are rejected (E_PARAM_INVALID); whether the
    # required port is then also E_MISSING_INPUT is not pinned down by docs/language/diagnostics-codes.md, so it is
    # allowed
    blocks = [blk("g2", "GridLayout", elements=3), blk("sh", "SampleHold", trigger=True), blk("m", "Add")]
    edges = [edge("g2.position", "m.a"), edge("sh.out", "m.b")]
    p = scaffold(blocks, edges)
    p["blocks"][3]["params"] = {"shape": 5}
    p["edges"].append(edge("sh.out", "draw.rotation"))
    ds = _errors(p)
    keys = _keys(ds)
    for k in [
        ("E_PARAM_INVALID", "g2", "elements"),
        ("E_PARAM_INVALID", "sh", "trigger"),
        ("E_PARAM_INVALID", "draw", "shape"),
    ]:
        assert k in keys, keys
    assert (
        set(keys)
        - {
            ("E_PARAM_INVALID", "g2", "elements"),
            ("E_PARAM_INVALID", "sh", "trigger"),
            ("E_PARAM_INVALID", "draw", "shape"),
            ("E_MISSING_INPUT", "g2", "elements"),
            ("E_MISSING_INPUT", "sh", "trigger"),
        }
        == set()
    ), keys


def test_param_on_a_connected_port_is_ignored():
    """C1 rule 1: if the port has edges, the param is ignored and no diagnostic is raised."""
    p = scaffold(
        [blk("s", "Sin", input="not a number")], [edge("time.phaseA", "s.input"), edge("s.result", "draw.size")]
    )
    prog = osc.compile(p, observe=["s.input"])
    assert not [d for d in prog.diagnostics if d.severity == "error"]
    ref = osc.ReferenceRuntime(prog)
    ref.step(250.0)
    assert abs(float(ref.read("s.input")) - 0.25) < 1e-6, "the edge (phaseA), not the param"


def test_waveform_alias_agreeing_with_mode_is_fine():
    osc.compile(scaffold([blk("o", "Oscillator", mode="square", waveform=2)], [edge("o.out", "draw.size")]))


def test_limit_exceeded():
    p = scaffold()
    p["blocks"][1]["params"] = {"count": 2**24 + 1}
    [d] = _errors(p)
    assert (d.code, d.block) == ("E_LIMIT_EXCEEDED", "arr")


# -- types --------------------------------------------------------------------------------------------
def test_type_mismatch_color_to_float():
    blocks = [blk("c", "HsvToRgb", hue=0.3), blk("s", "Sin")]
    edges = [edge("c.color", "s.input"), edge("s.result", "draw.size")]
    [d] = _errors(scaffold(blocks, edges))
    assert (d.code, d.block, d.port, d.edge) == ("E_TYPE_MISMATCH", "s", "input", 2)


def test_type_mismatch_float_to_int_and_vec3_to_color():
    blocks = [blk("c", "Const", value=[0.1, 0.2, 0.3]), blk("op", "ApplyOpacity")]
    edges = [edge("time.tMs", "grid.rows"), edge("c.out", "op.color"), edge("op.out", "draw.color")]
    ds = _errors(scaffold(blocks, edges))
    assert _keys(ds) == [("E_TYPE_MISMATCH", "grid", "rows"), ("E_TYPE_MISMATCH", "op", "color")]


def test_type_mismatch_event_and_continuous():
    blocks = [blk("add", "Add"), blk("sh", "SampleHold")]
    edges = [
        edge("time.pulse", "add.a"),
        edge("add.out", "sh.value"),
        edge("time.tMs", "sh.trigger"),
        edge("sh.out", "draw.size"),
    ]
    ds = _errors(scaffold(blocks, edges))
    assert _keys(ds) == [("E_TYPE_MISMATCH", "add", "a"), ("E_TYPE_MISMATCH", "sh", "trigger")]
    assert "EventToSignalMask" in _one(ds, "E_TYPE_MISMATCH", "add", "a").message


def test_unit_mismatch_degrees_to_phase():
    blocks = [blk("deg", "Adapter_ScalarToDeg", **{"in": 30.0}), blk("hue", "HueFromPhase"), blk("c", "HsvToRgb")]
    edges = [
        edge("deg.out", "hue.phase"),
        edge("arr.t", "hue.id01"),
        edge("hue.hue", "c.hue"),
        edge("c.color", "draw.color"),
    ]
    [d] = _errors(scaffold(blocks, edges))
    assert (d.code, d.block, d.port, d.edge) == ("E_UNIT_MISMATCH", "hue", "phase", 2)


def test_unit_mismatch_seconds_to_phase():
    blocks = [blk("sec", "Adapter_MsToSeconds", **{"in": 30.0}), blk("o", "Oscillator")]
    edges = [edge("sec.out", "o.phase"), edge("o.out", "draw.size")]
    [d] = _errors(scaffold(blocks, edges))
    assert (d.code, d.block, d.port) == ("E_UNIT_MISMATCH", "o", "phase")


def test_cardinality_mismatch_field_into_signal_input():
    blocks = [blk("e", "Ellipse")]
    edges = [edge("arr.t", "e.rx"), edge("e.shape", "draw.shape")]
    ds = _errors(scaffold(blocks, edges))
    assert _keys(ds) == [("E_CARDINALITY_MISMATCH", "e", "rx")]
    p = scaffold(
        [blk("a2", "Array", count=4), blk("circ", "CircleLayout"), blk("d2", "RenderInstances2D")],
        [edge("a2.elements", "circ.elements"), edge("a2.t", "circ.radius"), edge("circ.position", "d2.pos")],
    )
    assert _keys(_errors(p)) == [("E_CARDINALITY_MISMATCH", "circ", "radius")]


def test_instance_mismatch_two_arrays():
    blocks = [blk("a2", "Array", count=5), blk("add", "Add")]
    edges = [edge("arr.t", "add.a"), edge("a2.t", "add.b"), edge("add.out", "draw.size")]
    ds = _errors(scaffold(blocks, edges))
    assert [(d.code, d.block) for d in ds] == [("E_INSTANCE_MISMATCH", "add")]


def test_instance_mismatch_layout_and_sink():
    # draw.pos over a2's instance, draw.size over arr's
    blocks = [blk("a2", "Array", count=5), blk("l", "LineLayout"), blk("d2", "RenderInstances2D")]
    edges = [edge("a2.elements", "l.elements"), edge("l.position", "d2.pos"), edge("arr.t", "d2.size")]
    ds = _errors(scaffold(blocks, edges))
    assert [(d.code, d.block) for d in ds] == [("E_INSTANCE_MISMATCH", "d2")]


def test_instance_cannot_be_inferred():
    # DomainIndex -> Add -> draw.size with draw.pos a Broadcast: no Array reaches the group
    blocks = [
        blk("di", "DomainIndex"),
        blk("add", "Add", b=1),
        blk("c", "Const", value=[0.5, 0.5]),
        blk("bc", "Broadcast"),
        blk("d2", "RenderInstances2D"),
    ]
    edges = [
        edge("di.index", "add.a"),
        edge("add.out", "d2.size"),
        edge("c.out", "bc.signal"),
        edge("bc.field", "d2.pos"),
    ]
    ds = _errors(scaffold(blocks, edges))
    assert [d.code for d in ds] == ["E_INSTANCE_MISMATCH"], _keys(ds)
    assert ds[0].block in ("di", "add", "bc", "d2")
    assert "infer" in ds[0].message


def test_instance_cannot_be_inferred_pos_from_nowhere():
    blocks = [blk("di", "DomainIndex"), blk("add", "Add", b=1), blk("d2", "RenderInstances2D")]
    edges = [edge("di.index", "add.a"), edge("add.out", "d2.size")]
    keys = _keys(_errors(scaffold(blocks, edges)))
    assert ("E_MISSING_INPUT", "d2", "pos") in keys
    assert {k[0] for k in keys} <= {"E_MISSING_INPUT", "E_INSTANCE_MISMATCH"}, keys


# -- graph ------------------------------------------------------------------------------------------
def test_cycle_detected():
    blocks = [blk("fadd", "Add", b=0.3), blk("fmod", "Mod", b=1)]
    edges = [edge("fadd.out", "fmod.a"), edge("fmod.result", "fadd.a"), edge("fmod.result", "draw.size")]
    [d] = _errors(scaffold(blocks, edges))
    assert (d.code, d.block) == ("E_CYCLE_DETECTED", "fadd")
    assert "insert a UnitDelay between fadd.out and fmod.a" in d.message


@pytest.mark.parametrize(
    "blocks, edges, want",
    [
        ([blk("c", "HsvToRgb")], [edge("c.color", "draw.color")], ("c", "hue")),
        ([blk("j", "JitterVec")], [edge("j.out", "draw.pos")], ("j", "pos")),
        ([blk("o", "OffsetVec")], [edge("o.posOut", "draw.pos")], ("o", "posIn")),
        ([blk("s", "SampleHold")], [edge("s.out", "draw.size")], ("s", "trigger")),
        ([blk("m", "EventToSignalMask")], [edge("m.out", "draw.size")], ("m", "event")),
        ([blk("b", "Broadcast")], [edge("b.field", "draw.size")], ("b", "signal")),
        ([blk("z", "SetZ")], [edge("z.out", "draw.pos")], ("z", "pos")),
        ([blk("op", "ApplyOpacity")], [edge("op.out", "draw.color")], ("op", "color")),
    ],
)
def test_missing_input(blocks, edges, want):
    p = scaffold(blocks, edges)
    if want[1] in ("pos", "posIn"):  # the block replaces the grid as draw.pos's source
        p["edges"] = [e for e in p["edges"] if e["from"] != "grid.position"]
        p["edges"].append(edge("arr.t", "draw.size"))
    ds = _errors(p)
    assert ("E_MISSING_INPUT",) + want in _keys(ds), _keys(ds)


def test_missing_input_exact():
    ds = _errors(scaffold([blk("c", "HsvToRgb")], [edge("c.color", "draw.color")]))
    assert _keys(ds) == [("E_MISSING_INPUT", "c", "hue")]
    p = scaffold()
    p["edges"] = p["edges"][:1]
    assert _keys(_errors(p)) == [("E_MISSING_INPUT", "draw", "pos")]


def test_independent_problems_reported_together():
    blocks = [blk("x", "Sin", bogus=1), blk("y", "Oscilator"), blk("x", "Cos")]
    edges = [edge("x.result", "draw.size"), edge("x.nope", "draw.rotation")]
    ds = _errors(scaffold(blocks, edges))
    assert sorted(d.code for d in ds) == [
        "E_DUPLICATE_BLOCK_ID",
        "E_UNKNOWN_BLOCK_TYPE",
        "E_UNKNOWN_PARAM",
        "E_UNKNOWN_PORT",
    ]


def test_observe_unknown_port_is_diagnosed():
    ds = _diags(scaffold(), observe=["grid.nope"])
    assert any(d.code == "E_UNKNOWN_PORT" and d.block == "grid" for d in ds)


def test_compile_error_message_and_fields():
    ei = reported(scaffold([blk("y", "Oscilator")]))
    d = ei.value.diagnostics[0]
    assert isinstance(d, osc.Diagnostic)
    assert d.severity == "error" and "Oscilator" in str(ei.value)
