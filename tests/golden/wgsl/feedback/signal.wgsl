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
    let v0: f32 = osc_frac(fu.phase_a);
    let v1: f32 = (6.2831855f * v0);
    let v2: f32 = sin(v1);
    let v3: f32 = (0.01f * v2);
    let v4: f32 = (v3 + osc_k(1014350479u));
    let v5: f32 = sf[0u];
    let v6: f32 = (v5 + v4);
    let v7: f32 = osc_mod(v6, 1.0f);
    let v8: f32 = osc_frac(v7);
    vf[48u] = 1.0f;
    vf[49u] = 0.55f;
    vf[50u] = 0.1f;
    vf[51u] = 1.0f;
    vf[52u] = 1.0f;
    vf[56u] = 0.0f;
    vf[60u] = 0.0f;
    vf[61u] = 0.025f;
    vf[62u] = 0.025f;
    vf[63u] = 0.0f;
    vf[64u] = 0.0f;
    vf[116u] = 0.2f;
    vf[117u] = 0.7f;
    vf[118u] = 1.0f;
    vf[119u] = 1.0f;
    vf[120u] = v7;
    vf[124u] = v8;
    vf[128u] = fu.phase_a;
}
