"""`oscilla render --workers` and `oscilla render-batch`: the serial bytes, the manifest, usage errors,
and a missing Dask naming the extra to install."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support.paths import ROOT
from typer.testing import CliRunner

from oscilla.cli import app
from oscilla.export.png import render_frames

runner = CliRunner()


def flat(text: str) -> str:
    """The output on one line, without the borders of rich's error box."""
    return " ".join(text.replace("│", " ").split())


FEEDBACK = str(ROOT / "examples" / "feedback.json")  # a UnitDelay accumulator: state across frames


def test_render_with_two_workers_writes_the_serial_frames(tmp_path, device):
    pytest.importorskip("distributed")
    d = tmp_path / "dist"
    args = ["render", FEEDBACK, "--frames-dir", str(d), "--size", "32x32", "--fps", "30", "--duration-ms", "300"]
    r = runner.invoke(app, [*args, "--workers", "2", "--chunk-frames", "2"])
    assert r.exit_code == 0, r.output
    assert "wrote 9 frames" in r.output and "2 workers" in r.output
    serial = render_frames(FEEDBACK, tmp_path / "serial", 300, 30, (32, 32))
    assert [p.read_bytes() for p in sorted(d.glob("frame_*.png"))] == [p.read_bytes() for p in serial]


def test_render_batch_with_a_sweep_writes_a_manifest(tmp_path, device):
    pytest.importorskip("distributed")
    jobs = tmp_path / "jobs.json"
    jobs.write_text(json.dumps([{"patch": FEEDBACK, "output": "out/fb.png", "t_ms": 100, "size": [32, 32]}]))
    r = runner.invoke(app, ["render-batch", str(jobs), "--sweep", "osc.amplitude=0.01:0.03:2", "--workers", "1"])
    assert r.exit_code == 0, r.output
    assert "rendered 2 of 2 jobs (2 files)" in r.output
    m = json.loads((tmp_path / "jobs.manifest.json").read_text())
    assert [j["params"] for j in m["jobs"]] == [{"osc.amplitude": 0.01}, {"osc.amplitude": 0.03}]
    assert (tmp_path / "out" / "fb__osc.amplitude=0.01.png").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["-o", "x.png", "--workers", "2"], "not one image"),
        (["--frames-dir", "d", "--workers", "2", "--scheduler", "tcp://h:1"], "not both"),
        (["--frames-dir", "d", "--workers", "0"], "--workers"),
    ],
)
def test_render_on_a_cluster_usage_errors(tmp_path, args, message):
    r = runner.invoke(app, ["render", FEEDBACK, *args])
    assert r.exit_code == 2 and message in flat(r.output), r.output


def test_a_bad_jobs_file_is_a_usage_error(tmp_path):
    pytest.importorskip("distributed")
    jobs = tmp_path / "jobs.json"
    jobs.write_text('[{"patch": "p.json", "output": "a.png", "colour": 1}]')
    r = runner.invoke(app, ["render-batch", str(jobs)])
    assert r.exit_code == 2 and "colour" in flat(r.output) and "Traceback" not in r.output, r.output


@pytest.mark.parametrize(
    "command", [["render", FEEDBACK, "--frames-dir", "D", "--workers", "2"], ["render-batch", "J"]]
)
def test_missing_dask_exits_2_naming_the_extra(tmp_path, command):
    """`import distributed` blocked in a fresh process: exit 2, naming `pip install 'oscilla[distributed]'`."""
    command = [str(tmp_path / c) if c in ("D", "J") else c for c in command]
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from oscilla.cli import main\n"
        f"sys.argv = ['oscilla', *{command!r}]\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "needs Dask" in r.stderr and "pip install 'oscilla[distributed]'" in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "D").exists()


def test_ctrl_c_cancels_and_exits_130_leaving_whole_frames(tmp_path, device):
    """SIGINT to `render --workers 2` mid-sequence: exit 130, no process of its group left, every
    frame file whole (written under a temporary name, then renamed)."""
    pytest.importorskip("distributed")
    frames = tmp_path / "seq"
    args = ["render", FEEDBACK, "--frames-dir", str(frames), "--size", "32x32", "--duration-ms", "600000"]
    code = (  # SIGINT handled as in a terminal, even when pytest runs in the background (where it is ignored)
        "import signal, sys\n"
        "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
        "from oscilla.cli import main\n"
        f"sys.argv = ['oscilla', *{[*args, '--workers', '2']!r}]\n"
        "main()\n"
    )
    p = subprocess.Popen([sys.executable, "-c", code], start_new_session=True, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while len(list(frames.glob("frame_*.png"))) < 3 and time.monotonic() < deadline and p.poll() is None:
            time.sleep(0.2)
        assert p.poll() is None, p.stderr.read() if p.stderr else ""
        p.send_signal(signal.SIGINT)
        _, stderr = p.communicate(timeout=120)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
    assert p.returncode == 130, stderr
    time.sleep(2)
    ps = subprocess.run(["ps", "-eo", "pgid="], capture_output=True, text=True).stdout.split()
    assert str(p.pid) not in ps  # the LocalCluster's worker processes are gone too
    from PIL import Image

    for f in frames.glob("frame_*.png"):
        with Image.open(f) as im:
            im.load()  # a truncated file would raise
