// Bloom (docs/language/rendering.md#bloom): bright-pass at half resolution, a separable Gaussian
// blur (two passes), and an additive composite onto the displayed image. Struct Bloom and the
// full-screen vertex stage vs_full (fullscreen.wgsl) are prepended by oscilla.shaders.shader_source.

@group(0) @binding(0) var<uniform> bu: Bloom;
@group(0) @binding(1) var src: texture_2d<f32>;
@group(0) @binding(2) var samp: sampler;
@group(0) @binding(3) var glow: texture_2d<f32>;

// bright-pass: the source averaged over 2 x 2 pixels (one bilinear fetch), keeping only what is
// brighter than the threshold: c * clamp((L - threshold) / (1 - threshold), 0, 1), L = max(r, g, b)
@fragment
fn fs_bright(in: VsOut) -> @location(0) vec4<f32> {
    let c = textureSampleLevel(src, samp, in.pos.xy * 2.0 / bu.size.xy, 0.0);
    let l = max(c.r, max(c.g, c.b));
    let k = clamp((l - bu.params.x) / max(1.0 - bu.params.x, 1e-6), 0.0, 1.0);
    return vec4<f32>(c.rgb * c.a * k, 1.0);
}

// one direction of the Gaussian (sigma = params.z pixels of this texture, taps -n..n, n = params.w)
@fragment
fn fs_blur(in: VsOut) -> @location(0) vec4<f32> {
    let n = i32(bu.params.w);
    let sigma = max(bu.params.z, 1e-3);
    let hi = vec2<i32>(textureDimensions(src)) - vec2<i32>(1);
    let p = vec2<i32>(in.pos.xy);
    var acc = vec3<f32>(0.0);
    var wsum = 0.0;
    for (var i = -n; i <= n; i = i + 1) {
        let w = exp(-0.5 * f32(i * i) / (sigma * sigma));
        let q = p + vec2<i32>(bu.dir.xy) * i;
        if (all(q >= vec2<i32>(0)) && all(q <= hi)) {
            acc = acc + textureLoad(src, q, 0).rgb * w;
        }
        wsum = wsum + w;
    }
    return vec4<f32>(acc / wsum, 1.0);
}

// the displayed pixel: the source (exact at its size, bilinear when rescaled) plus the glow
@fragment
fn fs_composite(in: VsOut) -> @location(0) vec4<f32> {
    let q = in.pos.xy * bu.size.xy / bu.size.zw;
    let f = q - vec2<f32>(0.5);
    let r = round(f);
    var c: vec4<f32>;
    if (all(abs(f - r) < vec2<f32>(1e-3))) {
        let hi = vec2<i32>(bu.size.xy) - vec2<i32>(1);
        c = textureLoad(src, clamp(vec2<i32>(r), vec2<i32>(0), hi), 0);
    } else {
        c = textureSampleLevel(src, samp, q / bu.size.xy, 0.0);
    }
    let g = textureSampleLevel(glow, samp, in.pos.xy / bu.size.zw, 0.0).rgb;
    return vec4<f32>(c.rgb + bu.params.y * g, c.a);
}
