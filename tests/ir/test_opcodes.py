"""The opcode table (oscilla/ir/opcodes.py): every record is complete and consistent with the
prelude, and ops evaluated through the table agree with formulas written out here."""

import colorsys
import inspect
import re
import string
import struct

import numpy as np
import pytest

from oscilla.ir.graph import IRBuilder
from oscilla.ir.opcodes import OPCODES, SOURCE_OPS, NoVec4, evaluate
from oscilla.shaders import load_wgsl

DTYPES = {"f32", "i32", "u32"}
PRELUDE_FUNCTIONS = set(re.findall(r"^fn (osc_\w+)\s*\(", load_wgsl("prelude.wgsl"), re.M))
RECORDS = sorted(OPCODES.values(), key=lambda r: r.name)


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field is not None}


def test_prelude_parsed():
    # guards the helper check below against a regex that silently finds nothing
    assert {"osc_pcg", "osc_hash4", "osc_hsv2rgb4"} <= PRELUDE_FUNCTIONS


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_record_is_complete(rec):
    assert OPCODES[rec.name] is rec
    assert rec.name not in SOURCE_OPS
    assert rec.args and all(a in DTYPES | {"*"} for a in rec.args), rec.args
    assert rec.result in DTYPES | {"*"}
    assert callable(rec.numpy)
    params = inspect.signature(rec.numpy).parameters.values()
    assert len([p for p in params if p.default is inspect.Parameter.empty]) == len(rec.args), "numpy arity"
    assert isinstance(rec.wgsl, str) and rec.wgsl.strip()
    if isinstance(rec.wgsl4, NoVec4):
        assert rec.wgsl4.reason.strip(), "a missing vec4 form must say why"
        assert rec.vec4_template is None
    else:
        assert isinstance(rec.wgsl4, str) and rec.wgsl4.strip()
        assert rec.vec4_template == rec.wgsl4


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_placeholders_match_arguments(rec):
    want = {str(i) for i in range(len(rec.args))}
    assert _placeholders(rec.wgsl) == want, rec.wgsl
    if rec.vec4_template is not None:
        assert _placeholders(rec.vec4_template) == want, rec.vec4_template
        assert rec.vec4_template.format(*"abcd"[: len(rec.args)])  # formats without error


def _functions(wgsl_file: str) -> set[str]:
    return set(re.findall(r"^fn (osc_\w+)\s*\(", load_wgsl(wgsl_file), re.M))


@pytest.mark.parametrize("rec", RECORDS, ids=lambda r: r.name)
def test_helpers_are_in_the_prelude_or_the_include(rec):
    texts = [rec.wgsl, rec.wgsl4.reason if isinstance(rec.wgsl4, NoVec4) else rec.wgsl4]
    called = {name for t in texts for name in re.findall(r"\bosc_\w+", t)}
    known = PRELUDE_FUNCTIONS | (_functions(rec.include) if rec.include else set())
    where = "prelude.wgsl" + (f" or {rec.include}" if rec.include else "")
    assert called <= known, f"not defined in {where}: {sorted(called - known)}"


def test_includes_do_not_redefine_prelude_helpers():
    for name in {r.include for r in RECORDS if r.include}:
        assert _functions(name), name  # the regex finds the file's helpers
        assert not _functions(name) & PRELUDE_FUNCTIONS, name


def test_vec4_only_missing_where_codegen_emits_it():
    assert {r.name for r in RECORDS if r.vec4_template is None} == {"hsv_r", "hsv_g", "hsv_b"}


# -- semantics, against formulas written out here ------------------------------------------------

MASK = 0xFFFFFFFF


def pcg_int(u: int) -> int:
    state = (u * 747796405 + 2891336453) & MASK
    word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) & MASK
    return (word >> 22) ^ word


def bits_int(x: float) -> int:
    return 0 if x == 0.0 else struct.unpack("<I", struct.pack("<f", x))[0]


def test_float_ops():
    a = np.array([7.5, -7.5, 2.25, -0.5], np.float32)
    b = np.array([2.0, 2.0, -1.5, 0.25], np.float32)
    assert np.array_equal(evaluate("add", "f32", [a, b]), np.array([9.5, -5.5, 0.75, -0.25], np.float32))
    # mod truncates toward zero (sign of a); modulo floors (sign of b)
    assert np.array_equal(evaluate("mod", "f32", [a, b]), np.array([1.5, -1.5, 0.75, 0.0], np.float32))
    assert np.array_equal(evaluate("modulo", "f32", [a, b]), np.array([1.5, 0.5, -0.75, 0.0], np.float32))
    # frac never returns 1.0: the largest f32 below 1 for tiny negative inputs
    got = evaluate("frac", "f32", [np.array([1.25, -0.25, -1e-9], np.float32)])
    assert got.tolist() == [0.25, 0.75, float(np.nextafter(np.float32(1), np.float32(0)))]
    assert evaluate("atan2", "f32", [np.float32(0), np.float32(0)]) == 0.0
    assert evaluate("round", "f32", [np.array([0.5, 1.5, 2.5], np.float32)]).tolist() == [0.0, 2.0, 2.0]


def test_integer_and_conversion_ops():
    a = np.array([7, -7, 7, -7], np.int32)
    b = np.array([2, 2, -2, -2], np.int32)
    assert evaluate("div_i", "i32", [a, b]).tolist() == [3, -3, -3, 3]  # truncation, like WGSL
    assert evaluate("mod_i", "i32", [a, b]).tolist() == [1, -1, 1, -1]
    assert evaluate("f2i", "i32", [np.array([3e9, -3e9, -2.7, np.nan], np.float32)]).tolist() == [
        2147483520,
        -2147483648,
        -2,
        0,
    ]
    assert evaluate("i2u", "u32", [np.int32(-1)]) == 0xFFFFFFFF
    assert evaluate("or_b", "u32", [np.array([0, 1, 1], np.uint32), np.array([0, 0, 1], np.uint32)]).tolist() == [
        0,
        1,
        1,
    ]
    got = evaluate("select", "i32", [np.array([1, 0], np.uint32), np.array([5, 5], np.int32), np.int32(9)])
    assert got.tolist() == [5, 9] and got.dtype == np.int32


def test_hash_ops():
    us = [0, 1, 12345, 0xFFFFFFFF]
    got = evaluate("pcg", "u32", [np.array(us, np.uint32)])
    assert got.tolist() == [pcg_int(u) for u in us]
    value, seed = 0.375, -2.0
    want = (pcg_int(bits_int(value) ^ pcg_int(bits_int(seed))) >> 8) / 2**24
    assert float(evaluate("hash", "f32", [np.float32(value), np.float32(seed)])) == want
    assert evaluate("bits", "u32", [np.float32(-0.0)]) == 0  # -0.0 hashes like 0.0


@pytest.mark.parametrize("hsv", [(0.0, 1.0, 1.0), (0.2, 0.5, 0.8), (0.55, 0.9, 0.4), (0.95, 0.3, 1.0)])
def test_hsv_components(hsv):
    want = colorsys.hsv_to_rgb(*hsv)
    args = [np.float32(x) for x in hsv]
    got = [float(evaluate(op, "f32", args)) for op in ("hsv_r", "hsv_g", "hsv_b")]
    assert np.allclose(got, want, atol=1e-6), (got, want)


def test_constant_folding_reads_the_table():
    b = IRBuilder()
    nid = b.op("div_i", b.const(-7, "i32"), b.const(2, "i32"))
    n = b.nodes[nid]
    assert (n.op, n.dtype, n.attrs[0]) == ("const", "i32", -3)
    nid = b.op("lt", b.const(1.0), b.const(2.0))
    assert (b.nodes[nid].op, b.nodes[nid].dtype, b.nodes[nid].attrs[0]) == ("const", "u32", 1)
