"""The functions, constructors, constants and vector arithmetic of the Expression language (issue 12
item 1; docs/language/expressions.md#functions, #vectors, docs/language/functions.md#domains).

Every function runs on signals (``dyn`` blocks: computed every frame, never folded on the host) and
on 1000-lane fields, on both runtimes, against numpy formulas written here in float64 from the
meaning the docs give (WGSL's, with the edge cases oscilla defines where WGSL leaves the value
indeterminate). Misuse is checked as coded diagnostics with the block, the port and the position,
and through ``oscilla check``.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import close
from support.reported import reported
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app

N = 1000
F32 = np.float32
NAN, INF = math.nan, math.inf


def expr(block_id: str, text: str, **params) -> dict:
    return blk(block_id, "Expression", expression=text, **params)


def dyn(block_id: str, value) -> tuple[list, list]:
    """A block whose output equals ``value`` (a float or an int) but is computed every frame, so
    that nothing downstream folds on the host."""
    if isinstance(value, int):
        text = f"floor(time.tMs) + {value}" if value >= 0 else f"floor(time.tMs) - {-value}"
    else:
        digits = np.format_float_positional(abs(float(value)), trim="0")
        text = f"time.tMs * 0.0 {'+' if value >= 0 else '-'} {digits}"
    return [expr(block_id, text)], [edge("time.tMs", f"{block_id}.refs")]


def run(cls, blocks, edges=(), observe=()) -> dict[str, np.ndarray]:
    rt = cls(osc.compile(make_patch(blocks, edges), observe=list(observe)))
    rt.step(0.0)
    return {name: np.asarray(rt.read(name)) for name in observe}


def _same(got, want) -> np.ndarray:
    """Elementwise: equal (also ±inf), both NaN, or within the 1e-5 tolerance of the conventions."""
    g = np.asarray(got, np.float64)
    w = np.asarray(want, np.float64)
    with np.errstate(invalid="ignore"):
        return (g == w) | close(g, w, 1e-5)


def assert_same(got, want, what: str) -> None:
    g = np.asarray(got, np.float64)
    w = np.broadcast_to(np.asarray(want, np.float64), g.shape) if np.ndim(want) < g.ndim else np.asarray(want)
    assert g.shape == np.shape(w), f"{what}: shape {g.shape} != {np.shape(w)}"
    ok = _same(g, w)
    if not ok.all():
        bad = np.argwhere(~ok)[:4]
        raise AssertionError(
            f"{what}: {int((~ok).sum())} values off: "
            + "; ".join(f"{tuple(ix)} got {g[tuple(ix)]!r} want {w[tuple(ix)]!r}" for ix in bad)
        )


# -- reference formulas (float64, written from the docs, not from the implementation) -------------
def pow_ref(x, y):
    """docs/language/functions.md#pow."""
    x, y = np.broadcast_arrays(np.asarray(x, np.float64), np.asarray(y, np.float64))
    out = np.empty(x.shape)
    for ix in np.ndindex(x.shape):
        a, b = float(x[ix]), float(y[ix])
        if b == 0:
            r = 1.0
        elif a == 0:
            r = 0.0 if b > 0 else INF
        elif a < 0:
            if b != math.trunc(b):
                r = NAN
            else:
                m = abs(a) ** b
                r = -m if int(b) % 2 else m
        else:
            r = a**b
        out[ix] = r
    return out


def log_ref(x, base=math.e):
    x = np.asarray(x, np.float64)
    with np.errstate(all="ignore"):
        return np.where(x < 0, NAN, np.where(x == 0, -INF, np.log(np.abs(x)) / math.log(base)))


def smoothstep_ref(e0, e1, x):
    t = np.clip((np.asarray(x, np.float64) - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def vec(*comps):
    return np.stack(np.broadcast_arrays(*[np.asarray(c, np.float64) for c in comps]), axis=-1)


def _unit(x):
    x = np.asarray(x, np.float64)
    with np.errstate(invalid="ignore"):
        return np.where(np.abs(x) > 1, NAN, x)


# (text over float x, float y and int i; expected(x, y, i) in float64; result dtype)
FUNCTIONS = [
    # angles and trigonometry
    ("sin(x)", lambda x, y, i: np.sin(x), "f"),
    ("cos(x)", lambda x, y, i: np.cos(x), "f"),
    ("tan(x)", lambda x, y, i: np.tan(x), "f"),
    ("asin(x * 0.5)", lambda x, y, i: np.arcsin(x / 2), "f"),
    ("acos(x * 0.5)", lambda x, y, i: np.arccos(x / 2), "f"),
    ("asin(x)", lambda x, y, i: np.arcsin(_unit(x)), "f"),  # NaN beyond ±1
    ("acos(y)", lambda x, y, i: np.arccos(_unit(y)), "f"),
    ("atan(x)", lambda x, y, i: np.arctan(x), "f"),
    ("atan2(y, x)", lambda x, y, i: np.arctan2(y, x), "f"),
    ("sinh(x)", lambda x, y, i: np.sinh(x), "f"),
    ("cosh(x)", lambda x, y, i: np.cosh(x), "f"),
    ("tanh(x)", lambda x, y, i: np.tanh(x), "f"),
    ("tanh(x * 64)", lambda x, y, i: np.tanh(x * 64), "f"),  # saturates to ±1
    ("radians(x)", lambda x, y, i: x * math.pi / 180, "f"),
    ("degrees(x)", lambda x, y, i: x * 180 / math.pi, "f"),
    # powers and logarithms
    ("pow(abs(x) + 0.5, y)", lambda x, y, i: (np.abs(x) + 0.5) ** y, "f"),
    ("pow(x, 3)", lambda x, y, i: pow_ref(x, 3.0), "f"),
    ("pow(x, -2)", lambda x, y, i: pow_ref(x, -2.0), "f"),
    ("pow(x, 0.5)", lambda x, y, i: pow_ref(x, 0.5), "f"),  # NaN for a negative base
    ("pow(x, 0)", lambda x, y, i: np.ones_like(x), "f"),
    ("x ** 2", lambda x, y, i: x * x, "f"),
    ("2 ** x", lambda x, y, i: 2.0**x, "f"),
    ("-x ** 2", lambda x, y, i: -(x * x), "f"),
    ("exp(x)", lambda x, y, i: np.exp(x), "f"),
    ("exp2(x)", lambda x, y, i: np.exp2(x), "f"),
    ("log(abs(x))", lambda x, y, i: log_ref(np.abs(x)), "f"),
    ("log(x)", lambda x, y, i: log_ref(x), "f"),  # NaN below 0, -inf at 0
    ("log2(abs(x))", lambda x, y, i: log_ref(np.abs(x), 2), "f"),
    ("log2(y)", lambda x, y, i: log_ref(y, 2), "f"),
    ("sqrt(abs(x))", lambda x, y, i: np.sqrt(np.abs(x)), "f"),
    ("inversesqrt(abs(x))", lambda x, y, i: 1 / np.sqrt(np.abs(x)), "f"),
    ("inversesqrt(x)", lambda x, y, i: np.where(x < 0, NAN, 1 / np.sqrt(np.abs(x))), "f"),
    ("hypot(x, y)", lambda x, y, i: np.hypot(x, y), "f"),
    # rounding, sign, steps
    ("trunc(x)", lambda x, y, i: np.trunc(x), "i"),
    ("sign(x)", lambda x, y, i: np.sign(x), "f"),
    ("sign(i)", lambda x, y, i: np.sign(i), "i"),
    ("fract(x)", lambda x, y, i: x - np.floor(x), "f"),
    ("step(0.25, x)", lambda x, y, i: (x >= 0.25) * 1.0, "f"),
    ("smoothstep(-1, 1, x)", lambda x, y, i: smoothstep_ref(-1.0, 1.0, x), "f"),
    ("mix(x, y, 0.25)", lambda x, y, i: x * 0.75 + y * 0.25, "f"),
    ("clamp(x, -1, 0.5)", lambda x, y, i: np.clip(x, -1, 0.5), "f"),
    ("saturate(x)", lambda x, y, i: np.clip(x, 0, 1), "f"),
    ("min(x, y)", lambda x, y, i: np.minimum(x, y), "f"),
    ("max(i, 2)", lambda x, y, i: np.maximum(i, 2), "i"),
    ("abs(i)", lambda x, y, i: np.abs(i), "i"),
    ("select(x, y, x > y)", lambda x, y, i: np.where(x > y, y, x), "f"),  # WGSL order: f, t, cond
    ("select(1, 2, i > 0)", lambda x, y, i: np.where(i > 0, 2, 1), "i"),
    # constants and literals
    ("pi * x + tau", lambda x, y, i: math.pi * x + 2 * math.pi, "f"),
    ("e * x", lambda x, y, i: math.e * x, "f"),
    ("x * 1e-3 + 2.5E+2", lambda x, y, i: x * 0.001 + 250, "f"),
    # constructors and vectors
    ("vec2(x, y)", lambda x, y, i: vec(x, y), "f"),
    ("vec3(x, y, i)", lambda x, y, i: vec(x, y, i), "f"),
    ("vec3(vec2(x, y), 1)", lambda x, y, i: vec(x, y, 1), "f"),
    ("vec2(x)", lambda x, y, i: vec(x, x), "f"),
    ("color(x, y, 0.5)", lambda x, y, i: vec(x, y, 0.5, 1), "f"),
    ("color(vec3(x, y, 0.5), y)", lambda x, y, i: vec(x, y, 0.5, y), "f"),
    ("vec2(x, y) * 2 + 1", lambda x, y, i: vec(2 * x + 1, 2 * y + 1), "f"),
    ("1 - vec3(x, y, 2) / 4", lambda x, y, i: vec(1 - x / 4, 1 - y / 4, 0.5), "f"),
    ("vec2(x, y) * vec2(y, -1)", lambda x, y, i: vec(x * y, -y), "f"),
    ("-vec2(x, y)", lambda x, y, i: vec(-x, -y), "f"),
    ("vec2(x, y) ** 2", lambda x, y, i: vec(x * x, y * y), "f"),
    ("vec2(x, 3) % 2", lambda x, y, i: vec(np.fmod(x, 2), 1), "f"),
    ("sin(vec2(x, y))", lambda x, y, i: vec(np.sin(x), np.sin(y)), "f"),
    ("floor(vec2(x, y))", lambda x, y, i: vec(np.floor(x), np.floor(y)), "f"),
    ("clamp(vec3(x, y, 2), -1, 1)", lambda x, y, i: vec(np.clip(x, -1, 1), np.clip(y, -1, 1), 1), "f"),
    ("mix(vec2(0, 1), vec2(x, y), 0.5)", lambda x, y, i: vec(x / 2, 0.5 + y / 2), "f"),
    ("atan2(vec2(y, 1), vec2(x, 1))", lambda x, y, i: vec(np.arctan2(y, x), math.pi / 4), "f"),
    ("pow(vec2(2, 3), vec2(x, 2))", lambda x, y, i: vec(2.0**x, 9), "f"),
    ("length(vec2(x, y))", lambda x, y, i: np.hypot(x, y), "f"),
    ("length(x)", lambda x, y, i: np.abs(x), "f"),
    ("distance(vec2(x, y), vec2(1, 2))", lambda x, y, i: np.hypot(x - 1, y - 2), "f"),
    ("dot(vec3(x, y, 1), vec3(2, -1, 0.5))", lambda x, y, i: 2 * x - y + 0.5, "f"),
    (
        "cross(vec3(x, y, 1), vec3(y, 1, x))",
        lambda x, y, i: vec(y * x - 1, y - x * x, x - y * y),
        "f",
    ),
    ("normalize(vec2(x, y))", lambda x, y, i: vec(x, y) / np.hypot(x, y)[..., None], "f"),
    ("c.a + c.r", lambda x, y, i: 1.0 + x, "f"),  # c = color(x, 0.2, 0.3): alpha 1
]


def _patch(signal_values):
    """Field sources x = 4t − 2, y = 1.5 − 2.5t, i = index − 500 over 1000 lanes, then one triple
    of dyn signals per entry of ``signal_values``; every function over every source triple."""
    bl = [
        blk("a", "Array", count=N),
        expr("fx", "a.t * 4.0 - 2.0"),
        expr("fy", "1.5 - a.t * 2.5"),
        expr("fi", "a.index - 500"),
    ]
    ed = [edge("a.t", "fx.refs"), edge("a.t", "fy.refs"), edge("a.index", "fi.refs")]
    sources = [("fx", "fy", "fi")]
    for k, (xv, yv, iv) in enumerate(signal_values):
        for name, v in ((f"sx{k}", xv), (f"sy{k}", yv), (f"si{k}", iv)):
            b, e = dyn(name, v)
            bl += b
            ed += e
        sources.append((f"sx{k}", f"sy{k}", f"si{k}"))
    for s, (xs, ys, is_) in enumerate(sources):
        bl.append(expr(f"c{s}", "color(x, 0.2, 0.3)"))
        ed.append(edge(f"{xs}.out", f"c{s}.refs", alias="x"))
        for n, (text, _, _) in enumerate(FUNCTIONS):
            bid = f"f{s}_{n}"
            bl.append(expr(bid, text))
            ed += [
                edge(f"{xs}.out", f"{bid}.refs", alias="x"),
                edge(f"{ys}.out", f"{bid}.refs", alias="y"),
                edge(f"{is_}.out", f"{bid}.refs", alias="i"),
                edge(f"c{s}.out", f"{bid}.refs", alias="c"),
            ]
    return bl, ed, sources


def test_every_function_on_signals_and_fields(runtime_cls):
    # the signals include x = 0 (log -> -inf, pow(0, -2) -> +inf, inversesqrt -> +inf) and y = 0
    signal_values = [(-1.3, 0.75, -4), (0.0, 2.0, 0), (2.7, -3.0, 3), (0.5, 0.0, 1)]
    bl, ed, sources = _patch(signal_values)
    obs = [f"{x}.out" for triple in sources for x in triple]
    obs += [f"f{s}_{n}.out" for s in range(len(sources)) for n in range(len(FUNCTIONS))]
    out = run(runtime_cls, bl, ed, obs)
    for s, (xs, ys, is_) in enumerate(sources):
        x = out[f"{xs}.out"].astype(np.float64)
        y = out[f"{ys}.out"].astype(np.float64)
        i = out[f"{is_}.out"].astype(np.int64)
        if s == 0:
            assert x.shape == (N,) and x.min() == -2.0 and x.max() == 2.0
        else:
            assert (x, y, i) == tuple(F32(v) for v in signal_values[s - 1][:2]) + (signal_values[s - 1][2],)
        where = "field" if s == 0 else f"signal {signal_values[s - 1]}"
        for n, (text, want, kind) in enumerate(FUNCTIONS):
            got = out[f"f{s}_{n}.out"]
            with np.errstate(all="ignore"):
                expected = np.asarray(want(x, y, i), np.float64)
            assert got.dtype == (np.int32 if kind == "i" else np.float32), (text, got.dtype)
            assert got.shape == expected.shape, (text, got.shape, expected.shape)
            if kind == "i":
                assert np.array_equal(got, expected.astype(np.int64)), f"{text} ({where})"
            else:
                assert_same(got, expected, f"{text} ({where})")


# -- edge cases per the WGSL spec, on signals and on 1000-lane fields -------------------------------
EDGES = [  # (text over a and b, a, b, expected) -- the values docs/language/functions.md#domains defines
    ("pow(a, b)", -2.0, 3.0, -8.0),  # a negative base and an odd integer exponent
    ("pow(a, b)", -2.0, -2.0, 0.25),
    ("pow(a, b)", -2.0, 0.5, NAN),  # no real result
    ("a ** b", -8.0, 1.0 / 3.0, NAN),
    ("pow(a, b)", -3.0, 0.0, 1.0),
    ("pow(a, b)", 0.0, 0.0, 1.0),
    ("pow(a, b)", 0.0, 2.0, 0.0),
    ("pow(a, b)", 0.0, -1.0, INF),
    ("pow(-a, b)", 0.0, -1.0, INF),  # -0.0: the sign of a zero base is ignored
    ("pow(a, b)", 2.0, 10.0, 1024.0),
    ("atan2(a, b)", 0.0, 0.0, 0.0),  # WGSL leaves the origin open; oscilla gives 0
    ("atan2(-a, -b)", 0.0, 0.0, 0.0),
    ("atan2(a, b)", 0.0, -1.0, math.pi),
    ("atan2(a, b)", 1.0, 0.0, math.pi / 2),
    ("log(a)", 0.0, 0.0, -INF),
    ("log(-a)", 0.0, 0.0, -INF),
    ("log2(a)", 0.0, 0.0, -INF),
    ("log(a)", -1.0, 0.0, NAN),
    ("log2(a)", -0.5, 0.0, NAN),
    ("log(a)", 1.0, 0.0, 0.0),
    ("inversesqrt(a)", 0.0, 0.0, INF),
    ("inversesqrt(a)", -4.0, 0.0, NAN),
    ("sqrt(a)", -4.0, 0.0, NAN),
    ("asin(a)", 2.0, 0.0, NAN),
    ("acos(a)", -1.5, 0.0, NAN),
    ("asin(a)", 1.0, 0.0, math.pi / 2),
    ("acos(a)", -1.0, 0.0, math.pi),
    ("tanh(a)", 50.0, 0.0, 1.0),
    ("tanh(a)", -1000.0, 0.0, -1.0),
    ("exp(a)", 100.0, 0.0, INF),
    ("sign(a)", 0.0, 0.0, 0.0),
    ("step(a, b)", 1.0, 1.0, 1.0),  # edge <= x
    ("smoothstep(a, a, b)", 1.0, 0.5, 0.0),
    ("smoothstep(a, a, b)", 1.0, 1.0, 1.0),
    ("length(normalize(vec2(a, b)))", 0.0, 0.0, 0.0),  # the zero vector stays zero
    ("normalize(vec3(a, b, 0)).y", 0.0, -3.0, -1.0),
]


def test_edge_cases_on_signals(runtime_cls):
    bl, ed, obs = [], [], []
    for k, (text, a, b, _) in enumerate(EDGES):
        for name, v in ((f"a{k}", a), (f"b{k}", b)):
            blocks, edges = dyn(name, v)
            bl += blocks
            ed += edges
        bl.append(expr(f"e{k}", text))
        ed += [edge(f"a{k}.out", f"e{k}.refs", alias="a"), edge(f"b{k}.out", f"e{k}.refs", alias="b")]
        obs.append(f"e{k}.out")
    out = run(runtime_cls, bl, ed, obs)
    for k, (text, a, b, want) in enumerate(EDGES):
        assert_same(out[f"e{k}.out"], want, f"{text} at a={a}, b={b}")


def test_edge_cases_with_constant_arguments(runtime_cls):
    """With inline (constant) arguments the compiler folds the expression on the host with the
    numpy op table: the same values as computed per frame."""
    bl, obs = [], []
    for k, (text, a, b, _) in enumerate(EDGES):
        src = re.sub(r"\bb\b", "in1", re.sub(r"\ba\b", "in0", text))
        bl.append(expr(f"e{k}", src, in0=a, in1=b))
        obs.append(f"e{k}.out")
    out = run(runtime_cls, bl, (), obs)
    for k, (text, a, b, want) in enumerate(EDGES):
        assert_same(out[f"e{k}.out"], want, f"{text} at a={a}, b={b} (folded)")


def test_edge_cases_on_a_1000_lane_field(runtime_cls):
    """k = index % 7 − 3 runs through −3 … 3 (zero and negative bases) on every lane group."""
    bl = [blk("a", "Array", count=N), expr("k", "a.index % 7 - 3")]
    ed = [edge("a.index", "k.refs")]
    texts = {
        "p3": ("pow(k, 3)", lambda k: k**3.0),
        "pm2": ("pow(k, -2)", lambda k: pow_ref(k, -2.0)),
        "ph": ("pow(k, 0.5)", lambda k: pow_ref(k, 0.5)),
        "p0": ("k ** 0", lambda k: np.ones_like(k)),
        "ln": ("log(k)", log_ref),
        "at": ("atan2(k, k)", lambda k: np.where(k == 0, 0.0, np.arctan2(k, k))),
        "is": ("inversesqrt(k)", lambda k: pow_ref(k, -0.5)),
        "as": ("asin(k * 0.5)", lambda k: np.arcsin(_unit(k / 2))),
        "nz": ("normalize(vec2(k, 0)).x", lambda k: np.sign(k)),
    }
    for name, (text, _) in texts.items():
        bl.append(expr(name, text))
        ed.append(edge("k.out", f"{name}.refs", alias="k"))
    out = run(runtime_cls, bl, ed, ["k.out"] + [f"{n}.out" for n in texts])
    k = out["k.out"].astype(np.float64)
    assert np.array_equal(k, np.arange(N) % 7 - 3)
    for name, (text, want) in texts.items():
        with np.errstate(all="ignore"):
            assert_same(out[f"{name}.out"], want(k), text)


# -- misuse: coded diagnostics with block, port and position ----------------------------------------
def sink_scaffold(blocks, edges=()):
    """Array -> GridLayout -> RenderInstances2D; every Expression feeds draw.size, so its errors
    stay errors (docs/language/diagnostics-codes.md#isolation)."""
    base = [blk("arr", "Array", count=4), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D")]
    ed = [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")]
    ed += [edge(f"{b['id']}.out", "draw.size") for b in blocks if b["type"] == "Expression"]
    return base + list(blocks), ed + list(edges)


def expr_error(text: str):
    """The one diagnostic of Expression ``e`` (in0 wired to time.phaseA, a vec2 ``v`` as ref)."""
    bl, ed = sink_scaffold(
        [blk("v2", "Const", value=[0.25, 0.5]), expr("e", text)],
        [edge("time.phaseA", "e.in0"), edge("v2.out", "e.refs", alias="v")],
    )
    ds = [d for d in reported(make_patch(bl, ed)).value.diagnostics if d.block == "e"]
    assert len(ds) == 1, [d.format() for d in ds]
    assert ds[0].port == "expression" and ds[0].severity == "error"
    return ds[0]


MISUSE = [  # (text, code, position, words the message must contain)
    # wrong arity
    ("pow(in0)", "E_EXPR_TYPE", 0, ["pow(x, y) takes 2 arguments, got 1"]),
    ("1 + atan2(in0, 1, 2)", "E_EXPR_TYPE", 4, ["atan2(y, x) takes 2 arguments, got 3"]),
    ("color(1, 2)", "E_EXPR_TYPE", 0, ["color(r, g, b[, a])", "3 or 4 components, got 2"]),
    ("color(1, 2, 3, 4, 5)", "E_EXPR_TYPE", 0, ["3 or 4 components, got 5"]),
    ("vec3(v, v)", "E_EXPR_TYPE", 0, ["needs 3 components, got 4"]),
    ("vec2()", "E_EXPR_TYPE", 0, ["takes 2 arguments, got 0"]),
    ("select(1, 2)", "E_EXPR_TYPE", 0, ["select(f, t, cond) takes 3 arguments"]),
    # vector / scalar mismatch
    ("v + vec3(1, 2, 3)", "E_EXPR_TYPE", 0, ["a vec2 and a vec3", "vec3(v, 0.0)"]),
    ("in0 * 2 - color(v, 0, 1) * vec3(1)", "E_EXPR_TYPE", 10, ["a color and a vec3", "c.rgb"]),
    ("dot(v, 2)", "E_EXPR_TYPE", 7, ["same type"]),
    ("dot(in0, 2)", "E_EXPR_TYPE", 0, ["two vectors", "a * b"]),
    ("cross(v, v)", "E_EXPR_TYPE", 6, ["two vec3"]),
    ("normalize(in0)", "E_EXPR_TYPE", 10, ["vec2, vec3 or color"]),
    ("mix(v, vec3(1), 0.5)", "E_EXPR_TYPE", 7, ["a vec3 among a vec2 arguments"]),
    ("v < 1", "E_EXPR_TYPE", 0, ["compare their components"]),
    ("v ? 1 : 2", "E_EXPR_TYPE", 0, ["must be a bool"]),
    ("in0 > 0 ? v : 1", "E_EXPR_TYPE", 0, ["same type"]),
    ("select(v, 1, in0 > 0)", "E_EXPR_TYPE", 10, ["f and t must have the same type"]),
    ("select(in0 > 0, 1, 2)", "E_EXPR_TYPE", 19, ["condition comes last"]),
    ("sin(in0 > 0)", "E_EXPR_TYPE", 4, ["a number or a vector"]),
    # unknown functions: the suggestion
    ("pwo(in0, 2)", "E_EXPR_TYPE", 0, ["did you mean 'pow'?"]),
    ("powr(in0, 2)", "E_EXPR_TYPE", 0, ["did you mean 'pow'?"]),
    ("1 + epx(in0)", "E_EXPR_TYPE", 4, ["did you mean 'exp'?"]),
    ("exq(in0)", "E_EXPR_TYPE", 0, ["did you mean 'exp'?"]),
    ("atan3(in0, 1)", "E_EXPR_TYPE", 0, ["did you mean 'atan2'?"]),
    ("arctan2(in0, 1)", "E_EXPR_TYPE", 0, ["did you mean 'atan2'?"]),
    ("atna2(in0, 1)", "E_EXPR_TYPE", 0, ["did you mean 'atan2'?"]),
    ("lenght(v)", "E_EXPR_TYPE", 0, ["did you mean 'length'?"]),
    ("vec4(1, 2, 3, 4)", "E_EXPR_TYPE", 0, ["did you mean 'vec2'?"]),
    ("in0 * tua", "E_EXPR_TYPE", 6, ["did you mean 'tau'?"]),
    # literals and **
    ("2e + in0", "E_EXPR_SYNTAX", 0, ["exponent without digits"]),
    ("in0 * 1.5e+", "E_EXPR_SYNTAX", 6, ["exponent without digits"]),
    ("1e39", "E_EXPR_SYNTAX", 0, ["beyond the f32 range"]),
    ("in0 ** ", "E_EXPR_SYNTAX", 7, ["expected a number"]),
    ("in0 *** 2", "E_EXPR_SYNTAX", 6, ["expected a number"]),
]


@pytest.mark.parametrize("text, code, position, words", MISUSE, ids=[m[0] for m in MISUSE])
def test_misuse_is_a_coded_diagnostic_at_its_position(text, code, position, words):
    d = expr_error(text)
    assert (d.code, d.position) == (code, position), d.format()
    for w in words:
        assert w in d.message, (w, d.message)


def test_oscilla_check_reports_misuse_with_block_port_and_caret(tmp_path):
    bl, ed = sink_scaffold([expr("warp", "vec2(in0, 1) + vec3(1, 2, 3)"), expr("curve", "1 + pwo(in0, 2)")])
    ed += [edge("time.phaseA", "warp.in0"), edge("time.phaseA", "curve.in0")]
    path = tmp_path / "misuse.json"
    path.write_text(json.dumps(make_patch(bl, ed)), encoding="utf-8")
    r = CliRunner().invoke(app, ["check", str(path)])
    assert r.exit_code == 1, r.output
    assert "E_EXPR_TYPE warp" in r.output and "E_EXPR_TYPE curve" in r.output
    assert "did you mean 'pow'?" in r.output and "a vec2 and a vec3" in r.output
    lines = r.output.splitlines()
    text_line = next(n for n, line in enumerate(lines) if "1 + pwo(in0, 2)" in line)
    caret = lines[text_line + 1]
    assert caret.index("^") - lines[text_line].index("1 + pwo") == 4  # under the 'p' of pwo


# -- lexing and parsing of the new syntax ------------------------------------------------------------
VALUES = [  # (text, value) computed by hand from the grammar
    ("1e3", 1000.0),
    ("2.5E+2", 250.0),
    ("125e-3", 0.125),
    ("1E0 + 1", 2.0),
    ("2 ** 3 ** 2", 512.0),  # right-associative
    ("-2 ** 2", -4.0),  # ** binds tighter than unary minus on its left
    ("2 ** -1", 0.5),
    ("(-2) ** 3", -8.0),
    ("2 * 3 ** 2", 18.0),
    ("tau / pi", 2.0),
    ("e", math.e),
    ("vec3(1, 2, 3).zy", [3.0, 2.0]),  # a call's result may be swizzled
    ("normalize(vec2(3, 4)).y", 0.8),
]


@pytest.mark.parametrize("text, value", VALUES, ids=[v[0] for v in VALUES])
def test_new_syntax_values(runtime_cls, text, value):
    out = run(runtime_cls, [expr("e", text)], (), ["e.out"])
    assert_same(out["e.out"], np.asarray(value, np.float64), text)


def test_a_name_shadows_a_constant():
    bl = [blk("k", "Const", value=5.0), expr("e", "e * 2 + pi")]
    out = run(osc.ReferenceRuntime, bl, [edge("k.out", "e.refs", alias="e")], ["e.out"])
    assert_same(out["e.out"], 10.0 + math.pi, "alias e")


def test_a_color_is_not_a_splat():
    d = expr_error("color(0.5)")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0) and "3 or 4 components, got 1" in d.message


def test_vector_outputs_feed_positions_and_colours(runtime_cls):
    """The output payload follows the expression: a vec3 Expression drives RenderInstances2D.pos."""
    bl = [
        blk("a", "Array", count=N),
        expr("p", "vec3(t, 1 - t, 0) * 0.5 + 0.25"),
        expr("c", "color(vec3(t), 1)"),
        blk("draw", "RenderInstances2D"),
    ]
    ed = [edge("a.t", "p.refs", alias="t"), edge("a.t", "c.refs", alias="t"), edge("p.out", "draw.pos")]
    ed.append(edge("c.out", "draw.color"))
    out = run(runtime_cls, bl, ed, ["a.t", "draw.pos", "draw.color"])
    t = out["a.t"].astype(np.float64)
    assert_same(out["draw.pos"], vec(t * 0.5 + 0.25, (1 - t) * 0.5 + 0.25, 0.25), "pos")
    assert_same(out["draw.color"], vec(t, t, t, 1), "color")
