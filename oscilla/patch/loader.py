"""The one patch loader: bytes -> text -> JSON -> structure -> :class:`~oscilla.patch.model.Patch`.

The CLI, :func:`load_patch` (and so ``compile``, ``render_png``) and the live Player all load
through here, so a file that one accepts every other accepts (docs/language/patch-format.md#loading):

1. **Bytes to text**: UTF-8, with or without a byte-order mark. A UTF-16 or UTF-32 byte-order
   mark, a NUL byte or a byte sequence that is not UTF-8 is E_PATCH_INVALID naming the byte
   offset (and its line).
2. **Text to JSON**: ``json`` with limits: arrays and objects nest at most
   :data:`~oscilla.patch.schema.MAX_DEPTH` deep, an integer has at most
   :data:`~oscilla.patch.schema.MAX_INT_DIGITS` digits, a number must be finite (``NaN``,
   ``Infinity`` and literals like ``1e400`` are refused), and a string must be Unicode text (no
   lone ``\\ud800`` surrogate escapes). Each is E_PATCH_INVALID at a line and column, never a
   RecursionError, ValueError or OverflowError.
3. **Version**: a file of an older format version is upgraded by the migration table of
   :mod:`~oscilla.patch.versions` (the Patch records the version read and what was rewritten).
4. **Structure**: :func:`~oscilla.patch.schema.check_patch_data` (the JSON Schema, unknown keys
   with a did-you-mean, the version, ``settings`` values).

Loading never executes anything from the file.
"""

from __future__ import annotations

import codecs
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

from oscilla.diagnostics import ERROR, CompileError, Diagnostic
from oscilla.patch.model import Patch
from oscilla.patch.schema import FORMAT_VERSION, MAX_DEPTH, MAX_INT_DIGITS, check_patch_data, gc_paused
from oscilla.patch.versions import upgrade_data


def _invalid(msg: str) -> CompileError:
    return CompileError([Diagnostic("E_PATCH_INVALID", ERROR, msg)])


# -- 1. bytes -> text ------------------------------------------------------------------------------
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


def _byte_place(data: bytes, offset: int) -> str:
    line = data.count(b"\n", 0, offset) + 1
    col = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return f"byte offset {offset} (line {line}, byte {col} of the line)"


def decode_patch_bytes(data: bytes) -> str:
    """The text of a patch file: UTF-8, a leading UTF-8 byte-order mark dropped.

    Raises:
        CompileError: E_PATCH_INVALID naming the byte offset for UTF-16/UTF-32 text, a NUL byte,
            or bytes that are not UTF-8.
    """
    for bom, name in _WIDE_BOMS:  # UTF-32-LE starts like UTF-16-LE: test it first
        if data.startswith(bom):
            raise _invalid(f"the file is {name} text (a {name} byte-order mark at byte offset 0); save it as UTF-8")
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    nul = data.find(b"\x00", start)
    if nul >= 0:
        raise _invalid(
            f"the file is not UTF-8 text: a NUL byte at {_byte_place(data, nul)} (UTF-16 text or a binary "
            "file?); save the patch as UTF-8 JSON"
        )
    try:
        return data[start:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = start + e.start
        raise _invalid(
            f"the file is not UTF-8 text: byte 0x{data[at]:02x} at {_byte_place(data, at)} is not valid "
            f"UTF-8 ({e.reason}); save the patch as UTF-8"
        ) from None


# -- 2. text -> JSON -------------------------------------------------------------------------------
class _LiteralError(Exception):
    """A number literal the loader refuses (raised from inside ``json``'s hooks)."""


def _parse_int(s: str) -> int:
    if len(s.lstrip("-")) > MAX_INT_DIGITS:
        raise _LiteralError("int")
    return int(s)


def _parse_float(s: str) -> float:
    v = float(s)
    if math.isinf(v):
        raise _LiteralError("float")
    return v


def _parse_constant(s: str) -> float:
    raise _LiteralError("constant")


_STRING = r'"(?:[^"\\]|\\.)*"'
_NUMBER_OR_CONSTANT = re.compile(_STRING + r"|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|NaN|-?Infinity)")
_BRACKET = re.compile(_STRING + r"|([\[\]{}])")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _line_col(text: str, pos: int) -> str:
    line = text.count("\n", 0, pos) + 1
    return f"line {line} column {pos - (text.rfind(chr(10), 0, pos) + 1) + 1}"


def _literal_problem(token: str) -> str | None:
    if token in ("NaN", "Infinity", "-Infinity"):
        return f"{token} is not a JSON number (JSON has no NaN or Infinity); write a finite number"
    if re.fullmatch(r"-?\d+", token):
        digits = len(token.lstrip("-"))
        if digits > MAX_INT_DIGITS:
            return (
                f"an integer of {digits:,} digits; a patch's integers have at most {MAX_INT_DIGITS} digits "
                "(larger values do not fit a 64-bit float)"
            )
        return None
    if math.isinf(float(token)):
        shown = token if len(token) <= 40 else token[:37] + "..."
        return f"the number {shown} is too large for a 64-bit float (it would be infinite); write a finite number"
    return None


def _locate_literal(text: str) -> str:
    """The first refused number literal outside strings, with its line and column (error path only)."""
    for m in _NUMBER_OR_CONSTANT.finditer(text):
        token = m.group(1)
        if token is not None:
            problem = _literal_problem(token)
            if problem:
                return f"{_line_col(text, m.start(1))}: {problem}"
    return "a number literal is out of range"  # not reached: the parser refused one


def _depth_exceeded_at(text: str) -> int | None:
    """Offset of the first bracket that opens level MAX_DEPTH + 1 outside strings, or None.
    Iterative (a regex scan), so any depth is safe; linear in the text."""
    depth = 0
    for m in _BRACKET.finditer(text):
        c = m.group(1)
        if c is None:
            continue
        if c in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return m.start(1)
        else:
            depth -= 1
    return None


def _too_deep(text: str, pos: int) -> CompileError:
    return _invalid(
        f"{_line_col(text, pos)}: arrays and objects nest deeper than {MAX_DEPTH} levels (a patch needs "
        "about 6); flatten the value"
    )


def parse_patch_json(text: str) -> Any:
    """JSON text -> Python data with the loader's limits (module docstring, step 2).

    Raises:
        CompileError: E_PATCH_INVALID with the line and column of malformed JSON, a refused
            number literal or nesting beyond :data:`~oscilla.patch.schema.MAX_DEPTH`.
    """
    if not text.strip():
        raise _invalid("the file is empty")
    # json's C parser recurses once per level and stops with a RecursionError near the
    # interpreter's recursion limit; a text with few brackets cannot nest deeply, and where the
    # limit was raised far the (linear, non-recursive) scan runs first so the parser never recurses deep
    if (text.count("[") + text.count("{") > MAX_DEPTH and sys.getrecursionlimit() > 5000) and (
        pos := _depth_exceeded_at(text)
    ) is not None:
        raise _too_deep(text, pos)
    try:
        return json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=_parse_constant)
    except json.JSONDecodeError as e:
        raise _invalid(f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}") from None
    except _LiteralError:
        raise _invalid(_locate_literal(text)) from None
    except RecursionError:
        pos = _depth_exceeded_at(text)
        raise _too_deep(text, pos if pos is not None else 0) from None


# -- 3. structure, and the entry points ------------------------------------------------------------
def patch_from_text(text: str) -> Patch:
    """A Patch from JSON text (steps 2 to 4).

    Raises:
        CompileError: E_PATCH_INVALID for bad JSON or a bad structure.
    """
    with gc_paused():
        up = upgrade_data(parse_patch_json(text))
        # a lone surrogate can only come from a \\uD800-\\uDFFF escape: without one, every string is text
        text_checked = _SURROGATE_ESCAPE.search(text) is None
        diags = check_patch_data(up.data, ints_checked=True, text_checked=text_checked)
        if diags:
            raise CompileError(diags)
        patch = Patch.from_checked_dict(up.data, copy=False)
        patch.source_version = up.source_version or FORMAT_VERSION
        patch.upgrades = up.changes
        return patch


def patch_from_bytes(data: bytes) -> Patch:
    """A Patch from the bytes of a patch file (steps 1 to 4); what the CLI and the Player read.

    Raises:
        CompileError: E_PATCH_INVALID for text that is not UTF-8, bad JSON or a bad structure.
    """
    return patch_from_text(decode_patch_bytes(data))


def load_patch(source: Patch | dict[str, Any] | str | os.PathLike[str]) -> Patch:
    """Load a patch from a dict, JSON text, a file path or an existing Patch.

    A str whose first non-blank character (after a byte-order mark) is ``{`` or ``[`` is JSON
    text; any other str or path-like is a file path (docs/language/python-api.md). A file is read as bytes and goes
    through the same steps as in the CLI and the Player (module docstring), and the Patch's
    ``base_dir`` is the file's folder (where the files its blocks name are looked up).

    Raises:
        CompileError: E_PATCH_INVALID for text that is not UTF-8, bad JSON or a bad structure.
        OSError: when the file cannot be read.
        TypeError: when ``source`` is none of these.
    """
    if isinstance(source, Patch):
        return source
    if isinstance(source, dict):
        return Patch.from_dict(source)
    if isinstance(source, str) and source.lstrip().lstrip("\ufeff").lstrip()[:1] in ("{", "["):
        return patch_from_text(source.lstrip().removeprefix("\ufeff"))  # a byte-order mark as text: dropped too
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(f"load_patch takes a Patch, a dict, JSON text or a file path, got {type(source).__name__}")
    path = Path(source)
    patch = patch_from_bytes(path.read_bytes())
    patch.base_dir = path.resolve().parent  # files a patch names (Image.path) resolve from here
    return patch
