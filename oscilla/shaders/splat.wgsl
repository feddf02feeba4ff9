// Compute splat rasterizer for RenderInstances2D sinks of small shapes (docs/language/rendering.md#splat;
// oscilla/drawing/splat.py). For a million dots a pixel or two across, the instanced quads of
// instances.wgsl pay vertex work and triangle setup per lane; here each lane is one invocation that
// writes its coverage straight into per-pixel accumulators, and splat_resolve.wgsl composites them
// onto the target with the sink's blend mode in one full-screen draw (in patch order with the other
// sinks), as in Schütz, Kerbl and Wimmer, "Rendering Point Clouds with Compute Shaders and Vertex
// Order Optimization" (EGSR 2021), with coverage accumulated instead of one opaque point per pixel.
//
// Per frame and sink (no camera, no stroke, shape kind ellipse / circle / rect known at compile time):
//   splat: one invocation per lane; a drawn lane whose bounding radius exceeds SPLAT_MAX_RADIUS
//          pixels sets ctl[0] ("big": the whole sink then draws as quads this frame), every other
//          drawn lane adds its terms to every pixel its shape covers;
//   args:  one invocation writes the quads' draw-indirect record (all lanes when big, else none).
// The resolve always runs: it composites the accumulators, or only zeroes them in a big frame.
// Geometry and coverage are those of instances.wgsl (same viewport mapping, rotation, distance
// functions, coverage = clamp(0.5 - d, 0, 1), alpha = c.a * coverage).
//
// Accumulators: ACC_WORDS u32 per pixel, fixed point (x ACC_ONE), summed with atomicAdd, so the result
// does not depend on the order lanes run in. For a pixel with contributions (c_i, alpha_i):
//   word 0..2: "over", "add": sum c_i alpha_i;  "screen": sum -log2(1 - c_i alpha_i);
//              "multiply": sum -log2(1 - alpha_i + c_i alpha_i)   (one word per colour channel)
//   word 3:    sum alpha_i ("over": the alpha-weighted mean colour)
//   word 4:    sum -log2(1 - alpha_i): the product of (1 - alpha_i), i.e. the target alpha rule
// Logs use max(1 - x, 2^-16) (a term at most 16). Every other word's term is at most word 4's
// (-log2(1 - a) >= a log2(e) >= c a; the channel logs are those of larger factors), so once word 4
// reaches SATURATED (65,536: T = 2^-65536 = 0 long before) the pixel takes no more terms and no
// word can overflow: one atomicLoad per pixel guards all five (the headroom past SATURATED covers
// 12,288 invocations adding at once).

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> sink: Sink;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> acc: array<atomic<u32>>;
// ctl[0]: the "big" flag (cleared by the host before splat); ctl[1..4]: the quads' draw-indirect
// record (vertex count, instance count, first vertex, first instance).
@group(0) @binding(4) var<storage, read_write> ctl: array<atomic<u32>>;

// 0 ellipse, 1 rect, 4 circle (instances.wgsl's SHAPE_KIND); 0 over, 1 add, 2 multiply, 3 screen.
override SHAPE_KIND: u32 = 4u;
override BLEND: u32 = 0u;
// The largest bounding radius (pixels) a lane may have for the sink to splat (oscilla/drawing/splat.py).
override SPLAT_MAX_RADIUS: f32 = 2.0;

const ACC_WORDS: u32 = 5u;
const ACC_ONE: f32 = 16384.0;
const SATURATED: u32 = 0x40000000u;
const LOG_FLOOR: f32 = 1.52587890625e-05;   // 2^-16

struct Splat {
    ok: bool,
    center: vec2<f32>,   // pixels
    half: vec2<f32>,     // half extents (rect) or semi-axes (ellipse), pixels
    radius: f32,         // rect corner radius, pixels
    bound: f32,          // bounding radius, pixels
    theta: f32,
};

fn lane_index(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * 64u;
}

// Lane geometry as instances.wgsl's vertex stage computes it (no camera: k = 1).
fn lane_shape(lane: u32) -> Splat {
    var s: Splat;
    s.ok = false;
    let pi = sink.pos_off + lane * sink.pos_ls;
    let x = values[pi];
    let y = values[pi + 1u];
    let li = lane_inputs(lane);
    if (!(finite(x) && finite(y) && li.ok)) {
        return s;
    }
    let sa = li.a;
    let sb = li.b;
    let scr = li.s4;
    s.center = to_pixels(x, y);
    let gp = abs(li.scl * li.size * frame.scale);
    s.theta = li.srot + li.rot;
    if (SHAPE_KIND == 1u) {
        s.half = 0.5 * abs(vec2<f32>(sa, sb)) * gp;
        s.radius = clamp(scr * gp, 0.0, min(s.half.x, s.half.y));
        s.bound = length(s.half);
    } else {
        s.half = abs(vec2<f32>(sa, sb)) * gp;
        s.bound = max(s.half.x, s.half.y);
    }
    s.ok = finite(s.center.x) && finite(s.center.y) && finite(s.bound) && finite(s.radius);
    return s;
}

fn add_word(i: u32, x: f32) {
    let q = u32(x * ACC_ONE + 0.5);
    if (q != 0u) {
        atomicAdd(&acc[i], q);
    }
}

fn neg_log2(x: f32) -> f32 {
    return -log2(max(x, LOG_FLOOR));
}

@compute @workgroup_size(64)
fn splat(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let lane = lane_index(gid, nwg);
    if (lane >= sink.lanes) {
        return;
    }
    let s = lane_shape(lane);
    if (!s.ok) {
        return;
    }
    if (s.bound > SPLAT_MAX_RADIUS) {
        if (atomicLoad(&ctl[0]) == 0u) {   // a load first: a million lanes writing one word contend
            atomicOr(&ctl[0], 1u);
        }
        return;
    }
    let ci = sink.color_off + lane * sink.color_ls;
    let c = vec4<f32>(unit(values[ci]), unit(values[ci + 1u]), unit(values[ci + 2u]), unit(values[ci + 3u]));
    if (c.a <= 0.0) {
        return;
    }
    let W = i32(frame.size.x);
    let H = i32(frame.size.y);
    let reach = s.bound + 0.5;
    let x0 = max(i32(floor(s.center.x - reach)), 0);
    let x1 = min(i32(floor(s.center.x + reach)), W - 1);
    let y0 = max(i32(floor(s.center.y - reach)), 0);
    let y1 = min(i32(floor(s.center.y + reach)), H - 1);
    var cs = 1.0;
    var sn = 0.0;
    if (SHAPE_KIND != 4u && s.theta != 0.0) {   // a circle needs no rotation
        cs = cos(s.theta);
        sn = sin(s.theta);
    }
    for (var py = y0; py <= y1; py++) {
        for (var px = x0; px <= x1; px++) {
            // The pixel centre in the shape's own frame: the inverse of the vertex stage's rotation.
            let v = vec2<f32>(f32(px) + 0.5, f32(py) + 0.5) - s.center;
            let p = vec2<f32>(cs * v.x + sn * v.y, -sn * v.x + cs * v.y);
            var d: f32;
            if (SHAPE_KIND == 4u) {
                d = length(p) - s.half.x;
            } else if (SHAPE_KIND == 1u) {
                d = sd_round_rect(p, s.half, s.radius);
            } else {
                d = sd_ellipse(p, s.half);
            }
            let a = c.a * clamp(0.5 - d, 0.0, 1.0);
            if (a <= 0.0) {
                continue;
            }
            let base = (u32(py) * u32(W) + u32(px)) * ACC_WORDS;
            if (atomicLoad(&acc[base + 4u]) >= SATURATED) {
                continue;
            }
            for (var k = 0u; k < 3u; k++) {
                var t = c[k] * a;
                if (BLEND == 2u) {
                    t = neg_log2(1.0 - a + c[k] * a);
                } else if (BLEND == 3u) {
                    t = neg_log2(1.0 - c[k] * a);
                }
                add_word(base + k, t);
            }
            if (BLEND == 0u) {
                add_word(base + 3u, a);
            }
            add_word(base + 4u, neg_log2(1.0 - a));
        }
    }
}

@compute @workgroup_size(1)
fn args() {
    atomicStore(&ctl[1], 6u);
    atomicStore(&ctl[2], select(0u, sink.lanes, atomicLoad(&ctl[0]) != 0u));
    atomicStore(&ctl[3], 0u);
    atomicStore(&ctl[4], 0u);
}
