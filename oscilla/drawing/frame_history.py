"""The previous frame as GPU state: trails and frame feedback (docs/language/rendering.md#trails).

With ``settings.trails`` = t > 0 the runtime draws every frame into a :class:`FrameHistory`
instead of a cleared target: before frame n is drawn, a full-screen pass (``fs_fade`` of
``oscilla/shaders/post.wgsl``) writes I(n-1) * t + B * (1 - t) into the frame's texture (B the
background, all four channels; I(n-1) sampled through the feedback transform, bilinear, B outside
the image), then the sinks draw over it. Two ``rgba16float`` textures of the history size take
turns (the one written last is the image); the half floats keep the repeated fade accurate to
well under 1/255. What a reader sees is copied, or rescaled, into its own target by
``fs_present``.

Geometry of the feedback transform (pixels, y down, centre c = (W/2, H/2), S = min(W, H) pixels
per world unit): the content at q in I(n-1) appears at p = c + zoom R(rotate) (q - c) + offset S
in the new frame (rotate in radians, positive = clockwise on screen as for shapes; offset in
world units). A pixel whose source q is a texel centre is copied exactly, so a whole-pixel
offset moves the image by whole pixels without blur.

Everything (textures, sampler, uniforms, bind groups, pipelines) is built once; a frame records
two render passes and allocates nothing.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import wgpu

from oscilla.abi.uniforms import FEEDBACK, PRESENT
from oscilla.drawing.fullscreen import fullscreen_pipeline

#: texture format of the history (filterable, renderable, blendable everywhere)
HISTORY_FORMAT = "rgba16float"
#: bytes of one texel of HISTORY_FORMAT
_TEXEL_BYTES = 8
#: display targets of distinct sizes whose present uniforms are kept
_MAX_PRESENT_SIZES = 4


def sanitize_background(bg: Sequence[float]) -> tuple[float, float, float, float]:
    """Straight-alpha RGBA clamped to [0, 1]; NaN -> 0 (the renderer's rule for colours)."""
    out = [0.0 if math.isnan(float(v)) else min(max(float(v), 0.0), 1.0) for v in tuple(bg)[:4]]
    if len(out) != 4:
        raise ValueError(f"background must have 4 components (RGBA), got {bg!r}")
    return out[0], out[1], out[2], out[3]


def feedback_uniform(
    size: tuple[int, int],
    background: Sequence[float],
    trails: float,
    feedback: tuple[float, float, float, float] | None,
) -> bytes:
    """The FEEDBACK uniform bytes for a ``size`` (W, H pixels) history: the inverse transform
    M = R(-rotate) / zoom, the centre and offset in pixels, t and the size.

    Raises:
        ValueError: zoom is not a positive finite number.
    """
    w, h = size
    zoom, rot, dx, dy = feedback if feedback is not None else (1.0, 0.0, 0.0, 0.0)
    if not (math.isfinite(zoom) and zoom > 0):
        raise ValueError(f"feedback zoom must be a positive finite number, got {zoom!r}")
    c, s = math.cos(rot), math.sin(rot)
    scale = min(w, h)
    return FEEDBACK.pack(
        background=sanitize_background(background),
        m=(c / zoom, s / zoom, -s / zoom, c / zoom),
        shift=(w / 2.0, h / 2.0, dx * scale, dy * scale),
        params=(float(trails), float(w), float(h), 0.0),
    )


def _layout_entries() -> list[dict]:
    fs = wgpu.ShaderStage.FRAGMENT
    ub = {"type": wgpu.BufferBindingType.uniform}
    return [
        {"binding": 0, "visibility": fs, "buffer": ub},
        {"binding": 1, "visibility": fs, "buffer": ub},
        {"binding": 2, "visibility": fs, "texture": {"sample_type": wgpu.TextureSampleType.float}},
        {"binding": 3, "visibility": fs, "sampler": {"type": wgpu.SamplerBindingType.filtering}},
    ]


class FrameHistory:
    """The previous frame of a program with trails, on the GPU (see the module docstring).

    Args:
        device: the wgpu device.
        size: (width, height) of the history in pixels.
        background: straight-alpha RGBA (clamped to [0, 1], NaN -> 0).
        trails: t in [0, 1).
        feedback: (zoom, rotate radians, offset x, offset y world units) per frame, or None.

    Both textures start (and :meth:`clear` sets them) at the background.
    """

    def __init__(self, device, size: tuple[int, int], background, trails: float, feedback=None):
        self.device = device
        self.size = (int(size[0]), int(size[1]))
        w, h = self.size
        usage = (
            wgpu.TextureUsage.RENDER_ATTACHMENT
            | wgpu.TextureUsage.TEXTURE_BINDING
            | wgpu.TextureUsage.COPY_SRC
            | wgpu.TextureUsage.COPY_DST  # a snapshot's image is written back (write_texels)
        )
        self._textures = [
            device.create_texture(label=f"oscilla.history.{i}", size=(w, h, 1), format=HISTORY_FORMAT, usage=usage)
            for i in range(2)
        ]
        self._views = [t.create_view() for t in self._textures]
        self._sampler = device.create_sampler(
            label="oscilla.history.sampler",
            mag_filter="linear",
            min_filter="linear",
            address_mode_u="clamp-to-edge",
            address_mode_v="clamp-to-edge",
        )
        ub = wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST
        self._fb = device.create_buffer(label="oscilla.history.feedback", size=FEEDBACK.size, usage=ub)
        self._pr_dummy = device.create_buffer(label="oscilla.history.present0", size=PRESENT.size, usage=ub)
        self._bgl, self._fade = fullscreen_pipeline(device, "post.wgsl", _layout_entries(), "fs_fade", HISTORY_FORMAT)
        # fade bind group i reads texture i (and writes the other one)
        self._fade_groups = [self._group(self._pr_dummy, i) for i in range(2)]
        # target size -> (present uniform, bind groups reading texture 0 / 1); least recently used first
        self._present: dict[tuple[int, int], tuple[Any, list[Any]]] = {}
        self._latest = 0  # the texture holding the last frame
        self.background = sanitize_background(background)
        self.configure(background, trails, feedback)
        self.clear()

    def _group(self, present_buffer: Any, texture: int) -> Any:
        return self.device.create_bind_group(
            layout=self._bgl,
            entries=[
                {"binding": 0, "resource": {"buffer": self._fb, "offset": 0, "size": FEEDBACK.size}},
                {"binding": 1, "resource": {"buffer": present_buffer, "offset": 0, "size": PRESENT.size}},
                {"binding": 2, "resource": self._views[texture]},
                {"binding": 3, "resource": self._sampler},
            ],
        )

    def configure(self, background, trails: float, feedback=None) -> None:
        """Set the background, t and the feedback transform used from the next frame on (the
        image itself is kept: a hot swap to a program with other settings keeps its trails)."""
        self.background = sanitize_background(background)
        self.trails = float(trails)
        self.feedback = feedback
        self.device.queue.write_buffer(self._fb, 0, feedback_uniform(self.size, background, trails, feedback))

    def clear(self) -> None:
        """Set both textures to the background now (one submit): the state of frame 0."""
        enc = self.device.create_command_encoder(label="oscilla.history.clear")
        for view in self._views:
            enc.begin_render_pass(
                color_attachments=[
                    {"view": view, "clear_value": self.background, "load_op": "clear", "store_op": "store"}
                ]
            ).end()
        self.device.queue.submit([enc.finish()])
        self._latest = 0

    @property
    def view(self) -> Any:
        """The texture view holding the last frame (``rgba16float``, :attr:`size` pixels)."""
        return self._views[self._latest]

    def read_texels(self) -> np.ndarray:
        """The last frame's texels, read back (blocking): (height, width, 4) uint16, the bits of the
        ``rgba16float`` texture exactly (snapshots, docs/runtime/snapshots.md)."""
        w, h = self.size
        data = self.device.queue.read_texture(
            {"texture": self._textures[self._latest], "mip_level": 0, "origin": (0, 0, 0)},
            {"offset": 0, "bytes_per_row": w * _TEXEL_BYTES, "rows_per_image": h},
            (w, h, 1),
        )
        return np.frombuffer(data, dtype=np.uint16).reshape(h, w, 4).copy()

    def write_texels(self, texels: np.ndarray) -> None:
        """Make ``texels`` ((height, width, 4) uint16 bits of ``rgba16float``, as
        :meth:`read_texels` returns) the last frame, byte for byte.

        Raises:
            ValueError: ``texels`` is not (height, width, 4) uint16 of this history's size.
        """
        w, h = self.size
        arr = np.ascontiguousarray(texels)
        if arr.dtype != np.uint16 or arr.shape != (h, w, 4):
            raise ValueError(f"trails texels must be ({h}, {w}, 4) uint16, got {arr.dtype} {arr.shape}")
        self.device.queue.write_texture(
            {"texture": self._textures[self._latest], "mip_level": 0, "origin": (0, 0, 0)},
            arr,
            {"offset": 0, "bytes_per_row": w * _TEXEL_BYTES, "rows_per_image": h},
            (w, h, 1),
        )

    def encode_frame(self, encoder: Any, renderer: Any) -> None:
        """Record the fade pass and then ``renderer`` (an InstanceRenderer for ``rgba16float``
        drawing without clearing) into the other texture, which then holds the frame."""
        src, dst = self._latest, 1 - self._latest
        rpass = encoder.begin_render_pass(
            color_attachments=[
                {"view": self._views[dst], "clear_value": self.background, "load_op": "clear", "store_op": "store"}
            ]
        )
        rpass.set_pipeline(self._fade)
        rpass.set_bind_group(0, self._fade_groups[src])
        rpass.draw(3, 1)
        rpass.end()
        renderer.encode(encoder, self._views[dst], self.size[0], self.size[1], self.background, clear=False)
        self._latest = dst

    def _present_groups(self, width: int, height: int) -> list[Any]:
        key = (width, height)
        entry = self._present.pop(key, None)  # re-inserted last (least recently used order)
        if entry is None:
            while len(self._present) >= _MAX_PRESENT_SIZES:
                self._present.pop(next(iter(self._present)))[0].destroy()
            buf = self.device.create_buffer(
                label="oscilla.history.present",
                size=PRESENT.size,
                usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST,
            )
            data = PRESENT.pack(sizes=(*self.size, width, height), bloom=(0.0, 0.0, 0.0, 0.0))
            self.device.queue.write_buffer(buf, 0, data)
            entry = (buf, [self._group(buf, i) for i in range(2)])
        self._present[key] = entry
        return entry[1]

    def encode_present(self, encoder: Any, target_view: Any, width: int, height: int, target_format: str) -> None:
        """Record a pass copying the last frame into ``target_view`` (``target_format``, width x
        height pixels): exact at the history size, bilinearly rescaled otherwise (a window)."""
        groups = self._present_groups(int(width), int(height))
        _, pipeline = fullscreen_pipeline(self.device, "post.wgsl", _layout_entries(), "fs_present", target_format)
        rpass = encoder.begin_render_pass(
            color_attachments=[
                {"view": target_view, "clear_value": (0, 0, 0, 0), "load_op": "clear", "store_op": "store"}
            ]
        )
        rpass.set_pipeline(pipeline)
        rpass.set_bind_group(0, groups[self._latest])
        rpass.draw(3, 1)
        rpass.end()

    def release(self) -> None:
        """Free the textures and uniforms now (the history cannot be used afterwards)."""
        for t in self._textures:
            t.destroy()
        for buf, _ in self._present.values():
            buf.destroy()
        self._present.clear()
        self._fb.destroy()
        self._pr_dummy.destroy()
