// Float helpers shared by the drawing shaders (instances, lines, camera_sort); prepended by
// oscilla.shaders.shader_source (SHADER_INCLUDES).

// Bit tests: WGSL lets a compiler assume floats are finite, so x != x is not reliable.
fn finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

// clamp to [0, 1] with NaN -> 0, +inf -> 1, -inf -> 0 (docs/language/rendering.md#compositing).
fn unit(x: f32) -> f32 {
    let b = bitcast<u32>(x);
    if ((b & 0x7f800000u) == 0x7f800000u) {
        return select(0.0, 1.0, b == 0x7f800000u);
    }
    return clamp(x, 0.0, 1.0);
}

