"""The cffi fast path (oscilla/gpu/cffi_types.py) gives the same C types as cffi's own pycparser
route, the oracle here, for every form it handles, and leaves every other string (including the
ones cffi rejects) to that route. Nothing here times anything."""

import subprocess
import sys

import pytest
from cffi import FFI
from support.paths import ROOT

from oscilla.gpu import cffi_types

CDEF = """
typedef struct Foo { int x; double y; } Foo;
typedef struct Opaque Opaque;
typedef enum Mode { Mode_A = 0, Mode_B = 1 } Mode;
typedef uint32_t Flags;
typedef void (*Callback)(Mode, void *);
typedef int RawFn(int);
typedef int Vec3[3];
typedef const char * CStr;
typedef Foo * FooPtr;
typedef struct View { const char * data; size_t length; } View;
"""
NAMES = ["Foo", "Opaque", "Mode", "Flags", "Callback", "RawFn", "Vec3", "CStr", "FooPtr", "View"]
PRIMITIVES = ["char", "uint8_t", "int", "intptr_t", "uintptr_t", "double", "_Bool", "size_t", "long", "void"]
SUFFIXES = ["", " *", "*", "[]", " []", " * ", "  *  "]
#: function types the fast path handles (parameters plain, pointers, const pointers, void)
FUNCTIONS = [
    "void(Mode, void *)",
    "int(Foo const *, const Foo *, Flags)",
    "void(void)",
    "void()",
    "Foo *(Vec3, Callback, RawFn)",
    "Mode(Foo, uint8_t *, View)",
    "void(Opaque const *, Mode, View, void *, void *)",
]
#: strings the fast path must leave to pycparser (valid C for cffi, or errors cffi reports)
FALLBACKS = [
    "struct Foo *",
    "Foo **",
    "unsigned int",
    "const Foo *",
    "Foo const *",
    "void(int, ...)",
    "void(int x)",
    "void(Foo const)",
    "Nope *",
    "Nope",
    "void(Nope)",
    "void[]",
    "void []",
    "RawFn[]",
    "Foo[3]",
    "int(*)(int)",
    "signed",
]


def _ffi():
    ffi = FFI()
    ffi.cdef(CDEF)
    return ffi


def _oracle(parser, cdecl):
    """cffi's own answer: the model type, or the exception type it raises."""
    try:
        return parser.parse_type(cdecl)
    except Exception as e:  # cffi raises CDefError, FFIError or an assertion for bad input
        return type(e)


#: arrays of void or of functions: left to cffi (which parses them, then refuses to build them)
REFUSED_ARRAYS = {"void[]", "RawFn[]"}
HANDLED = [n + s for n in NAMES + PRIMITIVES for s in SUFFIXES if (n + s).replace(" ", "") not in REFUSED_ARRAYS]


@pytest.mark.parametrize("cdecl", HANDLED + FUNCTIONS)
def test_a_handled_form_resolves_to_what_pycparser_gives(cdecl):
    parser = _ffi()._parser
    expected = _oracle(parser, cdecl)
    fast = cffi_types.resolve(parser, cdecl)
    if isinstance(expected, type) and issubclass(expected, Exception):
        assert fast is None, f"cffi rejects {cdecl!r} ({expected.__name__}); the fast path must leave it to cffi"
    else:
        assert fast is not None, f"{cdecl!r} should take the fast path"
        assert fast == expected


@pytest.mark.parametrize("cdecl", FALLBACKS)
def test_other_forms_are_left_to_pycparser(cdecl):
    assert cffi_types.resolve(_ffi()._parser, cdecl) is None


def test_an_installed_ffi_builds_the_same_ctypes_and_reports_the_same_errors():
    fast, plain = _ffi(), _ffi()
    assert cffi_types.install(fast) is True
    assert cffi_types.install(fast) is True  # idempotent: the fast path is not wrapped twice
    assert not hasattr(fast._parser.parse_type.__wrapped__, "__wrapped__")
    for cdecl in ["Foo *", "View[]", "Callback", "uint8_t []", "void *"]:
        a, b = fast.typeof(cdecl), plain.typeof(cdecl)
        assert (a.cname, a.kind) == (b.cname, b.kind)
    signature = "void(Opaque const *, Mode, void *)"
    a, b = (ffi.typeof(ffi.callback(signature, lambda *args: None)) for ffi in (fast, plain))
    assert a.cname == b.cname == "void(*)(Opaque *, Mode, void *)"  # cffi drops const in names
    assert fast.sizeof("Foo") == plain.sizeof("Foo") == 16 and fast.sizeof("View") == plain.sizeof("View")
    p = fast.new("Foo *", {"x": 3, "y": 0.5})
    assert (p.x, p.y) == (3, 0.5)
    for bad in ["Nope *", "void[]"]:
        with pytest.raises(Exception) as fast_error:
            fast.typeof(bad)
        with pytest.raises(Exception) as plain_error:
            plain.typeof(bad)
        assert (type(fast_error.value), str(fast_error.value)) == (type(plain_error.value), str(plain_error.value))


def test_wgpu_native_type_names_resolve_as_pycparser_does():
    """A sample of the names wgpu-py 0.32 uses before the first pixel (structs, arrays, primitive
    arrays, a padded spelling, callbacks), on wgpu-py's own ffi."""
    from wgpu.backends.wgpu_native import ffi

    parser = ffi._parser
    slow = getattr(parser.parse_type, "__wrapped__", parser.parse_type)
    for cdecl in [
        "WGPUAdapterInfo *",
        "WGPUBindGroupLayoutEntry[]",
        "WGPUChainedStruct * ",
        "WGPUCommandBuffer[]",
        "char []",
        "uint32_t []",
        "intptr_t",
        "void(WGPUDevice const *, WGPUDeviceLostReason, WGPUStringView, void *, void *)",
        "void(WGPUMapAsyncStatus, WGPUStringView, void *, void *)",
    ]:
        fast = cffi_types.resolve(parser, cdecl)
        assert fast is not None and fast == slow(cdecl), cdecl


@pytest.mark.gpu
def test_the_device_module_installs_the_fast_path_and_probes_modern_backends_only(device):
    from wgpu.backends.wgpu_native import ffi

    from oscilla.gpu.device import speed_up_ctypes

    assert speed_up_ctypes() is True
    assert getattr(ffi._parser.parse_type, cffi_types._MARK, False)
    # a fresh process: oscilla creates wgpu's instance, so OpenGL is never probed
    code = "from oscilla.gpu import device as d; d.get_device(); print(d.describe_adapters())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    backends = [line.split("[backend ")[1].split(",")[0] for line in out.stdout.splitlines()]
    assert backends and all(b in ("Vulkan", "Metal", "D3D12") for b in backends), out.stdout
