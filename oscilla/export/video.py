"""Video and animated images (MP4, WebM, GIF, APNG) of a patch, encoded while the frames are rendered.

PyAV (the optional ``video`` extra, ``pip install 'oscilla[video]'``) writes all four: its wheels bundle
the codecs (libx264, libvpx, gif, apng), so nothing has to be installed by hand. Frames are encoded
one at a time as they are rendered, so memory does not grow with the duration.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image

from oscilla.export.png import FrameInputs, _runtime_for, apply_inputs, flatten_rgb, sequence_length

#: the pip command that installs the video encoders
VIDEO_EXTRA_HINT = "pip install 'oscilla[video]'"


class VideoExtraMissing(ImportError):
    """PyAV, the optional ``video`` extra, is not installed (the message says how to install it)."""


@dataclass(frozen=True)
class VideoFormat:
    """How one suffix is written: the container, the codec, the pixel format and encoder options."""

    suffix: str
    container: str
    codec: str
    pix_fmt: str
    options: tuple[tuple[str, str], ...] = ()
    even_size: bool = False  # 4:2:0 chroma subsampling needs even width and height

    @property
    def label(self) -> str:
        return f"{self.suffix} ({self.codec}, {self.pix_fmt})"


#: suffix -> format; the suffix of ``path`` chooses (lower case compared)
VIDEO_FORMATS: dict[str, VideoFormat] = {
    ".mp4": VideoFormat(".mp4", "mp4", "libx264", "yuv420p", (("crf", "16"), ("preset", "medium")), True),
    ".webm": VideoFormat(
        ".webm",
        "webm",
        "libvpx-vp9",
        "yuv420p",
        (("crf", "24"), ("b", "0"), ("deadline", "good"), ("cpu-used", "4")),
        True,
    ),
    ".gif": VideoFormat(".gif", "gif", "gif", "pal8"),
    ".apng": VideoFormat(".apng", "apng", "apng", "rgba", (("plays", "0"),)),
}


def is_video_path(path: str | os.PathLike) -> bool:
    """True when the suffix of ``path`` is one :func:`render_video` writes (.mp4, .webm, .gif, .apng)."""
    return Path(path).suffix.lower() in VIDEO_FORMATS


def import_av(suffix: str = ".mp4"):
    """The ``av`` module (PyAV).

    Raises:
        VideoExtraMissing: PyAV is not installed; the message names the extra to install.
    """
    try:
        import av
    except ImportError as e:
        raise VideoExtraMissing(
            f"writing {suffix} files needs PyAV, the optional video extra: {VIDEO_EXTRA_HINT}"
        ) from e
    return av


def video_format(path: str | os.PathLike, size=(512, 512)) -> VideoFormat:
    """The format :func:`render_video` writes to ``path``, after checking that it can.

    Raises:
        ValueError: a suffix other than .mp4, .webm, .gif, .apng, or an odd width or height for
            .mp4/.webm (H.264 and VP9 in yuv420p need even sizes: e.g. 512x512, not 511x512).
        TypeError: a size that is not a pair of ints.
        VideoExtraMissing: PyAV is not installed (``pip install 'oscilla[video]'``).
    """
    suffix = Path(path).suffix.lower()
    fmt = VIDEO_FORMATS.get(suffix)
    if fmt is None:
        raise ValueError(f"cannot write video to {str(path)!r}: the suffix must be one of {', '.join(VIDEO_FORMATS)}")
    w, h = _check_size(size)
    if fmt.even_size and (w % 2 or h % 2):
        ew, eh = w + w % 2, h + h % 2
        raise ValueError(
            f"{suffix} video ({fmt.codec}, {fmt.pix_fmt}) needs an even width and height, got {w}x{h}; "
            f"use {ew}x{eh}, or write .gif/.apng, which take any size"
        )
    import_av(suffix)
    return fmt


def _check_size(size) -> tuple[int, int]:
    try:
        w, h = size
    except (TypeError, ValueError):
        raise TypeError(f"size must be a (width, height) pair of ints, got {size!r}") from None
    for label, v in (("width", w), ("height", h)):
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
            raise TypeError(f"size: {label} must be an int number of pixels, got {type(v).__name__} {v!r}")
    return int(w), int(h)


def _rate(fps: float) -> Fraction:
    """The frame rate as the rational the containers store (29.97 -> 2997/100)."""
    return Fraction(fps).limit_denominator(100_000)


def _gif_frame(av, rgb: np.ndarray):
    """A pal8 frame of an RGB image: its own 256-colour palette (Pillow's median cut, no dither, so
    flat areas stay flat and every pixel is its nearest palette colour)."""
    q = Image.fromarray(rgb, mode="RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    indices = np.asarray(q, dtype=np.uint8)
    pal = np.frombuffer(bytes(q.getpalette() or []), dtype=np.uint8).reshape(-1, 3)[:256]
    argb = np.zeros((256, 4), dtype=np.uint8)
    argb[:, 0] = 255
    argb[: len(pal), 1:] = pal
    return av.VideoFrame.from_ndarray((np.ascontiguousarray(indices), argb), format="pal8")


def render_video(
    patch_or_path,
    path: str | os.PathLike,
    duration_ms: float,
    fps: float = 30.0,
    size=(512, 512),
    progress: Callable[[range], Iterable[int]] | None = None,
    inputs: FrameInputs | None = None,
) -> int:
    """Render ``duration_ms`` ms of a patch at ``fps`` and encode it to ``path`` as it renders.

    The suffix of ``path`` chooses the format: ``.mp4`` (H.264, yuv420p), ``.webm`` (VP9, yuv420p),
    ``.gif`` (a 256-colour palette per frame) or ``.apng`` (lossless RGBA). There are
    round(duration_ms·fps/1000) frames (at least 1); frame k is the image at t = k·1000/fps ms
    stepped as playback steps (the frame :func:`oscilla.render_png` writes for that ``t_ms`` and
    ``fps``). ``size`` is (width, height) in pixels; MP4 and WebM need both even. MP4, WebM and GIF
    have no alpha: the image is composited over the patch's background colour. Frames are
    encoded one at a time (memory does not grow with the duration). ``patch_or_path`` is a patch
    (anything ``load_patch`` takes) or a CompiledProgram; ``progress`` wraps the frame indices
    (the CLI passes a progress bar); ``inputs`` sets external channels per frame time
    (:func:`oscilla.export.png.render_png`). Returns the number of frames written.

    Raises:
        VideoExtraMissing (an ImportError): PyAV is not installed: ``pip install 'oscilla[video]'``.
        ValueError: an unknown suffix, an odd size for MP4/WebM, ``duration_ms`` or ``fps`` not
            finite or ``fps`` not > 0, or a size outside the device's texture limits.
        TypeError: a size that is not a pair of ints.
        CompileError: the patch does not compile, or it has no render sink (W_NO_RENDER_SINK).
        OSError: the patch cannot be read or the video cannot be written.
    """
    fps = float(fps)
    n = sequence_length(duration_ms, fps)
    video_format(path, size)
    w, h = _check_size(size)
    rt = _runtime_for(patch_or_path, (w, h))
    step = 1000.0 / fps
    with VideoEncoder(path, fps, (w, h), rt.program.background) as encoder:
        frames = range(n) if progress is None else progress(range(n))
        for k in frames:
            apply_inputs(rt, inputs, k * step)
            rt.step(k * step)  # the times of playback_times: render_png(t_ms=k·1000/fps) bit for bit
            encoder.write(rt.render(w, h))
    return n


class VideoEncoder:
    """Encodes (H, W, 4) uint8 RGBA frames to ``path`` one at a time, as :func:`render_video` does
    (frame k, the k-th written, at k/fps s); a context manager that flushes and closes on exit.

    ``size`` is (width, height) in pixels; ``background`` (RGBA floats in 0..1) is what MP4, WebM
    and GIF frames are composited over (they have no alpha).

    Raises:
        VideoExtraMissing (an ImportError): PyAV is not installed.
        ValueError: an unknown suffix or an odd size for MP4/WebM (:func:`video_format`).
        OSError: the file cannot be written.
    """

    def __init__(self, path: str | os.PathLike, fps: float, size=(512, 512), background=(0.0, 0.0, 0.0, 1.0)):
        self.format = fmt = video_format(path, size)
        self.size = _check_size(size)
        self.background = background
        self._av = av = import_av(fmt.suffix)
        self.frames = 0
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._container = av.open(str(path), mode="w", format=fmt.container)
        except av.error.FFmpegError as e:  # e.g. a folder that cannot be written
            raise OSError(f"cannot write {path}: {e}") from e
        try:
            stream = self._container.add_stream(fmt.codec, rate=_rate(float(fps)), options=dict(fmt.options))
            stream.width, stream.height, stream.pix_fmt = self.size[0], self.size[1], fmt.pix_fmt
        except BaseException:
            self._container.close()
            raise
        self._stream = stream

    def write(self, image: np.ndarray) -> None:
        """Encode the next frame, an (H, W, 4) uint8 RGBA image of the encoder's size."""
        av, fmt = self._av, self.format
        if fmt.pix_fmt == "rgba":
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="rgba")
        elif fmt.pix_fmt == "pal8":
            frame = _gif_frame(av, flatten_rgb(image, self.background))
        else:
            frame = av.VideoFrame.from_ndarray(flatten_rgb(image, self.background), format="rgb24")
            frame = frame.reformat(format=fmt.pix_fmt)
        frame.pts = self.frames  # in the codec's time base, 1/rate: frame k at k/fps s
        self._container.mux(self._stream.encode(frame))
        self.frames += 1

    def close(self) -> None:
        """Flush the encoder's delayed frames and close the file."""
        try:
            self._container.mux(self._stream.encode(None))
        finally:
            self._container.close()

    def __enter__(self) -> VideoEncoder:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            self.close()
        else:  # an error: close the file without flushing into a half-written stream
            self._container.close()
