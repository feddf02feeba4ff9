// Gradient noise of docs/language/hashing-and-noise.md#gradient-noise: the helpers of the noise2, noise2_dx,
// noise2_dy and noise3 opcodes. Codegen appends this file to the kernels that use one of them (the
// opcodes' `include`), after the prelude, whose osc_pcg it calls. Every function must match its numpy
// twin in oscilla/ir/opcodes.py operation for operation (gradient_noise2, noise3): the lattice hashes are
// u32 arithmetic and agree bit for bit; the f32 arithmetic agrees within the tolerance of
// docs/language/conventions.md#numerics.
//
// Sources: K. Perlin, "Improving Noise", SIGGRAPH 2002 (the quintic fade, the 12 gradients of 3-D);
// the lattice hash nests a hash per axis like Perlin's permutation lookups P[P[P[x] + y] + z], with PCG
// (M. Jarzynski and M. Olano, "Hash Functions for GPU Rendering", JCGT 9(3), 2020) in place of the table.

// Perlin's quintic fade t^3 (t (6t - 15) + 10) and its derivative 30 t^2 (t (t - 2) + 1).
fn osc_fade(t: f32) -> f32 {
    return t * t * t * (t * (t * 6.0 - 15.0) + 10.0);
}

fn osc_dfade(t: f32) -> f32 {
    return 30.0 * t * t * (t * (t - 2.0) + 1.0);
}

// The bit pattern of i32(floor(x)) (the conversion saturates at the i32 range).
fn osc_cell(k: f32) -> u32 {
    return bitcast<u32>(i32(k));
}

// A corner's unit gradient from the top 3 bits b of its hash: (+-1, 0) or (0, +-1) when b < 4 (bit 1 picks
// the axis, bit 0 the sign), else (+-s, +-s) with s = sqrt(1/2) (bit 0 the sign of x, bit 1 that of y).
fn osc_grad2(h: u32) -> vec2<f32> {
    let b = h >> 29u;
    let sx = select(1.0, -1.0, (b & 1u) != 0u);
    let sy = select(1.0, -1.0, (b & 2u) != 0u);
    let on_y = (b & 2u) != 0u;
    let diag = (b & 4u) != 0u;
    let gx = select(select(sx, 0.0, on_y), sx * 0.70710677, diag);
    let gy = select(select(0.0, sx, on_y), sy * 0.70710677, diag);
    return vec2<f32>(gx, gy);
}

// 2-D gradient noise and its derivatives, (n, dn/dx, dn/dy) * sqrt(2) (unclamped).
fn osc_gnoise2(x: f32, y: f32, seed: u32) -> vec3<f32> {
    let kx = floor(x);
    let ky = floor(y);
    let fx = x - kx;
    let fy = y - ky;
    let i = osc_cell(kx);
    let j = osc_cell(ky);
    let s = osc_pcg(seed);
    let a0 = osc_pcg(s + i);
    let a1 = osc_pcg(s + i + 1u);
    let g00 = osc_grad2(osc_pcg(a0 + j));
    let g01 = osc_grad2(osc_pcg(a0 + j + 1u));
    let g10 = osc_grad2(osc_pcg(a1 + j));
    let g11 = osc_grad2(osc_pcg(a1 + j + 1u));
    let fx1 = fx - 1.0;
    let fy1 = fy - 1.0;
    let n00 = g00.x * fx + g00.y * fy;
    let n10 = g10.x * fx1 + g10.y * fy;
    let n01 = g01.x * fx + g01.y * fy1;
    let n11 = g11.x * fx1 + g11.y * fy1;
    let u = osc_fade(fx);
    let v = osc_fade(fy);
    let du = osc_dfade(fx);
    let dv = osc_dfade(fy);
    let nx0 = n00 + u * (n10 - n00);
    let nx1 = n01 + u * (n11 - n01);
    let n = nx0 + v * (nx1 - nx0);
    let dx0 = g00.x + u * (g10.x - g00.x) + du * (n10 - n00);
    let dx1 = g01.x + u * (g11.x - g01.x) + du * (n11 - n01);
    let dnx = dx0 + v * (dx1 - dx0);
    let dy0 = g00.y + u * (g10.y - g00.y);
    let dy1 = g01.y + u * (g11.y - g01.y);
    let dny = dy0 + v * (dy1 - dy0) + dv * (nx1 - nx0);
    return vec3<f32>(n * 1.4142135, dnx * 1.4142135, dny * 1.4142135);
}

// Noise2D: 2-D gradient noise in [-1, 1].
fn osc_noise2(x: f32, y: f32, seed: u32) -> f32 {
    return clamp(osc_gnoise2(x, y, seed).x, -1.0, 1.0);
}

// Perlin's grad (2002): the dot product of (x, y, z) with one of 12 gradients, from the top 4 bits of h.
fn osc_grad3(h: u32, x: f32, y: f32, z: f32) -> f32 {
    let b = h >> 28u;
    let u = select(y, x, b < 8u);
    let v = select(select(z, x, b == 12u || b == 14u), y, b < 4u);
    return select(u, -u, (b & 1u) != 0u) + select(v, -v, (b & 2u) != 0u);
}

// Noise3D: 3-D gradient noise * 0.96491, clamped to [-1, 1].
fn osc_noise3(x: f32, y: f32, z: f32, seed: u32) -> f32 {
    let kx = floor(x);
    let ky = floor(y);
    let kz = floor(z);
    let fx = x - kx;
    let fy = y - ky;
    let fz = z - kz;
    let i = osc_cell(kx);
    let j = osc_cell(ky);
    let k = osc_cell(kz);
    let s = osc_pcg(seed);
    let a0 = osc_pcg(s + i);
    let a1 = osc_pcg(s + i + 1u);
    let b00 = osc_pcg(a0 + j);
    let b01 = osc_pcg(a0 + j + 1u);
    let b10 = osc_pcg(a1 + j);
    let b11 = osc_pcg(a1 + j + 1u);
    let fx1 = fx - 1.0;
    let fy1 = fy - 1.0;
    let fz1 = fz - 1.0;
    let n000 = osc_grad3(osc_pcg(b00 + k), fx, fy, fz);
    let n001 = osc_grad3(osc_pcg(b00 + k + 1u), fx, fy, fz1);
    let n010 = osc_grad3(osc_pcg(b01 + k), fx, fy1, fz);
    let n011 = osc_grad3(osc_pcg(b01 + k + 1u), fx, fy1, fz1);
    let n100 = osc_grad3(osc_pcg(b10 + k), fx1, fy, fz);
    let n101 = osc_grad3(osc_pcg(b10 + k + 1u), fx1, fy, fz1);
    let n110 = osc_grad3(osc_pcg(b11 + k), fx1, fy1, fz);
    let n111 = osc_grad3(osc_pcg(b11 + k + 1u), fx1, fy1, fz1);
    let u = osc_fade(fx);
    let v = osc_fade(fy);
    let w = osc_fade(fz);
    let nx00 = n000 + u * (n100 - n000);
    let nx10 = n010 + u * (n110 - n010);
    let nx01 = n001 + u * (n101 - n001);
    let nx11 = n011 + u * (n111 - n011);
    let nxy0 = nx00 + v * (nx10 - nx00);
    let nxy1 = nx01 + v * (nx11 - nx01);
    let n = nxy0 + w * (nxy1 - nxy0);
    return clamp(n * 0.96491, -1.0, 1.0);
}

// ---- vec4 twins: four lanes, one scalar call per lane (the same operations in the same order) ----

fn osc_noise24(x: vec4<f32>, y: vec4<f32>, seed: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(
        osc_noise2(x.x, y.x, seed.x),
        osc_noise2(x.y, y.y, seed.y),
        osc_noise2(x.z, y.z, seed.z),
        osc_noise2(x.w, y.w, seed.w),
    );
}

fn osc_noise2_dx4(x: vec4<f32>, y: vec4<f32>, seed: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(
        osc_gnoise2(x.x, y.x, seed.x).y,
        osc_gnoise2(x.y, y.y, seed.y).y,
        osc_gnoise2(x.z, y.z, seed.z).y,
        osc_gnoise2(x.w, y.w, seed.w).y,
    );
}

fn osc_noise2_dy4(x: vec4<f32>, y: vec4<f32>, seed: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(
        osc_gnoise2(x.x, y.x, seed.x).z,
        osc_gnoise2(x.y, y.y, seed.y).z,
        osc_gnoise2(x.z, y.z, seed.z).z,
        osc_gnoise2(x.w, y.w, seed.w).z,
    );
}

fn osc_noise34(x: vec4<f32>, y: vec4<f32>, z: vec4<f32>, seed: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(
        osc_noise3(x.x, y.x, z.x, seed.x),
        osc_noise3(x.y, y.y, z.y, seed.y),
        osc_noise3(x.z, y.z, z.z, seed.z),
        osc_noise3(x.w, y.w, z.w, seed.w),
    );
}
