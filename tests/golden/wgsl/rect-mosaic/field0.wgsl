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
    if (inv >= 64u) { return; }
    let lane0 = inv * 4u;
    let li4 = vec4<i32>(i32(lane0)) + vec4<i32>(0, 1, 2, 3);
    let v0: vec4<f32> = vec4<f32>(li4);
    let v1: vec4<f32> = (v0 * vec4<f32>(0.003921569f));
    let v2: vec4<f32> = (v1 * vec4<f32>(osc_k(1077936128u)));
    let v3: vec4<f32> = vec4<f32>(vf[2064u]);
    let v4: vec4<f32> = (v2 + v3);
    let v5: vec4<f32> = (v4 * vec4<f32>(6.2831855f));
    let v6: vec4<f32> = sin(v5);
    let v7: vec4<f32> = (vec4<f32>(0.45f) * v6);
    let v8: vec4<f32> = (vec4<f32>(osc_k(1057803469u)) + v7);
    let v9: vec4<f32> = (v1 + v3);
    let v10: vec4<f32> = osc_frac4(v9);
    let h0: Rgb4 = osc_hsv2rgb4(v10, vec4<f32>(0.65f), vec4<f32>(0.95f));
    let v12: vec4<f32> = min(vec4<f32>(1.0f), v8);
    let v13: vec4<f32> = max(vec4<f32>(0.0f), v12);
    vf4[192u + inv * 4u + 0u] = vec4<f32>(h0.r.x, h0.g.x, h0.b.x, v13.x);
    vf4[192u + inv * 4u + 1u] = vec4<f32>(h0.r.y, h0.g.y, h0.b.y, v13.y);
    vf4[192u + inv * 4u + 2u] = vec4<f32>(h0.r.z, h0.g.z, h0.b.z, v13.z);
    vf4[192u + inv * 4u + 3u] = vec4<f32>(h0.r.w, h0.g.w, h0.b.w, v13.w);
    vf4[448u + inv] = v8;
}
