"""The window's control panel (docs/guide/controls.md#the-window): Dear ImGui (``imgui-bundle``)
drawn by wgpu-py's ImGui integration (:class:`wgpu.utils.imgui.ImguiRenderer`) over each frame.

A slider is an ImGui ``slider_float``, a toggle a ``checkbox``, a trigger a ``button``, an xy pad
a ``slider_float2`` (ImGui has no 2-D pad widget). The panel only moves the
:class:`~oscilla.live.controls.ControlValues` of the player; the player feeds them to the
channels when it runs the frame. While the pointer is over the panel, ImGui keeps the pointer
events (the ``mouse.*`` channels do not see them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oscilla.gpu.device import DRAW_CANCELLED
from oscilla.live.controls import ControlValues
from oscilla.live.notebook import LIVE_EXTRA, MissingExtraError


def imgui_available() -> bool:
    """Whether imgui-bundle (and so wgpu-py's ImGui integration) imports here."""
    try:
        import imgui_bundle  # noqa: F401
    except ImportError:
        return False
    return True


def control_panel(controls: ControlValues, title: str = "controls") -> Callable[[Any, Any], Callable[[], None]]:
    """A ``panel`` for :func:`oscilla.window.run_window`: an ImGui window named ``title`` in the
    top-right corner with one widget per control of ``controls`` (re-read every frame, so a hot swap
    that changes the controls shows at once).

    Raises (when the window calls it):
        MissingExtraError (an ImportError): imgui-bundle is not installed; the message names the
            ``live`` extra.
    """

    def factory(canvas: Any, device: Any) -> Callable[[], None]:
        try:
            from imgui_bundle import imgui
            from wgpu.utils.imgui import ImguiRenderer
        except ImportError:
            raise MissingExtraError(f"the window's control panel needs imgui-bundle: {LIVE_EXTRA}") from None
        renderer = ImguiRenderer(device, canvas)

        def gui() -> None:
            # top-right, so that the stats overlay (F, top-left) and the panel do not cover each other
            width = imgui.get_io().display_size.x
            imgui.set_next_window_pos((width - 8, 8), imgui.Cond_.first_use_ever, (1.0, 0.0))
            imgui.set_next_window_bg_alpha(0.85)
            imgui.begin(title, None, imgui.WindowFlags_.always_auto_resize)
            for c in controls.controls:
                value = controls.get(c.channel)
                if c.kind == "slider":
                    changed, v = imgui.slider_float(c.label, float(value), c.lo, c.hi)  # type: ignore[arg-type]
                    if changed:
                        controls.set(c.channel, v)
                elif c.kind == "toggle":
                    changed, on = imgui.checkbox(c.label, value == c.hi)
                    if changed:
                        controls.set(c.channel, c.hi if on else c.lo)
                elif c.kind == "trigger":
                    if imgui.button(c.label):
                        controls.press(c.channel)
                else:
                    changed, xy = imgui.slider_float2(c.label, list(value), c.lo, c.hi)  # type: ignore[arg-type]
                    if changed:
                        controls.set(c.channel, (float(xy[0]), float(xy[1])))
            imgui.end()

        renderer.set_gui(gui)

        def draw() -> None:
            try:
                renderer.render()
            except DRAW_CANCELLED:  # the surface is gone for this frame (a resize): nothing to draw on
                pass

        return draw

    return factory
