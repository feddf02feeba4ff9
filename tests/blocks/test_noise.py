"""The gradient-noise blocks (oscilla/blocks/noise.py; docs/language/hashing-and-noise.md#gradient-noise)
against an independent float64 model written here: corner gradients from tables, the noise as a
sum over the cell's corners of fade weights times dot products (not the nested lerps of the
implementation), derivatives by finite differences of that model."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.noise_model import curl2d, noise2d, noise3d
from support.reported import reported

import oscilla as osc


def _grid_patch(noise_blocks, observe_extra=(), count=1000, cols=40, rows=25, zoom=7.3):
    """A field of positions p = zoom · grid position (+ offset), fed to ``noise_blocks``; observes
    the positions so the expected values are computed at the exact f32 inputs."""
    blocks = [
        blk("a", "Array", count=count),
        blk("g", "GridLayout", rows=rows, cols=cols),
        blk("m", "Multiply", b=zoom),
        blk("off", "Add", b=[-3.1, 1.7, 0.45]),  # negative and non-integer lattice cells
        blk("xy", "Expression", expression="in0.xy"),
    ]
    edges = [
        edge("a.elements", "g.elements"),
        edge("g.position", "m.a"),
        edge("m.out", "off.a"),
        edge("off.out", "xy.in0"),
    ]
    for b, src in noise_blocks:
        blocks.append(b)
        edges.append(edge(src, f"{b['id']}.p"))
    return make_patch(blocks, edges)


def _run(patch, observe, runtime_cls):
    rt = runtime_cls(osc.compile(patch, observe=observe))
    rt.step(0.0)
    return {k: np.asarray(rt.read(k), np.float64) for k in observe}


def test_noise2d_noise3d_match_the_model(runtime_cls):
    patch = _grid_patch(
        [
            (blk("n", "Noise2D"), "xy.out"),
            (blk("s", "Noise2D", seed=-7), "xy.out"),
            (blk("t", "Noise3D", seed=11), "off.out"),
        ]
    )
    got = _run(patch, ["xy.out", "off.out", "n.out", "s.out", "t.out"], runtime_cls)
    xy, xyz = got["xy.out"], got["off.out"]
    np.testing.assert_allclose(got["n.out"], [noise2d(x, y) for x, y in xy], atol=1e-5)
    np.testing.assert_allclose(got["s.out"], [noise2d(x, y, -7) for x, y in xy], atol=1e-5)
    np.testing.assert_allclose(got["t.out"], [noise3d(*p, seed=11) for p in xyz], atol=1e-5)
    for k in ("n.out", "s.out", "t.out"):  # a real spread of values, inside [-1, 1]
        assert got[k].min() < -0.4 and got[k].max() > 0.4 and np.abs(got[k]).max() <= 1.0, k


def test_noise_values_at_fixed_points():
    # the values of the documentation's example table (docs/language/hashing-and-noise.md#example-gradient-noise)
    assert noise2d(0, 0) == 0.0  # zero at every lattice point
    assert noise2d(0.5, 0.5) == pytest.approx(-0.176777, abs=1e-6)
    assert noise2d(3.7, 2.2) == pytest.approx(0.535048, abs=1e-6)
    assert noise2d(0.5, 0.5, seed=1) == pytest.approx(-0.426777, abs=1e-6)
    assert noise3d(0.5, 0.5, 0.5) == pytest.approx(0.361841, abs=1e-6)
    patch = make_patch(
        [blk("e", "ExternalVec2", channelBase="p"), blk("n", "Noise2D"), blk("c", "CurlNoise2D")],
        [edge("e.position", "n.p"), edge("e.position", "c.p")],
    )
    rt = osc.ReferenceRuntime(osc.compile(patch, observe=["n.out", "c.out"]))
    for x, y in [(0.5, 0.5), (3.7, 2.2), (-10.3, 4.6)]:
        rt.set_input("p.x", x)
        rt.set_input("p.y", y)
        rt.step(0.0)
        x32, y32 = float(np.float32(x)), float(np.float32(y))  # the channel values as the runtime holds them
        assert float(rt.read("n.out")) == pytest.approx(noise2d(x32, y32), abs=1e-5)
        np.testing.assert_allclose(rt.read("c.out"), curl2d(x32, y32), atol=1e-4)


def test_fractal_noise_is_the_weighted_octave_sum(runtime_cls):
    patch = _grid_patch(
        [
            (blk("f2", "FractalNoise", octaves=4, lacunarity=2.5, gain=0.6, seed=3), "xy.out"),
            (blk("f3", "FractalNoise", octaves=3), "off.out"),
            (blk("one", "FractalNoise", octaves=1, seed=5), "xy.out"),
        ],
        zoom=2.9,
    )
    got = _run(patch, ["xy.out", "off.out", "f2.out", "f3.out", "one.out"], runtime_cls)

    def fbm(p, octaves, lacunarity, gain, seed, noise):
        amps = [gain**o for o in range(octaves)]
        return sum(a * noise(*[lacunarity**o * v for v in p], seed=seed + o) for o, a in enumerate(amps)) / sum(amps)

    want2 = [fbm(p, 4, 2.5, 0.6, 3, noise2d) for p in got["xy.out"]]
    want3 = [fbm(p, 3, 2.0, 0.5, 0, noise3d) for p in got["off.out"]]
    np.testing.assert_allclose(got["f2.out"], want2, atol=1e-5)
    np.testing.assert_allclose(got["f3.out"], want3, atol=1e-5)
    np.testing.assert_allclose(got["one.out"], [noise2d(*p, seed=5) for p in got["xy.out"]], atol=1e-5)


def test_curl_noise_is_the_rotated_gradient_of_the_potential(runtime_cls):
    patch = _grid_patch([(blk("c", "CurlNoise2D", seed=2), "xy.out")])
    got = _run(patch, ["xy.out", "c.out"], runtime_cls)
    want = np.array([curl2d(x, y, seed=2) for x, y in got["xy.out"]])
    np.testing.assert_allclose(got["c.out"], want, atol=1e-4)
    assert np.abs(want).max() > 1.0  # not a field of zeros


def test_curl_noise_is_divergence_free_by_finite_differences(runtime_cls):
    # the velocity at p ± h along each axis, from the block itself; central differences of its
    # outputs give ∂vx/∂x = ∂²ψ/∂x∂y and ∂vy/∂y = -∂²ψ/∂x∂y, each large, whose sum (the divergence)
    # is left with the O(h²) error of the differences only
    h = 1.0 / 64  # exact in f32, so p ± h is exact for these p
    blocks, edges = [], []
    for name, off in {"xp": [h, 0], "xm": [-h, 0], "yp": [0, h], "ym": [0, -h]}.items():
        blocks += [blk(f"p{name}", "Add", b=off), blk(f"c{name}", "CurlNoise2D", seed=4)]
        edges += [edge("xy.out", f"p{name}.a"), edge(f"p{name}.out", f"c{name}.p")]
    patch = _grid_patch([], zoom=4.0)
    patch["blocks"] += blocks
    patch["edges"] += edges
    got = _run(patch, ["cxp.out", "cxm.out", "cyp.out", "cym.out"], runtime_cls)
    dvx_dx = (got["cxp.out"][:, 0] - got["cxm.out"][:, 0]) / (2 * h)
    dvy_dy = (got["cyp.out"][:, 1] - got["cym.out"][:, 1]) / (2 * h)
    div = np.abs(dvx_dx + dvy_dy)
    terms = np.abs(dvx_dx - dvy_dy) / 2  # |∂²ψ/∂x∂y|, what cancels
    assert terms.max() > 5.0  # measured 6.7
    assert div.max() < 0.005 * terms.max()  # measured 0.0103 against 6.7
    assert div.mean() < 0.005 * terms.mean()  # measured 0.0023 against 1.97


@pytest.mark.gpu
def test_gpu_equals_reference_on_fields_and_signals(device):
    # positions that move with time, so the noise runs in the per-frame field kernel (four lanes
    # per invocation: the vec4 twins) besides the signal kernel (the scalar helpers)
    patch = _grid_patch(
        [
            (blk("n2", "Noise2D", seed=9), "xy.out"),
            (blk("n3", "Noise3D", seed=9), "off.out"),
            (blk("f", "FractalNoise", octaves=6, seed=1), "off.out"),
            (blk("c", "CurlNoise2D", seed=9), "xy.out"),
        ],
        count=1003,  # a partial last group of four lanes
        zoom=13.0,
    )
    patch["blocks"] += [
        blk("move", "Add"),
        blk("e", "ExternalVec2", channelBase="q"),
        blk("sn", "Noise2D"),
        blk("sc", "CurlNoise2D"),
    ]
    patch["edges"] = [e for e in patch["edges"] if e["to"] != "off.a"]
    patch["edges"] += [
        edge("m.out", "move.a"),
        edge("time.phaseA", "move.b"),
        edge("move.out", "off.a"),
        edge("e.position", "sn.p"),
        edge("e.position", "sc.p"),
    ]
    observe = ["n2.out", "n3.out", "f.out", "c.out", "sn.out", "sc.out"]
    program = osc.compile(patch, observe=observe)
    assert any(k.kind == "field" for k in program.kernels)
    rt, ref = osc.Runtime(program), osc.ReferenceRuntime(program)
    for t in (0.0, 1234.5):
        for r in (rt, ref):
            r.set_input("q.x", -2.37 + t)
            r.set_input("q.y", 5.81)
            r.step(t)
        for k in observe:
            got, want = np.asarray(rt.read(k)), np.asarray(ref.read(k))
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-5, err_msg=k)
            assert np.ptp(want) > 0.5 or want.size <= 2, k


@pytest.mark.parametrize(
    ("block", "port", "needle"),
    [
        (blk("f", "FractalNoise", octaves=0), "octaves", "0 is out of range; allowed: 1 … 8"),
        (blk("f", "FractalNoise", octaves=9), "octaves", "9 is out of range"),
        (blk("f", "FractalNoise", octaves=2.5), "octaves", "expected an integer"),
        (blk("f", "FractalNoise", lacunarity=0.5), "lacunarity", "out of range"),
        (blk("f", "FractalNoise", gain=1.5), "gain", "out of range"),
        (blk("f", "Noise2D", seed=2**31), "seed", "out of range"),
        (blk("f", "CurlNoise2D", seed="a"), "seed", "expected an integer"),
    ],
)
def test_bad_params_are_diagnosed(block, port, needle):
    err = reported(make_patch([block]))
    (d,) = [d for d in err.value.diagnostics if d.code == "E_PARAM_INVALID"]
    assert (d.block, d.port) == ("f", port) and needle in d.message, d


def test_fractal_noise_refuses_a_float_or_a_color():
    for src in ("a.t", "rgb.color"):
        patch = make_patch(
            [blk("a", "Array", count=4), blk("rgb", "HsvToRgb"), blk("f", "FractalNoise")],
            [edge("a.t", "rgb.hue"), edge(src, "f.p")],
        )
        err = reported(patch)
        (d,) = [d for d in err.value.diagnostics if d.code == "E_TYPE_MISMATCH"]
        assert (d.block, d.port) == ("f", "p") and "vec2" in d.message, d


def test_noise2d_refuses_a_vec3():
    patch = make_patch([blk("a", "Array", count=4), blk("g", "GridLayout"), blk("n", "Noise2D")])
    patch["edges"] = [edge("a.elements", "g.elements"), edge("g.position", "n.p")]
    err = reported(patch)
    (d,) = [d for d in err.value.diagnostics if d.code == "E_TYPE_MISMATCH"]
    assert (d.block, d.port) == ("n", "p") and "vec3 cannot feed vec2" in d.message, d
