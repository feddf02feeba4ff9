// Camera projection, culling and depth sort for RenderInstances2D (docs/language/rendering.md#camera).
//
// A renderer-owned compute pass that runs before the render pass, only when the patch has a
// Camera. Everything lives on the GPU; buffers are allocated once per renderer.
//
//   resolve  (1 invocation per frame): the Camera's packed signal (9 f32 in the ValueStore at
//            sink.cam_off: projection, centerX, centerY, distance, tiltDeg, yawDeg, fovYDeg, near,
//            far) -> non-finite fallback per input, sanitising, basis -> `cam`.
//   keys     (per sink, one invocation per lane): lane i -> proj[i] = (screen x, screen y, k,
//            depth) and the sort element sorted[i] = (key, i), key = ~orderable(depth) (ascending
//            key = descending depth, always < 0x80000000) for a visible lane, 0xffffffff when
//            culled.
//   radix    (per sink, 4 passes of 8 bits, least significant digit first): a stable LSD radix
//            sort of the (key, lane) pairs by key. Elements start in lane order and every pass
//            is stable, so the result is ordered by (key, lane): depth descending (far first),
//            ties in lane order, culled lanes last. Each pass is three dispatches, with no
//            workgroup barriers in the per-element work (cheap on lavapipe, where barriers are
//            expensive): radix_hist (T invocations; invocation t counts the digits of its
//            contiguous chunk of C = ceil(N / T) elements into hist[digit * T + t]),
//            radix_scan (one workgroup: exclusive prefix sum of hist in digit-major order) and
//            radix_scatter (invocation t moves its chunk, in order, to hist-given positions).
//            Passes ping-pong sorted -> spare -> sorted -> spare -> sorted.
//            The last radix_scan also writes the draw-indirect record (6, visible, 0, 0): visible
//            = N - (count of top digit 0xff), since only culled keys have a top byte of 0xff.
//
// The render pass then draws `visible` instances; instance j draws lane sorted[j].y at
// proj[lane]. The sort is deterministic: it depends on the keys only, not on scheduling.
//
// Units: world units in, screen-normalised units out (the viewport mapping, docs/language/rendering.md#viewport, of
// world units applies to them unchanged); depth is dimensionless; k multiplies g = scale * size
// (docs/language/rendering.md#geometry).

// struct Sink (the per-sink uniform), struct Step (one radix pass) and struct Cam (the resolved
// camera) are declared in oscilla/abi/uniforms.py (SINK, RADIX_STEP, RESOLVED_CAMERA);
// oscilla.shaders.shader_source prepends them.

@group(0) @binding(0) var<uniform> sink: Sink;
@group(0) @binding(1) var<uniform> stage: Step;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> cam: Cam;
@group(0) @binding(4) var<storage, read_write> proj: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> sorted: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read_write> indirect: array<u32>;
@group(0) @binding(7) var<storage, read_write> spare: array<vec2<u32>>;
@group(0) @binding(8) var<storage, read_write> hist: array<u32>;

const CULLED: u32 = 0xffffffffu;
const RADIX: u32 = 256u;
const DEG: f32 = 0.017453292519943295;


fn or_default(x: f32, fallback: f32) -> f32 {
    return select(fallback, x, finite(x));
}

@compute @workgroup_size(1)
fn resolve() {
    let o = sink.cam_off;
    // 1. any non-finite input falls back (per input) to the reference's default camera
    let proj_in = or_default(values[o], 0.0);
    let cx_in = or_default(values[o + 1u], 0.5);
    let cy_in = or_default(values[o + 2u], 0.5);
    let dist_in = or_default(values[o + 3u], 2.0);
    let tilt_in = or_default(values[o + 4u], 0.0);
    let yaw_in = or_default(values[o + 5u], 0.0);
    let fov_in = or_default(values[o + 6u], 45.0);
    let near_in = or_default(values[o + 7u], 0.01);
    let far_in = or_default(values[o + 8u], 100.0);
    // 2. sanitising (degrees until the end)
    let persp = trunc(proj_in) == 1.0;
    let cx = clamp(cx_in, 0.0, 1.0);
    let cy = clamp(cy_in, 0.0, 1.0);
    let dist = max(dist_in, 1e-4);
    let tilt = clamp(tilt_in, -89.9, 89.9) * DEG;
    var yaw_deg = yaw_in - 360.0 * floor(yaw_in / 360.0);
    if (!(yaw_deg >= 0.0 && yaw_deg < 360.0)) {  // rounding at the ends of [0, 360)
        yaw_deg = 0.0;
    }
    let yaw = yaw_deg * DEG;
    let fov = clamp(fov_in, 1.0, 179.0) * DEG;
    let near = max(near_in, 1e-6);
    let far = max(far_in, near + 1e-6);
    // perspective basis: target t = (cx, cy, 0); c = t + d (cos tilt sin yaw, sin tilt, cos tilt cos yaw)
    // f = normalise(t - c) = -dir exactly; taking it from dir keeps its precision when d is tiny
    let t = vec3<f32>(cx, cy, 0.0);
    let dir = vec3<f32>(cos(tilt) * sin(yaw), sin(tilt), cos(tilt) * cos(yaw));
    let c = t + dist * dir;
    let f = -normalize(dir);
    let r = normalize(cross(f, vec3<f32>(0.0, 1.0, 0.0)));
    let u = cross(r, f);
    cam.mode = vec4<f32>(select(0.0, 1.0, persp), tan(0.5 * fov), near, far);
    cam.eye = vec4<f32>(c, 0.0);
    cam.right = vec4<f32>(r, 0.0);
    cam.up = vec4<f32>(u, 0.0);
    cam.fwd = vec4<f32>(f, 0.0);
}

// Descending depth as an ascending u32: ~orderable(bits), with -0 taken as +0.
fn depth_key(depth: f32) -> u32 {
    let b = bitcast<u32>(depth) & select(0xffffffffu, 0u, depth == 0.0);
    let ordered = select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
    return ~ordered;
}

fn key_lane(i: u32) {
    let pi = sink.pos_off + i * sink.pos_ls;
    let x = values[pi];
    let y = values[pi + 1u];
    var z = 0.0;
    if (sink.pos_stride == 3u) {
        z = values[pi + 2u];
    }
    var screen: vec2<f32>;
    var depth: f32;
    var k: f32;
    var visible: bool;
    if (cam.mode.x < 0.5) {
        // orthographic: screen = (x, y), depth = (z + 100) / 200, visible iff -100 <= z <= 100
        screen = vec2<f32>(x, y);
        depth = (z + 100.0) / 200.0;
        k = 1.0;
        visible = z >= -100.0 && z <= 100.0;
    } else {
        let h = cam.mode.y;
        let near = cam.mode.z;
        let far = cam.mode.w;
        let v = vec3<f32>(x, y, z) - cam.eye.xyz;
        let zv = dot(v, cam.fwd.xyz);
        let s = 0.5 / (zv * h);
        screen = vec2<f32>(dot(v, cam.right.xyz), dot(v, cam.up.xyz)) * s + vec2<f32>(0.5, 0.5);
        depth = (zv - near) / (far - near);
        k = s;
        visible = zv > 0.0 && zv >= near && zv <= far;
    }
    visible = visible && finite(x) && finite(y) && finite(z) && finite(screen.x) && finite(screen.y)
              && finite(depth) && finite(k);
    proj[i] = vec4<f32>(screen, k, depth);
    sorted[i] = vec2<u32>(select(CULLED, depth_key(depth), visible), i);
}

fn flat_id(gid: vec3<u32>, nwg: vec3<u32>, size: u32) -> u32 {
    return gid.x + gid.y * nwg.x * size;
}

@compute @workgroup_size(256)
fn keys(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = flat_id(gid, nwg, 256u);
    if (i < sink.lanes) {
        key_lane(i);
    }
}

fn src_at(i: u32) -> vec2<u32> {
    if (stage.flip == 0u) {
        return sorted[i];
    }
    return spare[i];
}

fn dst_set(i: u32, e: vec2<u32>) {
    if (stage.flip == 0u) {
        spare[i] = e;
    } else {
        sorted[i] = e;
    }
}

fn chunk_size() -> u32 {
    return (sink.lanes + sink.sort_threads - 1u) / sink.sort_threads;
}

@compute @workgroup_size(64)
fn radix_hist(@builtin(global_invocation_id) gid: vec3<u32>) {
    let t = gid.x;
    let nt = sink.sort_threads;
    if (t >= nt) {
        return;
    }
    var h: array<u32, 256>;
    let c = chunk_size();
    let start = min(t * c, sink.lanes);
    let end = min(start + c, sink.lanes);
    for (var i = start; i < end; i++) {
        let d = (src_at(i).x >> stage.shift) & 0xffu;
        h[d] += 1u;
    }
    for (var d = 0u; d < RADIX; d++) {
        hist[d * nt + t] = h[d];
    }
}

var<workgroup> totals: array<u32, 256>;

@compute @workgroup_size(256)
fn radix_scan(@builtin(local_invocation_id) lid: vec3<u32>) {
    let d = lid.x;
    let nt = sink.sort_threads;
    // exclusive scan of digit d's row (one count per chunk)
    var run = 0u;
    for (var t = 0u; t < nt; t++) {
        let v = hist[d * nt + t];
        hist[d * nt + t] = run;
        run += v;
    }
    totals[d] = run;
    workgroupBarrier();
    if (d == 0u) {
        var acc = 0u;
        for (var k = 0u; k < RADIX; k++) {
            let v = totals[k];
            totals[k] = acc;
            acc += v;
        }
        if (stage.last != 0u) {
            // every culled key is 0xffffffff and every visible key is < 0x80000000, so the
            // visible lanes are the elements whose top digit is below 0xff
            indirect[0] = 6u;
            indirect[1] = totals[RADIX - 1u];
            indirect[2] = 0u;
            indirect[3] = 0u;
        }
    }
    workgroupBarrier();
    let base = totals[d];
    for (var t = 0u; t < nt; t++) {
        hist[d * nt + t] += base;
    }
}

@compute @workgroup_size(64)
fn radix_scatter(@builtin(global_invocation_id) gid: vec3<u32>) {
    let t = gid.x;
    let nt = sink.sort_threads;
    if (t >= nt) {
        return;
    }
    var off: array<u32, 256>;
    for (var d = 0u; d < RADIX; d++) {
        off[d] = hist[d * nt + t];
    }
    let c = chunk_size();
    let start = min(t * c, sink.lanes);
    let end = min(start + c, sink.lanes);
    for (var i = start; i < end; i++) {
        let e = src_at(i);
        let d = (e.x >> stage.shift) & 0xffu;
        dst_set(off[d], e);
        off[d] += 1u;
    }
}
