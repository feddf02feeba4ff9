"""The uniform structs of oscilla/abi/uniforms.py: the generated WGSL text and the host packing
agree, checked against WGSL's alignment and size rules written out here independently
(https://www.w3.org/TR/WGSL/#alignment-and-size)."""

import re

import numpy as np
import pytest

from oscilla.abi.uniforms import (
    ALL_STRUCTS,
    CONTINUITY,
    CONTINUITY_CAPTURE,
    FRAME_UNIFORMS,
    MAX_CHANNELS,
    RADIX_STEP,
    RENDER_FRAME,
    RESOLVED_CAMERA,
    SINK,
    Member,
    WgslStruct,
)

#: structs bound as var<uniform> (the resolved camera is a storage struct)
UNIFORM_STRUCTS = [s for s in ALL_STRUCTS if s is not RESOLVED_CAMERA]
NUMPY_SCALAR = {"f32": np.dtype("<f4"), "i32": np.dtype("<i4"), "u32": np.dtype("<u4")}


# -- WGSL layout rules, independent of the implementation -------------------------------------------------------
def wgsl_align_size(t: str) -> tuple[int, int]:
    """(AlignOf, SizeOf) of a WGSL type per the spec's table."""
    t = t.replace(" ", "")
    if t in NUMPY_SCALAR:
        return 4, 4
    m = re.fullmatch(r"vec(\d)<(\w+)>", t)
    if m:
        n = int(m.group(1))
        return {2: 8, 3: 16, 4: 16}[n], 4 * n
    m = re.fullmatch(r"array<(.+),(\d+)u?>", t)
    if m:
        ea, es = wgsl_align_size(m.group(1))
        stride = (es + ea - 1) // ea * ea
        return ea, int(m.group(2)) * stride
    raise AssertionError(f"type {t} not covered by this test")


def scalar_of(t: str) -> str:
    return re.findall(r"(f32|i32|u32)", t)[-1]


def parse_struct(text: str) -> tuple[str, list[tuple[str, str]]]:
    """(name, [(member, type)]) of the one struct in ``text`` (comments ignored)."""
    m = re.search(r"^struct (\w+) \{\n(.*?)^\};?$", text, re.S | re.M)
    assert m, text
    members = []
    for line in m.group(2).splitlines():
        code = line.split("//")[0].strip()
        if code:
            mm = re.fullmatch(r"(\w+)\s*:\s*(.+?),?", code)
            assert mm, line
            members.append((mm.group(1), mm.group(2)))
    return m.group(1), members


def wgsl_layout(members: list[tuple[str, str]]) -> tuple[dict[str, int], int]:
    """Member offsets and struct size: offset = roundUp(align, previous end); size =
    roundUp(max align, end of the last member)."""
    offsets, end, struct_align = {}, 0, 1
    for name, t in members:
        align, size = wgsl_align_size(t)
        offsets[name] = (end + align - 1) // align * align
        end = offsets[name] + size
        struct_align = max(struct_align, align)
    return offsets, (end + struct_align - 1) // struct_align * struct_align


def known_value(t: str, i: int):
    """A distinctive value of member type ``t`` (member index ``i``), exact in its type."""
    n = int(np.prod(wgsl_shape(t)))
    base = {"f32": [i + 0.25 + k for k in range(n)], "u32": [7 * i + k + 1 for k in range(n)]}
    base["i32"] = [-(i + 1) - k for k in range(n)]
    vals = base[scalar_of(t)]
    return vals[0] if not wgsl_shape(t) else np.array(vals).reshape(wgsl_shape(t))


def wgsl_shape(t: str) -> tuple[int, ...]:
    t = t.replace(" ", "")
    m = re.fullmatch(r"array<(.+),(\d+)u?>", t)
    if m:
        return (int(m.group(2)), *wgsl_shape(m.group(1)))
    m = re.fullmatch(r"vec(\d)<\w+>", t)
    return (int(m.group(1)),) if m else ()


# -- tests -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("s", ALL_STRUCTS, ids=lambda s: s.name)
def test_generated_wgsl_offsets_equal_the_packing_offsets(s: WgslStruct):
    name, members = parse_struct(s.wgsl())
    assert name == s.name
    assert [m for m, _ in members] == list(s.dtype.names)
    offsets, size = wgsl_layout(members)
    assert offsets == dict(s.offsets)
    assert offsets == {n: s.dtype.fields[n][1] for n in s.dtype.names}
    assert size == s.size == s.dtype.itemsize
    for member, t in members:  # every member's bytes in the dtype: same size and scalar type
        field = s.dtype.fields[member][0]
        assert field.itemsize == wgsl_align_size(t)[1], member
        assert (field.base if field.subdtype else field) == NUMPY_SCALAR[scalar_of(t)], member


@pytest.mark.parametrize("s", UNIFORM_STRUCTS, ids=lambda s: s.name)
def test_uniform_address_space_constraints(s: WgslStruct):
    """In var<uniform>, an array's element stride is a multiple of 16."""
    for member, t in parse_struct(s.wgsl())[1]:
        m = re.fullmatch(r"array<(.+),\s*(\d+)u?>", t)
        if m:
            ea, es = wgsl_align_size(m.group(1))
            assert ((es + ea - 1) // ea * ea) % 16 == 0, member


@pytest.mark.parametrize("s", ALL_STRUCTS, ids=lambda s: s.name)
def test_pack_round_trips_through_numpy(s: WgslStruct):
    _, members = parse_struct(s.wgsl())
    offsets, size = wgsl_layout(members)
    values = {m: known_value(t, i) for i, (m, t) in enumerate(members)}
    data = s.pack(**values)
    assert len(data) == size
    for m, t in members:
        shape = wgsl_shape(t)
        got = np.frombuffer(data, NUMPY_SCALAR[scalar_of(t)], int(np.prod(shape)), offsets[m]).reshape(shape)
        np.testing.assert_array_equal(got, values[m], err_msg=m)
    back = s.unpack(data)
    for m, _ in members:
        np.testing.assert_array_equal(back[m], values[m], err_msg=m)


def test_pack_by_name_leaves_the_rest_zero_and_pack_into_leaves_it_untouched():
    data = CONTINUITY_CAPTURE.pack(shift=-3, n_color_ls=9)
    words = np.frombuffer(data, np.uint32)
    assert words.view(np.int32)[3] == -3 and words[18] == 9
    assert np.count_nonzero(words) == 2
    buf = bytearray(b"\xff" * 48)
    RADIX_STEP.pack_into(buf, 16, shift=8, last=1)
    w = np.frombuffer(bytes(buf), np.uint32)
    assert list(w[4:8]) == [8, 0xFFFFFFFF, 1, 0xFFFFFFFF] and (w[:4] == 0xFFFFFFFF).all()
    with pytest.raises(KeyError, match="no member"):
        SINK.pack(lanes=1, lane=2)


def test_known_sizes_and_offsets():
    """The sizes the shaders and buffers have always had (independent of any rule)."""
    assert (FRAME_UNIFORMS.size, FRAME_UNIFORMS.offsets["ext"], MAX_CHANNELS) == (320, 64, 64)
    assert (FRAME_UNIFORMS.offsets["opaque_zero"], FRAME_UNIFORMS.offsets["phase"]) == (32, 48)
    assert SINK.size == 112 and SINK.offsets["sort_threads"] == 76 and SINK.offsets["sc_ls"] == 96
    assert RENDER_FRAME.size == 32 and RENDER_FRAME.offsets["scale"] == 8 and RENDER_FRAME.offsets["center"] == 16
    assert RADIX_STEP.size == 16 and RESOLVED_CAMERA.size == 80
    assert (CONTINUITY.size, CONTINUITY.offsets["k_pos"]) == (64, 48)
    assert (CONTINUITY_CAPTURE.size, CONTINUITY_CAPTURE.offsets["o_pos"], CONTINUITY_CAPTURE.offsets["n_pos"]) == (
        80,
        16,
        48,
    )


def test_vec3_alignment_and_array_padding_follow_wgsl():
    t = WgslStruct("T", [Member("a", "f32"), Member("b", "vec3<f32>"), Member("c", "f32"), Member("d", "vec2<u32>")])
    offsets, size = wgsl_layout(parse_struct(t.wgsl())[1])
    assert dict(t.offsets) == offsets == {"a": 0, "b": 16, "c": 28, "d": 32}
    assert t.size == size == 48
    with pytest.raises(ValueError, match="stride"):
        WgslStruct("U", [Member("x", "array<vec3<f32>, 2>")])  # stride 16 != 12: no host dtype
    with pytest.raises(ValueError, match="unsupported"):
        WgslStruct("V", [Member("x", "mat4x4<f32>")])


def test_frame_uniforms_host_copy_packs_time_by_name_and_channels_into_ext():
    from oscilla.runtime.clock import FrameTime, FrameUniforms

    fu = FrameUniforms(("a", "b"))
    fu.set_input("b", 2.5)
    ft = FrameTime(frame=7, t_ms=123.5, dt=16.0, phase_a=0.25, pulse=True, wrap_b=True, progress=0.5, ended=True)
    data = bytes(fu.pack(ft))
    f, u = np.frombuffer(data, np.float32), np.frombuffer(data, np.uint32)
    # independent offsets: 4-byte members in declaration order, ext at 64
    assert (f[0], f[1], f[2], u[4], u[5], u[6], u[7], u[8], u[10], f[13]) == (123.5, 16.0, 0.25, 1, 0, 1, 7, 0, 1, 0.5)
    assert f[16] == 0.0 and f[17] == 2.5 and len(data) == 320
    assert ft.uniform_bytes()[:64] == data[:64] and ft.uniform_bytes()[64:] == bytes(256)
