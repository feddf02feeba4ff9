"""Snapshots (docs/runtime/snapshots.md, issue 14 item 1): a runtime restored from a snapshot taken
after frame 29 and stepped 30 more frames ends with the same state (and image) bytes as a runtime
that ran all 60 frames without interruption, on both runtimes and for every example; a damaged,
cut short, foreign or newer-format snapshot is refused with its code and leaves the runtime as it
was. The reference values are those of the uninterrupted run, which never touches snapshot code."""

import hashlib
import struct

import numpy as np
import pytest
from support.paths import EXAMPLES

import oscilla as osc
from oscilla.runtime.snapshot import SnapshotError

SIZE = 64
STEP = 1000.0 / 60.0
#: channels set before the snapshot (mouse-spiral reads them; others keep them for a later swap)
CHANNELS = {"mouse.x": 0.25, "mouse.y": 0.75, "mouse.over": 1.0}


def _new(cls, program):
    return cls(program, size=(SIZE, SIZE)) if cls is osc.Runtime else cls(program)


def _frames(rt, first, last):
    for f in range(first, last):
        if f == 10:
            for name, v in CHANNELS.items():
                rt.set_input(name, v)
        rt.step(f * STEP)


def _state(rt) -> dict[str, str]:
    """sha256 of each state class, read back the runtime's own way."""
    if isinstance(rt, osc.Runtime):
        raw = {c: rt.state.read_all(c) for c in ("f32", "i32")}
    else:
        raw = dict(rt.state)
    return {c: hashlib.sha256(a.tobytes()).hexdigest() for c, a in raw.items()}


def _image(rt) -> str:
    """sha256 of what the last frame shows: the rendered image, or on the reference runtime
    (which does not draw) every value of the last frame."""
    if isinstance(rt, osc.Runtime):
        return hashlib.sha256(rt.render(SIZE, SIZE).tobytes()).hexdigest()
    return hashlib.sha256(b"".join(rt.values[c].tobytes() for c in ("f32", "i32", "u32"))).hexdigest()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_restore_then_30_frames_equals_an_uninterrupted_run(runtime_cls, path):
    program = osc.compile(osc.load_patch(path))
    whole = _new(runtime_cls, program)
    _frames(whole, 0, 60)
    first = _new(runtime_cls, program)
    _frames(first, 0, 30)
    data = first.snapshot()
    del first
    resumed = runtime_cls.restore(program, data)
    assert resumed.time.frame == 30 and resumed.channels == CHANNELS
    _frames(resumed, 30, 60)
    assert _state(resumed) == _state(whole)
    assert _image(resumed) == _image(whole)


def test_the_trails_image_is_restored_byte_exact(device):
    """galaxy has trails: the image after the next frame depends on the restored previous frame."""
    program = osc.compile(osc.load_patch(EXAMPLES[0].parent / "galaxy.json"))
    a = osc.Runtime(program, size=(48, 32))
    _frames(a, 0, 5)
    b = osc.Runtime.restore(program, a.snapshot())
    assert b.size == (48, 32)
    np.testing.assert_array_equal(b._history.read_texels(), a._history.read_texels())
    fresh = osc.Runtime(program, size=(48, 32))  # the same state but a background image: differs
    fresh.load_snapshot(a.snapshot())
    fresh._history.clear()
    for rt in (a, b, fresh):
        rt.step(5 * STEP)
    assert np.array_equal(a.render(48, 32), b.render(48, 32))
    assert not np.array_equal(a.render(48, 32), fresh.render(48, 32))


# -- refusals -------------------------------------------------------------------------------------
LAG = EXAMPLES[0].parent / "lag-grid.json"
OTHER = EXAMPLES[0].parent / "feedback.json"


def _with_version(data: bytes, version: int) -> bytes:
    """``data`` rewritten as format ``version`` with a valid checksum, following the documented
    layout: version u32 at byte 8, checksum = sha256(bytes[0:12] + bytes[44:]) at byte 12."""
    out = bytearray(data)
    out[8:12] = struct.pack("<I", version)
    out[12:44] = hashlib.sha256(bytes(out[:12]) + bytes(out[44:])).digest()
    return bytes(out)


def _bad_snapshots(data: bytes, foreign: bytes) -> dict[str, bytes]:
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x40
    return {
        "E_SNAPSHOT_CORRUPT": bytes(flipped),
        "E_SNAPSHOT_TRUNCATED": data[: len(data) - 100],
        "E_SNAPSHOT_MISMATCH": foreign,
        "E_SNAPSHOT_VERSION": _with_version(data, 2),
        "E_SNAPSHOT_INVALID": b"\x89PNG\r\n\x1a\n" + bytes(200),
    }


@pytest.mark.parametrize(
    "code",
    ["E_SNAPSHOT_CORRUPT", "E_SNAPSHOT_TRUNCATED", "E_SNAPSHOT_MISMATCH", "E_SNAPSHOT_VERSION", "E_SNAPSHOT_INVALID"],
)
def test_a_bad_snapshot_is_refused_with_its_code_and_changes_nothing(runtime_cls, code):
    program = osc.compile(osc.load_patch(LAG))
    donor = _new(runtime_cls, program)
    _frames(donor, 0, 20)
    other = _new(runtime_cls, osc.compile(osc.load_patch(OTHER)))
    other.step(0.0)
    bad = _bad_snapshots(donor.snapshot(), other.snapshot())[code]

    target, twin = _new(runtime_cls, program), _new(runtime_cls, program)
    for rt in (target, twin):
        _frames(rt, 0, 7)
    before = (_state(target), target.time.frame, target.time.prev, dict(target.channels))
    with pytest.raises(SnapshotError) as err:
        target.load_snapshot(bad)
    assert err.value.code == code and err.value.diagnostic.code == code
    assert isinstance(err.value, ValueError) and code in str(err.value)
    assert (_state(target), target.time.frame, target.time.prev, dict(target.channels)) == before
    for rt in (target, twin):  # and it runs on exactly as a runtime that never saw the bad bytes
        _frames(rt, 7, 9)
    assert _state(target) == _state(twin) and _image(target) == _image(twin)
    with pytest.raises(SnapshotError) as err2:
        runtime_cls.restore(program, bad)
    assert err2.value.code == code


def test_the_documented_prefix(device):
    program = osc.compile(osc.load_patch(LAG))
    rt = osc.Runtime(program)
    rt.step(0.0)
    data = rt.snapshot()
    magic, version, checksum, phash, hlen, plen = struct.unpack_from("<8sI32s32sIQ", data)
    assert magic == b"OSCSNAP\0" and version == 1
    assert phash == bytes.fromhex(program.content_hash)
    assert checksum == hashlib.sha256(data[:12] + data[44:]).digest()
    assert len(data) == 88 + hlen + plen
    assert data[88 + hlen : 88 + hlen + 2] == b"PK"  # the payload is a zip (.npz) archive


def test_a_trails_image_of_another_size_is_refused_by_load_snapshot(device):
    program = osc.compile(osc.load_patch(EXAMPLES[0].parent / "galaxy.json"))
    a = osc.Runtime(program, size=(32, 32))
    a.step(0.0)
    b = osc.Runtime(program, size=(16, 16))
    with pytest.raises(SnapshotError) as err:
        b.load_snapshot(a.snapshot())
    assert err.value.code == "E_SNAPSHOT_MISMATCH" and "32x32" in str(err.value)
    ref = osc.ReferenceRuntime(program)  # a reference snapshot has no image for a trails Runtime
    with pytest.raises(SnapshotError) as err:
        osc.Runtime.restore(program, ref.snapshot())
    assert err.value.code == "E_SNAPSHOT_MISMATCH"
    osc.ReferenceRuntime.restore(program, a.snapshot())  # the reference interpreter ignores the image


# -- the time model: cycle counts and FiniteTimeRoot's ended ---------------------------------------
@pytest.mark.parametrize(
    "root, params, port",
    [
        ("InfiniteTimeRoot", {"periodAMs": 100.0, "periodBMs": 70.0}, ["time.wrapA", "time.wrapB"]),
        ("CyclicTimeRoot", {"periodMs": 90.0}, ["time.wrap"]),
        ("FiniteTimeRoot", {"durationMs": 450.0}, ["time.ended"]),
        ("FiniteTimeRoot", {"durationMs": 200.0}, ["time.ended"]),  # ended before the snapshot: never again
    ],
)
def test_events_after_a_restore_are_those_of_the_uninterrupted_run(runtime_cls, root, params, port):
    """A restored runtime whose cycle counts (or ended flag) were lost would fire a false wrap (or
    ended) on its first frame; the expected events are the uninterrupted run's."""
    patch = {"oscilla": 1, "blocks": [{"id": "time", "type": root, "params": params}], "edges": []}
    program = osc.compile(patch, observe=port)
    whole, first = runtime_cls(program), runtime_cls(program)
    times = [f * 33.0 for f in range(20)]  # 0 .. 627 ms: several periods, past the duration
    split = 12  # no period ends between frames 11 (363 ms) and 12 (396 ms): a false event would show
    seen_whole = []
    for t in times:
        whole.step(t)
        seen_whole.append([bool(whole.read(p)) for p in port])
    for t in times[:split]:
        first.step(t)
    resumed = runtime_cls.restore(program, first.snapshot())
    seen = []
    for t in times[split:]:
        resumed.step(t)
        seen.append([bool(resumed.read(p)) for p in port])
    assert seen == seen_whole[split:] and not any(seen[0])
    assert any(any(s) for s in seen) == (params.get("durationMs") != 200.0)
