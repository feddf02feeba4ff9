"""oscilla: patch-based procedural animation compiled to fused WGSL and run on WebGPU.

Public API::

    patch = osc.load_patch("examples/golden-spiral.json")
    program = osc.compile(patch, observe=["hue.hue"])
    rt = osc.Runtime(program); rt.step(0.0); rt.read("hue.hue"); rt.render(512, 512)
    ref = osc.ReferenceRuntime(program)
    osc.render_png("examples/golden-spiral.json", "out.png", t_ms=2000, size=(512, 512), fps=60)
    osc.render_video("examples/golden-spiral.json", "out.mp4", duration_ms=4000, fps=30, size=(512, 512))
    osc.render_distributed("patch.json", "frames/", duration_ms=10_000, fps=60, workers=2)  # a Dask cluster
    osc.render_batch([osc.RenderJob("patch.json", output="a.png", t_ms=500)], sweeps=["lag.smoothing=0:1:5"])
    player = osc.Player("patch.json", watch=True, osc_port=9000); player.step(0.0)  # live reload, OSC
    osc.run("patch.json", watch=True)   # the same in a window
    result = osc.bench("patch.json", lanes=[1000, 100000])  # ms/frame, GPU ms per kernel ... (BenchResult)

Every public name is loaded on first use (PEP 562), so ``import oscilla`` is cheap and compiling
(``compile``, ``load_patch``) never imports wgpu: only the runtime, the renderer and the front
ends do.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

#: public name -> (module, attribute): the one list of what ``oscilla`` exports
_LAZY: dict[str, tuple[str, str]] = {
    "compile": ("oscilla.compiler.compile", "compile_patch"),
    "load_patch": ("oscilla.patch", "load_patch"),
    "Patch": ("oscilla.patch", "Patch"),
    "Block": ("oscilla.patch", "Block"),
    "Edge": ("oscilla.patch", "Edge"),
    "CompileError": ("oscilla.diagnostics", "CompileError"),
    "SnapshotError": ("oscilla.diagnostics", "SnapshotError"),
    "Diagnostic": ("oscilla.diagnostics", "Diagnostic"),
    "CompiledProgram": ("oscilla.program", "CompiledProgram"),
    "SlotMeta": ("oscilla.program", "SlotMeta"),
    "StateCellLayout": ("oscilla.program", "StateCellLayout"),
    "StateLayout": ("oscilla.program", "StateLayout"),
    "ConstPool": ("oscilla.program", "ConstPool"),
    "Step": ("oscilla.program", "Step"),
    "DeviceLimits": ("oscilla.program", "DeviceLimits"),
    "Runtime": ("oscilla.runtime.executor", "Runtime"),
    "ReferenceRuntime": ("oscilla.runtime.reference_runtime", "ReferenceRuntime"),
    "render_png": ("oscilla.export.png", "render_png"),
    "render_video": ("oscilla.export.video", "render_video"),
    "render_distributed": ("oscilla.distributed.frames", "render_distributed"),
    "render_batch": ("oscilla.distributed.batch", "render_batch"),
    "RenderJob": ("oscilla.distributed.jobs", "RenderJob"),
    "Player": ("oscilla.live.player", "Player"),
    "run": ("oscilla.live.player", "run"),
    "bench": ("oscilla.benchmark.measure", "bench"),
    "BenchResult": ("oscilla.benchmark.result", "BenchResult"),
}

__all__ = ["__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'oscilla' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


def _program_png(program: Any) -> bytes | None:
    """IPython's ``image/png`` for a CompiledProgram: its first frame (oscilla.live.notebook.program_png)."""
    return importlib.import_module("oscilla.live.notebook").program_png(program)


def _register_ipython() -> None:
    """Inside IPython, show a CompiledProgram as its first frame. The formatter is registered by type
    name, so nothing heavy (wgpu, the runtime) is imported until a program is displayed."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and hasattr(shell, "display_formatter"):
        shell.display_formatter.formatters["image/png"].for_type_by_name(
            "oscilla.program", "CompiledProgram", _program_png
        )


_register_ipython()
