"""Glyph atlases of ``Text`` blocks, built with Pillow at compile time (docs/language/rendering.md#text).

For every block whose definition names a ``font_param``, the font (a file resolved like an Image's
path, :mod:`oscilla.compiler.files`, or ``"default"``: the scalable font Pillow ships) is opened at
``em`` pixels with Pillow's basic layout, the characters the block can draw are rasterized once
into one atlas (an :class:`~oscilla.program.ImageData`, white with the glyph coverage as alpha), and
the labels are laid out with Pillow's own advances and kerning (:class:`~oscilla.program.TextLayout`).
Each problem is one coded diagnostic on the block.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from oscilla.blocks.text_format import FormatError, NumberFormat, parse_format
from oscilla.compiler.files import FileRefused, FileRoots, check_regular_file, resolve_file
from oscilla.compiler.graph import Graph
from oscilla.diagnostics import DiagnosticCollector
from oscilla.program import FORMAT_GLYPHS, ImageData, TextLayout

#: the font param's value naming the font Pillow ships
DEFAULT_FONT = "default"
#: the most characters of one label
MAX_CHARS = 256
#: the most entries of ``texts``
MAX_TEXTS = 4096
#: the atlas's width in texels (rows of glyphs are added below as needed)
ATLAS_WIDTH = 1024
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


def _labels(config: dict[str, Any]) -> tuple[list[str], NumberFormat | None]:
    """The static labels (``text`` or ``texts``) or the number format of a Text block's params.

    Raises:
        FileRefused: E_PARAM_INVALID for none or several of text/texts/format, a bad list, a newline,
            a format outside the grammar; E_LIMIT_EXCEEDED for a label over MAX_CHARS.
    """
    given = [k for k in ("text", "texts", "format") if config.get(k) not in (None, "", [])]
    if len(given) != 1:
        raise FileRefused(
            "E_PARAM_INVALID",
            "give exactly one of text (one label), texts (a list, one label per lane) and format (a number "
            f"per lane); got {', '.join(given) or 'none'}",
        )
    if given[0] == "format":
        try:
            return [], parse_format(config["format"])
        except FormatError as e:
            raise FileRefused("E_PARAM_INVALID", f"format: {e}") from None
    labels = [config["text"]] if given[0] == "text" else config["texts"]
    if not isinstance(labels, list) or not labels or len(labels) > MAX_TEXTS:
        raise FileRefused("E_PARAM_INVALID", f"texts must be a list of 1 to {MAX_TEXTS} strings")
    for s in labels:
        if not isinstance(s, str):
            raise FileRefused("E_PARAM_INVALID", f"{given[0]} holds {s!r}; labels are strings")
        if "\n" in s or "\r" in s:
            raise FileRefused("E_PARAM_INVALID", f"{s!r}: a label is one line (no newlines)")
        if len(s) > MAX_CHARS:
            raise FileRefused("E_LIMIT_EXCEEDED", f"a label has {len(s)} characters; at most {MAX_CHARS}")
    return list(labels), None


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


def build_text(config: dict[str, Any], roots: FileRoots) -> tuple[ImageData, TextLayout]:
    """The atlas and layout of a Text block with params ``config`` (text/texts/format, font, em, align).

    Raises:
        FileRefused: the diagnostics of :func:`open_font` and the label checks (E_PARAM_INVALID,
            E_LIMIT_EXCEEDED).
    """
    labels, fmt = _labels(config)
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
        param = b.defn.font_param
        if param is None or any(d.block == b.id and d.severity == "error" for d in diags.items):
            continue  # a param already refused: its own diagnostic says it
        try:
            atlases[b.id], layouts[b.id] = build_text(b.config, roots)
        except FileRefused as e:
            port = param if e.code.startswith("E_FILE") or e.code == "E_PATH_OUTSIDE_PATCH" else None
            diags.add(e.code, f"{b.type}: {e.message}", block=b.id, port=port)
    return atlases, layouts
