// The per-sink render uniform, shared by instances.wgsl and camera_sort.wgsl: the renderer
// prepends this file to both. It must match sink_uniform_words() in oscilla/drawing/instances.py.

// Element offsets (in f32 elements) and lane strides (0 for a signal) of each render input.
// Lane i, component c of an input lives at values[off + i * ls + c].
struct Sink {
    pos_off: u32,
    pos_ls: u32,
    pos_stride: u32,   // 2 or 3 (z is ignored without a camera)
    lanes: u32,
    color_off: u32,
    color_ls: u32,
    size_off: u32,
    size_ls: u32,
    rot_off: u32,
    rot_ls: u32,
    scale_off: u32,
    scale_ls: u32,
    shape_off: u32,    // (kind 0 ellipse / 1 rect / 2 path, a, b, rotation, cornerRadius)
    shape_ls: u32,
    path_off: u32,     // path control points: vec2 local offsets (world units), lane j at
    path_count: u32,   //   values[path_off + j * path_ls]; count 0 without a path
    path_ls: u32,
    camera: u32,       // 1: draw through the camera's sorted order (proj / sorted)
    cam_off: u32,      // (compute pass only)
    sort_threads: u32, // T: invocations of radix_hist / radix_scatter (1..512; camera pass only)
}
