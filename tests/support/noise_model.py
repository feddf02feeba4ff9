"""An independent float64 model of the gradient noise (docs/language/hashing-and-noise.md#gradient-noise):
corner gradients from tables, the noise as a sum over the cell's corners of fade weights times dot
products (not the nested lerps of the implementation), derivatives by finite differences. Used by
tests/blocks/test_noise.py and tests/expr/test_noise_functions.py."""

import itertools
import math

M32 = 0xFFFFFFFF
S = math.sqrt(0.5)
#: 2-D gradients by the top 3 bits of the corner hash: axis-aligned for 0-3, diagonal for 4-7
G2 = [(1, 0), (-1, 0), (0, 1), (0, -1), (S, S), (-S, S), (S, -S), (-S, -S)]
#: Perlin's (2002) 3-D gradients by the top 4 bits (12 cube edges, four repeated)
G3 = [
    (1, 1, 0),
    (-1, 1, 0),
    (1, -1, 0),
    (-1, -1, 0),
    (1, 0, 1),
    (-1, 0, 1),
    (1, 0, -1),
    (-1, 0, -1),
    (0, 1, 1),
    (0, -1, 1),
    (0, 1, -1),
    (0, -1, -1),
    (1, 1, 0),
    (0, -1, 1),
    (-1, 1, 0),
    (0, -1, -1),
]


def pcg(u: int) -> int:
    state = (u * 747796405 + 2891336453) & M32
    word = (((state >> ((state >> 28) + 4)) ^ state) * 277803737) & M32
    return (word >> 22) ^ word


def corner_hash(cell: tuple[int, ...], seed: int) -> int:
    h = pcg(seed & M32)
    for c in cell:
        h = pcg((h + c) & M32)
    return h


def fade(t: float) -> float:
    return 6 * t**5 - 15 * t**4 + 10 * t**3


def model(p: tuple[float, ...], seed: int) -> float:
    """Unscaled, unclamped gradient noise at p (2-D or 3-D), in float64."""
    base = [math.floor(v) for v in p]
    f = [v - b for v, b in zip(p, base, strict=True)]
    table, shift = (G2, 29) if len(p) == 2 else (G3, 28)
    total = 0.0
    for corner in itertools.product((0, 1), repeat=len(p)):
        g = table[corner_hash(tuple(b + c for b, c in zip(base, corner, strict=True)), seed) >> shift]
        d = [fi - c for fi, c in zip(f, corner, strict=True)]
        w = math.prod(fade(fi) if c else 1 - fade(fi) for fi, c in zip(f, corner, strict=True))
        total += w * sum(gi * di for gi, di in zip(g, d, strict=True))
    return total


def noise2d(x: float, y: float, seed: int = 0) -> float:
    return min(1.0, max(-1.0, math.sqrt(2) * model((x, y), seed)))


def noise3d(x: float, y: float, z: float, seed: int = 0) -> float:
    return min(1.0, max(-1.0, 0.96491 * model((x, y, z), seed)))


def curl2d(x: float, y: float, seed: int = 0, h: float = 1e-6) -> tuple[float, float]:
    def psi(a: float, b: float) -> float:
        return math.sqrt(2) * model((a, b), seed)

    return (psi(x, y + h) - psi(x, y - h)) / (2 * h), -(psi(x + h, y) - psi(x - h, y)) / (2 * h)
