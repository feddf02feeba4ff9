"""The values of a patch's declared controls (``settings.controls``, docs/guide/controls.md) between
the user interface and the runtime.

:class:`ControlValues` is what the window's panel and the notebook widgets change, and what
:meth:`oscilla.Player.step` feeds into the external channels at the start of every frame. It
knows nothing of any GUI toolkit: the ImGui panel (:mod:`oscilla.live.panel`) and the ipywidgets
(:mod:`oscilla.live.notebook`) only call :meth:`ControlValues.set` and :meth:`ControlValues.press`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from oscilla.program import ControlSpec


class ChannelSink(Protocol):
    """Where values go: a Runtime, a ReferenceRuntime or a Player (``set_input(name, value)``)."""

    def set_input(self, name: str, value: float) -> None: ...


class ControlValues:
    """The current value of every control of a program, clamped to its range.

    Args:
        controls: the program's ``controls`` (:class:`~oscilla.program.ControlSpec` records).

    A slider or toggle holds one float, an xy pad two; a trigger rests at ``lo`` and is ``hi`` in the
    one frame after :meth:`press`. :meth:`apply` sends a channel only when its value changed since
    the last :meth:`apply` (the defaults count as sent: the runtime already starts there), so a
    value set some other way (OSC, ``set_input``) stands until the control is moved.
    """

    def __init__(self, controls: Sequence[ControlSpec] = ()):
        self.controls: tuple[ControlSpec, ...] = ()
        self.values: dict[str, tuple[float, ...]] = {}
        self._pressed: set[str] = set()
        self._sent: dict[str, float] = {}
        self.bind(controls)

    def bind(self, controls: Sequence[ControlSpec]) -> None:
        """Use the controls of a (new) program: a control of the same channel and kind keeps its
        value (clamped to the new range); the others start at their defaults."""
        old, old_kinds = self.values, {c.channel: c.kind for c in self.controls}
        self.controls = tuple(controls)
        self.values = {}
        for c in self.controls:
            if c.channel in old and old_kinds.get(c.channel) == c.kind and c.kind != "trigger":
                self.values[c.channel] = tuple(c.clamp(v) for v in old[c.channel])
            else:
                self.values[c.channel] = c.default
                for name, v in zip(c.channels, c.default):
                    self._sent[name] = v  # the runtime starts a new control at its default
        self._pressed &= set(self.values)

    def spec(self, channel: str) -> ControlSpec:
        """The control of ``channel``.

        Raises:
            KeyError: no control has that channel (the message lists those that exist).
        """
        for c in self.controls:
            if c.channel == channel:
                return c
        raise KeyError(f"no control for channel {channel!r}; controls: {', '.join(self.values) or 'none'}")

    def get(self, channel: str) -> float | tuple[float, float]:
        """The value of a control: a float, or (x, y) for an xy pad."""
        v = self.values[self.spec(channel).channel]
        return (v[0], v[1]) if len(v) == 2 else v[0]

    def set(self, channel: str, value: float | Sequence[float]) -> None:
        """Move a control: ``value`` is a number, or an (x, y) pair for an xy pad; it is clamped to
        the control's range (a toggle snaps to ``lo`` or ``hi``, whichever is nearer; a trigger
        fires when set to a value above its midpoint).

        Raises:
            KeyError: no control has that channel.
            ValueError: a pair for a one-value control, or one number for an xy pad.
        """
        c = self.spec(channel)
        pair = isinstance(value, Sequence)
        if pair != (c.kind == "xy"):
            wanted = "an (x, y) pair" if c.kind == "xy" else "a number"
            raise ValueError(f"control {channel!r} ({c.kind}) takes {wanted}")
        vals = tuple(c.clamp(v) for v in value) if isinstance(value, Sequence) else (c.clamp(value),)
        if c.kind == "toggle":
            vals = (c.hi if vals[0] - c.lo > c.hi - vals[0] else c.lo,)
        if c.kind == "trigger":
            if vals[0] > (c.lo + c.hi) / 2:
                self.press(channel)
            return
        self.values[channel] = vals

    def press(self, channel: str) -> None:
        """Fire a trigger: its channel is ``hi`` in the next frame, then ``lo`` again.

        Raises:
            KeyError: no control has that channel.
            ValueError: the control is not a trigger.
        """
        if self.spec(channel).kind != "trigger":
            raise ValueError(f"control {channel!r} is a {self.spec(channel).kind}, not a trigger")
        self._pressed.add(channel)

    def apply(self, sink: ChannelSink) -> None:
        """Send this frame's values to ``sink`` (only the channels that changed), then end the
        trigger pulses of this frame."""
        for c in self.controls:
            vals = (c.hi if c.channel in self._pressed else c.lo,) if c.kind == "trigger" else self.values[c.channel]
            for name, v in zip(c.channels, vals):
                if self._sent.get(name) != v:
                    sink.set_input(name, v)
                    self._sent[name] = v
        self._pressed.clear()
