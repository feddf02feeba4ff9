"""noise(), fbm() and curl() in Expressions (docs/language/expressions.md): the same values as the
float64 gradient-noise model of tests/blocks/test_noise.py (written from the formulas there, not
from the implementation), on both runtimes, and type errors for the wrong argument types."""

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.noise_model import curl2d, noise2d, noise3d

import oscilla as osc

N = 64


def _expr_patch(expression: str) -> dict:
    return make_patch(
        [blk("arr", "Array", count=N), blk("e", "Expression", expression=expression)],
        [edge("arr.t", "e.in0")],
    )


def _values(runtime_cls, expression: str) -> np.ndarray:
    rt = runtime_cls(osc.compile(_expr_patch(expression), observe=["e.out"]))
    rt.step(0.0)
    return np.asarray(rt.read("e.out"), dtype=np.float64)


def test_noise_of_vec2_and_vec3(runtime_cls):
    t = (np.arange(N) / (N - 1)).astype(np.float32).astype(np.float64)
    x, y = t * 7.3 + 0.11, 2.9 - t * 3.1
    got2 = _values(runtime_cls, "noise(vec2(in0 * 7.3 + 0.11, 2.9 - in0 * 3.1))")
    want2 = [noise2d(np.float32(a), np.float32(b)) for a, b in zip(x, y)]
    np.testing.assert_allclose(got2, want2, atol=2e-5)
    got3 = _values(runtime_cls, "noise(vec3(in0 * 5.0, 1.5, in0 * -2.0))")
    want3 = [noise3d(np.float32(a * 5.0), 1.5, np.float32(a * -2.0)) for a in t]
    np.testing.assert_allclose(got3, want3, atol=2e-5)


def test_fbm_is_four_octaves(runtime_cls):
    t = (np.arange(N) / (N - 1)).astype(np.float32).astype(np.float64)
    got = _values(runtime_cls, "fbm(vec2(in0 * 3.0, 0.7))")
    w = np.array([0.5**o for o in range(4)])
    w /= w.sum()
    want = [sum(w[o] * noise2d(a * 3.0 * 2.0**o, 0.7 * 2.0**o, o) for o in range(4)) for a in t]
    np.testing.assert_allclose(got, want, atol=5e-5)


def test_curl_is_the_rotated_gradient(runtime_cls):
    t = (np.arange(N) / (N - 1)).astype(np.float32).astype(np.float64)
    got = _values(runtime_cls, "curl(vec2(in0 * 4.0 + 0.3, 1.25))").reshape(N, 2)
    want = np.array([curl2d(a * 4.0 + 0.3, 1.25) for a in t])
    np.testing.assert_allclose(got, want, atol=2e-3)  # the model differentiates numerically


@pytest.mark.parametrize(
    ("expression", "message"),
    [("noise(in0)", "needs a vec2 or vec3"), ("curl(vec3(in0, 1, 2))", "needs a vec2"), ("noise()", "noise")],
)
def test_wrong_arguments_are_diagnosed(expression, message):
    # the Expression reaches no sink here, so its error is reported as a warning that names the cause
    diags = osc.compile(_expr_patch(expression), observe=["e.out"]).diagnostics
    found = [d for d in diags if d.block == "e" and (d.cause or "").startswith("E_EXPR")]
    assert found and message in found[0].message, diags
