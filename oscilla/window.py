"""A live window (rendercanvas, glfw backend): fps in the title, Esc closes, the mouse feeds the
external channels of docs/language/external-channels.md#window-channels.

Opening a window fails gracefully: without a display (:func:`require_display`: on Linux neither
``DISPLAY`` nor ``WAYLAND_DISPLAY`` is set, or GLFW cannot initialize or create a window) and on
any GLFW or rendercanvas error while the window is set up, :func:`run_window` raises
:class:`NoDisplayError` instead of letting GLFW abort the process (a failed ``glfwInit`` used to end
in an assertion, exit 134); ``oscilla run`` turns it into exit 4.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from oscilla.gpu.device import DRAW_CANCELLED
from oscilla.program import CompiledProgram
from oscilla.runtime.executor import Runtime, render_sink_error


class NoDisplayError(RuntimeError):
    """No window can be opened: no display, or GLFW / rendercanvas failed to set one up. The message
    says why and what to do (a desktop session, ``xvfb-run``, or ``oscilla render`` offscreen)."""


_HINT = (
    "run it on a desktop session, under a virtual display (xvfb-run -a oscilla run ...), "
    "or render offscreen with oscilla render"
)


def _glfw_messages(caught: list[warnings.WarningMessage]) -> str:
    return "; ".join(str(w.message) for w in caught) or "no reason given"


def require_display() -> None:
    """Check that a window can be opened here, without opening one for good.

    On Linux ``DISPLAY`` or ``WAYLAND_DISPLAY`` must be set; then GLFW must initialize and create a
    (hidden, immediately destroyed) window. GLFW errors are reported as warnings by pyGLFW and
    its C library aborts the process when a NULL window is used later, so both steps are checked
    here, before rendercanvas gets to them.

    Raises:
        NoDisplayError: with the reason (the variables, or GLFW's own messages) and what to do.
    """
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        raise NoDisplayError(f"no display: neither DISPLAY nor WAYLAND_DISPLAY is set; {_HINT}")
    try:
        import glfw
    except Exception as e:  # noqa: BLE001 - e.g. ImportError: the GLFW shared library is missing
        raise NoDisplayError(f"cannot open a window: GLFW is unavailable ({e}); {_HINT}") from None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            if not glfw.init():
                raise NoDisplayError(f"cannot open a window: GLFW failed to start ({_glfw_messages(caught)}); {_HINT}")
            glfw.default_window_hints()
            glfw.window_hint(glfw.CLIENT_API, glfw.NO_API)
            glfw.window_hint(glfw.VISIBLE, False)
            probe = glfw.create_window(16, 16, "oscilla", None, None)
        except NoDisplayError:
            raise
        except Exception as e:  # noqa: BLE001 - pyGLFW in 'raise' error mode, or a ctypes failure
            raise NoDisplayError(f"cannot open a window: {e}; {_HINT}") from None
        if not probe:
            raise NoDisplayError(f"cannot open a window: GLFW could not create one ({_glfw_messages(caught)}); {_HINT}")
        glfw.destroy_window(probe)


class FrameDriver(Protocol):
    """What :func:`run_window` needs of a live player (:class:`oscilla.Player` is one): the runtime
    it draws, a per-frame step and a window title that may change between frames."""

    runtime: Runtime

    @property
    def title(self) -> str: ...

    def step(self, t_ms: float) -> None: ...


class MouseChannels:
    """Turns pointer events into the per-frame channel values of docs/language/external-channels.md#window-channels.

    Positions use the inverse viewport mapping: x = 0.5 + (px - W/2)/S, y = 0.5 + (py - H/2)/S with
    S = min(W, H) (pixels in the canvas' logical units). ``down``/``up`` are pulses (1 in the first
    frame after the event), the wheel accumulates deltas between frames.
    """

    def __init__(self) -> None:
        self.values: dict[str, float] = {
            "mouse.x": 0.0,
            "mouse.y": 0.0,
            "mouse.over": 0.0,
            "mouse.button.left.held": 0.0,
            "mouse.button.right.held": 0.0,
        }
        self.pulses: set[str] = set()
        self.wheel = [0.0, 0.0]
        self._sent: dict[str, float] = {}  # what the last apply() pushed

    def handle(self, event: dict[str, Any], width: float, height: float) -> None:
        """Update the channel values from one rendercanvas pointer/wheel ``event`` (a dict with
        ``event_type``, ``x``/``y`` in logical pixels, ``button``, ``dx``/``dy``); ``width`` and
        ``height`` are the canvas' logical size."""
        et = event.get("event_type")
        if "x" in event and "y" in event and width > 0 and height > 0:
            s = min(width, height)
            self.values["mouse.x"] = 0.5 + (event["x"] - width / 2) / s
            self.values["mouse.y"] = 0.5 + (event["y"] - height / 2) / s
        if et == "pointer_enter":
            self.values["mouse.over"] = 1.0
        elif et == "pointer_leave":
            self.values["mouse.over"] = 0.0
        elif et in ("pointer_down", "pointer_up"):
            side = {1: "left", 2: "right"}.get(event.get("button", 0))
            if side:
                self.values[f"mouse.button.{side}.held"] = 1.0 if et == "pointer_down" else 0.0
                self.pulses.add(f"mouse.button.{side}.{'down' if et == 'pointer_down' else 'up'}")
        elif et == "wheel":
            self.wheel[0] += float(event.get("dx", 0.0))
            self.wheel[1] += float(event.get("dy", 0.0))

    def apply(self, rt: Runtime) -> None:
        """Push this frame's channel values into the runtime, then clear pulses and the wheel.

        Only channels whose value changed since the previous ``apply`` are set (the first call sets
        them all), so a mouse.* channel set by someone else (OSC input) keeps its value until the
        mouse changes it."""
        frame = dict(self.values)
        for side in ("left", "right"):
            for what in ("down", "up"):
                name = f"mouse.button.{side}.{what}"
                frame[name] = 1.0 if name in self.pulses else 0.0
        frame["mouse.wheel.dx"], frame["mouse.wheel.dy"] = self.wheel
        for k, v in frame.items():
            if self._sent.get(k) != v:
                rt.set_input(k, v)
        self._sent = frame
        self.pulses.clear()
        self.wheel = [0.0, 0.0]


#: ``run_window``'s ``panel``: ``panel(canvas, device)`` returns a function that draws over each frame
PanelFactory = Callable[[Any, Any], Callable[[], None]]


@dataclass
class _FrameCount:
    """Frame bookkeeping of an open window (times are ``time.perf_counter()`` seconds)."""

    started: float  # when the window opened: model time 0
    shown: float  # when the fps in the title was last computed
    title: str  # the title last shown, without the fps
    frames: int = 0  # frames since ``shown``
    total: int = 0  # frames drawn since the window opened
    fps: float | None = None  # the fps shown in the title (None until the first half second)


def run_window(
    program: CompiledProgram | None,
    size: tuple[int, int] = (800, 800),
    max_fps: float = 60.0,
    title: str = "oscilla",
    max_frames: int | None = None,
    player: FrameDriver | None = None,
    panel: PanelFactory | None = None,
) -> int:
    """Open a window and play ``program`` in real time until it is closed (Esc, the close box, or
    after ``max_frames`` frames when given).

    With ``player`` (an :class:`oscilla.Player`; ``program`` is then ignored) the window drives it:
    every frame calls ``player.step`` (file reload, OSC input, then the frame) and the title is
    ``player.title``, updated as soon as it changes.

    ``panel`` (the control panel of :mod:`oscilla.live.panel`) is called once the window's surface
    is configured, as ``panel(canvas, device)``; the function it returns draws over every frame
    after the runtime has drawn it (into the same surface texture).

    Returns the number of frames drawn.

    Raises:
        NoDisplayError (a RuntimeError): no display is available, or GLFW / rendercanvas failed to
            open the window (see :func:`require_display`).
        CompileError: the program has no render sink (W_NO_RENDER_SINK): it would show a blank window.
        ValueError: neither ``program`` nor ``player`` is given.
    """
    if player is not None:
        program = player.runtime.program
    elif program is None:
        raise ValueError("run_window needs a program or a player")
    problem = render_sink_error(program)
    if problem is not None:
        raise problem
    require_display()
    try:
        from rendercanvas.glfw import RenderCanvas, loop
    except Exception as e:  # noqa: BLE001 - rendercanvas or GLFW cannot load here
        raise NoDisplayError(f"cannot open a window: {e}; {_HINT}") from None

    rt = player.runtime if player is not None else Runtime(program)
    step = player.step if player is not None else rt.step

    def base_title() -> str:
        return player.title if player is not None else title

    try:
        canvas = RenderCanvas(size=size, title=base_title(), update_mode="continuous", max_fps=max_fps, vsync=True)
        context = canvas.get_wgpu_context()
        context.configure(device=rt.device, format="bgra8unorm")
    except Exception as e:  # noqa: BLE001 - GLFW/rendercanvas/surface failures: an error, not a crash
        raise NoDisplayError(f"cannot open a window: {type(e).__name__}: {e}; {_HINT}") from None
    mouse = MouseChannels()
    state = _FrameCount(started=time.perf_counter(), shown=time.perf_counter(), title=base_title())

    def provider() -> tuple[Any, int, int]:  # (wgpu texture view or None, width, height)
        try:
            tex = context.get_current_texture()
        except DRAW_CANCELLED:
            return None, 0, 0
        return tex.create_view(), tex.size[0], tex.size[1]

    rt.attach_target(provider, fmt="bgra8unorm")
    draw_panel = panel(canvas, rt.device) if panel is not None else None  # before our handlers: it sees events first

    def on_event(event: dict[str, Any]) -> None:
        if event.get("event_type") == "key_down" and event.get("key") == "Escape":
            canvas.close()
            return
        w, h = canvas.get_logical_size()
        mouse.handle(event, w, h)

    canvas.add_event_handler(
        on_event, "key_down", "pointer_move", "pointer_down", "pointer_up", "pointer_enter", "pointer_leave", "wheel"
    )

    @canvas.request_draw
    def draw() -> None:
        mouse.apply(rt)
        step((time.perf_counter() - state.started) * 1000.0)
        if draw_panel is not None:
            draw_panel()
        state.frames += 1
        state.total += 1
        if max_frames is not None and state.total >= max_frames:
            canvas.close()
        now = time.perf_counter()
        shown = base_title()
        if now - state.shown >= 0.5 or shown != state.title:
            if now - state.shown >= 0.5:
                state.fps = state.frames / (now - state.shown)
                state.frames, state.shown = 0, now
            state.title = shown
            canvas.set_title(shown if state.fps is None else f"{shown} — {state.fps:.0f} fps")

    loop.run()
    # release the surface before the interpreter tears down wgpu objects in arbitrary order
    rt.attach_target(lambda: (None, 0, 0), fmt="bgra8unorm")
    context.unconfigure()
    return state.total
