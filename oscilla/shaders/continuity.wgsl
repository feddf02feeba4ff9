// Continuity after a hot swap that changed an instance's lane count (docs/runtime/continuity.md).
// For every lane of one sink: displayed = new + offset * decay, per attribute, where offset is
// old-minus-new at the swap (mapped by element id; 0 for newborn lanes) and decay = exp(-dt/tau)
// of the model time since the first frame after the swap (computed on the host each frame).
// Reads the sink's render inputs from the ValueStore and writes its display slots there.

// struct Continuity is declared in oscilla/abi/uniforms.py (CONTINUITY); oscilla.shaders.shader_source
// prepends it.

@group(0) @binding(0) var<uniform> cu: Continuity;
@group(0) @binding(1) var<storage, read_write> vf: array<f32>;
// per lane: offset x, y, z, size, r, g, b, a
@group(0) @binding(2) var<storage, read> off: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * (nwg.x * 256u);
    if (i >= cu.lanes) { return; }
    let o = i * 8u;
    let p = cu.pos_src + i * cu.pos_ls;
    var z = 0.0;
    if (cu.pos_stride == 3u) { z = vf[p + 2u]; }
    vf[cu.pos_dst + i * 3u] = vf[p] + off[o] * cu.k_pos;
    vf[cu.pos_dst + i * 3u + 1u] = vf[p + 1u] + off[o + 1u] * cu.k_pos;
    vf[cu.pos_dst + i * 3u + 2u] = z + off[o + 2u] * cu.k_pos;
    vf[cu.size_dst + i] = vf[cu.size_src + i * cu.size_ls] + off[o + 3u] * cu.k_size;
    let c = cu.color_src + i * cu.color_ls;
    vf[cu.color_dst + i * 4u] = vf[c] + off[o + 4u] * cu.k_color;
    vf[cu.color_dst + i * 4u + 1u] = vf[c + 1u] + off[o + 5u] * cu.k_color;
    vf[cu.color_dst + i * 4u + 2u] = vf[c + 2u] + off[o + 6u] * cu.k_color;
    vf[cu.color_dst + i * 4u + 3u] = vf[c + 3u] + off[o + 7u] * cu.k_alpha;
}
