"""The CLI and the live Player load through the one loader (oscilla/patch/loader.py): a file one
accepts the others accept, and every bad file is a diagnostic with exit 1, never exit 70."""

from __future__ import annotations

import codecs
import json
import subprocess
import sys

import pytest
from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app

runner = CliRunner()

GOOD = make_patch(
    [
        blk("s", "Sin", input=0.25),
        blk("arr", "Array", count=4),
        blk("grid", "GridLayout", rows=2, cols=2),
        blk("draw", "RenderInstances2D"),
    ],
    [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos"), edge("s.result", "draw.size")],
)
GOOD_TEXT = json.dumps(GOOD)


def _with(old: str, new: str) -> bytes:
    assert old in GOOD_TEXT
    return GOOD_TEXT.replace(old, new, 1).encode()


def _key(where: str, key: str) -> bytes:
    p = json.loads(GOOD_TEXT)
    {"top": p, "settings": p.setdefault("settings", {}), "block": p["blocks"][1], "edge": p["edges"][0]}[where][key] = 1
    return json.dumps(p).encode()


# (file bytes, words the diagnostic must contain)
BAD_FILES = {
    "utf16-bom": (codecs.BOM_UTF16_LE + GOOD_TEXT.encode("utf-16-le"), "is UTF-16 text"),
    "utf16-no-bom": (GOOD_TEXT.encode("utf-16-le"), "NUL byte at byte offset 1 "),
    "binary": (bytes(range(256)) * 4, "NUL byte at byte offset 0 "),
    "invalid-utf8-id": (_with('"id": "s"', '"id": "s@@"').replace(b"@@", b"\xff"), "byte 0xff at byte offset"),
    "deep-100000": (
        b'{"oscilla": 1, "blocks": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}",
        "nest deeper than 64 levels",
    ),
    "int-400-digits": (_with('"input": 0.25', '"input": ' + "4" * 400), "an integer of 400 digits"),
    "int-5000-digits": (_with('"input": 0.25', '"input": ' + "5" * 5000), "an integer of 5,000 digits"),
    "version-2.0": (
        _with('"oscilla": 1', '"oscilla": 2.0'),
        "the format version must be an integer from 1 to 2, got 2.0",
    ),
    "nan-background": (
        _with('"oscilla": 1', '"oscilla": 1, "settings": {"background": [NaN, 0, 0]}'),
        "NaN is not a JSON number",
    ),
    "background-out-of-range": (
        _with('"oscilla": 1', '"oscilla": 1, "settings": {"background": [0, 2, 0]}'),
        "settings.background[1] must be a finite number in 0..1, got 2",
    ),
    "unknown-top-key": (_key("top", "edgse"), "did you mean 'edges'?"),
    "unknown-settings-key": (_key("settings", "backround"), "did you mean 'background'?"),
    "unknown-block-key": (_key("block", "parms"), "blocks[1].parms: unknown key in block 's'; did you mean 'params'?"),
    "unknown-edge-key": (_key("edge", "enable"), "did you mean 'enabled'?"),
    "lone-surrogate-id": (_with('"id": "s"', '"id": "s\\ud800"'), "lone UTF-16 surrogate"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_check_on_bad_files_exits_1_with_e_patch_invalid(tmp_path, name):
    data, words = BAD_FILES[name]
    f = tmp_path / f"{name}.json"
    f.write_bytes(data)
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 1, (r.exit_code, r.output)
    assert "error: E_PATCH_INVALID" in r.output and words in r.output, r.output
    assert "internal error" not in r.output
    with pytest.raises(osc.CompileError) as ei:  # load_patch says the same
        osc.load_patch(f)
    assert any(words in d.format() for d in ei.value.diagnostics)


def test_check_accepts_a_utf8_bom(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode())
    r = runner.invoke(app, ["check", str(f)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"ok: {f} compiles")


def test_check_in_a_real_process_exits_1(tmp_path):
    # outside CliRunner: the real stdout/stderr encoding and exit status
    for name in ("lone-surrogate-id", "deep-100000", "binary"):
        f = tmp_path / f"{name}.json"
        f.write_bytes(BAD_FILES[name][0])
        r = subprocess.run([sys.executable, "-m", "oscilla.cli", "check", str(f)], capture_output=True, timeout=120)
        assert r.returncode == 1, (name, r.returncode, r.stderr[-2000:])
        assert b"E_PATCH_INVALID" in r.stderr and b"Traceback" not in r.stderr


@pytest.mark.gpu
def test_render_accepts_a_utf8_bom(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode())
    out = tmp_path / "out.png"
    r = runner.invoke(app, ["render", str(f), "-o", str(out), "--size", "16x16"])
    assert r.exit_code == 0, r.output
    assert out.stat().st_size > 0


@pytest.mark.gpu
def test_the_player_loads_a_bom_file_and_keeps_playing_through_bad_bytes(tmp_path):
    f = tmp_path / "live.json"
    f.write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode())
    with osc.Player(f, watch=False, size=(16, 16)) as player:
        player.step(0)
        good = player.program
        t = 0
        for name in (
            "utf16-bom",
            "invalid-utf8-id",
            "deep-100000",
            "int-5000-digits",
            "version-2.0",
            "unknown-block-key",
        ):
            data, words = BAD_FILES[name]
            f.write_bytes(data)
            assert player.reload() is False
            assert [d.code for d in player.diagnostics] == ["E_PATCH_INVALID"], name
            assert words in player.diagnostics[0].format(), (name, player.diagnostics)
            assert player.program is good
            t += 16
            player.step(t)  # it keeps playing the last good program
        f.write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.replace('"input": 0.25', '"input": 0.5').encode())
        assert player.reload() is True and player.diagnostics == []


@pytest.mark.gpu
def test_the_player_refuses_a_bad_file_at_start_with_a_diagnostic(tmp_path):
    f = tmp_path / "deep.json"
    f.write_bytes(BAD_FILES["deep-100000"][0])
    with pytest.raises(osc.CompileError) as ei:
        osc.Player(f, watch=False)
    assert [d.code for d in ei.value.diagnostics] == ["E_PATCH_INVALID"]
