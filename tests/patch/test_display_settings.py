"""The display settings of a patch (docs/language/patch-format.md#settings): ``trails``,
``feedback``, ``size`` and ``bloom`` are validated by the schema with messages that name the
setting and its range, and compile into the program's fields with their defaults."""

from __future__ import annotations

import json

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc

BASE = make_patch(
    [blk("arr", "Array", count=1), blk("lay", "GridLayout"), blk("draw", "RenderInstances2D")],
    [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos")],
)


def _with(settings: dict) -> dict:
    p = json.loads(json.dumps(BASE))
    p["settings"] = settings
    return p


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"trails": 1}, "settings.trails must be a finite number in [0, 1), got 1"),
        ({"trails": -0.1}, "settings.trails must be a finite number in [0, 1), got -0.1"),
        ({"trails": "a"}, "settings.trails must be a number, got 'a'"),
        ({"size": [0, 3]}, "settings.size[0] must be a finite number in 1..16384, got 0"),
        ({"size": [3]}, "settings.size must have 2 numbers (width, height in pixels), got 1"),
        ({"size": [2.5, 3]}, "settings.size[0] must be an integer, got 2.5"),
        ({"feedback": {"zoom": 0}}, "settings.feedback.zoom must be a finite number in (0, 1000], got 0"),
        ({"feedback": {"zom": 1}}, "settings.feedback.zom: unknown key; did you mean 'zoom'?"),
        ({"feedback": {"offset": [1]}}, "settings.feedback.offset must have 2 numbers, got 1"),
        ({"bloom": {"radius": -1}}, "settings.bloom.radius must be a finite number in 0..1, got -1"),
        ({"bloom": {"treshold": 1}}, "settings.bloom.treshold: unknown key; did you mean 'threshold'?"),
    ],
)
def test_bad_display_settings_are_named_with_their_range(settings, message):
    with pytest.raises(osc.CompileError) as err:
        osc.load_patch(_with(settings))
    [d] = err.value.diagnostics
    assert d.code == "E_PATCH_INVALID"
    assert message in d.message, d.message


def test_defaults_compile_to_no_trails_no_bloom_and_512_square():
    prog = osc.compile(_with({}))
    assert (prog.trails, prog.feedback, prog.size, prog.bloom) == (0.0, None, (512, 512), None)


def test_display_settings_compile_into_the_program():
    prog = osc.compile(
        _with({"trails": 0.25, "size": [64, 32], "feedback": {"rotate": 0.5}, "bloom": {"intensity": 2}})
    )
    assert prog.trails == 0.25
    assert prog.size == (64, 32)
    assert prog.feedback == (1.0, 0.5, 0.0, 0.0)  # missing members: the identity
    assert prog.bloom == (0.8, 2.0, 0.02)  # missing members: the documented defaults
