"""Glyph atlases of ``Text`` blocks, built with Pillow at compile time (docs/language/rendering.md#text).

For every block whose definition names a ``font_param``, the font (a file resolved like an Image's
path, :mod:`oscilla.compiler.files`, or ``"default"``: the scalable font Pillow ships) is opened at
``em`` pixels with Pillow's basic layout, the characters the block can draw are rasterized once
into one atlas (an :class:`~oscilla.program.ImageData`, white with the glyph coverage as alpha), and
the labels are laid out with Pillow's own advances and kerning (:class:`~oscilla.program.TextLayout`).
Each problem is one coded diagnostic on the block.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from oscilla.blocks.registry import ParamError, ParamLimitError
from oscilla.compiler.files import FileRefused, FileRoots, check_regular_file, resolve_file
from oscilla.compiler.graph import Graph
from oscilla.diagnostics import DiagnosticCollector
from oscilla.program import FORMAT_GLYPHS, ImageData, TextLayout

#: the font param's value naming the font Pillow ships
DEFAULT_FONT = "default"
#: the atlas's width in texels (rows of glyphs are added below as needed)
ATLAS_WIDTH = 1024
#: the codes of a refused font file (reported on the font param; the others on the block)
FONT_FILE_CODES = ("E_FILE_NOT_FOUND", "E_FILE_UNREADABLE", "E_PATH_OUTSIDE_PATCH")
#: the label alignments and the fraction of the width left of the anchor
ALIGN = {"left": 0.0, "center": 0.5, "right": 1.0}


def open_font(raw: str, roots: FileRoots, em: int) -> tuple[Any, str]:
    """(the Pillow font, its name for messages) of font param ``raw`` at ``em`` pixels.

    Raises:
        FileRefused: E_PATH_OUTSIDE_PATCH, E_FILE_NOT_FOUND, E_FILE_UNREADABLE (not a font FreeType reads).
    """
    if raw == DEFAULT_FONT:
        return ImageFont.load_default(size=em), "Pillow's default font"
    path = resolve_file(raw, roots)
    check_regular_file(raw, path)
    try:
        return ImageFont.truetype(str(path), em, layout_engine=ImageFont.Layout.BASIC), str(path)
    except OSError as e:
        raise FileRefused(
            "E_FILE_UNREADABLE", f"{raw!r} is not a font file Pillow reads (TrueType/OpenType): {e}"
        ) from None


def _rasterize(font: Any, chars: Sequence[str]) -> tuple[ImageData, np.ndarray]:
    """The atlas of ``chars`` and their metrics ``(len(chars), 8)`` float32 (TextLayout.glyphs);
    shelf-packed rows, each glyph with a 1-texel transparent border."""
    cells = []
    for c in chars:
        left, top, right, bottom = font.getbbox(c, anchor="lm")
        w, h = max(int(right - left), 0) + 2, max(int(bottom - top), 0) + 2
        im = Image.new("L", (w, h), 0)
        ImageDraw.Draw(im).text((1 - left, 1 - top), c, font=font, fill=255, anchor="lm")
        cells.append((im, left - 1, top - 1, float(font.getlength(c))))
    x = y = row_h = 0
    places = []
    for im, *_ in cells:
        if x + im.width > ATLAS_WIDTH:
            x, y, row_h = 0, y + row_h, 0
        places.append((x, y))
        x += im.width
        row_h = max(row_h, im.height)
    atlas = Image.new("L", (ATLAS_WIDTH, max(y + row_h, 1)), 0)
    metrics = np.zeros((len(cells), 8), np.float32)
    for i, ((im, ox, oy, adv), (px, py)) in enumerate(zip(cells, places, strict=True)):
        atlas.paste(im, (px, py))
        metrics[i] = (px, py, im.width, im.height, ox, oy, adv, 0.0)
    rgba = np.full((atlas.height, atlas.width, 4), 255, np.uint8)
    rgba[..., 3] = np.asarray(atlas)
    return ImageData("", atlas.width, atlas.height, rgba.tobytes()), metrics


def build_text(
    config: dict[str, Any], roots: FileRoots, labels_of: Callable[[dict[str, Any]], tuple[list[str], Any]]
) -> tuple[ImageData, TextLayout]:
    """The atlas and layout of a Text block with params ``config`` (font, em, align and what
    ``labels_of``, the block's ``text_labels`` hook, reads: the static labels, or a number format
    with ``prefix``, ``suffix``, ``precision``, ``plus``, ``width`` and ``slots``).

    Raises:
        FileRefused: the diagnostics of :func:`open_font`; E_PARAM_INVALID or E_LIMIT_EXCEEDED for
            labels the hook refuses.
    """
    try:
        labels, fmt = labels_of(config)
    except ParamLimitError as e:
        raise FileRefused("E_LIMIT_EXCEEDED", str(e)) from None
    except ParamError as e:
        raise FileRefused("E_PARAM_INVALID", str(e)) from None
    em = int(config.get("em", 64))
    font, name = open_font(str(config.get("font", DEFAULT_FONT)), roots, em)
    align = ALIGN[str(config.get("align", "center"))]
    if fmt is not None:
        chars = list(FORMAT_GLYPHS) + sorted(set(fmt.prefix + fmt.suffix) - set(FORMAT_GLYPHS))
        index = {c: i for i, c in enumerate(chars)}
        row = [index[c] for c in fmt.prefix + fmt.suffix]
        table = np.full((1, max(len(row), 1), 4), -1.0, np.float32)
        table[0, : len(row), 0] = row
        spec = (fmt.precision, fmt.plus, fmt.width, len(fmt.prefix), len(fmt.suffix))
        slots = fmt.slots
    else:
        chars = sorted(set("".join(labels)))
        index = {c: i for i, c in enumerate(chars)}
        slots = max(1, max(len(s) for s in labels))
        table = np.full((len(labels), slots, 4), -1.0, np.float32)
        for r, s in enumerate(labels):
            table[r, :, 2] = font.getlength(s)
            for i, c in enumerate(s):  # pen x with Pillow's kerning against the previous character
                table[r, i, 0] = index[c]
                table[r, i, 1] = font.getlength(s[: i + 1]) - font.getlength(c)
        spec = None
    atlas, metrics = _rasterize(font, chars or [" "])
    atlas = ImageData(f"{name} at {em} px (glyph atlas)", atlas.width, atlas.height, atlas.rgba)
    layout = TextLayout(metrics.tobytes(), table.tobytes(), slots, table.shape[0], float(em), align, spec)
    return atlas, layout


def load_texts(
    g: Graph, roots: FileRoots, diags: DiagnosticCollector
) -> tuple[dict[str, ImageData], dict[str, TextLayout]]:
    """(block id -> atlas, block id -> layout) for every block of ``g`` whose definition has a
    ``font_param``; a refused block is left out, with its diagnostic in ``diags``."""
    atlases: dict[str, ImageData] = {}
    layouts: dict[str, TextLayout] = {}
    for b in g.blocks.values():
        param, labels_of = b.defn.font_param, b.defn.text_labels
        if param is None or labels_of is None or any(d.block == b.id and d.severity == "error" for d in diags.items):
            continue  # a param already refused: its own diagnostic says it
        try:
            atlases[b.id], layouts[b.id] = build_text(b.config, roots, labels_of)
        except FileRefused as e:
            port = param if e.code in FONT_FILE_CODES else None
            diags.add(e.code, f"{b.type}: {e.message}", block=b.id, port=port)
    return atlases, layouts
