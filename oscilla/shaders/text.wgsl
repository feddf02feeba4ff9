// Labels of RenderInstances2D sinks whose shape is a Text (docs/language/rendering.md#text).
//
// One draw of 6 * text.slots vertices per lane: vertices 6j..6j+5 are the quad of character slot j
// of the lane's label. The lane's anchor is placed like an Image's centre (instances.wgsl: same
// position, camera order and projection, gs = scale * size_i * k * frame.scale pixels per world
// unit), then every glyph quad, in font pixels relative to the anchor (the left end of the line's
// vertical middle, Pillow's anchor "lm"), is
//     (pen_j + ox - floor(align * label_width + 0.5), oy) + corner * (w, h)
// (the alignment shift rounded to whole font pixels, half up, as Pillow does, so at one font pixel
// per screen pixel the glyphs land on whole pixels and match Pillow's rendering exactly)
// times f = shape.size / text.em * gs pixels per font pixel, rotated by shape.rotation + rotation_i.
// The glyph's texels (white, coverage as alpha, a transparent border of one texel) are sampled
// bilinearly and multiplied by the sink's sanitised colour.
//
// Static text (text.mode 0): slot j of lane i is table[(i mod labels) * slots + j] = (glyph or -1,
// pen x, label width, 0), laid out by Pillow at compile time.
// Format (text.mode 1): the characters are computed here from the shape's value v (component 4,
// per lane), with no readback:
//   NaN -> "nan"; +-inf -> "inf" / "-inf"; otherwise the sign is the sign bit of v ("-" when set,
//   so -0.0 and values rounding to zero keep it, as Python prints them; "+" when text.plus), then
//   m = round(|v| * 10^precision) in f32 (ties to even), its integer part m / 10^precision and,
//   with precision > 0, "." and the m mod 10^precision zero-padded; an m of 2^32 or more (huge
//   values) is written "#". The number is padded with spaces on the left to text.width and put
//   between the prefix and suffix glyphs (table row 0). Pen positions are the sums of the
//   advances (no kerning between computed characters).

// struct Frame, struct Sink and struct TextSink are declared in oscilla/abi/uniforms.py
// (RENDER_FRAME, SINK, TEXT_SINK); oscilla.shaders.shader_source prepends them.

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> sink: Sink;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> proj: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> sorted: array<vec2<u32>>;
@group(0) @binding(5) var<uniform> text: TextSink;
@group(0) @binding(6) var tex: texture_2d<f32>;
@group(0) @binding(7) var samp: sampler;
// Per glyph two rows: (atlas x, y, w, h texels), (offset x, offset y, advance font pixels, 0).
@group(0) @binding(8) var<storage, read> glyphs: array<vec4<f32>>;
@group(0) @binding(9) var<storage, read> table: array<vec4<f32>>;
// The camera pass's draw-indirect record (6, visible lanes, 0, 0); unused without a Camera.
@group(0) @binding(10) var<storage, read> visible: array<u32>;

struct VOut {
    @builtin(position) clip: vec4<f32>,
    @location(0) uv: vec2<f32>,
    @location(1) @interpolate(flat) color: vec4<f32>,
};

// The glyphs of a format-mode atlas (program.FORMAT_GLYPHS): digits 0..9, then these.
const G_MINUS: i32 = 10;
const G_PLUS: i32 = 11;
const G_POINT: i32 = 12;
const G_N: i32 = 13;
const G_A: i32 = 14;
const G_I: i32 = 15;
const G_F: i32 = 16;
const G_HASH: i32 = 17;
const G_SPACE: i32 = 18;
// The most characters of a formatted label: 32 of prefix, 32 of number, 32 of suffix.
const MAX_CHARS: u32 = 96u;

struct Label {
    chars: array<i32, 96>,
    count: u32,
};

fn push(l: ptr<function, Label>, g: i32) {
    if ((*l).count < MAX_CHARS) {
        (*l).chars[(*l).count] = g;
        (*l).count = (*l).count + 1u;
    }
}

fn pow10(n: u32) -> u32 {
    var p = 1u;
    for (var i = 0u; i < n; i = i + 1u) {
        p = p * 10u;
    }
    return p;
}

// The glyphs of the formatted value v (module comment).
fn format_value(v: f32) -> Label {
    var l: Label;
    l.count = 0u;
    for (var i = 0u; i < text.prefix; i = i + 1u) {
        push(&l, i32(table[i].x));
    }
    // the number, right to left into `num`, then copied padded
    var num: array<i32, 32>;
    var n = 0u;
    let bits = bitcast<u32>(v);
    let neg = (bits >> 31u) == 1u;
    let special = ((bits >> 23u) & 0xffu) == 0xffu;
    let is_nan = special && (bits & 0x7fffffu) != 0u;
    var sign = -1;
    if (is_nan) {
        num[0] = G_N; num[1] = G_A; num[2] = G_N; n = 3u;
        if (text.plus != 0u) { sign = G_PLUS; }
    } else {
        if (neg) { sign = G_MINUS; } else if (text.plus != 0u) { sign = G_PLUS; }
        let scale = f32(pow10(text.decimals));
        let m = round(abs(v) * scale);
        if (special) {
            num[0] = G_I; num[1] = G_N; num[2] = G_F; n = 3u;
        } else if (!(m < 4294967296.0)) {
            num[0] = G_HASH; n = 1u;
        } else {
            var u = u32(m);
            let p = text.decimals;
            // digits right to left: the decimals, the point, then at least one integer digit
            var digits = array<i32, 32>();
            var k = 0u;
            for (var i = 0u; i < p; i = i + 1u) {
                digits[k] = i32(u % 10u);
                u = u / 10u;
                k = k + 1u;
            }
            if (p > 0u) {
                digits[k] = G_POINT;
                k = k + 1u;
            }
            loop {
                digits[k] = i32(u % 10u);
                u = u / 10u;
                k = k + 1u;
                if (u == 0u || k >= 30u) { break; }
            }
            for (var i = 0u; i < k; i = i + 1u) {
                num[i] = digits[k - 1u - i];
            }
            n = k;
        }
    }
    let body = n + select(0u, 1u, sign >= 0);
    for (var i = body; i < text.width; i = i + 1u) {
        push(&l, G_SPACE);
    }
    if (sign >= 0) { push(&l, sign); }
    for (var i = 0u; i < n; i = i + 1u) {
        push(&l, num[i]);
    }
    for (var i = 0u; i < text.suffix; i = i + 1u) {
        push(&l, i32(table[text.prefix + i].x));
    }
    return l;
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, @builtin(instance_index) inst: u32) -> VOut {
    var out: VOut;
    out.clip = vec4<f32>(-2.0, -2.0, 0.0, 1.0);   // not drawn: a degenerate quad outside the clip volume
    out.uv = vec2<f32>(0.0, 0.0);
    out.color = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    let slot = vi / 6u;
    let v6 = vi % 6u;
    if (sink.camera != 0u && inst >= visible[1]) {
        return out;
    }
    let lp = lane_position(inst);
    let lane = lp.lane;
    let x = lp.x;
    let y = lp.y;
    let k = lp.k;
    if (lane >= sink.lanes || slot >= text.slots) {
        return out;
    }
    let size = values[sink.size_off + lane * sink.size_ls];
    let rot = values[sink.rot_off + lane * sink.rot_ls];
    let scl = values[sink.scale_off + lane * sink.scale_ls];
    let si = sink.shape_off + lane * sink.shape_ls;
    let ssize = values[si + 1u];
    let srot = values[si + 3u];
    let sval = values[si + 4u];
    if (!(finite(x) && finite(y) && finite(size) && finite(rot) && finite(scl) && finite(k)
          && finite(ssize) && finite(srot))) {
        return out;
    }
    // the glyph of this slot, its pen position and the label's width (font pixels)
    var g = -1;
    var pen = 0.0;
    var width = 0.0;
    if (text.mode == 0u) {
        let e = table[(lane % text.labels) * text.slots + slot];
        g = i32(e.x);
        pen = e.y;
        width = e.z;
    } else {
        let l = format_value(sval);
        for (var i = 0u; i < l.count; i = i + 1u) {
            let adv = glyphs[2u * u32(l.chars[i]) + 1u].z;
            if (i < slot) { pen = pen + adv; }
            width = width + adv;
        }
        if (slot < l.count) { g = l.chars[slot]; }
    }
    if (g < 0) {
        return out;
    }
    let rect = glyphs[2u * u32(g)];
    let met = glyphs[2u * u32(g) + 1u];
    let W = frame.size.x;
    let H = frame.size.y;
    let S = frame.scale;
    let center = to_pixels(x, y);
    let f = ssize / text.em * scl * size * k * S;
    let c01 = vec2<f32>(f32((0x16u >> v6) & 1u), f32((0x34u >> v6) & 1u));
    let fp = vec2<f32>(pen + met.x - floor(text.align * width + 0.5), met.y) + c01 * rect.zw;
    let local = fp * f;
    let theta = srot + rot;
    let c = cos(theta);
    let s = sin(theta);
    let screen = center + vec2<f32>(c * local.x - s * local.y, s * local.x + c * local.y);
    if (!(finite(screen.x) && finite(screen.y))) {
        return out;
    }
    out.clip = vec4<f32>(screen.x / W * 2.0 - 1.0, 1.0 - screen.y / H * 2.0, 0.0, 1.0);
    out.uv = (rect.xy + c01 * rect.zw) / vec2<f32>(textureDimensions(tex));
    let ci = sink.color_off + lane * sink.color_ls;
    out.color = vec4<f32>(unit(values[ci]), unit(values[ci + 1u]), unit(values[ci + 2u]),
                          unit(values[ci + 3u]));
    return out;
}

fn shade(in: VOut) -> vec4<f32> {
    return textureSampleLevel(tex, samp, in.uv, 0.0) * in.color;
}

// fs_main and fs_premul: oscilla/shaders/textured_fragment.wgsl
