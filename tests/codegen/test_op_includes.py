"""Opcode includes (Opcode.include, oscilla/codegen/wgsl.py): a kernel carries the static WGSL of the
ops it uses that live outside the prelude (the gradient-noise helpers of oscilla/shaders/noise.wgsl),
once, and a kernel that uses none of them does not."""

from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.codegen.wgsl import kernel_prelude
from oscilla.shaders import load_wgsl


def test_noise_helpers_only_in_the_kernels_that_use_them():
    patch = make_patch(
        [
            blk("a", "Array", count=64),
            blk("g", "GridLayout", rows=8, cols=8),
            blk("f", "FractalNoise", octaves=3),
            blk("n", "Noise2D"),
            blk("e", "ExternalVec2", channelBase="q"),
            blk("o", "Oscillator"),
        ],
        [edge("a.elements", "g.elements"), edge("g.position", "f.p"), edge("e.position", "n.p")],
    )
    program = osc.compile(patch, observe=["f.out", "n.out", "o.out"])
    noise = load_wgsl("noise.wgsl")
    # the fractal sum of constant positions runs once, in the init kernel; Noise2D of a signal in the signal kernel
    assert set(program.wgsl) == {"init0", "signal"}
    for src in program.wgsl.values():
        assert src.startswith(kernel_prelude() + "\n" + noise) and src.count(noise) == 1

    plain = osc.compile(make_patch([blk("o", "Oscillator")]), observe=["o.out"])
    assert plain.wgsl and not any("osc_noise2" in src or "osc_grad3" in src for src in plain.wgsl.values())
