"""Patch format versions (docs/language/patch-format.md#versions): the migration table as data, a
version-1 file loading into the current version with the same values and image, and
``oscilla upgrade``."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from support.paths import EXAMPLES_DIR
from support.running import gpu_or_skip
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app
from oscilla.patch import FORMAT_VERSION, MIGRATIONS, upgrade_data
from oscilla.patch.schema import OLDEST_VERSION

runner = CliRunner()


def test_the_table_has_one_step_per_older_version():
    assert FORMAT_VERSION == 2 and OLDEST_VERSION == 1
    assert sorted(MIGRATIONS) == list(range(OLDEST_VERSION, FORMAT_VERSION))
    assert all(m.source == v and m.summary for v, m in MIGRATIONS.items())


def v1_with_slashes() -> dict:
    """golden-spiral (version 1) with block ids holding '/', which version 2 reserves."""
    data = json.loads((EXAMPLES_DIR / "golden-spiral.json").read_text(encoding="utf-8"))
    assert data["oscilla"] == 1
    rename = {"time": "clock/main", "angle": "a/b", "rand": "a_b"}  # a_b is taken: a/b becomes a_b_2
    for b in data["blocks"]:
        b["id"] = rename.get(b["id"], b["id"])
    for e in data["edges"]:
        for key in ("from", "to"):
            blk, port = e[key].rsplit(".", 1)
            e[key] = f"{rename.get(blk, blk)}.{port}"
    return data


def test_v1_to_current_renames_reserved_ids_and_leaves_the_input_alone():
    data = v1_with_slashes()
    before = copy.deepcopy(data)
    up = upgrade_data(data)
    assert data == before, "the caller's data is not modified"
    assert up.source_version == 1 and up.data["oscilla"] == FORMAT_VERSION
    ids = [b["id"] for b in up.data["blocks"]]
    assert "clock_main" in ids and "a_b_2" in ids and "a_b" in ids and not any("/" in i for i in ids)
    assert {"from": "a_b_2.out", "to": "polar.angle"} in up.data["edges"]
    assert {"from": "clock_main.phaseA", "to": "spin.phase"} in up.data["edges"]
    assert sorted(up.changes) == [
        "block id 'a/b' renamed 'a_b_2' ('/' is reserved in version 2)",
        "block id 'clock/main' renamed 'clock_main' ('/' is reserved in version 2)",
    ]


def test_a_file_of_the_current_version_is_not_touched():
    data = {"oscilla": FORMAT_VERSION, "blocks": [{"id": "a/b", "type": "Const"}]}
    up = upgrade_data(data)
    assert up.data is data and up.changes == ()
    with pytest.raises(osc.CompileError):  # '/' is reserved now
        osc.load_patch(data)


def test_an_upgraded_file_says_so_in_an_info_diagnostic():
    patch = osc.load_patch(json.dumps(v1_with_slashes()))
    assert patch.source_version == 1 and len(patch.upgrades) == 2
    [info] = [d for d in osc.compile(patch).diagnostics if d.code == "I_PATCH_UPGRADED"]
    assert info.severity == "info" and "format version 1" in info.message and "oscilla upgrade" in info.message
    quiet = osc.load_patch(EXAMPLES_DIR / "golden-spiral.json")  # version 1 with nothing to rewrite
    assert quiet.source_version == 1 and not any(d.code == "I_PATCH_UPGRADED" for d in osc.compile(quiet).diagnostics)


def _hand_renamed() -> dict:
    """v1_with_slashes() renamed by hand, as version 2."""
    data = v1_with_slashes()
    rename = {"clock/main": "clock_main", "a/b": "a_b_2"}
    data["oscilla"] = 2
    for b in data["blocks"]:
        b["id"] = rename.get(b["id"], b["id"])
    for e in data["edges"]:
        for key in ("from", "to"):
            blk, port = e[key].rsplit(".", 1)
            e[key] = f"{rename.get(blk, blk)}.{port}"
    return data


def test_a_version_1_file_loads_into_the_current_version_with_the_same_values():
    old = osc.ReferenceRuntime(osc.compile(osc.load_patch(v1_with_slashes()), observe=["jitter.out", "color.color"]))
    new = osc.ReferenceRuntime(osc.compile(osc.load_patch(_hand_renamed()), observe=["jitter.out", "color.color"]))
    for t in (0.0, 16.0, 500.0):
        old.step(t)
        new.step(t)
        for name in ("jitter.out", "color.color"):
            np.testing.assert_array_equal(old.read(name), new.read(name))


def test_a_version_1_file_renders_the_same_image_after_upgrade(tmp_path):
    gpu_or_skip()
    v1 = tmp_path / "v1.json"
    v1.write_text(json.dumps(v1_with_slashes()), encoding="utf-8")
    up = tmp_path / "v2.json"
    r = runner.invoke(app, ["upgrade", str(v1), "-o", str(up)])
    assert r.exit_code == 0, r.output
    assert json.loads(up.read_text(encoding="utf-8"))["oscilla"] == FORMAT_VERSION
    images = []
    for path in (v1, up, None):
        patch = osc.load_patch(path) if path else osc.load_patch(_hand_renamed())
        rt = osc.Runtime(osc.compile(patch), size=(96, 96))
        rt.step(0.0)
        rt.step(250.0)
        images.append(rt.render(96, 96))
    np.testing.assert_array_equal(images[0], images[1])
    np.testing.assert_array_equal(images[0], images[2])


def test_upgrade_rewrites_in_place_and_then_leaves_the_file(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(json.dumps(v1_with_slashes()), encoding="utf-8")
    r = runner.invoke(app, ["upgrade", str(f)])
    assert r.exit_code == 0 and "format version 1 -> 2" in r.output and "renamed 'clock_main'" in r.output
    assert json.loads(f.read_text(encoding="utf-8")) == osc.load_patch(_hand_renamed()).to_dict()
    text = f.read_text(encoding="utf-8")
    r = runner.invoke(app, ["upgrade", str(f)])
    assert r.exit_code == 0 and "already format version 2; unchanged" in r.output
    assert f.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("content", ['{"oscilla": 7, "blocks": []}', "{not json", '{"oscilla": 1, "blocks": 3}'])
def test_upgrade_of_a_bad_file_is_a_diagnostic(tmp_path, content):
    f = tmp_path / "bad.json"
    f.write_text(content, encoding="utf-8")
    r = runner.invoke(app, ["upgrade", str(f)])
    assert r.exit_code == 1 and "E_PATCH_INVALID" in r.output and "Traceback" not in r.output
    assert f.read_text(encoding="utf-8") == content
    r = runner.invoke(app, ["upgrade", str(tmp_path / "missing.json")])
    assert r.exit_code == 3
