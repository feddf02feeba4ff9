// f32 -> i32 as the reference runtime converts (oscilla/ir/opcodes.py, f2i): WGSL's conversion
// (truncation toward zero, saturating), except that NaN, indeterminate in WGSL (lavapipe gives
// -2^31), gives 0. The NaN test is on the bits, which no compiler folds away.

fn osc_f2i(x: f32) -> i32 {
    return select(i32(x), 0, (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u);
}

fn osc_f2i4(x: vec4<f32>) -> vec4<i32> {
    return select(vec4<i32>(x), vec4<i32>(0), (bitcast<vec4<u32>>(x) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u));
}
