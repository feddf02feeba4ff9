"""The structs the host writes for the GPU, each declared once.

A :class:`WgslStruct` is a list of (name, WGSL type) members. From it come both the WGSL
``struct`` text that shaders include (generated kernels get :data:`FRAME_UNIFORMS` in their
prelude; the static shaders get theirs prepended by the code that loads them) and the host-side
byte layout: member offsets and sizes follow WGSL's alignment and size rules
(https://www.w3.org/TR/WGSL/#alignment-and-size), and a numpy structured dtype with exactly those
offsets packs values by member name. So a member is added, moved or retyped in one place and
both sides follow.

All layouts are little-endian. Supported member types: ``f32``, ``i32``, ``u32``,
``vecN<f32|i32|u32>`` (N = 2, 3, 4) and ``array<T, N>`` of those, where the array stride equals
the element size (the host dtype cannot express padding inside an array); padding members are
written out explicitly (named ``_...``) so that every struct reads the same in WGSL and in Python.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: external channels one program may read: FrameUniforms.ext holds them as MAX_CHANNELS / 4 vec4s
#: (channel k is ``ext[k / 4][k % 4]``)
MAX_CHANNELS = 64

_SCALARS: dict[str, str] = {"f32": "<f4", "i32": "<i4", "u32": "<u4"}
_VEC = re.compile(r"vec([234])<(f32|i32|u32)>")
_ARRAY = re.compile(r"array<(.+),\s*(\d+)u?>")


@dataclass(frozen=True)
class TypeLayout:
    """Alignment and size in bytes of a WGSL type, with the host (numpy) element format.

    Attributes:
        align: AlignOf(T) in bytes.
        size: SizeOf(T) in bytes.
        base: numpy scalar format of the components (``"<f4"``, ``"<i4"``, ``"<u4"``).
        shape: component shape (``()`` for a scalar, ``(4,)`` for a vec4, ``(16, 4)`` for an
            ``array<vec4<f32>, 16>``).
    """

    align: int
    size: int
    base: str
    shape: tuple[int, ...]


def type_layout(wgsl_type: str) -> TypeLayout:
    """Alignment, size and host format of a WGSL member type.

    Raises:
        ValueError: an unsupported type, or an array whose stride differs from its element size.
    """
    t = wgsl_type.replace(" ", "")
    if t in _SCALARS:
        return TypeLayout(4, 4, _SCALARS[t], ())
    m = _VEC.fullmatch(t)
    if m:
        n = int(m.group(1))
        return TypeLayout(8 if n == 2 else 16, 4 * n, _SCALARS[m.group(2)], (n,))
    m = _ARRAY.fullmatch(t)
    if m:
        element = type_layout(m.group(1))
        count = int(m.group(2))
        stride = -(-element.size // element.align) * element.align
        if stride != element.size:
            raise ValueError(f"{wgsl_type}: array stride {stride} != element size {element.size} (no host dtype)")
        return TypeLayout(element.align, count * stride, element.base, (count, *element.shape))
    raise ValueError(f"unsupported WGSL member type {wgsl_type!r}")


@dataclass(frozen=True)
class Member:
    """One struct member: ``name`` (a WGSL identifier, ``_``-prefixed for padding), its WGSL
    type, and a comment (units, meaning) written after it in the WGSL text."""

    name: str
    wgsl_type: str
    doc: str = ""


class WgslStruct:
    """A struct shared by WGSL and the host: its WGSL text and its byte packing, from one list.

    Args:
        name: the WGSL struct name.
        members: the members in declaration order.
        doc: comment lines written above the struct in the WGSL text.

    Raises:
        ValueError: duplicate member names or an unsupported member type (:func:`type_layout`).

    Attributes:
        offsets: member name -> byte offset.
        align: AlignOf(struct) in bytes.
        size: SizeOf(struct) in bytes (the last member's end rounded up to ``align``).
        dtype: a numpy structured dtype with exactly these offsets and ``itemsize == size``.
    """

    def __init__(self, name: str, members: Sequence[Member], doc: str = "") -> None:
        self.name = name
        self.members: tuple[Member, ...] = tuple(members)
        self.doc = doc
        names = [m.name for m in self.members]
        if len(set(names)) != len(names):
            raise ValueError(f"struct {name}: duplicate member names {names}")
        layouts = [type_layout(m.wgsl_type) for m in self.members]
        offsets: dict[str, int] = {}
        end = 0
        for m, lay in zip(self.members, layouts):
            offset = -(-end // lay.align) * lay.align
            offsets[m.name] = offset
            end = offset + lay.size
        self.offsets: Mapping[str, int] = offsets
        self.align: int = max(lay.align for lay in layouts)
        self.size: int = -(-end // self.align) * self.align
        self.dtype: np.dtype[np.void] = np.dtype(
            {
                "names": names,
                "formats": [(lay.base, lay.shape) if lay.shape else lay.base for lay in layouts],
                "offsets": [offsets[n] for n in names],
                "itemsize": self.size,
            }
        )

    def __repr__(self) -> str:
        return f"WgslStruct({self.name!r}, {len(self.members)} members, {self.size} bytes)"

    def wgsl(self) -> str:
        """The WGSL declaration: the ``doc`` comment lines, then ``struct Name { ... }`` with one
        member per line (and its comment), ending in a newline."""
        lines = [f"// {line}".rstrip() for line in self.doc.splitlines()] if self.doc else []
        lines.append(f"struct {self.name} {{")
        for m in self.members:
            decl = f"    {m.name}: {m.wgsl_type},"
            lines.append(f"{decl}  // {m.doc}" if m.doc else decl)
        lines.append("}")
        return "\n".join(lines) + "\n"

    def view(self, buffer: bytearray | memoryview, offset: int = 0) -> np.ndarray:
        """A writable 0-d structured array over ``buffer[offset : offset + size]``: assigning
        ``rec["name"] = value`` writes the member in place (the buffer keeps ownership).

        Raises:
            ValueError: the buffer is too short or read-only.
        """
        return np.frombuffer(buffer, self.dtype, count=1, offset=offset).reshape(())

    def pack_into(self, buffer: bytearray | memoryview, offset: int = 0, **values: npt.ArrayLike) -> None:
        """Write the named members into ``buffer`` at ``offset``; other bytes stay as they are.

        Values are converted to the member's type (bools to 0/1; a vector or array member takes
        a sequence of the member's shape).

        Raises:
            KeyError: a name is not a member of this struct.
            ValueError, OverflowError: a value does not fit the member's shape or type.
        """
        unknown = [n for n in values if n not in self.offsets]
        if unknown:
            raise KeyError(f"struct {self.name} has no member {', '.join(unknown)} (members: {list(self.offsets)})")
        rec = self.view(buffer, offset)
        for name, value in values.items():
            rec[name] = value

    def pack(self, **values: npt.ArrayLike) -> bytes:
        """The struct's ``size`` bytes with the named members set and every other member 0.

        Raises:
            KeyError: a name is not a member of this struct.
        """
        data = bytearray(self.size)
        self.pack_into(data, 0, **values)
        return bytes(data)

    def unpack(self, data: bytes | bytearray | memoryview, offset: int = 0) -> dict[str, Any]:
        """Member name -> value (Python scalar, or a numpy array for vectors and arrays) read
        from ``data`` at ``offset``; the inverse of :meth:`pack`."""
        rec = np.frombuffer(data, self.dtype, count=1, offset=offset)[0]
        return {n: rec[n].item() if rec[n].ndim == 0 else np.array(rec[n]) for n in self.offsets}


def wgsl_structs(*structs: WgslStruct) -> str:
    """The WGSL text of ``structs``, separated by blank lines and ending in a blank line (to be
    prepended to a static shader that uses them)."""
    return "".join(s.wgsl() + "\n" for s in structs)


#: the frame uniform of every generated kernel (``var<uniform> fu``), written once per frame by
#: oscilla.runtime.clock.FrameUniforms: the time fields of the patch's one time root
#: (InfiniteTimeRoot uses phase_a/phase_b/pulse/wrap_a/wrap_b, CyclicTimeRoot phase/wrap,
#: FiniteTimeRoot progress/ended; t_ms and dt are every root's), then the external channels
FRAME_UNIFORMS = WgslStruct(
    "FrameUniforms",
    [
        Member("t_ms", "f32", "model time (ms)"),
        Member("dt", "f32", "ms since the previous frame (0 on the first)"),
        Member("phase_a", "f32", "InfiniteTimeRoot phases in [0, 1)"),
        Member("phase_b", "f32"),
        Member("pulse", "u32", "events: 1 on the frame they fire"),
        Member("wrap_a", "u32"),
        Member("wrap_b", "u32"),
        Member("frame", "u32", "frame count (mod 2^32)"),
        Member("opaque_zero", "u32", "always 0; osc_k() xors literals with it so drivers cannot fold constant chains"),
        Member("wrap", "u32", "CyclicTimeRoot turn"),
        Member("ended", "u32", "FiniteTimeRoot end"),
        Member("_pad0", "u32"),
        Member("phase", "f32", "CyclicTimeRoot phase in [0, 1)"),
        Member("progress", "f32", "FiniteTimeRoot progress in [0, 1]"),
        Member("_pad1", "f32"),
        Member("_pad2", "f32"),
        Member(
            "ext",
            f"array<vec4<f32>, {MAX_CHANNELS // 4}>",
            "external channel k is ext[k / 4][k % 4] (k = its index in CompiledProgram.channels)",
        ),
    ],
    doc=(
        "The frame uniform (declared in oscilla/abi/uniforms.py, FRAME_UNIFORMS; 320 bytes). The time\n"
        "fields of the patch's one time root: InfiniteTimeRoot uses phase_a/phase_b/pulse/wrap_a/wrap_b,\n"
        "CyclicTimeRoot phase/wrap, FiniteTimeRoot progress/ended; t_ms and dt are every root's. Channel\n"
        "names never appear in WGSL, only their indices."
    ),
)

#: the per-sink render uniform of instances.wgsl and camera_sort.wgsl (``var<uniform> sink``):
#: element offsets into the f32 ValueStore and lane strides (0 for a signal) of each render
#: input; lane i, component c of an input is ``values[off + i * ls + c]``
SINK = WgslStruct(
    "Sink",
    [
        Member("pos_off", "u32"),
        Member("pos_ls", "u32"),
        Member("pos_stride", "u32", "2 or 3 (z is ignored without a camera)"),
        Member("lanes", "u32"),
        Member("color_off", "u32"),
        Member("color_ls", "u32"),
        Member("size_off", "u32"),
        Member("size_ls", "u32"),
        Member("rot_off", "u32"),
        Member("rot_ls", "u32"),
        Member("scale_off", "u32"),
        Member("scale_ls", "u32"),
        Member("shape_off", "u32", "(kind 0 ellipse / 1 rect / 2 path, a, b, rotation, cornerRadius)"),
        Member("shape_ls", "u32"),
        Member("path_off", "u32", "path control point j (vec2, world units) at values[path_off + j * path_ls]"),
        Member("path_count", "u32", "control points (0 without a path)"),
        Member("path_ls", "u32"),
        Member("camera", "u32", "1: draw through the camera's sorted order (proj / sorted)"),
        Member("cam_off", "u32", "ValueStore offset of the Camera's 9 f32 (compute pass only)"),
        Member("sort_threads", "u32", "T: invocations of radix_hist / radix_scatter (1..512; camera pass only)"),
        Member("stroke", "u32", "1: the sink draws strokes (strokeWidth connected); 0: fill only"),
        Member("sw_off", "u32", "strokeWidth (world units)"),
        Member("sw_ls", "u32"),
        Member("sc_off", "u32", "strokeColor (RGBA)"),
        Member("sc_ls", "u32"),
        Member("_pad0", "u32"),
        Member("_pad1", "u32"),
        Member("_pad2", "u32"),
    ],
    doc=(
        "The per-sink render uniform (oscilla/abi/uniforms.py, SINK). Element offsets (in f32\n"
        "elements) and lane strides (0 for a signal) of each render input.\n"
        "Lane i, component c of an input lives at values[off + i * ls + c]."
    ),
)

#: the per-sink uniform of image.wgsl besides SINK (``var<uniform> image`` of an Image sink;
#: docs/language/rendering.md#images), written once
IMAGE_SINK = WgslStruct(
    "ImageSink",
    [
        Member("cols", "u32", "sprite-sheet columns (1: the whole image)"),
        Member("rows", "u32", "sprite-sheet rows"),
        Member("_pad0", "u32"),
        Member("_pad1", "u32"),
    ],
    doc="The Image sink's uniform (oscilla/abi/uniforms.py, IMAGE_SINK): its sprite grid.",
)

#: the per-sink uniform of text.wgsl besides SINK (``var<uniform> text`` of a Text sink;
#: docs/language/rendering.md#text), written once
TEXT_SINK = WgslStruct(
    "TextSink",
    [
        Member("slots", "u32", "characters per label (quads per lane)"),
        Member("labels", "u32", "rows of the label table (static text: lane i draws row i mod labels)"),
        Member("mode", "u32", "0: static text from the table; 1: the shape's value formatted"),
        Member("decimals", "u32", "format: decimals"),
        Member("plus", "u32", "format: 1 writes + before non-negative values"),
        Member("width", "u32", "format: the number padded with spaces on the left to this many characters"),
        Member("prefix", "u32", "format: literal characters before the number (table row 0 first)"),
        Member("suffix", "u32", "format: literal characters after the number (table row 0 after the prefix)"),
        Member("em", "f32", "the font size the atlas was rasterized at, pixels"),
        Member("align", "f32", "the fraction of a label's width left of its anchor (0, 0.5, 1)"),
        Member("_pad0", "f32"),
        Member("_pad1", "f32"),
    ],
    doc="The Text sink's uniform (oscilla/abi/uniforms.py, TEXT_SINK): its label layout and format.",
)

#: the renderer's frame uniform (``var<uniform> frame`` of instances.wgsl, lines.wgsl, splat.wgsl),
#: rewritten only when the target size or the view transform (oscilla/drawing/view.py) changes:
#: world (x, y) -> pixel ``size / 2 + ((x, y) - center) * scale``
RENDER_FRAME = WgslStruct(
    "Frame",
    [
        Member("size", "vec2<f32>", "W, H (pixels)"),
        Member("scale", "f32", "S = min(W, H) * zoom: pixels per world unit"),
        Member("_pad", "f32"),
        Member("center", "vec2<f32>", "world point at the target's centre: (0.5, 0.5) without pan"),
        Member("_pad1", "vec2<f32>"),
    ],
    doc="The renderer's frame uniform (oscilla/abi/uniforms.py, RENDER_FRAME).",
)

#: the text overlay's uniform (overlay.wgsl; oscilla/drawing/overlay.py): where its image lies on
#: the target
OVERLAY = WgslStruct(
    "Overlay",
    [
        Member("origin", "vec2<f32>", "top-left corner on the target (pixels)"),
        Member("extent", "vec2<f32>", "width, height of the overlay image (pixels)"),
    ],
    doc="The text overlay's placement (oscilla/abi/uniforms.py, OVERLAY).",
)

#: the per-sink uniform of lines.wgsl (``var<uniform> sink`` of a RenderLines2D sink;
#: oscilla/drawing/lines.py): element offsets into the f32 ValueStore and lane strides (0 for a
#: signal) of a, b, width and color, the segment count, the connect / cap modes and the camera flag
LINE_SINK = WgslStruct(
    "LineSink",
    [
        Member("a_off", "u32"),
        Member("a_ls", "u32"),
        Member("a_stride", "u32", "2 or 3 (z is ignored)"),
        Member("lanes", "u32", "lanes of a's instance"),
        Member("b_off", "u32", "b (pairs only; a again otherwise)"),
        Member("b_ls", "u32"),
        Member("b_stride", "u32"),
        Member("segments", "u32", "segments drawn: lanes (pairs, loop), lanes - 1 (strip)"),
        Member("width_off", "u32", "width (world units), read at the segment's first lane"),
        Member("width_ls", "u32"),
        Member("color_off", "u32", "color (RGBA), read at the segment's first lane"),
        Member("color_ls", "u32"),
        Member("connect", "u32", "0 pairs (a_i -> b_i), 1 strip (a_i -> a_(i+1)), 2 loop (strip + last -> first)"),
        Member("cap", "u32", "0 butt, 1 round"),
        Member("camera", "u32", "1: project the endpoints through the resolved camera (binding 3); 0: no Camera"),
        Member("_pad1", "u32"),
    ],
    doc="The per-sink uniform of a RenderLines2D sink (oscilla/abi/uniforms.py, LINE_SINK).",
)

#: one radix pass of the camera sort (``var<uniform> stage`` of camera_sort.wgsl); one record per
#: pass at ``min-uniform-buffer-offset-alignment`` strides, selected with a dynamic offset
RADIX_STEP = WgslStruct(
    "Step",
    [
        Member("shift", "u32", "radix pass: 0, 8, 16, 24"),
        Member("flip", "u32", "0: sorted -> spare; 1: spare -> sorted"),
        Member("last", "u32", "1 on the last pass (writes the draw-indirect record)"),
        Member("_p1", "u32"),
    ],
    doc="One radix pass (oscilla/abi/uniforms.py, RADIX_STEP).",
)

#: the resolved camera (``var<storage, read_write> cam`` of camera_sort.wgsl): written once per
#: frame by its ``resolve`` entry point, never by the host; declared here for its size
RESOLVED_CAMERA = WgslStruct(
    "Cam",
    [
        Member("mode", "vec4<f32>", "(perspective 1/0, h = tan(fov/2), near, far)"),
        Member("eye", "vec4<f32>", "camera position c (world units)"),
        Member("right", "vec4<f32>", "r"),
        Member("up", "vec4<f32>", "u"),
        Member("fwd", "vec4<f32>", "f"),
    ],
    doc="The resolved camera (written once per frame by `resolve`; oscilla/abi/uniforms.py, RESOLVED_CAMERA).",
)

#: the continuity kernel's uniform (``var<uniform> cu`` of continuity.wgsl): the sink's render
#: inputs (ValueStore f32 offsets and lane strides), its display slots, and the per-frame decays
#: exp(-dt/tau) of position, size, colour and opacity
CONTINUITY = WgslStruct(
    "Continuity",
    [
        Member("lanes", "u32"),
        Member("pos_src", "u32"),
        Member("pos_ls", "u32"),
        Member("pos_stride", "u32"),
        Member("size_src", "u32"),
        Member("size_ls", "u32"),
        Member("color_src", "u32"),
        Member("color_ls", "u32"),
        Member("pos_dst", "u32"),
        Member("size_dst", "u32"),
        Member("color_dst", "u32"),
        Member("_pad", "u32"),
        Member("k_pos", "f32"),
        Member("k_size", "f32"),
        Member("k_color", "f32"),
        Member("k_alpha", "f32"),
    ],
    doc="The continuity uniform (oscilla/abi/uniforms.py, CONTINUITY).",
)

#: the continuity capture kernel's uniform (``var<uniform> cap`` of continuity_capture.wgsl):
#: lanes lo <= i < hi of the new program map to old lane i + shift; ``o_*`` are the old program's
#: render inputs (offset / lane stride of pos, size, colour; pos component count), ``n_*`` the new
CONTINUITY_CAPTURE = WgslStruct(
    "Capture",
    [
        Member("lanes", "u32"),
        Member("lo", "u32"),
        Member("hi", "u32"),
        Member("shift", "i32"),
        Member("o_pos", "u32", "old program: offset / lane stride of pos, size, colour; pos component count"),
        Member("o_pos_ls", "u32"),
        Member("o_pos_n", "u32"),
        Member("o_size", "u32"),
        Member("o_size_ls", "u32"),
        Member("o_color", "u32"),
        Member("o_color_ls", "u32"),
        Member("_p0", "u32"),
        Member("n_pos", "u32", "new program: the same"),
        Member("n_pos_ls", "u32"),
        Member("n_pos_n", "u32"),
        Member("n_size", "u32"),
        Member("n_size_ls", "u32"),
        Member("n_color", "u32"),
        Member("n_color_ls", "u32"),
        Member("_p1", "u32"),
    ],
    doc="The continuity capture uniform (oscilla/abi/uniforms.py, CONTINUITY_CAPTURE).",
)

#: the trails pass's uniform (``var<uniform> fb`` of post.wgsl, ``fs_fade``), written when the
#: history is built or the program changes: target pixel p samples the previous frame at
#: q = M (p - c - d) + c (pixels; M the inverse of zoom and rotation), then fades it to the background
FEEDBACK = WgslStruct(
    "Feedback",
    [
        Member("background", "vec4<f32>", "B: straight-alpha RGBA in [0, 1]"),
        Member("m", "vec4<f32>", "M row-major (m00, m01, m10, m11)"),
        Member("shift", "vec4<f32>", "(c.x, c.y, d.x, d.y): centre and offset (pixels)"),
        Member("params", "vec4<f32>", "(t, W, H, 0): trails and the history size (pixels)"),
    ],
    doc="The trails / feedback uniform (oscilla/abi/uniforms.py, FEEDBACK).",
)

#: the display pass's uniform (``var<uniform> pr`` of post.wgsl): source and target sizes, and the
#: bloom composite's intensity (0 = no bloom)
PRESENT = WgslStruct(
    "Present",
    [
        Member("sizes", "vec4<f32>", "(source W, H, target W, H) in pixels"),
        Member("bloom", "vec4<f32>", "(threshold, intensity, blur step x, blur step y); intensity 0: none"),
    ],
    doc="The display pass uniform (oscilla/abi/uniforms.py, PRESENT).",
)

#: one pass of the bloom (``var<uniform> bu`` of bloom.wgsl): one record per pass, written when
#: the display size is first seen
BLOOM = WgslStruct(
    "Bloom",
    [
        Member("params", "vec4<f32>", "(threshold, intensity, sigma pixels, taps n)"),
        Member("dir", "vec4<f32>", "blur direction (1, 0) or (0, 1) in texels; zw unused"),
        Member("size", "vec4<f32>", "(source W, H, target W, H) in pixels"),
    ],
    doc="One bloom pass (oscilla/abi/uniforms.py, BLOOM).",
)

#: every struct declared here (tests walk this)
ALL_STRUCTS: tuple[WgslStruct, ...] = (
    FRAME_UNIFORMS,
    SINK,
    RENDER_FRAME,
    OVERLAY,
    LINE_SINK,
    RADIX_STEP,
    RESOLVED_CAMERA,
    CONTINUITY,
    CONTINUITY_CAPTURE,
    FEEDBACK,
    PRESENT,
    BLOOM,
)
