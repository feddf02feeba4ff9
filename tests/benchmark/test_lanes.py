"""The lanes override keeps patches valid: counts are the override, grids hold every lane in a cell
of its own with the aspect they had, circles need nothing; bad input is a BenchInputError."""

import math

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.benchmark.lanes import BenchInputError, grid_dims, override_lanes


def _compiled(override, observe=()):
    return osc.compile(override.patch, observe=list(observe))


@pytest.mark.parametrize("lanes", [1, 7, 100, 1000, 12345])
def test_grid_layout_gets_a_cell_per_lane(grid_patch, lanes):
    ov = override_lanes(osc.load_patch(grid_patch), lanes)
    params = ov.patch.block("grid").params
    rows, cols = params["rows"], params["cols"]
    assert rows * cols >= lanes
    assert rows * cols < lanes + cols  # no spare row: the grid is as small as it can be
    assert 0.5 <= cols / rows <= 2.0 or lanes < 4  # the square grid stays about square
    program = _compiled(ov, ["grid.position"])
    assert program.instances["array"][0] == lanes
    ref = osc.ReferenceRuntime(program)
    ref.step(0.0)
    pos = np.asarray(ref.read("grid.position"))[:, :2]
    assert pos.shape == (lanes, 2)
    assert len(np.unique(np.round(pos, 6), axis=0)) == lanes  # no two lanes share a cell
    assert np.all((pos > 0) & (pos < 1))


def test_grid_keeps_its_aspect_and_fill():
    patch = make_patch(
        [blk("array", "Array", count=50), blk("grid", "GridLayout", rows=20, cols=5), blk("d", "RenderInstances2D")],
        [edge("array.elements", "grid.elements"), edge("grid.position", "d.pos")],
    )
    ov = override_lanes(osc.load_patch(patch), 10_000)
    rows, cols = ov.grids["grid"]
    # written: 100 cells for 50 lanes (fill 2), cols/rows = 0.25
    assert rows * cols >= 20_000
    assert cols / rows == pytest.approx(0.25, rel=0.1)
    assert (ov.patch.block("grid").params["rows"], ov.patch.block("grid").params["cols"]) == (rows, cols)


def test_circle_layout_spreads_the_new_count_evenly(circle_patch):
    ov = override_lanes(osc.load_patch(circle_patch), 1000)
    program = _compiled(ov, ["circle.position"])
    assert program.instances["ring"][0] == 1000
    ref = osc.ReferenceRuntime(program)
    ref.step(0.0)
    pos = np.asarray(ref.read("circle.position"), dtype=np.float64)
    theta = 2 * math.pi * np.arange(1000) / 1000
    np.testing.assert_allclose(pos[:, 0], 0.5 + 0.25 * np.cos(theta), atol=1e-5)
    np.testing.assert_allclose(pos[:, 1], 0.5 + 0.25 * np.sin(theta), atol=1e-5)


def test_every_array_or_only_the_chosen_one(two_arrays_patch):
    model = osc.load_patch(two_arrays_patch)
    every = override_lanes(model, 400)
    assert every.arrays == ["a", "b"]
    assert {k: n for k, (n, _s) in _compiled(every).instances.items()} == {"a": 400, "b": 400}
    only_b = override_lanes(model, 400, array="b")
    assert {k: n for k, (n, _s) in _compiled(only_b).instances.items()} == {"a": 50, "b": 400}
    assert "grid" not in only_b.grids  # the grid of a is left as written
    assert only_b.patch.block("grid").params == {"rows": 5, "cols": 10}
    rows, cols = override_lanes(model, 400, array="a").grids["grid"]
    assert rows * cols >= 400 and cols / rows == pytest.approx(2.0, rel=0.15)


def test_the_input_patch_is_not_changed(two_arrays_patch):
    model = osc.load_patch(two_arrays_patch)
    before = model.to_dict()
    override_lanes(model, 1000)
    assert model.to_dict() == before


def test_a_grid_fed_through_another_block_is_found():
    patch = make_patch(
        [
            blk("array", "Array", count=100),
            blk("b", "Broadcast", payloadType="shape"),
            blk("grid", "GridLayout"),
            blk("d", "RenderInstances2D"),
        ],
        [edge("array.elements", "b.signal"), edge("b.field", "grid.elements"), edge("grid.position", "d.pos")],
    )
    # only the edge structure matters to the override (the compiler judges the patch itself)
    assert "grid" in override_lanes(osc.load_patch(patch), 1000).grids


def test_a_grid_with_wired_rows_is_left_alone_with_a_note():
    patch = make_patch(
        [
            blk("array", "Array", count=100),
            blk("rows", "Const", value=4),
            blk("grid", "GridLayout", cols=25),
            blk("d", "RenderInstances2D"),
        ],
        [edge("array.elements", "grid.elements"), edge("rows.out", "grid.rows"), edge("grid.position", "d.pos")],
    )
    ov = override_lanes(osc.load_patch(patch), 1000)
    assert ov.grids == {}
    assert ov.patch.block("grid").params == {"cols": 25}
    assert len(ov.notes) == 1 and "'grid'" in ov.notes[0] and "rows" in ov.notes[0]


@pytest.mark.parametrize("cells, aspect", [(1, 1.0), (2, 1.0), (1000, 1.0), (1000, 4.0), (999_983, 0.3), (5, 100.0)])
def test_grid_dims_cover_the_cells(cells, aspect):
    rows, cols = grid_dims(cells, aspect)
    assert rows >= 1 and cols >= 1 and rows * cols >= cells
    assert rows * cols < cells + cols


def test_bad_input_is_a_bench_input_error(grid_patch, two_arrays_patch):
    model = osc.load_patch(grid_patch)
    for lanes in (0, -5, 2**24 + 1, True, 10.0):
        with pytest.raises(BenchInputError, match="whole number"):
            override_lanes(model, lanes)
    with pytest.raises(BenchInputError, match=r"no Array block has the id 'nope'; the patch's Arrays: a, b"):
        override_lanes(osc.load_patch(two_arrays_patch), 10, array="nope")
    no_array = make_patch([blk("osc", "Oscillator")])
    with pytest.raises(BenchInputError, match="no Array block"):
        override_lanes(osc.load_patch(no_array), 10)
