"""``compile(observe=...)`` checks its argument's type before any work (issue 9): None, "all", one
"block.port" str or an iterable of them; anything else is a TypeError naming what it got."""

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc


def patch():
    return make_patch(
        [blk("arr", "Array", count=3), blk("ring", "CircleLayout"), blk("draw", "RenderInstances2D")],
        [edge("arr.elements", "ring.elements"), edge("ring.position", "draw.pos")],
    )


@pytest.mark.parametrize(
    "observe, named",
    [
        ([123], "int 123"),
        (["time.tMs", None], "NoneType None"),
        (123, "int 123"),
        (1.5, "float 1.5"),
        (b"time.tMs", "bytes b'time.tMs'"),
        ([b"time.tMs"], "bytes b'time.tMs'"),
        (object, "type"),
    ],
)
def test_bad_observe_is_a_type_error_naming_it(observe, named):
    with pytest.raises(TypeError, match="observe") as e:
        osc.compile(patch(), observe=observe)
    assert named in str(e.value)


def test_observe_index_of_the_bad_item_is_named():
    with pytest.raises(TypeError, match=r"observe\[1\]"):
        osc.compile(patch(), observe=["time.tMs", 5])


@pytest.mark.parametrize(
    "observe",
    [
        "time.tMs",
        ["time.tMs"],
        ("time.tMs", "arr.t"),
        {"time.tMs"},
        (p for p in ["time.tMs"]),  # a generator is consumed once
    ],
)
def test_str_and_iterables_of_str_are_accepted(observe):
    prog = osc.compile(patch(), observe=observe)
    assert "time.tMs" in prog.ports


def test_none_and_all():
    assert "time.tMs" not in osc.compile(patch(), observe=None).ports
    assert "arr.t" in osc.compile(patch(), observe="all").ports
