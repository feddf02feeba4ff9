// Where instance `inst` of a shape sink's draw stands: its lane and its position (x, y) with the
// perspective factor k, read as every instanced shape shader reads them (instances.wgsl,
// image.wgsl, text.wgsl). Without a Camera, instance = lane and (x, y) comes from the ValueStore
// (k = 1); with one, instance j draws lane sorted[j].y at its projected proj[lane].xy with
// k = proj[lane].z (oscilla/shaders/camera_sort.wgsl). The including shader declares `values`,
// `sink`, `proj` and `sorted`. Prepended by oscilla.shaders.shader_source (SHADER_INCLUDES).

struct LanePosition {
    lane: u32,
    x: f32,
    y: f32,
    k: f32,
};

fn lane_position(inst: u32) -> LanePosition {
    var lp: LanePosition;
    lp.lane = inst;
    lp.k = 1.0;
    if (sink.camera != 0u) {
        lp.lane = sorted[inst].y;
        let p = proj[lp.lane];
        lp.x = p.x;
        lp.y = p.y;
        lp.k = p.z;
    } else {
        let pi = sink.pos_off + inst * sink.pos_ls;
        lp.x = values[pi];
        lp.y = values[pi + 1u];
    }
    return lp;
}
