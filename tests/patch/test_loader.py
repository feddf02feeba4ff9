"""The one loader (oscilla/patch/loader.py, docs/language/patch-format.md#loading): bytes -> text ->
JSON -> structure. Every bad input is E_PATCH_INVALID with a place (a byte offset, or a line and
column, or a JSON path), never UnicodeDecodeError, RecursionError, ValueError or OverflowError, and
load_patch, compile and Patch.from_dict agree on what they accept."""

from __future__ import annotations

import codecs
import json

import pytest
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.patch import MAX_DEPTH, MAX_INT_DIGITS, patch_from_bytes

GOOD = make_patch(
    [
        blk("s", "Sin", input=0.25),
        blk("arr", "Array", count=4),
        blk("grid", "GridLayout", rows=2, cols=2),
        blk("draw", "RenderInstances2D"),
    ],
    [edge("arr.elements", "grid.elements"), edge("grid.position", "draw.pos"), edge("s.result", "draw.size")],
)
GOOD_TEXT = json.dumps(GOOD)


def invalid(source) -> list[osc.Diagnostic]:
    """The diagnostics of loading ``source`` (all must be E_PATCH_INVALID errors)."""
    with pytest.raises(osc.CompileError) as ei:
        osc.load_patch(source)
    ds = ei.value.diagnostics
    assert ds and all(d.code == "E_PATCH_INVALID" and d.severity == "error" for d in ds), [d.format() for d in ds]
    return ds


def invalid_file(tmp_path, data: bytes) -> list[osc.Diagnostic]:
    f = tmp_path / "p.json"
    f.write_bytes(data)
    return invalid(f)


# -- bytes -> text ------------------------------------------------------------------------------
def test_a_utf8_bom_is_accepted_by_load_patch_and_compile(tmp_path):
    f = tmp_path / "bom.json"
    f.write_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode())
    p = osc.load_patch(f)
    assert [b.id for b in p.blocks] == ["time", "s", "arr", "grid", "draw"]
    assert p.to_dict()["blocks"] == GOOD["blocks"]
    assert osc.compile(f).wgsl == osc.compile(GOOD).wgsl
    assert patch_from_bytes(codecs.BOM_UTF8 + GOOD_TEXT.encode()).to_dict() == p.to_dict()
    assert osc.load_patch("\ufeff" + GOOD_TEXT).to_dict() == p.to_dict()  # JSON text read with a BOM


@pytest.mark.parametrize(
    "bom, codec",
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_text_with_a_bom(tmp_path, bom, codec):
    [d] = invalid_file(tmp_path, bom + GOOD_TEXT.encode(codec))
    name = "UTF-32" if "32" in codec else "UTF-16"
    assert f"is {name} text" in d.message and "byte offset 0" in d.message and "UTF-8" in d.message


def test_utf16_without_a_bom_is_named_by_its_first_nul_byte(tmp_path):
    # '{' is 7b 00 in UTF-16-LE: the first NUL is byte 1
    [d] = invalid_file(tmp_path, GOOD_TEXT.encode("utf-16-le"))
    assert "NUL byte at byte offset 1 " in d.message


def test_binary_files(tmp_path):
    [d] = invalid_file(tmp_path, bytes(range(256)))
    assert "NUL byte at byte offset 0 " in d.message
    png = b"\x89PNG\r\n\x1a\n" + b"\x7f" * 20  # no NUL: the first byte is not UTF-8
    [d] = invalid_file(tmp_path, png)
    assert "byte 0x89 at byte offset 0 " in d.message


@pytest.mark.parametrize("bom", [b"", codecs.BOM_UTF8])
@pytest.mark.parametrize("bad", [b"\xff", b"\xc3(", b"\xed\xa0\x80"])  # stray byte, cut sequence, encoded surrogate
def test_invalid_utf8_in_an_id_names_the_byte_offset_and_line(tmp_path, bom, bad):
    data = bom + b'{"oscilla": 1,\n "blocks": [{"id": "ab' + bad + b'c", "type": "Sin"}]}'
    [d] = invalid_file(tmp_path, data)
    offset = data.index(bad)
    assert f"at byte offset {offset} (line 2," in d.message, d.message
    assert "not UTF-8" in d.message


def test_empty_and_blank_files(tmp_path):
    for data in (b"", b"  \n\t", codecs.BOM_UTF8):
        [d] = invalid_file(tmp_path, data)
        assert d.message == "the file is empty"


# -- text -> JSON -------------------------------------------------------------------------------
def _deep(n: int) -> str:
    return '{"oscilla": 1, "blocks": [' + "[" * n + "]" * n + "]}"


@pytest.mark.parametrize("n", [100_000, 1_000])
def test_deep_nesting_is_a_diagnostic_with_its_position(tmp_path, n):
    prefix = '{"oscilla": 1, "blocks": ['  # levels 1 and 2; the run's k-th '[' opens level 2 + k
    column = len(prefix) + (MAX_DEPTH - 1)  # 1-based column of the run's '[' number MAX_DEPTH - 1 (level MAX_DEPTH + 1)
    for ds in (invalid(_deep(n)), invalid_file(tmp_path, _deep(n).encode())):
        [d] = ds
        assert f"line 1 column {column}: " in d.message and f"deeper than {MAX_DEPTH}" in d.message, d.message
    with pytest.raises(osc.CompileError):
        osc.compile(_deep(n))


def test_nesting_at_the_limit_loads():
    # a param value nested to exactly level MAX_DEPTH: patch 1 > blocks 2 > block 3 > params 4 > value 5..
    v = 0.5
    for _ in range(MAX_DEPTH - 4):
        v = [v]
    osc.load_patch(make_patch([blk("s", "Sin", input=v)]))
    with pytest.raises(osc.CompileError):
        osc.load_patch(make_patch([blk("s", "Sin", input=[v])]))


def test_deep_nesting_in_a_python_dict():
    v: list = []
    for _ in range(100_000):  # built iteratively: Python itself never recursed
        v = [v]
    for source in (make_patch([blk("s", "Sin", input=v)]), {"oscilla": 1, "settings": {"background": v}}):
        [d] = invalid(source)
        assert f"deeper than {MAX_DEPTH}" in d.message
    [d] = invalid(make_patch([blk("s", "Sin", input=v)]))
    assert d.block == "s" and d.message.startswith("blocks[1].params.input[0][0]")


def test_a_self_containing_dict_is_too_deep_not_an_endless_loop():
    params: dict = {}
    params["input"] = params
    [d] = invalid(make_patch([blk("s", "Sin", **params)]))
    assert f"deeper than {MAX_DEPTH}" in d.message


@pytest.mark.parametrize("digits", [400, 5_000, 301])
def test_long_integer_literals(tmp_path, digits):
    text = GOOD_TEXT.replace('"input": 0.25', '"input": ' + "7" * digits)
    assert text != GOOD_TEXT
    column = text.index("7" * digits) + 1
    for ds in (invalid(text), invalid_file(tmp_path, text.encode())):
        [d] = ds
        assert d.message.startswith(f"line 1 column {column}: an integer of {digits:,} digits"), d.message
    neg = text.replace("7" * digits, "-" + "7" * digits)
    [d] = invalid(neg)
    assert f"an integer of {digits:,} digits" in d.message
    with pytest.raises(osc.CompileError):
        osc.compile(text)  # not OverflowError / ValueError


def test_integers_up_to_the_limit_load():
    text = GOOD_TEXT.replace('"input": 0.25', '"input": ' + "9" * MAX_INT_DIGITS)
    assert osc.load_patch(text).block("s").params["input"] == int("9" * MAX_INT_DIGITS)


@pytest.mark.parametrize("big", [10**400, -(10**5000)], ids=["400-digits", "5000-digits"])
def test_long_integers_in_a_python_dict(big):
    [d] = invalid(make_patch([blk("s", "Sin", input=big)]))
    assert d.block == "s" and "blocks[1].params.input" in d.message and "digits" in d.message
    [d] = invalid({"oscilla": big})
    assert "oscilla" in d.message and "digits" in d.message


@pytest.mark.parametrize(
    "literal, words",
    [
        ("NaN", "NaN is not a JSON number"),
        ("Infinity", "Infinity is not a JSON number"),
        ("-Infinity", "-Infinity is not a JSON number"),
        ("1e400", "the number 1e400 is too large for a 64-bit float"),
        ("-2.5E999", "the number -2.5E999 is too large"),
    ],
)
def test_non_finite_number_literals(literal, words):
    text = GOOD_TEXT.replace('"input": 0.25', f'"input": {literal}')
    column = text.index(literal) + 1
    [d] = invalid(text)
    assert d.message.startswith(f"line 1 column {column}: {words}"), d.message


def test_literals_inside_strings_are_not_numbers():
    # ids may contain anything: digits, "NaN", brackets
    text = json.dumps(make_patch([blk("NaN [[[ " + "1" * 500, "Sin", input=1e300)]))
    p = osc.load_patch(text)
    assert p.blocks[1].id.startswith("NaN [[[ 111")


def test_lone_surrogate_escapes_are_refused(tmp_path):
    text = GOOD_TEXT.replace('"id": "s"', '"id": "s\\ud800"').replace('"s.input"', '"s\\ud800.input"')
    [d, *_] = invalid(text)
    assert "blocks[1].id" in d.message and "surrogate" in d.message and "\\ud800" in d.message
    d.format().encode("utf-8")  # printable
    invalid_file(tmp_path, text.encode())
    # a surrogate pair is one character: fine
    ok = GOOD_TEXT.replace('"id": "s"', '"id": "s\\ud83d\\ude00"').replace('"s.input"', '"s\\ud83d\\ude00.input"')
    assert osc.load_patch(ok).blocks[1].id == "s\U0001f600"


def test_lone_surrogates_in_a_python_dict():
    [d] = invalid(make_patch([blk("s\udc00", "Sin")]))
    assert d.block is None and "blocks[1].id" in d.message
    [d] = invalid(make_patch([blk("s", "Sin", **{"inp\ud800": 1.0})]))
    assert d.block == "s"


def test_bad_json_keeps_its_line_and_column():
    [d] = invalid('{"oscilla": 1,\n "blocks": [}')
    assert d.message.startswith("invalid JSON at line 2 column 13")


# -- the entry points agree --------------------------------------------------------------------
def test_load_patch_of_other_types_is_a_type_error():
    for bad in ([GOOD], 5, None, b"{}"):
        with pytest.raises(TypeError, match="load_patch takes"):
            osc.load_patch(bad)


def test_from_dict_and_text_and_file_agree(tmp_path):
    f = tmp_path / "p.json"
    f.write_text(GOOD_TEXT)
    dicts = [osc.Patch.from_dict(GOOD).to_dict(), osc.load_patch(GOOD_TEXT).to_dict(), osc.load_patch(f).to_dict()]
    assert dicts[0] == dicts[1] == dicts[2]
    assert dicts[0]["blocks"] == GOOD["blocks"]
    assert [e["from"] for e in dicts[0]["edges"]] == ["arr.elements", "grid.position", "s.result"]


def test_from_dict_copies_the_callers_dicts():
    src = make_patch([blk("s", "Sin", input=0.25)])
    p = osc.Patch.from_dict(src)
    src["blocks"][1]["params"]["input"] = 9.0
    assert p.block("s").params == {"input": 0.25}


def test_the_limits_are_the_documented_ones():
    assert (MAX_DEPTH, MAX_INT_DIGITS) == (64, 300)
