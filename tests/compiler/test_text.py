"""Text atlases at compile time (docs/language/rendering.md#text; oscilla/compiler/text.py): the
glyph boxes and advances where Pillow puts them, the label layout, the font file rules shared
with Image (folder tree, missing file, not a font), and one coded diagnostic per misuse. No GPU."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.program import FORMAT_GLYPHS


def _patch(**text_params) -> dict:
    return make_patch(
        [
            blk("arr", "Array", count=2),
            blk("lay", "LineLayout", x0=0.25, y0=0.5, x1=0.75, y1=0.5),
            blk("t", "Text", **text_params),
            blk("draw", "RenderInstances2D"),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("t.shape", "draw.shape")],
    )


def _patch_file(folder, **text_params):
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / "patch.json"
    f.write_text(json.dumps(_patch(**text_params)))
    return f


def _error(source, **kw) -> osc.Diagnostic:
    with pytest.raises(osc.CompileError) as e:
        osc.compile(osc.load_patch(source), **kw)
    [d] = e.value.diagnostics
    return d


def _default_font_file(path):
    """Pillow's default font written as a TrueType file (the bytes Pillow loads it from)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ImageFont.load_default(size=10).path.getvalue())
    return path


def _glyphs(program):
    sink = program.sinks[0]
    atlas = np.frombuffer(program.images[sink.image].rgba, np.uint8).reshape(
        program.images[sink.image].height, program.images[sink.image].width, 4
    )
    metrics = np.frombuffer(sink.text.glyphs, np.float32).reshape(-1, 8)
    rows = np.frombuffer(sink.text.table, np.float32).reshape(sink.text.labels, -1, 4)  # format: one row of literals
    return atlas, metrics, rows


def test_each_glyph_box_holds_pillows_rendering_of_that_character():
    program = osc.compile(_patch(text="Ag1!", em=48))
    atlas, metrics, table = _glyphs(program)
    font = ImageFont.load_default(size=48)
    for col, ch in enumerate("Ag1!"):
        g = int(table[0, col, 0])
        x, y, w, h, ox, oy, adv, _ = metrics[g]
        # Pillow's own drawing of the character with its left-middle anchor at (100, 100)
        im = Image.new("L", (200, 200), 0)
        ImageDraw.Draw(im).text((100, 100), ch, font=font, fill=255, anchor="lm")
        ref = np.asarray(im)
        ys, xs = np.nonzero(ref)
        # the ink lies inside the glyph's box, placed at the anchor + offset
        assert 100 + ox <= xs.min() and xs.max() < 100 + ox + w, ch
        assert 100 + oy <= ys.min() and ys.max() < 100 + oy + h, ch
        cell = atlas[int(y) : int(y + h), int(x) : int(x + w), 3]
        np.testing.assert_array_equal(cell, ref[int(100 + oy) : int(100 + oy + h), int(100 + ox) : int(100 + ox + w)])
        assert adv == font.getlength(ch)
    # pen positions with Pillow's kerning, and the width for alignment
    assert [table[0, i, 1] for i in range(4)] == [
        font.getlength("Ag1!"[: i + 1]) - font.getlength(c) for i, c in enumerate("Ag1!")
    ]
    assert table[0, 0, 2] == font.getlength("Ag1!")


def test_texts_give_one_row_per_label_and_empty_slots():
    program = osc.compile(_patch(texts=["ab", "c"], align="right"))
    _, _, table = _glyphs(program)
    text = program.sinks[0].text
    assert (text.labels, text.slots, text.align, text.format) == (2, 2, 1.0, None)
    assert table[1, 1, 0] == -1  # "c" has one character
    assert table[0, 0, 0] != table[1, 0, 0]


def test_a_format_atlas_starts_with_the_digit_glyphs_and_holds_the_literals():
    program = osc.compile(_patch(format="x={:+6.3f}°"))
    atlas, metrics, table = _glyphs(program)
    text = program.sinks[0].text
    assert text.format == (3, True, 6, 2, 1)
    assert len(metrics) == len(FORMAT_GLYPHS) + 3  # x, =, ° besides the digits and signs
    font = ImageFont.load_default(size=64)
    assert [metrics[i, 6] for i in range(10)] == [font.getlength(str(d)) for d in range(10)]
    assert text.slots == 2 + max(11 + 4, 6) + 1
    assert [FORMAT_GLYPHS[int(g)] if g < len(FORMAT_GLYPHS) else "?" for g in table[0, :, 0]] == ["?", "?", "?"]
    literals = [int(g) for g in table[0, :, 0]]
    for g, ch in zip(literals, "x=°", strict=True):
        assert metrics[g, 6] == font.getlength(ch)


def test_a_font_file_in_the_patch_folder_draws_like_the_same_font_built_in(tmp_path):
    _default_font_file(tmp_path / "fonts" / "mine.ttf")
    from_file = osc.compile(osc.load_patch(_patch_file(tmp_path, text="Hi", font="fonts/mine.ttf")))
    built_in = osc.compile(_patch(text="Hi"))
    assert from_file.images[0].rgba == built_in.images[0].rgba
    assert from_file.sinks[0].text.glyphs == built_in.sinks[0].text.glyphs


@pytest.mark.parametrize(
    ("font", "code"),
    [
        ("missing.ttf", "E_FILE_NOT_FOUND"),
        ("sub", "E_FILE_NOT_FOUND"),  # a folder
        ("notes.txt", "E_FILE_UNREADABLE"),
        ("../../etc/passwd", "E_PATH_OUTSIDE_PATCH"),
    ],
)
def test_unusable_font_files_are_coded_diagnostics_on_the_font_param(tmp_path, font, code):
    folder = tmp_path / "a" / "b"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("not a font")
    d = _error(_patch_file(folder, text="x", font=font))
    assert (d.code, d.block, d.port) == (code, "t", "font")


def test_a_font_outside_the_folder_is_read_when_allowed(tmp_path):
    font = _default_font_file(tmp_path / "shared" / "f.ttf")
    patch = _patch_file(tmp_path / "p", text="x", font=str(font))
    assert _error(patch).code == "E_PATH_OUTSIDE_PATCH"
    osc.compile(osc.load_patch(patch), allow_paths=[tmp_path / "shared"])


@pytest.mark.parametrize(
    ("params", "port"),
    [
        ({}, None),  # none of text, texts, format
        ({"text": "a", "format": "{:.2f}"}, None),  # two of them
        ({"format": "{:.2e}"}, "format"),
        ({"format": "{!r}"}, "format"),
        ({"format": "{:.2f} {:.2f}"}, "format"),
        ({"format": "{:.9f}"}, "format"),
        ({"texts": "abc"}, "texts"),
        ({"texts": []}, "texts"),
        ({"text": "two\\nlines"}, None),
        ({"text": "a", "align": "middle"}, "align"),
        ({"text": "a", "em": 4}, "em"),
    ],
)
def test_misuse_is_one_coded_diagnostic(params, port):
    if params.get("text") == "two\\nlines":
        params = {"text": "two\nlines"}
    d = _error(_patch(**params))
    assert (d.code, d.block, d.port) == ("E_PARAM_INVALID", "t", port)


def test_a_label_over_the_character_limit_is_refused():
    d = _error(_patch(text="x" * 257))
    assert (d.code, d.block) == ("E_LIMIT_EXCEEDED", "t")
