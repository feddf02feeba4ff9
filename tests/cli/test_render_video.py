"""`oscilla render -o out.mp4/.webm/.gif/.apng` and `-o x.jpg`, `--frames-dir` refusal and `--overwrite`,
and the exit code and message when PyAV (the video extra) is missing (issue 10, item 6)."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from support.paths import ROOT
from support.running import gpu_or_skip
from typer.testing import CliRunner

from oscilla.cli import EXIT_USAGE, app

runner = CliRunner()
ORBITS = str(ROOT / "examples" / "orbital-rings.json")


def flat(text: str) -> str:
    """The output with rich's error box and line wrapping removed."""
    return " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("suffix, frames", [(".mp4", 6), (".gif", 6), (".webm", 6), (".apng", 6)])
def test_render_writes_a_video_of_duration_times_fps_frames(tmp_path, suffix, frames):
    gpu_or_skip()
    av = pytest.importorskip("av")
    out = tmp_path / f"clip{suffix}"
    r = runner.invoke(app, ["render", ORBITS, "-o", str(out), "--duration-ms", "500", "--fps", "12", "--size", "64x48"])
    assert r.exit_code == 0, r.output
    assert f"wrote {out} (6 frames, 12 fps, 64x48)" in r.output
    with av.open(str(out)) as c:
        decoded = list(c.decode(video=0))
    assert len(decoded) == frames  # round(500 ms · 12 fps / 1000) = 6
    assert (decoded[0].width, decoded[0].height) == (64, 48)


def test_progress_bar_shows_frames_fps_and_eta(tmp_path):
    gpu_or_skip()
    pytest.importorskip("av")
    r = runner.invoke(app, ["render", ORBITS, "-o", str(tmp_path / "x.gif"), "--duration-ms", "250", "--fps", "20"])
    assert r.exit_code == 0, r.output
    assert "encoding" in r.output and "5/5" in r.output and " fps" in r.output


def test_odd_size_for_mp4_is_a_usage_error_naming_an_even_size(tmp_path):
    pytest.importorskip("av")
    r = runner.invoke(app, ["render", ORBITS, "-o", str(tmp_path / "x.mp4"), "--size", "65x48"])
    assert r.exit_code == EXIT_USAGE == 2
    assert "even width and height" in flat(r.output) and "66x48" in flat(r.output)
    assert not (tmp_path / "x.mp4").exists()


def test_unknown_suffix_is_a_usage_error(tmp_path):
    r = runner.invoke(app, ["render", ORBITS, "-o", str(tmp_path / "x.xyz")])
    assert r.exit_code == 2
    assert ".mp4" in flat(r.output) and ".png" in flat(r.output)


def test_jpg_output_is_rgb(tmp_path):
    gpu_or_skip()
    out = tmp_path / "x.jpg"
    r = runner.invoke(app, ["render", ORBITS, "-o", str(out), "--size", "64x64", "--t-ms", "100"])
    assert r.exit_code == 0, r.output
    with Image.open(out) as im:
        assert im.format == "JPEG" and im.mode == "RGB" and im.size == (64, 64)
        corner = np.asarray(im)[0, 0].astype(int)
    assert np.abs(corner - [3, 3, 8]).max() <= 3  # orbital-rings' background (0.01, 0.01, 0.03) of 255


def test_frames_dir_with_frames_is_refused_unless_overwrite(tmp_path):
    gpu_or_skip()
    d = tmp_path / "frames"
    args = ["render", ORBITS, "--frames-dir", str(d), "--size", "32x32", "--fps", "60"]
    assert runner.invoke(app, [*args, "--duration-ms", "100"]).exit_code == 0  # 6 frames
    r = runner.invoke(app, [*args, "--duration-ms", "50"])
    assert r.exit_code == 2
    assert "already holds 6 frame files" in flat(r.output) and "--overwrite" in flat(r.output)
    assert len(list(d.glob("frame_*.png"))) == 6
    r = runner.invoke(app, [*args, "--duration-ms", "50", "--overwrite"])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in d.iterdir()) == ["frame_0000.png", "frame_0001.png", "frame_0002.png"]


def test_missing_pyav_exits_2_naming_the_extra(tmp_path):
    """`import av` blocked in a fresh process: exit 2, one line naming `pip install 'oscilla[video]'`, no file."""
    out = tmp_path / "x.mp4"
    code = (
        "import sys; sys.modules['av'] = None\n"
        "from oscilla.cli import main\n"
        f"sys.argv = ['oscilla', 'render', {ORBITS!r}, '-o', {str(out)!r}, '--duration-ms', '100']\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "error: writing .mp4 files needs PyAV" in r.stderr and "pip install 'oscilla[video]'" in r.stderr
    assert "Traceback" not in r.stderr
    assert not out.exists()
