// Full-screen passes of the display (docs/language/rendering.md#trails, #bloom):
// fs_fade draws the previous frame, moved by the feedback transform and faded to the background,
// as the start of the next frame; fs_present copies (or rescales) an image to a display target.
// Structs Feedback and Present and the full-screen vertex stage vs_full (fullscreen.wgsl) are
// prepended by oscilla.shaders.shader_source.

@group(0) @binding(0) var<uniform> fb: Feedback;
@group(0) @binding(1) var<uniform> pr: Present;
@group(0) @binding(2) var src: texture_2d<f32>;
@group(0) @binding(3) var samp: sampler;

// the source texel at pixel position q (pixels, texel centres at +0.5) of a w x h source:
// exact (textureLoad) when q is a texel centre, bilinear otherwise; `outside` beyond the edges
fn fetch(q: vec2<f32>, size: vec2<f32>, outside: vec4<f32>) -> vec4<f32> {
    if (any(q < vec2<f32>(0.0)) || any(q > size)) {
        return outside;
    }
    let f = q - vec2<f32>(0.5);
    let r = round(f);
    if (all(abs(f - r) < vec2<f32>(1e-3))) {
        let hi = vec2<i32>(size) - vec2<i32>(1);
        return textureLoad(src, clamp(vec2<i32>(r), vec2<i32>(0), hi), 0);
    }
    return textureSampleLevel(src, samp, q / size, 0.0);
}

@fragment
fn fs_fade(in: VsOut) -> @location(0) vec4<f32> {
    let p = in.pos.xy;
    let c = fb.shift.xy;
    let r = p - c - fb.shift.zw;
    let q = vec2<f32>(fb.m.x * r.x + fb.m.y * r.y, fb.m.z * r.x + fb.m.w * r.y) + c;
    let prev = fetch(q, fb.params.yz, fb.background);
    let t = fb.params.x;
    return prev * t + fb.background * (1.0 - t);
}

@fragment
fn fs_present(in: VsOut) -> @location(0) vec4<f32> {
    let q = in.pos.xy * pr.sizes.xy / pr.sizes.zw;
    return fetch(q, pr.sizes.xy, vec4<f32>(0.0));
}
