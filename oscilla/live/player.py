"""``osc.Player``: a patch file played live, reloaded when it changes, fed by OSC messages.

A Player owns one :class:`~oscilla.runtime.executor.Runtime`. Every ``step`` first applies a
pending file change (read, compile, ``Runtime.swap``: time, channels and state continue), then the
OSC values that arrived since the previous frame, then runs the frame. A reload that fails (bad
JSON, a half-written file, any compile error) changes nothing: the last good program keeps playing
with its state, and the diagnostics go to stderr, to ``diagnostics`` and to ``title``.

Threads: the file watcher (watchdog) only marks a change as pending, and the OSC server
(python-osc, 127.0.0.1 only) only queues ``(channel, value)`` pairs; compiling, swapping and
``set_input`` happen on the thread that calls ``step`` / ``poll``, between frames.
"""

from __future__ import annotations

import errno
import logging
import math
import os
import sys
import threading
import time
import traceback
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeGuard

import numpy as np

from oscilla.compiler.compile import compile_patch
from oscilla.diagnostics import ERROR, CompileError, Diagnostic, format_diagnostics
from oscilla.live.controls import ControlValues
from oscilla.live.notebook import LIVE_EXTRA, in_kernel, live_available, live_view, png_bytes
from oscilla.live.panel import control_panel, imgui_available
from oscilla.patch import Patch, load_patch, patch_from_bytes
from oscilla.runtime.clock import UnknownChannelWarning, check_time
from oscilla.runtime.executor import Runtime, render_sink_error
from oscilla.runtime.frame_stats import FrameStats
from oscilla.runtime.migrate import SwapReport
from oscilla.runtime.transport import Transport
from oscilla.window import run_window

log = logging.getLogger("oscilla.live")

#: OSC address prefix: ``/oscilla/<channel> <float>`` sets external channel ``<channel>``
OSC_PREFIX = "/oscilla/"
#: a file change is applied once the file has been quiet this long (editors write in several steps)
DEBOUNCE_S = 0.1


def _norm(path: str | os.PathLike[str]) -> str:
    """Comparable absolute path: the real directory plus the file name (the file may not exist)."""
    p = os.path.abspath(os.fsdecode(path))
    return os.path.join(os.path.realpath(os.path.dirname(p)), os.path.basename(p))


def _is_path(source: object) -> TypeGuard[str | os.PathLike[str]]:
    """Whether ``source`` names a file (a path-like, or a str that is not JSON text)."""
    if isinstance(source, os.PathLike):
        return True
    return isinstance(source, str) and source.lstrip()[:1] not in ("{", "[", "")


class _FileWatch:
    """Change notification for one file through watchdog. It watches the file's directory, so
    editors that save by writing a temporary file and renaming it over the original are seen too;
    ``on_change`` runs on the observer thread."""

    _KINDS = {"modified", "created", "moved", "deleted", "closed"}  # not "opened"/"closed_no_write"

    def __init__(self, path: Path, on_change: Callable[[], None]):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        target, kinds = _norm(path), self._KINDS

        class Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.is_directory or event.event_type not in kinds:
                    return
                if target in (_norm(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p):
                    on_change()

        folder = os.path.dirname(_norm(path))
        if not os.path.isdir(folder):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), folder)
        self._observer = Observer()
        self._observer.schedule(Handler(), folder, recursive=False)
        try:
            self._observer.start()
        except OSError as e:  # e.g. the inotify watch limit is reached: poll the directory instead
            from watchdog.observers.polling import PollingObserver

            log.warning("file notification unavailable (%s); polling %s every 0.25 s", e, folder)
            self._observer = PollingObserver(timeout=0.25)
            self._observer.schedule(Handler(), folder, recursive=False)
            self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join(timeout=2.0)


class _OscServer:
    """python-osc UDP server on 127.0.0.1:port (0: a free port) in a daemon thread. It only appends
    ``(channel, value)`` to ``queue``; other addresses and non-numeric arguments are ignored (with
    one log warning each)."""

    def __init__(self, port: int, queue: deque[tuple[str, float]]):
        from pythonosc.dispatcher import Dispatcher
        from pythonosc.osc_server import BlockingOSCUDPServer

        self._queue = queue
        self._warned: set[str] = set()
        dispatcher = Dispatcher()
        dispatcher.set_default_handler(self._on_message)
        try:
            self._server = BlockingOSCUDPServer(("127.0.0.1", int(port)), dispatcher)
        except OSError as e:
            raise OSError(e.errno, f"cannot listen for OSC on 127.0.0.1:{port}: {e.strerror}") from None
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"oscilla-osc-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def _warn_once(self, kind: str, msg: str, *args: object) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            log.warning(msg + " (reported once)", *args)

    def _on_message(self, address: str, *args: object) -> None:
        if not address.startswith(OSC_PREFIX) or len(address) == len(OSC_PREFIX):
            self._warn_once(
                "address", "OSC: ignoring a message to %r; oscilla listens to %s<channel> <float>", address, OSC_PREFIX
            )
            return
        value = args[0] if args else None
        if isinstance(value, bool):  # OSC True/False (TouchOSC toggles) -> 1 / 0
            value = float(value)
        if not isinstance(value, (int, float)) or not math.isfinite(value):
            self._warn_once("args", "OSC: ignoring %s with argument %r; a finite number is expected", address, args[:1])
            return
        self._queue.append((address[len(OSC_PREFIX) :], float(value)))

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=2.0)


class Player:
    """A patch played live: reload on file change, OSC input, offscreen or in the window.

    Args:
        source: a patch file path (str or path-like). With ``watch=False`` it may also be a dict,
            JSON text or an :class:`oscilla.Patch`.
        watch: reload the file when it changes (within ``DEBOUNCE_S`` + one frame of the edit).
        osc_port: listen for ``/oscilla/<channel> <float>`` on 127.0.0.1 at this UDP port
            (0: a free port, see :attr:`osc_port`); None: no OSC.
        size: the default ``render`` size (and the window size of :func:`run`).
        observe: ports to keep readable with ``read`` (as ``osc.compile``), on every reload too.
        debounce_s: how long the file must be quiet before a change is applied.
        device: a wgpu device for the Runtime (default: the shared one).
        allow_paths: folders besides the patch's own whose files an ``Image`` may read (as
            ``osc.compile``; docs/language/rendering.md#images).

    Raises:
        CompileError: the patch does not compile at start (there is no last good version yet).
        OSError: the file cannot be read, or the OSC port cannot be bound.
        ValueError: ``watch=True`` without a file path.

    Attributes:
        runtime: the :class:`~oscilla.runtime.executor.Runtime` (the same object across swaps).
        program: the running (last good) CompiledProgram.
        diagnostics: the diagnostics of the last failed reload; ``[]`` while the file compiles.
        last_swap: the SwapReport of the last successful reload, or None.
        transport: the :class:`~oscilla.runtime.transport.Transport` of :meth:`tick`, :meth:`pause`,
            :meth:`resume`, :attr:`speed` and :meth:`seek` (the window drives the same one).
    """

    def __init__(
        self,
        source: str | os.PathLike[str] | Patch | dict[str, Any],
        watch: bool = True,
        osc_port: int | None = None,
        size: tuple[int, int] = (512, 512),
        *,
        observe: Iterable[str] | None = None,
        debounce_s: float = DEBOUNCE_S,
        device: Any = None,
        allow_paths: Iterable[str | os.PathLike[str]] = (),
    ):
        self.observe = list(observe) if observe is not None else None
        self.allow_paths = list(allow_paths)
        self.size = (int(size[0]), int(size[1]))
        self.debounce_s = float(debounce_s)
        self.path: Path | None = Path(source) if _is_path(source) else None
        if watch and self.path is None:
            raise ValueError("watching needs a patch file path; pass watch=False to play a dict or JSON text")
        self.name = self.path.name if self.path is not None else "patch"
        self.diagnostics: list[Diagnostic] = []
        self.last_swap: SwapReport | None = None
        self.transport = Transport()
        self._lock = threading.Lock()
        self._pending = False
        self._changed_at = 0.0
        self._osc_queue: deque[tuple[str, float]] = deque()
        #: input sources (MIDI, audio): closed with the player; those with ``channels(t_ms)`` are
        #: asked for their values before each frame (oscilla.live.midi, oscilla.live.audio)
        self._sources: list[Any] = []
        self._watch: _FileWatch | None = None
        self._osc: _OscServer | None = None
        self._closed = False
        try:
            # watch before the first read, so that no edit falls between the two
            if watch and self.path is not None:  # watch without a path was refused above
                self._watch = _FileWatch(self.path, self._on_file_event)
            if self.path is not None:
                self._last_bytes: bytes | None = self.path.read_bytes()
                patch = self._patch_of(self._last_bytes)
            else:
                self._last_bytes, patch = None, load_patch(source)
            self.program = compile_patch(patch, observe=self.observe, allow_paths=self.allow_paths)
            self.runtime = Runtime(self.program, device)
            #: the values of the patch's declared controls (docs/guide/controls.md), fed every frame
            self.controls = ControlValues(self.program.controls)
            if osc_port is not None:
                self._osc = _OscServer(osc_port, self._osc_queue)
        except BaseException:
            self.close()
            raise

    def _patch_of(self, data: bytes) -> Patch:
        """The patch in the file's bytes (the loader of load_patch and the CLI), with its folder as
        ``base_dir`` (where the files its blocks name are looked up)."""
        patch = patch_from_bytes(data)
        assert self.path is not None
        patch.base_dir = self.path.resolve().parent
        return patch

    # -- file changes --------------------------------------------------------------------------
    def _on_file_event(self) -> None:  # observer thread
        with self._lock:
            self._pending = True
            self._changed_at = time.monotonic()

    def poll(self) -> bool:
        """Apply a pending file change once the file has been quiet for ``debounce_s``.

        Returns True when the running program was swapped (see :meth:`reload`)."""
        if self._watch is None:
            return False
        with self._lock:
            if not self._pending or time.monotonic() - self._changed_at < self.debounce_s:
                return False
            self._pending = False
        return self.reload()

    def reload(self) -> bool:
        """Read the file now; if its bytes changed since the last attempt, compile and swap.

        On success the new program runs with migrated state (:attr:`last_swap` holds the report)
        and :attr:`diagnostics` is cleared; on failure nothing changes except :attr:`diagnostics`
        and :attr:`title`, and the diagnostics are printed to stderr. Returns True on a swap."""
        if self.path is None:
            return False
        try:
            data = self.path.read_bytes()
        except OSError as e:  # e.g. between an editor's delete and rename: the next event retries
            self._last_bytes = None
            return self._failed([Diagnostic("E_PATCH_INVALID", ERROR, f"cannot read the file: {e.strerror or e}")])
        if data == self._last_bytes:
            return False
        self._last_bytes = data
        try:
            program = compile_patch(self._patch_of(data), observe=self.observe, allow_paths=self.allow_paths)
            report = self.runtime.swap(program)  # builds everything first; raises before any change
        except CompileError as e:
            return self._failed(e.diagnostics)
        except Exception as e:  # noqa: BLE001 - a bug in oscilla must not stop the performance
            if os.environ.get("OSCILLA_DEBUG"):
                traceback.print_exc()
            return self._failed(
                [
                    Diagnostic(
                        "E_INTERNAL",
                        ERROR,
                        f"internal error (a bug in oscilla, please report it): {type(e).__name__}: {e}",
                    )
                ]
            )
        recovered = bool(self.diagnostics)
        self.program, self.last_swap, self.diagnostics = program, report, []
        self.controls.bind(program.controls)
        for d in report.diagnostics:  # I_STATE_RESET infos name the re-initialized cells
            print(d.format(), file=sys.stderr)
        print(
            f"oscilla: reloaded {self.name}" + (" (it compiles again)" if recovered else "") + f": {report.summary()}",
            file=sys.stderr,
        )
        return True

    def _failed(self, diagnostics: Iterable[Diagnostic]) -> bool:
        self.diagnostics = list(diagnostics)
        print(f"oscilla: {self.name}: {self._count()} (running the last good version)", file=sys.stderr)
        for line in format_diagnostics(self.diagnostics):  # summarized beyond 50 of one code
            print(line, file=sys.stderr)
        return False

    def _count(self) -> str:
        errors = [d for d in self.diagnostics if d.severity == ERROR] or self.diagnostics
        return f"{len(errors)} error{'' if len(errors) == 1 else 's'}"

    @property
    def title(self) -> str:
        """Window title: ``oscilla — name.json`` or, after a failed reload,
        ``oscilla — name.json — 2 errors (running the last good version): E_... block.port: ...``."""
        base = f"oscilla — {self.name}"
        if not self.diagnostics:
            return base
        first = next((d for d in self.diagnostics if d.severity == ERROR), self.diagnostics[0]).format()
        if len(first) > 300:
            first = first[:299] + "…"
        return f"{base} — {self._count()} (running the last good version): {first}"

    # -- OSC ------------------------------------------------------------------------------------
    @property
    def osc_port(self) -> int | None:
        """The UDP port the OSC server listens on (the chosen one when 0 was asked), or None."""
        return self._osc.port if self._osc is not None else None

    def _apply_osc(self) -> None:
        """Channel values that arrived since the last frame; the last one per channel wins (the
        snapshot of docs/language/external-channels.md#channels is taken when the frame starts)."""
        q = self._osc_queue
        while q:
            name, value = q.popleft()
            with warnings.catch_warnings(record=True) as caught:  # a controller may send channels no
                warnings.simplefilter("always", UnknownChannelWarning)  # program reads: log, not warn
                self.runtime.set_input(name, value)
            for w in caught:
                log.info("%s", w.message)

    @property
    def input_queue(self) -> deque[tuple[str, float]]:
        """The queue of (channel, value) pairs applied before the next frame (OSC, MIDI and live
        audio threads append to it; appends are thread-safe)."""
        return self._osc_queue

    def add_source(self, source: Any) -> None:
        """Keep an input source until :meth:`close`: a :class:`~oscilla.live.midi.MidiInput` or
        :class:`~oscilla.live.audio.LiveAudio` (which feed :attr:`input_queue` from their own
        threads), or anything with ``channels(t_ms) -> {channel: value}`` (an
        :class:`~oscilla.live.audio.AudioTrack`), asked before each frame at the frame's model time."""
        self._sources.append(source)

    def _apply_sources(self, t_ms: float) -> None:
        for source in self._sources:
            channels = getattr(source, "channels", None)
            if channels is not None:
                self._osc_queue.extend(channels(t_ms).items())

    # -- frames ---------------------------------------------------------------------------------
    def step(self, t_ms: float) -> None:
        """Apply a pending file change (:meth:`poll`), then the controls that moved, then the queued
        OSC, MIDI and audio values, then run the frame at absolute model time ``t_ms`` (ms; as
        ``Runtime.step``, time never moves backwards)."""
        self.poll()
        self.controls.apply(self.runtime)
        self._apply_sources(t_ms)
        self._apply_osc()
        self.runtime.step(t_ms)
        self.transport.observe(t_ms)

    # -- transport ------------------------------------------------------------------------------
    def tick(self, dt_ms: float) -> float:
        """Advance model time by ``dt_ms * speed`` (wall milliseconds since the last frame) and run
        a frame there (:meth:`step`); while paused the frame repeats at the same model time.
        Returns the frame's model time (:attr:`t_ms`).

        Raises:
            ValueError: ``dt_ms`` is not a finite number >= 0.
        """
        t = self.transport.advance(dt_ms)
        self.step(t)
        return t

    def pause(self) -> None:
        """Stop model time: :meth:`tick` keeps running frames, all at the same model time."""
        self.transport.pause()

    def resume(self) -> None:
        """Let model time run again from where it stopped."""
        self.transport.resume()

    @property
    def paused(self) -> bool:
        """True while paused (:meth:`pause`)."""
        return self.transport.paused

    @property
    def speed(self) -> float:
        """Model ms per wall ms of :meth:`tick` (default 1; 2: twice as fast).

        Raises:
            ValueError: setting a value that is not a finite number >= 0.
        """
        return self.transport.speed

    @speed.setter
    def speed(self, value: float) -> None:
        self.transport.speed = value

    def seek(self, t_ms: float) -> float:
        """Run a frame at model time ``t_ms`` (forward only: a time before :attr:`t_ms` is refused;
        :meth:`reset` first to start over); pause and speed are kept. Returns ``t_ms``.

        Raises:
            ValueError: ``t_ms`` is not a finite number, is negative, above ``MAX_T_MS``, or before
                the current model time.
        """
        check_time(t_ms)  # before the transport moves: a bad time changes nothing
        t = self.transport.seek(t_ms)
        self.step(t)
        return t

    @property
    def t_ms(self) -> float | None:
        """The model time (ms) of the last frame; None before the first frame and after :meth:`reset`."""
        return self.transport.t_ms

    def set_input(self, name: str, value: float) -> None:
        """Set external channel ``name`` for the next frame (as ``Runtime.set_input``)."""
        self.runtime.set_input(name, value)

    def set_control(self, channel: str, value: float | tuple[float, float]) -> None:
        """Move the declared control of ``channel`` (clamped to its range; a pair for an xy pad; a
        trigger fires when set above its midpoint); the next :meth:`step` feeds it to the channel.

        Raises:
            KeyError: the patch declares no control for ``channel``.
            ValueError: a pair for a one-value control, or a number for an xy pad.
        """
        self.controls.set(channel, value)

    def reset(self) -> None:
        """Back to frame 0 with initial state (as ``Runtime.reset``); model time starts again at 0
        (speed and pause are kept)."""
        self.runtime.reset()
        self.transport.reset()

    def render(self, width: int | None = None, height: int | None = None) -> np.ndarray:
        """The last frame as (height, width, 4) uint8 RGBA, at ``size`` unless given."""
        return self.runtime.render(width or self.size[0], height or self.size[1])

    def read(self, name: str) -> np.ndarray:
        """Port ``"block.port"`` of the last frame (as ``Runtime.read``)."""
        return self.runtime.read(name)

    def read_state(self, state_id: str) -> np.ndarray:
        """State cell ``"block:role"`` after the last frame (as ``Runtime.read_state``)."""
        return self.runtime.read_state(state_id)

    # -- lifetime -------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the file watcher and the OSC server (the runtime stays usable). Idempotent."""
        if self._closed:
            return
        self._closed = True
        watch, osc, self._watch, self._osc = self._watch, self._osc, None, None
        if watch is not None:
            watch.stop()
        if osc is not None:
            osc.close()
        sources, self._sources = getattr(self, "_sources", []), []
        for source in sources:
            close = getattr(source, "close", None)
            if close is not None:
                close()

    def __enter__(self) -> Player:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<oscilla.Player {self.title!r}>"

    # -- notebooks (docs/guide/controls.md#notebooks) ---------------------------------------------
    def _repr_png_(self) -> bytes | None:
        """The last frame at :attr:`size` as PNG (the frame at 0 ms when none ran yet); None for a
        patch without a render sink. What a notebook shows when it cannot show the live view."""
        if render_sink_error(self.program) is not None:
            return None
        if self.runtime.frame_time is None:
            self.step(0.0)
        return png_bytes(self.render())

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any] | None:
        """In a Jupyter kernel with the ``live`` extra: the live view (:meth:`show`); IPython adds
        the static ``image/png`` of :meth:`_repr_png_` beside it. Elsewhere nothing (the PNG alone)."""
        if not (in_kernel() and live_available()) or render_sink_error(self.program) is not None:
            return None
        return self.show()._repr_mimebundle_(include=include, exclude=exclude)

    def show(self, max_fps: float = 30.0) -> Any:
        """The live view of this player for a notebook: a canvas that plays it in real time (at
        :attr:`size`) above a widget per declared control (:func:`oscilla.live.notebook.live_view`).
        Its time continues from the last frame.

        Raises:
            MissingExtraError (an ImportError): jupyter_rfb or ipywidgets is missing; the message
                says ``pip install 'oscilla[live]'``.
            CompileError: the patch has no render sink (W_NO_RENDER_SINK).
        """
        problem = render_sink_error(self.program)
        if problem is not None:
            raise problem
        self._view = live_view(self.runtime, self.step, self.controls, self.size, max_fps=max_fps)
        return self._view


def run(
    source: str | os.PathLike[str] | Patch | dict[str, Any],
    watch: bool = False,
    osc_port: int | None = None,
    size: tuple[int, int] = (800, 800),
    max_frames: int | None = None,
    max_fps: float = 60.0,
    midi: str | None = None,
    audio: str | None = None,
    allow_paths: Iterable[str | os.PathLike[str]] = (),
    *,
    stats: FrameStats | None = None,
    overlay: bool = False,
) -> int:
    """Play ``source`` in a window (rendercanvas, glfw) through a :class:`Player`; the title shows
    the Player's title and the frame rate, and a patch that declares controls gets the ImGui control
    panel (:mod:`oscilla.live.panel`; without imgui-bundle a note names the ``live`` extra). Esc or
    the close box ends it; returns the frames drawn. The window's keys drive the Player's
    :attr:`Player.transport` (space, ``[``, ``]``, ``R``), ``F`` toggles the stats overlay
    (``overlay=True``: shown from the start), the wheel and a drag zoom and pan
    (:func:`oscilla.window.run_window`); ``stats`` collects the frame timings.

    ``midi``: a MIDI input port name, or ``"auto"`` for the first (channels ``midi.*``,
    :mod:`oscilla.live.midi`). ``audio``: a sound file (analysed in model time, not played) or an
    input device name or index, ``"default"`` for the system's (channels ``audio.*``,
    :mod:`oscilla.live.audio`).

    Raises CompileError when the patch does not compile at start, RuntimeError without a display,
    ImportError when the ``live`` extra a source needs is missing, OSError or ValueError when a
    MIDI port or audio source cannot be opened."""
    with Player(source, watch=watch, osc_port=osc_port, size=size, allow_paths=allow_paths) as player:
        _open_sources(player, midi, audio)
        if player.osc_port is not None:
            print(
                f"oscilla: listening for OSC on 127.0.0.1:{player.osc_port} ({OSC_PREFIX}<channel> <float>)",
                file=sys.stderr,
            )
        if watch:
            print(f"oscilla: watching {player.path} for changes", file=sys.stderr)
        panel = None
        if player.program.controls:  # the patch declares controls: the ImGui panel shows them
            if imgui_available():
                panel = control_panel(player.controls)
            else:
                print(
                    f"oscilla: the patch declares controls, but the panel needs imgui-bundle: {LIVE_EXTRA} "
                    f"(the controls keep their defaults)",
                    file=sys.stderr,
                )
        return run_window(
            None,
            size=size,
            max_fps=max_fps,
            max_frames=max_frames,
            player=player,
            panel=panel,
            stats=stats,
            overlay=overlay,
        )


def _open_sources(player: Player, midi: str | None, audio: str | None) -> None:
    """Attach the MIDI and audio sources :func:`run` was asked for (module-level imports would
    load mido / numpy FFT code for every player)."""
    if midi is not None:
        from oscilla.live.midi import MidiInput

        port = MidiInput(player.input_queue, midi)
        player.add_source(port)
        print(
            f"oscilla: reading MIDI from {port.name!r} (channels midi.cc.<n>, midi.note.<n>, midi.bend)",
            file=sys.stderr,
        )
    if audio is not None:
        from oscilla.live.audio import AudioTrack, LiveAudio

        if Path(audio).is_file():
            player.add_source(AudioTrack.from_file(audio))
            print(f"oscilla: analysing {audio} in model time (channels audio.*)", file=sys.stderr)
        else:
            device: str | int | None = None if audio == "default" else (int(audio) if audio.isdigit() else audio)
            player.add_source(LiveAudio(player.input_queue, device))
            print(f"oscilla: analysing audio input {audio!r} (channels audio.*)", file=sys.stderr)
