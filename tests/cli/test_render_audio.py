"""``oscilla render --audio FILE`` (docs/guide/midi-audio.md#audio): the sound is analysed at each
frame's model time, so the frames follow it (a dot sized by audio.level is larger once a tone
starts) and two exports are byte-identical."""

import math
import wave

import numpy as np
import pytest
from PIL import Image
from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

from oscilla.cli import app

pytestmark = pytest.mark.gpu
pytest.importorskip("av")

SR = 48_000


def _tone_after(path, start_s=0.5, total_s=1.0):
    t = np.arange(int(total_s * SR)) / SR
    x = np.where(t >= start_s, 0.8 * np.sin(2 * math.pi * 440 * t), 0.0)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SR)
        w.writeframes((x * 32767).astype("<i2").tobytes())


def _patch(tmp_path):
    import json

    patch = make_patch(
        [
            blk("arr", "Array", count=1),
            blk("lay", "LineLayout", x0=0.5, y0=0.5, x1=0.5, y1=0.5),
            blk("dot", "Ellipse", rx=0.1, ry=0.1),
            blk("level", "ExternalInput", channel="audio.level"),
            blk("size", "Add", b=0.5),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("arr.elements", "lay.elements"),
            edge("lay.position", "draw.pos"),
            edge("dot.shape", "draw.shape"),
            edge("level.value", "size.a"),
            edge("size.out", "draw.size"),
        ],
    )
    p = tmp_path / "p.json"
    p.write_text(json.dumps(patch))
    return p


def _export(tmp_path, name, patch, wav):
    out = tmp_path / name
    args = ["render", str(patch), "--frames-dir", str(out), "--duration-ms", "1000", "--fps", "10"]
    result = CliRunner().invoke(app, [*args, "--size", "64x64", "--audio", str(wav)])
    assert result.exit_code == 0, result.output
    return sorted(out.glob("frame_*.png"))


def test_render_audio_drives_the_frames_and_is_deterministic(tmp_path):
    wav = tmp_path / "tone.wav"
    _tone_after(wav)
    patch = _patch(tmp_path)
    a = _export(tmp_path, "a", patch, wav)
    b = _export(tmp_path, "b", patch, wav)
    assert len(a) == 10
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    lit = [int((np.asarray(Image.open(p))[..., :3].max(-1) > 0).sum()) for p in a]
    # silence: size 0.5 (radius 0.05 world = 3.2 px); the tone at -1.9 dBFS: size ~1.47 (radius ~9.4 px)
    assert max(lit[:5]) < 60 and min(lit[6:]) > 200, lit


def test_render_audio_missing_file_is_an_error(tmp_path):
    patch = _patch(tmp_path)
    result = CliRunner().invoke(app, ["render", str(patch), "-o", str(tmp_path / "x.png"), "--audio", "nope.wav"])
    assert result.exit_code != 0 and "nope.wav" in result.output and "Traceback" not in result.output
