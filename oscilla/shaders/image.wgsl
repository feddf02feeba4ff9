// Textured quads for RenderInstances2D sinks whose shape is an Image (docs/language/rendering.md#images).
//
// The vertex stage places each lane's quad exactly like instances.wgsl places a Rect (same
// position, camera order and projection, size factor g = scale * size_i * k, angle theta =
// shape.rotation + rotation_i), with full extents width g x height g. The fragment stage samples
// the image (texture `tex`, sampler `samp`: nearest or linear, clamped to the edge) at
//     uv = local / (2 h) + 0.5      (local: the fragment in the quad's own frame, pixels;
//                                       h: the signed half extents, so a negative width mirrors)
// mapped into the lane's sprite cell: frame f = floor(shape.frame) mod (cols rows), column
// f mod cols, row floor(f / cols) from the top, texel coordinates kept half a texel inside the
// cell (linear filtering never bleeds into the next cell). Edge coverage is that of a Rect with no
// corner radius: clamp(0.5 - d, 0, 1), d the signed distance in pixels. Colour: texel (straight
// alpha) times the sink's sanitised colour (the tint). Strokes are not drawn. Output as in
// instances.wgsl: "over" (fs_main) straight (rgb, a), the others (fs_premul) premultiplied.

// struct Frame, struct Sink and struct ImageSink are declared in oscilla/abi/uniforms.py
// (RENDER_FRAME, SINK, IMAGE_SINK); oscilla.shaders.shader_source prepends them.

@group(0) @binding(0) var<uniform> frame: Frame;
@group(0) @binding(1) var<uniform> sink: Sink;
@group(0) @binding(2) var<storage, read> values: array<f32>;
@group(0) @binding(3) var<storage, read> proj: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> sorted: array<vec2<u32>>;
@group(0) @binding(5) var<uniform> grid: ImageSink;
@group(0) @binding(6) var tex: texture_2d<f32>;
@group(0) @binding(7) var samp: sampler;

struct VOut {
    @builtin(position) clip: vec4<f32>,
    // The fragment's position in the quad's local frame, in pixels (unrotated, centred at 0).
    @location(0) local: vec2<f32>,
    // Sanitised straight-alpha tint.
    @location(1) @interpolate(flat) color: vec4<f32>,
    // Signed half extents of the image, pixels.
    @location(2) @interpolate(flat) hx: vec2<f32>,
    // The sprite cell in texture coordinates: (u0, v0, du, dv).
    @location(3) @interpolate(flat) cell: vec4<f32>,
};

// Pixels of anti-aliasing margin around the quad (as instances.wgsl).
const MARGIN: f32 = 1.0;

@vertex
fn vs_main(@builtin(vertex_index) vi: u32, @builtin(instance_index) inst: u32) -> VOut {
    var out: VOut;
    out.clip = vec4<f32>(-2.0, -2.0, 0.0, 1.0);   // not drawn: a degenerate quad outside the clip volume
    out.local = vec2<f32>(0.0, 0.0);
    out.color = vec4<f32>(0.0, 0.0, 0.0, 0.0);
    out.hx = vec2<f32>(0.0, 0.0);
    out.cell = vec4<f32>(0.0, 0.0, 1.0, 1.0);
    let lp = lane_position(inst);
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
    let rot = li.rot;
    let sw = li.a;
    let sh = li.b;
    let srot = li.srot;
    let sframe = li.s4;
    let center = to_pixels(x, y);
    let gs = li.scl * li.size * k * frame.scale;
    let hx = 0.5 * vec2<f32>(sw, sh) * gs;
    let ext = abs(hx) + vec2<f32>(MARGIN, MARGIN);
    if (!(finite(center.x) && finite(center.y) && finite(ext.x) && finite(ext.y))
        || hx.x == 0.0 || hx.y == 0.0) {
        return out;
    }
    // The sprite cell: frame f mod (cols rows), row-major from the top left.
    let cols = f32(grid.cols);
    let rows = f32(grid.rows);
    let n = cols * rows;
    let f = floor(sframe);
    let idx = f - n * floor(f / n);
    let row = floor(idx / cols);
    let col = idx - cols * row;

    let cx = select(-1.0, 1.0, ((0x16u >> vi) & 1u) == 1u);
    let cy = select(-1.0, 1.0, ((0x34u >> vi) & 1u) == 1u);
    let corner = vec2<f32>(cx, cy) * ext;
    let theta = srot + rot;
    let c = cos(theta);
    let s = sin(theta);
    let screen = center + vec2<f32>(c * corner.x - s * corner.y, s * corner.x + c * corner.y);
    out.clip = vec4<f32>(screen.x / frame.size.x * 2.0 - 1.0, 1.0 - screen.y / frame.size.y * 2.0, 0.0, 1.0);
    out.local = corner;
    let ci = sink.color_off + lane * sink.color_ls;
    out.color = vec4<f32>(unit(values[ci]), unit(values[ci + 1u]), unit(values[ci + 2u]),
                          unit(values[ci + 3u]));
    out.hx = hx;
    out.cell = vec4<f32>(col / cols, row / rows, 1.0 / cols, 1.0 / rows);
    return out;
}

// The tinted texel under the fragment and its edge coverage: straight (rgb, alpha * coverage).
fn shade(in: VOut) -> vec4<f32> {
    let d = sd_round_rect(in.local, abs(in.hx), 0.0);
    let coverage = clamp(0.5 - d, 0.0, 1.0);
    let uv = clamp(in.local / (2.0 * in.hx) + vec2<f32>(0.5, 0.5), vec2<f32>(0.0, 0.0), vec2<f32>(1.0, 1.0));
    let inset = vec2<f32>(0.5, 0.5) / vec2<f32>(textureDimensions(tex));
    let lo = in.cell.xy + inset;
    let hi = max(in.cell.xy + in.cell.zw - inset, lo);
    let texel = textureSampleLevel(tex, samp, clamp(in.cell.xy + uv * in.cell.zw, lo, hi), 0.0);
    let c = texel * in.color;
    return vec4<f32>(c.rgb, c.a * coverage);
}

// fs_main and fs_premul: oscilla/shaders/textured_fragment.wgsl
