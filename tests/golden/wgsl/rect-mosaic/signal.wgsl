@group(0) @binding(0) var<uniform> fu: FrameUniforms;
@group(0) @binding(1) var<storage, read_write> vf: array<f32>;
@group(0) @binding(2) var<storage, read_write> vi: array<i32>;
@group(0) @binding(3) var<storage, read_write> vu: array<u32>;
@group(0) @binding(4) var<storage, read> sf: array<f32>;
@group(0) @binding(5) var<storage, read> si: array<i32>;
@group(0) @binding(6) var<storage, read_write> vf4: array<vec4<f32>>;
@group(0) @binding(7) var<storage, read> sf4: array<vec4<f32>>;
@group(0) @binding(8) var<storage, read_write> sc: array<f32>;

@compute @workgroup_size(1)
fn main() {
    vf[2048u] = 0.0f;
    vf[2052u] = 1.0f;
    vf[2056u] = 1.0f;
    vf[2057u] = 0.05f;
    vf[2058u] = 0.05f;
    vf[2059u] = 0.0f;
    vf[2060u] = 0.008f;
    vf[2064u] = fu.phase_a;
}
