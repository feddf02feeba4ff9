"""Block definitions: ports, params, roles and the hooks through which the compiler asks a block
what only the block knows (docs/reference/blocks.md).

A block type is data (:class:`BlockDef`) plus functions: ``lower`` (every block) and optional
typing and checking hooks. The compiler never tests a block's type name; it reads the BlockDef's
attributes and calls its hooks. The hooks receive the protocols of :mod:`oscilla.blocks.context`
(what the compiler offers a block), never the compiler's own objects. Blocks never emit WGSL.

Hooks and attributes the compiler reads, by pass:

=========================  ================================================================
normalization              :attr:`ParamDef.parse` (params with a custom syntax),
                           :attr:`ParamDef.lanes_per_value` (lane-count params, checked against
                           the instance size limit), :attr:`BlockDef.check_params`,
                           :attr:`BlockDef.external_channels`, :attr:`BlockDef.role`
type inference             :attr:`BlockDef.output_payload`, :attr:`BlockDef.output_unit`,
                           :attr:`BlockDef.check_config_types`, :attr:`BlockDef.check_input_types`,
                           :attr:`PortDef.payload_param`, :attr:`BlockDef.unit_adapter`
                           (auto-inserted adapters, found with :func:`find_unit_adapter`)
cycles                     :attr:`BlockDef.closes_cycles`
error isolation            :attr:`BlockDef.role` (time roots, render sinks and the camera)
lowering                   :attr:`BlockDef.lower`, :attr:`BlockDef.rail_output`,
                           :class:`ConstantDefault` defaults, :meth:`BlockDef.instance_lanes`,
                           :meth:`BlockDef.instance_seed`, :attr:`UnitAdapter.apply`
=========================  ================================================================
"""

from __future__ import annotations

import importlib
import math
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any, Literal

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.literals import F32_MAX, I32_MAX, I32_MIN, describe_value
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector

if TYPE_CHECKING:
    from oscilla.patch import Composite

# payload markers for polymorphic ports
NUMERIC_T = "T"  # float, vec2, vec3 or color (math blocks); int/bool convert to float
ANY = "any"  # any payload (Const.out, Broadcast, Array.element, layout elements)

RAIL = "rail"  # default marker: the time root's primary phase (docs/language/time.md#rail)

# port cardinalities: signal only, field only, either, event
S, F, E, EV = "S", "F", "E", "Ev"

#: a block's resolved config: param name -> value (validated, defaults filled in)
Config = Mapping[str, Any]
#: what a block is to the patch as a whole (None: an ordinary block)
BlockRole = Literal["time_root", "render_sink", "camera"]
ParamKind = Literal["int", "number", "string", "enum", "any"]

# The bounds a numeric param declares (ParamDef.minimum / maximum); every int and number param
# declares both, and the block reference prints them (ParamDef.range_text).
#: ints that must fit a 32-bit signed int (seeds, frame counts, grid sizes: i32 on the GPU)
INT32 = (I32_MIN, I32_MAX)
#: numbers the GPU holds as f32: finite with |x| <= F32_MAX (a larger value would be inf)
FLOAT32 = (-F32_MAX, F32_MAX)
#: the largest finite float64: a number param computed on the host in float64 (time-root periods)
#: declares it as its maximum, meaning "any finite value"
F64_MAX = sys.float_info.max
#: the most lanes one instance may have (docs/language/fields-and-instances.md#instances)
MAX_INSTANCE_LANES = 2**24


@dataclass(frozen=True)
class ConstantDefault:
    """An input default that a JSON literal cannot express (a shape): constant components.

    Attributes:
        payload: the payload of the value (its components are of that payload's dtype).
        components: one number per component (``STRIDE[payload]`` of them).
        name: what the value is, for the reference pages (``"Ellipse"``: "a default Ellipse").
    """

    payload: str
    components: tuple[float, ...]
    name: str


@dataclass(frozen=True)
class PortDef:
    """One input or output port.

    Attributes:
        id: port id (exactly the reference's).
        payload: a payload name, ``"T"`` (numeric, vector-capable) or ``"any"``.
        card: ``"S"`` signal only, ``"F"`` field only, ``"E"`` either, ``"Ev"`` event.
        unit: the port's unit (None: the payload's default unit, or free for T/any).
        default: value when unconnected: a JSON literal (number, bool, list), :data:`RAIL`, a
            :class:`ConstantDefault`, or None for no default.
        required: E_MISSING_INPUT when unconnected without an inline value.
        vararg: every enabled edge into the port is a separate value (Expression.refs); the
            edges are not combined, and the port takes no inline value.
        payload_param: an ``any`` input whose payload a config param may pin (Broadcast.signal
            and ``payloadType``): when the param is set, edges into the port are checked, and
            combined, as edges into a port of that payload.
    """

    id: str
    payload: str
    card: str
    unit: str | None = None
    default: Any = None
    required: bool = False
    vararg: bool = False
    payload_param: str | None = None


class ParamError(ValueError):
    """Raised by a :attr:`ParamDef.parse` hook and by :meth:`ParamDef.validate`; the message says
    why the value is invalid and becomes the E_PARAM_INVALID message ``"<Type>.<param>: <message>"``."""


class ParamLimitError(ParamError):
    """Raised by :meth:`ParamDef.validate` for a value within the range but above the param's
    :attr:`~ParamDef.limit` (a lane count beyond :data:`MAX_INSTANCE_LANES` lanes, a ring no device
    can hold): E_LIMIT_EXCEEDED rather than E_PARAM_INVALID."""


@dataclass(frozen=True)
class ParamDef:
    """A config param (not a port).

    Attributes:
        name: the param name in the patch's ``params``.
        kind: ``"int"``, ``"number"``, ``"string"``, ``"enum"`` or ``"any"`` (checked generically).
        default: the value when the patch does not give one.
        minimum / exclusive / maximum: the allowed range of an ``int`` or ``number`` param (every
            one declares both bounds; ``exclusive`` makes ``minimum`` strict). Ints are compared
            exactly, whatever their size; numbers must also be finite. See :data:`INT32`,
            :data:`FLOAT32` and :data:`F64_MAX`.
        choices: the values of an enum.
        parse: a custom parser replacing the generic check of ``kind``: ``parse(raw JSON value)``
            returns the resolved value or raises :class:`ParamError` (Oscillator.mode accepts
            names and numbers).
        lanes_per_value: nonzero for the param that sets the lane count of the instance a
            ``creates_instance`` block makes: the instance has ``value * lanes_per_value`` lanes,
            which must not exceed the instance size limit (E_LIMIT_EXCEEDED).
        instance_seed: the param is the seed ``s_inst`` of the instance the block makes.
        limit / limit_reason: a format or device limit within the range: a value in the range
            but above ``limit`` is E_LIMIT_EXCEEDED, the message saying what it would make
            (``limit_reason``, a noun phrase). A lane-count param's limit is the instance size
            limit divided by ``lanes_per_value``.
    """

    name: str
    kind: ParamKind
    default: Any = None
    minimum: float | None = None
    exclusive: bool = False
    maximum: float | None = None
    choices: tuple[Any, ...] = ()
    parse: Callable[[Any], Any] | None = None
    lanes_per_value: int = 0
    instance_seed: bool = False
    limit: int | None = None
    limit_reason: str = ""

    def range_text(self) -> str:
        """The allowed range of an int or number param as the reference prints it ("" for other
        kinds): ``1 … 16777216``, ``>= 0.001, finite``, ``finite, |x| <= 3.4028235e+38 (f32)``."""
        lo, hi = self.minimum, self.maximum
        if self.kind not in ("int", "number") or lo is None or hi is None:
            return ""
        if self.kind == "int":
            return f"{int(lo)} … {int(hi)}"
        if (lo, hi) == FLOAT32 and not self.exclusive:
            return f"finite, |x| <= {F32_MAX:.8g} (f32)"
        low = f"{'>' if self.exclusive else '>='} {lo:g}"
        return f"{low}, finite" if hi == F64_MAX else f"{low} and <= {hi:g}"

    def validate(self, value: Any) -> Any:
        """The resolved value of ``value`` (a raw JSON value from the patch, or any Python value).

        Ints stay exact Python ints and are compared with the bounds exactly (never converted to
        float, so an integer of any size is diagnosed, not an OverflowError); numbers become
        finite floats; strings, enums and ``any`` are checked by kind; a :attr:`parse` hook
        replaces the generic check.

        Raises:
            ParamLimitError: a value in the range but above :attr:`limit` (a lane count beyond
                the instance size limit, a ring no device can hold).
            ParamError: the wrong kind, a non-finite or non-integral number, or a value out of
                the declared range; the message names the value and the allowed range.
        """
        if self.parse is not None:
            return self.parse(value)
        if self.kind == "any":
            return value
        if self.kind == "string":
            if isinstance(value, str):
                return value
            raise ParamError(f"expected a string, got {describe_value(value)}")
        if self.kind == "enum":
            if value in self.choices and not isinstance(value, bool):
                return value
            raise ParamError(
                f"unknown value {describe_value(value)}; choose one of " + ", ".join(map(str, self.choices))
            )
        return self._check_range(value, self._number(value))

    def _number(self, value: Any) -> int | float:
        """An int param as an exact int, a number param as a finite float (ParamError otherwise)."""
        what = "an integer" if self.kind == "int" else "a finite number"
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ParamError(f"expected {what}, got {describe_value(value)}")
        if isinstance(value, Integral):
            return int(value) if self.kind == "int" else self._float(value)
        f = self._float(value)
        if self.kind == "int":
            if not f.is_integer():
                raise ParamError(f"expected an integer, got {describe_value(value)}")
            return int(f)
        return f

    def _float(self, value: Real) -> float:
        try:
            f = float(value)
        except OverflowError:  # an integer beyond the float64 range
            raise ParamError(f"{describe_value(value)} is out of range; allowed: {self.range_text()}") from None
        if not math.isfinite(f):
            raise ParamError(f"expected a finite number, got {describe_value(value)}")
        return f

    def _check_range(self, raw: Any, v: int | float) -> int | float:
        lo, hi = self.minimum, self.maximum
        below = lo is not None and (v <= lo if self.exclusive else v < lo)
        if below or (hi is not None and v > hi):
            raise ParamError(f"{describe_value(raw)} is out of range; allowed: {self.range_text()}")
        if self.limit is not None and v > self.limit:
            raise ParamLimitError(
                f"{describe_value(raw)} exceeds the limit {self.limit}: it would make {self.limit_text()}; "
                f"use a smaller {self.name}"
            )
        return v

    def limit_text(self) -> str:
        """What a value above :attr:`limit` would make ("" without a limit): "an instance of more
        than 2^24 lanes (2 per points)"."""
        if self.limit is None:
            return ""
        if self.limit_reason:
            return self.limit_reason
        return f"an instance of more than 2^24 lanes ({self.lanes_per_value} per {self.name})"


@dataclass(frozen=True)
class UnitAdapter:
    """A unit conversion (docs/language/types-and-units.md#adapters): the compiler inserts it on an edge from a
    ``from_unit`` port into a ``to_unit`` port. ``apply(ctx, node)`` builds the converted f32 node."""

    from_unit: str
    to_unit: str
    apply: Callable[[LowerContext, int], int]


#: lower(ctx) -> {output port id: value}
Lowering = Callable[[LowerContext], Mapping[str, Value]]
#: output_payload(ctx, output port id) -> payload, or None while the inputs are not typed yet
PayloadRule = Callable[[TypeContext, str], str | None]
#: output_unit(ctx, output port id, its payload) -> unit, or None for the payload's default unit
UnitRule = Callable[[TypeContext, str, str], str | None]
#: a typing check that reports its problems into the collector
TypeCheck = Callable[[TypeContext, DiagnosticCollector], None]
#: check_params(block id, resolved config, diags)
ParamsCheck = Callable[[str, Config, DiagnosticCollector], None]


@dataclass(frozen=True)
class BlockDef:
    """A block type: its ports, params, role, lowering and hooks.

    Attributes:
        type: the type name (e.g. ``"Oscillator"``).
        category: the block's category in docs/reference/blocks.md (time, signal, math, field, layout, ...).
        inputs / outputs: port definitions in declaration order.
        lower: ``lower(ctx: LowerContext) -> {output port id: Value}``.
        params: config params (not ports) in declaration order.
        aliases: alias param -> target param (C1).
        role: ``"time_root"`` (exactly one per patch; ``rail_output`` names its primary phase),
            ``"render_sink"`` or ``"camera"`` (at most one per patch); the time root, the render
            sinks and the camera are what error isolation measures reachability against.
        rail_output: time roots: the output that inputs defaulting to :data:`RAIL` read.
        creates_instance: the block makes a new instance (its lanes from the param with
            ``lanes_per_value``, its seed from the param with ``instance_seed``).
        closes_cycles: the outputs depend only on committed state (UnitDelay, DelayFrames), so
            an edge into the block never closes a cycle within a frame.
        stateful: the block declares state cells (listed in ``state`` for the reference).
        formula: one-line semantics for the generated reference.
        state: state cells as (role, size and initial value); the cell id is <block>:<role>.
        unit_adapter: the unit conversion the block performs, when the compiler may insert it
            on edges whose units differ.
        external_channels: ``external_channels(config)``: the external channel names the block
            reads, in the order its lowering first reads them (limited per patch).
        check_params: ``check_params(block id, config, diags)``: block-specific checks of the
            resolved config at normalization (an Expression's syntax).
        output_payload: the payload of the block's polymorphic (``T``/``any``) outputs. None:
            the numeric rule (the widest vector payload among the ``T`` inputs, else float).
        output_unit: the unit of outputs that declare none. None: the payload's default unit.
        check_config_types: run once before inference: checks of config values against the
            payload they are typed as (Const.value).
        check_input_types: run once after the edge checks, for a block none of whose input
            edges was rejected: checks that depend on the input payloads (an Expression's text).
        image_param: the param naming an image file the compiler loads for the block (Image.path).
        font_param: the param naming the font of a block whose glyph atlas the compiler builds (Text.font).
        text_labels: with ``font_param``: ``text_labels(config)`` is (the static labels, []) or
            ([], the parsed number format) of the block's params; raises ParamError (ParamLimitError
            for a label over the length limit).
    """

    type: str
    category: str
    inputs: tuple[PortDef, ...]
    outputs: tuple[PortDef, ...]
    lower: Lowering
    params: tuple[ParamDef, ...] = ()
    aliases: dict[str, str] = field(default_factory=dict)
    role: BlockRole | None = None
    rail_output: str | None = None
    creates_instance: bool = False
    closes_cycles: bool = False
    stateful: bool = False
    formula: str = ""
    state: tuple[tuple[str, str], ...] = ()
    unit_adapter: UnitAdapter | None = None
    external_channels: Callable[[Config], tuple[str, ...]] | None = None
    check_params: ParamsCheck | None = None
    output_payload: PayloadRule | None = None
    output_unit: UnitRule | None = None
    check_config_types: TypeCheck | None = None
    check_input_types: TypeCheck | None = None
    #: the string param naming an image file the compiler loads for this block (Image.path;
    #: docs/language/rendering.md#images); the lowering reaches it through ``LowerContext.image``
    image_param: str | None = None
    #: the param naming the font of a block whose glyph atlas the compiler builds (Text.font;
    #: docs/language/rendering.md#text); the lowering reaches it through ``LowerContext.image`` and ``text_layout``
    font_param: str | None = None
    #: with ``font_param``: the labels or number format the block draws, from its params
    text_labels: Callable[[Mapping[str, Any]], tuple[list[str], Any]] | None = None

    def input(self, port: str) -> PortDef | None:
        """The input port ``port``, or None."""
        return next((p for p in self.inputs if p.id == port), None)

    def output(self, port: str) -> PortDef | None:
        """The output port ``port``, or None."""
        return next((p for p in self.outputs if p.id == port), None)

    def param(self, name: str) -> ParamDef | None:
        """The config param ``name`` (not an alias), or None."""
        return next((p for p in self.params if p.name == name), None)

    @property
    def time_root(self) -> bool:
        """Whether the block is a time root."""
        return self.role == "time_root"

    @property
    def sink(self) -> bool:
        """Whether the block is a render sink or the camera (what affects the image)."""
        return self.role in ("render_sink", "camera")

    def instance_lanes(self, config: Config) -> int:
        """Lanes of the instance a ``creates_instance`` block makes, from its resolved ``config``.

        Raises:
            ValueError: the block declares no lane-count param.
        """
        for p in self.params:
            if p.lanes_per_value:
                return int(config[p.name]) * p.lanes_per_value
        raise ValueError(f"{self.type} declares no lane-count param")

    def instance_seed(self, config: Config) -> int:
        """The seed ``s_inst`` of the instance the block makes (0 without a seed param)."""
        for p in self.params:
            if p.instance_seed:
                return int(config.get(p.name) or 0)
        return 0


REGISTRY: dict[str, BlockDef] = {}


def register(defn: BlockDef) -> BlockDef:
    """Add a block type to the registry (type names are unique)."""
    assert defn.type not in REGISTRY, defn.type
    REGISTRY[defn.type] = defn
    return defn


def block_def(type_name: str) -> BlockDef | None:
    """The definition of block type ``type_name``, or None for an unknown type."""
    _ensure_loaded()
    return REGISTRY.get(type_name)


def find_unit_adapter(from_unit: str, to_unit: str) -> BlockDef | None:
    """The adapter block from ``from_unit`` to ``to_unit`` (docs/language/types-and-units.md#adapters), or None."""
    _ensure_loaded()
    for d in REGISTRY.values():
        if d.unit_adapter is not None and (d.unit_adapter.from_unit, d.unit_adapter.to_unit) == (from_unit, to_unit):
            return d
    return None


#: catalog order of the block modules (docs/reference/blocks.md); did-you-mean ties go to this order
MODULE_ORDER = (
    "time",
    "signal",
    "state",
    "math",
    "noise",
    "expression",
    "instance",
    "layout",
    "geometry",
    "color",
    "external",
    "render",
    "image",
    "shape_select",
    "text",
    "adapters",
)


def all_types() -> list[str]:
    """Every block type name in catalog (declaration) order."""
    _ensure_loaded()
    index = {name: i for i, name in enumerate(REGISTRY)}

    def key(name: str) -> tuple[int, int]:
        module = REGISTRY[name].lower.__module__.rsplit(".", 1)[-1]
        return (MODULE_ORDER.index(module) if module in MODULE_ORDER else len(MODULE_ORDER), index[name])

    return sorted(REGISTRY, key=key)


_loaded = False


def _ensure_loaded() -> None:
    global _loaded
    if not _loaded:
        _loaded = True
        # import order = declaration order (did-you-mean ties go to declaration order)
        for module in MODULE_ORDER:
            importlib.import_module(f"{__package__}.{module}")


# -- built-in composites (oscilla/blocks/composites.py): block types that expand to block chains --
def composite_def(type_name: str) -> Composite | None:
    """The built-in composite ``type_name`` (docs/language/composites.md#built-in-composites), or None."""
    from oscilla.blocks.composites import BUILTIN_COMPOSITES

    return BUILTIN_COMPOSITES.get(type_name)


def composite_types() -> list[str]:
    """The names of the built-in composites, in catalog order."""
    from oscilla.blocks.composites import BUILTIN_COMPOSITES

    return list(BUILTIN_COMPOSITES)
