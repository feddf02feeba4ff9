"""A text overlay drawn over a target: the window's stats (fps, frame times, lanes, transport).

The text is rasterized on the CPU by Pillow (its bundled FreeType font, ``ImageFont.load_default``)
into a small straight-alpha RGBA image with a translucent dark box behind the lines; the image is
uploaded to a texture only when the text changes, and each frame one render pass draws it at the
top-left corner with "over" blending (``oscilla/shaders/overlay.wgsl``: a full-screen triangle
whose fragments outside the image are discarded). The pass loads the target, so it goes after the
frame's own drawing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import wgpu

from oscilla.abi.uniforms import OVERLAY
from oscilla.gpu.pipelines import PIPELINES, shader_key
from oscilla.shaders import shader_source

#: font size (pixels) of the overlay text, and the margin (pixels) around the box and the lines
FONT_PX = 14
MARGIN_PX = 8
#: the box behind the text: straight-alpha RGBA 0..255
BOX_RGBA = (0, 0, 0, 170)
TEXT_RGBA = (255, 255, 255, 255)

_BLEND_OVER = {
    "color": {"src_factor": "src-alpha", "dst_factor": "one-minus-src-alpha", "operation": "add"},
    "alpha": {"src_factor": "one", "dst_factor": "one-minus-src-alpha", "operation": "add"},
}


def text_image(lines: Sequence[str], font_px: int = FONT_PX) -> np.ndarray:
    """``lines`` as an (h, w, 4) uint8 straight-alpha RGBA image: white text on a translucent box.

    Raises:
        ValueError: no lines.
    """
    from PIL import Image, ImageDraw, ImageFont

    if not lines:
        raise ValueError("text_image needs at least one line")
    font = ImageFont.load_default(size=font_px)
    pad, step = MARGIN_PX // 2, font_px + 4
    width = max(int(font.getlength(line)) for line in lines) + 2 * pad
    height = step * len(lines) + 2 * pad
    img = Image.new("RGBA", (width, height), BOX_RGBA)
    draw = ImageDraw.Draw(img)
    for i, line in enumerate(lines):
        draw.text((pad, pad + i * step), line, font=font, fill=TEXT_RGBA)
    return np.asarray(img, dtype=np.uint8)


class TextOverlay:
    """Lines of text drawn at the top-left corner of ``target_format`` targets.

    Args:
        device: the wgpu device.
        target_format: the format of the targets :meth:`encode` draws into (e.g. ``"bgra8unorm"``).
    """

    def __init__(self, device: Any, target_format: str) -> None:
        self.device = device
        code = shader_source("overlay.wgsl")
        entries = [
            {"binding": 0, "visibility": wgpu.ShaderStage.FRAGMENT, "buffer": {"type": "uniform"}},
            {"binding": 1, "visibility": wgpu.ShaderStage.FRAGMENT, "texture": {"sample_type": "float"}},
        ]
        self._bgl = PIPELINES.bind_group_layout(device, entries, "oscilla.overlay")

        def build() -> Any:
            module = PIPELINES.shader_module(device, code, "oscilla.overlay")
            return device.create_render_pipeline(
                label=f"oscilla.overlay.{target_format}",
                layout=device.create_pipeline_layout(label="oscilla.overlay", bind_group_layouts=[self._bgl]),
                vertex={"module": module, "entry_point": "vs_full", "buffers": []},
                primitive={"topology": "triangle-list", "cull_mode": "none"},
                fragment={
                    "module": module,
                    "entry_point": "fs_overlay",
                    "targets": [{"format": target_format, "blend": _BLEND_OVER}],
                },
            )

        self._pipeline = PIPELINES.get_or_build(
            device, ("render", shader_key(code), "fs_overlay", target_format, "over"), build
        )
        self._uniform = device.create_buffer(
            label="oscilla.overlay", size=OVERLAY.size, usage=wgpu.BufferUsage.UNIFORM | wgpu.BufferUsage.COPY_DST
        )
        self._texture: Any = None
        self._bind_group: Any = None
        self.lines: tuple[str, ...] = ()
        #: (height, width) of the uploaded image, (0, 0) before the first text
        self.shape: tuple[int, int] = (0, 0)

    def set_text(self, lines: Sequence[str]) -> None:
        """Show ``lines`` from the next :meth:`encode` on (re-rasterized only when they changed)."""
        lines = tuple(lines)
        if lines == self.lines:
            return
        self.lines = lines
        if not lines:
            return
        img = text_image(lines)
        h, w = img.shape[:2]
        if self._texture is None or self.shape != (h, w):
            if self._texture is not None:
                self._texture.destroy()
            self._texture = self.device.create_texture(
                label="oscilla.overlay",
                size=(w, h, 1),
                format="rgba8unorm",
                usage=wgpu.TextureUsage.TEXTURE_BINDING | wgpu.TextureUsage.COPY_DST,
            )
            self._bind_group = self.device.create_bind_group(
                layout=self._bgl,
                entries=[
                    {"binding": 0, "resource": {"buffer": self._uniform, "offset": 0, "size": OVERLAY.size}},
                    {"binding": 1, "resource": self._texture.create_view()},
                ],
            )
            self.shape = (h, w)
            data = OVERLAY.pack(origin=(MARGIN_PX, MARGIN_PX), extent=(w, h))
            self.device.queue.write_buffer(self._uniform, 0, data)
        self.device.queue.write_texture(
            {"texture": self._texture, "mip_level": 0, "origin": (0, 0, 0)},
            np.ascontiguousarray(img),
            {"offset": 0, "bytes_per_row": 4 * w, "rows_per_image": h},
            (w, h, 1),
        )

    def encode(self, encoder: Any, target_view: Any) -> None:
        """Record one render pass drawing the text over ``target_view`` (its content is kept);
        nothing without text."""
        if not self.lines or self._bind_group is None:
            return
        rp = encoder.begin_render_pass(
            label="oscilla.overlay",
            color_attachments=[{"view": target_view, "load_op": wgpu.LoadOp.load, "store_op": wgpu.StoreOp.store}],
        )
        rp.set_pipeline(self._pipeline)
        rp.set_bind_group(0, self._bind_group)
        rp.draw(3)
        rp.end()

    def release(self) -> None:
        """Free the texture and the uniform buffer."""
        if self._texture is not None:
            self._texture.destroy()
            self._texture = None
        self._uniform.destroy()
