"""``settings.controls`` (docs/guide/controls.md): the schema, the compile-time checks (E_CONTROL_INVALID) and the
ControlSpec records a program carries."""

from __future__ import annotations

import pytest
from support.builders import blk, make_patch

import oscilla as osc
from oscilla.program import ControlSpec


def _patch(controls):
    p = make_patch(
        [
            blk("speed", "ExternalInput", channel="speed"),
            blk("on", "ExternalGate", channel="lights"),
            blk("pad", "ExternalVec2", channelBase="pad"),
        ]
    )
    p["settings"] = {"controls": controls}
    return p


def _errors(controls):
    with pytest.raises(osc.CompileError) as e:
        osc.compile(_patch(controls))
    return [d for d in e.value.diagnostics if d.severity == "error"]


def test_controls_become_records_with_their_defaults():
    prog = osc.compile(
        _patch(
            [
                {"channel": "speed", "min": 0, "max": 2, "default": 1, "label": "Speed"},
                {"channel": "lights", "kind": "toggle", "default": 1},
                {"channel": "pad", "kind": "xy", "min": -1, "max": 1},
            ]
        )
    )
    assert prog.controls == (
        ControlSpec("speed", "slider", 0.0, 2.0, (1.0,), "Speed"),
        ControlSpec("lights", "toggle", 0.0, 1.0, (1.0,), "lights"),  # the label defaults to the channel
        ControlSpec("pad", "xy", -1.0, 1.0, (0.0, 0.0), "pad"),  # an xy pad starts in the middle
    )
    assert prog.controls[2].channels == ("pad.x", "pad.y")
    plain = osc.compile(_patch([{"channel": "speed"}])).controls
    assert plain == (ControlSpec("speed", "slider", 0.0, 1.0, (0.0,), "speed"),)


@pytest.mark.parametrize(
    "control, message",
    [
        ({"channel": "sped"}, "no block reads the channel 'sped'"),
        ({"channel": "speed", "min": 2, "max": 1}, "bad range: min must be less than max, got min 2 and max 1"),
        ({"channel": "speed", "min": 1, "max": 1}, "bad range"),
        ({"channel": "speed", "min": -1e39, "max": 1}, "f32 range"),
        ({"channel": "speed", "max": 2, "default": 3}, "default 3.0 lies outside the range 0..2"),
        ({"channel": "speed", "default": [0, 1]}, "default must be one number for a slider"),
        ({"channel": "lights", "kind": "toggle", "default": 0.5}, "a toggle's default must be min (0, off) or max"),
        ({"channel": "lights", "kind": "trigger", "default": 1}, "a trigger rests at min"),
        ({"channel": "pad"}, 'use "kind": "xy"'),
        ({"channel": "pad", "kind": "xy", "default": [0.5, 2]}, "default [0.5, 2.0] lies outside the range 0..1"),
    ],
)
def test_a_bad_control_is_a_diagnostic(control, message):
    (d,) = _errors([control])
    assert d.code == "E_CONTROL_INVALID" and message in d.message, d.message
    assert d.message.startswith(f"settings.controls[0] (channel {control['channel']!r}): ")


def test_a_channel_with_two_controls_and_every_bad_control_is_reported():
    errors = _errors([{"channel": "speed"}, {"channel": "nope"}, {"channel": "speed", "max": 5}])
    assert [d.message.split(":")[0] for d in errors] == [
        "settings.controls[1] (channel 'nope')",
        "settings.controls[2] (channel 'speed')",
    ]
    assert "already has a control (settings.controls[0])" in errors[1].message


@pytest.mark.parametrize(
    "controls, message",
    [
        ([{"channel": "speed", "kind": "knob"}], "settings.controls[0].kind"),
        ([{"chanel": "speed"}], "did you mean 'channel'?"),
        ([{"channel": "speed", "min": "0"}], "settings.controls[0].min must be a number"),
        ({"channel": "speed"}, "settings.controls must be an array"),
    ],
)
def test_the_schema_checks_the_shape(controls, message):
    errors = _errors(controls)
    assert {d.code for d in errors} == {"E_PATCH_INVALID"}
    assert any(message in d.message for d in errors), [d.message for d in errors]
