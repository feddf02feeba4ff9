"""Jobs files and sweeps (no cluster): schema errors, sweep grammar, the grid, params overrides."""

import json

import pytest
from support.builders import blk, make_patch

from oscilla.distributed.jobs import JobsError, RenderJob, apply_params, expand_sweeps, load_jobs, parse_sweep


@pytest.mark.parametrize(
    "text, key, values",
    [
        ("lag.smoothing=0:1:5", "lag.smoothing", [0.0, 0.25, 0.5, 0.75, 1.0]),
        ("arr.count=10:40:4", "arr.count", [10, 20, 30, 40]),
        ("arr.count=10:40:3", "arr.count", [10, 25, 40]),
        ("a.b=2:3:1", "a.b", [2]),
        ('osc.mode="sin","tri"', "osc.mode", ["sin", "tri"]),
        ("my.block.x=0.5,2", "my.block.x", [0.5, 2]),
    ],
)
def test_sweeps_parse_to_their_values(text, key, values):
    k, v = parse_sweep(text)
    assert k == key and v == pytest.approx(values)
    assert [type(x) for x in v] == [type(x) for x in values]


@pytest.mark.parametrize(
    "text", ["lag=0:1:3", "lag.smoothing", "lag.smoothing=0:1", "x.y=0:1:0", "x.y=a,b", "x.y=0:nan:3"]
)
def test_malformed_sweeps_are_jobs_errors_showing_the_form(text):
    with pytest.raises(JobsError, match="block.param=START:STOP:COUNT"):
        parse_sweep(text)


def test_two_sweeps_make_a_grid_with_suffixed_outputs():
    jobs = [RenderJob("p.json", output="out/a.png", params={"x.k": 1}), RenderJob("p.json", frames_dir="out/seq")]
    grid = expand_sweeps(jobs, [("a.b", [1, 2]), ("c.d", [0.5])])
    assert [(j.output, j.frames_dir) for j in grid] == [
        ("out/a__a.b=1__c.d=0.5.png", None),
        ("out/a__a.b=2__c.d=0.5.png", None),
        (None, "out/seq__a.b=1__c.d=0.5"),
        (None, "out/seq__a.b=2__c.d=0.5"),
    ]
    assert grid[1].params == {"x.k": 1, "a.b": 2, "c.d": 0.5}
    assert expand_sweeps(jobs, []) == jobs


def test_params_override_blocks_and_leave_the_original_alone():
    patch = make_patch([blk("lag", "Lag", smoothing=0.1), blk("o", "Oscillator")])
    out = apply_params(patch, {"lag.smoothing": 0.7, "o.amplitude": 2})
    assert out["blocks"][1]["params"] == {"smoothing": 0.7}
    assert out["blocks"][2]["params"] == {"amplitude": 2}
    assert patch["blocks"][1]["params"] == {"smoothing": 0.1} and "params" not in patch["blocks"][2]
    with pytest.raises(JobsError, match="no block 'nope'"):
        apply_params(patch, {"nope.x": 1})


def test_jobs_file_paths_are_relative_to_its_folder(tmp_path):
    f = tmp_path / "jobs.json"
    f.write_text(json.dumps({"jobs": [{"patch": "p.json", "output": "o/a.png", "t_ms": 5, "size": [8, 4]}]}))
    (job,) = load_jobs(f)
    assert job.patch == str(tmp_path / "p.json") and job.output == str(tmp_path / "o/a.png")
    assert (job.t_ms, job.size, job.kind) == (5.0, (8, 4), "image")


@pytest.mark.parametrize(
    "data, match",
    [
        ("{", "not a JSON jobs file"),
        ("[]", "no jobs"),
        ('{"jobs": [{"output": "a.png"}]}', "'patch' is a required property"),
        ('[{"patch": "p.json"}]', "output|frames_dir"),
        ('[{"patch": "p.json", "output": "a.png", "fps": -1}]', "fps|-1"),
        ('[{"patch": "p.json", "output": "a.png", "frames_dir": "d"}]', "not both"),
        ('[{"patch": "p.json", "output": "a.png", "colour": 1}]', "colour"),
    ],
)
def test_bad_jobs_files_are_jobs_errors(tmp_path, data, match):
    f = tmp_path / "jobs.json"
    f.write_text(data)
    with pytest.raises(JobsError, match=match):
        load_jobs(f)
