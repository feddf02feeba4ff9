"""The ``oscilla`` command line: render, run, check, inspect.

Exit codes: 0 success; 1 the patch has errors (diagnostics printed as ``CODE block.port: message``);
2 usage error; 3 a file could not be read or written; 4 no usable GPU adapter; 70 an internal error
(a bug in oscilla: one line, the traceback only with ``OSCILLA_DEBUG=1``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from oscilla import __version__
from oscilla.diagnostics import CompileError
from oscilla.gpu.errors import NoAdapterError, RenderSizeError

if TYPE_CHECKING:  # annotations only: the commands import the compiler when they run
    from oscilla.program import CompiledProgram

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_USAGE, EXIT_IO, EXIT_NO_GPU, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="oscilla: compile patches of blocks to WGSL and run them on the GPU.",
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)


def _print_version(value: bool) -> None:
    if value:
        out.print(f"oscilla {__version__}", markup=False)
        raise typer.Exit(EXIT_OK)


@app.callback()
def _options(
    version: bool = typer.Option(
        False, "--version", callback=_print_version, is_eager=True, help="print the version and exit"
    ),
) -> None:
    """oscilla: compile patches of blocks to WGSL and run them on the GPU."""


def _parse_size(size: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in size.lower().split("x"))
        if w <= 0 or h <= 0:
            raise ValueError
        return w, h
    except ValueError:
        raise typer.BadParameter(f"size must look like 512x512, got {size!r}") from None


def _fail(e: BaseException) -> typer.Exit:
    if isinstance(e, CompileError):
        for d in e.diagnostics:
            err.print(d.format(), markup=False)
        return typer.Exit(EXIT_DIAGNOSTICS)
    if isinstance(e, NoAdapterError):
        err.print(f"error: {e}", markup=False)
        return typer.Exit(EXIT_NO_GPU)
    if isinstance(e, OSError):
        err.print(f"error: {e}", markup=False)
        return typer.Exit(EXIT_IO)
    if isinstance(e, RenderSizeError):  # a size beyond the device's textures
        err.print(f"error: {e}", markup=False)
        return typer.Exit(EXIT_USAGE)
    if os.environ.get("OSCILLA_DEBUG"):
        raise e
    err.print(
        f"internal error (a bug in oscilla, please report it): {type(e).__name__}: {e}. "
        f"Set OSCILLA_DEBUG=1 for the traceback.",
        markup=False,
    )
    return typer.Exit(EXIT_INTERNAL)


def _compile(patch: Path, observe: Sequence[str] | None = None) -> CompiledProgram:
    from oscilla.compiler.compile import compile_patch
    from oscilla.patch import load_patch

    return compile_patch(load_patch(patch), observe=observe)


@app.command()
def render(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    output: Path | None = typer.Option(None, "-o", "--output", help="PNG file for a single frame"),
    t_ms: float = typer.Option(0.0, "--t-ms", min=0.0, help="time of the single frame, in ms"),
    size: str = typer.Option("512x512", help="WIDTHxHEIGHT in pixels"),
    fps: float = typer.Option(60.0, min=0.001, help="playback rate used to reach --t-ms, or of the sequence"),
    frames_dir: Path | None = typer.Option(None, "--frames-dir", help="write a numbered frame sequence here"),
    duration_ms: float = typer.Option(2000.0, "--duration-ms", min=0.0, help="length of the frame sequence, in ms"),
) -> None:
    """Render one PNG (-o) and/or a numbered frame sequence (--frames-dir) offscreen."""
    from oscilla.export.png import render_frames, render_png

    w, h = _parse_size(size)
    if output is None and frames_dir is None:
        raise typer.BadParameter("give -o OUT.png and/or --frames-dir DIR")
    try:
        if output is not None:
            render_png(patch, output, t_ms=t_ms, size=(w, h), fps=fps)
            out.print(f"wrote {output} ({w}x{h}, t = {t_ms:g} ms)")
        if frames_dir is not None:
            with Progress(
                TextColumn("rendering"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=False,
            ) as bar:

                def wrap(it):
                    return bar.track(it, total=len(it))

                paths = render_frames(patch, frames_dir, duration_ms, fps, (w, h), progress=wrap)
            out.print(f"wrote {len(paths)} frames to {frames_dir}/ ({fps:g} fps, {w}x{h})")
    except Exception as e:  # noqa: BLE001 - every failure becomes a message and an exit code
        raise _fail(e) from None


@app.command()
def run(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    size: str = typer.Option("800x800", help="window WIDTHxHEIGHT"),
    max_fps: float = typer.Option(60.0, "--max-fps", min=1.0, help="frame-rate cap"),
    frames: int | None = typer.Option(None, "--frames", min=1, help="close after this many frames"),
    watch: bool = typer.Option(
        False,
        "--watch",
        help="reload the patch when the file changes; a broken "
        "edit keeps the last good version playing and shows its diagnostics",
    ),
    osc_port: int | None = typer.Option(
        None,
        "--osc-port",
        min=0,
        max=65535,
        help="listen for OSC messages /oscilla/<channel> <float> on 127.0.0.1 at this UDP port (0: any free port)",
    ),
) -> None:
    """Play a patch in a window (Esc closes; the mouse drives the mouse.* channels)."""
    from oscilla.live.player import run as play

    w, h = _parse_size(size)
    try:
        play(patch, watch=watch, osc_port=osc_port, size=(w, h), max_frames=frames, max_fps=max_fps)
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None


@app.command()
def check(patch: Path = typer.Argument(..., help="patch JSON file")) -> None:
    """Compile a patch and print its diagnostics grouped by block, with the offending edge or
    expression column marked (exit 1 when it has errors)."""
    from oscilla.diagnostic_report import format_report
    from oscilla.patch import Patch, load_patch

    model: Patch | None = None  # stays None when the file itself does not load
    try:
        model = load_patch(patch)
        program = _compile(patch)
    except CompileError as e:
        for line in format_report(model, e.diagnostics):
            err.print(line, markup=False)
        raise typer.Exit(EXIT_DIAGNOSTICS) from None
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None
    if program.diagnostics:
        for line in format_report(model, list(program.diagnostics)):
            out.print(line, markup=False)
    out.print(
        f"ok: {patch} compiles ({len(program.kernels)} kernels, {len(program.slot_meta)} slots, "
        f"{len(program.state_layout.cells)} state cells)",
        markup=False,
    )


@app.command()
def inspect(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    wgsl: bool = typer.Option(False, "--wgsl", help="also print the generated WGSL"),
    ir: bool = typer.Option(False, "--ir", help="also print the IR"),
) -> None:
    """Print the compiled program: instances, slots, state cells, schedule, dispatches per frame."""
    try:
        program = _compile(patch)
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None
    out.print(program.inspect(), markup=False)
    if ir:
        out.print("\nIR:\n" + program.format_ir(), markup=False)
    if wgsl:
        for name, src in program.wgsl.items():
            out.print(f"\n// ---- kernel {name} ----\n{src}", markup=False)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
