"""Transport (oscilla/runtime/transport.py): model time under pause, speed, seek and reset, and
the window's key map."""

import math

import pytest

from oscilla.runtime.transport import MAX_KEY_SPEED, MIN_KEY_SPEED, Transport


def test_advance_moves_by_dt_times_speed_and_not_while_paused():
    tr = Transport()
    assert tr.t_ms is None
    assert [tr.advance(10.0) for _ in range(3)] == [10.0, 20.0, 30.0]
    tr.pause()
    assert [tr.advance(10.0) for _ in range(3)] == [30.0, 30.0, 30.0]
    tr.resume()
    tr.speed = 2
    assert [tr.advance(10.0) for _ in range(2)] == [50.0, 70.0]
    tr.speed = 0.25
    assert tr.advance(8.0) == 72.0


def test_seek_is_forward_only_and_reset_starts_over():
    tr = Transport()
    tr.advance(100.0)
    assert tr.seek(500.0) == 500.0 and tr.advance(10.0) == 510.0
    with pytest.raises(ValueError, match="forward only.*reset"):
        tr.seek(200.0)
    assert tr.t_ms == 510.0  # a refused seek changes nothing
    tr.pause()
    tr.speed = 3
    tr.reset()
    assert tr.t_ms is None and tr.paused and tr.speed == 3  # speed and pause are kept
    assert tr.seek(200.0) == 200.0


def test_observe_never_moves_back():
    tr = Transport()
    tr.observe(40.0)
    tr.observe(10.0)
    assert tr.t_ms == 40.0


@pytest.mark.parametrize("bad", [-1.0, math.nan, math.inf, "1", True])
def test_bad_numbers_are_refused(bad):
    tr = Transport()
    with pytest.raises(ValueError):
        tr.advance(bad)
    with pytest.raises(ValueError):
        tr.speed = bad
    with pytest.raises(ValueError):
        tr.seek(bad)
    assert tr.t_ms is None and tr.speed == 1.0


def test_keys_pause_halve_double_and_reset():
    tr = Transport()
    assert tr.handle_key(" ") == "toggle_pause" and tr.paused
    assert tr.handle_key(" ") == "toggle_pause" and not tr.paused
    tr.handle_key("]")
    tr.handle_key("]")
    assert tr.speed == 4.0
    tr.handle_key("[")
    assert tr.speed == 2.0
    for _ in range(20):
        tr.handle_key("]")
    assert tr.speed == MAX_KEY_SPEED
    for _ in range(40):
        tr.handle_key("[")
    assert tr.speed == MIN_KEY_SPEED
    tr.advance(5.0)
    assert tr.handle_key("R") == "reset" and tr.t_ms is None
    assert tr.handle_key("r") == "reset"
    assert tr.handle_key("x") is None
    assert tr.describe() == "playing at 0.015625x"
