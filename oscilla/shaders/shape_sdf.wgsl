// Signed distance functions of the built-in shapes, in pixels (negative inside), shared by the
// instanced renderer (instances.wgsl) and the compute splat rasterizer (splat.wgsl), so both draw
// the same edges. Prepended by oscilla.shaders.shader_source (SHADER_INCLUDES).

// Exact signed distance to a rounded box of half extents h and corner radius r.
fn sd_round_rect(p: vec2<f32>, h: vec2<f32>, r: f32) -> f32 {
    let q = abs(p) - h + vec2<f32>(r, r);
    return length(max(q, vec2<f32>(0.0, 0.0))) + min(max(q.x, q.y), 0.0) - r;
}

// Signed distance to an ellipse with semi-axes ab: nearest boundary point by three iterations of
// the evolute method (C. Chatfield, "A simple method for distance to ellipse"), accurate to a few
// hundredths of a pixel even for thin ellipses where f/|grad f| is not; exact for circles.
fn sd_ellipse(p: vec2<f32>, ab_in: vec2<f32>) -> f32 {
    if (ab_in.x == ab_in.y) {
        return length(p) - ab_in.x;   // circle
    }
    let ab = max(ab_in, vec2<f32>(1e-4, 1e-4));
    let q = abs(p);
    let a = ab.x;
    let b = ab.y;
    let e2 = a * a - b * b;
    var t = vec2<f32>(0.70710678, 0.70710678);
    for (var k = 0; k < 3; k++) {
        let e = vec2<f32>(e2 * t.x * t.x * t.x / a, -e2 * t.y * t.y * t.y / b);
        let r = length(ab * t - e);
        let qe = q - e;
        let ql = max(length(qe), 1e-12);
        t = clamp((qe * (r / ql) + e) / ab, vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 1.0));
        t = t / max(length(t), 1e-12);
    }
    let dist = length(q - ab * t);
    let u = q / ab;
    return select(dist, -dist, dot(u, u) < 1.0);
}
