"""RenderInstances2D's ``blend`` param and ``strokeWidth`` / ``strokeColor`` inputs
(docs/language/rendering.md#blend-modes, #strokes): validation, what the compiled sink records, and
the stroke values on both runtimes. The pixels are tested in tests/drawing/test_blend_strokes.py."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc


def _patch(n: int = 4, extra=(), extra_edges=(), **draw) -> dict:
    return make_patch(
        [blk("arr", "Array", count=n), blk("lay", "LineLayout"), blk("draw", "RenderInstances2D", **draw), *extra],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), *extra_edges],
    )


@pytest.mark.parametrize("value", ["Add", "lighten", 3, None])
def test_unknown_blend_mode_is_param_invalid_with_the_allowed_list(value):
    with pytest.raises(osc.CompileError) as exc:
        osc.compile(_patch(blend=value))
    [d] = exc.value.diagnostics
    assert (d.code, d.block, d.port) == ("E_PARAM_INVALID", "draw", "blend")
    assert "over, add, multiply, screen" in d.message


@pytest.mark.parametrize("mode", ["over", "add", "multiply", "screen"])
def test_blend_mode_is_recorded_on_the_sink(mode):
    [sink] = osc.compile(_patch(blend=mode)).sinks
    assert sink.blend == mode


def test_default_sink_is_over_without_strokes():
    [sink] = osc.compile(_patch()).sinks
    assert (sink.blend, sink.stroke_width, sink.stroke_color) == ("over", None, None)


def test_connected_stroke_width_gets_slots():
    program = osc.compile(_patch(strokeWidth=0.01))
    [sink] = program.sinks
    assert sink.stroke_width is not None and sink.stroke_color is not None
    assert program.slot_meta[sink.stroke_width].stride == 1
    assert program.slot_meta[sink.stroke_color].stride == 4


def test_stroke_inputs_per_lane_on_both_runtimes(runtime_cls):
    """strokeWidth = 0.01 + 0.02 t (a field over the lanes) and strokeColor = (0.2, 0.5, 1, t)."""
    extra = [
        blk("w", "Expression", expression="0.01 + 0.02 * in0"),
        blk("c", "ApplyOpacity", color=[0.2, 0.5, 1.0, 1.0]),
    ]
    edges = [
        edge("arr.t", "w.in0"),
        edge("arr.t", "c.opacity"),
        edge("w.out", "draw.strokeWidth"),
        edge("c.out", "draw.strokeColor"),
    ]
    patch = _patch(5, extra, edges, blend="screen")
    rt = runtime_cls(osc.compile(patch, observe=["draw.strokeWidth", "draw.strokeColor"]))
    rt.step(0.0)
    t = np.arange(5) / 4
    np.testing.assert_allclose(rt.read("draw.strokeWidth"), 0.01 + 0.02 * t, rtol=1e-6)
    want = np.stack([np.full(5, 0.2), np.full(5, 0.5), np.ones(5), t], 1)
    np.testing.assert_allclose(rt.read("draw.strokeColor"), want, atol=1e-6)
