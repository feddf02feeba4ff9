"""The golden-spiral image has the colour the formulas predict at the centres of its top elements.

Positions and colours are computed here in numpy from docs/language/ (GoldenAngle, AngularOffset,
RadiusSqrt, FieldPolarToCartesian, JitterVec with Hash, HueFromPhase, hsv2rgb, the viewport of
docs/language/rendering.md#viewport), not from oscilla.
"""

import numpy as np
import pytest
from support.formulas import hash01, hsv2rgb
from support.paths import ROOT

import oscilla as osc

pytestmark = pytest.mark.gpu

N, RX, W = 2000, 0.006, 512
GA = np.pi * (3.0 - np.sqrt(5.0))


def expected_elements(t_ms: float, period=4000.0):
    phase = (t_ms / period) % 1.0
    i = np.arange(N)
    t = np.float32(i) * np.float32(1.0 / (N - 1))  # normalizedIndex (f32 product)
    angle = t * 1999.0 * GA + 2 * np.pi * phase * 2.0  # turns = N - 1: lane i sits i golden angles round
    radius = 0.35 * np.sqrt(t.astype(np.float64))
    x = 0.5 + radius * np.cos(angle)
    y = 0.5 + radius * np.sin(angle)
    rand = np.float32(t_ms) + t  # Broadcast(tMs) + t in f32
    x = x + (2 * hash01(rand, np.float32(1.0)).astype(np.float64) - 1) * 0.0015
    y = y + (2 * hash01(rand, np.float32(2.0)).astype(np.float64) - 1) * 0.0015
    hue = (np.float64(t * np.float32(0.45)) + phase) % 1.0  # Expression "in0 * 0.45" (f32), then HueFromPhase
    rgb = hsv2rgb(hue.astype(np.float32), np.float32(0.85), np.float32(0.9))[:, :3]
    return x, y, rgb


@pytest.mark.parametrize("t_ms", [0.0, 1000.0])
def test_pixel_colours_at_top_element_centres(t_ms, tmp_path):
    img = osc.render_png(ROOT / "examples" / "golden-spiral.json", tmp_path / "g.png", t_ms=t_ms, size=(W, W), fps=10)
    x, y, rgb = expected_elements(t_ms)
    px, py = W / 2 + (x - 0.5) * W, W / 2 + (y - 0.5) * W  # docs/language/rendering.md#viewport with S = W
    checked = 0
    for lane in range(N - 1, N - 200, -1):
        cx, cy = int(np.floor(px[lane])), int(np.floor(py[lane]))
        centre = np.array([cx + 0.5, cy + 0.5])
        later = np.arange(lane + 1, N)
        d_later = np.hypot(px[later] - centre[0], py[later] - centre[1])
        if (d_later < RX * W + 1.5).any():
            continue  # a later (upper) element touches this pixel
        if np.hypot(px[lane] - centre[0], py[lane] - centre[1]) > RX * W - 1.5:
            continue
        want = np.round(rgb[lane] * 255)
        got = img[cy, cx, :3].astype(float)
        assert np.abs(got - want).max() <= 2, f"lane {lane} at pixel ({cx},{cy}): {got} vs {want}"
        checked += 1
        if checked == 8:
            break
    assert checked >= 4, "too few unoccluded elements found to check"


def test_background_far_from_the_spiral(tmp_path):
    img = osc.render_png(ROOT / "examples" / "golden-spiral.json", tmp_path / "g.png", t_ms=0, size=(W, W))
    corner = img[2, 2]
    assert tuple(corner) == (5, 5, 13, 255)  # settings.background (0.02, 0.02, 0.05, 1) -> round(v·255)
