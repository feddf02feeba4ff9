"""The Expression block and its language (docs/language/expressions.md, docs/language/functions.md; W14, W17).

Values are checked on both runtimes (``runtime_cls``: the GPU Runtime and the numpy
ReferenceRuntime) against expectations computed here with Python / numpy from the spec text.
Inline params are compile-time constants and fold on the host, so the GPU paths are exercised with
*runtime* inputs: ``dyn`` blocks (``time.tMs * 0.0 + v`` is v, but not a constant) and fields of a
1000-lane Array. Errors are checked as diagnostics (code, block, port ``expression``, position).
"""

from __future__ import annotations

import builtins

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from support.formulas import ONE_MINUS_ULP, assert_close, frac
from support.reported import reported

import oscilla as osc

N = 1000
F32 = np.float32


# -- helpers -------------------------------------------------------------------------------------
def expr(block_id: str, text: str, **params) -> dict:
    return blk(block_id, "Expression", expression=text, **params)


def dyn(block_id: str, value) -> tuple[list, list]:
    """A block whose output equals ``value`` (float, int or bool) but is computed every frame."""
    if isinstance(value, bool):
        text = "time.tMs < 1.0" if value else "time.tMs > 1.0"
    elif isinstance(value, int):
        text = f"floor(time.tMs) + {value}" if value >= 0 else f"floor(time.tMs) - {-value}"
    else:
        digits = np.format_float_positional(abs(float(value)), trim="0")
        text = f"time.tMs * 0.0 {'+' if value >= 0 else '-'} {digits}"
    return [expr(block_id, text)], [edge("time.tMs", f"{block_id}.refs")]


def run(cls, blocks, edges=(), observe=(), t_ms: float = 0.0) -> dict[str, np.ndarray]:
    prog = osc.compile(make_patch(blocks, edges), observe=list(observe))
    rt = cls(prog)
    rt.step(t_ms)
    return {name: np.asarray(rt.read(name)) for name in observe}


def run_exprs(cls, texts, blocks=(), refs=(), **params) -> list[np.ndarray]:
    """One Expression per text (same params, same ref edges ``(source, alias)``); their outputs."""
    bl, ed = list(blocks[0]) if blocks else [], list(blocks[1]) if blocks else []
    for k, text in enumerate(texts):
        bl.append(expr(f"e{k}", text, **params))
        ed += [edge(src, f"e{k}.refs", **({"alias": alias} if alias else {})) for src, alias in refs]
    out = run(cls, bl, ed, [f"e{k}.out" for k in range(len(texts))])
    return [out[f"e{k}.out"] for k in range(len(texts))]


def compile_errors(blocks, edges=()):
    """The diagnostics of a patch that must fail to compile."""
    ei = reported(make_patch(blocks, edges))
    return ei.value.diagnostics


def sink_scaffold(blocks, edges=()):
    """Array -> GridLayout -> RenderInstances2D ``draw``; every Expression feeds draw.size, so it
    reaches the sink (docs/language/diagnostics-codes.md#isolation never downgrades its errors)."""
    base = [blk("arr", "Array", count=4), blk("grid", "GridLayout"), blk("draw", "RenderInstances2D")]
    ed = [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos")]
    ed += [edge(f"{b['id']}.out", "draw.size") for b in blocks if b["type"] == "Expression"]
    return base + list(blocks), ed + list(edges)


def expr_error(text: str, wire_in0: bool = True, **params):
    """The single expression diagnostic of Expression ``e`` (in0 wired to time.phaseA)."""
    bl, ed = sink_scaffold([expr("e", text, **params)], [edge("time.phaseA", "e.in0")] if wire_in0 else [])
    ds = [d for d in compile_errors(bl, ed) if d.block == "e"]
    assert len(ds) == 1, [d.format() for d in ds]
    d = ds[0]
    assert d.port == "expression" and d.severity == "error"
    return d


# -- precedence, associativity ---------------------------------------------------------------------
PRECEDENCE = [
    ("2 + 3 * 4", 14),  # * over +
    ("(2 + 3) * 4", 20),
    ("8 - 2 * 3 + 1", 3),
    ("10 - 4 - 3", 3),  # left-associative
    ("100 / 10 / 5", 2.0),
    ("2 * 3 % 4", 2),  # * and % share a level, left to right
    ("17 % 5 * 3", 6),
    ("2 * 3 - 8 / 4", 4.0),
    ("2 * -3", -6),  # unary binds tighter than *
    ("-2 + 3", 1),  # ... and than +
    ("- - 3", 3),  # unary is right-associative
    ("-+-3", 3),
    ("!!(1 < 2)", True),
    ("1 + 1 == 2", True),  # + over ==
    ("2 < 1 + 2", True),
    ("1 > 2 && 2 > 3 || 1 < 2", True),  # && over ||
    ("1 < 2 || 2 < 1 && 2 < 1", True),
    ("!(1 > 2) && 2 > 1", True),
    ("1 < 2 ? 10 : 20 + 1", 10),  # ?: is the lowest level
    ("1 > 2 ? 10 : 20 + 1", 21),
    ("2 > 1 ? 1 > 2 : 2 > 1 ? 1 > 2 : 2 > 1", False),  # right-associative (left would give true)
    ("1 < 2 ? 2 < 1 ? 1 : 2 : 3", 2),
    ("1 > 2 ? 1 : 2 > 3 ? 2 : 3", 3),
]


def test_precedence_and_associativity(runtime_cls):
    got = run_exprs(runtime_cls, [t for t, _ in PRECEDENCE])
    for (text, want), value in zip(PRECEDENCE, got):
        kind = {bool: np.bool_, int: np.int32, float: np.float32}[type(want)]
        assert value.dtype == kind, (text, value.dtype)
        assert value.shape == () and value == want, (text, value, want)


def test_comparison_chain_is_left_associative():
    # ((1 < 2) == 2) < 3: the inner == compares a bool with an int; right-associative parsing would
    # fail at "2 == (2 < 3)" (offset 4) instead
    d = expr_error("1 < 2 == 2 < 3")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0)


# -- int / float typing (W14) --------------------------------------------------------------------
def test_w14_values(runtime_cls):
    bl, ed = dyn("x", 0.25)
    b2, e2 = dyn("y", 0.1)
    b3, e3 = dyn("z", 0.7)
    b4, e4 = dyn("w", 0.3)
    bl += (
        b2
        + b3
        + b4
        + [
            expr("w1", "1.0 + 0.5 * sin(in0 * 6.28 + 1.57)"),
            expr("w2", "1.2 + 0.6 * sin(in0 * 6.28)"),
            expr("w3", "2 + 3 * 4 % 5"),
            expr("w4", "-7 % 3"),
            expr("w5", "1 / 2"),
            expr("w6", "in0 > 0.5 ? 1 : 0"),
            expr("w7", "in0 > 0.5 ? 1 : 0"),
            expr("c1", "1.0 + 0.5 * sin(in0 * 6.28 + 1.57)", in0=0.25),
            expr("c2", "in0 > 0.5 ? 1 : 0", in0=0.7),
        ]
    )
    ed += (
        e2
        + e3
        + e4
        + [edge("x.out", "w1.in0"), edge("y.out", "w2.in0"), edge("z.out", "w6.in0"), edge("w.out", "w7.in0")]
    )
    names = ["w1", "w2", "w3", "w4", "w5", "w6", "w7", "c1", "c2"]
    v = run(runtime_cls, bl, ed, [f"{n}.out" for n in names])
    v = {n: v[f"{n}.out"] for n in names}
    assert_close(v["w1"], 1.0008, 2e-5, "W14 row 1")
    assert_close(v["c1"], 1.0008, 2e-5, "W14 row 1 (inline)")
    assert_close(v["w2"], 1.55252, 2e-5, "W14 row 2")
    assert v["w3"].dtype == np.int32 and v["w3"] == 4
    assert v["w4"].dtype == np.int32 and v["w4"] == -1
    assert v["w5"].dtype == np.float32 and v["w5"] == 0.5
    assert v["w6"].dtype == np.int32 and v["w6"] == 1
    assert v["w7"].dtype == np.int32 and v["w7"] == 0
    assert v["c2"].dtype == np.int32 and v["c2"] == 1


def test_int_and_float_arithmetic_on_runtime_values(runtime_cls):
    bl, ed = dyn("i", -7)
    b2, e2 = dyn("j", 3)
    b3, e3 = dyn("f", -7.5)
    bl += b2 + b3
    ed += e2 + e3
    cases = [
        ("i % j", -1, np.int32),
        ("i * j - 1", -22, np.int32),
        ("i + j", -4, np.int32),
        ("-i", 7, np.int32),
        ("+i", -7, np.int32),
        ("i / j", -7 / 3, np.float32),
        ("f % 2", -1.5, np.float32),
        ("f + i", -14.5, np.float32),
        ("i - f", 0.5, np.float32),
        ("i * 2.5", -17.5, np.float32),
        ("j > 2 ? i : f", -7.0, np.float32),
        ("j > 2 ? i : j", -7, np.int32),
        ("2147483647 + j", -2147483646, np.int32),
    ]
    for k, (text, _, _) in enumerate(cases):
        bl.append(expr(f"e{k}", text))
        ed += [
            edge("i.out", f"e{k}.refs", alias="i"),
            edge("j.out", f"e{k}.refs", alias="j"),
            edge("f.out", f"e{k}.refs", alias="f"),
        ]
    out = run(runtime_cls, bl, ed, [f"e{k}.out" for k in range(len(cases))])
    for k, (text, want, dtype) in enumerate(cases):
        got = out[f"e{k}.out"]
        assert got.dtype == dtype, (text, got.dtype)
        assert_close(got, want, 1e-6, text)


def test_literals_int_and_float():
    # NUMBER with a '.' is a float, without one an int; the output payload is the result type
    prog = osc.compile(
        make_patch([expr("a", "3"), expr("b", "3.0"), expr("c", "3 < 4")]), observe=["a.out", "b.out", "c.out"]
    )
    rt = osc.ReferenceRuntime(prog)
    rt.step(0.0)
    assert rt.read("a.out").dtype == np.int32
    assert rt.read("b.out").dtype == np.float32
    assert rt.read("c.out").dtype == np.bool_


def test_empty_expression_is_float_zero(runtime_cls):
    got = run_exprs(runtime_cls, ["", "  \t\r\n "])
    for g in got:
        assert g.dtype == np.float32 and g == 0.0
    got = run(runtime_cls, [blk("e", "Expression")], observe=["e.out"])["e.out"]
    assert got == 0.0


# -- swizzles --------------------------------------------------------------------------------------
def test_swizzles(runtime_cls):
    bl = [
        blk("v2", "Const", value=[0.1, 0.2]),
        blk("v3", "Const", value=[1.0, 2.0, 3.0]),
        blk("c", "Const", value=[0.1, 0.2, 0.3, 0.4]),
        blk("p", "FieldPolarToCartesian", angle=0.5, radius=0.25),
        blk("a", "Array", count=8),
    ]
    ed = [edge("a.t", "p.angle")]
    refs = [("v2.out", "v"), ("v3.out", "u"), ("c.out", "k"), ("p.pos", None)]
    cases = [
        ("v.yx", [0.2, 0.1]),
        ("v.x", 0.1),
        ("v.rg", [0.1, 0.2]),
        ("v.xyxy", [0.1, 0.2, 0.1, 0.2]),
        ("u.zyx", [3.0, 2.0, 1.0]),
        ("u.b", 3.0),
        ("u.xz", [1.0, 3.0]),
        ("k.bgra", [0.3, 0.2, 0.1, 0.4]),
        ("k.w", 0.4),
        ("k.a", 0.4),
        ("k.xgbw", [0.1, 0.2, 0.3, 0.4]),
        ("k.rgb", [0.1, 0.2, 0.3]),
        ("k.zw.y", 0.4),
        ("(k.xyz).zy", [0.3, 0.2]),
        ("v.y * 10 + u.z", 5.0),
        ("in1 ? k.rgb : u", [0.1, 0.2, 0.3]),
        ("in0.y", 7.0),
    ]
    for n, (text, _) in enumerate(cases):
        bl.append(expr(f"e{n}", text, in1=True, in0=[6.0, 7.0]))
        ed += [edge(src, f"e{n}.refs", **({"alias": al} if al else {})) for src, al in refs[:3]]
    bl.append(expr("pf", "p.pos.yx"))
    ed.append(edge("p.pos", "pf.refs"))
    obs = [f"e{n}.out" for n in range(len(cases))] + ["pf.out", "p.pos"]
    out = run(runtime_cls, bl, ed, obs)
    for n, (text, want) in enumerate(cases):
        assert_close(out[f"e{n}.out"], want, 1e-6, text)
    pos = out["p.pos"]
    assert out["pf.out"].shape == (8, 2)
    assert_close(out["pf.out"], pos[:, [1, 0]], 0, "field swizzle")


@pytest.mark.parametrize("text", ["v.z", "v.w", "v.b", "u.w", "u.a", "k.xyzwx", "k.q", "k.xq", "in0.x", "v.xyz"])
def test_bad_swizzles(text):
    bl, ed = sink_scaffold(
        [
            blk("v2", "Const", value=[0.1, 0.2]),
            blk("v3", "Const", value=[1.0, 2.0, 3.0]),
            blk("c", "Const", value=[0.1, 0.2, 0.3, 0.4]),
            expr("e", text, in0=1.0),
        ],
        [edge("v2.out", "e.refs", alias="v"), edge("v3.out", "e.refs", alias="u"), edge("c.out", "e.refs", alias="k")],
    )
    ds = [d for d in compile_errors(bl, ed) if d.block == "e"]
    assert [(d.code, d.port, d.position) for d in ds] == [("E_EXPR_TYPE", "expression", 0)]


def test_vectors_of_two_types_and_vector_comparisons_are_type_errors():
    # component-wise arithmetic needs one vector type (tests/expr/test_functions.py has the values)
    d = expr_error("in1 + vec3(1, 2, 3)", in1=[1.0, 2.0])
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0) and "vec3(v, 0.0)" in d.message
    d = expr_error("2 * -in1 < 1", in1=[1.0, 2.0])
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0) and "compare their components" in d.message


# -- the 16 functions, on signals and on a 1000-lane field -----------------------------------------
def _smoothstep(e0, e1, x):
    x = np.asarray(x, np.float64)
    if e0 == e1:
        return np.where(x < e0, 0.0, 1.0)
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _mulf(x, k):
    return (np.asarray(x, F32) * F32(k)).astype(np.float64)


FUNCTIONS = [  # (text over float x and int i, expected(x, i) computed from the observed inputs)
    ("sin(x)", lambda x, i: np.sin(x)),
    ("cos(x)", lambda x, i: np.cos(x)),
    ("tan(x * 0.7)", lambda x, i: np.tan(_mulf(x, 0.7))),
    ("abs(x)", lambda x, i: np.abs(x)),
    ("abs(i)", lambda x, i: np.abs(i)),
    ("sqrt(abs(x))", lambda x, i: np.sqrt(np.abs(x))),
    ("floor(x)", lambda x, i: np.floor(x)),
    ("ceil(x)", lambda x, i: np.ceil(x)),
    ("round(x * 2.5)", lambda x, i: np.rint(_mulf(x, 2.5))),
    ("min(x, 0.5)", lambda x, i: np.minimum(x, 0.5)),
    ("max(x, -0.5)", lambda x, i: np.maximum(x, -0.5)),
    ("min(i, 7)", lambda x, i: np.minimum(i, 7)),
    ("max(i, -3)", lambda x, i: np.maximum(i, -3)),
    ("min(i, x)", lambda x, i: np.minimum(i, x)),
    ("lerp(x, 3, 0.25)", lambda x, i: x * 0.75 + 3 * 0.25),
    ("mix(1, x, x)", lambda x, i: 1 * (1 - x) + x * x),
    ("smoothstep(-1, 1, x)", lambda x, i: _smoothstep(-1.0, 1.0, x)),
    ("smoothstep(0.5, 0.5, x)", lambda x, i: _smoothstep(0.5, 0.5, x)),
    ("smoothstep(1, -1, x)", lambda x, i: _smoothstep(1.0, -1.0, x)),
    ("clamp(x, -0.5, 0.75)", lambda x, i: np.maximum(-0.5, np.minimum(0.75, x))),
    ("clamp(x, 1, -1)", lambda x, i: np.maximum(1.0, np.minimum(-1.0, x))),
    ("clamp(i, 0, 1)", lambda x, i: np.clip(i, 0, 1)),
    ("wrap(x)", lambda x, i: frac(x)),
    ("fract(x * 3.3)", lambda x, i: frac(F32(x) * F32(3.3))),
]
INT_RESULTS = {"abs(i)", "floor(x)", "ceil(x)", "round(x * 2.5)", "min(i, 7)", "max(i, -3)"}


def _function_patch(signal_values):
    bl = [blk("a", "Array", count=N), expr("fx", "a.t * 4.0 - 2.0"), expr("fi", "a.index - 500")]
    ed = [edge("a.t", "fx.refs"), edge("a.index", "fi.refs")]
    sources = [("fx", "fi")]
    for k, (xv, iv) in enumerate(signal_values):
        for name, v in ((f"sx{k}", xv), (f"si{k}", iv)):
            b, e = dyn(name, v)
            bl += b
            ed += e
        sources.append((f"sx{k}", f"si{k}"))
    for s, (xs, is_) in enumerate(sources):
        for n, (text, _) in enumerate(FUNCTIONS):
            bid = f"f{s}_{n}"
            bl.append(expr(bid, text))
            ed += [edge(f"{xs}.out", f"{bid}.refs", alias="x"), edge(f"{is_}.out", f"{bid}.refs", alias="i")]
    return bl, ed, sources


def test_all_functions_on_signals_and_fields(runtime_cls):
    signal_values = [(-1.3, -4), (0.0, 0), (0.5, 9), (2.7, 3)]
    bl, ed, sources = _function_patch(signal_values)
    obs = [f"{x}.out" for pair in sources for x in pair]
    obs += [f"f{s}_{n}.out" for s in range(len(sources)) for n in range(len(FUNCTIONS))]
    out = run(runtime_cls, bl, ed, obs)
    assert_close(out["fx.out"], (np.arange(N) * F32(1.0 / (N - 1)) * F32(4.0)).astype(F32) - F32(2.0), 1e-6, "x")
    for s, (xs, is_) in enumerate(sources):
        x = out[f"{xs}.out"].astype(np.float64)
        i = out[f"{is_}.out"]
        assert i.dtype == np.int32
        if s > 0:
            assert x == F32(signal_values[s - 1][0]) and i == signal_values[s - 1][1]
        else:
            assert x.shape == (N,) and np.array_equal(i, np.arange(N) - 500)
        for n, (text, want) in enumerate(FUNCTIONS):
            got = out[f"f{s}_{n}.out"]
            assert got.shape == x.shape, text
            if text in INT_RESULTS:
                assert got.dtype == np.int32, (text, got.dtype)
                assert np.array_equal(got, want(x, i).astype(np.int64)), text
            else:
                assert got.dtype == np.float32, (text, got.dtype)
                assert_close(got, want(x, i), 1e-5, f"{text} ({'field' if s == 0 else 'signal'})")


def test_round_is_ties_to_even_and_fract_below_one(runtime_cls):
    values = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -1e-9]
    bl, ed = [], []
    for k, v in enumerate(values):
        b, e = dyn(f"x{k}", v)
        bl += b + [expr(f"r{k}", "round(x)"), expr(f"w{k}", "fract(x)")]
        ed += e + [edge(f"x{k}.out", f"r{k}.refs", alias="x"), edge(f"x{k}.out", f"w{k}.refs", alias="x")]
    out = run(runtime_cls, bl, ed, [f"{p}{k}.out" for k in range(len(values)) for p in "rw"])
    assert [int(out[f"r{k}.out"]) for k in range(len(values))] == [0, 2, 2, 0, -2, -2, 3, 0]
    assert out["w7.out"] == ONE_MINUS_ULP  # frac(-1e-9) = 1 - 1e-9 rounds to 1.0, clamped below 1
    assert out["w3.out"] == 0.5


def test_function_errors():
    d = expr_error("sinn(in0)")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0) and "did you mean 'sin'" in d.message
    d = expr_error("1 + smoothstp(0, 1, in0)")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 4) and "did you mean 'smoothstep'" in d.message
    for text, pos in [
        ("min(in0)", 0),
        ("clamp(in0, 1)", 0),
        ("2 * sin()", 4),
        ("lerp(1, 2, 3, 4)", 0),
        ("sin(1 < 2)", 4),
        ("abs(in0 > 0)", 4),
        ("max(1, 1 < 2)", 7),
    ]:
        d = expr_error(text)
        assert (d.code, d.position) == ("E_EXPR_TYPE", pos), (text, d.format())


# -- comparisons and logic -------------------------------------------------------------------------
LOGIC = [
    ("i < 3", lambda x, i: i < 3),
    ("i <= 3", lambda x, i: i <= 3),
    ("i > 3", lambda x, i: i > 3),
    ("i >= 3", lambda x, i: i >= 3),
    ("i == 3", lambda x, i: i == 3),
    ("i != 3", lambda x, i: i != 3),
    ("x < 0.25", lambda x, i: x < F32(0.25)),
    ("x <= 0.25", lambda x, i: x <= F32(0.25)),
    ("x > 0.25", lambda x, i: x > F32(0.25)),
    ("x >= 0.25", lambda x, i: x >= F32(0.25)),
    ("x == 0.25", lambda x, i: x == F32(0.25)),
    ("x != 0.25", lambda x, i: x != F32(0.25)),
    ("i < x * 10", lambda x, i: i.astype(F32) < x * F32(10)),
    ("(i > 0) == (x > 0.5)", lambda x, i: (i > 0) == (x > 0.5)),
    ("(i > 0) != (x > 0.5)", lambda x, i: (i > 0) != (x > 0.5)),
    ("!(i > 0)", lambda x, i: ~(i > 0)),
    ("i > 0 && x < 0.75", lambda x, i: (i > 0) & (x < F32(0.75))),
    ("i > 0 || x < 0.25", lambda x, i: (i > 0) | (x < F32(0.25))),
    ("i % 3 == 0 ? x : -x", lambda x, i: np.where(i % 3 == 0, x, -x)),
]


def test_comparisons_and_logic_on_a_field(runtime_cls):
    bl = [blk("a", "Array", count=N), expr("fi", "a.index - 500")]
    ed = [edge("a.index", "fi.refs")]
    for n, (text, _) in enumerate(LOGIC):
        bl.append(expr(f"l{n}", text))
        ed += [edge("a.t", f"l{n}.refs", alias="x"), edge("fi.out", f"l{n}.refs", alias="i")]
    out = run(runtime_cls, bl, ed, ["a.t", "fi.out"] + [f"l{n}.out" for n in range(len(LOGIC))])
    x, i = out["a.t"], out["fi.out"]
    for n, (text, want) in enumerate(LOGIC):
        got = out[f"l{n}.out"]
        expected = want(x, i)
        assert got.shape == (N,) and got.dtype == expected.dtype, (text, got.dtype)
        assert np.array_equal(got, expected), text


def test_logic_needs_bools():
    for text in ("in0 && 1", "!in0", "in0 || in0 > 1", "in0 ? 1 : 2"):
        d = expr_error(text)
        assert (d.code, d.position) == ("E_EXPR_TYPE", 0), text
        assert "compare, e.g. x > 0" in d.message, d.message
    d = expr_error("in0 > 1 && (in0 < 2 || 3)")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 11)  # the parenthesized || node starts at its '('
    d = expr_error("in0 > 1 == 2")
    assert d.code == "E_EXPR_TYPE" and d.position == 0
    d = expr_error("(in0 > 1) < 2")  # a parenthesized operand starts at its '('
    assert d.code == "E_EXPR_TYPE" and d.position == 0
    d = expr_error("1 + (in0 > 1)")
    assert d.code == "E_EXPR_TYPE" and d.position == 0
    d = expr_error("1 + (foo)")
    assert d.code == "E_EXPR_TYPE" and d.position == 4


def test_bool_and_int_outputs_convert_to_float_inputs(runtime_cls):
    bl = [expr("b", "1 < 2"), expr("i", "floor(in0)", in0=2.5), blk("s", "Add")]
    out = run(runtime_cls, bl, [edge("b.out", "s.a"), edge("i.out", "s.b")], ["s.out"])
    assert out["s.out"] == 3.0


# -- select --------------------------------------------------------------------------------------
def test_select_returns_the_chosen_branch_exactly(runtime_cls):
    bl = [
        blk("a", "Array", count=N),
        expr("fi", "a.index - 500"),
        expr("fx", "a.t - 0.5"),
        expr("s1", "i > 0 ? 1 / i : 0"),
        expr("s2", "x >= 0 ? sqrt(x) : -1"),
        expr("s3", "i != 0 ? i / i : 7"),
        expr("s4", "i < 0 ? 0.0 / 0.0 : 2.5"),
    ]
    ed = [edge("a.index", "fi.refs"), edge("a.t", "fx.refs")]
    for b in ("s1", "s2", "s3", "s4"):
        ed += [edge("fi.out", f"{b}.refs", alias="i"), edge("fx.out", f"{b}.refs", alias="x")]
    b0, e0 = dyn("z", 0.0)
    bl += b0 + [expr("sz", "z > 0 ? 1 / z : 0")]
    ed += e0 + [edge("z.out", "sz.refs", alias="z")]
    out = run(runtime_cls, bl, ed, ["fi.out", "fx.out", "s1.out", "s2.out", "s3.out", "s4.out", "sz.out"])
    i, x = out["fi.out"], out["fx.out"]
    assert out["sz.out"] == 0.0 and not np.signbit(out["sz.out"])
    s1 = out["s1.out"]
    assert np.all(s1[i <= 0] == 0.0) and s1[500] == 0.0
    assert_close(s1[i > 0], 1.0 / i[i > 0], 1e-6, "1/i")
    s2 = out["s2.out"]
    assert np.all(s2[x < 0] == -1.0)
    assert_close(s2[x >= 0], np.sqrt(x[x >= 0].astype(np.float64)), 1e-5, "sqrt")
    assert out["s3.out"][500] == 7.0 and np.all(out["s3.out"][i != 0] == 1.0)
    assert np.all(out["s4.out"][i >= 0] == 2.5)
    for k in ("s1", "s2", "s3"):
        assert np.isfinite(out[f"{k}.out"]).all(), k


def test_ternary_branch_unification():
    prog = osc.compile(
        make_patch([expr("a", "1 < 2 ? 1 : 0.5"), expr("b", "1 < 2 ? 1 : 2"), expr("c", "1 < 2 ? 1 < 2 : 2 < 1")]),
        observe=["a.out", "b.out", "c.out"],
    )
    rt = osc.ReferenceRuntime(prog)
    rt.step(0.0)
    assert rt.read("a.out").dtype == np.float32 and rt.read("a.out") == 1.0
    assert rt.read("b.out").dtype == np.int32 and rt.read("b.out") == 1
    assert rt.read("c.out").dtype == np.bool_ and rt.read("c.out")
    d = expr_error("in0 > 0 ? 1 : 1 < 2")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0)


# -- names: in0 / in1, refs, aliases ----------------------------------------------------------------
def test_refs_by_block_port_and_alias(runtime_cls):
    bl = [
        blk("k", "Const", value=2.0),
        blk("my.osc", "Oscillator", phase=0.25),
        expr("e", "time.tMs * speed + k.out + my.osc.out + speed"),
        expr("only_alias", "kk"),
    ]
    ed = [
        edge("time.tMs", "e.refs"),
        edge("k.out", "e.refs", alias="speed"),
        edge("my.osc.out", "e.refs"),
        edge("k.out", "only_alias.refs", alias="kk"),
    ]
    out = run(runtime_cls, bl, ed, ["e.out", "only_alias.out", "my.osc.out"], t_ms=500.0)
    osc_out = float(out["my.osc.out"])
    assert abs(osc_out - 1.0) < 1e-6  # sin(2π · 0.25)
    assert_close(out["e.out"], 500.0 * 2.0 + 2.0 + osc_out + 2.0, 1e-6, "refs")
    assert out["only_alias.out"] == 2.0


def test_every_ref_edge_is_kept(runtime_cls):
    # several edges into refs are all usable: they are not combined with "last"
    bl = [
        blk("k1", "Const", value=1.0),
        blk("k2", "Const", value=20.0),
        blk("k3", "Const", value=300.0),
        expr("e", "k1.out + k2.out + k3.out + x"),
    ]
    ed = [edge("k1.out", "e.refs"), edge("k2.out", "e.refs"), edge("k3.out", "e.refs", alias="x")]
    assert run(runtime_cls, bl, ed, ["e.out"])["e.out"] == 621.0


def test_in0_in1_inline_params(runtime_cls):
    got = run_exprs(runtime_cls, ["in0 * 2", "in1 ? in0 : 0", "!in1"], in0=0.25, in1=True)
    assert got[0] == 0.5 and got[1] == 0.25 and not got[2]
    got = run_exprs(runtime_cls, ["in0.y + in1"], in0=[1.0, 2.0], in1=0.5)
    assert got[0] == 2.5


def test_connected_inputs_and_field_cardinality(runtime_cls):
    bl = [blk("a", "Array", count=16), expr("e", "in0 * 10 + in1"), expr("c", "1 + 2")]
    ed = [edge("a.t", "e.in0"), edge("time.tMs", "e.in1"), edge("a.index", "c.refs")]
    out = run(runtime_cls, bl, ed, ["e.out", "a.t", "c.out"], t_ms=3.0)
    assert_close(out["e.out"], out["a.t"].astype(np.float64) * 10 + 3.0, 1e-6, "in0*10+in1")
    # a field input makes the output a field even when the text does not use it
    assert out["c.out"].shape == (16,) and np.all(out["c.out"] == 3)


def test_undefined_names():
    d = expr_error("foo + 1")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0)
    d = expr_error("in0 + in1")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 6) and "undefined input" in d.message
    assert "did you mean 'in0'" in d.message
    d = expr_error("1 + in")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 4) and "did you mean 'in0'" in d.message
    bl, ed = sink_scaffold(
        [blk("k", "Const", value=1.0), expr("e", "speeed * 2 + k.outt")], [edge("k.out", "e.refs", alias="speed")]
    )
    d = next(d for d in compile_errors(bl, ed) if d.block == "e")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 0) and "did you mean 'speed'" in d.message
    bl, ed = sink_scaffold([blk("k", "Const", value=1.0), expr("e", "k.out + k.outt")], [edge("k.out", "e.refs")])
    d = next(d for d in compile_errors(bl, ed) if d.block == "e")
    assert (d.code, d.position) == ("E_EXPR_TYPE", 8) and "did you mean 'k.out'" in d.message


def test_refs_take_no_inline_value():
    bl, ed = sink_scaffold([expr("e", "1", refs=1.0)])
    assert [(d.code, d.block, d.port) for d in compile_errors(bl, ed)] == [("E_PARAM_INVALID", "e", "refs")]


def test_refs_join_instance_inference():
    bl, ed = sink_scaffold(
        [blk("a1", "Array", count=4), blk("a2", "Array", count=5), expr("e", "x + y")],
        [edge("a1.t", "e.refs", alias="x"), edge("a2.t", "e.refs", alias="y")],
    )
    assert "E_INSTANCE_MISMATCH" in {d.code for d in compile_errors(bl, ed)}


# -- W14 error table, lexing, W17 -----------------------------------------------------------------
W14_ERRORS = [
    ("in0 +", "E_EXPR_SYNTAX", 5),
    ("*** invalid ***", "E_EXPR_SYNTAX", 0),
    ("this is not valid +++", "E_EXPR_SYNTAX", 5),
    ("sin(in0", "E_EXPR_SYNTAX", 7),
    ("in0 @ 2", "E_EXPR_SYNTAX", 4),
    ("sinn(in0)", "E_EXPR_TYPE", 0),
    ("min(in0)", "E_EXPR_TYPE", 0),
    ("in0 && 1", "E_EXPR_TYPE", 0),
    ("foo + 1", "E_EXPR_TYPE", 0),
]


@pytest.mark.parametrize("text, code, position", W14_ERRORS)
def test_w14_errors(text, code, position):
    d = expr_error(text)
    assert (d.code, d.block, d.port, d.position) == (code, "e", "expression", position)
    if text.startswith("sinn"):
        assert "did you mean 'sin'" in d.message


LEXING = [
    ("1.", "E_EXPR_SYNTAX", 2),  # NUMBER 1 then '.', which needs a name after it
    (".5", "E_EXPR_SYNTAX", 0),  # no leading-dot numbers
    ("1 .5", "E_EXPR_SYNTAX", 3),
    ("1.x", "E_EXPR_TYPE", 0),  # a swizzle on an int
    ("in0 & 1", "E_EXPR_SYNTAX", 4),
    ("in0 | 1", "E_EXPR_SYNTAX", 4),
    ("in0 = 1", "E_EXPR_SYNTAX", 4),
    ("in0 # 1", "E_EXPR_SYNTAX", 4),
    ("in0 + é", "E_EXPR_SYNTAX", 6),
    ("in0\f+ 1", "E_EXPR_SYNTAX", 3),  # whitespace is space, tab, CR and LF only
    ("()", "E_EXPR_SYNTAX", 1),
    ("(in0", "E_EXPR_SYNTAX", 4),
    ("in0 ? 1", "E_EXPR_SYNTAX", 7),
    ("in0)", "E_EXPR_SYNTAX", 3),
    ("sin(in0,)", "E_EXPR_SYNTAX", 8),
    ("(sin)(in0)", "E_EXPR_SYNTAX", 5),  # the callee must be a bare IDENT
    ("in0.x(1)", "E_EXPR_SYNTAX", 5),
    ("in0 in0", "E_EXPR_SYNTAX", 4),
    ("1 2", "E_EXPR_SYNTAX", 2),
    ("@ +", "E_EXPR_SYNTAX", 0),  # lexing errors come before parsing errors
    ("+ @", "E_EXPR_SYNTAX", 2),
    ("foo +", "E_EXPR_SYNTAX", 5),  # parsing errors come before typing errors
    ("sin", "E_EXPR_TYPE", 0),  # no keywords: a bare function name is an undefined name
    ("99999999999", "E_EXPR_SYNTAX", 0),
]


@pytest.mark.parametrize("text, code, position", LEXING)
def test_lexing_and_parsing_errors(text, code, position):
    d = expr_error(text)
    assert (d.code, d.position) == (code, position), d.format()


def test_function_names_are_not_keywords(runtime_cls):
    bl = [blk("k", "Const", value=0.5), expr("e", "sin(sin) + min")]
    ed = [edge("k.out", "e.refs", alias="sin"), edge("k.out", "e.refs", alias="min")]
    assert_close(run(runtime_cls, bl, ed, ["e.out"])["e.out"], np.sin(0.5) + 0.5, 1e-6)


def test_deep_nesting_is_a_diagnostic_not_a_crash():
    for text in [
        "(" * 500 + "1" + ")" * 500,
        "-" * 3000 + "1",
        "+".join(["1"] * 3000),
        "!" * 2000 + "(1 < 2)",
        "sin(" * 400 + "1" + ")" * 400,
    ]:
        d = expr_error(text)
        assert d.code == "E_EXPR_SYNTAX"


def test_one_expression_error_per_block():
    bl, ed = sink_scaffold([expr("e1", "foo(bar) + @"), expr("e2", "1 +"), expr("e3", "1 + 2")])
    ds = compile_errors(bl, ed)
    assert sorted((d.block, d.code, d.position) for d in ds) == [
        ("e1", "E_EXPR_SYNTAX", 11),
        ("e2", "E_EXPR_SYNTAX", 3),
    ]
    bl, ed = sink_scaffold(
        [expr("e1", "in0 && 1 || baz"), expr("e2", "sinn(foo) + 1.x"), expr("e3", "1 + 2")],
        [edge("time.phaseA", "e1.in0")],
    )
    ds = compile_errors(bl, ed)
    assert sorted((d.block, d.code, d.position) for d in ds) == [("e1", "E_EXPR_TYPE", 0), ("e2", "E_EXPR_TYPE", 0)]


def test_w17_unconnected_expression():
    blocks = [
        blk("a", "Array"),
        blk("g", "GridLayout", columns=10, width=0.8),
        blk("sh", "Ellipse"),
        blk("r", "RenderInstances2D", color=[1, 1, 1, 1]),
        expr("x", "in0 +"),
    ]
    edges = [edge("a.idx", "g.idx"), edge("g.pos", "r.pos"), edge("sh.shape", "r.shape")]
    ds = [d for d in compile_errors(blocks, edges) if d.block == "x"]
    exprs = [
        d
        for d in ds
        if d.code == "E_EXPR_SYNTAX" or (d.code == "W_BLOCK_UNREACHABLE_ERROR" and d.cause == "E_EXPR_SYNTAX")
    ]
    assert len(exprs) == 1, [d.format() for d in ds]
    assert exprs[0].position == 5 and exprs[0].port == "expression"


# -- the text never reaches WGSL or Python ------------------------------------------------------------
MALICIOUS = [
    "__import__('os')",
    "in0; } fn x() {",
    'os.system("rm -rf /")',
    "in0\n}\n@compute fn main() {}",
    "exec('print(1)')",
    "in0 // comment",
    "in0 /* x */",
    "vf[0] = 1",
    "`id`",
    "in0 $ 1",
    "__import__",
    "in0.__class__",
    "eval(in0)",
    "lambda: 0",
]


@pytest.mark.parametrize("text", MALICIOUS)
def test_malicious_text_only_yields_diagnostics(text, monkeypatch):
    def boom(*a, **k):
        raise AssertionError("eval/exec called during compile")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    bl, ed = sink_scaffold([expr("e", text)], [edge("time.phaseA", "e.in0")])
    ds = compile_errors(bl, ed)
    assert {d.code for d in ds} <= {"E_EXPR_SYNTAX", "E_EXPR_TYPE"} and all(d.block == "e" for d in ds)


def test_names_never_reach_wgsl(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("eval/exec called during compile")

    monkeypatch.setattr(builtins, "eval", boom)
    monkeypatch.setattr(builtins, "exec", boom)
    bl, ed = sink_scaffold(
        [blk("evil_block", "Const", value=0.5), expr("e", "__import__ + system * evil_block.out + secret_alias.x.y")],
        [
            edge("evil_block.out", "e.refs", alias="__import__"),
            edge("arr.t", "e.refs", alias="system"),
            edge("time.phaseA", "e.in0"),
            edge("grid.position", "e.refs", alias="secret_alias.x"),
        ],
    )
    prog = osc.compile(make_patch(bl, ed))
    text = "\n".join(prog.wgsl.values())
    for word in ("__import__", "system", "evil_block", "secret_alias", "expression"):
        assert word not in text, word


def test_expression_fuses_into_the_field_kernel():
    bl = [
        blk("a", "Array", count=N),
        expr("e1", "sin(a.t * 6.28 + time.tMs) * 0.5 + 0.5"),
        expr("e2", "in0 > 0.5 ? in0 : 1 - in0"),
        blk("g", "GridLayout"),
        blk("r", "RenderInstances2D"),
    ]
    ed = [
        edge("a.t", "e1.refs"),
        edge("time.tMs", "e1.refs"),
        edge("e1.out", "e2.in0"),
        edge("e2.out", "r.size"),
        edge("a.elements", "g.elements"),
        edge("g.position", "r.pos"),
    ]
    prog = osc.compile(make_patch(bl, ed))
    field_kernels = [k for k in prog.kernels if k.kind == "field" and not k.once]
    assert len(field_kernels) == 1
