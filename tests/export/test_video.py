"""Video and animated images (issue 10, item 6): MP4/GIF decode to duration·fps frames, frame k is the
``render_png`` image at t = k·1000/fps (within the codec's tolerance), JPEG is RGB over the background,
a frame folder that already holds a sequence is refused unless overwrite, and a missing PyAV names the
extra to install."""

import hashlib
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image, ImageSequence
from support.paths import ROOT
from support.running import gpu_or_skip

import oscilla as osc
from oscilla.export.png import render_frames, render_png
from oscilla.export.video import VideoExtraMissing, render_video, video_format

ORBITS = ROOT / "examples" / "orbital-rings.json"
W, H = 128, 96


def moving_patch() -> dict:
    """orbital-rings with big discs on fast clocks: every element moves several pixels per frame at 20 fps."""
    p = json.loads(ORBITS.read_text())
    for b in p["blocks"]:
        if b["id"] == "dot":
            b["params"] = {"rx": 0.05, "ry": 0.05}
        if b["id"] == "time":
            b["params"] = {"periodAMs": 800, "periodBMs": 1300}
    return p


@pytest.fixture(scope="module")
def program():
    gpu_or_skip()
    return osc.compile(osc.load_patch(moving_patch()))


def reference_frames(program, tmp_path, n, fps):
    """render_png at t = k·1000/fps, as RGB (the background is opaque, so the alpha is 255 everywhere)."""
    out = []
    for k in range(n):
        img = render_png(program, tmp_path / f"ref_{k}.png", t_ms=k * 1000 / fps, size=(W, H), fps=fps)
        assert (img[..., 3] == 255).all()
        out.append(img[..., :3].astype(np.int16))
    return out


def decode_av(path):
    av = pytest.importorskip("av")
    with av.open(str(path)) as c:
        frames = list(c.decode(video=0))
    return [f.to_ndarray(format="rgb24").astype(np.int16) for f in frames], [float(f.time) for f in frames]


def yuv420_roundtrip(rgb):
    """The reference through 4:2:0 chroma subsampling alone (swscale, no codec): what a perfect H.264 gives."""
    av = pytest.importorskip("av")
    f = av.VideoFrame.from_ndarray(rgb.astype(np.uint8), format="rgb24").reformat(format="yuv420p")
    return f.reformat(format="rgb24").to_ndarray().astype(np.int16)


def assert_frames_match(decoded, refs, mean_tol, p95_tol):
    for k, frame in enumerate(decoded):
        d = np.abs(frame - refs[k])
        assert d.mean() <= mean_tol and np.percentile(d, 95) <= p95_tol, (k, d.mean(), np.percentile(d, 95))
        # frame k is the image at k·1000/fps, not a neighbour's: every other time is much further away
        others = min(np.abs(frame - refs[j]).mean() for j in range(len(refs)) if j != k)
        assert others > 2 * d.mean() + 1.0, (k, d.mean(), others)


def test_the_moving_patch_moves(program, tmp_path):
    refs = reference_frames(program, tmp_path, 3, 20)
    assert np.abs(refs[1] - refs[0]).mean() > 5 and np.abs(refs[2] - refs[1]).mean() > 5


def test_mp4_decodes_to_duration_times_fps_frames_equal_to_render_png(program, tmp_path):
    pytest.importorskip("av")
    fps, duration = 20, 500  # 10 frames
    path = tmp_path / "out.mp4"
    assert render_video(program, path, duration_ms=duration, fps=fps, size=(W, H)) == 10
    decoded, times = decode_av(path)
    assert len(decoded) == 10
    assert decoded[0].shape == (H, W, 3)
    assert times == pytest.approx([k / fps for k in range(10)], abs=1e-3)
    refs = reference_frames(program, tmp_path, 10, fps)
    # H.264 at crf 16: within a few levels of what 4:2:0 subsampling alone gives ...
    assert_frames_match(decoded, [yuv420_roundtrip(r) for r in refs], mean_tol=3, p95_tol=16)
    # ... and close to the RGB image itself (chroma at the discs' edges is shared by 2x2 pixels)
    assert_frames_match(decoded, refs, mean_tol=8, p95_tol=32)
    with pytest.importorskip("av").open(str(path)) as c:
        s = c.streams.video[0]
        assert s.codec_context.name == "h264" and s.codec_context.pix_fmt == "yuv420p"


def test_gif_decodes_to_duration_times_fps_frames_within_palette_tolerance(program, tmp_path):
    pytest.importorskip("av")
    fps, duration = 20, 400  # 8 frames
    path = tmp_path / "out.gif"
    assert render_video(program, path, duration_ms=duration, fps=fps, size=(W, H)) == 8
    with Image.open(path) as im:
        assert im.format == "GIF" and im.size == (W, H)
        frames = [np.asarray(f.convert("RGB")).astype(np.int16) for f in ImageSequence.Iterator(im)]
    assert len(frames) == 8
    refs = reference_frames(program, tmp_path, 8, fps)
    # a 256-colour palette per frame: most pixels exact or a level or two off
    assert_frames_match(frames, refs, mean_tol=1.5, p95_tol=6)
    decoded, _ = decode_av(path)  # PyAV reads the same frames
    assert len(decoded) == 8


@pytest.mark.parametrize("suffix, codec", [(".webm", "vp9"), (".apng", "apng")])
def test_webm_and_apng_decode_to_the_frames(program, tmp_path, suffix, codec):
    av = pytest.importorskip("av")
    path = tmp_path / f"out{suffix}"
    assert render_video(program, path, duration_ms=150, fps=20, size=(W, H)) == 3
    decoded, _ = decode_av(path)
    assert len(decoded) == 3
    with av.open(str(path)) as c:
        assert c.streams.video[0].codec_context.name == codec
    refs = reference_frames(program, tmp_path, 3, 20)
    if suffix == ".apng":  # lossless
        for k in range(3):
            assert np.array_equal(decoded[k], refs[k])
    else:
        assert_frames_match(decoded, [yuv420_roundtrip(r) for r in refs], mean_tol=4, p95_tol=16)


def test_video_frames_equal_the_frame_sequence(program, tmp_path):
    """APNG is lossless RGBA: the video's frames are the PNG sequence's, bit for bit."""
    pytest.importorskip("av")
    render_video(program, tmp_path / "v.apng", duration_ms=200, fps=20, size=(W, H))
    paths = render_frames(program, tmp_path / "seq", 200, 20, (W, H))
    av = pytest.importorskip("av")
    with av.open(str(tmp_path / "v.apng")) as c:
        video = [f.to_ndarray(format="rgba") for f in c.decode(video=0)]
    assert len(video) == len(paths) == 4
    for frame, p in zip(video, paths):
        assert np.array_equal(frame, np.asarray(Image.open(p).convert("RGBA")))


def test_odd_sizes_are_refused_for_mp4_and_webm_but_not_gif(tmp_path):
    pytest.importorskip("av")
    for suffix in (".mp4", ".webm"):
        with pytest.raises(ValueError, match="even width and height, got 127x96; use 128x96"):
            video_format(tmp_path / f"x{suffix}", (127, 96))
    assert video_format(tmp_path / "x.gif", (127, 95)).codec == "gif"
    with pytest.raises(ValueError, match="suffix must be one of"):
        video_format(tmp_path / "x.avi", (64, 64))


def test_jpg_is_rgb_composited_over_the_background(tmp_path):
    gpu_or_skip()
    p = moving_patch()
    p["settings"] = {"background": [0.2, 0.4, 0.6, 0.0]}  # a transparent background of known colour
    png = render_png(p, tmp_path / "x.png", size=(64, 64))
    assert png[0, 0, 3] == 0  # the corner is empty: alpha 0 in the PNG
    render_png(p, tmp_path / "x.jpg", size=(64, 64))
    with Image.open(tmp_path / "x.jpg") as im:
        assert im.format == "JPEG" and im.mode == "RGB"
        jpg = np.asarray(im).astype(int)
    assert np.abs(jpg[0, 0] - [51, 102, 153]).max() <= 3  # 0.2, 0.4, 0.6 of 255, JPEG within 3 levels
    # drawn pixels keep their colour (alpha 255 there): compare the opaque ones
    opaque = png[..., 3] == 255
    assert opaque.sum() > 100
    assert np.abs(jpg[opaque] - png[opaque][:, :3].astype(int)).mean() < 6


def test_a_folder_with_frames_is_refused_unless_overwrite(tmp_path):
    gpu_or_skip()
    out = tmp_path / "frames"
    first = render_frames(ORBITS, out, 100, 60, (32, 32))  # 6 frames
    assert len(first) == 6
    before = (out / "frame_0005.png").read_bytes()
    with pytest.raises(FileExistsError, match="already holds 6 frame files.*overwrite"):
        render_frames(ORBITS, out, 50, 60, (32, 32))
    assert sorted(p.name for p in out.iterdir()) == [f"frame_{k:04d}.png" for k in range(6)]
    assert (out / "frame_0005.png").read_bytes() == before
    again = render_frames(ORBITS, out, 50, 60, (32, 32), overwrite=True)  # 3 frames, none of the old left
    assert [p.name for p in again] == sorted(p.name for p in out.iterdir()) == [f"frame_{k:04d}.png" for k in range(3)]
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("not a frame")  # other files do not count
    assert len(render_frames(ORBITS, tmp_path / "other", 50, 60, (32, 32))) == 3


def test_missing_pyav_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` raises ImportError
    with pytest.raises(VideoExtraMissing, match=r"pip install 'oscilla\[video\]'"):
        render_video(ORBITS, tmp_path / "x.mp4", duration_ms=100, fps=10, size=(64, 64))
    assert not (tmp_path / "x.mp4").exists()


def test_missing_pyav_in_a_fresh_process(tmp_path):
    """A process where `import av` fails (blocked before oscilla loads): ImportError subclass, the extra named."""
    code = (
        "import sys; sys.modules['av'] = None\n"
        "import oscilla as osc\n"
        "try:\n"
        f"    osc.render_video({str(ORBITS)!r}, {str(tmp_path / 'x.gif')!r}, duration_ms=100, fps=10, size=(64, 64))\n"
        "except ImportError as e:\n"
        "    print('IMPORTERROR', e)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "IMPORTERROR writing .gif files needs PyAV" in r.stdout and "pip install 'oscilla[video]'" in r.stdout


def test_frames_are_encoded_while_they_are_rendered(program, tmp_path):
    """Streaming, not collect-then-encode: the GIF on disk grows while later frames are still to be
    rendered (the writer flushes in blocks of 256 KiB, so it grows in steps; a frame here is ~5 KiB)."""
    pytest.importorskip("av")
    path = tmp_path / "stream.gif"
    sizes = []

    def progress(frames):
        for k in frames:
            sizes.append(path.stat().st_size if path.exists() else 0)
            yield k

    assert render_video(program, path, duration_ms=4000, fps=20, size=(384, 288), progress=progress) == 80
    assert len(sizes) == 80
    assert sizes == sorted(sizes) and sizes[0] == 0
    assert sizes[-1] > 0, sizes  # earlier frames are on disk before the last one is rendered
    assert sizes[-1] < path.stat().st_size


def test_trails_export_equals_playback_bit_for_bit(tmp_path):
    """With trails the previous frame is state: the lossless video, the PNG sequence, render_png and a
    Runtime stepped by hand at t = k·1000/fps all give the same raw frames (sha256), at an export
    size other than settings.size."""
    gpu_or_skip()
    av = pytest.importorskip("av")
    p = moving_patch()
    p["settings"] = {"background": [0.01, 0.01, 0.03, 1.0], "trails": 0.85}  # settings.size: default 512x512
    program = osc.compile(osc.load_patch(p))
    fps, n = 20, 6

    def digest(a):
        return hashlib.sha256(np.ascontiguousarray(a, dtype=np.uint8).tobytes()).hexdigest()

    rt = osc.Runtime(program, size=(W, H))
    playback = []
    for k in range(n):
        rt.step(k * 1000 / fps)
        playback.append(rt.render(W, H))
    render_video(program, tmp_path / "t.apng", duration_ms=n * 1000 / fps, fps=fps, size=(W, H))
    with av.open(str(tmp_path / "t.apng")) as c:
        video = [f.to_ndarray(format="rgba") for f in c.decode(video=0)]
    seq = [
        np.asarray(Image.open(q).convert("RGBA")) for q in render_frames(program, tmp_path / "seq", 300, fps, (W, H))
    ]
    last = render_png(program, tmp_path / "last.png", t_ms=(n - 1) * 1000 / fps, size=(W, H), fps=fps)
    assert [digest(f) for f in video] == [digest(f) for f in playback] == [digest(f) for f in seq]
    assert digest(last) == digest(playback[-1])
    # the trails are in the frames: the same patch without them draws a different last frame
    plain = render_png(moving_patch(), tmp_path / "plain.png", t_ms=(n - 1) * 1000 / fps, size=(W, H), fps=fps)
    assert np.abs(plain.astype(int) - last.astype(int)).mean() > 1
