"""Noise built from the gradient-noise opcodes (docs/language/hashing-and-noise.md#gradient-noise).

The functions take an :class:`~oscilla.ir.graph.IRBuilder` and scalar node ids and return node
ids, so the noise blocks (oscilla/blocks/noise.py) and Expression functions build the same IR:
``noise2`` / ``noise3`` are single opcodes, the fractal sum and the curl are compositions of them
with ``add``, ``mul`` and ``neg``. Octave frequencies, amplitudes and the normalization are
computed on the host in float64 and enter the IR as f32 constants, so both runtimes see the same
numbers. A seed is an int (an i32 param) taken as a u32 by two's complement.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from oscilla.ir.graph import IRBuilder

#: the largest ``octaves`` of a fractal sum (each octave is one gradient-noise evaluation per lane)
MAX_OCTAVES = 8


def seed_node(b: IRBuilder, seed: int) -> int:
    """The u32 constant of an int seed (two's complement: -1 is 0xFFFFFFFF)."""
    return b.const(int(seed) & 0xFFFFFFFF, "u32")


def gradient_noise(b: IRBuilder, coords: Sequence[int], seed: int) -> int:
    """Noise2D (two f32 coordinate nodes) or Noise3D (three) with ``seed``: an f32 node in [-1, 1].

    Raises:
        ValueError: ``coords`` has neither 2 nor 3 nodes.
    """
    if len(coords) == 2:
        return b.op("noise2", coords[0], coords[1], seed_node(b, seed))
    if len(coords) == 3:
        return b.op("noise3", coords[0], coords[1], coords[2], seed_node(b, seed))
    raise ValueError(f"gradient noise is 2-D or 3-D, got {len(coords)} coordinates")


def octave_weights(octaves: int, lacunarity: float, gain: float) -> list[tuple[float, float]]:
    """(frequency lacunarity^o, amplitude gain^o / Σ gain^k) of octave o = 0 .. octaves-1, in float64.

    Raises:
        ValueError: ``octaves`` is not in 1 .. :data:`MAX_OCTAVES`.
    """
    if not 1 <= octaves <= MAX_OCTAVES:
        raise ValueError(f"octaves must be 1 .. {MAX_OCTAVES}, got {octaves}")
    amps = [gain**o for o in range(octaves)]
    total = sum(amps)
    return [(lacunarity**o, a / total) for o, a in enumerate(amps)]


def fractal_noise(b: IRBuilder, coords: Sequence[int], seed: int, octaves: int, lacunarity: float, gain: float) -> int:
    """FractalNoise: Σ_o w_o · noise(f_o · p, seed + o) over ``octaves`` octaves, with f_o and w_o
    of :func:`octave_weights` rounded to f32 (the weights sum to 1, so the result stays in [-1, 1]).
    Octave 0 uses p itself, and a single octave is plain gradient noise.

    Raises:
        ValueError: ``coords`` has neither 2 nor 3 nodes, or ``octaves`` is out of range.
    """
    total: int | None = None
    for o, (freq, weight) in enumerate(octave_weights(octaves, lacunarity, gain)):
        p = coords if o == 0 else [b.op("mul", c, b.const(freq)) for c in coords]
        n = gradient_noise(b, p, seed + o)
        term = n if octaves == 1 else b.op("mul", b.const(weight), n)
        total = term if total is None else b.op("add", total, term)
    assert total is not None
    return total


def curl_noise2(b: IRBuilder, x: int, y: int, seed: int) -> tuple[int, int]:
    """CurlNoise2D: the curl of the scalar potential ψ = Noise2D(x, y, seed) (unclamped),
    v = (∂ψ/∂y, −∂ψ/∂x), from the analytic derivatives of the noise; div v = 0 exactly."""
    s = seed_node(b, seed)
    return b.op("noise2_dy", x, y, s), b.op("neg", b.op("noise2_dx", x, y, s))
