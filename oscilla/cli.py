"""The ``oscilla`` command line: render, render-batch, run, check, inspect, bench, upgrade, schema.

Exit codes: 0 success; 1 the patch has errors (diagnostics printed as ``CODE block.port: message``),
or ``render``/``run`` of a patch with no render sink (W_NO_RENDER_SINK); 2 usage error (an option
that is not finite or out of its range names the option; a video format this installation cannot
write, i.e. PyAV missing, which names ``pip install 'oscilla[video]'``; an odd size for .mp4/.webm; a
``--frames-dir`` that already holds frames, without ``--overwrite``; ``render --workers/--scheduler`` or
``render-batch`` without Dask, which names ``pip install 'oscilla[distributed]'``, or a malformed jobs file
or ``--sweep``; ``bench`` options it cannot use: an
unknown ``--array``, ``--lanes`` for a patch without an Array, ``--plot`` without matplotlib); 1 also for
``bench --compare`` finding a regression, and for a ``render-batch`` job that failed; 3 a file could not be
read or written, or ``render --resume`` found a checkpoint it cannot resume (an ``E_SNAPSHOT_*`` code,
docs/runtime/snapshots.md#export);
4 no usable GPU adapter, or no display / a window that cannot be opened (``run``); 70 an internal
error (a bug in oscilla: one line, the traceback only with ``OSCILLA_DEBUG=1``).

Each command imports what it needs when it runs (the compiler, the runtime, PyAV, the window):
``oscilla --help`` stays fast and ``check``/``inspect`` never load wgpu
(tests/compiler/test_no_gpu_stack.py).

Option bounds: times (``--t-ms``, ``--duration-ms``) in 0 .. 2**53 ms (the runtime's
``MAX_T_MS``); ``--fps`` in 0.001 .. 1000 and ``--max-fps`` in 1 .. 1000 (a frame per millisecond,
the unit of time). The frames stepped to reach ``--t-ms`` are generated lazily (constant memory),
with a progress bar when there are many; a catch-up of more than :data:`MAX_CATCHUP_FRAMES` frames
(hours of stepping) and a sequence of more than :data:`MAX_SEQUENCE_FRAMES` files are refused up
front, naming the options to change.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from oscilla import __version__
from oscilla.diagnostics import CompileError, SnapshotError
from oscilla.gpu.errors import NoAdapterError, RenderSizeError

if TYPE_CHECKING:  # annotations only: the commands import the compiler when they run
    from oscilla.patch import Patch
    from oscilla.program import CompiledProgram

EXIT_OK, EXIT_DIAGNOSTICS, EXIT_USAGE, EXIT_IO, EXIT_NO_GPU, EXIT_INTERNAL = 0, 1, 2, 3, 4, 70

#: the largest time option, in ms: 2**53, the runtime's ``MAX_T_MS`` (oscilla/runtime/clock.py;
#: repeated here so that the CLI starts without importing numpy; tests/cli checks that they agree)
MAX_TIME_MS = float(2**53)
#: the most frames ``render -o`` steps to reach ``--t-ms`` (at about 0.1-1 ms per frame, minutes
#: to hours); beyond, a usage error that suggests a lower ``--fps``
MAX_CATCHUP_FRAMES = 10_000_000
#: the most files ``render --frames-dir`` writes (about 28 minutes at 60 fps, tens of GB of PNGs)
MAX_SEQUENCE_FRAMES = 100_000
#: a catch-up of more frames than this shows a progress bar
CATCHUP_BAR_FRAMES = 2_000

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


def _num(x: float) -> str:
    """A bound as it reads best: 9007199254740992, 1000, 0.001."""
    return str(int(x)) if x.is_integer() else repr(x)


def _bounded(lo: float, hi: float, unit: str = ""):
    """A typer callback that accepts a finite number in [lo, hi] (a usage error, exit 2, otherwise:
    typer names the option)."""

    def check(value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and lo <= value <= hi):
            raise typer.BadParameter(f"must be a finite number from {_num(lo)} to {_num(hi)}{unit}, got {value:g}")
        return value

    return check


class _FpsColumn(ProgressColumn):
    """Frames rendered per second (rich's speed estimate over the last seconds)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- fps" if speed is None else f"{speed:.1f} fps", style="progress.data.speed")


def _frames_bar(label: str = "rendering") -> Progress:
    """A rich progress bar of frames on stderr: count, frames per second and time remaining."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        _FpsColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
    )


def _fail(e: BaseException) -> typer.Exit:
    if isinstance(e, CompileError):
        for line in e.format_lines():  # summarized beyond 50 of one code
            err.print(line, markup=False)
        return typer.Exit(EXIT_DIAGNOSTICS)
    if isinstance(e, SnapshotError):  # a checkpoint that cannot be resumed: its code and why
        err.print(e.diagnostic.format(), markup=False)
        return typer.Exit(EXIT_IO)
    if isinstance(e, FileExistsError):  # --resume in a folder of frames without a checkpoint
        err.print(f"error: {e}", markup=False)
        return typer.Exit(EXIT_USAGE)
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


def _compile(patch: Path, observe: Sequence[str] | None = None, allow_paths: Sequence[Path] = ()) -> CompiledProgram:
    from oscilla.patch import load_patch

    return _compile_model(load_patch(patch), observe, allow_paths)


def _compile_model(
    model: Patch, observe: Sequence[str] | None = None, allow_paths: Sequence[Path] = ()
) -> CompiledProgram:
    from oscilla.compiler.compile import compile_patch

    return compile_patch(model, observe=observe, allow_paths=allow_paths)


#: ``--allow-path DIR`` (render, run, check, inspect): folders besides the patch's own whose files
#: an Image may read (docs/language/rendering.md#images)
ALLOW_PATH_HELP = (
    "a folder whose files the patch's Image blocks may read besides the patch's own folder tree (repeatable)"
)


@app.command()
def render(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    output: Path | None = typer.Option(
        None,
        "-o",
        "--output",
        help="PNG (or .jpg) of the frame at --t-ms, or a video of --duration-ms: .mp4, .webm, .gif, .apng",
    ),
    t_ms: float = typer.Option(
        0.0, "--t-ms", callback=_bounded(0.0, MAX_TIME_MS, " ms"), help="time of the single frame, in ms"
    ),
    size: str = typer.Option("512x512", help="WIDTHxHEIGHT in pixels"),
    fps: float = typer.Option(
        60.0, callback=_bounded(0.001, 1000.0), help="playback rate used to reach --t-ms, or of the sequence"
    ),
    frames_dir: Path | None = typer.Option(None, "--frames-dir", help="write a numbered frame sequence here"),
    duration_ms: float = typer.Option(
        2000.0,
        "--duration-ms",
        callback=_bounded(0.0, MAX_TIME_MS, " ms"),
        help="length of the frame sequence or video, in ms",
    ),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace the frames already in --frames-dir"),
    allow_path: list[Path] = typer.Option([], "--allow-path", help=ALLOW_PATH_HELP),
    checkpoint_every: int | None = typer.Option(
        None,
        "--checkpoint-every",
        min=1,
        help="keep a snapshot of the running patch in --frames-dir every N frames, for --resume",
    ),
    resume: bool = typer.Option(
        False, "--resume", help="continue an interrupted --frames-dir export after its last checkpoint"
    ),
    audio: Path | None = typer.Option(
        None, "--audio", help="a sound file analysed in model time into the audio.* channels (docs/guide/midi-audio.md)"
    ),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="render --frames-dir / the video on a Dask LocalCluster of N worker processes"
    ),
    scheduler: str | None = typer.Option(
        None, "--scheduler", help="render --frames-dir / the video on an existing Dask cluster: tcp://HOST:PORT"
    ),
    chunk_frames: int | None = typer.Option(
        None, "--chunk-frames", min=1, help="frames per chunk with --workers/--scheduler (default: 4 chunks a worker)"
    ),
    start: str = typer.Option(
        "pre-roll",
        "--start",
        help="with --workers/--scheduler, how a worker reaches its chunk's first frame: 'pre-roll' (step from "
        "frame 0) or 'snapshots' (restore a snapshot the client took in one pass)",
    ),
) -> None:
    """Render one image (-o OUT.png/.jpg), a video (-o OUT.mp4/.webm/.gif/.apng) and/or a numbered
    frame sequence (--frames-dir) offscreen; with --workers N or --scheduler, the sequence on a Dask
    cluster (docs/guide/distributed.md)."""
    w, h = _parse_size(size)
    if output is None and frames_dir is None:
        raise typer.BadParameter("give -o OUT.png (or OUT.mp4 ...) and/or --frames-dir DIR")
    if (checkpoint_every is not None or resume) and (frames_dir is None or output is not None):
        raise typer.BadParameter(
            "checkpoints need --frames-dir alone: a partly written video cannot be continued, so render "
            "the frames with --frames-dir DIR --checkpoint-every N (and --resume), then encode them",
            param_hint="'--checkpoint-every' / '--resume'",
        )
    if resume and overwrite:
        raise typer.BadParameter(
            "--resume continues the frames already written, --overwrite deletes them: pass one of them",
            param_hint="'--resume'",
        )
    from oscilla.export.png import existing_frames, playback_times, render_frames, render_png, sequence_length
    from oscilla.export.video import VideoExtraMissing, is_video_path, render_video, video_format

    video = output is not None and is_video_path(output)
    if video:
        assert output is not None
        try:
            video_format(output, (w, h))
        except VideoExtraMissing as e:
            err.print(f"error: {e}", markup=False)
            raise typer.Exit(EXIT_USAGE) from None
        except ValueError as e:
            raise typer.BadParameter(str(e), param_hint="'--size'" if "even" in str(e) else "'-o'") from None
    elif output is not None:
        from PIL import Image

        if output.suffix.lower() not in Image.registered_extensions():
            raise typer.BadParameter(
                f"cannot write {str(output)!r}: use .png or .jpg for one frame, "
                "or .mp4, .webm, .gif, .apng for a video",
                param_hint="'-o'",
            )
    if frames_dir is not None and not overwrite and not resume:
        old = existing_frames(frames_dir)
        if old:
            raise typer.BadParameter(
                f"{frames_dir} already holds {len(old)} frame files ({old[0].name} ...); pass --overwrite to "
                f"replace them, or choose an empty folder",
                param_hint="'--frames-dir'",
            )
    catchup = len(playback_times(t_ms, fps))
    if output is not None and not video and catchup > MAX_CATCHUP_FRAMES:
        raise typer.BadParameter(
            f"reaching {t_ms:g} ms at {fps:g} fps steps {catchup:,} frames, more than {MAX_CATCHUP_FRAMES:,} "
            f"(hours of stepping); lower --fps (the catch-up steps t_ms·fps/1000 frames) or --t-ms",
            param_hint="'--t-ms'",
        )
    count = sequence_length(duration_ms, fps)
    if (frames_dir is not None or video) and count > MAX_SEQUENCE_FRAMES:
        raise typer.BadParameter(
            f"{duration_ms:g} ms at {fps:g} fps is {count:,} frames, more than {MAX_SEQUENCE_FRAMES:,} files; "
            f"lower --duration-ms or --fps",
            param_hint="'--duration-ms'",
        )
    if workers is not None or scheduler is not None:
        unsupported = [
            flag
            for flag, given in (
                ("--checkpoint-every", checkpoint_every is not None),
                ("--resume", resume),
                ("--audio", audio is not None),
                ("--allow-path", bool(allow_path)),
            )
            if given
        ]
        if unsupported:  # workers compile the patch file themselves and split the range into chunks
            raise typer.BadParameter(
                f"{', '.join(unsupported)} cannot be combined with --workers/--scheduler yet; render serially "
                "(a cluster render is already split into chunks that a failed worker retries)",
                param_hint="'--workers'",
            )
        _render_on_cluster(
            patch, output, frames_dir, duration_ms, fps, (w, h), overwrite, workers, scheduler, chunk_frames, start
        )
        return
    try:
        program = _compile(patch, allow_paths=allow_path)
        _require_render_sink(program)
        inputs = _audio_inputs(audio)
        if output is not None and video:
            with _frames_bar("encoding") as bar:
                n = render_video(
                    program,
                    output,
                    duration_ms,
                    fps,
                    (w, h),
                    progress=lambda it: bar.track(it, total=len(it)),
                    inputs=inputs() if inputs else None,
                )
            out.print(f"wrote {output} ({n} frames, {fps:g} fps, {w}x{h})")
        elif output is not None:
            if catchup > CATCHUP_BAR_FRAMES:
                with _frames_bar() as bar:
                    render_png(
                        program,
                        output,
                        t_ms=t_ms,
                        size=(w, h),
                        fps=fps,
                        progress=lambda ts: bar.track(ts, len(ts)),
                        inputs=inputs() if inputs else None,
                    )
            else:
                render_png(program, output, t_ms=t_ms, size=(w, h), fps=fps, inputs=inputs() if inputs else None)
            out.print(f"wrote {output} ({w}x{h}, t = {t_ms:g} ms)")
        if frames_dir is not None:
            with _frames_bar() as bar:

                def wrap(it):
                    return bar.track(it, total=len(it))

                def resumed(k: int) -> None:
                    out.print(f"resuming at frame {k} from the checkpoint in {frames_dir}/")

                paths = render_frames(
                    program,
                    frames_dir,
                    duration_ms,
                    fps,
                    (w, h),
                    progress=wrap,
                    overwrite=overwrite,
                    checkpoint_every=checkpoint_every,
                    resume=resume,
                    on_resume=resumed,
                    inputs=inputs() if inputs else None,
                )
            out.print(f"wrote {len(paths)} frames to {frames_dir}/ ({fps:g} fps, {w}x{h})")
    except Exception as e:  # noqa: BLE001 - every failure becomes a message and an exit code
        raise _fail(e) from None


def _audio_inputs(audio: Path | None):
    """None, or a factory of fresh per-frame inputs for ``--audio FILE`` (one decode; each export
    gets a new analysis that starts at frame 0, so PNG, frames and video agree)."""
    if audio is None:
        return None
    from oscilla.live.audio import AudioTrack, decode_audio

    samples = decode_audio(audio)
    return lambda: AudioTrack(samples).channels


def _need_distributed(what: str) -> None:
    """Exit 2 naming the extra to install when Dask is missing."""
    from oscilla.distributed.extra import DistributedExtraMissing, import_distributed

    try:
        import_distributed(what)
    except DistributedExtraMissing as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None


def _render_on_cluster(
    patch: Path,
    output: Path | None,
    frames_dir: Path | None,
    duration_ms: float,
    fps: float,
    size: tuple[int, int],
    overwrite: bool,
    workers: int | None,
    scheduler: str | None,
    chunk_frames: int | None,
    start: str = "pre-roll",
) -> None:
    """``render --workers/--scheduler``: the frame sequence on a Dask cluster (oscilla.distributed)."""
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers N (a local cluster) or --scheduler URL (an existing one), not both")
    from oscilla.distributed.start import START_STATES

    if start not in START_STATES:
        raise typer.BadParameter(f"choose one of {', '.join(START_STATES)}", param_hint="'--start'")
    from oscilla.export.video import is_video_path

    if output is not None and not is_video_path(output):
        raise typer.BadParameter(
            "--workers/--scheduler render a sequence: give --frames-dir DIR and/or -o OUT.mp4 (.webm, .gif, .apng), "
            "not one image",
            param_hint="'-o'",
        )
    _need_distributed("render --workers/--scheduler")
    from oscilla.distributed.frames import render_distributed
    from oscilla.export.png import sequence_length

    try:
        with _frames_bar() as bar:
            task = bar.add_task("rendering", total=sequence_length(duration_ms, fps))
            render_distributed(
                patch,
                frames_dir,
                duration_ms,
                fps,
                size,
                output=output,
                workers=workers,
                scheduler=scheduler,
                chunk_frames=chunk_frames,
                overwrite=overwrite,
                progress=lambda k: bar.advance(task, k),
                start_state=START_STATES[start],
            )
        where = scheduler or f"{workers} workers"
        n = sequence_length(duration_ms, fps)
        if output is not None:
            out.print(f"wrote {output} ({n} frames, {fps:g} fps, {size[0]}x{size[1]}, {where})")
        if frames_dir is not None:
            out.print(f"wrote {n} frames to {frames_dir}/ ({fps:g} fps, {size[0]}x{size[1]}, {where})")
    except Exception as e:  # noqa: BLE001 - every failure becomes a message and an exit code
        raise _fail(e) from None


@app.command("render-batch")
def render_batch(
    jobs: Path = typer.Argument(..., help="jobs JSON file (docs/guide/distributed.md#batches)"),
    sweep: list[str] = typer.Option(
        [], "--sweep", help="block.param=START:STOP:COUNT or block.param=V1,V2,... (repeat for a grid)"
    ),
    manifest: Path | None = typer.Option(None, "--manifest", help="manifest file (default: JOBS.manifest.json)"),
    workers: int | None = typer.Option(None, "--workers", min=1, help="Dask LocalCluster of N worker processes"),
    scheduler: str | None = typer.Option(None, "--scheduler", help="an existing Dask cluster: tcp://HOST:PORT"),
    overwrite: bool = typer.Option(False, "--overwrite", help="replace frames already in the jobs' frames_dir"),
) -> None:
    """Render many (patch, time, params, output) jobs on a Dask cluster and write a manifest of the
    outputs with sha256 sums; exit 1 when a job failed (its error is in the manifest)."""
    if workers is not None and scheduler is not None:
        raise typer.BadParameter("give --workers N (a local cluster) or --scheduler URL (an existing one), not both")
    _need_distributed("render-batch")
    from oscilla.distributed.batch import render_batch as run_batch
    from oscilla.distributed.jobs import JobsError, load_jobs, parse_sweep

    manifest = manifest or jobs.with_name(jobs.stem + ".manifest.json")
    failed: list[str] = []
    try:
        job_list = load_jobs(jobs)
        total = len(job_list) * math.prod(len(parse_sweep(s)[1]) for s in sweep)
        with Progress(TextColumn("jobs"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(), console=err) as bar:
            task = bar.add_task("jobs", total=total)

            def done(entry) -> None:
                bar.advance(task, 1)
                if entry.result.error is not None:
                    failed.append(f"{entry.job.describe()}: {entry.result.error}")

            entries = run_batch(
                job_list,
                sweeps=sweep,
                manifest=manifest,
                workers=workers,
                scheduler=scheduler,
                overwrite=overwrite,
                progress=done,
            )
    except JobsError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as e:  # noqa: BLE001 - every failure becomes a message and an exit code
        raise _fail(e) from None
    files = sum(len(e.result.files) for e in entries)
    out.print(f"rendered {len(entries) - len(failed)} of {len(entries)} jobs ({files} files); manifest: {manifest}")
    for line in failed:
        err.print(f"error: {line}", markup=False)
    if failed:
        raise typer.Exit(EXIT_DIAGNOSTICS)


def _require_render_sink(program: CompiledProgram) -> None:
    """Raise the W_NO_RENDER_SINK CompileError (exit 1) for a program that would draw a blank image."""
    from oscilla.runtime.executor import render_sink_error

    problem = render_sink_error(program)
    if problem is not None:
        raise problem


@app.command()
def run(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    size: str = typer.Option("800x800", help="window WIDTHxHEIGHT"),
    max_fps: float = typer.Option(60.0, "--max-fps", callback=_bounded(1.0, 1000.0), help="frame-rate cap"),
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
    midi: str | None = typer.Option(
        None, "--midi", help="read a MIDI input port ('auto': the first) into midi.cc.<n>, midi.note.<n>, midi.bend"
    ),
    audio: str | None = typer.Option(
        None,
        "--audio",
        help="analyse a sound file (in model time) or an input device ('default', a name or index) into audio.*",
    ),
    allow_path: list[Path] = typer.Option([], "--allow-path", help=ALLOW_PATH_HELP),
    overlay: bool = typer.Option(False, "--overlay", help="show the stats overlay from the start (F toggles it)"),
) -> None:
    """Play a patch in a window. Keys: space pause, [ ] speed, R reset, F stats overlay, 0 reset
    the view, Esc close; the wheel zooms, a drag pans, the mouse drives the mouse.* channels.
    Prints a summary at exit (frames, mean / p95 frame time, dropped frames).

    Exits 4 without a display or when the window cannot be opened, 1 for a patch that does not
    compile or has no render sink."""
    w, h = _parse_size(size)
    from oscilla.live.player import run as play
    from oscilla.runtime.frame_stats import FrameStats
    from oscilla.window import NoDisplayError

    stats = FrameStats(target_fps=max_fps)
    try:
        # the patch first (exit 1 for errors and for no render sink), then the display: the window
        # checks DISPLAY / WAYLAND_DISPLAY and GLFW before creating anything (exit 4, not an abort)
        play(
            patch,
            watch=watch,
            osc_port=osc_port,
            size=(w, h),
            max_frames=frames,
            max_fps=max_fps,
            midi=midi,
            audio=audio,
            allow_paths=allow_path,
            stats=stats,
            overlay=overlay,
        )
        err.print(f"oscilla: {stats.summary()}", markup=False, highlight=False)
    except NoDisplayError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(EXIT_NO_GPU) from None
    except (ImportError, ValueError) as e:  # a missing extra, no MIDI system, an unknown port or device
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None


@app.command()
def check(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    device: bool = typer.Option(
        False,
        "--device",
        help="also check the program against this machine's GPU limits (opens the device; exit 4 without one)",
    ),
    allow_path: list[Path] = typer.Option([], "--allow-path", help=ALLOW_PATH_HELP),
) -> None:
    """Compile a patch and print its diagnostics grouped by block, with the offending edge or
    expression column marked (exit 1 when it has errors). Without --device no GPU is opened, so
    device limits (buffer sizes) are not checked: the ok-line says so."""
    from oscilla.diagnostic_report import format_report
    from oscilla.patch import load_patch

    model: Patch | None = None  # stays None when the file itself does not load
    checked = "device limits not checked (use --device)"
    try:
        model = load_patch(patch)
        from oscilla.compiler.compile import compile_patch

        if device:
            from oscilla.gpu.device import adapter_summary, get_device
            from oscilla.program import DeviceLimits

            limits = DeviceLimits.from_device(get_device())
            checked = f"fits the device limits of {adapter_summary()}"
            program = compile_patch(model, limits=limits, allow_paths=allow_path)
        else:  # the patch loaded above, not read and validated twice
            program = compile_patch(model, allow_paths=allow_path)
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
        f"{len(program.state_layout.cells)} state cells; {checked})",
        markup=False,
    )


@app.command()
def inspect(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    wgsl: bool = typer.Option(False, "--wgsl", help="also print the generated WGSL"),
    ir: bool = typer.Option(False, "--ir", help="also print the IR"),
    allow_path: list[Path] = typer.Option([], "--allow-path", help=ALLOW_PATH_HELP),
) -> None:
    """Print the compiled program: composite expansions, instances, slots, state cells, schedule,
    dispatches per frame."""
    try:
        from oscilla.compiler.composites import describe_expansion
        from oscilla.patch import load_patch

        model = load_patch(patch)
        expansion = describe_expansion(model)
        program = _compile_model(model, allow_paths=allow_path)
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None
    if expansion:
        out.print("\n".join(expansion) + "\n", markup=False)
    out.print(program.inspect(), markup=False)
    if ir:
        out.print("\nIR:\n" + program.format_ir(), markup=False)
    if wgsl:
        for name, src in program.wgsl.items():
            out.print(f"\n// ---- kernel {name} ----\n{src}", markup=False)


@app.command()
def upgrade(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    output: Path | None = typer.Option(None, "-o", "--output", help="write here instead of rewriting PATCH"),
) -> None:
    """Rewrite a patch of an older format version in the current one (the migration table of
    docs/language/patch-format.md#versions), printing what changed. A patch already in the current
    version is left as it is (exit 0); a patch that does not load exits 1 with its diagnostics."""
    from oscilla.patch import FORMAT_VERSION, load_patch

    try:
        model = load_patch(patch)
        target = output or patch
        if model.source_version == FORMAT_VERSION and output is None:
            out.print(f"{patch} is already format version {FORMAT_VERSION}; unchanged", markup=False)
            return
        model.save(target)
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None
    for change in model.upgrades:
        out.print(f"  {change}", markup=False)
    out.print(f"wrote {target} (format version {model.source_version} -> {FORMAT_VERSION})", markup=False)


@app.command()
def schema() -> None:
    """Print the JSON Schema of patches for editors (``oscilla schema > patch.schema.json``),
    generated from the block registry: block types, their params and inline input values."""
    import json

    from oscilla.blocks.editor_schema import editor_schema

    out.print(json.dumps(editor_schema(), indent=2), markup=False)


def _parse_lanes(text: str) -> list[int]:
    """``"1e3,1e4,100"`` -> [1000, 10000, 100]: whole numbers from 1 to 2**24, as plain or
    scientific notation (a usage error naming --lanes otherwise)."""
    lanes = []
    for part in text.split(","):
        try:
            value = float(part.strip())
        except ValueError:
            value = math.nan
        if not (math.isfinite(value) and value.is_integer() and 1 <= value <= 2**24):
            raise typer.BadParameter(
                f"lane counts are whole numbers from 1 to 16777216 separated by commas (1e3,1e4 or 1000,10000), "
                f"got {part.strip()!r}",
                param_hint="'--lanes'",
            )
        lanes.append(int(value))
    return lanes


@app.command()
def bench(
    patch: Path = typer.Argument(..., help="patch JSON file"),
    lanes: str | None = typer.Option(
        None, "--lanes", help="lane counts to give every Array, comma-separated (1e3,1e4,1e5); default: as written"
    ),
    array: str | None = typer.Option(None, "--array", help="override only the Array with this id"),
    frames: int = typer.Option(20, "--frames", min=1, help="steps per timed batch (one fence per batch)"),
    batches: int = typer.Option(5, "--batches", min=1, help="timed batches (median and p95 over them)"),
    warmup: int = typer.Option(3, "--warmup", min=0, help="untimed steps first"),
    size: str | None = typer.Option(None, "--size", help="also draw every frame at WIDTHxHEIGHT (default: compute)"),
    reference: bool = typer.Option(False, "--reference", help="also time the numpy reference interpreter"),
    device: str | None = typer.Option(None, "--device", help="run on the adapter whose name contains this"),
    json_out: Path | None = typer.Option(None, "--json", help="write the results as JSON (docs/guide/bench.md)"),
    csv_out: Path | None = typer.Option(None, "--csv", help="write the results as CSV"),
    plot: Path | None = typer.Option(None, "--plot", help="write a log-log plot of ms against lanes (PNG)"),
    baseline: Path | None = typer.Option(
        None, "--compare", help="compare ms/frame with this earlier --json file; exit 1 on a regression"
    ),
    threshold: float = typer.Option(
        10.0, "--threshold", callback=_bounded(0.0, 1e6, " %"), help="--compare: slower by more than this % regresses"
    ),
) -> None:
    """Time a patch at several lane counts: ms per frame end to end and on the host, GPU ms per kernel
    and pass, dispatches and wgpu calls per frame, GPU memory, compile and pipeline time.

    Exits 2 for bad options (an unknown --array, a patch without an Array given --lanes), 1 when
    the patch does not compile or --compare finds a regression."""
    lane_counts = _parse_lanes(lanes) if lanes is not None else None
    wh = _parse_size(size) if size is not None else None
    from oscilla.benchmark.lanes import BenchInputError

    if plot is not None:
        import importlib.util

        from oscilla.benchmark.report import PLOT_EXTRA

        if importlib.util.find_spec("matplotlib") is None:
            err.print(f"error: {PLOT_EXTRA}", markup=False)
            raise typer.Exit(EXIT_USAGE)
    try:
        from oscilla.benchmark.compare import load_baseline

        base = load_baseline(baseline) if baseline is not None else None
        from oscilla.benchmark.measure import bench as run_bench
        from oscilla.benchmark.measure import work_units

        total = work_units(len(lane_counts or [None]), batches, reference)
        bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=True)
        with bar:
            task = bar.add_task("benchmarking", total=total)
            result = run_bench(
                patch,
                lane_counts,
                array=array,
                frames=frames,
                batches=batches,
                warmup=warmup,
                size=wh,
                reference=reference,
                device=device,
                progress=lambda what: bar.update(task, advance=1, description=what),
            )
        from oscilla.benchmark import report

        out.print(report.summary_table(result))
        out.print(report.cost_table(result))
        gpu_times = report.gpu_table(result)
        if gpu_times is not None:
            out.print(gpu_times)
        for note in result.notes:
            out.print(f"note: {note}", markup=False)
        if json_out is not None:
            json_out.write_text(result.to_json(), encoding="utf-8")
            out.print(f"wrote {json_out}", markup=False)
        if csv_out is not None:
            csv_out.write_text(report.to_csv(result), encoding="utf-8")
            out.print(f"wrote {csv_out}", markup=False)
        if plot is not None:
            report.write_plot(result, plot)
            out.print(f"wrote {plot}", markup=False)
    except BenchInputError as e:
        err.print(f"error: {e}", markup=False)
        raise typer.Exit(EXIT_USAGE) from None
    except Exception as e:  # noqa: BLE001
        raise _fail(e) from None
    if base is not None:
        from oscilla.benchmark.compare import compare, comparison_table, same_device

        rows = compare(result, base, threshold / 100.0)
        out.print(comparison_table(rows, threshold / 100.0))
        if not same_device(result, base):
            b = base["device"]
            out.print(f"note: the baseline ran on {b['adapter']} ({b['driver']}), not this device", markup=False)
        if any(c.regressed for c in rows):
            raise typer.Exit(EXIT_DIAGNOSTICS)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
