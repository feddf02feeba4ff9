// Anti-aliased line segments for RenderLines2D (docs/language/rendering.md#lines;
// oscilla/drawing/lines.py).
//
// One draw(6, segments) per sink, instance index = segment s. Segment s joins
//     pairs (connect 0): a_s -> b_s;  strip (1): a_s -> a_(s+1);  loop (2): a_s -> a_((s+1) mod lanes)
// with the width w and colour c of lane s. Units: world units ([0,1]^2, origin top left, y down)
// before the viewport mapping (docs/language/rendering.md#viewport), pixels after it:
//     S = min(W, H);  world (x, y) -> pixel (W/2 + (x - 0.5) S, H/2 + (y - 0.5) S);  h = w S / 2.
// The fragment computes d, the signed distance in pixels (negative inside) from its pixel centre to
// the segment's box (butt: length L, half width h) or capsule (round: every point within h of the
// segment, so the line extends by h = w / 2 beyond each endpoint), and
//     coverage = clamp(0.5 - d, 0, 1);  alpha = c.a * coverage.
// A segment with a non-finite endpoint component (x, y; z without a Camera is ignored) or width is
// not drawn, nor a butt segment of zero length.
// With a Camera (sink.camera == 1) each endpoint p = (x, y, z) (z = 0 for a vec2) is projected as in
// camera_sort.wgsl's key_lane, through the camera `resolve` wrote this frame:
//     orthographic: screen = (x, y), k = 1, culled unless -100 <= z <= 100;
//     perspective:  v = p - eye, z_v = v . fwd, k = 0.5 / (z_v h),
//                   screen = (v . right, v . up) k + (0.5, 0.5), culled unless near <= z_v <= far;
// the segment joins the screen positions (then the viewport mapping), with width w (k_a + k_b) / 2.
// A segment with a culled endpoint, or a non-finite projection, is not drawn. No depth sort: lane order. The fixed-function blend state applies the sink's blend mode
// exactly as for RenderInstances2D (oscilla/drawing/sink_pipeline.py, BLEND_STATES): fs_main writes the
// straight-alpha (c, alpha) for "over", fs_premul the premultiplied (c alpha, alpha) for the others.

// struct Frame, struct LineSink and struct Cam are declared in oscilla/abi/uniforms.py (RENDER_FRAME,
// LINE_SINK, RESOLVED_CAMERA); oscilla.drawing.lines prepends them.

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> sink: LineSink;
@group(0) @binding(2) var<storage, read> values: array<f32>;
// The resolved camera (camera_sort.wgsl `resolve`); a zero dummy when sink.camera == 0.
@group(0) @binding(3) var<storage, read> cam: Cam;

struct VOut {
    @builtin(position) clip: vec4<f32>,
    // The endpoints in pixels.
    @location(0) @interpolate(flat) p0: vec2<f32>,
    @location(1) @interpolate(flat) p1: vec2<f32>,
    // Sanitised straight-alpha colour.
    @location(2) @interpolate(flat) color: vec4<f32>,
    // Half the width h in pixels.
    @location(3) @interpolate(flat) hw: f32,
};

// Pixels of anti-aliasing margin around the segment's box or capsule (coverage is 0 from d = 0.5).
const MARGIN: f32 = 1.0;


fn point(off: u32, ls: u32, lane: u32) -> vec2<f32> {
    let o = off + lane * ls;
    return vec2<f32>(values[o], values[o + 1u]);
}

// z of an endpoint (0 for a vec2).
fn point_z(off: u32, ls: u32, stride: u32, lane: u32) -> f32 {
    if (stride == 3u) {
        return values[off + lane * ls + 2u];
    }
    return 0.0;
}

// (screen x, screen y, k, visible 1/0) of world point (p, z) through the resolved camera.
fn project(p: vec2<f32>, z: f32) -> vec4<f32> {
    if (cam.mode.x < 0.5) {
        return vec4<f32>(p, 1.0, select(0.0, 1.0, z >= -100.0 && z <= 100.0 && finite(z)));
    }
    let v = vec3<f32>(p, z) - cam.eye.xyz;
    let zv = dot(v, cam.fwd.xyz);
    let k = 0.5 / (zv * cam.mode.y);
    let screen = vec2<f32>(dot(v, cam.right.xyz), dot(v, cam.up.xyz)) * k + vec2<f32>(0.5, 0.5);
    let visible = zv > 0.0 && zv >= cam.mode.z && zv <= cam.mode.w && finite(z) && finite(k)
                  && finite(screen.x) && finite(screen.y);
    return vec4<f32>(screen, k, select(0.0, 1.0, visible));
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, @builtin(instance_index) s: u32) -> VOut {
    var out: VOut;
    // Not drawn: every vertex at the same point outside the clip volume (a degenerate quad).
    out.clip = vec4<f32>(-2.0, -2.0, 0.0, 1.0);
    out.p0 = vec2<f32>(0.0, 0.0);
    out.p1 = vec2<f32>(0.0, 0.0);
    out.color = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    out.hw = 0.0;

    var a = point(sink.a_off, sink.a_ls, s);
    var b: vec2<f32>;
    var az = point_z(sink.a_off, sink.a_ls, sink.a_stride, s);
    var bz: f32;
    if (sink.connect == 0u) {
        b = point(sink.b_off, sink.b_ls, s);
        bz = point_z(sink.b_off, sink.b_ls, sink.b_stride, s);
    } else {
        var j = s + 1u;
        if (j >= sink.lanes) {
            j = 0u;
        }
        b = point(sink.a_off, sink.a_ls, j);
        bz = point_z(sink.a_off, sink.a_ls, sink.a_stride, j);
    }
    var w = values[sink.width_off + s * sink.width_ls];
    if (!(finite(a.x) && finite(a.y) && finite(b.x) && finite(b.y) && finite(w))) {
        return out;
    }
    if (sink.camera == 1u) {
        let pa = project(a, az);
        let pb = project(b, bz);
        if (pa.w < 0.5 || pb.w < 0.5) {
            return out;
        }
        a = pa.xy;
        b = pb.xy;
        w = w * 0.5 * (pa.z + pb.z);
    }
    let p0 = to_pixels(a.x, a.y);
    let p1 = to_pixels(b.x, b.y);
    let h = max(w, 0.0) * frame.scale * 0.5;
    let len = length(p1 - p0);
    let is_round = sink.cap == 1u;
    if (!is_round && !(len > 0.0)) {
        return out;
    }
    var dir = vec2<f32>(1.0, 0.0);
    if (len > 0.0) {
        dir = (p1 - p0) / len;
    }
    let nrm = vec2<f32>(-dir.y, dir.x);
    let along = select(0.0, h, is_round) + MARGIN;
    let across = h + MARGIN;
    // two triangles: corners (0,0) (1,0) (0,1) / (0,1) (1,0) (1,1)
    var cu = array<f32, 6>(0.0, 1.0, 0.0, 0.0, 1.0, 1.0);
    var cv = array<f32, 6>(0.0, 0.0, 1.0, 1.0, 0.0, 1.0);
    let u = mix(-along, len + along, cu[vi]);
    let v = mix(-across, across, cv[vi]);
    let px = p0 + dir * u + nrm * v;
    out.clip = vec4<f32>(px.x / frame.size.x * 2.0 - 1.0, 1.0 - px.y / frame.size.y * 2.0, 0.0, 1.0);
    out.p0 = p0;
    out.p1 = p1;
    out.hw = h;
    let co = sink.color_off + s * sink.color_ls;
    out.color = vec4<f32>(unit(values[co]), unit(values[co + 1u]), unit(values[co + 2u]), unit(values[co + 3u]));
    return out;
}

// Signed distance in pixels from pixel centre q to the segment's box (butt) or capsule (round).
fn distance_px(q: vec2<f32>, p0: vec2<f32>, p1: vec2<f32>, h: f32) -> f32 {
    let e = p1 - p0;
    let len = length(e);
    if (sink.cap == 1u) {
        var t = 0.0;
        if (len > 0.0) {
            t = clamp(dot(q - p0, e) / (len * len), 0.0, 1.0);
        }
        return length(q - (p0 + e * t)) - h;
    }
    let dir = e / len;
    let r = q - p0;
    let dx = abs(dot(r, dir) - 0.5 * len) - 0.5 * len;
    let dy = abs(dot(r, vec2<f32>(-dir.y, dir.x))) - h;
    return length(max(vec2<f32>(dx, dy), vec2<f32>(0.0, 0.0))) + min(max(dx, dy), 0.0);
}

fn coverage(in: VOut) -> f32 {
    return clamp(0.5 - distance_px(in.clip.xy, in.p0, in.p1, in.hw), 0.0, 1.0);
}

@fragment
fn fs_main(in: VOut) -> @location(0) vec4<f32> {
    let alpha = in.color.a * coverage(in);
    if (alpha <= 0.0) {
        discard;
    }
    return vec4<f32>(in.color.rgb, alpha);
}

@fragment
fn fs_premul(in: VOut) -> @location(0) vec4<f32> {
    let alpha = in.color.a * coverage(in);
    if (alpha <= 0.0) {
        discard;
    }
    return vec4<f32>(in.color.rgb * alpha, alpha);
}
