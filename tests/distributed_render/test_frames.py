"""Frame sequences on a two-worker LocalCluster: byte-identical to the serial export for a stateful
patch (UnitDelay, Lag, trails), also when a worker dies in the middle of a chunk."""

import os
import sys
from dataclasses import dataclass

import pytest
from support.stateful import stateful_patch

import oscilla as osc
from oscilla.distributed.frames import render_distributed
from oscilla.distributed.start import FromSnapshots, PreRoll
from oscilla.export.png import render_frames
from oscilla.export.video import render_video

SIZE = (64, 64)
DURATION_MS, FPS = 400.0, 30.0  # 12 frames


@pytest.fixture(scope="module")
def serial(tmp_path_factory, device):
    """The serial export's frames (the reference): name -> bytes."""
    d = tmp_path_factory.mktemp("serial")
    paths = render_frames(stateful_patch(), d, DURATION_MS, FPS, SIZE)
    return {p.name: p.read_bytes() for p in paths}


def frames_of(d) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("frame_*.png"))}


def test_the_serial_frames_depend_on_their_history(serial):
    assert len(serial) == 12 and len(set(serial.values())) == 12


@pytest.mark.parametrize("chunk_frames", [3, 5])
def test_two_workers_write_the_serial_bytes(client, serial, tmp_path, chunk_frames):
    done = []
    paths = render_distributed(
        stateful_patch(),
        tmp_path,
        DURATION_MS,
        FPS,
        SIZE,
        client=client,
        chunk_frames=chunk_frames,
        progress=done.append,
    )
    assert [p.name for p in paths] == sorted(serial)
    assert frames_of(tmp_path) == serial
    assert sorted(done) == sorted(
        [chunk_frames] * (12 // chunk_frames) + ([12 % chunk_frames] if 12 % chunk_frames else [])
    )
    assert client.run(lambda: True)  # the cluster is still usable


@dataclass(frozen=True)
class ColdStart(PreRoll):
    """A wrong start: every chunk from a fresh runtime, no pre-roll (what the test must catch)."""

    def runtime_at(self, source, start, token):
        return source.new_runtime()

    def finished(self, source, rt, next_frame):
        pass


@dataclass(frozen=True)
class DieMidChunk(PreRoll):
    """Pre-roll, but the first worker to start the chunk at frame ``start`` exits (like a crash or
    an OOM kill) after rendering one of its frames, once (a marker file says it happened)."""

    marker: str = ""
    start: int = 0

    def runtime_at(self, source, start, token):
        rt = PreRoll.runtime_at(self, source, start, token)
        if start != self.start:
            return rt
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return rt
        real, calls = rt.render, []

        def render(w, h):
            calls.append(1)
            if len(calls) == 2:
                os._exit(1)
            return real(w, h)

        rt.render = render
        return rt


@pytest.fixture
def by_value():
    """This module's classes travel to the workers by value (they cannot import tests/)."""
    cloudpickle = pytest.importorskip("cloudpickle")
    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    yield
    cloudpickle.unregister_pickle_by_value(sys.modules[__name__])


def test_a_wrong_start_state_is_caught(client, serial, tmp_path, by_value):
    render_distributed(
        stateful_patch(), tmp_path, DURATION_MS, FPS, SIZE, client=client, chunk_frames=6, start_state=ColdStart()
    )
    got = frames_of(tmp_path)
    assert [got[n] == serial[n] for n in sorted(serial)] == [True] * 6 + [False] * 6


def test_a_worker_killed_mid_chunk_is_survived(client, serial, tmp_path, by_value):
    marker = tmp_path / "killed"
    out = tmp_path / "frames"
    render_distributed(
        stateful_patch(),
        out,
        DURATION_MS,
        FPS,
        SIZE,
        client=client,
        chunk_frames=4,
        start_state=DieMidChunk(marker=str(marker), start=4),
    )
    assert marker.exists()  # a worker did die in chunk 4..7, after writing frame 4
    assert frames_of(out) == serial


def decoded(path) -> list[bytes]:
    """Every frame of a video decoded to RGBA bytes (PyAV)."""
    av = pytest.importorskip("av")
    with av.open(str(path)) as c:
        return [f.to_ndarray(format="rgba").tobytes() for f in c.decode(video=0)]


@pytest.mark.parametrize("suffix", [".mp4", ".apng"])
def test_two_workers_encode_the_serial_video(client, tmp_path, suffix):
    pytest.importorskip("av")
    serial = tmp_path / f"serial{suffix}"
    render_video(stateful_patch(), serial, DURATION_MS, FPS, SIZE)
    out = tmp_path / "v" / f"dist{suffix}"
    paths = render_distributed(
        stateful_patch(), None, DURATION_MS, FPS, SIZE, output=out, client=client, chunk_frames=5
    )
    assert paths == [out]
    frames = decoded(out)
    assert len(frames) == 12 and frames == decoded(serial)
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]  # the intermediate frames are gone


def test_bad_arguments_are_refused_before_any_cluster_starts(tmp_path):
    with pytest.raises(ValueError, match="frames_dir"):
        render_distributed(stateful_patch(), None, 100, 30, SIZE)
    with pytest.raises(ValueError, match="even width"):
        render_distributed(stateful_patch(), None, 100, 30, (63, 64), output=tmp_path / "a.mp4")
    with pytest.raises(ValueError, match="chunk_frames"):
        render_distributed(stateful_patch(), tmp_path, 100, 30, SIZE, chunk_frames=0)
    (tmp_path / "frame_0000.png").write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite"):
        render_distributed(stateful_patch(), tmp_path, 100, 30, SIZE)
    with pytest.raises(osc.CompileError, match="W_NO_RENDER_SINK"):
        render_distributed(
            {"oscilla": 1, "blocks": [{"id": "time", "type": "InfiniteTimeRoot"}], "edges": []},
            tmp_path / "x",
            100,
            30,
            SIZE,
        )


def test_snapshot_starts_equal_the_serial_bytes(client, serial, tmp_path):
    """FromSnapshots: the client's one pass of step() snapshots each chunk's start; workers restore."""
    render_distributed(
        stateful_patch(), tmp_path, DURATION_MS, FPS, SIZE, client=client, chunk_frames=4, start_state=FromSnapshots()
    )
    assert frames_of(tmp_path) == serial
