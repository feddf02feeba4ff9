"""MIDI input mapping (oscilla/live/midi.py) with mido's message objects, no hardware: the values
are the mapping's definition (cc v/127, note velocity/127 as a gate, bend p/8192 clamped to -1)."""

import collections

import pytest

from oscilla.live.midi import MidiInput, MidiUnavailable, midi_channels

mido = pytest.importorskip("mido")


@pytest.mark.parametrize(
    ("msg", "want"),
    [
        (mido.Message("control_change", control=7, value=127), [("midi.cc.7", 1.0)]),
        (mido.Message("control_change", control=1, value=0, channel=9), [("midi.cc.1", 0.0)]),
        (mido.Message("control_change", control=74, value=64), [("midi.cc.74", 64 / 127)]),
        (mido.Message("note_on", note=60, velocity=100), [("midi.note.60", 100 / 127)]),
        (mido.Message("note_on", note=60, velocity=0), [("midi.note.60", 0.0)]),
        (mido.Message("note_off", note=61, velocity=40), [("midi.note.61", 0.0)]),
        (mido.Message("pitchwheel", pitch=-8192), [("midi.bend", -1.0)]),
        (mido.Message("pitchwheel", pitch=0), [("midi.bend", 0.0)]),
        (mido.Message("pitchwheel", pitch=8191), [("midi.bend", 8191 / 8192)]),
        (mido.Message("program_change", program=3), []),
        (mido.Message("clock"), []),
    ],
)
def test_mapping(msg, want):
    got = midi_channels(msg)
    assert [name for name, _ in got] == [name for name, _ in want]
    assert [v for _, v in got] == pytest.approx([v for _, v in want])


def test_feed_queues_pairs_in_order(monkeypatch):
    # a port object without hardware: skip __init__'s port lookup, keep the queueing path
    q: collections.deque = collections.deque()
    port = MidiInput.__new__(MidiInput)
    port._queue, port._port, port.name = q, None, "virtual"
    port.feed([mido.Message("note_on", note=36, velocity=127), mido.Message("note_off", note=36)])
    assert list(q) == [("midi.note.36", 1.0), ("midi.note.36", 0.0)]
    port.close()


def test_no_midi_system_is_a_clear_error(monkeypatch):
    def boom():
        raise SystemError("MidiInAlsa::initialize: error creating ALSA sequencer client object.")

    monkeypatch.setattr(mido, "get_input_names", boom)
    with pytest.raises(MidiUnavailable, match="no MIDI system"):
        MidiInput(collections.deque())


def test_unknown_port_lists_the_ports(monkeypatch):
    monkeypatch.setattr(mido, "get_input_names", lambda: ["Launch Control XL", "nanoKONTROL2"])
    with pytest.raises(ValueError, match="nanoKONTROL2"):
        MidiInput(collections.deque(), "Korg")
