"""Inline display in Jupyter (docs/guide/controls.md#notebooks): a live canvas with the patch's
controls as ipywidgets where the ``live`` extra is installed, and always a static PNG frame.

An :class:`oscilla.Player` (and, through :func:`program_png`, a CompiledProgram) shows
itself as

- ``image/png``: the last frame (:func:`png_bytes`), what nbconvert, GitHub and a notebook run
  headless show;
- in a live kernel with ``jupyter_rfb`` and ``ipywidgets`` (``pip install oscilla[live]``): a
  rendercanvas Jupyter canvas (:func:`live_view`) that plays the patch in real time, with a
  widget per declared control (a slider, a toggle button, a button for a trigger, two sliders for
  an xy pad). A front end that renders widgets shows the canvas; the others fall back to the PNG.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from oscilla.live.controls import ControlValues
from oscilla.runtime.executor import Runtime, render_sink_error
from oscilla.window import MouseChannels

#: the extra that brings the live notebook view (and the window's control panel)
LIVE_EXTRA = "pip install 'oscilla[live]'"


class MissingExtraError(ImportError):
    """An optional dependency of the ``live`` extra is not installed; the message names the extra."""


def png_bytes(image: np.ndarray) -> bytes:
    """An (H, W, 4) uint8 RGBA image encoded as PNG (Pillow), as ``_repr_png_`` returns it."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image), mode="RGBA").save(buf, format="PNG")
    return buf.getvalue()


def in_kernel() -> bool:
    """Whether this process is a Jupyter kernel (IPython with a kernel attached)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and getattr(shell, "kernel", None) is not None


def live_available() -> bool:
    """Whether the live view can be built here: jupyter_rfb and ipywidgets import."""
    try:
        import ipywidgets  # noqa: F401
        import jupyter_rfb  # noqa: F401
    except ImportError:
        return False
    return True


def _require_live() -> None:
    missing = []
    for name in ("ipywidgets", "jupyter_rfb"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise MissingExtraError(
            f"the live notebook view needs {' and '.join(missing)}: {LIVE_EXTRA} "
            f"(without it a Player shows a static frame)"
        )


def control_widgets(controls: ControlValues) -> list[Any]:
    """One ipywidget per control of ``controls``, wired to it: a FloatSlider for a slider, a
    ToggleButton for a toggle, a Button for a trigger, an x and a y FloatSlider for an xy pad.

    Raises:
        MissingExtraError: ipywidgets is not installed (the message names the ``live`` extra).
    """
    try:
        import ipywidgets as w
    except ImportError:
        raise MissingExtraError(f"notebook controls need ipywidgets: {LIVE_EXTRA}") from None
    out: list[Any] = []
    for c in controls.controls:
        step = (c.hi - c.lo) / 200.0
        if c.kind == "slider":
            s = w.FloatSlider(value=controls.get(c.channel), min=c.lo, max=c.hi, step=step, description=c.label)
            s.observe(lambda ch, name=c.channel: controls.set(name, ch["new"]), names="value")
            out.append(s)
        elif c.kind == "toggle":
            t = w.ToggleButton(value=controls.get(c.channel) == c.hi, description=c.label)
            t.observe(lambda ch, spec=c: controls.set(spec.channel, spec.hi if ch["new"] else spec.lo), names="value")
            out.append(t)
        elif c.kind == "trigger":
            b = w.Button(description=c.label)
            b.on_click(lambda _b, name=c.channel: controls.press(name))
            out.append(b)
        else:  # xy: ipywidgets has no 2-D pad; two sliders
            x0, y0 = controls.get(c.channel)  # type: ignore[misc]
            sx = w.FloatSlider(value=x0, min=c.lo, max=c.hi, step=step, description=f"{c.label} x")
            sy = w.FloatSlider(value=y0, min=c.lo, max=c.hi, step=step, description=f"{c.label} y")

            def moved(_ch: Any, name: str = c.channel, sx: Any = sx, sy: Any = sy) -> None:
                controls.set(name, (sx.value, sy.value))

            sx.observe(moved, names="value")
            sy.observe(moved, names="value")
            out.append(w.HBox([sx, sy]))
    return out


def live_view(
    runtime: Runtime,
    step: Callable[[float], None],
    controls: ControlValues | None = None,
    size: tuple[int, int] = (512, 512),
    max_fps: float = 30.0,
) -> Any:
    """A widget that plays ``runtime`` in real time: a rendercanvas Jupyter canvas (jupyter_rfb)
    above the control widgets. Every draw calls ``step(t_ms)`` with the wall time since the view
    was made (ms) added to the model time the runtime had reached, and the canvas shows the frame;
    the pointer over the canvas feeds the ``mouse.*`` channels as in the window.

    Args:
        runtime: the Runtime to draw (its window target becomes this canvas).
        step: runs one frame at ``t_ms`` (``Player.step`` or ``Runtime.step``).
        controls: the control values the widgets change (None: no widgets).
        size: the canvas' (width, height) in logical pixels.
        max_fps: the most frames per second the canvas asks for.

    Returns:
        an ipywidgets VBox (the canvas alone when there are no controls).

    Raises:
        MissingExtraError: jupyter_rfb or ipywidgets is not installed (the message names the extra).
    """
    _require_live()
    import ipywidgets as w
    from rendercanvas.jupyter import RenderCanvas

    canvas = RenderCanvas(size=size, update_mode="continuous", max_fps=max_fps)
    context = canvas.get_wgpu_context()
    context.configure(device=runtime.device, format="rgba8unorm")

    def provider() -> tuple[Any, int, int]:
        tex = context.get_current_texture()
        return tex.create_view(), tex.size[0], tex.size[1]

    runtime.attach_target(provider, fmt="rgba8unorm")
    mouse = MouseChannels()
    clock = runtime.time
    base = 0.0 if clock.first else float(clock.prev)
    started = time.perf_counter()

    def on_event(event: dict[str, Any]) -> None:
        w_, h_ = canvas.get_logical_size()
        mouse.handle(event, w_, h_)

    canvas.add_event_handler(
        on_event, "pointer_move", "pointer_down", "pointer_up", "pointer_enter", "pointer_leave", "wheel"
    )

    @canvas.request_draw
    def draw() -> None:
        mouse.apply(runtime)
        step(base + (time.perf_counter() - started) * 1000.0)

    widgets = control_widgets(controls) if controls is not None and controls.controls else []
    return w.VBox([canvas, *widgets]) if widgets else canvas


def program_png(program: Any) -> bytes | None:
    """The PNG of a CompiledProgram's first frame (t = 0 ms) at its ``settings.size``: what
    ``osc.render_png(program, path, t_ms=0, size=program.size)`` writes; None for a program that
    draws nothing (no render sink). ``oscilla/__init__.py`` registers it as IPython's ``image/png``
    formatter of CompiledProgram (the program record sits below the runtime in the layers)."""
    if render_sink_error(program) is not None:
        return None
    rt = Runtime(program)
    rt.step(0.0)
    return png_bytes(rt.render(*program.size))
