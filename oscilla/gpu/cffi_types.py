"""A fast path for the C type names wgpu-py hands to cffi (start-up time).

wgpu-py 0.32 builds every C struct with ``ffi.new("WGPUFoo *")`` (and arrays with
``"WGPUFoo[]"``). cffi turns each distinct type string, the first time it sees it, into a type by
running pycparser over a small C program that first re-declares *every* typedef of the ffi: 432
for wgpu.h, so each new string costs 15 ms on an idle 2-core machine and up to 50 ms under load.
The first frame of a patch uses about 66 distinct strings: 1 to 2 s of a 2.3 to 3 s time to first
pixel (benchmarks/bench_startup.py; docs/performance.md#start-up).

Nearly all of those strings are a typedef or primitive name, optionally followed by ``*`` or
``[]``, and the rest are callback signatures made of such names (``"void(WGPUMapAsyncStatus,
WGPUStringView, void *, void *)"``). :func:`install` gives the ffi's parser a fast path for
exactly these forms, resolved from the parser's own declaration table with cffi's own type
constructors, the same steps cffi's parser takes after pycparser is done; every other string
(``**``, ``struct X``, multi-word primitives, ``...``, named parameters, unknown names) goes the
usual pycparser route unchanged.
cffi still does the caching, the locking and the building of the backend types: only the text
parse is skipped, and the result is an equal model type, hence the same cached ctype.

This reaches into cffi internals (``FFI._parser``, ``Parser._declarations``,
``Parser._get_type_pointer`` and ``Parser._as_func_arg``, unchanged since cffi 1.0); when they
are missing :func:`install` does nothing and returns False. The upstream report is drafted in
docs/upstream/wgpu-py-startup.md.
"""

from __future__ import annotations

import re
from typing import Any

from cffi import model
from cffi.commontypes import resolve_common_type

#: a name, optionally followed by one ``*`` or by ``[]`` (spaces allowed around each part)
_SIMPLE = re.compile(r"\s*([A-Za-z_]\w*)\s*(\*|\[\s*\])?\s*\Z")
#: ``RESULT(ARGS)``: a function type (no nested parentheses)
_FUNCTION = re.compile(r"\s*([^()]+?)\s*\(([^()]*)\)\s*\Z")
#: one parameter: ``NAME``, ``NAME *``, ``NAME const *`` or ``const NAME *`` (no parameter name)
_PARAM = re.compile(r"\s*(const\s+)?([A-Za-z_]\w*)\s*(const\s*)?(\*)?\s*\Z")
#: marks the fast ``parse_type`` so installing twice is a no-op
_MARK = "_oscilla_fast_path"


def resolve(parser: Any, cdecl: str) -> Any | None:
    """The cffi model type of ``cdecl`` when it is ``NAME``, ``NAME *`` or ``NAME[]`` with NAME a
    typedef of ``parser`` or a one-word primitive (``uint8_t``, ``char``, ``void`` but not
    ``void[]``), or a function type ``RESULT(PARAM, ...)`` of such names (RESULT ``NAME`` or
    ``NAME *``, each PARAM ``NAME``, ``NAME *``, ``NAME const *`` or ``const NAME *``); None for
    anything else (the caller then parses it with pycparser)."""
    function = _FUNCTION.match(cdecl)
    if function is not None:
        return _resolve_function(parser, *function.groups())
    return _resolve_simple(parser, cdecl)


def _resolve_name(parser: Any, name: str) -> tuple[Any, int] | None:
    """(model type, qualifiers) of a typedef or one-word primitive name; None when unknown."""
    entry = parser._declarations.get("typedef " + name)
    if entry is not None:
        return entry
    if name == "void":
        return model.void_type, 0
    if name in model.PrimitiveType.ALL_PRIMITIVE_TYPES:
        return resolve_common_type(parser, name)
    return None


def _resolve_function(parser: Any, result_text: str, params_text: str) -> Any | None:
    result = _resolve_simple(parser, result_text)
    if result is None or isinstance(result, model.ArrayType | model.RawFunctionType):
        return None
    args = []
    texts = [] if not params_text.strip() else params_text.split(",")
    for text in texts:
        m = _PARAM.match(text)
        if m is None:
            return None
        const_before, name, const_after, star = m.groups()
        if (const_before or const_after) and not star:
            return None
        resolved = _resolve_name(parser, name)
        if resolved is None:
            return None
        tp, quals = resolved
        if star:
            tp, quals = parser._get_type_pointer(tp, quals | (model.Q_CONST if const_before or const_after else 0)), 0
        args.append(parser._as_func_arg(tp, quals))
    if args == [model.void_type]:
        args = []
    if model.void_type in args:
        return None
    return model.RawFunctionType(tuple(args), result, False, None)


def _resolve_simple(parser: Any, cdecl: str) -> Any | None:
    m = _SIMPLE.match(cdecl)
    if m is None:
        return None
    name, suffix = m.groups()
    resolved = _resolve_name(parser, name)
    if resolved is None or (name == "void" and suffix == "[]"):
        return None
    tp, quals = resolved
    if suffix is None:
        return tp
    if suffix == "*":
        return parser._get_type_pointer(tp, quals)
    if isinstance(tp, model.RawFunctionType):  # an array of functions: let cffi report it
        return None
    return model.ArrayType(tp, None)


def install(ffi: Any) -> bool:
    """Give ``ffi``'s type parser the fast path of :func:`resolve` (idempotent).

    Returns True when the fast path is (now) in place, False when this cffi lacks the internals
    it needs (then nothing changed)."""
    parser: Any = getattr(ffi, "_parser", None)
    slow = getattr(parser, "parse_type", None)
    if slow is None or getattr(slow, _MARK, False):
        return slow is not None
    if not isinstance(getattr(parser, "_declarations", None), dict) or not all(
        hasattr(parser, name) for name in ("_get_type_pointer", "_as_func_arg")
    ):
        return False

    def parse_type(cdecl: str) -> Any:
        tp = resolve(parser, cdecl)
        return slow(cdecl) if tp is None else tp

    setattr(parse_type, _MARK, True)
    parse_type.__wrapped__ = slow  # type: ignore[attr-defined]
    parser.parse_type = parse_type
    return True
