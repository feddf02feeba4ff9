"""Patch loading and round trips (docs/language/patch-format.md, docs/language/python-api.md#load-patch) and
E_PATCH_INVALID (docs/language/diagnostics-codes.md#e_patch_invalid)."""

from __future__ import annotations

import json

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc


def _patch_invalid(source):
    with pytest.raises(osc.CompileError) as ei:
        osc.compile(source)
    ds = ei.value.diagnostics
    assert ds and all(d.code == "E_PATCH_INVALID" and d.severity == "error" for d in ds), [
        (d.code, d.message) for d in ds
    ]
    return ds


SAMPLE = make_patch(
    [
        blk("shape", "Ellipse", rx=0.02, ry=0.02),
        blk("array", "Array", count=50, seed=3),
        blk("grid", "GridLayout", rows=5, cols=10),
        blk("hue", "HsvToRgb", sat=0.5),
        blk("draw", "RenderInstances2D"),
    ],
    [
        edge("shape.shape", "array.element"),
        edge("array.elements", "grid.elements"),
        edge("array.t", "hue.hue", alias="tt"),
        edge("grid.position", "draw.pos"),
        edge("hue.color", "draw.color"),
        edge("array.t", "draw.size", enabled=False),
        edge("array.elements", "draw.shape"),
    ],
    periodAMs=4000,
)
SAMPLE["settings"] = {"background": [0.1, 0.2, 0.3, 1.0]}


# -- E_PATCH_INVALID ------------------------------------------------------------------------------------
def test_bad_json_text():
    [d] = _patch_invalid('{"oscilla": 1, "blocks": [')
    assert d.block is None


def test_bad_json_text_via_load_patch():
    with pytest.raises(osc.CompileError) as ei:
        osc.load_patch("{ not json }")
    assert [d.code for d in ei.value.diagnostics] == ["E_PATCH_INVALID"]


@pytest.mark.parametrize("source", ["[1, 2, 3]", "[]"])
def test_json_text_that_is_not_an_object(source):
    _patch_invalid(source)


@pytest.mark.parametrize("data", [[1, 2], 5, None, "x"])
def test_from_dict_non_object(data):
    with pytest.raises(osc.CompileError) as ei:
        osc.Patch.from_dict(data)
    assert [d.code for d in ei.value.diagnostics] == ["E_PATCH_INVALID"]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.update(oscilla=3),
        lambda p: p.update(oscilla="1"),
        lambda p: p.pop("oscilla"),
        lambda p: p.update(extra=True),
        lambda p: p.update(blocks={"a": 1}),
        lambda p: p.update(edges="a.b -> c.d"),
        lambda p: p["blocks"].append({"type": "Sin"}),
        lambda p: p["blocks"].append({"id": "s"}),
        lambda p: p["blocks"].append({"id": 3, "type": "Sin"}),
        lambda p: p["blocks"].append("Sin"),
        lambda p: p["edges"].append({"from": "array.t"}),
        lambda p: p["edges"].append({"from": "array.t", "to": 5}),
    ],
    ids=[
        "version3",
        "version-str",
        "no-version",
        "unknown-field",
        "blocks-not-list",
        "edges-not-list",
        "no-id",
        "no-type",
        "id-not-str",
        "block-not-object",
        "edge-no-to",
        "edge-to-not-str",
    ],
)
def test_patch_invalid_structure(mutate):
    p = json.loads(json.dumps(SAMPLE))
    mutate(p)
    _patch_invalid(p)
    _patch_invalid(json.dumps(p))


def test_unknown_version_message():
    p = dict(SAMPLE, oscilla=3)
    [d] = _patch_invalid(p)
    assert "version 3" in d.message


@pytest.mark.parametrize("endpoint", ["array", "arrayt", ".t", "array."])
def test_endpoint_without_dot(endpoint):
    p = json.loads(json.dumps(SAMPLE))
    p["edges"].append({"from": endpoint, "to": "draw.size"})
    [d] = _patch_invalid(p)
    assert d.edge == len(p["edges"]) - 1
    assert d.block is None


def test_endpoint_split_at_last_dot():
    p = osc.Patch.from_dict({"oscilla": 1, "blocks": [], "edges": [{"from": "a.b.c", "to": "x.y"}]})
    e = p.edges[0]
    assert (e.src_block, e.src_port, e.dst_block, e.dst_port) == ("a.b", "c", "x", "y")


def test_several_structural_problems_reported_together():
    p = json.loads(json.dumps(SAMPLE))
    p["extra"] = 1
    p["edges"].append({"from": "nodot", "to": "draw.size"})
    p["blocks"].append({"type": "Sin"})
    assert len(_patch_invalid(p)) >= 3


# -- loading and round trips ------------------------------------------------------------------------
def test_load_patch_from_dict_text_and_path(tmp_path):
    from_dict = osc.load_patch(SAMPLE)
    from_text = osc.load_patch(json.dumps(SAMPLE))
    from_text_ws = osc.load_patch("\n   " + json.dumps(SAMPLE))
    f = tmp_path / "p.json"
    f.write_text(json.dumps(SAMPLE))
    from_path = osc.load_patch(f)
    from_str_path = osc.load_patch(str(f))
    for p in (from_dict, from_text, from_text_ws, from_path, from_str_path):
        assert isinstance(p, osc.Patch)
        assert p.to_dict() == from_dict.to_dict()
    assert [b.id for b in from_dict.blocks] == [b["id"] for b in SAMPLE["blocks"]]
    assert len(from_dict.edges) == len(SAMPLE["edges"])


def test_to_dict_round_trip_is_lossless():
    p = osc.load_patch(SAMPLE)
    d = p.to_dict()
    assert d["oscilla"] == 2  # saved in the current format version (SAMPLE is version 1)
    assert d["settings"] == SAMPLE["settings"]
    assert d["blocks"] == SAMPLE["blocks"]
    assert [e["from"] for e in d["edges"]] == [e["from"] for e in SAMPLE["edges"]]
    assert [e["to"] for e in d["edges"]] == [e["to"] for e in SAMPLE["edges"]]
    assert d["edges"][2].get("alias") == "tt"
    assert d["edges"][5].get("enabled") is False
    assert all(e.get("enabled", True) for i, e in enumerate(d["edges"]) if i != 5)
    again = osc.Patch.from_dict(d)
    assert again.to_dict() == d
    assert json.loads(json.dumps(d)) == d


def test_save_and_load(tmp_path):
    p = osc.load_patch(SAMPLE)
    path = tmp_path / "saved.json"
    p.save(path)
    q = osc.load_patch(path)
    assert q.to_dict() == p.to_dict()
    assert json.loads(path.read_text()) == p.to_dict()
    # the saved patch compiles to the same program
    a, b = osc.compile(p), osc.compile(path)
    assert a.wgsl == b.wgsl


def test_load_missing_file_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        osc.load_patch(tmp_path / "does-not-exist.json")
    with pytest.raises(OSError):
        osc.load_patch(str(tmp_path / "nope.json"))


def test_compile_accepts_patch_dict_text_and_path(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(SAMPLE))
    progs = [osc.compile(x) for x in (SAMPLE, json.dumps(SAMPLE), f, str(f), osc.load_patch(SAMPLE))]
    assert all(p.wgsl == progs[0].wgsl for p in progs), "deterministic WGSL for one patch"
    assert progs[0].background == (0.1, 0.2, 0.3, 1.0)


def test_builder_api():
    p = osc.Patch()
    p.add("time", "InfiniteTimeRoot").add("s", "Sin", input=0.5).connect("time.phaseA", "s.input")
    assert p.to_dict()["edges"] == [{"from": "time.phaseA", "to": "s.input"}]
    assert p.block("s").params == {"input": 0.5}
    with pytest.raises(osc.CompileError):
        p.connect("nodot", "s.input")
    osc.compile(p)


def test_loading_never_executes_ids():
    # ids are data: odd characters are fine and never reach WGSL
    p = make_patch([blk("x); }} fn evil() {{", "Sin", input=1.0)])
    prog = osc.compile(p, observe=["x); }} fn evil() {{.result"])
    assert all("evil" not in src for src in prog.wgsl.values())
    ref = osc.ReferenceRuntime(prog)
    ref.step(0)
    assert abs(float(ref.read("x); }} fn evil() {{.result")) - 0.841471) < 1e-5
