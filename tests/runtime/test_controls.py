"""Declared controls at run time (docs/guide/controls.md): a control's default is its channel's value until something
sets it, on both runtimes and headless, and every value is clamped to the control's range."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, make_patch
from support.paths import ROOT

import oscilla as osc

pytestmark = pytest.mark.gpu


def _program(controls, observe=("speed.value", "pad.position", "free.value")):
    p = make_patch(
        [
            blk("speed", "ExternalInput", channel="speed"),
            blk("pad", "ExternalVec2", channelBase="pad"),
            blk("free", "ExternalInput", channel="free"),
        ]
    )
    p["settings"] = {"controls": controls}
    return osc.compile(p, observe=list(observe))


CONTROLS = [
    {"channel": "speed", "min": 0.5, "max": 2, "default": 1.25},
    {"channel": "pad", "kind": "xy", "min": -1, "max": 1, "default": [0.25, -0.75]},
]


def test_defaults_reach_the_channels_before_anything_is_set(runtime_cls):
    rt = runtime_cls(_program(CONTROLS))
    rt.step(0)
    assert rt.read("speed.value").item() == 1.25
    np.testing.assert_array_equal(rt.read("pad.position").ravel(), [0.25, -0.75])
    assert rt.read("free.value").item() == 0.0  # a channel without a control still reads 0


def test_values_are_clamped_to_the_range(runtime_cls):
    rt = runtime_cls(_program(CONTROLS))
    rt.set_input("speed", 7.0)
    rt.set_input("pad.x", -3.0)
    rt.set_input("pad.y", 0.5)
    rt.set_input("free", 7.0)  # no control: not clamped
    rt.step(0)
    assert rt.read("speed.value").item() == 2.0
    np.testing.assert_array_equal(rt.read("pad.position").ravel(), [-1.0, 0.5])
    assert rt.read("free.value").item() == 7.0
    rt.set_input("speed", 0.0)
    rt.step(16)
    assert rt.read("speed.value").item() == 0.5
    assert rt.channels["speed"] == 0.5  # what the program sees


def test_a_set_value_survives_reset_and_a_swap_clamps_it_to_the_new_range(runtime_cls):
    rt = runtime_cls(_program(CONTROLS))
    rt.set_input("speed", 1.75)
    rt.reset()
    rt.step(0)
    assert rt.read("speed.value").item() == 1.75
    rt.swap(_program([{"channel": "speed", "min": 0, "max": 1, "default": 0.5}]))
    rt.step(16)
    assert rt.read("speed.value").item() == 1.0  # clamped into the new range
    np.testing.assert_array_equal(rt.read("pad.position").ravel(), [0.0, 0.0])  # no control any more: never set


def test_headless_renders_use_the_defaults(tmp_path):
    """examples/controls.json is golden-spiral with its numbers turned into controls whose defaults are those
    numbers: rendered headless (nothing sets a channel) it is golden-spiral, pixel for pixel."""
    controlled = osc.render_png(ROOT / "examples" / "controls.json", tmp_path / "c.png", t_ms=2000, size=(128, 128))
    plain = osc.render_png(ROOT / "examples" / "golden-spiral.json", tmp_path / "g.png", t_ms=2000, size=(128, 128))
    np.testing.assert_array_equal(controlled, plain)
    assert controlled.std() > 0  # it draws something
