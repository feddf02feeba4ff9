// Resolve of the compute splat rasterizer (splat.wgsl; docs/language/rendering.md#splat): one
// full-screen triangle per splatted sink, drawn in the sink's place in the render pass with the
// render pipeline of its blend mode (oscilla/drawing/sink_pipeline.py). Each pixel reads its
// accumulators, zeroes them for the next frame and outputs what the sink's fixed-function blend
// state turns into the order-independent result of all its contributions (c_i, alpha_i):
//   T = prod (1 - alpha_i) = 2^-word4,  A = 1 - T  (target alpha: A_t <- A + A_t (1 - A));
//   over:     straight (sum c_i alpha_i / sum alpha_i, A): the alpha-weighted mean colour composited
//             over the target with coverage A (exactly the quad path's result for one contribution);
//   add:      (sum c_i alpha_i, A): C <- min(1, C + sum c_i alpha_i);
//   screen:   (1 - prod (1 - c_i alpha_i), A): C <- C + X (1 - C);
//   multiply: (prod (1 - alpha_i + c_i alpha_i) - T, A): C <- C (P - T) + C (1 - A) = C P.
// A pixel nobody touched is discarded (its accumulators are already zero); in a frame where the
// sink draws as quads (ctl[0] != 0, splat.wgsl) every pixel only zeroes its accumulators.

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<storage, read_write> acc: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> ctl: array<u32>;

// 0 over, 1 add, 2 multiply, 3 screen (splat.wgsl's BLEND).
override BLEND: u32 = 0u;

const ACC_WORDS: u32 = 5u;
const ACC_ONE: f32 = 16384.0;

struct Resolved {
    rgb: vec3<f32>,
    a: f32,
    live: bool,
};

fn resolve(pos: vec4<f32>) -> Resolved {
    var r: Resolved;
    let base = (u32(pos.y) * u32(frame.size.x) + u32(pos.x)) * ACC_WORDS;
    var w: array<u32, 5>;
    var seen = 0u;
    for (var k = 0u; k < ACC_WORDS; k++) {
        w[k] = atomicLoad(&acc[base + k]);
        seen = seen | w[k];
    }
    if (seen == 0u) {
        return r;
    }
    for (var k = 0u; k < ACC_WORDS; k++) {
        atomicStore(&acc[base + k], 0u);
    }
    r.live = ctl[0] == 0u;
    if (!r.live) {
        return r;
    }
    let t = exp2(-f32(w[4]) / ACC_ONE);
    r.a = 1.0 - t;
    let sums = vec3<f32>(f32(w[0]), f32(w[1]), f32(w[2])) / ACC_ONE;
    if (BLEND == 0u) {
        r.rgb = clamp(sums / max(f32(w[3]) / ACC_ONE, 1e-30), vec3<f32>(0.0), vec3<f32>(1.0));
    } else if (BLEND == 1u) {
        r.rgb = sums;
    } else if (BLEND == 2u) {
        r.rgb = max(exp2(-sums) - vec3<f32>(t), vec3<f32>(0.0));
    } else {
        r.rgb = 1.0 - exp2(-sums);
    }
    return r;
}

// "over": straight-alpha output (the pipeline's colour factor is src-alpha).
@fragment
fn fs_main(v: VsOut) -> @location(0) vec4<f32> {
    let r = resolve(v.pos);
    if (!r.live || r.a <= 0.0) {
        discard;
    }
    return vec4<f32>(r.rgb, r.a);
}

// "add", "multiply", "screen": premultiplied-style output for the blend states of sink_pipeline.py.
@fragment
fn fs_premul(v: VsOut) -> @location(0) vec4<f32> {
    let r = resolve(v.pos);
    if (!r.live) {
        discard;
    }
    return vec4<f32>(r.rgb, r.a);
}
