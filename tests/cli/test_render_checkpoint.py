"""`oscilla render --frames-dir D --checkpoint-every N` and `--resume` (docs/runtime/snapshots.md#export,
issue 14 item 1): an export killed mid-run (SIGKILL of the subprocess) and resumed writes exactly the
frames of an uninterrupted export, byte for byte, re-rendering only the frames after its last
checkpoint; a checkpoint of other options or a damaged one is refused with its code."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from support.paths import ROOT
from support.running import gpu_or_skip
from typer.testing import CliRunner

from oscilla.cli import EXIT_IO, EXIT_OK, EXIT_USAGE, app
from oscilla.export.png import render_frames

runner = CliRunner()
#: trails (the previous frame is state), per-star orbit state, additive blending
GALAXY = str(ROOT / "examples" / "galaxy.json")
LAG = str(ROOT / "examples" / "lag-grid.json")
OPTS = ["--size", "48x48", "--duration-ms", "1000", "--fps", "60"]  # 60 frames


def _frames(d) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("frame_*.png"))}


def _checkpoint(d) -> dict | None:
    try:
        return json.loads((d / ".oscilla-checkpoint.json").read_text())
    except (OSError, ValueError):
        return None


def test_a_killed_export_resumes_to_the_frames_of_an_uninterrupted_one(tmp_path):
    gpu_or_skip()
    whole, cut = tmp_path / "whole", tmp_path / "cut"
    r = runner.invoke(app, ["render", GALAXY, "--frames-dir", str(whole), *OPTS])
    assert r.exit_code == EXIT_OK, r.output
    expected = _frames(whole)
    assert len(expected) == 60

    cmd = [sys.executable, "-c", "from oscilla.cli import main; main()", "render", GALAXY, "--frames-dir", str(cut)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([*cmd, *OPTS, "--checkpoint-every", "5"], env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while (_checkpoint(cut) or {}).get("next_frame", 0) < 15 and proc.poll() is None:
            assert time.monotonic() < deadline, "the export never reached its third checkpoint"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "the export finished before it could be killed"
    k = _checkpoint(cut)["next_frame"]
    written = _frames(cut)
    assert 15 <= k < 60 and len(written) < 60
    (cut / f"frame_{k:04d}.png").write_bytes(b"half a PNG")  # as if killed while writing the next frame
    kept = {name: (cut / name).stat().st_mtime_ns for name in written if int(name[6:10]) < k}

    r = runner.invoke(app, ["render", GALAXY, "--frames-dir", str(cut), *OPTS, "--checkpoint-every", "5", "--resume"])
    assert r.exit_code == EXIT_OK, r.output
    assert f"resuming at frame {k} " in r.output
    assert _frames(cut) == expected
    assert {name: (cut / name).stat().st_mtime_ns for name in kept} == kept, "frames before the checkpoint kept"
    assert not list(cut.glob(".oscilla-checkpoint*")), "a finished export removes its checkpoint"


def _interrupted(d, fps=60.0, at=12):
    """An export of lag-grid into ``d`` stopped (an exception) while rendering frame ``at``, with
    checkpoints every 5 frames: its checkpoint names frame 10."""

    def progress(frames):
        for k in frames:
            if k == at:
                raise KeyboardInterrupt
            yield k

    with pytest.raises(KeyboardInterrupt):
        render_frames(LAG, d, 1000.0, fps, (32, 32), progress=progress, checkpoint_every=5)
    assert _checkpoint(d)["next_frame"] == 10


def test_a_checkpoint_of_other_options_is_refused(tmp_path):
    gpu_or_skip()
    _interrupted(tmp_path)
    r = runner.invoke(
        app,
        [
            "render",
            LAG,
            "--frames-dir",
            str(tmp_path),
            "--size",
            "32x32",
            "--duration-ms",
            "1000",
            "--fps",
            "30",
            "--resume",
        ],
    )
    assert r.exit_code == EXIT_IO and "E_SNAPSHOT_MISMATCH" in r.output and "60 fps" in r.output, r.output
    assert len(_frames(tmp_path)) == 12, "nothing was deleted"


def test_a_damaged_checkpoint_is_refused(tmp_path):
    gpu_or_skip()
    _interrupted(tmp_path)
    snap = next(tmp_path.glob(".oscilla-checkpoint-*.snap"))
    data = bytearray(snap.read_bytes())
    data[200] ^= 1
    snap.write_bytes(bytes(data))
    r = runner.invoke(
        app, ["render", LAG, "--frames-dir", str(tmp_path), "--size", "32x32", "--duration-ms", "1000", "--resume"]
    )
    assert r.exit_code == EXIT_IO and "E_SNAPSHOT_CORRUPT" in r.output, r.output


@pytest.mark.parametrize(
    "extra",
    [
        ["-o", "x.mp4", "--checkpoint-every", "5"],  # a video cannot be continued: frames only
        ["--frames-dir", "D", "--resume", "--overwrite"],
        ["--frames-dir", "D", "--checkpoint-every", "0"],
    ],
)
def test_usage_errors(tmp_path, extra):
    extra = [str(tmp_path / "D") if a == "D" else a for a in extra]
    r = runner.invoke(app, ["render", LAG, *extra])
    assert r.exit_code == EXIT_USAGE, r.output


def test_resume_without_a_checkpoint_refuses_a_folder_of_frames(tmp_path):
    gpu_or_skip()
    (tmp_path / "frame_0000.png").write_bytes(b"x")
    r = runner.invoke(
        app, ["render", LAG, "--frames-dir", str(tmp_path), "--size", "32x32", "--duration-ms", "1000", "--resume"]
    )
    assert r.exit_code == EXIT_USAGE and "no checkpoint to resume" in r.output, r.output
    empty = tmp_path / "new"  # and with nothing there, --resume is an ordinary export
    r = runner.invoke(
        app, ["render", LAG, "--frames-dir", str(empty), "--size", "32x32", "--duration-ms", "1000", "--resume"]
    )
    assert r.exit_code == EXIT_OK and len(_frames(empty)) == 60, r.output
