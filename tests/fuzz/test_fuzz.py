"""Property-based fuzzing: whatever the patch, ``compile`` answers with a program or a coded
``CompileError``, and a program steps and renders.

Patches are generated from the block registry (tests/fuzz/strategies.py): well-typed ones that
must compile, mutated ones (random and wrong-payload edges, out-of-range and wrong-kind params,
unknown keys and types, random Expression texts), and damaged file contents (truncated JSON,
other encodings, invalid UTF-8, random bytes). ``make test`` runs a few derandomized examples of
each (the ``ci`` profile); ``make fuzz`` runs thousands (``HYPOTHESIS_PROFILE=fuzz``). A crash
found here goes into the corpus (tests/corpus/) as a reproducer.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest
from fuzz.profiles import examples
from fuzz.strategies import CHANNELS, mutated_patches, patch_bytes, valid_patches
from hypothesis import given
from hypothesis import strategies as st
from support.running import gpu_or_skip
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app
from oscilla.runtime.clock import UnknownChannelWarning

pytestmark = pytest.mark.fuzz

CODE = re.compile(r"[EWI](_[A-Z0-9]+)+")
SEVERITY = {"E": "error", "W": "warning", "I": "info"}
#: frame times of the fuzzed runs, in ms: the first frame, a 60 fps frame, a late frame
TIMES = (0.0, 1000.0 / 60.0, 2500.0)
SINK_INPUTS = ("pos", "color", "size", "rotation", "scale", "shape")


def assert_coded(diagnostics) -> None:
    """Every diagnostic has a code, the severity its code's prefix says, and a message."""
    for d in diagnostics:
        assert isinstance(d, osc.Diagnostic), d
        assert isinstance(d.code, str) and CODE.fullmatch(d.code), d
        assert d.severity == SEVERITY[d.code[0]], d
        assert isinstance(d.message, str) and d.message.strip(), d


def compile_or_diagnose(source):
    """``osc.compile(source)``: the program, or None after checking the CompileError's diagnostics.
    Any other exception fails the test."""
    try:
        program = osc.compile(source)
    except osc.CompileError as e:
        assert e.diagnostics, "a CompileError without diagnostics"
        assert_coded(e.diagnostics)
        assert any(d.severity == "error" for d in e.diagnostics), e.diagnostics
        return None
    assert_coded(program.diagnostics)
    assert not any(d.severity == "error" for d in program.diagnostics), program.diagnostics
    return program


#: 4 GiB: WebGPU binds a storage buffer of at most 2^32 bytes, on every device
NO_DEVICE_BINDS = 2**32
#: what the fuzzer lets the ReferenceRuntime allocate (the values and the state of one program)
REFERENCE_BUDGET = 2**28


def program_bytes(program) -> int:
    """Bytes of the largest buffer class (values or state, f32/i32/u32) of ``program``, from its
    public layout: slot sizes and state cell sizes, 4 bytes per component."""
    values: dict[str, int] = {}
    for m in program.slot_meta:
        values[m.storage] = values.get(m.storage, 0) + m.lanes * m.stride
    state = [program.state_layout.size_of(c) for c in ("f32", "i32")]
    return 4 * max([*values.values(), *state, 0])


def run_reference(program) -> None:
    """A few frames on the ReferenceRuntime, then every render input of every sink read back.

    A program with a buffer no device can bind must not have compiled (the runtime would fail
    or, on the ReferenceRuntime, allocate gigabytes); one within that but beyond the fuzzer's
    memory budget is not run."""
    size = program_bytes(program)
    assert size <= NO_DEVICE_BINDS, f"compiled a program with a {size}-byte buffer, which no device can bind"
    if size > REFERENCE_BUDGET:
        return
    rt = osc.ReferenceRuntime(program)
    for t in TIMES:
        rt.step(t)
        for sink in program.sinks:
            for name in SINK_INPUTS:
                assert isinstance(rt.read_rendered(sink.block, name), np.ndarray)


@given(valid_patches())
@examples(1.0)
def test_valid_patches_compile_step_and_render(patch):
    try:
        program = osc.compile(patch)
    except osc.CompileError as e:  # pragma: no cover - a failure message
        pytest.fail("a well-typed patch did not compile:\n" + "\n".join(d.format() for d in e.diagnostics))
    assert_coded(program.diagnostics)
    assert [s.block for s in program.sinks] == ["draw"]
    run_reference(program)


@given(mutated_patches())
@examples(1.5)
def test_mutated_patches_compile_or_diagnose(patch):
    program = compile_or_diagnose(patch)
    if program is not None:
        run_reference(program)


@given(patch_bytes())
@examples(1.5)
def test_file_contents_load_or_diagnose(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "patch.json"
    path.write_bytes(data)
    try:
        patch = osc.load_patch(path)
    except osc.CompileError as e:
        assert e.diagnostics and all(d.code == "E_PATCH_INVALID" for d in e.diagnostics), e.diagnostics
        assert_coded(e.diagnostics)
        return
    assert isinstance(patch, osc.Patch)
    program = compile_or_diagnose(patch)
    if program is not None:
        run_reference(program)


@given(patch_bytes())
@examples(0.25)
def test_check_command_exits_0_or_1(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "patch.json"
    path.write_bytes(data)
    r = CliRunner().invoke(app, ["check", str(path)])
    assert r.exit_code in (0, 1), (r.exit_code, r.output)
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output and "internal error" not in r.output, r.output
    if r.exit_code == 1:
        assert re.search(r"\bE(_[A-Z0-9]+)+\b", r.output), r.output


#: arguments of any kind for step and set_input: non-finite, huge, integral beyond float, wrong types
ANY_ARG = st.one_of(
    st.floats(),
    st.floats(0.0, 2.0**53),
    st.integers(-(2**70), 2**70),
    st.sampled_from([2**53, 2**53 + 1, 1e-320, -0.0, 3.5e38, np.float32(7.0), np.int64(9), np.nan])
    | st.sampled_from(["100", "", None, True, False, [1.0], {}, b"1", 1j]),
)
CALLS = st.lists(
    st.one_of(
        st.tuples(st.just("step"), ANY_ARG),
        st.tuples(
            st.just("set_input"),
            st.tuples(st.one_of(st.sampled_from(CHANNELS), st.text(max_size=4), st.none()), ANY_ARG),
        ),
    ),
    max_size=6,
)


#: the misuses of issue 9, tried before the generated calls
KNOWN_BAD_CALLS = [
    ("step", 1e39),
    ("step", float("nan")),
    ("step", "100"),
    ("set_input", ("mouse.x", float("nan"))),
    ("set_input", ("knob", float("inf"))),
]


def survive(rt, calls) -> None:
    """Each call either works or raises the ValueError / TypeError its docstring names; after
    each, a valid frame still steps and its render inputs read back."""
    t = 0.0
    for name, arg in calls:
        try:
            if name == "step":
                rt.step(arg)
            else:
                rt.set_input(*arg)
        except (ValueError, TypeError):
            pass
        t += 1000.0 / 60.0
        rt.step(t)  # valid even after a later time: time does not go backwards
        for sink in rt.program.sinks:
            rt.read_rendered(sink.block, "pos")


@given(valid_patches(max_middle=4), CALLS)
@examples(0.5)
def test_runtime_takes_a_valid_step_after_any_bad_argument(patch, calls):
    program = osc.compile(patch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownChannelWarning)
        survive(osc.ReferenceRuntime(program), KNOWN_BAD_CALLS + calls)


@pytest.mark.gpu
@given(st.one_of(valid_patches(max_middle=5), mutated_patches()), CALLS)
@examples(0.05)
def test_gpu_runtime_steps_and_renders(patch, calls):
    gpu_or_skip()
    program = compile_or_diagnose(patch)
    if program is None:
        return
    rt = osc.Runtime(program)
    for t in TIMES:
        rt.step(t)
    image = rt.render(16, 16)
    assert image.shape == (16, 16, 4) and image.dtype == np.uint8
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownChannelWarning)
        survive(rt, KNOWN_BAD_CALLS + calls)
    for w, h in ((2.7, 3), (0, 3), (True, 4), ("16", 16), (16, 2**40)):
        with pytest.raises((TypeError, ValueError)):
            rt.render(w, h)
    assert rt.render(16, 16).shape == (16, 16, 4)
