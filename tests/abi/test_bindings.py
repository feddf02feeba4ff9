"""The compute bindings of oscilla/abi/bindings.py: the WGSL declarations codegen writes and the
bind-group layout / bind-group entries the runtime builds describe the same bindings."""

import re
from types import SimpleNamespace

import pytest
from support.paths import EXAMPLES_DIR

from oscilla.abi.bindings import COMPUTE_BINDINGS, BufferKey, group_entries, layout_entries, wgsl_declarations
from oscilla.abi.uniforms import FRAME_UNIFORMS

DECL = re.compile(r"@group\((\d+)\) @binding\((\d+)\) var<([^>]+)> (\w+): (.+);")
#: WGSL address space / access -> WebGPU buffer binding type (the spec's correspondence)
BUFFER_TYPE = {"uniform": "uniform", "storage, read": "read-only-storage", "storage, read_write": "storage"}
COMPUTE = 4  # wgpu.ShaderStage.COMPUTE (any int flag travels unchanged)


def declared(phase: int) -> dict[int, tuple[str, str, str]]:
    """binding -> (address space, name, type) parsed from the generated declarations."""
    out = {}
    for line in wgsl_declarations(phase).splitlines():
        m = DECL.fullmatch(line)
        assert m, line
        assert m.group(1) == "0"
        out[int(m.group(2))] = (m.group(3), m.group(4), m.group(5))
    return out


@pytest.mark.parametrize("phase", [1, 2])
def test_declarations_and_layout_entries_agree(phase):
    decls = declared(phase)
    entries = layout_entries(phase, COMPUTE)
    assert [e["binding"] for e in entries] == sorted(decls) == list(range(9))
    for e in entries:
        assert e["visibility"] == COMPUTE
        assert e["buffer"] == {"type": BUFFER_TYPE[decls[e["binding"]][0]]}, e


def test_access_per_phase():
    """Phase 1 writes values and reads state; phase 2 (commit) the other way round; the frame
    uniform is a uniform and the scratch buffer read_write in both."""
    spaces = {ph: {name: space for space, name, _ in declared(ph).values()} for ph in (1, 2)}
    for name in ("vf", "vi", "vu", "vf4"):
        assert (spaces[1][name], spaces[2][name]) == ("storage, read_write", "storage, read")
    for name in ("sf", "si", "sf4"):
        assert (spaces[1][name], spaces[2][name]) == ("storage, read", "storage, read_write")
    assert spaces[1]["fu"] == spaces[2]["fu"] == "uniform"
    assert spaces[1]["sc"] == spaces[2]["sc"] == "storage, read_write"
    assert declared(1)[0] == ("uniform", "fu", FRAME_UNIFORMS.name)
    with pytest.raises(ValueError):
        layout_entries(3, COMPUTE)


def test_group_entries_bind_each_buffer_where_the_table_says():
    bufs = {k: SimpleNamespace(size=16 * (i + 1), key=k) for i, k in enumerate(BufferKey)}
    entries = group_entries(bufs)
    assert [e["binding"] for e in entries] == list(range(9))
    by_name = {name: entries[b]["resource"] for b, (_, name, _) in declared(1).items()}
    want = {"fu": "frame_uniforms", "vf": "values_f32", "vi": "values_i32", "vu": "values_u32"}
    want |= {"sf": "state_f32", "si": "state_i32", "vf4": "values_f32", "sf4": "state_f32", "sc": "scratch"}
    for name, key in want.items():
        res = by_name[name]
        assert res["buffer"].key == key and (res["offset"], res["size"]) == (0, res["buffer"].size), name
    del bufs[BufferKey.SCRATCH]
    with pytest.raises(KeyError, match="scratch"):
        group_entries(bufs)


def test_vec4_views_bind_the_same_buffer_as_their_scalar_arrays():
    table = {b.name: b for b in COMPUTE_BINDINGS}
    assert table["vf4"].buffer == table["vf"].buffer and table["sf4"].buffer == table["sf"].buffer
    assert (table["vf4"].wgsl_type, table["sf4"].wgsl_type) == ("array<vec4<f32>>", "array<vec4<f32>>")


def test_generated_kernels_carry_the_declarations_of_their_phase():
    import oscilla as osc

    program = osc.compile(osc.load_patch(EXAMPLES_DIR / "feedback.json"))
    phases = {k.name: k.phase for k in program.kernels}
    assert set(phases.values()) == {1, 2}
    for name, src in program.wgsl.items():
        assert wgsl_declarations(phases[name]) in src, name
        assert wgsl_declarations(3 - phases[name]) not in src, name
