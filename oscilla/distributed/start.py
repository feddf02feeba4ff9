"""How a worker reaches the state of the first frame of its chunk: the start-state seam.

State (Lag, UnitDelay, Accumulator, trails) makes frame n depend on every frame before it, so a
worker that renders frames a .. b-1 must first bring a runtime to the state after frame a-1.
A :class:`StartState` strategy does that in two halves: :meth:`StartState.prepare` runs once on
the client (it may compute a token per chunk, e.g. a snapshot taken by a sequential compute-only
pass) and :meth:`StartState.runtime_at` runs on the worker.

:class:`PreRoll` (the default): the worker steps frames 0 .. a-1 without reading an image (with
trails each step also draws, because the previous frame is state). A worker keeps its runtime
between chunks, so a worker given chunks in order only steps the frames between its chunks.
:class:`FromSnapshots`: the client runs one sequential pass of ``step`` only (what the serial
export steps) and takes ``rt.snapshot()`` at each chunk's first frame; a worker restores its
chunk's snapshot (``Runtime.restore``) instead of pre-rolling (docs/guide/distributed.md#start-state).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from oscilla.distributed.chunks import FrameChunk
from oscilla.distributed.source import ProgramSource
from oscilla.runtime.executor import Runtime


class StartState(Protocol):
    """A way for a worker to get a runtime in the state right before a chunk's first frame."""

    @property
    def name(self) -> str:
        """A short name for tables and the docs ("pre-roll")."""
        ...

    def prepare(self, source: ProgramSource, chunks: Sequence[FrameChunk]) -> list[Any]:
        """Client side, once per render: one picklable token per chunk (``None`` when not needed)."""
        ...

    def runtime_at(self, source: ProgramSource, start: int, token: Any) -> Runtime:
        """Worker side: a runtime that has stepped frames 0 .. ``start - 1`` exactly as the serial
        export did, so its next ``step(source.frame_time(start))`` is frame ``start``."""
        ...

    def finished(self, source: ProgramSource, rt: Runtime, next_frame: int) -> None:
        """Worker side: the chunk is rendered; ``rt`` has stepped frames 0 .. ``next_frame - 1``."""
        ...


_kept_lock = threading.Lock()
#: this worker's runtime after its last chunk: source key -> (runtime, next frame index)
_kept: dict[str, tuple[Runtime, int]] = {}


@dataclass(frozen=True)
class PreRoll:
    """Pre-roll from frame 0 (or from where this worker's previous chunk of the same render ended,
    when ``reuse`` and that is not past the chunk's start): ``step`` only, no readback."""

    reuse: bool = True
    name: str = "pre-roll"

    def prepare(self, source: ProgramSource, chunks: Sequence[FrameChunk]) -> list[Any]:
        return [None] * len(chunks)

    def runtime_at(self, source: ProgramSource, start: int, token: Any) -> Runtime:
        rt, k = None, 0
        if self.reuse:
            with _kept_lock:
                rt, k = _kept.pop(source.key, (None, 0))
            if rt is not None and k > start:  # this worker is already past the chunk: start over
                rt, k = None, 0
        if rt is None:
            rt, k = source.new_runtime(), 0
        for j in range(k, start):
            rt.step(source.frame_time(j))
        return rt

    def finished(self, source: ProgramSource, rt: Runtime, next_frame: int) -> None:
        if self.reuse:
            with _kept_lock:
                _kept.clear()  # one render at a time per worker: keep only the latest runtime
                _kept[source.key] = (rt, next_frame)


@dataclass(frozen=True)
class FromSnapshots:
    """Start each chunk from a snapshot taken on the client by one sequential pass of ``step``
    (docs/runtime/snapshots.md): the client's pass costs one step per frame of the whole range,
    once, and a worker's start costs one restore instead of ``start`` steps."""

    name: str = "snapshots"

    def prepare(self, source: ProgramSource, chunks: Sequence[FrameChunk]) -> list[Any]:
        starts = {c.start for c in chunks if c.start > 0}
        tokens: dict[int, bytes] = {}
        if starts:
            rt = source.new_runtime()
            for j in range(max(starts)):
                rt.step(source.frame_time(j))
                if j + 1 in starts:
                    tokens[j + 1] = rt.snapshot()
        return [tokens.get(c.start) for c in chunks]

    def runtime_at(self, source: ProgramSource, start: int, token: Any) -> Runtime:
        if token is None:  # the first chunk starts at frame 0
            return source.new_runtime()
        return Runtime.restore(source.program(), token)

    def finished(self, source: ProgramSource, rt: Runtime, next_frame: int) -> None:
        return None


#: the start strategies by name (``render_distributed(start=...)``, ``oscilla render --start``)
START_STATES: dict[str, StartState] = {"pre-roll": PreRoll(), "snapshots": FromSnapshots()}


def forget_kept_runtimes() -> None:
    """Drop the runtime this process keeps between chunks (frees its GPU buffers)."""
    with _kept_lock:
        _kept.clear()
