"""The Text shape: labels drawn from a glyph atlas (docs/language/rendering.md#text).

The compiler opens the font and rasterizes the atlas before lowering (oscilla/compiler/text.py);
the block only packs its shape value (kind TEXT, size, 0, rotation, value) and names its atlas and
layout (``Value.image``). ``format`` is parsed here by the strict grammar of
:mod:`oscilla.blocks.text_format`, never evaluated.
"""

from collections.abc import Mapping
from typing import Any

from oscilla.blocks.context import LowerContext
from oscilla.blocks.literals import describe_value
from oscilla.blocks.registry import BlockDef, E, ParamDef, ParamError, ParamLimitError, PortDef, S, register
from oscilla.blocks.shapes import TEXT
from oscilla.blocks.text_format import FormatError, NumberFormat, parse_format
from oscilla.blocks.values import ImageShape, Value

#: Text's label alignments (the anchor is the label's left end, centre or right end)
TEXT_ALIGN = ("center", "left", "right")
#: the most characters of one label
MAX_CHARS = 256
#: the most entries of ``texts``
MAX_TEXTS = 4096


def text_labels(config: Mapping[str, Any]) -> tuple[list[str], NumberFormat | None]:
    """The static labels (``text`` or ``texts``) or the number format of a Text block's params:
    ``(labels, None)`` or ``([], format)``.

    Raises:
        ParamError: none or several of text/texts/format, a label with a newline, a format outside
            the grammar; ParamLimitError: a label over MAX_CHARS characters or over MAX_TEXTS labels.
    """
    given = [k for k in ("text", "texts", "format") if config.get(k) not in (None, "", [])]
    if len(given) != 1:
        raise ParamError(
            "give exactly one of text (one label), texts (a list, one label per lane) and format (a number "
            f"per lane); got {', '.join(given) or 'none'}"
        )
    if given[0] == "format":
        try:
            return [], parse_format(config["format"])
        except FormatError as e:
            raise ParamError(f"format: {e}") from None
    labels = [config["text"]] if given[0] == "text" else list(config["texts"])
    if len(labels) > MAX_TEXTS:
        raise ParamLimitError(f"texts has {len(labels)} labels; at most {MAX_TEXTS}")
    for s in labels:
        if not isinstance(s, str):
            raise ParamError(f"{given[0]} holds {describe_value(s)}; labels are strings")
        if "\n" in s or "\r" in s:
            raise ParamError(f"{s!r}: a label is one line (no newlines)")
        if len(s) > MAX_CHARS:
            raise ParamLimitError(f"a label has {len(s)} characters; at most {MAX_CHARS}")
    return labels, None


def _parse_texts(raw: Any) -> list[str] | None:
    """``texts``: None (not given) or a non-empty list of strings.

    Raises:
        ParamError: anything else.
    """
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw or not all(isinstance(s, str) for s in raw):
        raise ParamError(f"expected a non-empty list of strings (one label per lane), got {describe_value(raw)}")
    return list(raw)


def _parse_format(raw: Any) -> str | None:
    """``format``: None (not given) or a string of the grammar of oscilla.blocks.text_format.

    Raises:
        ParamError: not a string, or outside the grammar (the message lists the accepted forms).
    """
    if raw is None:
        return None
    try:
        parse_format(raw)
    except FormatError as e:
        raise ParamError(str(e)) from None
    return str(raw)


def _lower_text(ctx: LowerContext) -> dict[str, Value]:
    index, _w, _h = ctx.image()
    layout = ctx.text_layout()
    shape = ctx.make_value(
        "shape",
        ctx.const(TEXT),
        ctx.input_node("size"),
        ctx.const(0.0),
        ctx.input_node("rotation"),
        ctx.input_node("value"),
    )
    image = ImageShape(index, "linear", (1, 1), text=layout)
    return {"shape": Value(shape.nodes, shape.payload, shape.instance, image=image)}


register(
    BlockDef(
        "Text",
        "shape",
        inputs=(
            PortDef("size", "float", S, default=0.05),
            PortDef("rotation", "float", S, default=0.0),
            PortDef("value", "float", E, default=0.0),
        ),
        outputs=(PortDef("shape", "shape", E),),
        params=(
            ParamDef("text", "string", ""),
            ParamDef("texts", "any", None, parse=_parse_texts),
            ParamDef("format", "any", None, parse=_parse_format),
            ParamDef("font", "string", "default"),
            ParamDef("align", "enum", "center", choices=TEXT_ALIGN),
            ParamDef("em", "int", 64, minimum=8, maximum=256),
        ),
        lower=_lower_text,
        font_param="font",
        text_labels=text_labels,
        formula="one line of text per lane, size world units per em (the font's size), anchored at the "
        "lane's position (the line's vertical middle; its left end, centre or right end by align): text, "
        "or texts[lane mod len(texts)], or value formatted by format (on the GPU), times the sink's color",
    )
)
