"""``oscilla bench``: the JSON follows its schema and reports what an independent run of the same
overridden patch shows; --compare gates on regressions; bad input is exit 2 without a traceback."""

import json

import pytest
from support.bench_results import synthetic_result
from support.builders import blk, edge, make_patch
from typer.testing import CliRunner

import oscilla as osc
from oscilla.benchmark.lanes import override_lanes
from oscilla.benchmark.result import validate
from oscilla.cli import app

runner = CliRunner()

GRID = make_patch(
    [
        blk("array", "Array", count=100),
        blk("grid", "GridLayout"),
        blk("lag", "Lag", smoothing=0.5),
        blk("draw", "RenderInstances2D"),
    ],
    [
        edge("array.elements", "grid.elements"),
        edge("array.t", "lag.target"),
        edge("grid.position", "draw.pos"),
        edge("lag.out", "draw.size"),
    ],
)
FAST = ["--frames", "3", "--batches", "2", "--warmup", "1"]


def _patch_file(tmp_path, patch=GRID):
    path = tmp_path / "patch.json"
    path.write_text(json.dumps(patch))
    return path


def _flat(output: str) -> str:
    return " ".join(output.replace("│", " ").split())


@pytest.mark.gpu
def test_bench_json_rows_match_the_override_and_the_runtime(tmp_path, device):
    patch = _patch_file(tmp_path)
    out = tmp_path / "r.json"
    r = runner.invoke(
        app, ["bench", str(patch), "--lanes", "100,1e3", *FAST, "--json", str(out), "--csv", str(tmp_path / "r.csv")]
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    validate(data)
    assert [row["lanes"] for row in data["rows"]] == [100, 1000]
    assert data["settings"]["lanes"] == [100, 1000]
    for row in data["rows"]:
        n = row["lanes"]
        assert row["instances"] == {"array": n}
        rt = osc.Runtime(osc.compile(override_lanes(osc.load_patch(GRID), n).patch))
        assert row["dispatches_per_frame"] == rt.dispatches_per_frame
        assert row["wgpu_calls_per_frame"] >= 2 * rt.dispatches_per_frame + 4  # pipeline + dispatch each, and more
        assert row["gpu_memory_bytes"] == rt.resources.nbytes
        assert 0 < row["frame_ms_median"] <= row["frame_ms_p95"]
        if data["device"]["timestamps"]:
            assert set(row["gpu_kernel_ms"]) == {k.name for k in rt.program.kernels if not k.once}
    assert data["rows"][1]["gpu_memory_bytes"] > data["rows"][0]["gpu_memory_bytes"]
    assert len((tmp_path / "r.csv").read_text().splitlines()) == 3


@pytest.mark.gpu
def test_bench_draws_and_times_the_reference(tmp_path, device):
    out = tmp_path / "r.json"
    r = runner.invoke(
        app,
        [
            "bench",
            str(_patch_file(tmp_path)),
            "--lanes",
            "50",
            *FAST,
            "--size",
            "64x48",
            "--reference",
            "--json",
            str(out),
        ],
    )
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text())
    validate(data)
    assert [(row["runtime"], row["lanes"]) for row in data["rows"]] == [("oscilla", 50), ("reference", 50)]
    gpu, ref = data["rows"]
    assert gpu["gpu_memory_bytes"] >= 64 * 48 * 4
    if data["device"]["timestamps"]:
        assert any(name.startswith("render") for name in gpu["gpu_pass_ms"])
    assert ref["dispatches_per_frame"] is None and ref["gpu_pass_ms"] == {}


@pytest.mark.gpu
@pytest.mark.parametrize("baseline_ms, code", [(1e-6, 1), (1e6, 0)])
def test_compare_exits_1_on_a_regression_only(tmp_path, device, baseline_ms, code):
    baseline = tmp_path / "base.json"
    baseline.write_text(synthetic_result({("oscilla", 100): baseline_ms}).to_json())
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path)), "--lanes", "100", *FAST, "--compare", str(baseline)])
    assert r.exit_code == code, r.output
    assert ("REGRESSED" in r.output) == (code == 1)
    assert "Traceback" not in r.output


def test_compare_threshold_is_a_percentage(tmp_path, monkeypatch):
    """The gate itself, without a GPU: bench returns hand-made figures."""
    import oscilla.benchmark.measure as measure

    baseline = tmp_path / "base.json"
    baseline.write_text(synthetic_result({("oscilla", 100): 1.0}).to_json())
    monkeypatch.setattr(measure, "bench", lambda *a, **k: synthetic_result({("oscilla", 100): 1.15}))
    patch = str(_patch_file(tmp_path))
    assert runner.invoke(app, ["bench", patch, "--compare", str(baseline)]).exit_code == 1
    assert runner.invoke(app, ["bench", patch, "--compare", str(baseline), "--threshold", "20"]).exit_code == 0
    assert runner.invoke(app, ["bench", patch, "--compare", str(baseline), "--threshold", "-1"]).exit_code == 2


@pytest.mark.parametrize(
    "patch, args, message",
    [
        (GRID, ["--lanes", "100", "--array", "nope"], "no Array block has the id 'nope'; the patch's Arrays: array"),
        (GRID, ["--lanes", "abc"], "Invalid value for '--lanes'"),
        (GRID, ["--lanes", "1.5"], "Invalid value for '--lanes'"),
        (GRID, ["--lanes", "0"], "Invalid value for '--lanes'"),
        (GRID, ["--lanes", "1e9"], "Invalid value for '--lanes'"),
        (GRID, ["--array", "array"], "only makes sense with lanes"),
        (make_patch([blk("o", "Oscillator")]), ["--lanes", "100"], "the patch has no Array block"),
        (GRID, ["--size", "64"], "size must look like 512x512"),
        (GRID, ["--size", "0x64"], "size must look like 512x512"),
        (GRID, ["--frames", "0"], "Invalid value for '--frames'"),
    ],
)
def test_bad_input_is_a_usage_error(tmp_path, patch, args, message):
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path, patch)), *args])
    assert r.exit_code == 2, r.output
    assert message in _flat(r.output)
    assert "Traceback" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


def test_a_baseline_that_is_not_a_result_is_a_usage_error(tmp_path):
    bad = tmp_path / "base.json"
    bad.write_text('{"rows": []}')
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path)), "--compare", str(bad)])
    assert r.exit_code == 2, r.output
    assert "not an oscilla bench result" in _flat(r.output)
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path)), "--compare", str(tmp_path / "missing.json")])
    assert r.exit_code == 3, r.output


def test_plot_without_matplotlib_names_the_extra(tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "matplotlib" else find_spec(name, *a)
    )
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path)), "--plot", str(tmp_path / "p.png")])
    assert r.exit_code == 2, r.output
    assert "pip install 'oscilla[bench]'" in _flat(r.output)


def test_an_adapter_that_matches_nothing_is_exit_4(tmp_path):
    r = runner.invoke(app, ["bench", str(_patch_file(tmp_path)), "--device", "no-such-adapter-xyz", *FAST])
    assert r.exit_code == 4, r.output
    assert "no-such-adapter-xyz" in _flat(r.output)


def test_osc_bench_is_the_function():
    import oscilla.benchmark  # noqa: F401  (importing the package must not shadow the function)

    assert callable(osc.bench) and osc.bench.__name__ == "bench"
