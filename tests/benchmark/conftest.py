"""Patches of the benchmark tests: a small drawn grid, a circle, two Arrays."""

import pytest
from support.builders import blk, edge, make_patch


@pytest.fixture
def grid_patch() -> dict:
    """An Array of 100 lanes on a 10 x 10 GridLayout (the defaults), a per-lane Lag into the size."""
    return make_patch(
        [
            blk("array", "Array", count=100),
            blk("grid", "GridLayout"),
            blk("lag", "Lag", smoothing=0.5),
            blk("draw", "RenderInstances2D"),
        ],
        [
            edge("array.elements", "grid.elements"),
            edge("array.t", "lag.target"),
            edge("grid.position", "draw.pos"),
            edge("lag.out", "draw.size"),
            edge("array.elements", "draw.shape"),
        ],
    )


@pytest.fixture
def circle_patch() -> dict:
    return make_patch(
        [
            blk("ring", "Array", count=12),
            blk("circle", "CircleLayout", radius=0.25),
            blk("draw", "RenderInstances2D"),
        ],
        [edge("ring.elements", "circle.elements"), edge("circle.position", "draw.pos")],
    )


@pytest.fixture
def two_arrays_patch() -> dict:
    """Arrays ``a`` (50 lanes, a 5 x 10 grid) and ``b`` (30 lanes, a circle), each drawn."""
    return make_patch(
        [
            blk("a", "Array", count=50),
            blk("grid", "GridLayout", rows=5, cols=10),
            blk("b", "Array", count=30),
            blk("circle", "CircleLayout"),
            blk("drawA", "RenderInstances2D"),
            blk("drawB", "RenderInstances2D"),
        ],
        [
            edge("a.elements", "grid.elements"),
            edge("grid.position", "drawA.pos"),
            edge("b.elements", "circle.elements"),
            edge("circle.position", "drawB.pos"),
        ],
    )
