"""The block-author API: what a block's hooks see of the compiler.

A block is data (:class:`~oscilla.blocks.registry.BlockDef`) plus functions. The compiler calls
them with one of two context objects, described here as :class:`typing.Protocol` classes so that
the blocks layer depends only on this contract and never on the compiler that implements it:

- :class:`LowerContext`, given to ``BlockDef.lower`` (pass 4, lowering): read the block's inputs
  and params, build hash-consed IR nodes (:mod:`oscilla.ir.graph`), declare state cells, render
  sinks and the camera. Every IR node is a scalar ``int`` id; a multi-component port value is a
  :class:`~oscilla.blocks.values.Value` (one node per component).
- :class:`TypeContext`, given to the typing hooks (pass 2, type inference) of blocks whose output
  payload or unit is not fixed by their port declarations (Const, Broadcast, Array, Reduce,
  Expression).

Dtypes are the IR's component dtypes: ``"f32"``, ``"i32"`` and ``"u32"`` (bools and events are u32
0/1). Payloads are the names of :mod:`oscilla.payloads` (``"float"``, ``"vec3"``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import numpy.typing as npt

from oscilla.blocks.values import Value
from oscilla.ir.graph import IRBuilder, StateCell
from oscilla.program import TextLayout


class LowerContext(Protocol):
    """What a block's ``lower(ctx) -> dict[output port id, Value]`` function works with.

    The block returns one :class:`~oscilla.blocks.values.Value` per output port; the compiler
    broadcasts it to the block's instance when the output is a field, so a lowering may return a
    signal value for a field output. Values carry one IR node per payload component (float, int,
    bool: 1; vec2: 2; vec3: 3; color: 4, RGBA; shape: 5).
    """

    # -- the block -------------------------------------------------------------------------
    @property
    def block_id(self) -> str:
        """The block's id in the patch (also the id of the instance the block creates, if any)."""
        ...

    @property
    def instance(self) -> str | None:
        """The id of the instance the block runs over (its fields have one lane per element of
        it), or None when every port of the block is a signal."""
        ...

    def field_instance(self) -> str:
        """The instance of a block whose ports are fields (it runs over the lanes of an instance
        reaching it through a field input).

        Raises:
            ValueError: the block is a signal block (``instance`` is None).
        """
        ...

    @property
    def builder(self) -> IRBuilder:
        """The IR builder itself, for lowering helpers that take one (the expression language's
        :func:`~oscilla.expr.lower_expression`). Blocks use the methods below otherwise."""
        ...

    # -- inputs and params -----------------------------------------------------------------
    def input_value(self, port: str) -> Value:
        """The value arriving at input ``port``: its enabled edges (converted on the edge and
        combined by the port's combine mode), else its inline value, else its default (a
        literal, a constant such as the default shape, or the rail: the time root's primary
        phase). An optional input with no default gives the float 0."""
        ...

    def input_node(self, port: str) -> int:
        """The single IR node of a one-component input (float, int, bool or event)."""
        ...

    def is_connected(self, port: str) -> bool:
        """Whether input ``port`` has an enabled edge or an inline value (not just a default)."""
        ...

    def edge_values(self, port: str) -> list[tuple[str, str | None, Value]]:
        """Every enabled edge into a vararg ``port`` (Expression.refs), uncombined, in edge order:
        ``(source "<block>.<port>", the edge's alias or None, its converted value)``."""
        ...

    def param(self, name: str) -> Any:
        """The resolved value of config param ``name`` (validated; its default when not given)."""
        ...

    def output_payload(self, port: str) -> str:
        """The payload type inference gave output ``port`` (for polymorphic outputs)."""
        ...

    # -- IR nodes --------------------------------------------------------------------------
    def const(self, value: float, dtype: str = "f32") -> int:
        """A literal node; an f32 value is rounded to f32 once, so every consumer sees its bits."""
        ...

    def op(self, op: str, *args: int, dtype: str | None = None) -> int:
        """A pure IR op (:mod:`oscilla.ir.opcodes`) over the nodes ``args``. Signal arguments are
        broadcast to the instance of a field argument; constant arguments are folded on the host.
        ``dtype`` is the result dtype of the dtype-polymorphic ops (``select``)."""
        ...

    def time_input(self, name: str) -> int:
        """A frame uniform of the time root: ``tMs`` and ``dt`` (ms), ``phaseA``, ``phaseB``,
        ``phase``, ``progress`` (f32 in [0, 1)) or the event ``pulse``, ``wrapA``, ``wrapB``,
        ``wrap``, ``ended`` (u32 0/1)."""
        ...

    def external_channel(self, channel: str) -> int:
        """The f32 value of external channel ``channel`` in this frame's snapshot (0 if unset)."""
        ...

    def lane_index(self, instance: str) -> int:
        """The lane number i (i32, 0..N-1) as a field over ``instance``."""
        ...

    def lane_count(self, instance: str) -> int:
        """N, the number of lanes of ``instance`` (known at compile time)."""
        ...

    def instance_seed(self, instance: str) -> int:
        """The seed of ``instance`` (the ``seed`` param of the block that created it, else 0)."""
        ...

    def normalized_index(self, instance: str) -> int:
        """The f32 field i · r_N with r_N = f32(1 / (N - 1)) rounded once (0.5 when N = 1)."""
        ...

    def broadcast_node(self, node: int, instance: str) -> int:
        """The signal ``node`` as a field over ``instance`` (a no-op for a field of ``instance``)."""
        ...

    def lane_table(self, values: npt.ArrayLike, instance: str, dtype: str = "f32") -> int:
        """A per-lane constant computed on the host: ``values[i]`` (length N, rounded once to
        ``dtype``) in lane i of ``instance``, uploaded once when the runtime is created."""
        ...

    def reduce_lanes(self, node: int, op: str) -> int:
        """A signal: ``op`` (``"sum"``, ``"avg"``, ``"min"``, ``"max"``) of the f32 field ``node``
        over all its lanes (a lane-coupled op: the frame splits into stages around it)."""
        ...

    def scan_lanes(self, node: int) -> int:
        """An f32 field: the inclusive prefix sum of the f32 field ``node`` (lane i holds
        node[0] + ... + node[i]); lane-coupled."""
        ...

    def gather_lanes(self, node: int, index: int, instance: str) -> int:
        """A field over ``instance``: the field ``node`` read at lane ``index`` (i32, clamped to
        0..N-1); lane-coupled."""
        ...

    # -- values ----------------------------------------------------------------------------
    def make_value(self, payload: str, *nodes: int, instance: str | None = None) -> Value:
        """A value of ``payload`` from its component nodes (a field of ``instance`` if given)."""
        ...

    def float_value(self, node: int) -> Value:
        """A float signal value of one f32 node."""
        ...

    def event_value(self, node: int) -> Value:
        """An event value of one u32 0/1 node (1 in the frames it fires)."""
        ...

    def vec3_value(self, x: int, y: int, z: int) -> Value:
        """A vec3 value of three f32 nodes."""
        ...

    def hsv_color(self, hue: int, sat: int, val: int) -> Value:
        """The color hsv2rgb(hue, sat, val) with alpha 1 (hue in turns, sat and val in [0, 1])."""
        ...

    def componentwise(self, op: str, a: Value, b: Value) -> Value:
        """``op`` applied component by component; a one-component operand is splatted over a
        vector, and a vec2 meeting a vec3 is promoted with z = 0. The payload is the wider one."""
        ...

    def literal_value(self, raw: Any, payload: str) -> Value:
        """Constant nodes of a JSON literal ``raw`` read as ``payload`` (see
        :func:`~oscilla.blocks.literals.parse_literal`)."""
        ...

    def broadcast(self, value: Value, instance: str) -> Value:
        """Every component of ``value`` as a field over ``instance``."""
        ...

    # -- state, deferral, sinks --------------------------------------------------------------
    def state_cell(
        self, role: str, init: float | None = 0.0, storage: str = "f32", frames: int = 1, per_lane: bool = True
    ) -> StateCell:
        """Declare the state cell ``<block id>:<role>`` (the id hot swap migrates by).

        Args:
            role: the cell's name within the block; keep it stable across versions.
            init: initial value of every element (reset restores it).
            storage: ``"f32"`` or ``"i32"``.
            frames: ring length (DelayFrames); 1 for a plain cell.
            per_lane: one element per lane of the block's instance when the block is a field;
                False for one element whatever the cardinality (a ring head).
        """
        ...

    def read_state(self, cell: StateCell) -> int:
        """The value ``cell`` held at the start of the frame (committed by the previous one)."""
        ...

    def read_ring(self, cell: StateCell, head: int) -> int:
        """Element ``head`` (i32 node) of the ring ``cell``, as committed by the previous frame."""
        ...

    def commit(self, cell: StateCell, value: int, ring_pos: int | None = None) -> None:
        """Phase 2 writes ``value`` into ``cell`` (at ring element ``ring_pos`` for a ring)."""
        ...

    def defer(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` after every block has produced its outputs: a cycle-closing block commits
        its input there, since that input may depend on its own output."""
        ...

    def declare_render_sink(
        self, inputs: Mapping[str, Value], blend: str = "over", kind: str = "instances", **options: str
    ) -> None:
        """Make this block a render sink of its instance, composited with blend mode ``blend``.

        ``kind="instances"`` draws one shape per lane with the values ``inputs`` (``pos``,
        ``color``, ``shape``, ``scale``, ``size``, ``rotation``, and optionally ``strokeWidth``
        with ``strokeColor``). ``kind="lines"`` draws line segments (docs/language/rendering.md#lines)
        with ``pos`` (the endpoints a), optionally ``b``, ``size`` (the width, world units) and
        ``color``; ``options`` are its ``connect`` and ``cap`` (oscilla.program.SinkSpec)."""
        ...

    def image(self) -> tuple[int, int, int]:
        """``(index, width, height)`` of the image file this block's ``image_param`` names (loaded
        and checked by the compiler before lowering; docs/language/rendering.md#images): the
        index into the program's images (one per file), and its size in pixels."""
        ...

    def text_layout(self) -> TextLayout:
        """The glyph layout of this Text block (built with its atlas by the compiler before lowering;
        docs/language/rendering.md#text); :meth:`image` gives the atlas's index."""
        ...

    def declare_camera(self, params: Value) -> None:
        """Make this block the patch's camera; ``params`` is one f32 signal value whose components
        the renderer reads in the order of :data:`oscilla.blocks.render.CAMERA_INPUTS`."""
        ...

    def report(self, code: str, message: str, port: str | None = None) -> None:
        """Report a problem only the lowering sees (a value's payload details, such as an Image
        shape where none may go: ShapeSelect) as diagnostic ``code`` on this block (and ``port``);
        the compile fails with it after lowering. The lowering still returns its outputs."""
        ...


class TypeContext(Protocol):
    """What a block's typing hooks see during type inference (pass 2).

    Payloads are inferred by a fixpoint over the graph, so a payload that is not inferred yet reads
    as None; a hook then returns None too and is asked again.
    """

    @property
    def block_id(self) -> str:
        """The block's id in the patch."""
        ...

    def param(self, name: str) -> Any:
        """The resolved value of config param ``name``."""
        ...

    def input_payload(self, port: str) -> str | None:
        """The payload arriving at input ``port``: that of the last edge whose source is already
        typed, else the payload its inline value implies, else None."""
        ...

    def has_edges(self, port: str) -> bool:
        """Whether any enabled edge feeds input ``port``."""
        ...

    def inline_value(self, port: str) -> Any:
        """The inline (JSON) value given to input ``port`` in the block's params, or None."""
        ...

    def edge_payloads(self, port: str) -> list[tuple[str, str | None, str | None]]:
        """Every enabled edge into input ``port`` in edge order: ``(source "<block>.<port>",
        alias or None, source payload or None while not inferred)``."""
        ...

    def source_unit(self, port: str) -> str | None:
        """The unit the source port of the last edge into ``port`` declares (None when there is no
        edge or the source port declares none)."""
        ...

    def consumers(self, port: str) -> Sequence[tuple[str, str | None]]:
        """``(payload, declared unit or None)`` of every input fed by output ``port``, in edge order."""
        ...
