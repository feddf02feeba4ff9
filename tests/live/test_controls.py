"""ControlValues (oscilla/live/controls.py): what the panel and the widgets move, fed to the channels by Player.step
(docs/guide/controls.md)."""

from __future__ import annotations

import pytest
from support.paths import ROOT

import oscilla as osc
from oscilla.live.controls import ControlValues
from oscilla.program import ControlSpec

SPECS = (
    ControlSpec("speed", "slider", 0.0, 2.0, (1.0,), "Speed"),
    ControlSpec("on", "toggle", 0.0, 1.0, (0.0,), "On"),
    ControlSpec("go", "trigger", 0.0, 5.0, (0.0,), "Go"),
    ControlSpec("pad", "xy", -1.0, 1.0, (0.0, 0.0), "Pad"),
)


class Sink:
    def __init__(self):
        self.sets = []

    def set_input(self, name, value):
        self.sets.append((name, value))


def test_defaults_are_not_resent_and_moves_are_clamped():
    cv, sink = ControlValues(SPECS), Sink()
    cv.apply(sink)
    assert sink.sets == []  # the runtime already starts at the defaults
    cv.set("speed", 5.0)
    cv.set("pad", (-3.0, 0.25))
    cv.set("on", 0.7)  # a toggle snaps to the nearer end
    cv.apply(sink)
    assert sorted(sink.sets) == [("on", 1.0), ("pad.x", -1.0), ("pad.y", 0.25), ("speed", 2.0)]
    sink.sets.clear()
    cv.apply(sink)
    assert sink.sets == []  # unchanged: nothing sent, so an OSC value would stand
    assert cv.get("speed") == 2.0 and cv.get("pad") == (-1.0, 0.25)


def test_a_trigger_is_one_frame_of_its_max():
    cv, sink = ControlValues(SPECS), Sink()
    cv.press("go")
    cv.apply(sink)
    cv.apply(sink)
    cv.set("go", 4.0)  # above the midpoint: fires too
    cv.apply(sink)
    assert sink.sets == [("go", 5.0), ("go", 0.0), ("go", 5.0)]


def test_bad_uses_are_clear_errors():
    cv = ControlValues(SPECS)
    with pytest.raises(KeyError, match="no control for channel 'nope'; controls: speed, on, go, pad"):
        cv.set("nope", 1)
    with pytest.raises(ValueError, match="takes an \\(x, y\\) pair"):
        cv.set("pad", 1.0)
    with pytest.raises(ValueError, match="takes a number"):
        cv.set("speed", (1.0, 2.0))
    with pytest.raises(ValueError, match="not a trigger"):
        cv.press("speed")


def test_rebinding_keeps_a_moved_control_clamped_to_its_new_range():
    cv = ControlValues(SPECS)
    cv.set("speed", 1.5)
    cv.bind((ControlSpec("speed", "slider", 0.0, 1.0, (0.5,), "Speed"), ControlSpec("new", "slider", 0, 3, (2.0,), "")))
    assert cv.get("speed") == 1.0 and cv.get("new") == 2.0


@pytest.mark.gpu
def test_the_player_feeds_its_controls_every_frame():
    observe = ["k_spin.value", "k_center.position"]
    with osc.Player(ROOT / "examples" / "controls.json", watch=False, observe=observe) as p:
        p.step(0)
        assert p.read("k_spin.value").item() == 2.0  # the default
        p.set_control("spin", 10.0)
        p.set_control("center", (0.25, 0.75))
        p.step(16)
        assert p.read("k_spin.value").item() == 4.0  # clamped to max
        assert p.read("k_center.position").ravel().tolist() == [0.25, 0.75]
