// Continuity capture at a hot swap (docs/runtime/continuity.md): per new lane i, the offset
// old - new of the drawn position (x, y, z), size and colour (r, g, b, a), where old is the old
// program's lane i + shift (the same element id, seed + i) for lo <= i < hi, and 0 otherwise
// (newborn lanes start at their new value). Non-finite differences become 0.

// struct Capture is declared in oscilla/abi/uniforms.py (CONTINUITY_CAPTURE);
// oscilla.shaders.shader_source prepends it.

@group(0) @binding(0) var<uniform> cap: Capture;
@group(0) @binding(1) var<storage, read> old_vf: array<f32>;
@group(0) @binding(2) var<storage, read> new_vf: array<f32>;
@group(0) @binding(3) var<storage, read_write> off: array<f32>;

fn finite_or_zero(x: f32) -> f32 {
    // exponent bits all ones: inf or NaN (bit test: the compiler may assume floats are finite)
    return select(x, 0.0, (bitcast<u32>(x) & 0x7f800000u) == 0x7f800000u);
}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
    let i = gid.x + gid.y * (nwg.x * 256u);
    if (i >= cap.lanes) { return; }
    let base = i * 8u;
    if (i < cap.lo || i >= cap.hi) {
        for (var c = 0u; c < 8u; c++) { off[base + c] = 0.0; }
        return;
    }
    let j = u32(i32(i) + cap.shift);
    var o: array<f32, 8>;
    var n: array<f32, 8>;
    for (var c = 0u; c < 3u; c++) {
        o[c] = select(0.0, old_vf[cap.o_pos + j * cap.o_pos_ls + c], c < cap.o_pos_n);
        n[c] = select(0.0, new_vf[cap.n_pos + i * cap.n_pos_ls + c], c < cap.n_pos_n);
    }
    o[3] = old_vf[cap.o_size + j * cap.o_size_ls];
    n[3] = new_vf[cap.n_size + i * cap.n_size_ls];
    for (var c = 0u; c < 4u; c++) {
        o[4u + c] = old_vf[cap.o_color + j * cap.o_color_ls + c];
        n[4u + c] = new_vf[cap.n_color + i * cap.n_color_ls + c];
    }
    for (var c = 0u; c < 8u; c++) { off[base + c] = finite_or_zero(o[c] - n[c]); }
}
