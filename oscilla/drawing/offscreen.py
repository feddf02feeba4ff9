"""Offscreen colour target with numpy readback (docs/language/rendering.md#viewport: RGBA8 unorm, no sRGB)."""

from __future__ import annotations

import numpy as np
import wgpu

FORMAT = "rgba8unorm"
ROW_ALIGN = 256  # bytes_per_row of a texture -> buffer copy must be a multiple of 256


class OffscreenTarget:
    """A ``width`` x ``height`` pixel rgba8unorm texture, its view and a readback buffer.

    Everything is created once here. :meth:`read` copies the texture into the readback buffer
    (rows padded to 256 bytes), maps it and returns the pixels.

    Attributes:
        texture, view: the colour target (usage RENDER_ATTACHMENT | COPY_SRC).
        width, height: size in pixels.
        format: ``"rgba8unorm"``.
        bytes_per_row: padded row pitch of the readback buffer (bytes).
    """

    format = FORMAT

    def __init__(self, device, width: int, height: int):
        width, height = int(width), int(height)
        if width <= 0 or height <= 0:
            raise ValueError(f"target size must be positive, got {width}x{height}")
        self.device = device
        self.width = width
        self.height = height
        self.texture = device.create_texture(
            label="oscilla.offscreen",
            size=(width, height, 1),
            format=FORMAT,
            usage=wgpu.TextureUsage.RENDER_ATTACHMENT | wgpu.TextureUsage.COPY_SRC,
        )
        self.view = self.texture.create_view()
        self.bytes_per_row = (width * 4 + ROW_ALIGN - 1) // ROW_ALIGN * ROW_ALIGN
        self.readback = device.create_buffer(
            label="oscilla.offscreen.readback",
            size=self.bytes_per_row * height,
            usage=wgpu.BufferUsage.COPY_DST | wgpu.BufferUsage.MAP_READ,
        )
        self._src = {"texture": self.texture, "mip_level": 0, "origin": (0, 0, 0)}
        self._dst = {
            "buffer": self.readback,
            "offset": 0,
            "bytes_per_row": self.bytes_per_row,
            "rows_per_image": height,
        }
        self._extent = (width, height, 1)

    def release(self) -> None:
        """Free the texture and the readback buffer now (the target cannot be used afterwards)."""
        self.texture.destroy()
        self.readback.destroy()

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels."""
        return self.width, self.height

    def encode_copy(self, encoder) -> None:
        """Record the texture -> readback buffer copy into ``encoder`` (then call :meth:`read_mapped`)."""
        encoder.copy_texture_to_buffer(self._src, self._dst, self._extent)

    def read_mapped(self) -> np.ndarray:
        """Map the readback buffer (waits for the GPU) and return its pixels, (H, W, 4) uint8."""
        self.readback.map_sync(wgpu.MapMode.READ)
        try:
            data = self.readback.read_mapped(copy=True)
        finally:
            self.readback.unmap()
        rows = np.frombuffer(data, dtype=np.uint8).reshape(self.height, self.bytes_per_row)
        return rows[:, : self.width * 4].reshape(self.height, self.width, 4).copy()

    def read(self) -> np.ndarray:
        """The target's current pixels as an (H, W, 4) uint8 RGBA array (row 0 = top).

        Submits one copy after whatever was submitted before, then maps the readback buffer.
        """
        encoder = self.device.create_command_encoder(label="oscilla.offscreen.read")
        self.encode_copy(encoder)
        self.device.queue.submit([encoder.finish()])
        return self.read_mapped()
