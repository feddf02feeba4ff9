// One lane's render inputs of a shape sink, read from the ValueStore the way every shape shader
// reads them (instances.wgsl, image.wgsl, splat.wgsl). The including shader declares `values` (the
// f32 ValueStore) and `sink` (struct Sink). Prepended by oscilla.shaders.shader_source
// (SHADER_INCLUDES).

struct LaneInputs {
    size: f32,
    rot: f32,
    scl: f32,
    // the packed shape: (kind, a, b, rotation, cornerRadius or the image frame)
    kind: f32,
    a: f32,
    b: f32,
    srot: f32,
    s4: f32,
    // every input above is finite (a lane that is not is not drawn)
    ok: bool,
};

fn lane_inputs(lane: u32) -> LaneInputs {
    var li: LaneInputs;
    li.size = values[sink.size_off + lane * sink.size_ls];
    li.rot = values[sink.rot_off + lane * sink.rot_ls];
    li.scl = values[sink.scale_off + lane * sink.scale_ls];
    let si = sink.shape_off + lane * sink.shape_ls;
    li.kind = values[si];
    li.a = values[si + 1u];
    li.b = values[si + 2u];
    li.srot = values[si + 3u];
    li.s4 = values[si + 4u];
    li.ok = finite(li.size) && finite(li.rot) && finite(li.scl) && finite(li.kind) && finite(li.a)
        && finite(li.b) && finite(li.srot) && finite(li.s4);
    return li;
}
