"""The oscilla CLI: exit codes, diagnostic lines, PNG and frame-sequence output."""

import json

import numpy as np
import pytest
from PIL import Image
from support.builders import blk, edge, make_patch
from support.paths import ROOT
from typer.testing import CliRunner

from oscilla.cli import app

runner = CliRunner()
SPIRAL = str(ROOT / "examples" / "golden-spiral.json")


def test_check_ok():
    r = runner.invoke(app, ["check", SPIRAL])
    assert r.exit_code == 0, r.output
    assert "ok:" in r.output


def test_check_reports_code_block_port_lines(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            make_patch(
                [
                    blk("t", "InfiniteTimeRoot"),
                    blk("a", "Array"),
                    blk("g", "GridLayout"),
                    blk("o", "Oscillator", amplitud=1),
                    blk("r", "RenderInstances2D"),
                ],
                [
                    edge("a.elements", "g.elements"),
                    edge("g.position", "r.pos"),
                    edge("o.out", "r.size"),
                    edge("a.idx", "r.rotation"),
                ],
                root=False,
            )
        )
    )
    r = runner.invoke(app, ["check", str(bad)])
    assert r.exit_code == 1
    assert "block 'o' (Oscillator)" in r.output
    assert "E_UNKNOWN_PARAM o.amplitud: " in r.output
    assert "did you mean 'amplitude'" in r.output
    # the offending edge end is marked under the edge
    lines = r.output.splitlines()
    i = next(k for k, line in enumerate(lines) if "edges[3]: a.idx -> r.rotation" in line)
    assert lines[i + 1].strip() == "^" * len("a.idx") and lines[i + 1].index("^") == lines[i].index("a.idx")
    assert "Traceback" not in r.output


def test_check_marks_the_expression_column_and_warnings_exit_0(tmp_path):
    p = tmp_path / "warn.json"
    p.write_text(
        json.dumps(
            make_patch(
                [
                    blk("t", "InfiniteTimeRoot"),
                    blk("x", "Expression", expression="in0 +"),
                ],
                root=False,
            )
        )
    )
    r = runner.invoke(app, ["check", str(p)])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    i = lines.index("      in0 +")
    assert lines[i + 1] == "      " + " " * 5 + "^"
    assert "W_BLOCK_UNREACHABLE_ERROR" in r.output and "W_GRAPH_DISCONNECTED_BLOCK" in r.output


def test_check_bad_json_is_a_diagnostic(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    r = runner.invoke(app, ["check", str(bad)])
    assert r.exit_code == 1
    assert r.output.startswith("patch\n") and "error: E_PATCH_INVALID: invalid JSON" in r.output


def test_missing_file_exit_code(tmp_path):
    r = runner.invoke(app, ["check", str(tmp_path / "nope.json")])
    assert r.exit_code == 3


def test_usage_error_exit_code():
    r = runner.invoke(app, ["render", SPIRAL, "--size", "big"])
    assert r.exit_code == 2


@pytest.mark.gpu
def test_render_single_png(tmp_path):
    out = tmp_path / "a.png"
    r = runner.invoke(app, ["render", SPIRAL, "-o", str(out), "--t-ms", "500", "--size", "96x64"])
    assert r.exit_code == 0, r.output
    img = np.asarray(Image.open(out))
    assert img.shape == (64, 96, 4)


@pytest.mark.gpu
def test_render_frame_sequence(tmp_path):
    r = runner.invoke(
        app,
        [
            "render",
            SPIRAL,
            "--frames-dir",
            str(tmp_path / "seq"),
            "--duration-ms",
            "200",
            "--fps",
            "30",
            "--size",
            "32x32",
        ],
    )
    assert r.exit_code == 0, r.output
    frames = sorted((tmp_path / "seq").glob("frame_*.png"))
    assert [f.name for f in frames] == [f"frame_{k:04d}.png" for k in range(6)]


def test_inspect_prints_schedule_and_dispatches():
    r = runner.invoke(app, ["inspect", str(ROOT / "examples" / "feedback.json")])
    assert r.exit_code == 0, r.output
    assert "phase 2 stateWrite" in r.output and "delay:delay" in r.output
    assert "dispatches per frame: 4" in r.output


@pytest.mark.parametrize("args", [["--fps", "0"], ["--t-ms", "-5"], ["--duration-ms", "-1", "--frames-dir", "x"]])
def test_out_of_range_options_are_usage_errors(args, tmp_path):
    r = runner.invoke(app, ["render", SPIRAL, "-o", str(tmp_path / "a.png"), *args])
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_playback_times():
    from oscilla.export.png import playback_times

    assert list(playback_times(0, 60)) == [0.0]
    assert list(playback_times(50, 20)) == [0.0, 50.0]
    assert list(playback_times(60, 20)) == [0.0, 50.0, 60.0]
    assert list(playback_times(-5, 20)) == [0.0]


@pytest.mark.gpu
def test_render_size_is_validated():
    import oscilla as osc

    rt = osc.Runtime(osc.compile(osc.load_patch(SPIRAL)))
    rt.step(0.0)
    with pytest.raises(ValueError, match="render size"):
        rt.render(0, 10)


def test_internal_errors_are_one_line_with_exit_70(monkeypatch):
    import oscilla.compiler.compile as cc

    def boom(*a, **k):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(cc, "compile_patch", boom)
    r = runner.invoke(app, ["check", SPIRAL])
    assert r.exit_code == 70
    assert "internal error" in r.output and "simulated bug" in r.output and "Traceback" not in r.output


@pytest.mark.gpu
def test_render_size_beyond_the_device_is_a_usage_error(tmp_path):
    r = runner.invoke(app, ["render", SPIRAL, "-o", str(tmp_path / "a.png"), "--size", "100000x10"])
    assert r.exit_code == 2 and "render size" in r.output
