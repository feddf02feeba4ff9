"""Live playing (issue 4, items 3 and 4): osc.Player reloads a patch file edited on disk (swap with
state kept; a broken edit keeps the last good program), OSC messages feed external channels, and
the CLI's ``run --watch --osc-port``. The Player runs offscreen (no display); only the last test
opens a window, under xvfb-run when it exists."""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

import oscilla as osc
from oscilla.cli import app
from oscilla.window import MouseChannels

pytestmark = pytest.mark.gpu

CELLS = ("lag:lag", "ph:phasor")


def patch(freq=1.0, smoothing=0.3, extra_blocks=(), extra_edges=()):
    """A ring of 8 whose radius is a Lag of the time phase and whose phase is a Phasor; the size
    follows the external channel ``knob1``."""
    return make_patch(
        [
            blk("lag", "Lag", smoothing=smoothing),
            blk("ph", "Phasor", frequency=freq),
            blk("k", "ExternalInput", channel="knob1"),
            blk("m", "ExternalInput", channel="mouse.x"),
            blk("size", "Add", b=0.02),
            blk("arr", "Array", count=8),
            blk("ring", "CircleLayout"),
            blk("draw", "RenderInstances2D"),
            *extra_blocks,
        ],
        [
            edge("time.phaseA", "lag.target"),
            edge("arr.elements", "ring.elements"),
            edge("ring.position", "draw.pos"),
            edge("ph.out", "ring.phase"),
            edge("lag.out", "ring.radius"),
            edge("k.value", "size.a"),
            edge("size.out", "draw.size"),
            edge("m.value", "draw.rotation"),
            *extra_edges,
        ],
        periodAMs=1000,
    )


def cyclic():
    """The good patch plus a self-loop feeding the sink: E_CYCLE_DETECTED."""
    return patch(
        extra_blocks=[blk("p", "Add")],
        extra_edges=[edge("p.out", "p.a"), edge("p.out", "draw.scale")],
    )


def save(path, content, how="in place"):
    """Write like an editor: in place in two chunks (a briefly partial file), or atomically through
    a temporary file renamed over the original."""
    text = content if isinstance(content, str) else json.dumps(content, indent=1)
    if how == "rename":
        tmp = path.with_name("." + path.name + ".swp")
        tmp.write_text(text)
        os.replace(tmp, path)
        return
    with open(path, "w") as f:
        f.write(text[: len(text) // 2])
        f.flush()
        os.fsync(f.fileno())
        time.sleep(0.02)
        f.write(text[len(text) // 2 :])


def wait_for(player, done, limit_s=1.0):
    """Poll ``player`` (no frames) until ``done()``; returns the seconds it took (fails after the limit)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        player.poll()
        if done():
            return time.monotonic() - t0
        time.sleep(0.01)
    pytest.fail(f"nothing happened within {limit_s} s (title: {player.title})")


def run_frames(target, times):
    for t in times:
        target.step(t)


@pytest.fixture
def live_file(tmp_path):
    path = tmp_path / "live.json"
    path.write_text(json.dumps(patch()))
    return path


@pytest.mark.parametrize("how", ["in place", "rename"])
def test_edit_on_disk_swaps_within_a_second_and_keeps_state(live_file, how):
    with osc.Player(live_file, watch=True, size=(64, 64)) as player:
        assert player.title == "oscilla — live.json" and player.last_swap is None
        run_frames(player, [0, 16, 32, 48])
        before = {c: player.read_state(c).copy() for c in CELLS}
        save(live_file, patch(freq=2.0, smoothing=0.9), how)
        took = wait_for(player, lambda: player.last_swap is not None)
        assert took < 1.0
        assert sorted(player.last_swap.copied) == sorted(CELLS) and not player.last_swap.reset
        for c, v in before.items():
            np.testing.assert_array_equal(player.read_state(c), v)
        assert player.diagnostics == [] and player.title == "oscilla — live.json"
        player.step(64)  # the new frequency from the kept phase (dt = 16 ms)
        np.testing.assert_allclose(player.read_state("ph:phasor"), (before["ph:phasor"] + 2.0 * 0.016) % 1.0, atol=1e-6)
        # an identical rewrite (an editor saving without changes) does not swap again
        last = player.last_swap
        save(live_file, patch(freq=2.0, smoothing=0.9), how)
        time.sleep(2 * player.debounce_s + 0.05)
        player.poll()
        assert player.last_swap is last


def test_broken_edits_keep_the_last_good_program_until_a_good_edit(live_file, capsys):
    twin = osc.Runtime(osc.compile(patch()))  # the same program, never edited
    with osc.Player(live_file, watch=True, size=(64, 64)) as player:
        times = iter(range(0, 10_000, 16))
        run_frames(player, [next(times) for _ in range(4)])
        run_frames(twin, range(0, 64, 16))
        good_program = player.program
        for broken, expected in [
            ('{ "oscilla": 1, "blocks": [', "E_PATCH_INVALID: invalid JSON at line 1"),
            ("", "E_PATCH_INVALID: the file is empty"),
            (cyclic(), "E_CYCLE_DETECTED p: "),
        ]:
            image, state = player.render(), {c: player.read_state(c).copy() for c in CELLS}
            save(live_file, broken)
            wait_for(player, lambda e=expected: any(d.format().startswith(e) for d in player.diagnostics))
            assert player.program is good_program and player.runtime.program is good_program
            np.testing.assert_array_equal(player.render(), image)
            for c, v in state.items():
                np.testing.assert_array_equal(player.read_state(c), v)
            [d] = player.diagnostics
            assert player.title == f"oscilla — live.json — 1 error (running the last good version): {d.format()}"
            assert d.format() in capsys.readouterr().err.splitlines()
            t = next(times)  # it keeps playing, frame for frame like the twin
            player.step(t)
            twin.step(t)
            np.testing.assert_array_equal(player.render(), twin.render(64, 64))
            for c in CELLS:
                np.testing.assert_array_equal(player.read_state(c), twin.read_state(c))
        assert player.last_swap is None
        state = {c: player.read_state(c).copy() for c in CELLS}
        save(live_file, patch(freq=3.0))
        wait_for(player, lambda: player.last_swap is not None)
        assert player.diagnostics == [] and player.title == "oscilla — live.json"
        assert player.program is not good_program
        for c, v in state.items():
            np.testing.assert_array_equal(player.read_state(c), v)
        assert "it compiles again" in capsys.readouterr().err


def test_osc_messages_feed_external_channels(live_file, caplog):
    caplog.set_level(logging.WARNING, logger="oscilla.live")
    from pythonosc.udp_client import SimpleUDPClient

    with osc.Player(live_file, watch=False, osc_port=0, observe=["k.value", "m.value"]) as player:
        port = player.osc_port
        assert port > 0 and player._osc._server.server_address[0] == "127.0.0.1"
        player.step(0)
        assert float(player.read("k.value")) == 0.0
        client = SimpleUDPClient("127.0.0.1", port)
        client.send_message("/oscilla/knob1", 0.7)
        client.send_message("/oscilla/mouse.x", 0.25)
        for address, arg in [
            ("/other/knob1", 5.0),
            ("/other/knob1", 6.0),
            ("/oscilla/knob1", "loud"),
            ("/oscilla/knob1", "louder"),
        ]:
            client.send_message(address, arg)  # ignored, one warning per kind
        client.send_message("/oscilla/done", 1)
        t, deadline = 16, time.monotonic() + 1.0
        while player.runtime.channels.get("done") != 1.0 and time.monotonic() < deadline:
            time.sleep(0.005)
            player.step(t)
            t += 16
        assert player.runtime.channels.get("done") == 1.0, "the OSC messages did not arrive within 1 s"
        assert float(player.read("k.value")) == np.float32(0.7)
        assert float(player.read("m.value")) == 0.25
        warnings = [r.getMessage() for r in caplog.records if r.name == "oscilla.live"]
        assert len(warnings) == 2, warnings
        assert "/other/knob1" in warnings[0] and "'loud'" in warnings[1]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:  # closing the Player freed the port
        s.bind(("127.0.0.1", port))


def test_osc_values_wait_for_the_next_frame(live_file):
    with osc.Player(live_file, watch=False, osc_port=0, observe=["k.value"]) as player:
        player.step(0)
        player._osc_queue.extend([("knob1", 0.1), ("knob1", 0.4)])  # as the server thread queues them
        assert float(player.read("k.value")) == 0.0 and "knob1" not in player.runtime.channels
        player.step(16)  # the last value before the frame is its snapshot
        assert float(player.read("k.value")) == np.float32(0.4)


def test_start_errors_raise_and_watching_needs_a_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(cyclic()))
    with pytest.raises(osc.CompileError) as e:
        osc.Player(bad)
    assert e.value.diagnostics[0].code == "E_CYCLE_DETECTED"
    with pytest.raises(ValueError, match="file path"):
        osc.Player(patch())
    with osc.Player(patch(), watch=False) as player:  # a dict plays without watching
        player.step(0)
        assert player.title == "oscilla — patch" and player.render(8, 8).shape == (8, 8, 4)


def test_window_mouse_keeps_other_writers_mouse_channels():
    class Fake:
        def __init__(self):
            self.inputs = {}

        def set_input(self, name, value):
            self.inputs[name] = value

    m, rt = MouseChannels(), Fake()
    m.apply(rt)
    assert rt.inputs["mouse.x"] == 0.0
    rt.inputs["mouse.x"] = 0.25  # e.g. /oscilla/mouse.x 0.25
    m.apply(rt)
    assert rt.inputs["mouse.x"] == 0.25, "an unmoved mouse does not overwrite the channel"
    m.handle({"event_type": "pointer_move", "x": 10, "y": 10}, 20, 20)
    m.apply(rt)
    assert rt.inputs["mouse.x"] == 0.5


def test_cli_run_help_lists_watch_and_osc_port():
    r = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    assert "--watch" in r.output and "--osc-port" in r.output


@pytest.mark.skipif(shutil.which("xvfb-run") is None, reason="needs xvfb-run for a virtual display")
def test_cli_run_watch_and_osc_port_in_a_window_under_xvfb(live_file):
    r = subprocess.run(
        [
            "xvfb-run",
            "-a",
            sys.executable,
            "-m",
            "oscilla.cli",
            "run",
            str(live_file),
            "--watch",
            "--osc-port",
            "0",
            "--frames",
            "20",
            "--size",
            "200x200",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "XDG_RUNTIME_DIR": "/tmp"},
    )
    assert r.returncode == 0, r.stderr[-1500:]
    assert "listening for OSC on 127.0.0.1:" in r.stderr and "watching" in r.stderr, r.stderr
