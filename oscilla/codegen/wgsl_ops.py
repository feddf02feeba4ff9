"""WGSL spelling of every pure IR opcode (the GPU twin of oscilla/ir_ops.py)."""

WGSL_OPS: dict[str, str] = {
    "add": "({0} + {1})", "sub": "({0} - {1})", "mul": "({0} * {1})", "div": "({0} / {1})",
    "min": "min({0}, {1})", "max": "max({0}, {1})",
    "mod": "osc_mod({0}, {1})", "modulo": "osc_modulo({0}, {1})",
    "neg": "(-{0})", "abs": "abs({0})", "floor": "floor({0})", "ceil": "ceil({0})",
    "trunc": "trunc({0})", "sqrt": "sqrt({0})", "sin": "sin({0})", "cos": "cos({0})",
    "exp": "exp({0})", "frac": "osc_frac({0})", "atan2": "osc_atan2({0}, {1})",
    "noise": "osc_noise({0})", "hash": "osc_hash({0}, {1})",
    "hsv_r": "osc_hsv2rgb({0}, {1}, {2}).x", "hsv_g": "osc_hsv2rgb({0}, {1}, {2}).y",
    "hsv_b": "osc_hsv2rgb({0}, {1}, {2}).z",
    "lt": "u32({0} < {1})", "ge": "u32({0} >= {1})",
    "le": "u32({0} <= {1})", "gt": "u32({0} > {1})", "eq": "u32({0} == {1})", "ne": "u32({0} != {1})",
    "lt_i": "u32({0} < {1})", "le_i": "u32({0} <= {1})", "gt_i": "u32({0} > {1})",
    "ge_i": "u32({0} >= {1})", "eq_i": "u32({0} == {1})", "ne_i": "u32({0} != {1})",
    "eq_b": "u32({0} == {1})", "ne_b": "u32({0} != {1})",
    "tan": "tan({0})", "round": "round({0})",
    "select": "select({2}, {1}, {0} != 0u)",
    "add_i": "({0} + {1})", "mod_i": "osc_mod_i({0}, {1})", "div_i": "osc_div_i({0}, {1})",
    "max_i": "max({0}, {1})", "min_i": "min({0}, {1})", "mul_i": "({0} * {1})", "add_u": "({0} + {1})",
    "sub_i": "({0} - {1})", "neg_i": "(-{0})", "abs_i": "abs({0})",
    "or_b": "min({0} + {1}, 1u)", "and_b": "({0} * {1})", "not_b": "(1u - {0})",
    "i2f": "f32({0})", "b2f": "f32({0})", "f2i": "i32({0})",
    "pcg": "osc_pcg({0})", "to01": "osc_to01({0})", "bits": "osc_bits({0})", "xor": "({0} ^ {1})",
    "i2u": "bitcast<u32>({0})",
}

#: IR ``time`` names -> FrameUniforms fields (shaders/prelude.wgsl)
TIME_FIELDS = {"tMs": "fu.t_ms", "dt": "fu.dt", "phaseA": "fu.phase_a", "phaseB": "fu.phase_b",
               "pulse": "fu.pulse", "wrapA": "fu.wrap_a", "wrapB": "fu.wrap_b",
               "phase": "fu.phase", "wrap": "fu.wrap", "progress": "fu.progress", "ended": "fu.ended"}


def external_field(index: int) -> str:
    """The FrameUniforms element holding external channel ``index`` (4 channels per vec4)."""
    return f"fu.ext[{index // 4}u].{'xyzw'[index % 4]}"

#: the same ops on vec4 operands (four lanes at once); see the vec4 twins in shaders/prelude.wgsl
WGSL_OPS4: dict[str, str] = dict(
    WGSL_OPS,
    mod="osc_mod4({0}, {1})", modulo="osc_modulo4({0}, {1})", frac="osc_frac4({0})",
    atan2="osc_atan24({0}, {1})",
    noise="osc_noise4({0})", hash="osc_hash4({0}, {1})",
    lt="vec4<u32>({0} < {1})", ge="vec4<u32>({0} >= {1})",
    le="vec4<u32>({0} <= {1})", gt="vec4<u32>({0} > {1})", eq="vec4<u32>({0} == {1})",
    ne="vec4<u32>({0} != {1})",
    lt_i="vec4<u32>({0} < {1})", le_i="vec4<u32>({0} <= {1})", gt_i="vec4<u32>({0} > {1})",
    ge_i="vec4<u32>({0} >= {1})", eq_i="vec4<u32>({0} == {1})", ne_i="vec4<u32>({0} != {1})",
    eq_b="vec4<u32>({0} == {1})", ne_b="vec4<u32>({0} != {1})",
    not_b="(vec4<u32>(1u) - {0})",
    select="select({2}, {1}, {0} != vec4<u32>(0u))",
    mod_i="osc_mod_i4({0}, {1})", div_i="osc_div_i4({0}, {1})",
    or_b="min({0} + {1}, vec4<u32>(1u))",
    i2f="vec4<f32>({0})", b2f="vec4<f32>({0})", f2i="vec4<i32>({0})",
    pcg="osc_pcg4({0})", to01="osc_to014({0})", bits="osc_bits4({0})",
    i2u="bitcast<vec4<u32>>({0})",
)
for _name in ("hsv_r", "hsv_g", "hsv_b"):
    del WGSL_OPS4[_name]  # emitted as one osc_hsv2rgb4 call (codegen)
