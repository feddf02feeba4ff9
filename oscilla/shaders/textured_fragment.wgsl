// The fragment entry points of textured shape sinks (image.wgsl, text.wgsl): the including shader
// defines `struct VOut` and `fn shade(in: VOut) -> vec4<f32>` (straight-alpha colour of the
// fragment). "over" (fs_main) writes straight alpha for the src-alpha blend state; add, multiply
// and screen (fs_premul) write the premultiplied form (oscilla/drawing/sink_pipeline.py). Prepended
// by oscilla.shaders.shader_source (SHADER_INCLUDES).

@fragment
fn fs_main(in: VOut) -> @location(0) vec4<f32> {
    let p = shade(in);
    if (p.a <= 0.0) {
        discard;
    }
    return p;
}

@fragment
fn fs_premul(in: VOut) -> @location(0) vec4<f32> {
    let p = shade(in);
    if (p.a <= 0.0) {
        discard;
    }
    return vec4<f32>(p.rgb * p.a, p.a);
}
