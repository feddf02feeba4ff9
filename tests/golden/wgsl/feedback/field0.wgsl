@group(0) @binding(0) var<uniform> fu: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> vf: array<f32>;
@group(0) @binding(2) var<storage, read_write> vi: array<i32>;
@group(0) @binding(3) var<storage, read_write> vu: array<u32>;
@group(0) @binding(4) var<storage, read> sf: array<f32>;
@group(0) @binding(5) var<storage, read> si: array<i32>;
@group(0) @binding(6) var<storage, read_write> vf4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> sf4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> sc: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let inv = gid.x + gid.y * (nwg.x * 256u);
    if (inv >= 4u) { return; }
    let lane0 = inv * 4u;
    let li4 = vec4<i32>(i32(lane0)) + vec4<i32>(0, 1, 2, 3);
    let v0: vec4<f32> = vec4<f32>(li4);
    let v1: vec4<f32> = (v0 / vec4<f32>(16.0f));
    let v2: vec4<f32> = vec4<f32>(vf[124u]);
    let v3: vec4<f32> = (v1 + v2);
    let v4: vec4<f32> = (vec4<f32>(6.2831855f) * v3);
    let v5: vec4<f32> = cos(v4);
    let v6: vec4<f32> = (vec4<f32>(0.18f) * v5);
    let v7: vec4<f32> = (vec4<f32>(osc_k(1049582633u)) + v6);
    let v8: vec4<f32> = sin(v4);
    let v9: vec4<f32> = (vec4<f32>(0.18f) * v8);
    let v10: vec4<f32> = (vec4<f32>(osc_k(1056964608u)) + v9);
    vf4[0u + inv * 3u + 0u] = vec4<f32>(v7.x, v10.x, vec4<f32>(0.0f).x, v7.y);
    vf4[0u + inv * 3u + 1u] = vec4<f32>(v10.y, vec4<f32>(0.0f).y, v7.z, v10.z);
    vf4[0u + inv * 3u + 2u] = vec4<f32>(vec4<f32>(0.0f).z, v7.w, v10.w, vec4<f32>(0.0f).w);
}
