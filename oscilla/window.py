"""A live window (rendercanvas, glfw backend): fps in the title, Esc closes, the mouse feeds the
external channels of docs/language/external-channels.md#window-channels.

Keys (docs/guide/window.md): space pauses model time (frames keep presenting), ``[`` / ``]``
halve / double the speed, ``R`` resets (the :class:`oscilla.runtime.transport.Transport` of a
Player, or of the window itself), ``F`` toggles the stats overlay (fps, CPU and GPU frame time,
lanes; :mod:`oscilla.drawing.overlay`), ``0`` resets the view. The wheel zooms about the pointer
and a drag (left or middle button) pans: a :class:`oscilla.drawing.view.ViewTransform` the renderer
applies, never model state; the ``mouse.*`` channels report the world point under the pointer.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from oscilla.drawing.view import IDENTITY, ViewTransform
from oscilla.gpu.device import DRAW_CANCELLED
from oscilla.program import CompiledProgram
from oscilla.runtime.executor import Runtime, render_sink_error
from oscilla.runtime.frame_stats import FrameStats
from oscilla.runtime.transport import Transport


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
    it draws, its transport, a per-frame tick (wall ms since the last frame), a reset and a window
    title that may change between frames."""

    runtime: Runtime
    transport: Transport

    @property
    def title(self) -> str: ...

    def tick(self, dt_ms: float) -> float: ...

    def reset(self) -> None: ...


class MouseChannels:
    """Turns pointer events into the per-frame channel values of docs/language/external-channels.md#window-channels.

    Positions use the inverse viewport mapping: x = 0.5 + (px - W/2)/S, y = 0.5 + (py - H/2)/S with
    S = min(W, H) (pixels in the canvas' logical units); under a view transform (pan / zoom) its
    inverse, :meth:`ViewTransform.to_world`, so they stay the world point under the pointer.
    ``down``/``up`` are pulses (1 in the first
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

    def handle(self, event: dict[str, Any], width: float, height: float, view: ViewTransform = IDENTITY) -> None:
        """Update the channel values from one rendercanvas pointer/wheel ``event`` (a dict with
        ``event_type``, ``x``/``y`` in logical pixels, ``button``, ``dx``/``dy``); ``width`` and
        ``height`` are the canvas' logical size, ``view`` the pan / zoom it is drawn with."""
        et = event.get("event_type")
        if "x" in event and "y" in event and width > 0 and height > 0:
            self.values["mouse.x"], self.values["mouse.y"] = view.to_world(event["x"], event["y"], width, height)
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


class ViewControls:
    """Pan and zoom from pointer events: the wheel zooms about the pointer (one notch, 100 units
    of rendercanvas' ``dy``, is a factor 2**0.2, about 1.15), a drag with the left or middle
    button pans, key ``0`` goes back to :data:`oscilla.drawing.view.IDENTITY`.

    Attributes:
        view: the current :class:`ViewTransform`.
    """

    #: wheel units (rendercanvas ``dy``) per doubling of the zoom
    WHEEL_PER_DOUBLING = 500.0

    def __init__(self) -> None:
        self.view: ViewTransform = IDENTITY
        self._drag: tuple[float, float] | None = None  # last pointer position of a pan drag

    def handle(self, event: dict[str, Any], width: float, height: float) -> bool:
        """Apply one rendercanvas event; returns True when the view changed."""
        et = event.get("event_type")
        if width <= 0 or height <= 0:
            return False
        if et == "key_down" and event.get("key") == "0":
            changed = self.view != IDENTITY
            self.view = IDENTITY
            return changed
        if et == "wheel" and "x" in event and "y" in event:
            dy = float(event.get("dy", 0.0))
            if dy == 0.0:
                return False
            factor = 2.0 ** (-dy / self.WHEEL_PER_DOUBLING)
            self.view = self.view.zoomed_about(event["x"], event["y"], factor, width, height)
            return True
        if et == "pointer_down" and event.get("button") in (1, 3):
            self._drag = (float(event["x"]), float(event["y"]))
        elif et == "pointer_up" and event.get("button") in (1, 3):
            self._drag = None
        elif et == "pointer_move" and self._drag is not None:
            if not set(event.get("buttons", ())) & {1, 3}:  # released outside the window
                self._drag = None
                return False
            x, y = float(event["x"]), float(event["y"])
            dx, dy = x - self._drag[0], y - self._drag[1]
            self._drag = (x, y)
            if dx or dy:
                self.view = self.view.panned(dx, dy, width, height)
                return True
        return False


def hud_lines(
    name: str,
    program: CompiledProgram,
    transport: Transport,
    view: ViewTransform,
    fps: float | None,
    cpu_ms: float | None,
    gpu_ms: float | None,
    gpu_note: str,
) -> list[str]:
    """The text of the stats overlay (``F``): title, fps and frame times (CPU, and GPU from
    timestamp queries or ``gpu_note`` saying why not), lanes, model time and transport, the view,
    the keys."""
    lanes = sum(n for n, _seed in program.instances.values())
    n_inst = len(program.instances)
    t = transport.t_ms or 0.0
    gpu = f"GPU {gpu_ms:.1f} ms" if gpu_ms is not None else f"GPU {gpu_note}"
    lines = [
        name.replace("—", "-"),  # the overlay font has no em dash
        f"{fps:.0f} fps" if fps is not None else "-- fps",
        f"frame CPU {cpu_ms:.1f} ms" if cpu_ms is not None else "frame CPU --",
        gpu,
        f"{lanes:,} lanes in {n_inst} instance{'' if n_inst == 1 else 's'}",
        f"t = {t / 1000.0:.2f} s, {transport.describe()}",
    ]
    if view != IDENTITY:
        lines.append(f"view: zoom {view.zoom:.3g}x at ({view.center[0]:.3f}, {view.center[1]:.3f})")
    lines.append("space pause  [ ] speed  R reset  F stats  0 view")
    return lines


@dataclass
class _FrameCount:
    """Frame bookkeeping of an open window (times are ``time.perf_counter()`` seconds)."""

    started: float  # when the window opened
    shown: float  # when the fps in the title was last computed
    title: str  # the title last shown, without the fps
    frames: int = 0  # frames since ``shown``
    total: int = 0  # frames drawn since the window opened
    fps: float | None = None  # the fps shown in the title (None until the first half second)
    last: float | None = None  # when the previous frame started
    overlay: bool = False  # F: the stats overlay is shown
    gpu_ms: float | None = None  # the last GPU frame time read (timestamp queries)
    cpu_sum: float = 0.0  # CPU ms of the frames since ``shown``
    cpu_ms: float | None = None  # their mean, shown in the overlay
    view: tuple[Any, int, int] = (None, 0, 0)  # the window target of the current frame


def run_window(
    program: CompiledProgram | None,
    size: tuple[int, int] = (800, 800),
    max_fps: float = 60.0,
    title: str = "oscilla",
    max_frames: int | None = None,
    player: FrameDriver | None = None,
    panel: PanelFactory | None = None,
    *,
    stats: FrameStats | None = None,
    events: Iterable[tuple[int, dict[str, Any]]] = (),
    overlay: bool = False,
) -> int:
    """Open a window and play ``program`` in real time until it is closed (Esc, the close box, or
    after ``max_frames`` frames when given).

    With ``player`` (an :class:`oscilla.Player`; ``program`` is then ignored) the window drives it:
    every frame calls ``player.tick`` with the wall milliseconds since the previous frame (file
    reload, OSC input, then the frame at the transport's model time) and the title is
    ``player.title``, updated as soon as it changes. Without one the window keeps its own
    :class:`Transport`. The keys and the mouse are those of the module docstring.

    Args:
        stats: filled with every frame's timings (:class:`FrameStats`: what ``oscilla run``
            summarizes at exit); its ``target_fps`` is set to ``max_fps``.
        events: ``(n, event)`` pairs: rendercanvas event dicts submitted to the window while frame
            ``n`` (0-based) is drawn, handled like real input before the next frame (scripted
            input: tests, demos, captures).
        overlay: start with the stats overlay shown (``F`` toggles it).

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
    transport = player.transport if player is not None else Transport()

    def tick(dt_ms: float) -> None:
        if player is not None:
            player.tick(dt_ms)
        else:
            rt.step(transport.advance(dt_ms))

    def reset() -> None:
        if player is not None:
            player.reset()
        else:
            rt.reset()
            transport.reset()

    def base_title() -> str:
        shown = player.title if player is not None else title
        return f"{shown} — {transport.describe()}" if transport.paused or transport.speed != 1.0 else shown

    try:
        canvas = RenderCanvas(size=size, title=base_title(), update_mode="continuous", max_fps=max_fps, vsync=True)
        context = canvas.get_wgpu_context()
        context.configure(device=rt.device, format="bgra8unorm")
    except Exception as e:  # noqa: BLE001 - GLFW/rendercanvas/surface failures: an error, not a crash
        raise NoDisplayError(f"cannot open a window: {type(e).__name__}: {e}; {_HINT}") from None
    from oscilla.drawing.overlay import TextOverlay
    from oscilla.runtime.profiling import FrameTimer, timestamps_supported

    mouse = MouseChannels()
    view = ViewControls()
    hud = TextOverlay(rt.device, "bgra8unorm")
    timer = FrameTimer(rt.device) if timestamps_supported(rt.device) else None
    rt.frame_timer = timer
    if stats is not None:
        stats.target_fps = float(max_fps)
    script: dict[int, list[dict[str, Any]]] = {}
    for n, ev in events:
        script.setdefault(int(n), []).append(ev)
    state = _FrameCount(
        started=time.perf_counter(), shown=time.perf_counter(), title=base_title(), overlay=bool(overlay)
    )

    def provider() -> tuple[Any, int, int]:  # (wgpu texture view or None, width, height)
        try:
            tex = context.get_current_texture()
        except DRAW_CANCELLED:
            state.view = (None, 0, 0)
            return state.view
        state.view = (tex.create_view(), tex.size[0], tex.size[1])
        return state.view

    rt.attach_target(provider, fmt="bgra8unorm")
    draw_panel = panel(canvas, rt.device) if panel is not None else None  # before our handlers: it sees events first

    def on_event(event: dict[str, Any]) -> None:
        et = event.get("event_type")
        if et == "key_down":
            key = event.get("key")
            if key == "Escape":
                canvas.close()
                return
            if key in ("f", "F"):
                state.overlay = not state.overlay
            elif transport.handle_key(str(key)) == "reset":
                reset()
        w, h = canvas.get_logical_size()
        if view.handle(event, w, h):
            rt.view = view.view
        mouse.handle(event, w, h, view.view)

    canvas.add_event_handler(
        on_event, "key_down", "pointer_move", "pointer_down", "pointer_up", "pointer_enter", "pointer_leave", "wheel"
    )

    @canvas.request_draw
    def draw() -> None:
        for ev in script.pop(state.total, ()):
            canvas.submit_event(ev)
        start = time.perf_counter()
        dt_ms = 0.0 if state.last is None else (start - state.last) * 1000.0
        mouse.apply(rt)
        tick(dt_ms)
        if draw_panel is not None:
            draw_panel()
        target = state.view[0]
        if state.overlay and target is not None:
            enc = rt.device.create_command_encoder()
            hud.encode(enc, target)
            rt.device.queue.submit([enc.finish()])
        now = time.perf_counter()
        cpu_ms = (now - start) * 1000.0
        state.cpu_sum += cpu_ms
        if stats is not None:
            stats.record(cpu_ms, None if state.last is None else dt_ms)
        state.last = start
        state.frames += 1
        state.total += 1
        if max_frames is not None and state.total >= max_frames:
            canvas.close()
        shown = base_title()
        refresh = now - state.shown >= 0.5
        if refresh or shown != state.title or (state.overlay and not hud.lines):
            if refresh:
                state.fps = state.frames / (now - state.shown)
                state.cpu_ms = state.cpu_sum / max(state.frames, 1)
                state.frames, state.shown, state.cpu_sum = 0, now, 0.0
                if timer is not None and state.overlay:
                    state.gpu_ms = timer.read_ms()
                    if stats is not None:
                        stats.record_gpu(state.gpu_ms)
            state.title = shown
            canvas.set_title(shown if state.fps is None else f"{shown} — {state.fps:.0f} fps")
            if state.overlay:
                hud.set_text(
                    hud_lines(
                        player.title if player is not None else title,
                        rt.program,
                        transport,
                        view.view,
                        state.fps,
                        state.cpu_ms if state.cpu_ms is not None else cpu_ms,
                        state.gpu_ms,
                        "n/a (no timestamp queries)" if timer is None else "--",
                    )
                )

    loop.run()
    # release the surface before the interpreter tears down wgpu objects in arbitrary order
    rt.attach_target(lambda: (None, 0, 0), fmt="bgra8unorm")
    rt.frame_timer = None
    if timer is not None:
        timer.release()
    hud.release()
    context.unconfigure()
    return state.total
