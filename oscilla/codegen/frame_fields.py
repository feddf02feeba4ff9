"""Where codegen finds the frame's values in the FrameUniforms struct (oscilla/abi/uniforms.py):
the time root's fields and the external channels. (Opcode spellings live in the opcode records of
:mod:`oscilla.ir.opcodes`.)"""

#: IR ``time`` names -> FrameUniforms fields (FRAME_UNIFORMS in oscilla/abi/uniforms.py)
TIME_FIELDS = {
    "tMs": "fu.t_ms",
    "dt": "fu.dt",
    "phaseA": "fu.phase_a",
    "phaseB": "fu.phase_b",
    "pulse": "fu.pulse",
    "wrapA": "fu.wrap_a",
    "wrapB": "fu.wrap_b",
    "phase": "fu.phase",
    "wrap": "fu.wrap",
    "progress": "fu.progress",
    "ended": "fu.ended",
}


def external_field(index: int) -> str:
    """The FrameUniforms element holding external channel ``index`` (4 channels per vec4)."""
    return f"fu.ext[{index // 4}u].{'xyzw'[index % 4]}"
