"""Runtime.render keeps a bounded number of offscreen targets: many sizes in one session do not
accumulate textures, and a size rendered again after its target was released still renders."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.runtime import executor

pytestmark = pytest.mark.gpu


def _dot():
    return make_patch(
        [
            blk("arr", "Array", count=1),
            blk("draw", "RenderInstances2D", size=0.5, color=[1.0, 1.0, 1.0, 1.0]),
            blk("grid", "GridLayout"),
        ],
        [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")],
    )


def test_many_render_sizes_keep_at_most_the_bound_and_every_size_still_renders(device):
    rt = osc.Runtime(osc.compile(_dot()))
    rt.step(0.0)
    sizes = [(8 + k, 8 + k) for k in range(3 * executor.MAX_RENDER_TARGETS)]
    for w, h in sizes + sizes[:2]:
        img = rt.render(w, h)
        assert img.shape == (h, w, 4)
        assert img[..., 0].max() > 0  # the white dot is drawn on the black background
        assert (img[..., 3] == 255).all()
        assert len(rt._targets) <= executor.MAX_RENDER_TARGETS
    assert list(rt._targets)[-1] == sizes[1]  # most recently used last
    np.testing.assert_array_equal(rt.render(*sizes[1]), rt.render(*sizes[1]))
