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
    if (inv >= 2500u) { return; }
    let lane0 = inv * 4u;
    let li4 = vec4<i32>(i32(lane0)) + vec4<i32>(0, 1, 2, 3);
    let v0: vec4<f32> = vec4<f32>(li4);
    let v1: vec4<f32> = (v0 * vec4<f32>(0.00010001f));
    let v2: vec4<f32> = (v1 * vec4<f32>(osc_k(1094713344u)));
    let v3: vec4<f32> = vec4<f32>(vf[80016u]);
    let v4: vec4<f32> = (v2 + v3);
    let v5: vec4<f32> = osc_noise4(v4);
    let v6: vec4<f32> = sf4[0u + inv];
    let v7: vec4<f32> = (v6 * vec4<f32>(0.85f));
    let v8: vec4<f32> = (v5 * vec4<f32>(0.15f));
    let v9: vec4<f32> = (v7 + v8);
    let v10: vec4<f32> = (v1 + v3);
    let v11: vec4<f32> = osc_frac4(v10);
    let h0: Rgb4 = osc_hsv2rgb4(v11, vec4<f32>(0.8f), vec4<f32>(0.95f));
    vf4[7500u + inv * 4u + 0u] = vec4<f32>(h0.r.x, h0.g.x, h0.b.x, vec4<f32>(1.0f).x);
    vf4[7500u + inv * 4u + 1u] = vec4<f32>(h0.r.y, h0.g.y, h0.b.y, vec4<f32>(1.0f).y);
    vf4[7500u + inv * 4u + 2u] = vec4<f32>(h0.r.z, h0.g.z, h0.b.z, vec4<f32>(1.0f).z);
    vf4[7500u + inv * 4u + 3u] = vec4<f32>(h0.r.w, h0.g.w, h0.b.w, vec4<f32>(1.0f).w);
    vf4[17500u + inv] = v9;
}
