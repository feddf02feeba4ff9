"""Issue 9 at the command line: options that are not finite or out of their range are usage errors
naming the option; long catch-ups are refused up front; a patch that draws nothing is refused by
render and run; a missing display, an adapter filter that matches nothing and device limits are
reported with exit codes instead of aborts."""

import json
import os
import subprocess
import sys

import pytest
from support.builders import blk, edge, make_patch
from support.paths import ROOT
from support.running import gpu_or_skip
from typer.testing import CliRunner

import oscilla.cli as cli
from oscilla.cli import app

runner = CliRunner()
SPIRAL = str(ROOT / "examples" / "golden-spiral.json")
FEEDBACK = str(ROOT / "examples" / "feedback.json")


def _flat(output: str) -> str:
    """The output as one line: rich's error box and its line breaks removed."""
    return " ".join(output.replace("│", " ").split())


def _usage_error(r, option):
    assert r.exit_code == 2, r.output
    assert f"Invalid value for '{option}'" in _flat(r.output), r.output
    assert "Traceback" not in r.output


@pytest.mark.parametrize(
    "args, option",
    [
        (["--t-ms", "inf"], "--t-ms"),
        (["--t-ms", "nan"], "--t-ms"),
        (["--t-ms", "-inf"], "--t-ms"),
        (["--t-ms", "1e300"], "--t-ms"),
        (["--t-ms", "9007199254740994"], "--t-ms"),  # just above 2**53 ms
        (["--fps", "inf"], "--fps"),
        (["--fps", "nan"], "--fps"),
        (["--fps", "0"], "--fps"),
        (["--fps", "1e9"], "--fps"),
        (["--duration-ms", "inf", "--frames-dir", "seq"], "--duration-ms"),
        (["--duration-ms", "nan", "--frames-dir", "seq"], "--duration-ms"),
        (["--duration-ms", "1e300", "--frames-dir", "seq"], "--duration-ms"),
    ],
)
def test_non_finite_and_huge_render_options_are_usage_errors(args, option, tmp_path):
    r = runner.invoke(app, ["render", SPIRAL, "-o", str(tmp_path / "a.png"), *args])
    _usage_error(r, option)
    assert not (tmp_path / "a.png").exists()


@pytest.mark.parametrize("value", ["inf", "nan", "0.5", "1e6"])
def test_max_fps_is_bounded(value):
    _usage_error(runner.invoke(app, ["run", SPIRAL, "--max-fps", value]), "--max-fps")


def test_the_cli_time_bound_is_the_runtimes():
    from oscilla.runtime.clock import MAX_T_MS

    assert cli.MAX_TIME_MS == MAX_T_MS == 2.0**53


def test_a_catch_up_of_1e10_ms_is_refused_up_front(tmp_path, monkeypatch):
    import oscilla.compiler.compile as cc

    def never(*a, **k):  # refused before anything is compiled or stepped
        raise AssertionError("compiled although the catch-up is refused")

    monkeypatch.setattr(cc, "compile_patch", never)
    r = runner.invoke(app, ["render", SPIRAL, "-o", str(tmp_path / "a.png"), "--t-ms", "1e10"])
    _usage_error(r, "--t-ms")
    text = _flat(r.output)
    assert "600,000,001 frames" in text and "more than 10,000,000" in text and "lower --fps" in text


def test_a_huge_sequence_is_refused_up_front(tmp_path):
    r = runner.invoke(app, ["render", SPIRAL, "--frames-dir", str(tmp_path / "seq"), "--duration-ms", "1e10"])
    _usage_error(r, "--duration-ms")
    assert "600,000,000 frames, more than 100,000 files" in _flat(r.output)
    assert not (tmp_path / "seq").exists()


@pytest.mark.gpu
def test_a_long_catch_up_shows_a_progress_bar(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "CATCHUP_BAR_FRAMES", 5)
    out = tmp_path / "a.png"
    r = runner.invoke(app, ["render", FEEDBACK, "-o", str(out), "--t-ms", "1000", "--fps", "10", "--size", "16x16"])
    assert r.exit_code == 0, r.output
    assert "rendering" in r.output and "11/11" in r.output  # frames 0, 100, ..., 1000
    assert out.exists()


# -- a patch that draws nothing -----------------------------------------------------------------
def no_sink_patch(tmp_path):
    p = tmp_path / "nosink.json"
    p.write_text(json.dumps(make_patch([blk("o", "Oscillator")], [edge("time.phaseA", "o.phase")])))
    return p


def test_render_refuses_a_patch_with_no_render_sink(tmp_path):
    patch = no_sink_patch(tmp_path)
    r = runner.invoke(app, ["render", str(patch), "-o", str(tmp_path / "a.png"), "--frames-dir", str(tmp_path / "s")])
    assert r.exit_code == 1, r.output
    assert "W_NO_RENDER_SINK" in r.output and "Traceback" not in r.output
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "s").exists()


@pytest.mark.gpu
def test_run_refuses_a_patch_with_no_render_sink(tmp_path):
    gpu_or_skip()
    r = runner.invoke(app, ["run", str(no_sink_patch(tmp_path)), "--frames", "1"])
    assert r.exit_code == 1, r.output
    assert "W_NO_RENDER_SINK" in r.output


# -- the desktop and the device -------------------------------------------------------------------
def _oscilla(args, env_changes, timeout=120):
    env = {**os.environ, "XDG_RUNTIME_DIR": "/tmp"}
    for k, v in env_changes.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return subprocess.run(
        [sys.executable, "-m", "oscilla.cli", *args], capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.mark.gpu
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY / WAYLAND_DISPLAY are Linux's")
def test_run_without_a_display_exits_4_with_a_message():
    gpu_or_skip()
    r = _oscilla(["run", FEEDBACK, "--frames", "2"], {"DISPLAY": None, "WAYLAND_DISPLAY": None})
    assert r.returncode == 4, (r.returncode, r.stderr[-2000:])  # it used to abort in GLFW: 134
    assert "DISPLAY" in r.stderr and "WAYLAND_DISPLAY" in r.stderr and "xvfb-run" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.gpu
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11 displays are Linux's")
def test_run_with_an_unreachable_display_exits_4_with_glfws_reason():
    gpu_or_skip()
    r = _oscilla(["run", FEEDBACK, "--frames", "2"], {"DISPLAY": ":31999", "WAYLAND_DISPLAY": None})
    assert r.returncode == 4, (r.returncode, r.stderr[-2000:])
    assert "cannot open a window" in r.stderr and ":31999" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.gpu
def test_an_adapter_filter_that_matches_nothing_names_the_variable_and_the_adapters(tmp_path, monkeypatch):
    gpu_or_skip()
    from oscilla.gpu.device import good_adapters

    monkeypatch.delenv("OSCILLA_ADAPTER", raising=False)
    names = {a.summary for a in good_adapters()}
    r = _oscilla(["render", SPIRAL, "-o", str(tmp_path / "a.png")], {"OSCILLA_ADAPTER": "nonexistent-gpu-xyz"})
    assert r.returncode == 4, r.stderr[-2000:]
    assert "OSCILLA_ADAPTER='nonexistent-gpu-xyz' matches none" in r.stderr
    assert all(n in r.stderr for n in names), (names, r.stderr)
    assert "no Vulkan" not in r.stderr


def big_patch(tmp_path):
    p = tmp_path / "big.json"
    p.write_text(
        json.dumps(
            make_patch(
                [
                    blk("shape", "Ellipse", rx=0.001, ry=0.001),
                    blk("arr", "Array", count=2**24),
                    blk("grid", "GridLayout", rows=4096, cols=4096),
                    blk("draw", "RenderInstances2D"),
                ],
                [
                    edge("shape.shape", "arr.element"),
                    edge("arr.elements", "grid.elements"),
                    edge("grid.position", "draw.pos"),
                    edge("arr.elements", "draw.shape"),
                ],
            )
        )
    )
    return p


def test_plain_check_says_device_limits_were_not_checked(tmp_path):
    r = runner.invoke(app, ["check", str(big_patch(tmp_path))])
    assert r.exit_code == 0, r.output
    assert "device limits not checked (use --device)" in r.output


@pytest.mark.gpu
def test_check_device_refuses_a_count_of_2_24_this_device_cannot_store(tmp_path):
    device = gpu_or_skip()
    binding = int(device.limits["max-storage-buffer-binding-size"])
    # 2**24 positions (vec2, 8 bytes per lane) alone need 128 MiB; with the sizes and shapes more
    if binding >= 2**24 * 64:
        pytest.skip(f"this device binds {binding} bytes: a 2**24 count fits")
    r = runner.invoke(app, ["check", "--device", str(big_patch(tmp_path))])
    assert r.exit_code == 1, r.output
    assert "E_LIMIT_EXCEEDED" in r.output and str(binding) in r.output
    r = runner.invoke(app, ["check", "--device", SPIRAL])
    assert r.exit_code == 0, r.output
    assert "fits the device limits of" in r.output
