"""MIDI input as external channels (docs/guide/midi-audio.md#midi), through mido with the
python-rtmidi backend (the ``live`` extra).

The mapping is a pure function of one message (:func:`midi_channels`), so it is tested with mido's
message objects and no hardware:

- control change n, value v (0..127)  -> ``midi.cc.<n>`` = v / 127            (0..1)
- note on n, velocity v > 0           -> ``midi.note.<n>`` = v / 127           (a gate: > 0 while held)
- note off n, or note on with v = 0   -> ``midi.note.<n>`` = 0
- pitch wheel p (-8192..8191)         -> ``midi.bend`` = p / 8192, at least -1 (-1..1)

Other messages (clock, sysex, aftertouch, program change) map to nothing. MIDI channels (1-16) are
merged: a patch reads ``midi.cc.1`` whichever MIDI channel sent it. :class:`MidiInput` opens a port
whose callback (mido's thread) only appends ``(channel, value)`` pairs to a queue the player drains
before each frame, so no GPU work ever happens on the MIDI thread.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

#: the extra that provides mido and python-rtmidi
EXTRA = "live"


class MidiUnavailable(ImportError):
    """mido (or its rtmidi backend) is not installed, or the system has no MIDI input to open."""


def midi_channels(msg: Any) -> list[tuple[str, float]]:
    """The external channel values of one mido message (the table of the module docstring).

    ``msg`` is a ``mido.Message`` (or anything with its ``type`` and fields). Returns a list of
    (channel name, value) pairs, empty for messages that map to nothing.
    """
    kind = getattr(msg, "type", None)
    if kind == "control_change":
        return [(f"midi.cc.{int(msg.control)}", int(msg.value) / 127.0)]
    if kind == "note_on":
        return [(f"midi.note.{int(msg.note)}", int(msg.velocity) / 127.0)]
    if kind == "note_off":
        return [(f"midi.note.{int(msg.note)}", 0.0)]
    if kind == "pitchwheel":
        return [("midi.bend", max(-1.0, int(msg.pitch) / 8192.0))]
    return []


def _mido() -> Any:
    try:
        import mido
    except ImportError as e:
        raise MidiUnavailable(f"MIDI input needs mido and python-rtmidi: pip install 'oscilla[{EXTRA}]'") from e
    return mido


def input_names() -> list[str]:
    """Names of the MIDI input ports the system offers.

    Raises:
        MidiUnavailable: mido is missing, or the MIDI backend cannot start (no ALSA sequencer, say).
    """
    mido = _mido()
    try:
        return list(mido.get_input_names())
    except Exception as e:  # rtmidi raises SystemError without /dev/snd/seq
        raise MidiUnavailable(f"no MIDI system to read from ({type(e).__name__}: {str(e).splitlines()[0]})") from e


class MidiInput:
    """An open MIDI input port feeding ``queue`` with (channel, value) pairs (:func:`midi_channels`).

    Args:
        queue: where pairs are appended (the player's input queue; deque appends are thread-safe).
        port: a port name, or None / ``"auto"`` for the first input port.

    Raises:
        MidiUnavailable: mido is missing, there is no MIDI system or no input port.
        ValueError: ``port`` is not one of the ports (the message lists them).
    """

    def __init__(self, queue: deque[tuple[str, float]], port: str | None = None):
        names = input_names()
        if not names:
            raise MidiUnavailable("no MIDI input port is connected")
        if port in (None, "", "auto"):
            port = names[0]
        elif port not in names:
            raise ValueError(f"no MIDI input port {port!r}; ports: {', '.join(names)}")
        self.name = port
        self._queue = queue
        self._port = _mido().open_input(port, callback=self._on_message)

    def _on_message(self, msg: Any) -> None:  # mido's thread
        self._queue.extend(midi_channels(msg))

    def feed(self, messages: Iterable[Any]) -> None:
        """Map and queue ``messages`` as if they had arrived on the port (tests, virtual input)."""
        for msg in messages:
            self._on_message(msg)

    def close(self) -> None:
        """Close the port (idempotent)."""
        port, self._port = self._port, None
        if port is not None:
            port.close()
