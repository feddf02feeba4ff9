"""The window's ImGui control panel (oscilla/live/panel.py, docs/guide/controls.md#the-window): drawn over the
frame in a real window under Xvfb, and wired by osc.run for a patch that declares controls."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import features
from support.paths import ROOT

import oscilla.live.player as player_mod

#: Dear ImGui's default dark style, from its constants (not from a run): TitleBgActive (0.16, 0.29, 0.48) and
#: SliderGrab (0.24, 0.52, 0.88), as 8-bit colours on the window's bgra8unorm surface
TITLE_BG_ACTIVE = (round(0.16 * 255), round(0.29 * 255), round(0.48 * 255))
SLIDER_GRAB = (round(0.24 * 255), round(0.52 * 255), round(0.88 * 255))

_SCRIPT = r"""
import os, sys
import numpy as np
from PIL import ImageGrab
from oscilla.live.player import Player
from oscilla.live.panel import control_panel
from oscilla.window import run_window

shot, plain = sys.argv[1], sys.argv[2]
with Player(r"%s", watch=False, size=(300, 300)) as p:
    inner = control_panel(p.controls)
    frames = [0]
    def panel(canvas, device):
        draw = inner(canvas, device)
        def wrapped():
            draw()
            frames[0] += 1
            if frames[0] == 15:  # the screen shows an earlier frame with the panel by now
                ImageGrab.grab(xdisplay=os.environ["DISPLAY"]).save(shot)  # Pillow's X11 (XCB) screenshot
        return wrapped
    n = run_window(None, size=(300, 300), max_fps=30, max_frames=20, player=p, panel=panel)
    np.save(plain, p.render(300, 300))  # the same patch without the panel
print("frames", n)
""" % (ROOT / "examples" / "controls.json")


@pytest.mark.gpu
@pytest.mark.skipif(
    shutil.which("xvfb-run") is None or not features.check("xcb"),
    reason="needs xvfb-run (a virtual display) and Pillow's X11 screenshots (XCB)",
)
def test_the_panel_draws_in_the_window_under_xvfb(tmp_path):
    pytest.importorskip("imgui_bundle", reason="the panel is the live extra (imgui-bundle)")
    from PIL import Image

    shot, plain = tmp_path / "shot.png", tmp_path / "plain.npy"
    r = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 400x400x24", sys.executable, "-c", _SCRIPT, str(shot), str(plain)],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert "frames 20" in r.stdout
    screen = np.asarray(Image.open(shot).convert("RGB"))[:300, :300]  # the window sits at the origin
    patch_only = np.load(plain)[..., :3]

    def count(img, colour, rows=slice(0, 160)):
        return int(np.all(img[rows] == colour, axis=-1).sum())

    # the panel's title bar and slider grabs are on screen, in the top-left corner; the patch never draws them
    assert count(screen, TITLE_BG_ACTIVE, slice(0, 40)) > 1000, count(screen, TITLE_BG_ACTIVE)
    assert count(screen, SLIDER_GRAB) > 50
    assert count(patch_only, TITLE_BG_ACTIVE) == 0 and count(patch_only, SLIDER_GRAB) == 0
    # away from the panel the screen is the patch's frame (some frame of it: the spiral spins)
    assert screen[200:, :].std() > 10


def test_run_gives_a_patch_with_controls_the_panel(monkeypatch):
    pytest.importorskip("imgui_bundle")
    seen = {}

    def fake_run_window(program, **kw):
        seen.update(kw)
        return 0

    monkeypatch.setattr(player_mod, "run_window", fake_run_window)
    player_mod.run(ROOT / "examples" / "controls.json")
    assert callable(seen["panel"])
    player_mod.run(ROOT / "examples" / "golden-spiral.json")
    assert seen["panel"] is None  # no controls, no panel


def test_without_imgui_run_names_the_extra(monkeypatch, capsys):
    monkeypatch.setattr(player_mod, "run_window", lambda program, **kw: kw["panel"])
    monkeypatch.setattr(player_mod, "imgui_available", lambda: False)
    assert player_mod.run(ROOT / "examples" / "controls.json") is None
    assert "pip install 'oscilla[live]'" in capsys.readouterr().err
