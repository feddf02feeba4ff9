// Camera projection, culling and depth sort for RenderInstances2D (blocks.md §9.3).
//
// A renderer-owned compute pass that runs before the render pass, only when the patch has a
// Camera. Everything lives on the GPU; buffers are allocated once per renderer.
//
//   resolve  (1 invocation per frame): the Camera's packed signal (9 f32 in the ValueStore at
//            sink.cam_off: projection, centerX, centerY, distance, tiltDeg, yawDeg, fovYDeg, near,
//            far) -> non-finite fallback per input, sanitising, basis -> `cam`.
//   keys     (per sink): lane i -> proj[i] = (screen x, screen y, k, depth) and the sort element
//            sorted[i] = (key, i); key = ~orderable(depth) (so ascending key = descending depth)
//            for a visible lane, 0xffffffff for a culled lane and for the padding i >= N.
//   sort_*   (per sink): bitonic sort of the P = max(512, 2^ceil(log2 N)) elements ascending by
//            (key, lane): depth descending (far first), ties in lane order, culled at the end.
//            sort_local_full sorts each block of 512 elements in workgroup memory (stages
//            k = 2..512); for each stage k = 1024..P, sort_global does the steps j >= 512 (one
//            dispatch each) and sort_local_merge the steps j = 256..1 in workgroup memory.
//   count    (per sink): the draw-indirect record (6, number of visible lanes, 0, 0); the one
//            visible/culled boundary of the sorted array has exactly one writer.
//
// The render pass then draws `count` instances; instance j draws lane sorted[j].y at proj[lane].
// Sorting on a total order (lanes are unique) makes the result deterministic.
//
// Units: world units in, screen-normalised units out (the §9.1 viewport mapping of world units
// applies to them unchanged); depth is dimensionless; k multiplies g = scale * size (§9.2).

struct Sink {
    pos_off: u32,
    pos_ls: u32,
    pos_stride: u32,
    lanes: u32,
    color_off: u32,
    color_ls: u32,
    size_off: u32,
    size_ls: u32,
    rot_off: u32,
    rot_ls: u32,
    scale_off: u32,
    scale_ls: u32,
    shape_off: u32,
    shape_ls: u32,
    path_off: u32,
    path_count: u32,
    path_ls: u32,
    camera: u32,       // 1 when the patch has a Camera
    cam_off: u32,      // element offset of the Camera's 9 packed f32
    sort_n: u32,       // P: padded power of two >= 512
};

struct Step {
    k: u32,            // bitonic stage: size of the sorted runs being merged
    j: u32,            // compare distance (sort_global only)
    _p0: u32,
    _p1: u32,
};

// The resolved camera (written once per frame by `resolve`).
struct Cam {
    mode: vec4<f32>,   // (perspective 1/0, h = tan(fov/2), near, far)
    eye: vec4<f32>,    // camera position c (world units)
    right: vec4<f32>,  // r
    up: vec4<f32>,     // u
    fwd: vec4<f32>,    // f
};

@group(0) @binding(0) var<uniform> sink: Sink;
@group(0) @binding(1) var<uniform> stage: Step;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read_write> cam: Cam;
@group(0) @binding(4) var<storage, read_write> proj: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> sorted: array<vec2<u32>>;
@group(0) @binding(6) var<storage, read_write> indirect: array<u32>;

const CULLED: u32 = 0xffffffffu;
const BLOCK: u32 = 512u;          // elements per workgroup in the local sorts
const DEG: f32 = 0.017453292519943295;

// Bit tests: WGSL lets a compiler assume floats are finite, so x != x is not reliable.
fn finite(x: f32) -> bool {
    return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}

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
    let t = vec3<f32>(cx, cy, 0.0);
    let c = t + dist * vec3<f32>(cos(tilt) * sin(yaw), sin(tilt), cos(tilt) * cos(yaw));
    let f = normalize(t - c);
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
    if (i >= sink.lanes) {
        sorted[i] = vec2<u32>(CULLED, i);
        return;
    }
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

fn flat_id(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
    return gid.x + gid.y * nwg.x * 256u;
}

@compute @workgroup_size(256)
fn keys(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_id(gid, nwg);
    let hn = sink.sort_n / 2u;
    if (t >= hn) {
        return;
    }
    key_lane(t);
    key_lane(t + hn);
}

fn before(a: vec2<u32>, b: vec2<u32>) -> bool {
    return a.x < b.x || (a.x == b.x && a.y < b.y);
}

var<workgroup> tile: array<vec2<u32>, 512>;

// Compare-exchange of local elements (i, i + j) of the block starting at `base`; the pair sorts
// ascending iff bit k of the global index is 0 (bitonic network).
fn local_cx(base: u32, t: u32, j: u32, k: u32) {
    let i = 2u * j * (t / j) + (t % j);
    let l = i + j;
    let a = tile[i];
    let b = tile[l];
    let ascending = ((base + i) & k) == 0u;
    if (before(b, a) == ascending) {
        tile[i] = b;
        tile[l] = a;
    }
}

@compute @workgroup_size(256)
fn sort_local_full(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                   @builtin(num_workgroups) nwg: vec3<u32>) {
    let base = (wid.x + wid.y * nwg.x) * BLOCK;
    let t = lid.x;
    tile[t] = sorted[base + t];
    tile[t + 256u] = sorted[base + t + 256u];
    workgroupBarrier();
    for (var k = 2u; k <= BLOCK; k = k * 2u) {
        for (var j = k / 2u; j > 0u; j = j / 2u) {
            local_cx(base, t, j, k);
            workgroupBarrier();
        }
    }
    sorted[base + t] = tile[t];
    sorted[base + t + 256u] = tile[t + 256u];
}

@compute @workgroup_size(256)
fn sort_local_merge(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>,
                    @builtin(num_workgroups) nwg: vec3<u32>) {
    let base = (wid.x + wid.y * nwg.x) * BLOCK;
    let t = lid.x;
    let k = stage.k;
    tile[t] = sorted[base + t];
    tile[t + 256u] = sorted[base + t + 256u];
    workgroupBarrier();
    for (var j = BLOCK / 2u; j > 0u; j = j / 2u) {
        local_cx(base, t, j, k);
        workgroupBarrier();
    }
    sorted[base + t] = tile[t];
    sorted[base + t + 256u] = tile[t + 256u];
}

@compute @workgroup_size(256)
fn sort_global(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_id(gid, nwg);
    if (t >= sink.sort_n / 2u) {
        return;
    }
    let j = stage.j;
    let k = stage.k;
    let i = 2u * j * (t / j) + (t % j);
    let l = i + j;
    let a = sorted[i];
    let b = sorted[l];
    let ascending = (i & k) == 0u;
    if (before(b, a) == ascending) {
        sorted[i] = b;
        sorted[l] = a;
    }
}

fn visible_at(i: u32) -> bool {
    return i < sink.sort_n && sorted[i].x != CULLED;
}

fn count_at(i: u32) {
    if (visible_at(i) && !visible_at(i + 1u)) {
        indirect[1] = i + 1u;
    }
}

@compute @workgroup_size(256)
fn count(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let t = flat_id(gid, nwg);
    let hn = sink.sort_n / 2u;
    if (t >= hn) {
        return;
    }
    if (t == 0u) {
        indirect[0] = 6u;   // vertex_count: one quad
        indirect[2] = 0u;   // first_vertex
        indirect[3] = 0u;   // first_instance
        if (!visible_at(0u)) {
            indirect[1] = 0u;
        }
    }
    count_at(t);
    count_at(t + hn);
}
