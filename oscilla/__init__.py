"""oscilla: patch-based procedural animation compiled to fused WGSL and run on WebGPU.

Public API (api.md §2)::

    patch = osc.load_patch("examples/golden-spiral.json")
    program = osc.compile(patch, observe=["hue.hue"])
    rt = osc.Runtime(program); rt.step(0.0); rt.read("hue.hue"); rt.render(512, 512)
    ref = osc.ReferenceRuntime(program)
    osc.render_png("examples/golden-spiral.json", "out.png", t_ms=2000, size=(512, 512), fps=60)
    player = osc.Player("patch.json", watch=True, osc_port=9000); player.step(0.0)  # live reload, OSC
    osc.run("patch.json", watch=True)   # the same in a window
"""

from .compiler.compile import compile_patch as compile  # noqa: A001 (the API name is fixed)
from .diagnostics import CompileError, Diagnostic
from .patch import Block, Edge, Patch, load_patch
from .program import CompiledProgram, ConstPool, SlotMeta, StateCellLayout, StateLayout, Step

__all__ = [
    "compile",
    "CompileError",
    "Diagnostic",
    "Block",
    "Edge",
    "Patch",
    "load_patch",
    "CompiledProgram",
    "SlotMeta",
    "StateCellLayout",
    "StateLayout",
    "ConstPool",
    "Step",
    "Runtime",
    "ReferenceRuntime",
    "render_png",
    "Player",
    "run",
]


def __getattr__(name):
    # the GPU runtime and renderer import wgpu lazily, so compiling needs no GPU stack
    if name == "Runtime":
        from .runtime.executor import Runtime

        return Runtime
    if name == "ReferenceRuntime":
        from .runtime.reference import ReferenceRuntime

        return ReferenceRuntime
    if name == "render_png":
        from .render.png import render_png

        return render_png
    if name in ("Player", "run"):  # live reload and OSC input (oscilla.live)
        from .live import player

        return getattr(player, name)
    raise AttributeError(name)
