// oscilla prelude: the shared helper functions of docs/language/hashing-and-noise.md and docs/language/functions.md.
// Every generated kernel starts with the FrameUniforms struct (generated from oscilla/abi/uniforms.py)
// followed by this text (oscilla.codegen.wgsl.kernel_prelude); the functions must match
// oscilla/ir/opcodes.py.

// A literal the driver cannot constant-fold: lavapipe (Mesa NIR) rewrites (x * c1) * c2 into
// x * (c1 * c2) for literals, which changes rounding; hashes of such values must stay bit-exact
// with the reference (docs/language/conventions.md#numerics), so codegen emits chained constants as osc_k(bit pattern).
fn osc_k(bits: u32) -> f32 {
    return bitcast<f32>(bits ^ fu.opaque_zero);
}

// PCG hash on u32 with wrapping arithmetic.
fn osc_pcg(u: u32) -> u32 {
    let state = u * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

// to01(h) = f32(h >> 8) / 2^24, exact in f32.
fn osc_to01(h: u32) -> f32 {
    return f32(h >> 8u) * (1.0 / 16777216.0);
}

// IEEE bits of x with -0.0 canonicalised to +0.0.
fn osc_bits(x: f32) -> u32 {
    return select(bitcast<u32>(x), 0u, x == 0.0);
}

// Hash(value, seed) = to01(pcg(bits(value) ^ pcg(bits(seed)))).
fn osc_hash(value: f32, seed: f32) -> f32 {
    return osc_to01(osc_pcg(osc_bits(value) ^ osc_pcg(osc_bits(seed))));
}

// frac / wrap01: min(x - floor(x), 0.99999994), always in [0, 1).
fn osc_frac(x: f32) -> f32 {
    return min(x - floor(x), 0.99999994);
}

// 1-D value noise in [0, 1).
fn osc_noise(x: f32) -> f32 {
    let k = floor(x);
    let f = x - k;
    // i32(k) saturates at 2147483520 (the largest f32 below 2^31); docs/language/hashing-and-noise.md#noise saturates
    // at i32 max
    let ku = select(bitcast<u32>(i32(k)), 0x7FFFFFFFu, k >= 2147483648.0);
    let h0 = osc_to01(osc_pcg(ku));
    let h1 = osc_to01(osc_pcg(ku + 1u));
    let u = f * f * (3.0 - 2.0 * f);
    return h0 + (h1 - h0) * u;
}

// hsv2rgb of docs/language/functions.md#hsv2rgb (alpha is 1). Branch-free: the sector k picks each channel with
// select, so SIMD lanes in different sectors do not diverge.
fn osc_hsv2rgb(h: f32, s: f32, v: f32) -> vec3<f32> {
    let hp = osc_frac(h);
    let sp = max(0.0, min(1.0, s));
    let vp = max(0.0, min(1.0, v));
    let c = vp * sp;
    let h6 = 6.0 * hp;
    let x = c * (1.0 - abs((h6 - 2.0 * floor(h6 / 2.0)) - 1.0));
    let m = vp - c;
    let k = min(floor(h6), 5.0);
    // sector: 0 (c,x,0) 1 (x,c,0) 2 (0,c,x) 3 (0,x,c) 4 (x,0,c) 5 (c,0,x)
    let r = select(select(0.0, x, k == 1.0 || k == 4.0), c, k == 0.0 || k == 5.0);
    let g = select(select(0.0, x, k == 0.0 || k == 3.0), c, k == 1.0 || k == 2.0);
    let b = select(select(0.0, x, k == 2.0 || k == 5.0), c, k == 3.0 || k == 4.0);
    return vec3<f32>(r + m, g + m, b + m);
}

// a - b * trunc(a / b): truncated modulo (sign of a).
fn osc_mod(a: f32, b: f32) -> f32 {
    return a - b * trunc(a / b);
}

// a - b * floor(a / b): floored modulo (sign of b).
fn osc_modulo(a: f32, b: f32) -> f32 {
    return a - b * floor(a / b);
}

// atan2(y, x) in [-pi, pi] with atan2(0, 0) = 0 (WGSL leaves that case indeterminate).
fn osc_atan2(y: f32, x: f32) -> f32 {
    return select(atan2(y, x), 0.0, y == 0.0 && x == 0.0);
}

// i32 truncated remainder; 0 for a zero divisor (never traps).
fn osc_mod_i(a: i32, b: i32) -> i32 {
    if (b == 0) {
        return 0;
    }
    return a % b;
}

// i32 truncated division; a for a zero divisor.
fn osc_div_i(a: i32, b: i32) -> i32 {
    if (b == 0) {
        return a;
    }
    return a / b;
}

// ---- vec4 twins: field kernels compute four adjacent lanes per invocation ------------------
// Each function is the component-wise twin of the scalar one above (same operations, same order).

fn osc_pcg4(u: vec4<u32>) -> vec4<u32> {
    let state = u * 747796405u + 2891336453u;
    let word = ((state >> ((state >> vec4<u32>(28u)) + 4u)) ^ state) * 277803737u;
    return (word >> vec4<u32>(22u)) ^ word;
}

fn osc_to014(h: vec4<u32>) -> vec4<f32> {
    return vec4<f32>(h >> vec4<u32>(8u)) * (1.0 / 16777216.0);
}

fn osc_bits4(x: vec4<f32>) -> vec4<u32> {
    return select(bitcast<vec4<u32>>(x), vec4<u32>(0u), x == vec4<f32>(0.0));
}

fn osc_hash4(value: vec4<f32>, seed: vec4<f32>) -> vec4<f32> {
    return osc_to014(osc_pcg4(osc_bits4(value) ^ osc_pcg4(osc_bits4(seed))));
}

fn osc_frac4(x: vec4<f32>) -> vec4<f32> {
    return min(x - floor(x), vec4<f32>(0.99999994));
}

fn osc_noise4(x: vec4<f32>) -> vec4<f32> {
    let k = floor(x);
    let f = x - k;
    let ku = select(bitcast<vec4<u32>>(vec4<i32>(k)), vec4<u32>(0x7FFFFFFFu), k >= vec4<f32>(2147483648.0));
    let h0 = osc_to014(osc_pcg4(ku));
    let h1 = osc_to014(osc_pcg4(ku + 1u));
    let u = f * f * (3.0 - 2.0 * f);
    return h0 + (h1 - h0) * u;
}

struct Rgb4 {
    r: vec4<f32>,
    g: vec4<f32>,
    b: vec4<f32>,
}

fn osc_hsv2rgb4(h: vec4<f32>, s: vec4<f32>, v: vec4<f32>) -> Rgb4 {
    let hp = osc_frac4(h);
    let sp = max(vec4<f32>(0.0), min(vec4<f32>(1.0), s));
    let vp = max(vec4<f32>(0.0), min(vec4<f32>(1.0), v));
    let c = vp * sp;
    let h6 = 6.0 * hp;
    let x = c * (1.0 - abs((h6 - 2.0 * floor(h6 / 2.0)) - 1.0));
    let m = vp - c;
    let k = min(floor(h6), vec4<f32>(5.0));
    let z = vec4<f32>(0.0);
    let r = select(select(z, x, k == vec4<f32>(1.0) | k == vec4<f32>(4.0)), c, k == vec4<f32>(0.0) | k == vec4<f32>(5.0));
    let g = select(select(z, x, k == vec4<f32>(0.0) | k == vec4<f32>(3.0)), c, k == vec4<f32>(1.0) | k == vec4<f32>(2.0));
    let b = select(select(z, x, k == vec4<f32>(2.0) | k == vec4<f32>(5.0)), c, k == vec4<f32>(3.0) | k == vec4<f32>(4.0));
    return Rgb4(r + m, g + m, b + m);
}

fn osc_mod4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
    return a - b * trunc(a / b);
}

fn osc_modulo4(a: vec4<f32>, b: vec4<f32>) -> vec4<f32> {
    return a - b * floor(a / b);
}

fn osc_atan24(y: vec4<f32>, x: vec4<f32>) -> vec4<f32> {
    return select(atan2(y, x), vec4<f32>(0.0), (y == vec4<f32>(0.0)) & (x == vec4<f32>(0.0)));
}

fn osc_mod_i4(a: vec4<i32>, b: vec4<i32>) -> vec4<i32> {
    return vec4<i32>(osc_mod_i(a.x, b.x), osc_mod_i(a.y, b.y), osc_mod_i(a.z, b.z), osc_mod_i(a.w, b.w));
}

fn osc_div_i4(a: vec4<i32>, b: vec4<i32>) -> vec4<i32> {
    return vec4<i32>(osc_div_i(a.x, b.x), osc_div_i(a.y, b.y), osc_div_i(a.z, b.z), osc_div_i(a.w, b.w));
}

// -- logarithms, powers, inverse trigonometry (docs/language/functions.md#domains) -----------------
// WGSL leaves these functions indeterminate outside their domain (and may fold a NaN or infinite
// literal at shader creation); each defines its edge cases with selects and runtime-opaque
// constants (osc_k) so that the GPU and the reference runtime agree: NaN below the domain, -inf
// for log(0), +inf for inverseSqrt(0), and pow as described in osc_pow.

fn osc_nan() -> f32 {
    return osc_k(0x7FC00000u);
}

fn osc_inf() -> f32 {
    return osc_k(0x7F800000u);
}

// ln x: -inf at 0 (either sign), NaN below 0.
fn osc_log(x: f32) -> f32 {
    return select(select(log(x), -osc_inf(), x == 0.0), osc_nan(), x < 0.0);
}

fn osc_log2(x: f32) -> f32 {
    return select(select(log2(x), -osc_inf(), x == 0.0), osc_nan(), x < 0.0);
}

// 1 / sqrt(x): +inf at 0 (either sign), NaN below 0.
fn osc_inversesqrt(x: f32) -> f32 {
    return select(select(inverseSqrt(x), osc_inf(), x == 0.0), osc_nan(), x < 0.0);
}

// asin / acos: NaN outside [-1, 1]. Computed from atan2 as WGSL's accuracy rule has it, with
// (1 - x)(1 + x) instead of 1 - x*x, which cancels near ±1 (lavapipe's own asin is 3e-4 off there).
fn osc_asin(x: f32) -> f32 {
    return select(atan2(x, sqrt((1.0 - x) * (1.0 + x))), osc_nan(), abs(x) > 1.0);
}

fn osc_acos(x: f32) -> f32 {
    return select(atan2(sqrt((1.0 - x) * (1.0 + x)), x), osc_nan(), abs(x) > 1.0);
}

// tanh with the argument clamped to [-10, 10] (tanh(±10) is ±1 in f32), so that a driver that
// computes it from exponentials never divides inf by inf.
fn osc_tanh(x: f32) -> f32 {
    return tanh(clamp(x, -10.0, 10.0));
}

// x^y defined everywhere WGSL's pow is not: y = 0 gives 1; x = ±0 gives 0 for y > 0 and +inf for
// y < 0; x < 0 gives ±|x|^y when y is an integer (negative for odd y) and NaN otherwise.
fn osc_pow(x: f32, y: f32) -> f32 {
    let ax = abs(x);
    let mag = select(pow(ax, y), select(osc_inf(), 0.0, y > 0.0), ax == 0.0);
    let odd = (y - 2.0 * floor(0.5 * y)) == 1.0;
    let neg = select(mag, -mag, odd);
    let r = select(mag, select(osc_nan(), neg, trunc(y) == y), x < 0.0);
    return select(r, 1.0, y == 0.0);
}

fn osc_log4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_log(x.x), osc_log(x.y), osc_log(x.z), osc_log(x.w));
}

fn osc_log24(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_log2(x.x), osc_log2(x.y), osc_log2(x.z), osc_log2(x.w));
}

fn osc_inversesqrt4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_inversesqrt(x.x), osc_inversesqrt(x.y), osc_inversesqrt(x.z), osc_inversesqrt(x.w));
}

fn osc_asin4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_asin(x.x), osc_asin(x.y), osc_asin(x.z), osc_asin(x.w));
}

fn osc_acos4(x: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_acos(x.x), osc_acos(x.y), osc_acos(x.z), osc_acos(x.w));
}

fn osc_tanh4(x: vec4<f32>) -> vec4<f32> {
    return tanh(clamp(x, vec4<f32>(-10.0), vec4<f32>(10.0)));
}

fn osc_pow4(x: vec4<f32>, y: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(osc_pow(x.x, y.x), osc_pow(x.y, y.y), osc_pow(x.z, y.z), osc_pow(x.w, y.w));
}
