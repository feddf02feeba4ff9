"""The structure of a patch (oscilla/patch/schema.py, docs/language/patch-format.md): unknown keys
with a did-you-mean at every level, the integer version, settings values, messages with the JSON
path and block id, the summary of many errors, and the fast checks agreeing with the JSON Schema."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.patch import PATCH_SCHEMA, check_patch_data
from oscilla.patch.schema import BLOCK_SCHEMA, EDGE_SCHEMA, PatchValidator, block_shape_ok, edge_shape_ok

BASE = make_patch(
    [blk("osc", "Sin", input=0.5), blk("draw", "RenderInstances2D")],
    [edge("time.phaseA", "osc.input")],
)


def base() -> dict:
    return json.loads(json.dumps(BASE))


def invalid(data) -> list[osc.Diagnostic]:
    """The diagnostics of ``data`` as a dict and as JSON text (the same both ways)."""
    found = []
    for source in (data, json.dumps(data)):
        with pytest.raises(osc.CompileError) as ei:
            osc.load_patch(source)
        ds = ei.value.diagnostics
        assert all(d.code == "E_PATCH_INVALID" and d.severity == "error" for d in ds), [d.format() for d in ds]
        found.append(ds)
    assert found[0] == found[1]
    return found[0]


# -- unknown keys, each level ------------------------------------------------------------------
def test_unknown_top_level_key():
    p = base()
    p["edgse"] = []
    [d] = invalid(p)
    assert "unknown key 'edgse' at the top level" in d.message
    assert (
        "did you mean 'edges'?" in d.message and "valid keys: oscilla, settings, composites, blocks, edges" in d.message
    )


def test_unknown_settings_key():
    p = base()
    p["settings"] = {"backround": [0, 0, 0]}
    [d] = invalid(p)
    assert d.message.startswith("settings.backround: unknown key")
    assert "did you mean 'background'? valid keys: background" in d.message


def test_unknown_block_key_names_the_path_and_the_block():
    p = base()
    p["blocks"][1]["parms"] = p["blocks"][1].pop("params")
    [d] = invalid(p)
    assert d.block == "osc"
    assert d.message.startswith("blocks[1].parms: unknown key in block 'osc'")
    assert "did you mean 'params'? valid keys: id, type, params, combine" in d.message
    assert d.format().startswith("E_PATCH_INVALID osc: blocks[1].parms")


def test_unknown_edge_key_names_the_edge():
    p = base()
    p["edges"].append({"from": "time.phaseA", "to": "draw.size", "enable": False})
    [d] = invalid(p)
    assert d.edge == 1
    assert "unknown key 'enable'" in d.message and "did you mean 'enabled'?" in d.message
    assert d.format().startswith("E_PATCH_INVALID edges[1]: ")


def test_unknown_keys_everywhere_at_once():
    p = base()
    p["blok"] = 1
    p["settings"] = {"colour": 1}
    p["blocks"][2]["combin"] = {}
    p["edges"][0]["alais"] = "x"
    messages = [d.message for d in invalid(p)]
    assert len(messages) == 4
    for words in ("'blocks'", "valid keys: background", "'combine'", "'alias'"):
        assert sum(words in m for m in messages) == 1, (words, messages)


def test_a_very_long_unknown_key_gets_no_suggestion_and_a_short_message():
    p = base()
    p["blocks"][1]["x" * 200_000] = 1
    [d] = invalid(p)
    assert "did you mean" not in d.message and "valid keys: id, type, params, combine" in d.message
    assert len(d.message) < 300


# -- the version ---------------------------------------------------------------------------------
@pytest.mark.parametrize("version", [2.0, 1.0, True, "1", None, [1]])
def test_the_version_must_be_an_integer(version):
    p = base()
    p["oscilla"] = version
    [d] = invalid(p)
    assert d.message.startswith("oscilla: the format version must be an integer from 1 to 2, got ")


@pytest.mark.parametrize("version", [3, 0, -1])
def test_unsupported_versions_name_the_supported_one(version):
    p = base()
    p["oscilla"] = version
    [d] = invalid(p)
    assert f"unsupported patch format version {version}; this oscilla reads versions 1 to 2" in d.message


def test_a_missing_version():
    p = base()
    del p["oscilla"]
    [d] = invalid(p)
    assert 'add "oscilla": 2' in d.message


# -- settings --------------------------------------------------------------------------------------
@pytest.mark.parametrize("bg", [[0, 0, 0], [0.1, 0.2, 0.3, 1.0], [1, 1, 1, 0], (0.5, 0.5, 0.5)])
def test_good_backgrounds(bg):
    p = base()
    p["settings"] = {"background": bg}
    assert osc.Patch.from_dict(p).settings["background"] == bg


@pytest.mark.parametrize(
    "bg, words",
    [
        ([math.nan, 0, 0], "settings.background[0] must be a finite number in 0..1, got nan"),
        ([0, 0, 0, math.inf], "settings.background[3] must be a finite number in 0..1, got inf"),
        ([0, -math.inf, 0], "settings.background[1] must be a finite number in 0..1, got -inf"),
        ([0, 0, 1.5], "settings.background[2] must be a finite number in 0..1, got 1.5"),
        ([-0.1, 0, 0], "settings.background[0] must be a finite number in 0..1, got -0.1"),
        ([0, 0], "settings.background must have 3 or 4 numbers (RGB or RGBA), got 2"),
        ([0, 0, 0, 0, 0], "settings.background must have 3 or 4 numbers (RGB or RGBA), got 5"),
        (["red", 0, 0], "settings.background[0] must be a number, got 'red'"),
        ([True, 0, 0], "settings.background[0] must be a number, got true"),
        ("black", "settings.background must be an array, got 'black'"),
    ],
)
def test_bad_backgrounds_from_a_python_dict(bg, words):
    p = base()
    p["settings"] = {"background": bg}
    with pytest.raises(osc.CompileError) as ei:
        osc.Patch.from_dict(p)
    [d] = ei.value.diagnostics
    assert d.code == "E_PATCH_INVALID" and d.message == words


def test_a_nan_background_in_json_text():
    [d] = invalid_text('{"oscilla": 1, "settings": {"background": [NaN, 0, 0]}}')
    assert "NaN is not a JSON number" in d.message
    with pytest.raises(osc.CompileError):
        osc.compile('{"oscilla": 1, "settings": {"background": [0, 0, 0, NaN]}}')


def test_settings_must_be_an_object():
    p = base()
    p["settings"] = [0, 0, 0]
    [d] = invalid(p)
    assert d.message == "settings must be an object, got an array of 3 item(s)"


def invalid_text(text: str) -> list[osc.Diagnostic]:
    with pytest.raises(osc.CompileError) as ei:
        osc.load_patch(text)
    return ei.value.diagnostics


# -- blocks and edges: messages ----------------------------------------------------------------------
def test_block_messages_give_the_path_and_the_id_when_known():
    p = base()
    p["blocks"] += [{"id": "a", "type": ""}, {"id": 7, "type": "Sin"}, {"type": "Sin"}, "Sin", {"id": "b", "type": 3}]
    p["blocks"].append({"id": "c", "type": "Add", "params": [1], "combine": {"a": 1}})
    got = [(d.block, d.message) for d in invalid(p)]
    assert got == [
        ("a", "blocks[3].type in block 'a' must not be empty"),
        (None, "blocks[4].id must be a string, got 7"),
        (None, "blocks[5]: missing the required key 'id'"),
        (None, "blocks[6] must be an object, got 'Sin'"),
        ("b", "blocks[7].type in block 'b' must be a string, got 3"),
        ("c", "blocks[8].combine.a in block 'c' must be a string, got 1"),
        ("c", "blocks[8].params in block 'c' must be an object, got an array of 1 item(s)"),
    ]


def test_edge_messages():
    p = base()
    p["edges"] += [
        {"from": "osc.result"},
        {"from": "a.b", "to": 5, "enabled": "no"},
        {"from": "nodot", "to": "x.y"},
        [],
    ]
    got = [(d.edge, d.message) for d in invalid(p)]
    assert got == [
        (1, "missing the required key 'to'"),
        (2, "enabled must be true or false, got 'no'"),
        (2, "to must be a string, got 5"),
        (3, "edge endpoint 'nodot' is not '<block>.<port>'"),
        (4, "the edge must be an object, got an array of 0 item(s)"),
    ]


def test_blocks_and_edges_must_be_arrays():
    p = base()
    p["blocks"], p["edges"] = {"osc": "Sin"}, "a.b -> c.d"
    got = [d.message for d in invalid(p)]
    assert got == ["blocks must be an array, got an object with 1 key(s)", "edges must be an array, got 'a.b -> c.d'"]


def test_a_patch_must_be_an_object():
    for data in ([BASE], 3, None, "x"):
        with pytest.raises(osc.CompileError) as ei:
            osc.Patch.from_dict(data)
        [d] = ei.value.diagnostics
        assert d.message.startswith("a patch must be a JSON object, got ")


# -- many errors: the summary -------------------------------------------------------------------------
def test_many_errors_are_summarized_after_50():
    p = base()
    p["blocks"] += [{"id": f"b{i}", "type": "Sin", "parms": {}} for i in range(300)]
    p["edges"] += [{"from": "x", "to": "y.z"} for _ in range(120)]
    ds = invalid(p)
    assert len(ds) == 51
    assert [d.block for d in ds[:50]] == [f"b{i}" for i in range(50)]  # in patch order
    # explained: 50 blocks + 50 edges; counted: 250 more blocks and 70 more edges (one each)
    more = (50 + 50 - 50) + 250 + 70
    assert ds[50].message == (
        f"and {more} more E_PATCH_INVALID not shown (300 of the 303 blocks and 120 of the 121 edges have "
        "structural errors); fix the ones above and check again"
    )


def test_fifty_errors_are_shown_without_a_summary():
    p = base()
    p["blocks"] += [{"id": f"b{i}", "type": "Sin", "parms": {}} for i in range(50)]
    assert len(invalid(p)) == 50


def test_a_large_broken_patch_prints_a_bounded_report():
    n = 20_000
    p = {"oscilla": 1, "blocks": [{"id": f"b{i}", "type": "Sin", "parms": {}} for i in range(n)]}
    ds = check_patch_data(p)
    assert len(ds) == 51 and f"and {n - 50:,} more E_PATCH_INVALID" in ds[-1].message


# -- the fast checks are the schema ------------------------------------------------------------------
_json = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(-2, 2) | st.sampled_from(["", "a", "a.b", "x.y.z", "."]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(["a", "b", "k"]), inner, max_size=3),
    max_leaves=6,
)


def _items(keys):
    return st.dictionaries(st.sampled_from(keys), _json | st.sampled_from(["s", "Sin", "a.b", "m.out"]), max_size=5)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_items(["id", "type", "params", "combine", "parms", "x"]) | _json)
def test_block_fast_check_agrees_with_the_schema(b):
    assert block_shape_ok(b) == PatchValidator(BLOCK_SCHEMA).is_valid(b)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_items(["from", "to", "enabled", "alias", "enable"]) | _json)
def test_edge_fast_check_agrees_with_the_schema(e):
    assert edge_shape_ok(e) == PatchValidator(EDGE_SCHEMA).is_valid(e)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_items(["id", "type", "params", "combine", "parms"]), max_size=3),
    st.lists(_items(["from", "to", "enabled", "alias"]), max_size=3),
)
def test_check_patch_data_accepts_exactly_what_the_schema_accepts(blocks, edges):
    data = {"oscilla": 1, "blocks": blocks, "edges": edges}
    endpoints_ok = all(
        "." in s and s.rsplit(".", 1)[0] and s.rsplit(".", 1)[1]
        for e in edges
        if isinstance(e, dict)
        for s in (e.get("from"), e.get("to"))
        if isinstance(s, str)
    )
    expected_ok = PatchValidator(PATCH_SCHEMA).is_valid(data) and endpoints_ok
    assert (check_patch_data(data) == []) == expected_ok
