"""Hypothesis strategies that build patches from the block registry (``oscilla.blocks.registry``).

Two families:

* :func:`valid_patches`: well-typed patches, built from the registry's declarations only (port
  payloads, cardinalities and units, param kinds, choices and minimums): a time root, one Array
  (optionally fed a shape), a chain of blocks whose inputs are wired to compatible outputs made
  earlier (or given inline values), feedback only into blocks that close cycles, and a
  ``RenderInstances2D`` fed a position field of the Array. The typing model here is written from
  docs/language/types-and-units.md (implicit conversions, adapters, cardinality), not taken from
  the compiler, so a disagreement shows up as a failing compile.
* :func:`mutated_patches`: a valid patch after one to four mutations: edges between random ports
  (wrong payloads, cycles, names that do not exist), out-of-range and wrong-kind params, unknown
  keys, unknown or misspelt types, removed or duplicated blocks, random Expression texts, bad
  versions and settings. They may compile or not; either way the compiler must answer with a
  program or a ``CompileError``.

:func:`patch_bytes` turns patches into file contents: JSON text, truncated, re-encoded (UTF-16,
Latin-1, with a BOM), with bytes flipped, or random bytes.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from oscilla.blocks.registry import (
    ANY,
    EV,
    NUMERIC_T,
    RAIL,
    BlockDef,
    ParamDef,
    PortDef,
    all_types,
    block_def,
    find_unit_adapter,
)
from oscilla.payloads import DEFAULT_UNIT

F, S, E = "F", "S", "E"

DEFS: list[BlockDef] = [d for d in (block_def(t) for t in all_types()) if d is not None]
TYPES: list[str] = [d.type for d in DEFS]
TIME_ROOTS = [d for d in DEFS if d.role == "time_root"]
SINKS = [d for d in DEFS if d.role == "render_sink"]
CAMERAS = [d for d in DEFS if d.role == "camera"]
#: the block that makes the instance every field of a valid patch belongs to (Array): it creates an
#: instance from a lane-count param and hands out the instance's elements as an ``any`` field
ARRAYS = [
    d
    for d in DEFS
    if d.creates_instance
    and any(p.lanes_per_value for p in d.params)
    and any(o.payload == ANY and o.card == F for o in d.outputs)
]
#: blocks with a shape signal output and no required input (Ellipse, Rect, procedural paths)
SHAPE_SOURCES = [
    d
    for d in DEFS
    if d.role is None
    and any(o.payload == "shape" and o.card == S for o in d.outputs)
    and not any(p.required for p in d.inputs)
]
#: blocks a valid chain may contain: no role, no instance of their own, no output whose payload
#: depends on a config value or a text (``any`` outputs: Const, Expression, Broadcast), no file to
#: read (Image: its files are tested in tests/compiler/test_images.py)
MIDDLE = [
    d
    for d in DEFS
    if d.role is None and not d.creates_instance and all(o.payload != ANY for o in d.outputs) and d.image_param is None
]

CHANNELS = ("mouse.x", "mouse.y", "knob", "osc.a")


@dataclass(frozen=True)
class Out:
    """An output a later input may be wired to: ``ref`` is ``"block.port"``; ``card`` S, F or Ev."""

    ref: str
    payload: str
    card: str
    unit: str


def _unit(port: PortDef, payload: str) -> str:
    return port.unit or DEFAULT_UNIT.get(payload, "none")


def compatible(src: Out, dst: PortDef) -> bool:
    """Whether an edge ``src -> dst`` is well typed by docs/language/types-and-units.md.

    Deliberately narrower than the language: ``T`` inputs take float scalars only (so a math
    block's output is a float scalar), ``any`` inputs take fields only (instance elements and
    domains), and a field input takes fields, not broadcast signals."""
    if (src.card == EV) != (dst.card == EV):
        return False
    if dst.card == S and src.card != S:
        return False
    if dst.card == F and src.card != F:
        return False
    if dst.payload == ANY:
        return src.card == F
    if dst.payload == NUMERIC_T:
        return src.payload == "float" and src.unit == "scalar"
    dst_unit = _unit(dst, dst.payload)
    if src.payload == dst.payload:
        return src.unit == dst_unit or find_unit_adapter(src.unit, dst_unit) is not None
    if src.payload in ("int", "bool") and dst.payload == "float":
        return dst_unit == "scalar"
    return src.payload == "vec2" and dst.payload == "vec3"


# ------------------------------------------------------------------ valid values


def valid_param(draw: Callable[..., Any], p: ParamDef) -> Any:
    """A value of config param ``p`` inside its declared kind, choices and minimum."""
    if p.choices:
        return draw(st.sampled_from(p.choices))
    # the declared bounds themselves are valid values (a seed of -2^31, a period of 0.001 ms, an
    # f32-max initial value), but not the top of a size: 2^24 lanes or 2^31 frames of delay are
    # valid and take gigabytes (the corpus has those)
    sizes = p.lanes_per_value or (p.kind == "int" and not p.instance_seed)
    edges = [v for v in (p.minimum, None if sizes else p.maximum) if v is not None]
    if p.exclusive and p.minimum is not None:
        edges.remove(p.minimum)
    if p.kind == "int":
        low = int(math.ceil(p.minimum)) + (1 if p.exclusive else 0) if p.minimum is not None else 0
        low = max(low, 0) if low <= 0 else low  # seeds: small, not -2^31 + k
        high = low + (31 if p.lanes_per_value else 7)
        if p.maximum is not None:
            high = min(high, int(p.maximum))
        ints = st.integers(low, max(low, high))
        return draw(st.one_of(ints, st.sampled_from([int(v) for v in edges])) if edges else ints)
    if p.kind == "number":
        if p.minimum is None or p.minimum < 0:
            lo, hi = -4.0, 4.0
        else:  # a period or duration: well above its minimum
            lo = float(p.minimum) + 50.0
            hi = lo + 5000.0
        if p.maximum is not None:
            hi = min(hi, float(p.maximum))
            lo = min(lo, hi)
        floats = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
        return draw(st.one_of(floats, st.sampled_from([float(v) for v in edges])) if edges else floats)
    if p.kind == "string":
        return draw(st.sampled_from(CHANNELS))
    return p.default


def inline_value(draw: Callable[..., Any], port: PortDef) -> Any:
    """A valid inline value for an unconnected input, or None when the port takes none."""
    if port.card in (F, EV) or port.payload in ("shape", ANY) or port.vararg:
        return None
    payload = "float" if port.payload == NUMERIC_T else port.payload
    unit01 = st.floats(0.0, 1.0, allow_nan=False)
    if payload == "float":
        if port.default == RAIL or port.unit == "phase01":
            return draw(st.floats(0.0, 0.99, allow_nan=False))
        return draw(st.floats(0.05, 2.0, allow_nan=False))
    if payload == "int":
        return port.default if isinstance(port.default, int) else None
    if payload == "bool":
        return draw(st.booleans())
    if payload == "vec2":
        return draw(st.lists(unit01, min_size=2, max_size=2))
    if payload == "vec3":
        return draw(st.lists(unit01, min_size=3, max_size=3))
    if payload == "color":
        return draw(st.lists(unit01, min_size=4, max_size=4))
    return None


class _Builder:
    """Accumulates blocks, edges and the outputs available to later inputs."""

    def __init__(self, draw: Callable[..., Any]):
        self.draw = draw
        self.blocks: list[dict[str, Any]] = []
        self.edges: list[dict[str, Any]] = []
        self.pool: list[Out] = []

    def add(self, d: BlockDef, bid: str, *, wire: bool = True, fixed: dict[str, Out] | None = None) -> bool:
        """Add block ``bid`` of type ``d`` with valid params, its inputs wired to compatible
        outputs of the pool or given inline values; False (nothing added) when a required input
        or a field output cannot be satisfied."""
        draw = self.draw
        fixed = fixed or {}
        params: dict[str, Any] = {}
        wired: dict[str, Out] = {}
        for port in d.inputs:
            if port.id in fixed:
                wired[port.id] = fixed[port.id]
                continue
            cands = [o for o in self.pool if compatible(o, port)] if wire else []
            if cands and (port.required or draw(st.booleans())):
                wired[port.id] = draw(st.sampled_from(cands))
            elif port.required:
                return False
            elif draw(st.integers(0, 2)) == 0:
                v = inline_value(draw, port)
                if v is not None:
                    params[port.id] = v
        has_field = any(o.card == F for o in wired.values())
        if any(o.card == F for o in d.outputs) and not has_field and not d.creates_instance:
            return False  # a field needs an instance, and only a field input gives it one
        for p in d.params:
            if p.lanes_per_value or p.instance_seed or draw(st.booleans()):
                params[p.name] = valid_param(draw, p)
        block: dict[str, Any] = {"id": bid, "type": d.type}
        if params:
            block["params"] = params
        self.blocks.append(block)
        for port_id, src in wired.items():
            self.edges.append({"from": src.ref, "to": f"{bid}.{port_id}"})
        for o in d.outputs:
            card = o.card if o.card in (F, S, EV) else (F if has_field else S)
            payload = "float" if o.payload == NUMERIC_T else o.payload
            if payload == ANY:  # the Array's elements: the payload of what it was given
                element = wired.get("element")
                payload = element.payload if element else "shape"
            if d.creates_instance and card == F and d not in ARRAYS:
                continue  # a second instance (path control points): kept out of valid patches
            self.pool.append(Out(f"{bid}.{o.id}", payload, card, _unit(o, payload)))
        return True


@st.composite
def valid_patches(draw: Callable[..., Any], max_middle: int = 8) -> dict[str, Any]:
    """A well-typed patch that ends in a ``RenderInstances2D`` (see the module docstring)."""
    b = _Builder(draw)
    b.add(draw(st.sampled_from(TIME_ROOTS)), "time")
    fixed: dict[str, Out] = {}
    if draw(st.booleans()):
        b.add(draw(st.sampled_from(SHAPE_SOURCES)), "shape")
        fixed = {"element": next(o for o in b.pool if o.ref.startswith("shape.") and o.payload == "shape")}
    assert b.add(ARRAYS[0], "array", wire=False, fixed=fixed)
    for i in range(draw(st.integers(0, max_middle))):
        for _ in range(5):  # a few tries to find a type whose required inputs can be met
            if b.add(draw(st.sampled_from(MIDDLE)), f"b{i}"):
                break
    sink = SINKS[0]
    pos = sink.input("pos")
    assert pos is not None
    if not any(compatible(o, pos) for o in b.pool):
        makers = [
            d for d in MIDDLE if any(o.payload in ("vec3", "vec2") and o.card == F for o in d.outputs) and d.inputs
        ]
        layouts = [d for d in makers if any(p.payload == ANY and p.card == F for p in d.inputs)]
        for attempt in range(10):
            if b.add(draw(st.sampled_from(layouts)), f"layout{attempt}") and any(compatible(o, pos) for o in b.pool):
                break
    # feedback: an input of a block that closes cycles, wired to an output made after it
    for blk_dict in list(b.blocks):
        d = block_def(blk_dict["type"])
        if d is None or not d.closes_cycles or not draw(st.booleans()):
            continue
        own = [o for o in b.pool if o.ref.startswith(blk_dict["id"] + ".")]
        later = b.pool[b.pool.index(own[0]) + len(own) :] if own else []
        # a field fed back into a block whose outputs are signals would change what it made
        fields_ok = any(o.card == F for o in own)
        for port in d.inputs:
            cands = [o for o in later if compatible(o, port) and (fields_ok or o.card != F)]
            taken = any(e["to"] == f"{blk_dict['id']}.{port.id}" for e in b.edges)
            if cands and not taken:
                b.edges.append({"from": draw(st.sampled_from(cands)).ref, "to": f"{blk_dict['id']}.{port.id}"})
                blk_dict.get("params", {}).pop(port.id, None)
    assert b.add(sink, "draw"), f"no position field for the sink in {b.blocks}"
    if CAMERAS and draw(st.integers(0, 3)) == 0:
        b.add(CAMERAS[0], "camera")
    patch: dict[str, Any] = {"oscilla": 1, "blocks": b.blocks, "edges": b.edges}
    if draw(st.booleans()):
        patch["settings"] = {"background": draw(st.lists(st.floats(0.0, 1.0), min_size=3, max_size=4))}
    return patch


# ------------------------------------------------------------------ mutations

#: values that break a param: wrong JSON kinds, out of every range, non-finite, huge
BAD_VALUES: tuple[Any, ...] = (
    -1,
    0,
    0.5,
    -0.0,
    2**31,
    2**32,
    2**40,
    -(2**63),
    10**400,
    1e308,
    -1e308,
    1e39,
    1e-320,
    -1e-320,
    float("nan"),
    float("inf"),
    float("-inf"),
    "",
    "x",
    "1e3",
    True,
    None,
    [],
    [1, 2, 3, 4, 5],
    [float("nan"), 0, 0],
    {},
    {"x": 1},
    [[[[[[[[[[[]]]]]]]]]]],
)


def bad_values() -> st.SearchStrategy[Any]:
    """One of :data:`BAD_VALUES`, copied: a mutation may change the value later (a dict that
    became the settings gets keys), and the table must stay as it is."""
    return st.sampled_from(BAD_VALUES).map(copy.deepcopy)


UNKNOWN_KEYS = ("backround", "parms", "param", "edge", "blocks ", "Type", "ID", "", "enabled ", "__proto__")
#: pieces of Expression texts: names, literals (huge ones too), operators, characters outside the language
EXPR_ATOMS = (
    *("in0", "in1", "1", "2.5", "0", "sin", "(", ")", "+", "-", "*", "/", "%", "?", ":", "<", "==", "&&", "!"),
    *(",", ".", "x", "xy", "rgba", "mix", "clamp", "9" * 400, "9" * 5000, "1.", ".5", "$", "\u00e9", "\x00"),
)


def _misspell(draw: Callable[..., Any], name: str) -> str:
    kind = draw(st.integers(0, 4))
    if not name:
        return "x"
    i = draw(st.integers(0, len(name) - 1))
    if kind == 0:
        return name[:i] + name[i + 1 :]
    if kind == 1:
        return name[:i] + name[i] * 2 + name[i:]
    if kind == 2:
        return name.lower()
    if kind == 3:
        return name + "s"
    return draw(st.text(max_size=12))


def _def(blk: dict[str, Any]) -> BlockDef | None:
    """The definition of a (possibly mutated) block dict's type, or None."""
    t = blk.get("type")
    return block_def(t) if isinstance(t, str) else None


def _ports(patch: dict[str, Any], outputs: bool) -> list[str]:
    refs = []
    for blk in patch["blocks"]:
        d = _def(blk)
        if d is not None:
            refs += [f"{blk['id']}.{p.id}" for p in (d.outputs if outputs else d.inputs)]
    return refs


def _block(draw: Callable[..., Any], patch: dict[str, Any]) -> dict[str, Any]:
    return draw(st.sampled_from(patch["blocks"]))


def _m_random_edge(draw, patch):
    """An edge between two random ports (wrong payloads, cycles, cardinality mixes)."""
    outs, ins = _ports(patch, True), _ports(patch, False)
    if outs and ins:
        patch["edges"].append({"from": draw(st.sampled_from(outs)), "to": draw(st.sampled_from(ins))})


def _m_bad_edge(draw, patch):
    """An edge with made-up or malformed endpoints, or extra and wrong-kind fields."""
    ids = [b["id"] for b in patch["blocks"]] + ["ghost", "", "a.b"]
    endpoint = st.one_of(
        st.builds(lambda b, p: f"{b}.{p}", st.sampled_from(ids), st.sampled_from(["out", "pos", "nope", "", "."])),
        st.text(max_size=8),
    )
    e: dict[str, Any] = {"from": draw(endpoint), "to": draw(endpoint)}
    extra = draw(st.integers(0, 3))
    if extra == 1:
        e["enabled"] = draw(st.sampled_from([False, 0, "yes", None]))
    elif extra == 2:
        e["alias"] = draw(st.sampled_from(["a", "", "in0", 5]))
    elif extra == 3:
        e[draw(st.sampled_from(UNKNOWN_KEYS))] = 1
    patch["edges"].append(e)


def _m_bad_param(draw, patch):
    """A config param or an inline port value set to a wrong-kind or out-of-range value."""
    blk = _block(draw, patch)
    d = _def(blk)
    names = [p.name for p in d.params] + [p.id for p in d.inputs] if d is not None else []
    name = draw(st.sampled_from(names)) if names and draw(st.integers(0, 4)) else draw(st.text(max_size=10))
    if isinstance(blk.setdefault("params", {}), dict):
        blk["params"][name] = draw(bad_values())


def _m_unknown_key(draw, patch):
    """An unknown key in the top level, the settings, a block or an edge."""
    where = draw(st.integers(0, 3))
    key = draw(st.sampled_from(UNKNOWN_KEYS))
    if where == 0:
        patch[key] = 1
    elif where == 1 and isinstance(patch.setdefault("settings", {}), dict):
        patch["settings"][key] = [0, 0, 0]
    elif where == 2 or not patch["edges"]:
        _block(draw, patch)[key] = {}
    else:
        draw(st.sampled_from(patch["edges"]))[key] = True


def _m_type(draw, patch):
    """A block type misspelt, in the wrong case, random, or of the wrong JSON kind."""
    blk = _block(draw, patch)
    if draw(st.integers(0, 3)):
        blk["type"] = _misspell(draw, draw(st.sampled_from(TYPES)))
    else:
        blk["type"] = draw(bad_values())


def _m_remove(draw, patch):
    """A block removed (its edges now dangle) or duplicated (a duplicate id, a second root or camera)."""
    blk = _block(draw, patch)
    if draw(st.booleans()):
        patch["blocks"].remove(blk)
    else:
        patch["blocks"].append(json.loads(json.dumps(blk)))


def _m_expression(draw, patch):
    """An Expression block with random text, wired into a random input."""
    text = "".join(draw(st.lists(st.sampled_from(EXPR_ATOMS), max_size=12)))
    bid = f"expr{len(patch['blocks'])}"
    patch["blocks"].append({"id": bid, "type": "Expression", "params": {"expression": text}})
    outs, ins = _ports(patch, True), _ports(patch, False)
    if outs and draw(st.booleans()):
        patch["edges"].append({"from": draw(st.sampled_from(outs)), "to": f"{bid}.in0"})
    if ins:
        patch["edges"].append({"from": f"{bid}.out", "to": draw(st.sampled_from(ins))})


def _m_any_block(draw, patch):
    """A block of any registered type (Const, Broadcast, Reduce, a second Array, ...) wired at random."""
    d = draw(st.sampled_from(DEFS))
    bid = f"any{len(patch['blocks'])}"
    params = {p.name: valid_param(draw, p) for p in d.params if draw(st.booleans())}
    patch["blocks"].append({"id": bid, "type": d.type, "params": params})
    outs, ins = _ports(patch, True), _ports(patch, False)
    for port in d.inputs:
        if outs and draw(st.booleans()):
            patch["edges"].append({"from": draw(st.sampled_from(outs)), "to": f"{bid}.{port.id}"})
    for port in d.outputs:
        if ins and draw(st.booleans()):
            patch["edges"].append({"from": f"{bid}.{port.id}", "to": draw(st.sampled_from(ins))})


def _m_top_level(draw, patch):
    """The version, the settings or a top-level list replaced by something else."""
    key = draw(st.sampled_from(["oscilla", "settings", "blocks", "edges"]))
    patch[key] = draw(
        st.one_of(
            bad_values(),
            st.sampled_from([2, 2.0, 1.0, "1", 0, -1]),
            st.just({"background": draw(st.lists(bad_values(), max_size=5))}),
        )
    )


def _m_combine(draw, patch):
    """A combine mode on a random port, valid or not."""
    blk = _block(draw, patch)
    d = _def(blk)
    ports = [p.id for p in d.inputs] if d is not None else []
    port = draw(st.sampled_from(ports)) if ports else "x"
    if not isinstance(blk.setdefault("combine", {}), dict):
        return
    blk["combine"][port] = draw(st.sampled_from(["sum", "avg", "min", "mul", "or", "last", "bogus", 3]))


MUTATIONS = (
    _m_random_edge,
    _m_bad_edge,
    _m_bad_param,
    _m_unknown_key,
    _m_type,
    _m_remove,
    _m_expression,
    _m_any_block,
    _m_top_level,
    _m_combine,
)


@st.composite
def mutated_patches(draw: Callable[..., Any]) -> Any:
    """A valid patch after one to four random mutations (see the module docstring)."""
    patch = draw(valid_patches(max_middle=5))
    for _ in range(draw(st.integers(1, 4))):
        if not isinstance(patch.get("blocks"), list) or not patch["blocks"] or not isinstance(patch.get("edges"), list):
            break
        if not all(isinstance(x, dict) for x in patch["blocks"] + patch["edges"]):
            break  # a mutation replaced the lists: later mutations would not know where to act
        draw(st.sampled_from(MUTATIONS))(draw, patch)
    return patch


# ------------------------------------------------------------------ bytes

_json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), bad_values())
#: arbitrary JSON values (the document need not be an object)
json_values = st.recursive(
    _json_leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=12,
)


@st.composite
def patch_bytes(draw: Callable[..., Any]) -> bytes:
    """File contents: a (valid or mutated) patch as JSON, damaged or re-encoded, or random bytes."""
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.binary(max_size=200))
    if kind == 1:
        return json.dumps(draw(json_values)).encode()
    text = json.dumps(draw(st.one_of(valid_patches(max_middle=3), mutated_patches())))
    data = text.encode("utf-8")
    if kind == 2:  # truncated
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if kind == 3:  # another encoding
        enc = draw(st.sampled_from(["utf-16", "utf-16-le", "utf-32", "latin-1", "utf-8-sig"]))
        return text.encode(enc, errors="replace")
    if kind == 4:  # bytes overwritten with arbitrary ones (invalid UTF-8, NULs, control characters)
        buf = bytearray(data)
        for _ in range(draw(st.integers(1, 4))):
            buf[draw(st.integers(0, len(buf) - 1))] = draw(st.integers(0, 255))
        return bytes(buf)
    if kind == 5:  # an invalid UTF-8 sequence inside a string (an id or a type)
        i = data.find(b'"id": "') + 7
        return (
            data[:i]
            + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80", b"\xf8\x88\x80"]))
            + data[i:]
        )
    if kind == 6:  # a BOM in front (UTF-8 BOM is accepted), or two
        return draw(st.sampled_from([b"\xef\xbb\xbf", b"\xef\xbb\xbf\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    return data + draw(st.sampled_from([b"}", b"]", b",", b"\x00", b" {}", b"\n// comment"]))
