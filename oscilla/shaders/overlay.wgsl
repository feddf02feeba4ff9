// The window's text overlay (oscilla/drawing/overlay.py): a straight-alpha RGBA image, drawn at
// overlay.origin with "over" blending by a full-screen triangle whose fragments outside the image
// are discarded. struct Overlay is declared in oscilla/abi/uniforms.py (OVERLAY); vs_full comes
// from fullscreen.wgsl.

@group(0) @binding(0) var<uniform> overlay: Overlay;
@group(0) @binding(1) var image: texture_2d<f32>;

@fragment
fn fs_overlay(in: VsOut) -> @location(0) vec4<f32> {
    let p = in.pos.xy - overlay.origin;
    if (p.x < 0.0 || p.y < 0.0 || p.x >= overlay.extent.x || p.y >= overlay.extent.y) {
        discard;
    }
    return textureLoad(image, vec2<i32>(p), 0);
}
