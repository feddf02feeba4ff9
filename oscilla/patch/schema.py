"""The structure of a patch (docs/language/patch-format.md): one JSON Schema, and the checks that
turn a parsed patch into E_PATCH_INVALID diagnostics.

:data:`PATCH_SCHEMA` is the source of truth for the structure. Checking a 350,000-block patch with
jsonschema takes about 15 s, so :func:`check_patch_data` first tries each block and edge against
an exact hand-written test of the same schema (the key sets and types are read from the schema; a
test in tests/patch/ checks that both agree), and runs the compiled jsonschema validators only on
the top level, on ``settings`` and on the items that fail, to explain them.

Beyond the schema, every value is checked for what would break later code: nesting deeper than
:data:`MAX_DEPTH`, integers of more than :data:`MAX_INT_DIGITS` digits, strings that are not
Unicode text (a lone UTF-16 surrogate such as ``"\\ud800"`` cannot be printed), object keys that
are not strings. Diagnostics beyond :data:`MAX_SHOWN` are summarized in one line.
"""

from __future__ import annotations

import contextlib
import gc
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import jsonschema
from jsonschema import validators

from oscilla.diagnostics import ERROR, Diagnostic, did_you_mean

#: the patch format version this oscilla writes; older versions are upgraded on load through the
#: migration table of :mod:`oscilla.patch.versions` (version 2: ``composites``, '/' reserved in block ids)
FORMAT_VERSION = 2
#: the oldest format version the migration table upgrades
OLDEST_VERSION = 1
#: deepest nesting of arrays and objects in a patch, the top-level object being level 1
MAX_DEPTH = 64
#: most digits of an integer in a patch (10^300 still converts to a 64-bit float)
MAX_INT_DIGITS = 300
#: E_PATCH_INVALID diagnostics shown before the rest is summarized in one line
MAX_SHOWN = 50
#: failing blocks (and edges) explained in detail; the rest are counted
MAX_EXPLAINED = 50

_INT_LIMIT = 10**MAX_INT_DIGITS
_SUGGEST_MAX_LEN = 64  # longer unknown names get no did-you-mean (the edit distance is quadratic)

SETTINGS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "background": {
            "type": "array",
            "minItems": 3,
            "maxItems": 4,
            "items": {"type": "number", "finite": True, "minimum": 0, "maximum": 1},
        },
        # display settings (docs/language/rendering.md#trails, #bloom)
        "trails": {"type": "number", "finite": True, "minimum": 0, "exclusiveMaximum": 1},
        "feedback": {
            "type": "object",
            "properties": {
                "zoom": {"type": "number", "finite": True, "exclusiveMinimum": 0, "maximum": 1000},
                "rotate": {"type": "number", "finite": True, "minimum": -1000, "maximum": 1000},
                "offset": {
                    "type": "array",
                    "minItems": 2,
                    "maxItems": 2,
                    "items": {"type": "number", "finite": True, "minimum": -1000, "maximum": 1000},
                },
            },
            "additionalProperties": False,
        },
        "size": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "items": {"type": "integer", "minimum": 1, "maximum": 16384},
        },
        "bloom": {
            "type": "object",
            "properties": {
                "threshold": {"type": "number", "finite": True, "minimum": 0, "maximum": 1},
                "intensity": {"type": "number", "finite": True, "minimum": 0, "maximum": 100},
                "radius": {"type": "number", "finite": True, "minimum": 0, "maximum": 1},
            },
            "additionalProperties": False,
        },
        # controls the patch declares for its external channels (docs/guide/controls.md); ranges,
        # defaults and channel names are checked by the compiler (E_CONTROL_INVALID)
        "controls": {
            "type": "array",
            "maxItems": 64,
            "items": {
                "type": "object",
                "required": ["channel"],
                "properties": {
                    "channel": {"type": "string", "minLength": 1},
                    "kind": {"enum": ["slider", "toggle", "trigger", "xy"]},
                    "min": {"type": "number", "finite": True},
                    "max": {"type": "number", "finite": True},
                    "default": {
                        "type": ["number", "array"],
                        "finite": True,
                        "minItems": 2,
                        "maxItems": 2,
                        "items": {"type": "number", "finite": True},
                    },
                    "label": {"type": "string"},
                },
                "additionalProperties": False,
            },
        },
    },
    "additionalProperties": False,
}
BLOCK_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["id", "type"],
    "properties": {
        # '/' is reserved for the blocks of composite instances (``<instance>/<inner>``)
        "id": {"type": "string", "minLength": 1, "pattern": "^[^/]*$"},
        "type": {"type": "string", "minLength": 1},
        "params": {"type": "object"},
        "combine": {"type": "object", "additionalProperties": {"type": "string"}},
    },
    "additionalProperties": False,
}
EDGE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["from", "to"],
    "properties": {
        "from": {"type": "string"},
        "to": {"type": "string"},
        "enabled": {"type": "boolean"},
        "alias": {"type": "string"},
    },
    "additionalProperties": False,
}
#: an exposed port or param name: what follows ``<instance>.`` in an edge endpoint (no '.')
_EXPOSED_NAME: dict[str, Any] = {"minLength": 1, "pattern": "^[^./]+$"}
#: one composite definition (docs/language/composites.md): its inner blocks and edges, and the
#: ports and params it exposes, each mapped to an inner ``"block.port"`` (params: one or several)
COMPOSITE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["blocks"],
    "properties": {
        "description": {"type": "string"},
        "inputs": {"type": "object", "propertyNames": _EXPOSED_NAME, "additionalProperties": {"type": "string"}},
        "outputs": {"type": "object", "propertyNames": _EXPOSED_NAME, "additionalProperties": {"type": "string"}},
        "params": {
            "type": "object",
            "propertyNames": _EXPOSED_NAME,
            "additionalProperties": {
                "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}, "minItems": 1}]
            },
        },
        "blocks": {"type": "array", "items": BLOCK_SCHEMA},
        "edges": {"type": "array", "items": EDGE_SCHEMA},
    },
    "additionalProperties": False,
}
#: the whole structure; ``finite`` is this schema's one extra keyword (a number that is not NaN or ±inf)
PATCH_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["oscilla"],
    "properties": {
        "oscilla": {"type": "integer", "minimum": OLDEST_VERSION, "maximum": FORMAT_VERSION},
        "settings": SETTINGS_SCHEMA,
        "composites": {
            "type": "object",
            "propertyNames": {"minLength": 1, "pattern": "^[^/]*$"},
            "additionalProperties": COMPOSITE_SCHEMA,
        },
        "blocks": {"type": "array", "items": BLOCK_SCHEMA},
        "edges": {"type": "array", "items": EDGE_SCHEMA},
    },
    "additionalProperties": False,
}


def _finite(validator: Any, wanted: Any, instance: Any, schema: Any) -> Iterator[jsonschema.ValidationError]:
    if wanted and validator.is_type(instance, "number") and not math.isfinite(instance):
        yield jsonschema.ValidationError(f"{instance!r} is not a finite number")


# JSON Schema counts 2.0 as an integer; a patch does not ("oscilla": 2.0 is not version 1).
# A Python tuple is an array, so patches built in Python may use tuples.
_TYPES = validators.Draft202012Validator.TYPE_CHECKER.redefine(
    "integer", lambda _c, x: isinstance(x, int) and not isinstance(x, bool)
).redefine("array", lambda _c, x: isinstance(x, (list, tuple)))
PatchValidator = validators.extend(validators.Draft202012Validator, validators={"finite": _finite}, type_checker=_TYPES)
_TOP_SCHEMA = dict(
    PATCH_SCHEMA, properties=dict(PATCH_SCHEMA["properties"], blocks={"type": "array"}, edges={"type": "array"})
)
_TOP = PatchValidator(_TOP_SCHEMA)  # the items are checked one by one below
_BLOCK = PatchValidator(BLOCK_SCHEMA)
_EDGE = PatchValidator(EDGE_SCHEMA)
FULL_VALIDATOR = PatchValidator(PATCH_SCHEMA)

_BLOCK_KEYS = frozenset(BLOCK_SCHEMA["properties"])
_EDGE_KEYS = frozenset(EDGE_SCHEMA["properties"])
_BLOCK_REQUIRED = tuple(BLOCK_SCHEMA["required"])
_EDGE_REQUIRED = tuple(EDGE_SCHEMA["required"])
_NO_PARAMS: dict[str, Any] = {}


# -- the exact fast tests (agree with BLOCK_SCHEMA / EDGE_SCHEMA; tests/patch/test_schema.py) -----
def block_shape_ok(b: object) -> bool:
    """Whether ``b`` satisfies :data:`BLOCK_SCHEMA` (the same answer as jsonschema, about 30x faster)."""
    if not isinstance(b, dict) or not b.keys() <= _BLOCK_KEYS:
        return False
    i, t = b.get("id"), b.get("type")
    if not isinstance(i, str) or not i or "/" in i or not isinstance(t, str) or not t:
        return False
    if not isinstance(b.get("params", _NO_PARAMS), dict):
        return False
    c = b.get("combine", _NO_PARAMS)
    return isinstance(c, dict) and all(isinstance(v, str) for v in c.values())


def edge_shape_ok(e: object) -> bool:
    """Whether ``e`` satisfies :data:`EDGE_SCHEMA` (the same answer as jsonschema)."""
    if not isinstance(e, dict) or not e.keys() <= _EDGE_KEYS:
        return False
    if not isinstance(e.get("from"), str) or not isinstance(e.get("to"), str):
        return False
    if not isinstance(e.get("enabled", True), bool):
        return False
    return isinstance(e.get("alias", ""), str)


def split_endpoint(s: object) -> tuple[str, str] | None:
    """Split ``"<block>.<port>"`` at the last '.' into (block, port); None when malformed."""
    if not isinstance(s, str) or "." not in s:
        return None
    b, p = s.rsplit(".", 1)
    if not b or not p:
        return None
    return b, p


# -- values: depth, integer size, text -------------------------------------------------------------
def _text_ok(s: str) -> bool:
    if s.isascii():
        return True
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


Problem = tuple[tuple[str | int, ...], str]  # (JSON path below the value, message)


def value_problem(
    value: Any, depth: int = 1, *, ints_checked: bool = False, text_checked: bool = False
) -> Problem | None:
    """What is wrong with ``value`` beyond the schema, or None: nesting past :data:`MAX_DEPTH`
    (``depth`` is the level of ``value`` itself), an integer of more than :data:`MAX_INT_DIGITS`
    digits, a string with a lone surrogate, an object key that is not a string. Returns the path
    of the first problem below ``value`` and its message. Iterative: it never recurses, whatever
    the depth. ``ints_checked``/``text_checked`` skip what the JSON parser already guaranteed."""
    if _first_problem(value, depth, ints_checked, text_checked, track=False) is None:
        return None
    return _first_problem(value, depth, ints_checked, text_checked, track=True)  # again, with paths


def _first_problem(value: Any, depth: int, ints_checked: bool, text_checked: bool, track: bool) -> Problem | None:
    stack: list[tuple[Any, int, tuple[str | int, ...]]] = [(value, depth, ())]
    while stack:
        v, d, path = stack.pop()
        if isinstance(v, str):
            if not text_checked and not _text_ok(v):
                return path, f"the string {_short(v)} is not Unicode text (it holds a lone UTF-16 surrogate)"
        elif isinstance(v, int):
            if not ints_checked and not -_INT_LIMIT < v < _INT_LIMIT:
                return (
                    path,
                    f"an integer of about {_int_digits(v):,} digits; a patch's integers have at most {MAX_INT_DIGITS}",
                )
        elif isinstance(v, (dict, list, tuple)):
            if d > MAX_DEPTH:
                return path, f"arrays and objects nest deeper than {MAX_DEPTH} levels (a patch needs about 6)"
            if isinstance(v, dict):
                for k, item in reversed(v.items()):
                    if not isinstance(k, str):
                        return path, f"an object key {_short(k)} is not a string"
                    if not text_checked and not _text_ok(k):
                        return path, f"the key {_short(k)} is not Unicode text (it holds a lone UTF-16 surrogate)"
                    stack.append((item, d + 1, (*path, k) if track else path))
            else:
                stack.extend((v[j], d + 1, (*path, j) if track else path) for j in range(len(v) - 1, -1, -1))
    return None


def _int_digits(v: int) -> int:
    return max(1, int(abs(v).bit_length() * 0.30103) + 1)


# -- messages --------------------------------------------------------------------------------------
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TYPE_WORDS = {
    "object": "an object",
    "array": "an array",
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
}


def json_path(parts: Sequence[str | int], empty: str = "(top level)") -> str:
    """``("blocks", 3, "parms")`` -> ``blocks[3].parms``; the empty path is ``empty``; a path of
    more than 12 parts is shortened."""
    out = ""
    if len(parts) > 12:
        return f"{json_path(parts[:8], empty)}...(nested {len(parts) - 8} levels further)"
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        elif _IDENT.match(p) and len(p) <= 40:
            out += f".{p}" if out else p
        else:
            out += f"[{_short(p)}]"
    return out or empty


def _short(x: Any, limit: int = 60) -> str:
    """A short description of a JSON value for a message."""
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return repr(x) if -(10**20) < x < 10**20 else f"an integer of about {_int_digits(x):,} digits"
    if isinstance(x, float):
        return repr(x)
    if isinstance(x, str):
        r = repr(x) if _text_ok(x) else ascii(x)
        return r if len(r) <= limit else r[: limit - 4] + "...'"
    if isinstance(x, dict):
        return f"an object with {len(x):,} key(s)"
    if isinstance(x, (list, tuple)):
        return f"an array of {len(x):,} item(s)"
    return f"a Python {type(x).__name__}"


def _json_kind(x: Any) -> str:
    if x is None:
        return "null"
    if isinstance(x, bool):
        return "a boolean"
    if isinstance(x, (int, float)):
        return "a number"
    if isinstance(x, str):
        return "a string"
    if isinstance(x, dict):
        return "an object"
    if isinstance(x, (list, tuple)):
        return "an array"
    return f"a Python {type(x).__name__}"


def _suggestion(name: Any, candidates: Sequence[str]) -> str:
    if isinstance(name, str) and len(name) <= _SUGGEST_MAX_LEN:
        return did_you_mean(name, list(candidates), "keys")
    return f"valid keys: {', '.join(candidates)}"


def _messages(err: jsonschema.ValidationError, base: tuple[str | int, ...], owner: str, empty: str) -> list[str]:
    """The message(s) for one jsonschema error. ``base`` is the JSON path of the validated
    instance, ``owner`` a phrase like " in block 'osc'" (or ""), ``empty`` names the instance
    when the path is empty."""
    path = base + tuple(err.absolute_path)
    here = json_path(path, empty)
    inst = err.instance
    kw = err.validator
    if path == ("oscilla",):
        if kw == "type":
            return [
                f"oscilla: the format version must be an integer from {OLDEST_VERSION} to {FORMAT_VERSION}, "
                f"got {_short(inst)}"
            ]
        return [
            f"oscilla: unsupported patch format version {_short(inst)}; this oscilla reads versions "
            f"{OLDEST_VERSION} to {FORMAT_VERSION} (older ones are upgraded on load; a newer file needs a newer one)"
        ]
    if "propertyNames" in err.schema_path:  # a composite name or an exposed name
        if len(path) >= 3 and path[0] == "composites":
            return [f"{here}: an exposed name may not be empty or contain '.' or '/'; got {_short(inst)}"]
        return [f"{here}: a composite name may not be empty or contain '/'; got {_short(inst)}"]
    if kw == "pattern" and path and path[-1] == "id":
        return [
            f"{here}{owner}: block ids may not contain '/', which is reserved for the blocks of composite "
            f"instances ('<instance>/<inner>'); got {_short(inst)}"
        ]

    if kw == "additionalProperties" and isinstance(inst, dict):
        props = err.schema.get("properties", {})
        out = []
        for k in (k for k in inst if k not in props):
            if not path:
                where = " at the top level" if not base and empty == "(top level)" else owner
                out.append(f"unknown key {_short(k)}{where}; {_suggestion(k, list(props))}")
            else:
                out.append(f"{json_path((*path, k))}: unknown key{owner}; {_suggestion(k, list(props))}")
        return out
    if kw == "required" and isinstance(inst, dict):
        missing = [k for k in err.validator_value if k not in inst]
        if not path and empty == "(top level)":
            return [f'the format version is missing; add "oscilla": {FORMAT_VERSION} at the top level']
        head = f"{here}: " if path else ""
        return [f"{head}missing the required key {k!r}{owner}" for k in missing]
    if kw == "type":
        wanted = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(str(w), str(w)) for w in wanted)
        return [f"{here}{owner} must be {words}, got {_short(inst)}"]
    if kw == "minLength":
        return [f"{here}{owner} must not be empty"]
    if kw in ("minItems", "maxItems"):
        lo, hi = err.schema.get("minItems"), err.schema.get("maxItems")
        n = len(inst) if isinstance(inst, (list, tuple)) else "?"
        span = f"{lo} or {hi}" if lo is not None and hi == lo + 1 else f"{lo}..{hi}"
        span = str(lo) if lo == hi else span
        what = {("settings", "background"): " (RGB or RGBA)", ("settings", "size"): " (width, height in pixels)"}
        return [f"{here} must have {span} numbers{what.get(tuple(path), '')}, got {n}"]
    if kw in ("minimum", "maximum", "finite", "exclusiveMinimum", "exclusiveMaximum"):
        lo, hi = err.schema.get("minimum"), err.schema.get("maximum")
        lo_x, hi_x = err.schema.get("exclusiveMinimum"), err.schema.get("exclusiveMaximum")
        left = f"[{lo}" if lo is not None else f"({lo_x}" if lo_x is not None else None
        right = f"{hi}]" if hi is not None else f"{hi_x})" if hi_x is not None else None
        rng = ""
        if lo_x is not None or hi_x is not None:
            rng = f" in {left}, {right}" if left and right else ""
        elif lo is not None and hi is not None:
            rng = f" in {lo}..{hi}"
        return [f"{here} must be a finite number{rng}, got {_short(inst)}"]
    msg = err.message if len(err.message) <= 200 else err.message[:197] + "..."
    return [f"{here}{owner}: {msg}"]


def _explain(
    validator: Any, instance: Any, base: tuple[str | int, ...], owner: str, empty: str, **target: Any
) -> list[Diagnostic]:
    """E_PATCH_INVALID diagnostics for every schema error of ``instance`` (path order; an error
    at the place of a type error is left out, it follows from it; a message is given once)."""
    errors = sorted(validator.iter_errors(instance), key=lambda e: [(isinstance(p, str), p) for p in e.absolute_path])
    typed = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    out: list[Diagnostic] = []
    seen: set[str] = set()  # minimum, maximum and finite say the same thing about one value
    for e in errors:
        if e.validator != "type" and tuple(e.absolute_path) in typed:
            continue
        for m in _messages(e, base, owner, empty):
            if m not in seen:
                seen.add(m)
                out.append(Diagnostic("E_PATCH_INVALID", ERROR, m, **target))
    return out


def _block_owner(b: Any) -> tuple[str, str | None]:
    """(" in block 'id'", id) when the block has a usable id, else ("", None)."""
    bid = b.get("id") if isinstance(b, dict) else None
    if isinstance(bid, str) and bid and _text_ok(bid):
        return f" in block {_short(bid)}", bid
    return "", None


def _diag(message: str, **target: Any) -> Diagnostic:
    return Diagnostic("E_PATCH_INVALID", ERROR, message, **target)


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: a large patch is millions of new containers, none of
    them in a cycle, and the collections they trigger cost more than parsing and checking (2-3x)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# -- the check -------------------------------------------------------------------------------------
def check_patch_data(data: Any, *, ints_checked: bool = False, text_checked: bool = False) -> list[Diagnostic]:
    """Every structural problem of a parsed patch as E_PATCH_INVALID diagnostics (empty: valid).

    ``data`` is what ``json.loads`` or a Python caller produced (tuples count as arrays).
    ``ints_checked`` and ``text_checked`` say that the JSON parser already bounded the integers
    and saw no lone surrogate (the loader's guarantees), which skips those checks. Block
    diagnostics carry the block id (when it has one), edge diagnostics the edge index; messages
    give the JSON path (``blocks[3].parms``). More than :data:`MAX_SHOWN` diagnostics end in one
    summary line "and N more E_PATCH_INVALID ...".
    """
    if not isinstance(data, dict):
        return [_diag(f"a patch must be a JSON object, got {_json_kind(data)}")]
    diags: list[Diagnostic] = []
    flags = {"ints_checked": ints_checked, "text_checked": text_checked}
    top = dict(data)
    defaults: dict[str, Any] = {"oscilla": FORMAT_VERSION, "settings": {}, "composites": {}, "blocks": [], "edges": []}
    for key, default in defaults.items():
        if key not in top:
            continue
        if key in ("blocks", "edges") and isinstance(top[key], (list, tuple)):
            top[key] = []  # the items are checked one by one below
            continue
        problem = value_problem(top[key], 2, **flags)
        if problem:
            diags.append(_diag(f"{json_path((key, *problem[0]))}: {problem[1]}"))
            top[key] = default  # reported; the schema must not look into it
    bad_keys = [k for k in top if not isinstance(k, str)]
    if bad_keys:
        diags.append(_diag(f"the top-level keys must be strings, got {_short(bad_keys[0])}"))
        top = {k: v for k, v in top.items() if isinstance(k, str)}
    diags += _explain(_TOP, top, (), "", "(top level)")
    counts = {"blocks": 0, "edges": 0}
    hidden = 0
    blocks, edges = data.get("blocks"), data.get("edges")
    for name, items, check in (("blocks", blocks, _check_block), ("edges", edges, _check_edge)):
        if not isinstance(items, (list, tuple)):
            continue
        for i, item in enumerate(items):
            found = check(item, i, counts[name] < MAX_EXPLAINED, flags)
            if found is None:
                continue
            counts[name] += 1
            diags += found
            hidden += not found
    if len(diags) + hidden <= MAX_SHOWN:
        return diags
    more = len(diags) - MAX_SHOWN + hidden
    parts = [
        f"{counts[name]:,} of the {len(items):,} {name}"
        for name, items in (("blocks", blocks), ("edges", edges))
        if counts[name] and isinstance(items, (list, tuple))
    ]
    tail = f" ({' and '.join(parts)} have structural errors)" if parts else ""
    return diags[:MAX_SHOWN] + [
        _diag(f"and {more:,} more E_PATCH_INVALID not shown{tail}; fix the ones above and check again")
    ]


def _check_block(b: Any, i: int, explain: bool, flags: Mapping[str, bool]) -> list[Diagnostic] | None:
    """None when block ``i`` is valid; else its diagnostics, or [] when it is bad but not explained."""
    shape_ok = block_shape_ok(b)
    problem = _block_values_problem(b, flags) if shape_ok else None
    if shape_ok and problem is None:
        return None
    if not explain:
        return []
    where, bid = _block_owner(b)
    if problem is None:
        problem = value_problem(b, 3, **flags)  # before jsonschema, which recurses and repr()s values
    if problem:
        return [_diag(f"{json_path(('blocks', i, *problem[0]))}{where}: {problem[1]}", block=bid)]
    return _explain(_BLOCK, b, ("blocks", i), where, "", block=bid) or None


def _block_values_problem(b: dict[str, Any], flags: Mapping[str, bool]) -> Problem | None:
    if not flags["text_checked"] or not flags["ints_checked"]:
        return value_problem(b, 3, **flags)
    for k, v in b.get("params", _NO_PARAMS).items():  # level 5: patch > blocks > block > params > v
        if isinstance(v, (dict, list)):
            problem = value_problem(v, 5, **flags)
            if problem:
                return ("params", k, *problem[0]), problem[1]
    return None


def _check_edge(e: Any, i: int, explain: bool, flags: Mapping[str, bool]) -> list[Diagnostic] | None:
    """None when edge ``i`` is valid; else its diagnostics (messages relative to the edge, which
    the diagnostic's ``edge`` names), or [] when it is bad but not explained."""
    shape_ok = edge_shape_ok(e)
    if shape_ok:
        bad_ends = [s for s in (e["from"], e["to"]) if split_endpoint(s) is None]
        problem = None if flags["text_checked"] else value_problem(e, 3, **flags)
        if not bad_ends and problem is None:
            return None
        if not explain:
            return []
    elif not explain:
        return []
    else:
        problem = value_problem(e, 3, **flags)
    if problem:
        return [_diag(f"{json_path(problem[0], 'the edge')}: {problem[1]}", edge=i)]
    out = [] if shape_ok else _explain(_EDGE, e, (), "", "the edge", edge=i)
    if isinstance(e, dict):
        out += [
            _diag(f"edge endpoint {_short(s)} is not '<block>.<port>'", edge=i)
            for s in (e.get("from"), e.get("to"))
            if isinstance(s, str) and split_endpoint(s) is None
        ]
    return out or None
