"""A batch with a sweep on a two-worker LocalCluster: the manifest (sha256 of every output, computed
here from the files) and the same bytes as rendering each job alone with the serial export."""

import hashlib
import json

import pytest
from support.stateful import stateful_patch

from oscilla.distributed.batch import render_batch
from oscilla.distributed.jobs import RenderJob
from oscilla.export.png import render_frames, render_png

SIZE = (64, 64)


def sha(path) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def test_a_swept_batch_writes_the_manifest_and_each_jobs_own_images(client, tmp_path, device):
    patch_file = tmp_path / "stateful.json"
    patch_file.write_text(json.dumps(stateful_patch()))
    jobs = [
        RenderJob(str(patch_file), output=str(tmp_path / "out" / "still.png"), t_ms=250, fps=40, size=SIZE),
        {
            "patch": str(patch_file),
            "frames_dir": str(tmp_path / "out" / "seq"),
            "duration_ms": 100,
            "fps": 30,
            "size": list(SIZE),
        },
    ]
    manifest = tmp_path / "manifest.json"
    seen = []
    entries = render_batch(
        jobs, sweeps=["lag.smoothing=0.1:0.5:3"], manifest=manifest, client=client, progress=seen.append
    )
    assert len(entries) == len(seen) == 6 and all(e.result.error is None for e in entries)

    data = json.loads(manifest.read_text())
    assert data["manifest"] == 1 and len(data["jobs"]) == 6
    for job, smoothing in zip(data["jobs"][:3], [0.1, 0.3, 0.5]):
        assert job["kind"] == "image" and job["params"] == {"lag.smoothing": pytest.approx(smoothing)}
        (out,) = job["outputs"]
        assert out["path"].endswith(f"still__lag.smoothing={json.dumps(smoothing)}.png")
        alone = tmp_path / "alone" / f"still_{smoothing}.png"
        render_png(stateful_patch(**{"lag.smoothing": smoothing}), alone, t_ms=250, size=SIZE, fps=40)
        assert out["sha256"] == sha(out["path"]) == sha(alone)
    for job, smoothing in zip(data["jobs"][3:], [0.1, 0.3, 0.5]):
        assert job["kind"] == "frames" and len(job["outputs"]) == 3
        alone = render_frames(
            stateful_patch(**{"lag.smoothing": smoothing}), tmp_path / f"alone_{smoothing}", 100, 30, SIZE
        )
        assert [o["sha256"] for o in job["outputs"]] == [sha(p) for p in alone]
        assert [sha(o["path"]) for o in job["outputs"]] == [sha(p) for p in alone]
    stills = {sha(j["outputs"][0]["path"]) for j in data["jobs"][:3]}
    assert len(stills) == 3  # the swept parameter changes the image


def test_a_job_that_does_not_compile_is_recorded_and_the_others_go_on(client, tmp_path):
    bad = stateful_patch(**{"lag.smoothing": "very"})
    entries = render_batch(
        [
            RenderJob(bad, output=str(tmp_path / "bad.png"), size=SIZE),
            RenderJob(stateful_patch(), output=str(tmp_path / "good.png"), size=SIZE),
        ],
        manifest=tmp_path / "m.json",
        client=client,
    )
    assert entries[0].result.error is not None and "lag" in entries[0].result.error
    assert entries[0].result.files == () and not (tmp_path / "bad.png").exists()
    assert entries[1].result.error is None and (tmp_path / "good.png").exists()
    assert json.loads((tmp_path / "m.json").read_text())["jobs"][0]["error"] == entries[0].result.error
