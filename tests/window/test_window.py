"""Mouse channels of the window (docs/language/external-channels.md#window-channels) and, where Xvfb exists, a real
window run."""

import os
import shutil
import subprocess
import sys

import pytest
from support.paths import ROOT

from oscilla.window import MouseChannels


class FakeRuntime:
    def __init__(self):
        self.inputs = {}

    def set_input(self, name, value):
        self.inputs[name] = value


def test_pointer_mapping_is_the_inverse_viewport():
    m = MouseChannels()
    m.handle({"event_type": "pointer_move", "x": 100, "y": 0}, 800, 600)  # W16: (100, 0) -> world (0, 0)
    assert (m.values["mouse.x"], m.values["mouse.y"]) == (0.0, 0.0)
    m.handle({"event_type": "pointer_move", "x": 400, "y": 300}, 800, 600)
    assert (m.values["mouse.x"], m.values["mouse.y"]) == (0.5, 0.5)
    m.handle({"event_type": "pointer_move", "x": 700, "y": 600}, 800, 600)
    assert (m.values["mouse.x"], m.values["mouse.y"]) == (1.0, 1.0)


def test_buttons_pulses_wheel_and_over():
    m, rt = MouseChannels(), FakeRuntime()
    m.handle({"event_type": "pointer_enter", "x": 1, "y": 1}, 10, 10)
    m.handle({"event_type": "pointer_down", "x": 1, "y": 1, "button": 1}, 10, 10)
    m.handle({"event_type": "wheel", "dx": 1.5, "dy": -2.0, "x": 1, "y": 1}, 10, 10)
    m.handle({"event_type": "wheel", "dx": 0.5, "dy": -1.0, "x": 1, "y": 1}, 10, 10)
    m.apply(rt)
    assert rt.inputs["mouse.over"] == 1.0
    assert rt.inputs["mouse.button.left.held"] == 1.0
    assert rt.inputs["mouse.button.left.down"] == 1.0 and rt.inputs["mouse.button.left.up"] == 0.0
    assert (rt.inputs["mouse.wheel.dx"], rt.inputs["mouse.wheel.dy"]) == (2.0, -3.0)
    m.apply(rt)  # next frame: pulses and wheel are back to 0, held stays
    assert rt.inputs["mouse.button.left.down"] == 0.0 and rt.inputs["mouse.wheel.dx"] == 0.0
    assert rt.inputs["mouse.button.left.held"] == 1.0
    m.handle({"event_type": "pointer_up", "x": 1, "y": 1, "button": 1}, 10, 10)
    m.handle({"event_type": "pointer_leave", "x": 1, "y": 1}, 10, 10)
    m.apply(rt)
    assert rt.inputs["mouse.button.left.up"] == 1.0 and rt.inputs["mouse.button.left.held"] == 0.0
    assert rt.inputs["mouse.over"] == 0.0


@pytest.mark.gpu
@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for a virtual display")
def test_window_opens_renders_and_closes_under_xvfb():
    code = (
        "import oscilla as osc\n"
        "from oscilla import window\n"
        "prog = osc.compile(osc.load_patch(r'%s'))\n"
        "n = window.run_window(prog, size=(200, 200), max_fps=30, max_frames=20)\n"
        "print('frames', n)\n" % (ROOT / "examples" / "feedback.json")
    )
    r = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    panic = r.stderr[r.stderr.find("panicked") :][:1500] if "panicked" in r.stderr else r.stderr[-1500:]
    assert r.returncode == 0, panic
    frames = int(r.stdout.split("frames")[-1].split()[0])
    assert frames == 20, r.stdout


# -- a graceful desktop (issue 9) -----------------------------------------------------------------
def test_the_window_sets_exactly_the_documented_window_channels():
    from oscilla.runtime.clock import WINDOW_CHANNELS

    m, rt = MouseChannels(), FakeRuntime()
    m.apply(rt)
    assert set(rt.inputs) == WINDOW_CHANNELS  # so set_input never warns about them


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="DISPLAY / WAYLAND_DISPLAY are Linux's")
def test_no_display_is_an_error_before_glfw_is_touched(monkeypatch):
    from oscilla.window import NoDisplayError, require_display

    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(NoDisplayError, match="neither DISPLAY nor WAYLAND_DISPLAY") as e:
        require_display()
    assert isinstance(e.value, RuntimeError) and "xvfb-run" in str(e.value)


def test_a_window_of_a_program_that_draws_nothing_is_refused(monkeypatch):
    import oscilla as osc
    from oscilla.window import run_window

    program = osc.compile(
        {
            "oscilla": 1,
            "blocks": [{"id": "time", "type": "InfiniteTimeRoot"}, {"id": "o", "type": "Oscillator"}],
            "edges": [{"from": "time.phaseA", "to": "o.phase"}],
        }
    )
    monkeypatch.delenv("DISPLAY", raising=False)  # refused for the patch, before the display is looked at
    with pytest.raises(osc.CompileError) as e:
        run_window(program)
    assert [d.code for d in e.value.diagnostics] == ["W_NO_RENDER_SINK"]


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for a virtual display")
def test_require_display_passes_under_xvfb():
    r = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", "from oscilla.window import require_display; require_display()"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert r.returncode == 0, r.stderr[-1500:]


# -- pan and zoom (issue 13 item 6) -----------------------------------------------------------------------
def test_wheel_zooms_about_the_pointer_and_drag_pans_and_0_resets():
    from oscilla.drawing.view import IDENTITY
    from oscilla.window import ViewControls

    vc, m = ViewControls(), MouseChannels()
    w, h = 400, 200  # S = 200: pixel (300, 50) is world (0.5 + 100/200, 0.5 - 50/200) = (1.0, 0.25)
    assert vc.handle({"event_type": "wheel", "dx": 0.0, "dy": -500.0, "x": 300, "y": 50}, w, h)
    assert vc.view.zoom == 2.0  # one doubling per 500 wheel units, scrolling up zooms in
    m.handle({"event_type": "pointer_move", "x": 300, "y": 50}, w, h, vc.view)
    assert (m.values["mouse.x"], m.values["mouse.y"]) == pytest.approx((1.0, 0.25))  # same world point
    m.handle({"event_type": "pointer_move", "x": 200, "y": 100}, w, h, vc.view)
    assert (m.values["mouse.x"], m.values["mouse.y"]) == pytest.approx((0.75, 0.375))  # the new centre

    vc.handle({"event_type": "pointer_down", "x": 200, "y": 100, "button": 1, "buttons": (1,)}, w, h)
    vc.handle({"event_type": "pointer_move", "x": 240, "y": 80, "buttons": (1,)}, w, h)
    # dragged by (40, -20) px at 400 px per world unit: the centre moves by (-0.1, +0.05)
    assert vc.view.center == pytest.approx((0.65, 0.425))
    vc.handle({"event_type": "pointer_up", "x": 240, "y": 80, "button": 1, "buttons": ()}, w, h)
    assert not vc.handle({"event_type": "pointer_move", "x": 10, "y": 10, "buttons": ()}, w, h)
    assert not vc.handle({"event_type": "pointer_move", "x": 20, "y": 10, "buttons": (2,)}, w, h)  # right: no pan
    assert vc.handle({"event_type": "key_down", "key": "0"}, w, h) and vc.view == IDENTITY


def test_hud_lines_name_fps_times_lanes_and_transport():
    import oscilla as osc
    from oscilla.drawing.view import ViewTransform
    from oscilla.runtime.transport import Transport
    from oscilla.window import hud_lines

    program = osc.compile(osc.load_patch(str(ROOT / "examples" / "golden-spiral.json")))
    lanes = sum(n for n, _ in program.instances.values())
    tr = Transport()
    tr.advance(1500.0)
    tr.pause()
    lines = hud_lines("spiral", program, tr, ViewTransform(zoom=2.0), 59.6, 4.25, None, "n/a")
    assert lines[:4] == ["spiral", "60 fps", "frame CPU 4.2 ms", "GPU n/a"]
    assert lines[4].startswith(f"{lanes:,} lanes in ")
    assert lines[5] == "t = 1.50 s, paused (speed 1x)"
    assert lines[6].startswith("view: zoom 2x")
