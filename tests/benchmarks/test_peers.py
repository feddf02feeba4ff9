"""The hand-written peers of benchmarks/peers/ compute the bench patch as oscilla's reference
interpreter does (1e-5 absolute or relative, every output and the Lag state, several frames);
numpy always, numba / Warp / Taichi when installed (the `bench` extra). Also the pieces of the
peers benchmark that are not timing: the check catches a wrong formula, the docs markers, the
results format and its comparison. Nothing here times anything."""

import json

import jsonschema
import numpy as np
import pytest
from bench_runtime import bench_patch
from peers import PEERS, PhaseClock, history, report
from peers.check import CHECK_TIMES_MS, check_peer, reference_frames
from peers.numpy_peer import NumpyPeer
from support.paths import ROOT

import oscilla as osc

#: 1 and 2 lanes (normalizedIndex's special case and r_N = 1), a grid with a ragged last row (37
#: lanes in 6 x 6 cells: lane 36 wraps to row 0), and a count over several lattice cells of the noise
LANES = (1, 2, 37, 1500)


@pytest.fixture(scope="module")
def reference():
    """lanes -> the reference interpreter's values at CHECK_TIMES_MS."""
    return {n: reference_frames(osc.compile(bench_patch(n))) for n in LANES}


def _peer(key: str):
    info = next(p for p in PEERS if p.key == key)
    peer, why = info.load()
    if peer is None:
        pytest.skip(why)
    return peer


@pytest.mark.parametrize("key", ["numpy", "numba", "warp-cpu", "taichi-cpu"])
def test_peer_agrees_with_reference(key, reference):
    if key != "numpy":
        pytest.importorskip({"numba": "numba", "warp-cpu": "warp", "taichi-cpu": "taichi"}[key])
    peer = _peer(key)
    for n in LANES:
        assert check_peer(peer, n, reference[n]) == [], f"{key} at {n} lanes"


def test_reference_values_are_the_spec_formulas(reference):
    """The oracle itself, lane 0 and lane 1 of 1500 at the second frame, from the language pages by hand:
    phaseA = 16/3000, x = 0.001 i + phaseA in lattice cell 0, so noise = h0 + (h1 - h0) u with
    h = to01(pcg(0)), to01(pcg(1)); the Lag from 0 over two frames; hue = frac(i/1499 + phaseA)."""

    def pcg(u):
        state = (u * 747796405 + 2891336453) % 2**32
        word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) % 2**32
        return (word >> 22) ^ word

    h0, h1 = (pcg(0) >> 8) / 2**24, (pcg(1) >> 8) / 2**24

    def noise(x):
        u = x * x * (3 - 2 * x)
        return h0 + (h1 - h0) * u

    frame1 = reference[1500][1]
    for i in (0, 1):
        n0, n1 = noise(0.001 * i), noise(0.001 * i + 16 / 3000)
        lag = (0.2 * n0) * 0.8 + 0.2 * n1
        assert frame1.size[i] == pytest.approx(lag, rel=1e-5, abs=1e-6)
        assert frame1.lag_state[i] == pytest.approx(lag, rel=1e-5, abs=1e-6)
        hue = i / 1499 + 16 / 3000  # sector 0 of hsv2rgb: (1, 6 hue, 0)
        np.testing.assert_allclose(frame1.color[i], [1.0, 6 * hue, 0.0, 1.0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(frame1.position[0], [0.5 / 38, 0.5 / 38, 0.0], rtol=1e-6)  # isqrt(1500) = 38


class _WrongSmoothing(NumpyPeer):
    """A peer with one formula wrong: the Lag moves 0.21 of the way instead of 0.2."""

    def step(self, t_ms):
        before = self.lag.copy()
        super().step(t_ms)
        self.lag += (self.lag - before) * np.float32(0.05)


def test_check_catches_a_wrong_peer(reference):
    problems = check_peer(_WrongSmoothing(), 1500, reference[1500])
    assert problems and all("size" in p or "lag_state" in p for p in problems)
    assert problems[0].startswith("frame 0 ")


def test_phase_clock_never_goes_back_and_stays_below_one():
    clock = PhaseClock(3000.0)
    assert clock.phase_a(1500.0) == np.float32(0.5)
    assert clock.phase_a(1000.0) == np.float32(0.5)  # T = max(t, previous T)
    assert clock.phase_a(6000.0 - 1e-9) == np.float32(0.99999994)  # rounds to 1.0 in f32


def test_check_times_cover_a_wrap_of_phase_a():
    assert CHECK_TIMES_MS[0] == 0.0 and any(a < 3000.0 <= b for a, b in zip(CHECK_TIMES_MS, CHECK_TIMES_MS[1:]))


def test_missing_peer_names_the_extra(monkeypatch):
    from peers import _install

    monkeypatch.setattr(_install.importlib.util, "find_spec", lambda name: None)
    assert _install.not_installed("numba", "numba") == "n/a: pip install -e '.[bench]' (numba)"


def test_markers_replace_only_the_generated_block():
    page = f"# P\n\nintro\n{report.MARK_BEGIN}\nold table\n{report.MARK_END}\n\nafter\n"
    new = report.replace_between_markers(page, "| new |")
    assert new == f"# P\n\nintro\n{report.MARK_BEGIN}\n| new |\n{report.MARK_END}\n\nafter\n"
    assert report.replace_between_markers(new, "| new |") == new
    with pytest.raises(ValueError):
        report.replace_between_markers("no markers", "x")
    with pytest.raises(ValueError):
        report.replace_between_markers(f"{report.MARK_END}\n{report.MARK_BEGIN}\n", "x")


def test_markdown_table_rows_and_ratios():
    info = report.RunInfo("dev", "drv", "cpu", 2, "2026-11-29T00:00:00Z", "1.0", "2.0", 3, 10, 2)
    rows = [
        report.Row("oscilla", "oscilla Runtime.step", {100: (1.0, 1.5), 1000: (8.0, 9.0)}, checked="yes"),
        report.Row("numpy", "numpy", {100: (2.0, 2.0), 1000: (20.0, 21.0)}, checked="yes"),
        report.Row("numba", "numba", missing="n/a: pip install -e '.[bench]' (numba)"),
    ]
    lines = report.markdown(info, rows).splitlines()
    table = [line for line in lines if line.startswith("|")]
    widths = {line.count("|") for line in table}
    assert len(widths) == 1  # every row has as many cells as the header
    assert "| oscilla Runtime.step | 1.00 (1.50) | 8.00 (9.00) | 8.0 | 1.00 | yes |" in table
    assert "| numpy | 2.00 (2.00) | 20.00 (21.00) | 10.0 | 2.50 | yes |" in table
    assert any(line.startswith("| numba | n/a: pip install") for line in table)
    assert "load average 1.0 at the start, 2.0 at the end" in lines[0]


def _result(date, rows, device="dev", cpu="cpu"):
    return {
        "format": history.FORMAT,
        "version": history.VERSION,
        "device": device,
        "driver": "drv",
        "cpu": cpu,
        "cores": 2,
        "date": date,
        "load": {"start": "load average: 1", "end": "load average: 2"},
        "rows": [{"impl": i, "lanes": n, "ms_median": m, "ms_p95": m * 1.1} for i, n, m in rows],
    }


def test_results_history_round_trip_and_compare(tmp_path):
    old = _result("2026-11-01T10:00:00Z", [("oscilla", 1000, 10.0), ("numba", 1000, 5.0)])
    older = _result("2026-10-01T10:00:00Z", [("oscilla", 1000, 99.0)])
    other = _result("2026-11-20T10:00:00Z", [("oscilla", 1000, 1.0)], device="another GPU")
    for r in (old, older, other):
        history.save(tmp_path, r)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "invalid.json").write_text(json.dumps({**old, "date": "2027-01-01T00:00:00Z", "rows": "x"}))
    path, last = history.previous(tmp_path, "dev", "cpu")
    assert last == old and path == history.result_path(tmp_path, old)
    assert path.name == "2026-11-01_dev_cpu.json"
    new = _result("2026-11-29T10:00:00Z", [("oscilla", 1000, 8.0), ("numpy", 1000, 20.0)])
    ratios = {(r.impl, r.lanes): r.ratio for r in history.compare(last, new)}
    assert ratios == {("oscilla", 1000): pytest.approx(0.8), ("numpy", 1000): None, ("numba", 1000): None}
    assert history.previous(tmp_path, "dev", "other cpu") is None


def test_results_schema_rejects_bad_rows():
    bad = _result("2026-11-29T10:00:00Z", [("oscilla", 1000, 8.0)])
    bad["rows"][0]["ms_median"] = -1.0
    with pytest.raises(jsonschema.ValidationError):
        history.validate(bad)
    with pytest.raises(jsonschema.ValidationError):
        history.validate({k: v for k, v in bad.items() if k != "device"})


def test_committed_results_follow_the_format():
    files = sorted((ROOT / "benchmarks" / "results").glob("*.json"))
    for path in files:
        history.validate(json.loads(path.read_text()))
