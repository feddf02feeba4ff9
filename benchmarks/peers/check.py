"""Check a peer against oscilla's reference interpreter before it is timed.

The oracle is :class:`oscilla.ReferenceRuntime` running the compiled bench patch
(``bench_patch`` of ``benchmarks/bench_runtime.py``): its ``size``, ``color`` and ``position``
render inputs and the Lag's state cell, frame by frame. Agreement is the conformance tolerance of
the spec (1e-5 absolute or relative, whichever is looser).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import oscilla as osc
from peers import Outputs, Peer

#: |a - b| <= max(ATOL, RTOL * |b|) (the spec's conformance tolerance)
ATOL = 1e-5
RTOL = 1e-5
#: frame times of the check: frame 0, ordinary 16 ms frames, a skipped stretch and a wrap of phaseA
CHECK_TIMES_MS: tuple[float, ...] = (0.0, 16.0, 33.0, 50.0, 1250.0, 2999.0, 3016.0)


def reference_outputs(rt) -> Outputs:
    """The frame's values of an oscilla runtime (Runtime or ReferenceRuntime) on the bench patch."""
    return Outputs(
        size=rt.read_rendered("draw", "size"),
        color=rt.read_rendered("draw", "color"),
        position=rt.read_rendered("draw", "pos"),
        lag_state=rt.read_state("lag:lag"),
    )


def reference_frames(program, times_ms: Sequence[float] = CHECK_TIMES_MS) -> list[Outputs]:
    """The reference interpreter's values after each frame of ``times_ms`` (a fresh runtime)."""
    ref = osc.ReferenceRuntime(program)
    frames = []
    for t in times_ms:
        ref.step(t)
        frames.append(reference_outputs(ref))
    return frames


def mismatches(got: Outputs, want: Outputs) -> list[str]:
    """One line per output whose shape differs or that has any lane beyond the tolerance
    (the worst lane's values); empty when ``got`` agrees with ``want``."""
    lines = []
    for name, g, w in zip(Outputs._fields, got, want):
        g = np.asarray(g, dtype=np.float64).reshape(np.shape(w)) if np.size(g) == np.size(w) else np.asarray(g)
        w = np.asarray(w, dtype=np.float64)
        if g.shape != w.shape:
            lines.append(f"{name}: shape {g.shape}, want {w.shape}")
            continue
        err = np.abs(g - w)
        bad = ~(err <= np.maximum(ATOL, RTOL * np.abs(w)))
        if bad.any():
            j = int(np.flatnonzero(bad.reshape(-1))[np.argmax(err.reshape(-1)[bad.reshape(-1)])])
            lines.append(
                f"{name}: {int(bad.sum())} values beyond 1e-5; worst at flat index {j}: "
                f"{g.reshape(-1)[j]!r} vs {w.reshape(-1)[j]!r}"
            )
    return lines


def check_peer(peer: Peer, n: int, want: Sequence[Outputs], times_ms: Sequence[float] = CHECK_TIMES_MS) -> list[str]:
    """Set ``peer`` up for ``n`` lanes and compare every frame of ``times_ms`` with ``want``
    (from :func:`reference_frames`); returns the mismatches, "frame k (t ms): ..." lines."""
    peer.setup(n)
    problems = []
    for k, (t, w) in enumerate(zip(times_ms, want)):
        peer.step(t)
        peer.sync()
        problems += [f"frame {k} (t = {t} ms): {line}" for line in mismatches(peer.outputs(), w)]
    return problems
