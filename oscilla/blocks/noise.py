"""Gradient noise blocks: Noise2D, Noise3D, FractalNoise, CurlNoise2D
(docs/language/hashing-and-noise.md#gradient-noise).

Each lowers through :mod:`oscilla.ir.noise` to the gradient-noise opcodes (``noise2``, ``noise3``,
``noise2_dx``, ``noise2_dy``), whose WGSL helpers are oscilla/shaders/noise.wgsl and whose numpy
meaning is in oscilla/ir/opcodes.py. The seed and the octave settings are params: they become
constants of the IR (never WGSL text).
"""

from __future__ import annotations

from oscilla.blocks.context import LowerContext, TypeContext
from oscilla.blocks.registry import INT32, NUMERIC_T, BlockDef, E, ParamDef, PortDef, register
from oscilla.blocks.values import Value
from oscilla.diagnostics import DiagnosticCollector
from oscilla.ir import noise
from oscilla.payloads import VEC2, VEC3

_SEED = ParamDef("seed", "int", 0, minimum=INT32[0], maximum=INT32[1])

_PERLIN = "Perlin 2002, Improving Noise"


def _lower_noise(ctx: LowerContext) -> dict[str, Value]:
    p = ctx.input_value("p")
    return {"out": ctx.float_value(noise.gradient_noise(ctx.builder, p.nodes, ctx.param("seed")))}


register(
    BlockDef(
        "Noise2D",
        "math",
        inputs=(PortDef("p", "vec2", E, default=[0.0, 0.0]),),
        outputs=(PortDef("out", "float", E),),
        params=(_SEED,),
        lower=_lower_noise,
        formula="2-D gradient noise in [-1, 1]: gradients g = hashed unit vectors at the 4 corners of the cell "
        "of p; n = lerp(lerp(g00·d00, g10·d10, u), lerp(g01·d01, g11·d11, u), v), u, v = fade(frac(p)) = "
        f"t³(6t² - 15t + 10); out = clamp(√2·n, -1, 1) ({_PERLIN})",
    )
)

register(
    BlockDef(
        "Noise3D",
        "math",
        inputs=(PortDef("p", "vec3", E, default=[0.0, 0.0, 0.0]),),
        outputs=(PortDef("out", "float", E),),
        params=(_SEED,),
        lower=_lower_noise,
        formula="3-D gradient noise in [-1, 1]: Perlin's 12 gradients (±1, ±1, 0), ... hashed at the 8 corners "
        f"of the cell of p, trilinear lerp by fade(frac(p)); out = clamp(0.96491·n, -1, 1) ({_PERLIN})",
    )
)


def _check_fractal_input(ctx: TypeContext, diags: DiagnosticCollector) -> None:
    """E_TYPE_MISMATCH at port ``p`` unless it is a vec2 or a vec3 (2-D or 3-D noise)."""
    payload = ctx.input_payload("p")
    if payload is not None and payload not in (VEC2, VEC3):
        diags.add(
            "E_TYPE_MISMATCH",
            f"FractalNoise.p takes a vec2 (2-D noise) or a vec3 (3-D noise), got {payload}; "
            "for 1-D noise use Noise, or feed a position",
            block=ctx.block_id,
            port="p",
        )


def _lower_fractal(ctx: LowerContext) -> dict[str, Value]:
    p = ctx.input_value("p")
    out = noise.fractal_noise(
        ctx.builder,
        p.nodes,
        ctx.param("seed"),
        int(ctx.param("octaves")),
        float(ctx.param("lacunarity")),
        float(ctx.param("gain")),
    )
    return {"out": ctx.float_value(out)}


register(
    BlockDef(
        "FractalNoise",
        "math",
        inputs=(PortDef("p", NUMERIC_T, E, default=[0.0, 0.0]),),
        outputs=(PortDef("out", "float", E),),
        params=(
            ParamDef("octaves", "int", 4, minimum=1, maximum=noise.MAX_OCTAVES),
            ParamDef("lacunarity", "number", 2.0, minimum=1.0, maximum=16.0),
            ParamDef("gain", "number", 0.5, minimum=0.0, maximum=1.0),
            _SEED,
        ),
        lower=_lower_fractal,
        check_input_types=_check_fractal_input,
        formula="fBm of Noise2D (p vec2) or Noise3D (p vec3): Σ_o w_o·noise(lacunarity^o·p, seed + o), "
        "w_o = gain^o / Σ_k gain^k, o = 0 .. octaves-1; in [-1, 1] (Musgrave, Texturing and Modeling ch. 16)",
    )
)


def _lower_curl(ctx: LowerContext) -> dict[str, Value]:
    x, y = ctx.input_value("p").nodes
    vx, vy = noise.curl_noise2(ctx.builder, x, y, ctx.param("seed"))
    return {"out": ctx.make_value(VEC2, vx, vy)}


register(
    BlockDef(
        "CurlNoise2D",
        "math",
        inputs=(PortDef("p", "vec2", E, default=[0.0, 0.0]),),
        outputs=(PortDef("out", "vec2", E),),
        params=(_SEED,),
        lower=_lower_curl,
        formula="divergence-free velocity: out = (∂ψ/∂y, -∂ψ/∂x), ψ = √2·n of Noise2D (unclamped), analytic "
        "derivatives (Bridson, Hourihan, Nordenstam 2007, Curl-noise for procedural fluid flow)",
    )
)
