"""PNG export (issue 9): the playback times are generated lazily (reaching 1e10 ms needs no more
memory than reaching 1000), bad times are ValueErrors, a patch with no render sink is refused
instead of writing a blank image, and sizes must be ints."""

import json
import math
import tracemalloc

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.paths import ROOT
from support.running import gpu_or_skip

import oscilla as osc
from oscilla.export.png import PlaybackTimes, playback_times, render_frames, render_png, sequence_length

SPIRAL = ROOT / "examples" / "golden-spiral.json"


def test_playback_times_of_1e10_ms_take_constant_memory():
    tracemalloc.start()
    try:
        times = playback_times(1e10, 60)
        n = len(times)
        first = [t for _, t in zip(range(3), times)]
        last = times[-1]
        before_last = times[-2]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(times, PlaybackTimes)
    assert n == 600_000_001  # 0, 1000/60, ..., 1e10 (1e10 is on the 60 fps grid)
    assert first == [0.0, 1000 / 60, 2 * 1000 / 60]
    assert before_last == pytest.approx(1e10 - 1000 / 60) and last == pytest.approx(1e10)
    assert peak < 64 * 1024, f"{peak} bytes: the times must not be materialized"


@pytest.mark.parametrize(
    "t_ms, fps, expected",
    [
        (0, 60, [0.0]),
        (50, 20, [0.0, 50.0]),
        (60, 20, [0.0, 50.0, 60.0]),
        (-5, 20, [0.0]),
        (100, 30, [0.0, 100 / 3, 200 / 3, 100.0]),
        (7.5, 1000, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 7.5]),
    ],
)
def test_playback_times_are_the_frames_of_playback(t_ms, fps, expected):
    times = playback_times(t_ms, fps)
    assert len(times) == len(expected)
    assert list(times) == pytest.approx(expected)
    assert [times[k] for k in range(len(expected))] == list(times)
    assert times[-1] == pytest.approx(expected[-1]) and times[1:] == pytest.approx(expected[1:])
    with pytest.raises(IndexError):
        times[len(expected)]


@pytest.mark.parametrize(
    "t_ms, fps",
    [(math.inf, 60), (math.nan, 60), (1e300, 60), (1000, math.inf), (1000, math.nan), (1000, 0), (1000, -1)],
)
def test_playback_times_refuse_non_finite_values(t_ms, fps):
    with pytest.raises(ValueError):
        playback_times(t_ms, fps)


def test_sequence_length():
    assert sequence_length(2000, 30) == 60
    assert sequence_length(0, 30) == 1
    assert sequence_length(1e10, 60) == 600_000_000
    for bad in ((math.inf, 30), (1000, math.nan), (1000, 0)):
        with pytest.raises(ValueError):
            sequence_length(*bad)


def no_sink(tmp_path):
    p = tmp_path / "nosink.json"
    p.write_text(json.dumps(make_patch([blk("o", "Oscillator")], [edge("time.phaseA", "o.phase")])))
    return p


def test_a_patch_with_no_render_sink_is_refused_not_drawn_blank(tmp_path):
    with pytest.raises(osc.CompileError) as e:
        render_png(no_sink(tmp_path), tmp_path / "a.png")
    assert [d.code for d in e.value.diagnostics] == ["W_NO_RENDER_SINK"]
    assert "W_NO_RENDER_SINK" in str(e.value)
    with pytest.raises(osc.CompileError):
        render_frames(no_sink(tmp_path), tmp_path / "seq", 100, 30)
    assert not (tmp_path / "a.png").exists() and not (tmp_path / "seq").exists()


@pytest.mark.gpu
def test_render_png_takes_a_program_and_reports_progress(tmp_path):
    gpu_or_skip()
    program = osc.compile(osc.load_patch(SPIRAL))
    seen = []

    def progress(times):
        seen.append(len(times))
        return iter(times)

    img = render_png(program, tmp_path / "a.png", t_ms=100, size=(8, 6), fps=20, progress=progress)
    assert img.shape == (6, 8, 4) and seen == [3]  # frames 0, 50 and 100 ms at 20 fps
    assert (tmp_path / "a.png").exists()


@pytest.mark.gpu
@pytest.mark.parametrize("size", [(2.7, 3.2), (8.0, 8), ("8", "8"), (np.float32(8), 8)])
def test_render_png_sizes_must_be_ints(tmp_path, size):
    gpu_or_skip()
    with pytest.raises(TypeError, match="must be an int"):
        render_png(SPIRAL, tmp_path / "a.png", size=size)
    assert not (tmp_path / "a.png").exists()
