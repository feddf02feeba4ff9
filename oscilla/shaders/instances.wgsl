// Instanced SDF quads for RenderInstances2D (docs/language/rendering.md).
//
// One draw per sink. Without a Camera: draw(6, lanes), instance index = lane (lane order, z
// ignored). With a Camera: draw_indirect after the compute pass of camera_sort.wgsl; instance j
// draws lane sorted[j].y (far to near, culled lanes dropped) at its projected screen position
// proj[lane].xy with the size factor k = proj[lane].z. Vertices 0..5 = two triangles of a quad
// around the shape. The vertex stage reads every render input straight from the ValueStore (a
// flat array<f32>); the fragment stage reads the ValueStore only for path control points.
//
// Units: world units for positions and shape sizes ([0,1]^2, origin top left, y down, C3);
// pixels for everything after the viewport mapping (docs/language/rendering.md#viewport):
//     S = min(W, H);  world (x, y) -> pixel (W/2 + (x - 0.5) S, H/2 + (y - 0.5) S).
// Per lane (docs/language/rendering.md#geometry, k = 1 without a camera):
//     g = scale * size_i * k,  theta = shape.rotation + rotation_i,
//     local (lx, ly) -> p_i + (lx cos - ly sin, lx sin + ly cos) * g   (y down: clockwise).
// The fragment works in the shape's own frame, scaled to pixels (rotation and uniform scale keep
// distances), computes the signed distance d in pixels (negative inside) and
//     coverage = clamp(0.5 - d, 0, 1);  a = c.a * coverage;  premultiplied (c.rgb a, a)
// With strokes (sink.stroke = 1, docs/language/rendering.md#strokes) the band |d| <= h, h = strokeWidth S k / 2
// pixels, has coverage clamp(0.5 - (d - h)) - clamp(0.5 - (d + h)) (0 when h = 0); its colour s with
// b = s.a * that coverage is composited over the fill first: output (s.rgb b + c.rgb a (1 - b), b + a (1 - b)).
// The pipeline's fixed-function blend state then applies the sink's blend mode
// (docs/language/rendering.md#blend-modes; oscilla/drawing/instances.py). "over" (fs_main) writes
// the straight-alpha form (rgb / a, a) with colour factor src-alpha, bit-identical to the images
// before blend modes existed; add / multiply / screen (fs_premul) write the premultiplied form. Over:
//     C <- c a + C (1 - a),  A <- a + A (1 - a).

// struct Frame (the renderer's frame uniform) and struct Sink (the per-sink uniform) are declared
// in oscilla/abi/uniforms.py (RENDER_FRAME, SINK); oscilla.shaders.shader_source prepends them.

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> sink: Sink;
@group(0) @binding(2) var<storage, read> values: array<f32>;
// Camera only (a 16-byte dummy otherwise): per lane (screen x, screen y, k, depth), and the
// sorted (key, lane) pairs whose first `count` entries are the visible lanes, far first.
@group(0) @binding(3) var<storage, read> proj: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> sorted: array<vec2<u32>>;

struct VOut {
    @builtin(position) clip: vec4<f32>,
    // The fragment's position in the shape's local frame, in pixels (unrotated, centred at 0).
    @location(0) local: vec2<f32>,
    // Sanitised straight-alpha colour.
    @location(1) @interpolate(flat) color: vec4<f32>,
    // (kind, half extent x, half extent y, corner radius), pixels. Ellipse: semi-axes.
    // Path: (2, signed pixels per local world unit g S, 0, 0).
    @location(2) @interpolate(flat) shape: vec4<f32>,
    // Sanitised straight-alpha stroke colour (strokes only).
    @location(3) @interpolate(flat) scolor: vec4<f32>,
    // Half the stroke width h in pixels (0: no stroke).
    @location(4) @interpolate(flat) hw: f32,
};

// The sink's shape kind when the compiler knows it (a constant shape input; oscilla/drawing/instances.py
// builds one pipeline per (kind, blend mode) from the pipeline cache): 0 ellipse, 1 rect, 2 path,
// 4 circle (an ellipse with equal constant semi-axes); 3 = any (the kind is read per lane). A
// specialized fragment stage holds only its kind's distance function, so an ellipse sink never
// pays for rect or path code; the distances (and so the images) are the same as the generic ones.
override SHAPE_KIND: u32 = 3u;

// Pixels of anti-aliasing margin around the shape: coverage reaches 0 at d = 0.5 px, so 1 px
// keeps every touched pixel centre inside the quad with room to spare.
const MARGIN: f32 = 1.0;


fn path_point(j: u32) -> vec2<f32> {
    let o = sink.path_off + j * sink.path_ls;
    return vec2<f32>(values[o], values[o + 1u]);
}

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, @builtin(instance_index) inst: u32) -> VOut {
    var out: VOut;
    // Not drawn: every vertex at the same point outside the clip volume (a degenerate quad).
    out.clip = vec4<f32>(-2.0, -2.0, 0.0, 1.0);
    out.local = vec2<f32>(0.0, 0.0);
    out.color = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    out.shape = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    out.scolor = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    out.hw = 0.0;
    let lp = lane_position(inst);   // with a Camera, inst < the visible count (draw_indirect)
    let lane = lp.lane;
    let x = lp.x;
    let y = lp.y;
    let k = lp.k;
    if (lane >= sink.lanes) {
        return out;
    }
    let li = lane_inputs(lane);
    if (!(finite(x) && finite(y) && finite(k) && li.ok)) {
        return out;
    }
    let size = li.size;
    let rot = li.rot;
    let scl = li.scl;
    let kind = li.kind;
    let sa = li.a;
    let sb = li.b;
    let srot = li.srot;
    let scr = li.s4;

    let W = frame.size.x;
    let H = frame.size.y;
    let S = frame.scale;
    let center = to_pixels(x, y);
    // Pixels per local world unit; the sign of g only point-reflects a symmetric shape (a path
    // keeps the signed value: R(theta)(l) g is the point reflection of R(theta)(l) |g|).
    let gs = scl * size * k * S;
    let gp = abs(gs);
    let theta = srot + rot;

    var half: vec2<f32>;
    var radius = 0.0;
    var sk = 0.0;
    if (kind > 1.5) {
        // Path: a bounding square of the control points' largest distance from the origin.
        sk = 2.0;
        var rmax = 0.0;
        for (var j = 0u; j < sink.path_count; j++) {
            rmax = max(rmax, length(path_point(j)));
        }
        if (sink.path_count == 0u || !finite(rmax)) {
            return out;
        }
        half = vec2<f32>(rmax, rmax) * gp;
        radius = gs;
    } else if (kind > 0.5) {
        // Rect: full extents a x b, corner radius min(cornerRadius g, w/2, h/2), at least 0.
        sk = 1.0;
        half = 0.5 * abs(vec2<f32>(sa, sb)) * gp;
        radius = clamp(scr * gp, 0.0, min(half.x, half.y));
    } else {
        // Ellipse: semi-axes a, b.
        half = abs(vec2<f32>(sa, sb)) * gp;
    }
    // Stroke half width h (pixels): strokeWidth world units scaled by S and the camera's k; a
    // non-finite or non-positive width draws no stroke.
    var hw = 0.0;
    if (sink.stroke != 0u) {
        let sw = values[sink.sw_off + lane * sink.sw_ls];
        let h = 0.5 * sw * abs(k) * S;
        if (finite(sw) && finite(h) && h > 0.0) {
            hw = h;
        }
    }
    let ext = half + vec2<f32>(MARGIN + hw, MARGIN + hw);
    if (!(finite(center.x) && finite(center.y) && finite(ext.x) && finite(ext.y) && finite(radius))) {
        return out;
    }

    // Quad corners: v 0..5 -> (-1,-1) (1,-1) (1,1) (-1,-1) (1,1) (-1,1).
    let cx = select(-1.0, 1.0, ((0x16u >> vi) & 1u) == 1u);
    let cy = select(-1.0, 1.0, ((0x34u >> vi) & 1u) == 1u);
    let corner = vec2<f32>(cx, cy) * ext;
    let c = cos(theta);
    let s = sin(theta);
    let screen = center + vec2<f32>(c * corner.x - s * corner.y, s * corner.x + c * corner.y);

    out.clip = vec4<f32>(screen.x / W * 2.0 - 1.0, 1.0 - screen.y / H * 2.0, 0.0, 1.0);
    out.local = corner;
    let ci = sink.color_off + lane * sink.color_ls;
    out.color = vec4<f32>(unit(values[ci]), unit(values[ci + 1u]), unit(values[ci + 2u]),
                          unit(values[ci + 3u]));
    if (hw > 0.0) {
        let sc = sink.sc_off + lane * sink.sc_ls;
        out.scolor = vec4<f32>(unit(values[sc]), unit(values[sc + 1u]), unit(values[sc + 2u]),
                               unit(values[sc + 3u]));
        out.hw = hw;
    }
    if (sk > 1.5) {
        out.shape = vec4<f32>(sk, radius, 0.0, 0.0);
    } else {
        out.shape = vec4<f32>(sk, half.x, half.y, radius);
    }
    return out;
}

// Signed distance (pixels) to the closed polygon through the path's control points (lane order,
// scaled by gs pixels per local unit), negative inside by the nonzero winding rule.
fn sd_path(p: vec2<f32>, gs: f32) -> f32 {
    let n = sink.path_count;
    var wind = 0;
    var dmin = 3.0e38;
    var a = path_point(n - 1u) * gs;
    for (var j = 0u; j < n; j++) {
        let b = path_point(j) * gs;
        let e = b - a;
        let w = p - a;
        let t = clamp(dot(w, e) / max(dot(e, e), 1e-30), 0.0, 1.0);
        dmin = min(dmin, length(w - e * t));
        let side = e.x * w.y - e.y * w.x;   // > 0: p is left of a -> b
        if (a.y <= p.y) {
            if (b.y > p.y && side > 0.0) {
                wind += 1;                   // upward crossing
            }
        } else if (b.y <= p.y && side < 0.0) {
            wind -= 1;                       // downward crossing
        }
        a = b;
    }
    return select(dmin, -dmin, wind != 0);
}

// Signed distance (pixels, negative inside) from the fragment to the shape's edge.
fn sdist(in: VOut) -> f32 {
    if (SHAPE_KIND == 4u) {
        return length(in.local) - in.shape.y;   // circle: sd_ellipse's exact branch
    } else if (SHAPE_KIND == 0u) {
        return sd_ellipse(in.local, in.shape.yz);
    } else if (SHAPE_KIND == 1u) {
        return sd_round_rect(in.local, in.shape.yz, in.shape.w);
    } else if (SHAPE_KIND == 2u) {
        return sd_path(in.local, in.shape.y);
    }
    if (in.shape.x > 1.5) {
        return sd_path(in.local, in.shape.y);
    } else if (in.shape.x > 0.5) {
        return sd_round_rect(in.local, in.shape.yz, in.shape.w);
    }
    return sd_ellipse(in.local, in.shape.yz);
}

// The fill and (with a stroke) the stroke band over it, premultiplied: (colour * alpha, alpha).
fn shade(in: VOut, d: f32) -> vec4<f32> {
    let coverage = clamp(0.5 - d, 0.0, 1.0);
    let a = in.color.a * coverage;
    let fill = vec4<f32>(in.color.rgb * a, a);
    if (in.hw <= 0.0) {
        return fill;
    }
    let band = clamp(0.5 - (d - in.hw), 0.0, 1.0) - clamp(0.5 - (d + in.hw), 0.0, 1.0);
    let b = in.scolor.a * band;
    return vec4<f32>(in.scolor.rgb * b, b) + fill * (1.0 - b);
}

// "over" (the pipeline's colour factor is src-alpha): straight-alpha output. Without a stroke this
// is exactly (c.rgb, c.a * coverage), so images are bit-identical to those before blend modes.
@fragment
fn fs_main(in: VOut) -> @location(0) vec4<f32> {
    let d = sdist(in);
    if (in.hw <= 0.0) {
        let coverage = clamp(0.5 - d, 0.0, 1.0);
        if (coverage <= 0.0) {
            discard;
        }
        return vec4<f32>(in.color.rgb, in.color.a * coverage);
    }
    let p = shade(in, d);
    if (p.a <= 0.0) {
        discard;
    }
    return vec4<f32>(p.rgb / p.a, p.a);
}

// "add", "multiply", "screen": premultiplied output (colour * alpha, alpha).
@fragment
fn fs_premul(in: VOut) -> @location(0) vec4<f32> {
    let p = shade(in, sdist(in));
    if (p.a <= 0.0) {
        discard;
    }
    return p;
}
