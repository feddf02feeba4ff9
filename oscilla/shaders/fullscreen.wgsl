// The vertex stage of every full-screen pass (post.wgsl, bloom.wgsl): one triangle covering the
// target, (-1, 1), (3, 1), (-1, -3) in clip space, drawn with draw(3). Prepended by
// oscilla.shaders.shader_source (SHADER_INCLUDES).

struct VsOut {
    @builtin(position) pos: vec4<f32>,
};

@vertex
fn vs_full(@builtin(vertex_index) i: u32) -> VsOut {
    let x = f32((i << 1u) & 2u);
    let y = f32(i & 2u);
    var o: VsOut;
    o.pos = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    return o;
}

