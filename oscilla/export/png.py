"""Offscreen rendering to PNG files (Pillow) and numbered frame sequences."""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
from PIL import Image

from oscilla.compiler.compile import compile_patch
from oscilla.patch import load_patch
from oscilla.runtime.executor import Runtime


def playback_times(t_ms: float, fps: float) -> list[float]:
    """Frame times playback reaches on the way to ``t_ms``: 0, 1000/fps, ... and ``t_ms`` itself
    when it is not on that grid (so stateful patches match playback, docs/language/python-api.md)."""
    if not fps > 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    t_ms = max(0.0, float(t_ms))  # time starts at 0 and never runs backwards (docs/language/time.md#time-resolution)
    step = 1000.0 / fps
    n = int(math.floor(t_ms / step + 1e-9))
    times = [k * step for k in range(n + 1)]
    if t_ms - times[-1] > 1e-9:
        times.append(float(t_ms))
    return times


def save_png(image: np.ndarray, path: str | os.PathLike) -> None:
    """Write an (H, W, 4) uint8 RGBA image as PNG (creates parent folders)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(path)


def _runtime_for(patch_or_path):
    return Runtime(compile_patch(load_patch(patch_or_path)))


def render_png(
    patch_or_path, path: str | os.PathLike, t_ms: float = 0.0, size=(512, 512), fps: float = 60.0
) -> np.ndarray:
    """Render the frame at ``t_ms`` (ms) as playback at ``fps`` reaches it and write a PNG.

    Frames 0, 1000/fps, ... up to ``t_ms`` are stepped so stateful blocks see the same history as
    playback. ``size`` is (width, height) in pixels. Returns the (H, W, 4) uint8 image.

    Raises:
        CompileError: the patch does not compile.
        OSError: the patch file cannot be read or the PNG cannot be written.
    """
    rt = _runtime_for(patch_or_path)
    for t in playback_times(float(t_ms), fps):
        rt.step(t)
    img = rt.render(int(size[0]), int(size[1]))
    save_png(img, path)
    return img


def render_frames(
    patch_or_path,
    out_dir: str | os.PathLike,
    duration_ms: float,
    fps: float = 30.0,
    size=(512, 512),
    progress: Callable[[Iterable], Iterable] | None = None,
) -> list[Path]:
    """Render round(duration_ms·fps/1000) frames at t = k·1000/fps to ``out_dir/frame_0000.png``...

    ``progress`` wraps the frame iterator (the CLI passes a progress bar). Returns the paths.
    """
    rt = _runtime_for(patch_or_path)
    n = max(1, int(round(duration_ms * fps / 1000.0)))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    frames = range(n) if progress is None else progress(range(n))
    for k in frames:
        rt.step(k * 1000.0 / fps)
        p = out / f"frame_{k:04d}.png"
        save_png(rt.render(int(size[0]), int(size[1])), p)
        paths.append(p)
    return paths
