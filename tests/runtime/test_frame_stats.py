"""FrameStats (oscilla/runtime/frame_stats.py): the numbers of the overlay and of `oscilla run`'s
summary, from hand-chosen timings (nothing is timed here)."""

import pytest

from oscilla.runtime.frame_stats import FrameStats


def test_mean_p95_fps_and_dropped_frames():
    st = FrameStats(target_fps=50.0)  # a 20 ms slot
    intervals = [None, 20.0, 20.0, 41.0, 20.0, 59.0, 29.0, 31.0]
    for i, interval in enumerate(intervals):
        st.record(float(i + 1), interval)  # CPU 1 .. 8 ms
    assert st.frames == 8
    # 41 ms ~ 2 slots (1 dropped), 59 ms ~ 3 slots (2 dropped), 29 ms ~ 1 slot, 31 ms ~ 2 slots (1)
    assert st.dropped == 4
    assert st.elapsed_s == pytest.approx(0.220)
    assert st.fps == pytest.approx(7 / 0.220)
    mean, p95 = st.cpu_mean_p95()
    # p95 of 1..8 by linear interpolation: rank 0.95 * 7 = 6.65 -> 7 + 0.65 * (8 - 7)
    assert (mean, p95) == pytest.approx((4.5, 7.65))
    assert st.gpu_mean_p95() is None
    st.record_gpu(2.0)
    st.record_gpu(None)
    st.record_gpu(4.0)
    assert st.gpu_mean_p95() == pytest.approx((3.0, 3.9))


def test_summary_line():
    st = FrameStats(target_fps=60.0)
    st.record(4.0, None)
    st.record(6.0, 1000.0 / 60.0)
    line = st.summary()
    assert line.startswith("2 frames in 0.0 s (60.0 fps); frame time mean 5.0 ms, p95 5.9 ms (CPU)")
    assert line.endswith("; 0 dropped frames at 60 fps")
    assert FrameStats().summary() == "0 frames; 0 dropped frames at 60 fps"


def test_target_fps_must_be_positive():
    with pytest.raises(ValueError, match="target_fps"):
        FrameStats(target_fps=0.0)
