"""Specialized render pipelines per shape kind (issue 10 item 7; oscilla/drawing/instances.py).

A sink whose shape is a compile-time constant draws with a pipeline whose fragment stage holds only
that kind's distance function. The kinds are checked against codes written here (0 ellipse, 1 rect,
2 path, 3 any, 4 circle), and the specialized images against the generic pipeline (the per-lane
kind branch every image was drawn with before) bit for bit.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import oscilla as osc
from oscilla.drawing.instances import InstanceRenderer, _pipeline

pytestmark = pytest.mark.gpu


def shape_patch(shape: dict) -> dict:
    return {
        "oscilla": 1,
        "blocks": [
            {"id": "time", "type": "InfiniteTimeRoot"},
            shape | {"id": "shape"},
            {"id": "array", "type": "Array", "params": {"count": 9}},
            {"id": "grid", "type": "GridLayout", "params": {"rows": 3, "cols": 3}},
            {"id": "draw", "type": "RenderInstances2D"},
        ],
        "edges": [
            {"from": "shape.shape", "to": "array.element"},
            {"from": "array.elements", "to": "grid.elements"},
            {"from": "grid.position", "to": "draw.pos"},
            {"from": "array.elements", "to": "draw.shape"},
        ],
    }


@pytest.mark.parametrize(
    ("shape", "kind"),
    [
        ({"type": "Ellipse", "params": {"rx": 0.1, "ry": 0.1}}, 4),
        ({"type": "Ellipse", "params": {"rx": 0.12, "ry": 0.05}}, 0),
        ({"type": "Rect", "params": {"width": 0.2, "height": 0.1}}, 1),
    ],
)
def test_constant_shape_selects_its_kind(shape, kind):
    rt = osc.Runtime(osc.compile(shape_patch(shape)))
    rt.step(0.0)
    rt.render(64, 64)
    assert rt._get_renderer().shape_kinds == (kind,)


def test_path_example_selects_path_kind(examples_dir):
    rt = osc.Runtime(osc.compile(examples_dir / "star-paths.json"))
    assert rt._get_renderer().shape_kinds == (2,)


def test_without_nodes_every_sink_is_generic(examples_dir):
    rt = osc.Runtime(osc.compile(examples_dir / "shape-kaleidoscope.json"))
    r = InstanceRenderer(rt.device, rt.values.buffers["f32"], rt.program.slot_meta, rt.program.sinks)
    assert r.shape_kinds == (3, 3)


def test_unknown_kind_is_a_value_error(device):
    with pytest.raises(ValueError, match="shape kind"):
        _pipeline(device, "rgba8unorm", "over", 7)


@pytest.mark.parametrize(
    "name", ["golden-spiral", "rect-mosaic", "shape-kaleidoscope", "star-paths", "orbital-rings", "camera-orbit"]
)
def test_specialized_images_equal_generic(examples_dir, name):
    program = osc.compile(json.loads((examples_dir / f"{name}.json").read_text()))
    fast = osc.Runtime(program)
    generic = osc.Runtime(program)
    generic._renderers["rgba8unorm"] = InstanceRenderer(
        generic.device, generic.values.buffers["f32"], program.slot_meta, program.sinks
    )
    assert any(k != 3 for k in fast._get_renderer().shape_kinds)
    for rt in (fast, generic):
        rt.step(1234.0)
    a, b = fast.render(160, 120), generic.render(160, 120)
    assert a.shape == (120, 160, 4)
    assert (a[..., :3] > 0).any()
    assert np.array_equal(a, b)
