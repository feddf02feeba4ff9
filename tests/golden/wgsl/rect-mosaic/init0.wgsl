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
    let v0: vec4<i32> = (li4 % vec4<i32>(16i));
    let v1: vec4<i32> = (li4 / vec4<i32>(16i));
    let v2: vec4<i32> = (v1 % vec4<i32>(16i));
    let v3: vec4<f32> = vec4<f32>(v0);
    let v4: vec4<f32> = (v3 + vec4<f32>(0.5f));
    let v5: vec4<f32> = (v4 / vec4<f32>(osc_k(1098907648u)));
    let v6: vec4<f32> = vec4<f32>(v2);
    let v7: vec4<f32> = (v6 + vec4<f32>(0.5f));
    let v8: vec4<f32> = (v7 / vec4<f32>(osc_k(1098907648u)));
    vf4[0u + inv * 3u + 0u] = vec4<f32>(v5.x, v8.x, vec4<f32>(0.0f).x, v5.y);
    vf4[0u + inv * 3u + 1u] = vec4<f32>(v8.y, vec4<f32>(0.0f).y, v5.z, v8.z);
    vf4[0u + inv * 3u + 2u] = vec4<f32>(vec4<f32>(0.0f).z, v5.w, v8.w, vec4<f32>(0.0f).w);
}
