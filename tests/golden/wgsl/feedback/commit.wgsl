@group(0) @binding(0) var<uniform> fu: FrameUniforms;
@group(0) @binding(1) var<storage, read> vf: array<f32>;
@group(0) @binding(2) var<storage, read> vi: array<i32>;
@group(0) @binding(3) var<storage, read> vu: array<u32>;
@group(0) @binding(4) var<storage, read_write> sf: array<f32>;
@group(0) @binding(5) var<storage, read_write> si: array<i32>;
@group(0) @binding(6) var<storage, read> vf4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read_write> sf4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> sc: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let inv = gid.x + gid.y * (nwg.x * 256u);
    if (inv >= 1u) { return; }
    let lane = inv;
    if (lane < 1u) {
        let k = lane - 0u;
        if (k < 0u) {
            sf4[0u + k] = vf4[30u + k];
        } else {
            for (var e = 0u; e < 1u; e++) { sf[0u + e] = vf[120u + e]; }
        }
        return;
    }
}
