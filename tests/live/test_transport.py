"""The Player's transport (issue 13 item 3): tick, pause, resume, speed, seek, reset, t_ms through
the Python API, and the same transport driven by synthetic key events in a window under Xvfb, whose
`oscilla run` prints a summary at exit."""

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc

pytestmark = pytest.mark.gpu


def _patch() -> dict:
    return make_patch(
        [
            blk("arr", "Array", count=3),
            blk("lay", "LineLayout", x0=0.2, y0=0.5, x1=0.8, y1=0.5),
            blk("draw", "RenderInstances2D", color=[1.0, 1.0, 1.0, 1.0]),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos")],
    )


def _t(player) -> float:
    return float(player.read("time.tMs"))


def test_tick_pause_speed_seek_reset_through_the_player(device):
    with osc.Player(_patch(), watch=False, observe=["time.tMs"], device=device) as p:
        assert p.t_ms is None and not p.paused and p.speed == 1.0
        seen = []
        for _ in range(3):
            p.tick(10.0)
            seen.append(_t(p))
        assert seen == [10.0, 20.0, 30.0] and p.t_ms == 30.0

        p.pause()  # frames keep running at one model time
        frames = []
        for _ in range(3):
            p.tick(10.0)
            frames.append((_t(p), p.runtime.frame_time.frame))
        assert [t for t, _ in frames] == [30.0, 30.0, 30.0]
        assert [f for _, f in frames] == [3, 4, 5]  # three more presented frames

        p.resume()
        p.speed = 2
        deltas = []
        for _ in range(3):
            before = _t(p)
            p.tick(10.0)
            deltas.append(_t(p) - before)
        assert deltas == [20.0, 20.0, 20.0]  # speed 2 doubles tMs per frame

        assert p.seek(1000.0) == 1000.0 and _t(p) == 1000.0 and p.t_ms == 1000.0
        with pytest.raises(ValueError, match="forward only"):
            p.seek(500.0)
        with pytest.raises(ValueError):
            p.seek(float("nan"))
        assert p.t_ms == 1000.0 and _t(p) == 1000.0  # a refused seek runs no frame

        p.reset()
        assert p.t_ms is None and p.speed == 2
        p.tick(5.0)
        assert _t(p) == 10.0 and p.runtime.frame_time.frame == 0  # from frame 0 again, at speed 2


def test_speed_must_be_a_finite_non_negative_number(device):
    with osc.Player(_patch(), watch=False, device=device) as p:
        for bad in (-1.0, float("inf"), "2"):
            with pytest.raises(ValueError, match="speed"):
                p.speed = bad
        assert p.speed == 1.0


def test_pause_keeps_the_picture(device):
    with osc.Player(_patch(), watch=False, device=device) as p:
        p.tick(0.0)
        p.pause()
        a = p.render(64, 64)
        p.tick(500.0)
        np.testing.assert_array_equal(p.render(64, 64), a)


# -- in a window, under Xvfb ----------------------------------------------------------------------------
_needs_xvfb = pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for a virtual display")

_WINDOW_SCRIPT = r"""
import json, sys
import oscilla as osc
from oscilla.window import run_window

player = osc.Player(json.loads(sys.argv[1]), watch=False, observe=["time.tMs"])
rows = []
tick = player.tick
def recording_tick(dt_ms):
    paused, speed = player.paused, player.speed
    t = tick(dt_ms)
    rows.append((dt_ms, paused, speed, t, float(player.read("time.tMs"))))
    return t
player.tick = recording_tick
key = lambda k: {"event_type": "key_down", "key": k, "modifiers": ()}
events = [(3, key(" ")), (9, key(" ")), (12, key("]")), (18, key("f")), (20, key("R"))]
n = run_window(None, size=(160, 160), max_fps=60, max_frames=26, player=player, events=events)
print("ROWS", json.dumps(rows))
print("frames", n)
"""


@_needs_xvfb
def test_keys_in_the_window_pause_and_double_the_speed():
    r = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", _WINDOW_SCRIPT, json.dumps(_patch())],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    rows = json.loads(r.stdout.split("ROWS", 1)[1].split("\n", 1)[0])
    assert len(rows) == 26
    paused = [row for row in rows if row[1]]
    assert len(paused) >= 3, rows  # space ... space: some frames presented while paused
    assert len({row[4] for row in paused}) == 1, paused  # tMs constant across them
    assert any(not row[1] for row in rows[rows.index(paused[-1]) :]), "the second space resumes"
    fast = [(prev, row) for prev, row in zip(rows, rows[1:], strict=False) if row[2] == 2.0 and not row[1]]
    assert fast, rows  # ']' doubled the speed
    for prev, row in fast:
        if row[3] > prev[3] > 0:  # not across the reset
            # model time moved by twice the wall time (tMs is f32 on the GPU)
            assert row[4] - prev[4] == pytest.approx(2.0 * row[0], rel=1e-4, abs=0.01)
    assert rows[-1][3] < max(row[3] for row in rows), "R reset model time"


@_needs_xvfb
def test_oscilla_run_prints_a_summary_at_exit(tmp_path):
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_patch()))
    r = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-m", "oscilla.cli", "run", str(path), "--frames", "6", "--size", "120x120"],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    line = next(ln for ln in r.stderr.splitlines() if ln.startswith("oscilla: 6 frames in "))
    assert "fps); frame time mean " in line and " ms, p95 " in line and "dropped frame" in line, line
