"""Snapshots of a running program: the versioned byte format, its checks and its coded errors.

``Runtime.snapshot()`` / ``ReferenceRuntime.snapshot()`` capture what the next frame depends on (the
time model, the external channels, every state cell and, with trails, the previous frame's image)
as bytes; ``Runtime.restore(program, data)`` builds a runtime that continues exactly where the
snapshot was taken. This module holds what both runtimes share: the layout of the bytes
(:class:`SnapshotHeader`), encoding (:func:`encode`) and decoding with every check
(:func:`decode`), and :class:`SnapshotError`, whose ``code`` says what was wrong. The format is
documented in docs/runtime/snapshots.md; its fixed prefix, 88 bytes, little-endian:

====== ===== ===========================================================================
offset bytes field
====== ===== ===========================================================================
0      8     magic ``b"OSCSNAP\\0"``
8      4     format version (u32; this oscilla writes and reads :data:`FORMAT_VERSION`)
12     32    checksum: sha256 of bytes [0, 12) followed by bytes [44, end)
44     32    program hash: the 32 bytes ``CompiledProgram.content_hash`` spells in hex
76     4     header length H (u32): UTF-8 JSON
80     8     payload length P (u64): an ``.npz`` archive (numpy, no pickles)
88     H     header JSON: runtime kind, time model, last frame time, channels, sections
88+H   P     payload: the arrays the header's ``sections`` name
====== ===== ===========================================================================

Magic, version and checksum keep their place in every future version, so any oscilla can tell
a newer format (E_SNAPSHOT_VERSION) from damage (E_SNAPSHOT_CORRUPT). :func:`decode` checks
everything, the program and the target runtime included, before a runtime changes anything,
so a refused snapshot leaves the runtime as it was.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from oscilla.diagnostics import SnapshotError
from oscilla.program import STATE_STORAGE_CLASSES, CompiledProgram
from oscilla.runtime.clock import FrameTime, TimeModel, check_channel_value

MAGIC = b"OSCSNAP\0"
#: the format version this oscilla writes; it reads every version up to this one
FORMAT_VERSION = 1
#: struct layout of the fixed prefix (see the module docstring)
PREFIX = struct.Struct("<8sI32s32sIQ")
PREFIX_SIZE = PREFIX.size  # 88
#: bytes [12, 44) hold the checksum; it covers everything else
_CHECKSUM_AT = (12, 44)

#: the error codes of a refused snapshot (docs/language/diagnostics-codes.md)
E_SNAPSHOT_INVALID = "E_SNAPSHOT_INVALID"
E_SNAPSHOT_TRUNCATED = "E_SNAPSHOT_TRUNCATED"
E_SNAPSHOT_CORRUPT = "E_SNAPSHOT_CORRUPT"
E_SNAPSHOT_VERSION = "E_SNAPSHOT_VERSION"
E_SNAPSHOT_MISMATCH = "E_SNAPSHOT_MISMATCH"

#: the texel layout of a trails image section: (height, width, 4) uint16 bits of rgba16float
HISTORY_DTYPE = np.dtype("<u2")

_TIME_KEYS = {
    "prev": float,
    "first": bool,
    "frame": int,
    "cycles_a": int,
    "cycles_b": int,
    "cycles": int,
    "ended_fired": bool,
}


@dataclass(frozen=True)
class SnapshotHeader:
    """The fixed 88-byte prefix of a snapshot (see the module docstring).

    Attributes:
        magic: ``b"OSCSNAP\\0"``.
        version: the format version (u32).
        checksum: sha256 digest (32 bytes) of the file without this field.
        program_hash: sha256 digest (32 bytes) of the program's ``content_hash``.
        header_length: bytes of the JSON header.
        payload_length: bytes of the npz payload.
    """

    magic: bytes
    version: int
    checksum: bytes
    program_hash: bytes
    header_length: int
    payload_length: int

    def pack(self) -> bytes:
        return PREFIX.pack(
            self.magic, self.version, self.checksum, self.program_hash, self.header_length, self.payload_length
        )

    @classmethod
    def unpack(cls, data: bytes | memoryview) -> SnapshotHeader:
        return cls(*PREFIX.unpack_from(data, 0))

    @property
    def total_length(self) -> int:
        """The file's length in bytes according to this header."""
        return PREFIX_SIZE + self.header_length + self.payload_length


@dataclass
class Snapshot:
    """The decoded contents of a snapshot.

    Attributes:
        program_hash: the program's ``content_hash`` (64 hex digits).
        runtime: ``"gpu"`` (:class:`oscilla.Runtime`) or ``"reference"`` (``ReferenceRuntime``).
        time: the :class:`TimeModel` state: prev (ms, float), first, frame, cycles_a, cycles_b,
            cycles, ended_fired.
        frame_time: the last frame's :class:`FrameTime` fields, or None before the first frame.
        channels: every external channel value set (name -> float), read by the program or not.
        state: state class (``"f32"``, ``"i32"``) -> the whole StateBuffer class, flat, as the
            program's ``state_layout`` lays it out (float32 / int32).
        history: the trails image, (height, width, 4) uint16 (the bits of rgba16float texels),
            or None for a program without trails or a snapshot of the ReferenceRuntime.
    """

    program_hash: str
    runtime: str
    time: dict[str, Any]
    frame_time: dict[str, Any] | None
    channels: dict[str, float]
    state: dict[str, np.ndarray] = field(default_factory=dict)
    history: np.ndarray | None = None


def _digest(program_hash: str) -> bytes:
    return bytes.fromhex(program_hash)


def _checksum(data: bytes | bytearray | memoryview) -> bytes:
    h = hashlib.sha256()
    h.update(data[: _CHECKSUM_AT[0]])
    h.update(data[_CHECKSUM_AT[1] :])
    return h.digest()


def time_state(model: TimeModel) -> dict[str, Any]:
    """The state of a :class:`TimeModel` as JSON-able values."""
    return {k: kind(getattr(model, k)) for k, kind in _TIME_KEYS.items()}


def set_time_state(model: TimeModel, values: dict[str, Any]) -> None:
    """Put ``values`` (from :func:`time_state`, checked by :func:`decode`) into ``model``."""
    for k in _TIME_KEYS:
        setattr(model, k, values[k])


def frame_time_state(ft: FrameTime | None) -> dict[str, Any] | None:
    return None if ft is None else dict(vars(ft))


def frame_time_of(values: dict[str, Any] | None) -> FrameTime | None:
    return None if values is None else FrameTime(**values)


def encode(snapshot: Snapshot) -> bytes:
    """The bytes of ``snapshot`` in the current format (see the module docstring)."""
    arrays: dict[str, np.ndarray] = {f"state_{c}": np.ascontiguousarray(snapshot.state[c]) for c in snapshot.state}
    if snapshot.history is not None:
        arrays["history"] = np.ascontiguousarray(snapshot.history, dtype=HISTORY_DTYPE)
    buf = io.BytesIO()
    np.savez(buf, **arrays)  # type: ignore[arg-type]  # numpy's stub types **kwds loosely
    payload = buf.getvalue()
    header = {
        "runtime": snapshot.runtime,
        "time": snapshot.time,
        "frame_time": snapshot.frame_time,
        "channels": snapshot.channels,
        "sections": [{"name": k, "dtype": a.dtype.str, "shape": list(a.shape)} for k, a in arrays.items()],
    }
    text = json.dumps(header, sort_keys=True, allow_nan=False).encode("utf-8")
    head = SnapshotHeader(MAGIC, FORMAT_VERSION, bytes(32), _digest(snapshot.program_hash), len(text), len(payload))
    body = bytearray(head.pack() + text + payload)
    body[_CHECKSUM_AT[0] : _CHECKSUM_AT[1]] = _checksum(body)
    return bytes(body)


def _fail(code: str, message: str) -> SnapshotError:
    return SnapshotError(code, message)


def read_header(data: bytes | memoryview) -> SnapshotHeader:
    """The prefix of ``data`` after checking magic, length, checksum and version.

    Raises:
        SnapshotError: E_SNAPSHOT_INVALID, E_SNAPSHOT_TRUNCATED, E_SNAPSHOT_CORRUPT or E_SNAPSHOT_VERSION.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise _fail(E_SNAPSHOT_INVALID, f"a snapshot is bytes (from rt.snapshot()), got {type(data).__name__}")
    n = len(data)
    if n < len(MAGIC) and bytes(data) == MAGIC[:n] and n:
        raise _fail(E_SNAPSHOT_TRUNCATED, f"the snapshot is truncated: {n} bytes, shorter than its header")
    if bytes(data[: len(MAGIC)]) != MAGIC:
        raise _fail(
            E_SNAPSHOT_INVALID,
            f"not an oscilla snapshot (it does not start with {MAGIC!r}); pass the bytes rt.snapshot() returned",
        )
    if n < PREFIX_SIZE:
        raise _fail(
            E_SNAPSHOT_TRUNCATED, f"the snapshot is truncated: {n} bytes, shorter than its {PREFIX_SIZE}-byte header"
        )
    head = SnapshotHeader.unpack(data)
    if _checksum(data) != head.checksum:
        if head.version == FORMAT_VERSION and n < head.total_length:
            raise _fail(
                E_SNAPSHOT_TRUNCATED,
                f"the snapshot is truncated: {n:,} of its {head.total_length:,} bytes; take a new one (or "
                f"restore an older checkpoint)",
            )
        raise _fail(
            E_SNAPSHOT_CORRUPT,
            f"the snapshot's checksum does not match its contents ({n:,} bytes): the file is damaged; "
            f"take a new one (or restore an older checkpoint)",
        )
    if head.version > FORMAT_VERSION or head.version < 1:
        raise _fail(
            E_SNAPSHOT_VERSION,
            f"the snapshot has format version {head.version}; this oscilla reads versions 1..{FORMAT_VERSION}: "
            f"restore it with the (newer) oscilla that wrote it",
        )
    if n != head.total_length:
        raise _fail(E_SNAPSHOT_CORRUPT, f"the snapshot holds {n:,} bytes; its header says {head.total_length:,}")
    return head


def _corrupt(detail: str) -> SnapshotError:
    return _fail(E_SNAPSHOT_CORRUPT, f"the snapshot's contents are malformed: {detail}")


def _check_time(values: Any) -> dict[str, Any]:
    if not isinstance(values, dict) or set(values) != set(_TIME_KEYS):
        raise _corrupt("the time model must have the keys " + ", ".join(_TIME_KEYS))
    for k, kind in _TIME_KEYS.items():
        v = values[k]
        if kind is float:
            ok = isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            values[k] = float(v) if ok else v
        elif kind is int:
            ok = isinstance(v, int) and not isinstance(v, bool) and (k != "frame" or v >= 0)
        else:
            ok = isinstance(v, bool)
        if not ok:
            raise _corrupt(f"time.{k} = {v!r}")
    return values


def _check_frame_time(values: Any) -> dict[str, Any] | None:
    if values is None:
        return None
    try:
        FrameTime(**values)
    except TypeError:
        raise _corrupt("frame_time has unknown or missing fields") from None
    return values


def _check_channels(values: Any) -> dict[str, float]:
    if not isinstance(values, dict):
        raise _corrupt("channels must be an object")
    try:
        return {name: check_channel_value(name, v) for name, v in values.items()}
    except ValueError as e:
        raise _corrupt(str(e)) from None


def decode(data: bytes | memoryview, program: CompiledProgram, history_size: tuple[int, int] | None) -> Snapshot:
    """Decode and check ``data`` for a runtime of ``program`` that keeps a trails image of
    ``history_size`` (width, height) pixels, or None for a runtime that keeps none (a program
    without trails, or the ReferenceRuntime, which ignores a trails image).

    Everything is checked here (bytes, format, program hash, every array's dtype and size against
    ``program.state_layout``, the image's size), so a runtime that applies the result cannot fail
    halfway.

    Raises:
        SnapshotError: with one of the codes listed on :class:`SnapshotError`.
    """
    head = read_header(data)
    if head.program_hash != _digest(program.content_hash):
        raise _fail(
            E_SNAPSHOT_MISMATCH,
            "the snapshot was taken from another program (its program hash differs): restore it into the "
            "program compiled from the same patch, with the same options, by the same oscilla version",
        )
    start = PREFIX_SIZE
    try:
        header = json.loads(bytes(data[start : start + head.header_length]).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise _corrupt("the header is not JSON") from None
    if not isinstance(header, dict) or header.get("runtime") not in ("gpu", "reference"):
        raise _corrupt("the header names no runtime")
    sections = header.get("sections")
    if not isinstance(sections, list) or not all(
        isinstance(s, dict) and isinstance(s.get("name"), str) for s in sections
    ):
        raise _corrupt("the header lists no sections")
    payload = bytes(data[start + head.header_length :])
    try:
        with np.load(io.BytesIO(payload), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except Exception as e:  # noqa: BLE001 - any failure of a damaged archive is the same refusal
        raise _corrupt(f"the payload is not a numpy archive ({type(e).__name__})") from None
    listed = {s["name"]: (s.get("dtype"), s.get("shape")) for s in sections}
    found = {k: (a.dtype.str, list(a.shape)) for k, a in arrays.items()}
    if listed != found:
        raise _corrupt(f"the payload holds {sorted(found)}, the header lists {sorted(listed)}")
    state: dict[str, np.ndarray] = {}
    for c in STATE_STORAGE_CLASSES:
        want = program.state_layout.size_of(c)
        a = arrays.get(f"state_{c}")
        dtype = np.dtype(np.float32 if c == "f32" else np.int32)
        if a is None or a.dtype != dtype or a.shape != (want,):
            raise _corrupt(f"the {c} state must be {want} {dtype} elements")
        state[c] = a
    history = arrays.get("history")
    if history_size is not None:
        w, h = history_size
        if history is None:
            raise _fail(
                E_SNAPSHOT_MISMATCH,
                "the program has trails but the snapshot holds no trails image (a ReferenceRuntime snapshot): "
                "restore it into a ReferenceRuntime, or take it from a Runtime",
            )
        if history.dtype != HISTORY_DTYPE or history.shape != (h, w, 4):
            shape = "x".join(str(x) for x in history.shape[1::-1]) if history.ndim == 3 else str(history.shape)
            raise _fail(
                E_SNAPSHOT_MISMATCH,
                f"the snapshot's trails image is {shape} pixels; this runtime keeps {w}x{h}: restore with "
                f"Runtime.restore(program, data), which takes the snapshot's size",
            )
    return Snapshot(
        program_hash=program.content_hash,
        runtime=header["runtime"],
        time=_check_time(header.get("time")),
        frame_time=_check_frame_time(header.get("frame_time")),
        channels=_check_channels(header.get("channels")),
        state=state,
        history=history if history_size is not None else None,
    )


def history_size_of(data: bytes | memoryview) -> tuple[int, int] | None:
    """(width, height) of the trails image a snapshot holds, or None (no image, or bytes that
    :func:`decode` will refuse anyway). Reads the header only."""
    try:
        head = read_header(data)
        header = json.loads(bytes(data[PREFIX_SIZE : PREFIX_SIZE + head.header_length]).decode("utf-8"))
        for s in header["sections"]:
            if s["name"] == "history":
                h, w, _ = s["shape"]
                return int(w), int(h)
    except Exception:  # noqa: BLE001 - decode reports what is wrong
        return None
    return None


__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "PREFIX_SIZE",
    "Snapshot",
    "SnapshotError",
    "SnapshotHeader",
    "decode",
    "encode",
    "history_size_of",
]
