"""External channels (docs/language/external-channels.md#channels, #io-blocks): ExternalInput, ExternalGate and
ExternalVec2 on the GPU Runtime and the numpy ReferenceRuntime, the channel limit, the channel names never reaching
WGSL, and the window's MouseChannels driving a runtime."""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import assert_close, normalized_index
from support.reported import reported
from support.running import gpu_or_skip

import oscilla as osc
from oscilla.runtime.clock import UnknownChannelWarning
from oscilla.window import MouseChannels

pytestmark = pytest.mark.gpu

TOL = 1e-5


def _runtime(cls, blocks, edges=(), observe=()):
    prog = osc.compile(make_patch(blocks, edges), observe=list(observe))
    return prog, cls(prog)


def test_set_input_then_step_and_never_set_reads_zero(runtime_cls):
    prog, rt = _runtime(
        runtime_cls,
        [blk("x", "ExternalInput", channel="knob.1"), blk("m", "ExternalInput")],
        observe=["x.value", "m.value"],
    )
    assert prog.channels == ("knob.1", "mouse.x")  # first-use order; the default channel is mouse.x
    rt.step(0)
    assert_close(rt.read("x.value"), 0.0, TOL, "never set")
    assert_close(rt.read("m.value"), 0.0, TOL, "never set (mouse.x)")
    rt.set_input("knob.1", 0.25)
    assert_close(rt.read("x.value"), 0.0, TOL, "the last frame is unchanged until the next step")
    rt.step(16)
    assert_close(rt.read("x.value"), 0.25, TOL, "used from the next frame on")
    rt.step(32)
    assert_close(rt.read("x.value"), 0.25, TOL, "a value channel keeps its value")
    rt.set_input("knob.1", -7.5)
    rt.set_input("knob.1", 3.125)  # only the snapshot at the start of the frame counts
    rt.set_input("mouse.x", 0.75)
    with pytest.warns(UnknownChannelWarning, match="not.read.by.this.program"):
        rt.set_input("not.read.by.this.program", 9.0)
    rt.step(48)
    assert_close(rt.read("x.value"), 3.125, TOL)
    assert_close(rt.read("m.value"), 0.75, TOL)
    rt.reset()  # channels are host inputs: they survive a reset
    rt.step(0)
    assert_close(rt.read("x.value"), 3.125, TOL)


def test_set_before_the_first_frame(runtime_cls):
    prog, rt = _runtime(runtime_cls, [blk("x", "ExternalInput", channel="a")], observe=["x.value"])
    rt.set_input("a", 42)
    rt.step(0)
    assert_close(rt.read("x.value"), 42.0, TOL)


def test_external_gate_threshold(runtime_cls):
    blocks = [blk("g", "ExternalGate", channel="level", threshold=0.3), blk("d", "ExternalGate", channel="level")]
    prog, rt = _runtime(runtime_cls, blocks, observe=["g.gate", "d.gate"])
    assert prog.channels == ("level",)
    got = []
    for v in (None, 0.2, 0.3, 0.2999, 0.5, 0.7, -1.0):
        if v is not None:
            rt.set_input("level", v)
        rt.step(0)
        got.append((float(rt.read("g.gate")), float(rt.read("d.gate"))))
    # value >= threshold (0.3 and the default 0.5); a never-set channel reads 0
    assert got == [(0, 0), (0, 0), (1, 0), (0, 0), (1, 1), (1, 1), (0, 0)]


def test_external_vec2_bases(runtime_cls):
    blocks = [
        blk("m", "ExternalVec2"),
        blk("w", "ExternalVec2", channelBase="mouse.wheel"),
        blk("p", "ExternalVec2", channelBase="pad"),
        blk("x", "ExternalInput", channel="pad.y"),
    ]
    prog, rt = _runtime(runtime_cls, blocks, observe=["m.position", "w.position", "p.position", "x.value"])
    assert set(prog.channels) == {"mouse.x", "mouse.y", "mouse.wheel.dx", "mouse.wheel.dy", "pad.x", "pad.y"}
    assert len(prog.channels) == 6  # pad.y is shared by p and x
    rt.step(0)
    for port in ("m.position", "w.position", "p.position"):
        assert rt.read(port).shape == (2,)
        assert_close(rt.read(port), [0, 0], TOL, port + " never set")
    values = {
        "mouse.x": 0.1,
        "mouse.y": 0.9,
        "mouse.wheel.dx": 3.0,
        "mouse.wheel.dy": -120.0,
        "mouse.wheel.x": 77.0,
        "pad.x": -0.5,
        "pad.y": 0.625,
    }
    with pytest.warns(UnknownChannelWarning, match="mouse.wheel.x"):  # the one name this program does not read
        for k, v in values.items():
            rt.set_input(k, v)
    rt.step(10)
    assert_close(rt.read("m.position"), [0.1, 0.9], TOL)
    assert_close(rt.read("w.position"), [3.0, -120.0], TOL, "mouse.wheel reads .dx/.dy, not .x")
    assert_close(rt.read("p.position"), [-0.5, 0.625], TOL)
    assert_close(rt.read("x.value"), 0.625, TOL)


def test_channels_feed_fields_and_math(runtime_cls):
    """A channel broadcast into a field kernel and into vector math, updated every frame."""
    blocks = [
        blk("a", "Array", count=1001),
        blk("x", "ExternalInput", channel="gain"),
        blk("mul", "Multiply"),
        blk("v", "ExternalVec2"),
        blk("off", "Add"),
    ]
    edges = [edge("a.t", "mul.a"), edge("x.value", "mul.b"), edge("v.position", "off.a"), edge("x.value", "off.b")]
    prog, rt = _runtime(runtime_cls, blocks, edges, observe=["mul.out", "off.out"])
    t = normalized_index(1001)
    for f, (gain, mx, my) in enumerate([(0.0, 0.0, 0.0), (2.0, 0.25, 0.5), (-3.5, 0.75, 0.125)]):
        rt.set_input("gain", gain)
        rt.set_input("mouse.x", mx)
        rt.set_input("mouse.y", my)
        rt.step(16.0 * f)
        assert_close(rt.read("mul.out"), t * np.float32(gain), TOL, f"frame {f} field")
        assert_close(rt.read("off.out"), [mx + gain, my + gain], TOL, f"frame {f} vec2 + float")


def test_both_runtimes_agree():
    gpu_or_skip()
    blocks = [
        blk("x", "ExternalInput", channel="c0"),
        blk("g", "ExternalGate", channel="c1"),
        blk("v", "ExternalVec2", channelBase="c2"),
        blk("a", "Array", count=64),
        blk("s", "Add"),
    ]
    edges = [edge("a.t", "s.a"), edge("x.value", "s.b")]
    prog = osc.compile(make_patch(blocks, edges), observe=["x.value", "g.gate", "v.position", "s.out"])
    rts = [osc.Runtime(prog), osc.ReferenceRuntime(prog)]
    rng = np.random.default_rng(7)
    for f in range(5):
        vals = rng.uniform(-2, 2, 4)
        for rt in rts:
            for name, v in zip(("c0", "c1", "c2.x", "c2.y"), vals):
                rt.set_input(name, float(v))
            rt.step(f * 10.0)
        for port in ("x.value", "g.gate", "v.position", "s.out"):
            assert_close(rts[0].read(port), rts[1].read(port), TOL, f"frame {f} {port}")


# -- limits and codegen ------------------------------------------------------------------------------------------
def _chain_patch(n_channels: int) -> dict:
    """n ExternalInput blocks on distinct channels, summed into a rendered size (so every block
    reaches a render sink)."""
    blocks = [blk("arr", "Array", count=4), blk("grid", "GridLayout"), blk("r", "RenderInstances2D")]
    edges = [edge("arr.elements", "grid.elements"), edge("grid.position", "r.pos")]
    prev = None
    for k in range(n_channels):
        blocks.append(blk(f"e{k}", "ExternalInput", channel=f"ch{k}"))
        if prev is None:
            prev = f"e{k}.value"
            continue
        blocks.append(blk(f"s{k}", "Add"))
        edges += [edge(prev, f"s{k}.a"), edge(f"e{k}.value", f"s{k}.b")]
        prev = f"s{k}.out"
    edges.append(edge(prev, "r.size"))
    return make_patch(blocks, edges)


def test_64_channels_fit(runtime_cls):
    prog = osc.compile(_chain_patch(64), observe=["e63.value", "e0.value", "s63.out"])
    assert len(prog.channels) == 64 and prog.channels[63] == "ch63"
    rt = runtime_cls(prog)
    for k in range(64):
        rt.set_input(f"ch{k}", k * 0.5)
    rt.step(0)
    assert_close(rt.read("e63.value"), 31.5, TOL)
    assert_close(rt.read("e0.value"), 0.0, TOL)
    assert_close(rt.read("s63.out"), 0.5 * sum(range(64)), TOL)


def test_65_distinct_channels_is_limit_exceeded():
    e = reported(_chain_patch(65))
    errors = [d for d in e.value.diagnostics if d.severity == "error"]
    assert [(d.code, d.block) for d in errors] == [("E_LIMIT_EXCEEDED", "e64")]
    # an ExternalVec2 whose second channel is the 65th is reported too; reusing names is free
    p = _chain_patch(63)
    p["blocks"] += [blk("v", "ExternalVec2", channelBase="extra"), blk("again", "ExternalInput", channel="ch5")]
    e = reported(p)
    assert [(d.code, d.block) for d in e.value.diagnostics if d.severity == "error"] == [("E_LIMIT_EXCEEDED", "v")]


def test_channel_names_never_reach_wgsl():
    secret = "zq_secret_channel_9471"
    blocks = [
        blk("x", "ExternalInput", channel=secret),
        blk("g", "ExternalGate", channel=secret + ".g"),
        blk("v", "ExternalVec2", channelBase=secret),
        blk("a", "Array", count=10),
        blk("m", "Multiply"),
    ]
    prog = osc.compile(make_patch(blocks, [edge("a.t", "m.a"), edge("x.value", "m.b")]), observe="all")
    assert secret in prog.channels
    for name, text in prog.wgsl.items():
        assert "zq_secret" not in text, name
    assert "zq_secret" not in prog.format_ir()
    assert any("fu.ext[" in text for text in prog.wgsl.values())


@pytest.mark.parametrize(
    "params", [{"channel": 5}, {"channel": None}, {"channel": ["a"]}, {"threshold": "x"}, {"threshold": float("nan")}]
)
def test_bad_io_params(params):
    e = reported(make_patch([blk("g", "ExternalGate", **params)]))
    assert [(d.code, d.block, d.port) for d in e.value.diagnostics if d.severity == "error"] == [
        ("E_PARAM_INVALID", "g", next(iter(params)))
    ]
    assert [d.code for d in reported(make_patch([blk("v", "ExternalVec2", channelBase=1)])).diagnostics] == [
        "E_PARAM_INVALID"
    ]


# -- the window's mouse ---------------------------------------------------------------------------------------
def test_mouse_channels_drive_external_vec2(runtime_cls):
    blocks = [
        blk("m", "ExternalVec2"),
        blk("w", "ExternalVec2", channelBase="mouse.wheel"),
        blk("over", "ExternalInput", channel="mouse.over"),
        blk("down", "ExternalGate", channel="mouse.button.left.down"),
    ]
    prog, rt = _runtime(runtime_cls, blocks, observe=["m.position", "w.position", "over.value", "down.gate"])
    mouse = MouseChannels()
    w, h = 800, 600  # S = 600
    mouse.handle({"event_type": "pointer_enter", "x": 250, "y": 450}, w, h)
    mouse.handle({"event_type": "pointer_down", "x": 250, "y": 450, "button": 1}, w, h)
    mouse.handle({"event_type": "wheel", "dx": 2.0, "dy": -3.0, "x": 250, "y": 450}, w, h)
    mouse.handle({"event_type": "wheel", "dx": 0.5, "dy": -1.0, "x": 250, "y": 450}, w, h)
    mouse.apply(rt)
    rt.step(0)
    # x = 0.5 + (px - W/2)/S, y = 0.5 + (py - H/2)/S
    assert_close(rt.read("m.position"), [0.5 + (250 - 400) / 600, 0.5 + (450 - 300) / 600], TOL)
    assert_close(rt.read("m.position"), [0.25, 0.75], TOL)
    assert_close(rt.read("w.position"), [2.5, -4.0], TOL, "wheel deltas summed since the previous frame")
    assert float(rt.read("over.value")) == 1.0 and float(rt.read("down.gate")) == 1.0
    mouse.handle({"event_type": "pointer_move", "x": 100, "y": 0}, w, h)  # W16: pixel (100, 0) -> (0, 0)
    mouse.apply(rt)
    rt.step(16)
    assert_close(rt.read("m.position"), [0.0, 0.0], TOL)
    assert_close(rt.read("w.position"), [0.0, 0.0], TOL, "the wheel accumulator restarts every frame")
    assert float(rt.read("down.gate")) == 0.0, "down is a one-frame pulse"


def test_uniform_host_copy_is_built_once():
    """The per-frame path reuses one host buffer: step packs time into it, set_input writes the
    channel values into its ext view."""
    gpu_or_skip()
    prog = osc.compile(make_patch([blk("x", "ExternalInput", channel="k")]), observe=["x.value"])
    rt = osc.Runtime(prog)
    buf, ext = rt.uniforms.data, rt.uniforms.ext
    rt.set_input("k", 1.5)
    for f in range(3):
        rt.step(f)
    assert rt.uniforms.data is buf and rt.uniforms.ext is ext
    assert ext[0] == np.float32(1.5) and not ext[1:].any()
    assert_close(rt.read("x.value"), 1.5, TOL)
