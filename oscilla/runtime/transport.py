"""Transport: play, pause, speed, seek and reset of model time, shared by ``osc.Player`` and the window.

Model time is what ``Runtime.step`` receives (milliseconds, never decreasing: the time model of
docs/language/time.md). A :class:`Transport` turns elapsed wall time into model time: every
:meth:`Transport.advance` ``(dt_ms)`` moves it by ``dt_ms * speed``, or not at all while paused, so a
paused player keeps presenting frames at one model time. :meth:`Transport.seek` jumps forward
only; going back is :meth:`Transport.reset` (with the runtime's ``reset``).

:data:`TRANSPORT_KEYS` is the window's key map (space, ``[``, ``]``, ``r``), so every front end
binds the same keys to the same actions (:meth:`Transport.handle_key`).

Pure Python: no GPU here.
"""

from __future__ import annotations

import math

#: window key (rendercanvas' ``key`` of a ``key_down`` event) -> transport action
TRANSPORT_KEYS: dict[str, str] = {
    " ": "toggle_pause",
    "[": "slower",
    "]": "faster",
    "r": "reset",
    "R": "reset",
}
#: the speed range the ``[`` / ``]`` keys halve and double within
MIN_KEY_SPEED = 1.0 / 64.0
MAX_KEY_SPEED = 64.0


def _number(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return float(value)


class Transport:
    """Model time under play / pause / speed / seek / reset.

    Attributes:
        t_ms: the model time (ms) of the last frame, or None before the first frame (and after
            :meth:`reset`).
        paused: True while model time stands still.
    """

    def __init__(self) -> None:
        self.t_ms: float | None = None
        self.paused = False
        self._speed = 1.0

    @property
    def speed(self) -> float:
        """Model milliseconds per wall millisecond (1: real time; 2: twice as fast).

        Raises:
            ValueError: setting a value that is not a finite number >= 0.
        """
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        v = _number("speed", value)
        if v < 0.0:
            raise ValueError(f"speed must be >= 0 (model time never runs backwards), got {value!r}")
        self._speed = v

    def advance(self, dt_ms: float) -> float:
        """The model time of the next frame, ``dt_ms`` wall milliseconds after the last one:
        ``t_ms + dt_ms * speed`` (0 + ``dt_ms * speed`` for the first frame), or ``t_ms`` unchanged
        while paused. Records it as :attr:`t_ms` and returns it.

        Raises:
            ValueError: ``dt_ms`` is not a finite number >= 0.
        """
        dt = _number("dt_ms", dt_ms)
        if dt < 0.0:
            raise ValueError(f"dt_ms must be >= 0 (wall time elapsed since the last frame), got {dt_ms!r}")
        base = self.t_ms if self.t_ms is not None else 0.0
        self.t_ms = base if self.paused else base + dt * self._speed
        return self.t_ms

    def seek(self, t_ms: float) -> float:
        """Jump to model time ``t_ms`` (forward only); records and returns it.

        Raises:
            ValueError: ``t_ms`` is not a finite number, is negative, or is before :attr:`t_ms`
                (time never moves backwards: :meth:`reset`, then seek).
        """
        t = _number("t_ms", t_ms)
        if t < 0.0:
            raise ValueError(f"seek: t_ms must be >= 0, got {t_ms!r}")
        if self.t_ms is not None and t < self.t_ms:
            raise ValueError(
                f"seek is forward only: {t:g} ms is before the current model time {self.t_ms:g} ms; "
                f"reset() first to play from 0"
            )
        self.t_ms = t
        return t

    def observe(self, t_ms: float) -> None:
        """Record ``t_ms`` as the last frame's model time (a frame run at an absolute time, as
        ``Player.step`` does); a smaller value does not move time back."""
        t = float(t_ms)
        self.t_ms = t if self.t_ms is None else max(self.t_ms, t)

    def pause(self) -> None:
        """Stop model time (frames keep running at the same model time)."""
        self.paused = True

    def resume(self) -> None:
        """Let model time run again from where it stopped."""
        self.paused = False

    def reset(self) -> None:
        """Back to before the first frame (model time 0 next); speed and pause are kept."""
        self.t_ms = None

    def handle_key(self, key: str) -> str | None:
        """Apply the action :data:`TRANSPORT_KEYS` binds to ``key`` and return its name ("reset"
        asks the caller to reset its runtime too), or None for a key without one."""
        action = TRANSPORT_KEYS.get(key)
        if action == "toggle_pause":
            self.paused = not self.paused
        elif action == "slower":
            self._speed = max(self._speed / 2.0, MIN_KEY_SPEED)
        elif action == "faster":
            self._speed = min(max(self._speed, MIN_KEY_SPEED) * 2.0, MAX_KEY_SPEED)
        elif action == "reset":
            self.reset()
        return action

    def describe(self) -> str:
        """``"playing at 1x"``, ``"paused (speed 0.5x)"``: the state in a few words."""
        speed = f"{self._speed:g}x"
        return f"paused (speed {speed})" if self.paused else f"playing at {speed}"
