// The viewport mapping of every drawing shader (instances, splat, image, text, lines): world
// (x, y) -> pixels (docs/language/rendering.md#viewport) through the view transform
// (oscilla/drawing/view.py), size / 2 + ((x, y) - center) * scale, from the renderer's frame
// uniform `frame` (struct Frame, RENDER_FRAME) that the including shader declares. Prepended by
// oscilla.shaders.shader_source (SHADER_INCLUDES).

fn to_pixels(x: f32, y: f32) -> vec2<f32> {
    return vec2<f32>(0.5 * frame.size.x + (x - frame.center.x) * frame.scale,
                     0.5 * frame.size.y + (y - frame.center.y) * frame.scale);
}
