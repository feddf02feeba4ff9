"""Offscreen rendering to PNG files (Pillow) and numbered frame sequences."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import overload

import numpy as np
from PIL import Image

from oscilla.compiler.compile import compile_patch
from oscilla.export.checkpoint import ExportJob, read_checkpoint, remove_checkpoint, write_checkpoint
from oscilla.patch import load_patch
from oscilla.program import CompiledProgram
from oscilla.runtime.clock import MAX_T_MS
from oscilla.runtime.executor import Runtime, render_sink_error


class PlaybackTimes(Sequence[float]):
    """The frame times playback reaches on the way to ``t_ms``, computed on demand: ``0, step,
    ..., n·step`` (step = 1000/fps ms, n = floor(t_ms/step)) and ``t_ms`` itself when it is not on
    that grid. A Sequence (``len``, indexing, iteration) that stores three numbers, so reaching
    ``t_ms = 1e10`` needs no more memory than reaching 1000 (only the time it takes to step them).
    """

    __slots__ = ("_count", "_grid", "_step", "_t_ms")

    def __init__(self, t_ms: float, step: float, grid: int, off_grid: bool):
        self._t_ms, self._step, self._grid = t_ms, step, grid  # grid: the frames 0, step, ... on the grid
        self._count = grid + int(off_grid)

    def __len__(self) -> int:
        return self._count

    def _at(self, k: int) -> float:
        return k * self._step if k < self._grid else self._t_ms

    @overload
    def __getitem__(self, index: int) -> float: ...

    @overload
    def __getitem__(self, index: slice) -> list[float]: ...

    def __getitem__(self, index: int | slice) -> float | list[float]:
        if isinstance(index, slice):
            return [self._at(k) for k in range(*index.indices(self._count))]
        k = index + self._count if index < 0 else index
        if not 0 <= k < self._count:
            raise IndexError(f"playback frame {index} out of range (0..{self._count - 1})")
        return self._at(k)

    def __iter__(self) -> Iterator[float]:
        for k in range(self._count):
            yield self._at(k)

    def __repr__(self) -> str:
        return f"PlaybackTimes(t_ms={self._t_ms!r}, step={self._step!r}, frames={self._count})"


def playback_times(t_ms: float, fps: float) -> PlaybackTimes:
    """Frame times playback reaches on the way to ``t_ms``: 0, 1000/fps, ... and ``t_ms`` itself
    when it is not on that grid (so stateful patches match playback, docs/language/python-api.md).
    Lazy (:class:`PlaybackTimes`): memory does not grow with ``t_ms``.

    Raises:
        ValueError: ``fps`` is not a finite number > 0, or ``t_ms`` is not finite or above
            :data:`oscilla.runtime.clock.MAX_T_MS`.
    """
    fps, t_ms = float(fps), float(t_ms)
    if not (math.isfinite(fps) and fps > 0):
        raise ValueError(f"fps must be a finite number > 0, got {fps}")
    if not (math.isfinite(t_ms) and t_ms <= MAX_T_MS):
        raise ValueError(f"t_ms must be finite and at most {MAX_T_MS:.0f} ms, got {t_ms}")
    t_ms = max(0.0, t_ms)  # time starts at 0 and never runs backwards (docs/language/time.md#time-resolution)
    step = 1000.0 / fps
    n = int(math.floor(t_ms / step + 1e-9))
    return PlaybackTimes(t_ms, step, n + 1, t_ms - n * step > 1e-9)


def sequence_length(duration_ms: float, fps: float) -> int:
    """Frames of a sequence of ``duration_ms`` at ``fps``: round(duration_ms·fps/1000), at least 1.

    Raises:
        ValueError: a value that is not finite, or an ``fps`` that is not > 0.
    """
    duration_ms, fps = float(duration_ms), float(fps)
    if not (math.isfinite(fps) and fps > 0 and math.isfinite(duration_ms)):
        raise ValueError(f"duration_ms and fps must be finite (fps > 0), got {duration_ms}, {fps}")
    return max(1, int(round(duration_ms * fps / 1000.0)))


#: file suffixes written without an alpha channel: the image is composited over the background first
OPAQUE_SUFFIXES = (".jpg", ".jpeg")

#: the names of a numbered frame sequence (``render_frames``)
FRAME_GLOB = "frame_*.png"


def flatten_rgb(image: np.ndarray, background=(0.0, 0.0, 0.0, 1.0)) -> np.ndarray:
    """An (H, W, 3) uint8 RGB image: the (H, W, 4) uint8 RGBA ``image`` composited (straight alpha)
    over the opaque RGB of ``background`` (RGBA floats in 0..1, the patch's ``settings.background``;
    its alpha is ignored). Pixels of alpha 255 keep their colour exactly.
    """
    rgb = image[..., :3]
    alpha = image[..., 3:4]
    if bool((alpha == 255).all()):
        return np.ascontiguousarray(rgb)
    bg = np.clip(np.nan_to_num(np.asarray(background[:3], dtype=np.float64)), 0.0, 1.0) * 255.0
    a = alpha.astype(np.float64) / 255.0
    out = rgb.astype(np.float64) * a + bg * (1.0 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def save_png(image: np.ndarray, path: str | os.PathLike, background=(0.0, 0.0, 0.0, 1.0)) -> None:
    """Write an (H, W, 4) uint8 RGBA image (creates parent folders); the format follows the suffix
    (Pillow). ``.jpg``/``.jpeg`` have no alpha: the image is written as RGB composited over
    ``background`` (:func:`flatten_rgb`).

    Raises:
        OSError: the file cannot be written.
        ValueError: a suffix Pillow does not know (e.g. ``.xyz``).
    """
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    if Path(path).suffix.lower() in OPAQUE_SUFFIXES:
        Image.fromarray(flatten_rgb(image, background), mode="RGB").save(path, quality=95, subsampling=0)
    else:
        Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(path)


def existing_frames(out_dir: str | os.PathLike) -> list[Path]:
    """The files of a numbered frame sequence (``frame_*.png``) already in ``out_dir``, sorted
    (empty when the folder does not exist)."""
    d = Path(out_dir)
    return sorted(d.glob(FRAME_GLOB)) if d.is_dir() else []


def _runtime_for(patch_or_program, size=None) -> Runtime:
    """A Runtime of a compiled program, or of a patch (anything ``load_patch`` takes) compiled now.
    ``size`` (width, height) is the image size the export renders at: with trails it is the size of
    the kept previous frame (``Runtime(program, size=)``), so ``--size`` works for any patch.

    Raises:
        CompileError: the patch does not compile, or it has no render sink (W_NO_RENDER_SINK:
            it would draw a blank image).
    """
    if isinstance(patch_or_program, CompiledProgram):
        program = patch_or_program
    else:
        program = compile_patch(load_patch(patch_or_program))
    problem = render_sink_error(program)
    if problem is not None:
        raise problem
    if size is None or program.trails <= 0.0:  # the size only matters for a kept previous frame
        return Runtime(program)
    return Runtime(program, size=(size[0], size[1]))


#: ``inputs`` of the export functions: model time (ms) -> {external channel: value} for that frame
FrameInputs = Callable[[float], Mapping[str, float]]


def apply_inputs(rt: Runtime, inputs: FrameInputs | None, t_ms: float) -> None:
    """Set the channels ``inputs(t_ms)`` gives for the frame at ``t_ms`` (only those the program
    reads: an audio analysis offers more channels than a patch uses)."""
    if inputs is None:
        return
    read = set(rt.program.channels)
    for name, value in inputs(t_ms).items():
        if name in read:
            rt.set_input(name, value)


def render_png(
    patch_or_path,
    path: str | os.PathLike,
    t_ms: float = 0.0,
    size=(512, 512),
    fps: float = 60.0,
    progress: Callable[[PlaybackTimes], Iterable[float]] | None = None,
    inputs: FrameInputs | None = None,
) -> np.ndarray:
    """Render the frame at ``t_ms`` (ms) as playback at ``fps`` reaches it and write an image
    (PNG; the format follows the suffix, ``.jpg`` is RGB composited over the background).

    Frames 0, 1000/fps, ... up to ``t_ms`` are stepped so stateful blocks see the same history as
    playback (:func:`playback_times`, generated as they are stepped). ``patch_or_path`` is a patch
    (anything ``load_patch`` takes) or a CompiledProgram. ``size`` is (width, height) in pixels,
    ints. ``progress`` wraps the frame times (the CLI passes a progress bar for long catch-ups).
    ``inputs`` gives external channel values per frame time (``oscilla render --audio``: an
    :class:`oscilla.live.audio.AudioTrack`'s ``channels``), set before each frame is stepped.
    Returns the (H, W, 4) uint8 image.

    Raises:
        CompileError: the patch does not compile, or it has no render sink (W_NO_RENDER_SINK).
        ValueError: ``t_ms`` or ``fps`` not finite, ``fps`` not > 0, ``t_ms`` above 2**53 ms, or a
            size outside the device's texture limits.
        TypeError: a size that is not a pair of ints.
        OSError: the patch file cannot be read or the PNG cannot be written.
    """
    times = playback_times(t_ms, fps)
    rt = _runtime_for(patch_or_path, size)
    for t in times if progress is None else progress(times):
        apply_inputs(rt, inputs, t)
        rt.step(t)
    img = rt.render(size[0], size[1])
    save_png(img, path, rt.program.background)
    return img


def render_frames(
    patch_or_path,
    out_dir: str | os.PathLike,
    duration_ms: float,
    fps: float = 30.0,
    size=(512, 512),
    progress: Callable[[Iterable], Iterable] | None = None,
    overwrite: bool = False,
    checkpoint_every: int | None = None,
    resume: bool = False,
    on_resume: Callable[[int], None] | None = None,
    inputs: FrameInputs | None = None,
) -> list[Path]:
    """Render round(duration_ms·fps/1000) frames at t = k·1000/fps to ``out_dir/frame_0000.png``...

    ``patch_or_path`` is a patch or a CompiledProgram. ``progress`` wraps the frame iterator (the
    CLI passes a progress bar); ``inputs`` sets external channels per frame as for :func:`render_png`.
    A folder that already holds a sequence (``frame_*.png``) is refused unless ``overwrite`` is true;
    then the old frames are deleted first, so the folder never mixes two sequences. Returns the
    paths of every frame of the sequence.

    Checkpoints (:mod:`oscilla.export.checkpoint`, docs/runtime/snapshots.md#export): with
    ``checkpoint_every`` = N (frames, >= 1) a snapshot of the runtime is kept beside the frames
    every N frames; with ``resume`` an export that was interrupted continues after its last
    checkpoint (``on_resume(next_frame)`` is called first), re-rendering only the frames from
    there on, which come out identical to those of an uninterrupted run. ``resume`` in a folder
    without a checkpoint starts from frame 0 (refused, as without ``resume``, when the folder
    holds frames and ``overwrite`` is false). A finished export removes its checkpoint.

    Raises:
        FileExistsError: ``out_dir`` already holds ``frame_*.png`` files, ``overwrite`` is false and
            there is no checkpoint to resume.
        SnapshotError: (a ValueError) ``resume`` found a checkpoint of another patch or other
            options (E_SNAPSHOT_MISMATCH) or a damaged one (E_SNAPSHOT_CORRUPT, ...).
        CompileError: the patch does not compile, or it has no render sink (W_NO_RENDER_SINK).
        ValueError: ``duration_ms`` or ``fps`` not finite, ``fps`` not > 0, ``checkpoint_every`` < 1,
            or ``resume`` together with ``overwrite``.
        TypeError: a size that is not a pair of ints.
        OSError: a patch file cannot be read or a PNG (or checkpoint) cannot be written.
    """
    n = sequence_length(duration_ms, fps)
    if checkpoint_every is not None and (isinstance(checkpoint_every, bool) or int(checkpoint_every) < 1):
        raise ValueError(f"checkpoint_every must be a number of frames >= 1, got {checkpoint_every!r}")
    if resume and overwrite:
        raise ValueError("resume continues the frames already written; overwrite deletes them: pass one of them")
    out = Path(out_dir)
    program = _program_of(patch_or_path)
    job = ExportJob(n, float(fps), (int(size[0]), int(size[1])), program.content_hash)
    found = read_checkpoint(out, job) if resume else None
    old = existing_frames(out)
    if found is None:
        if old and not overwrite:
            why = f"no checkpoint to resume in {out_dir}; " if resume else ""
            raise FileExistsError(
                f"{why}{out_dir} already holds {len(old)} frame files ({old[0].name} ...); pass overwrite=True "
                f"(--overwrite) to replace them, or choose an empty folder"
            )
        rt = _runtime_for(program, size)
        start = 0
    else:
        missing = [k for k in range(found.next_frame) if not (out / _frame_name(k)).is_file()]
        if missing:
            raise FileNotFoundError(
                f"cannot resume in {out_dir}: frame {_frame_name(missing[0])} (written before the checkpoint) "
                f"is missing; render again with --overwrite"
            )
        rt = _restored(program, found.snapshot)
        start = found.next_frame
        old = [f for f in old if _frame_index(f) >= start]  # written after the checkpoint: rendered again
        if on_resume is not None:
            on_resume(start)
    out.mkdir(parents=True, exist_ok=True)
    for f in old:  # overwrite: no frame of the old sequence is left behind
        f.unlink()
    if not resume:
        remove_checkpoint(out)  # a new export: a stale checkpoint must never be resumed into it
    paths = [out / _frame_name(k) for k in range(n)]
    frames = range(start, n) if progress is None else progress(range(start, n))
    step = 1000.0 / fps
    if inputs is not None:
        for k in range(start):  # a resumed export: the inputs' own history (an audio analysis) catches up
            inputs(k * step)
    for k in frames:
        apply_inputs(rt, inputs, k * step)
        rt.step(k * step)  # the times of playback_times (render_png at k·1000/fps), bit for bit
        save_png(rt.render(size[0], size[1]), paths[k])
        if checkpoint_every is not None and (k + 1) % checkpoint_every == 0 and k + 1 < n:
            write_checkpoint(out, job, k + 1, rt.snapshot())
    remove_checkpoint(out)
    return paths


def _frame_name(k: int) -> str:
    return f"frame_{k:04d}.png"


def _frame_index(path: Path) -> int:
    """k of ``frame_<k>.png`` (-1 for a name that is not a number)."""
    digits = path.stem.removeprefix("frame_")
    return int(digits) if digits.isdigit() else -1


def _program_of(patch_or_program) -> CompiledProgram:
    if isinstance(patch_or_program, CompiledProgram):
        return patch_or_program
    return compile_patch(load_patch(patch_or_program))


def _restored(program: CompiledProgram, snapshot: bytes) -> Runtime:
    """The runtime of a checkpoint (the render-sink check of :func:`_runtime_for` first)."""
    problem = render_sink_error(program)
    if problem is not None:
        raise problem
    return Runtime.restore(program, snapshot)
