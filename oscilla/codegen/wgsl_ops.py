"""WGSL spelling of every pure IR opcode (the GPU twin of oscilla/ir_ops.py)."""

WGSL_OPS: dict[str, str] = {
    "add": "({0} + {1})", "sub": "({0} - {1})", "mul": "({0} * {1})", "div": "({0} / {1})",
    "min": "min({0}, {1})", "max": "max({0}, {1})",
    "mod": "osc_mod({0}, {1})", "modulo": "osc_modulo({0}, {1})",
    "neg": "(-{0})", "abs": "abs({0})", "floor": "floor({0})", "ceil": "ceil({0})",
    "trunc": "trunc({0})", "sqrt": "sqrt({0})", "sin": "sin({0})", "cos": "cos({0})",
    "exp": "exp({0})", "frac": "osc_frac({0})",
    "noise": "osc_noise({0})", "hash": "osc_hash({0}, {1})",
    "hsv_r": "osc_hsv2rgb({0}, {1}, {2}).x", "hsv_g": "osc_hsv2rgb({0}, {1}, {2}).y",
    "hsv_b": "osc_hsv2rgb({0}, {1}, {2}).z",
    "lt": "u32({0} < {1})", "ge": "u32({0} >= {1})",
    "select": "select({2}, {1}, {0} != 0u)",
    "add_i": "({0} + {1})", "mod_i": "osc_mod_i({0}, {1})", "div_i": "osc_div_i({0}, {1})",
    "max_i": "max({0}, {1})", "add_u": "({0} + {1})",
    "or_b": "min({0} + {1}, 1u)",
    "i2f": "f32({0})", "b2f": "f32({0})",
    "pcg": "osc_pcg({0})", "to01": "osc_to01({0})", "bits": "osc_bits({0})", "xor": "({0} ^ {1})",
    "i2u": "bitcast<u32>({0})",
}

TIME_FIELDS = {"tMs": "fu.t_ms", "dt": "fu.dt", "phaseA": "fu.phase_a", "phaseB": "fu.phase_b",
               "pulse": "fu.pulse", "wrapA": "fu.wrap_a", "wrapB": "fu.wrap_b"}

#: the same ops on vec4 operands (four lanes at once); see the vec4 twins in shaders/prelude.wgsl
WGSL_OPS4: dict[str, str] = dict(
    WGSL_OPS,
    mod="osc_mod4({0}, {1})", modulo="osc_modulo4({0}, {1})", frac="osc_frac4({0})",
    noise="osc_noise4({0})", hash="osc_hash4({0}, {1})",
    lt="vec4<u32>({0} < {1})", ge="vec4<u32>({0} >= {1})",
    select="select({2}, {1}, {0} != vec4<u32>(0u))",
    mod_i="osc_mod_i4({0}, {1})", div_i="osc_div_i4({0}, {1})",
    or_b="min({0} + {1}, vec4<u32>(1u))",
    i2f="vec4<f32>({0})", b2f="vec4<f32>({0})",
    pcg="osc_pcg4({0})", to01="osc_to014({0})", bits="osc_bits4({0})",
    i2u="bitcast<vec4<u32>>({0})",
)
for _name in ("hsv_r", "hsv_g", "hsv_b"):
    del WGSL_OPS4[_name]  # emitted as one osc_hsv2rgb4 call (codegen)
