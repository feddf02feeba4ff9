"""ShapeSelect (docs/language/rendering.md#per-lane-shapes): the selected shape values on both runtimes against
shape tuples written here, the index rule (Euclidean modulo the number of shapes; a NaN-derived index is 0),
and the diagnostics of bad wiring. The drawn pixels are tested in tests/drawing/test_shape_select.py."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.drawing.instances import SHAPE_ANY, static_shape_kind

N = 12
#: the shapes as (kind, a, b, rotation, cornerRadius), written from docs/language/rendering.md#geometry
ELLIPSE = (0.0, 0.03, 0.02, 0.25, 0.0)
RECT = (1.0, 0.05, 0.04, 0.0, 0.01)
STAR = (2.0, 0.0, 0.0, 0.0, 0.0)


def _patch(expression: str, shapes=("e", "r", "s"), n: int = N) -> dict:
    blocks = [
        blk("e", "Ellipse", rx=ELLIPSE[1], ry=ELLIPSE[2], rotation=ELLIPSE[3]),
        blk("r", "Rect", width=RECT[1], height=RECT[2], cornerRadius=RECT[4]),
        blk("s", "ProceduralStar", outerRadius=0.04, innerRadius=0.015),
        blk("arr", "Array", count=n),
        blk("idx", "Expression", expression=expression),
        blk("sel", "ShapeSelect"),
        blk("lay", "LineLayout", y0=0.5, y1=0.5),
        blk("draw", "RenderInstances2D"),
    ]
    edges = [edge(f"{src}.shape", f"sel.shape{i}") for i, src in enumerate(shapes)]
    edges += [
        edge("arr.index", "idx.in0"),
        edge("idx.out", "sel.index"),
        edge("arr.elements", "lay.elements"),
        edge("lay.position", "draw.pos"),
        edge("sel.shape", "draw.shape"),
    ]
    return make_patch(blocks, edges)


def _selected(runtime_cls, expression: str) -> np.ndarray:
    rt = runtime_cls(osc.compile(_patch(expression), observe=["sel.shape"]))
    rt.step(0.0)
    return np.asarray(rt.read("sel.shape"), dtype=np.float64).reshape(N, 5)


def _expected(indices) -> np.ndarray:
    table = (ELLIPSE, RECT, STAR)
    return np.array([table[i] for i in indices], dtype=np.float32).astype(np.float64)


def test_each_lane_gets_the_shape_its_index_names(runtime_cls):
    got = _selected(runtime_cls, "in0 % 3")
    np.testing.assert_array_equal(got, _expected([i % 3 for i in range(N)]))


def test_an_index_out_of_range_wraps_euclidean(runtime_cls):
    # lane i: index i - 5 runs from -5 to 6: -1 selects the last shape, 3 the first again
    got = _selected(runtime_cls, "in0 - 5")
    want = [(i - 5) % 3 for i in range(N)]  # Python's % is Euclidean for a positive divisor
    assert want[4] == 2 and want[8] == 0
    np.testing.assert_array_equal(got, _expected(want))


def test_a_large_negative_index_wraps_too(runtime_cls):
    got = _selected(runtime_cls, "in0 * 1000003 - 2000000000")
    want = [(i * 1000003 - 2000000000) % 3 for i in range(N)]
    np.testing.assert_array_equal(got, _expected(want))


def test_a_nan_derived_index_selects_shape0(runtime_cls):
    # floor of NaN converts to int 0 (docs/language/rendering.md#per-lane-shapes), so NaN lanes draw shape0;
    # lanes 0..3 have sqrt of a non-negative number: floor(sqrt(3 - i)) = 1, 1, 1, 0
    got = _selected(runtime_cls, "floor(sqrt(3.0 - in0))")
    want = [1, 1, 1, 0] + [0] * (N - 4)
    np.testing.assert_array_equal(got, _expected(want))


def test_the_sink_draws_per_lane_kinds_with_the_generic_pipeline():
    program = osc.compile(_patch("in0 % 3"))
    [sink] = program.sinks
    assert sink.path is not None  # the star's control points travel with the selection
    assert static_shape_kind(program.nodes, program.slot_meta, sink) == SHAPE_ANY


def test_the_same_path_twice_is_one_path():
    program = osc.compile(_patch("in0 % 3", shapes=("s", "e", "s")))
    assert program.sinks[0].path is not None


# ------------------------------------------------------------------ diagnostics


def _error(patch: dict) -> osc.Diagnostic:
    with pytest.raises(osc.CompileError) as e:
        osc.compile(patch)
    errors = [d for d in e.value.diagnostics if d.severity == "error"]
    assert len(errors) == 1, errors
    return errors[0]


def test_no_shape_connected():
    d = _error(_patch("in0 % 3", shapes=()))
    assert (d.code, d.block, d.port) == ("E_MISSING_INPUT", "sel", "shape0")


def test_a_gap_among_the_shapes():
    patch = _patch("in0 % 3", shapes=("e", "r"))
    patch["edges"] = [e for e in patch["edges"] if e["to"] != "sel.shape0"]
    d = _error(patch)
    assert (d.code, d.block, d.port) == ("E_MISSING_INPUT", "sel", "shape0")
    assert "without gaps" in d.message


def test_a_non_shape_input():
    patch = _patch("in0 % 3", shapes=("e",))
    patch["blocks"].append(blk("k", "Const", value=0.5))
    patch["edges"].append(edge("k.out", "sel.shape1"))
    d = _error(patch)
    assert (d.code, d.block, d.port) == ("E_TYPE_MISMATCH", "sel", "shape1")


def test_an_index_from_another_instance():
    patch = _patch("in0 % 3")
    patch["blocks"].append(blk("other", "Array", count=5))
    patch["edges"] = [e for e in patch["edges"] if e["from"] != "arr.index"] + [edge("other.index", "idx.in0")]
    d = _error(patch)
    assert (d.code, d.block, d.port) == ("E_INSTANCE_MISMATCH", "draw", "shape")
    assert "ShapeSelect index" in d.message


def test_a_second_path_is_refused():
    patch = _patch("in0 % 3", shapes=("e", "s", "p"))
    patch["blocks"].append(blk("p", "ProceduralPolygon", sides=6))
    d = _error(patch)
    assert (d.code, d.block, d.port) == ("E_TYPE_MISMATCH", "sel", "shape2")
    assert "second path" in d.message


def test_an_image_is_refused(tmp_path):
    from PIL import Image

    Image.fromarray(np.zeros((2, 2, 4), np.uint8), "RGBA").save(tmp_path / "tex.png")
    patch = _patch("in0 % 3", shapes=("e", "img"))
    patch["blocks"].append(blk("img", "Image", path="tex.png"))
    p = osc.Patch.from_dict(patch)
    p.base_dir = tmp_path
    with pytest.raises(osc.CompileError) as e:
        osc.compile(p)
    [d] = [d for d in e.value.diagnostics if d.severity == "error"]
    assert (d.code, d.block, d.port) == ("E_TYPE_MISMATCH", "sel", "shape1")
    assert "Image" in d.message
