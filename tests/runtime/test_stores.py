"""ValueStore / StateBuffer / RuntimeState on the GPU (lavapipe in CI).

Layouts are built by hand; expected values are computed independently with numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
from support.builders import blk, edge, make_patch

from oscilla.gpu import device as gpu
from oscilla.program import CompiledProgram, ConstPool, SlotMeta, StateCellLayout, StateLayout, TimeRootSpec
from oscilla.runtime.stores import (
    SingleWriterError,
    StateBuffer,
    ValueStore,
    create_runtime_state,
    create_state_buffer,
    create_value_store,
    initialize_state,
)

pytestmark = pytest.mark.gpu


def sig(slot, name, storage="f32", offset=0, stride=1, payload="float"):
    return SlotMeta(slot=slot, name=name, storage=storage, offset=offset, stride=stride, lanes=1, payload=payload)


def fld(slot, name, lanes, storage="f32", offset=0, stride=1, instance="arr", payload="float"):
    return SlotMeta(
        slot=slot,
        name=name,
        storage=storage,
        offset=offset,
        stride=stride,
        lanes=lanes,
        payload=payload,
        instance=instance,
    )


# A mixed layout: slots of every class, interleaved offsets, fields and signals.
MIXED = (
    sig(0, "time.t", "f32", 0),
    sig(1, "osc.out", "f32", 1),
    fld(2, "lay.position", 4, "f32", 2, stride=2, payload="vec2"),  # f32[2:10]
    sig(3, "col.out", "f32", 10, stride=4, payload="color"),  # f32[10:14]
    fld(4, "arr.index", 4, "i32", 0),  # i32[0:4]
    sig(5, "count.out", "i32", 4, payload="int"),  # i32[4]
    sig(6, "pulse.out", "u32", 3, payload="bool"),  # u32[3] (u32[0:3] unused)
    fld(7, "cmp.out", 4, "u32", 4, payload="bool"),  # u32[4:8]
)


@pytest.fixture
def mixed(device) -> ValueStore:
    return create_value_store(MIXED, device)


# ----------------------------------------------------------------------------------- ValueStore


def test_sizes_are_max_offset_plus_size_per_class(mixed):
    for cls in ("f32", "i32", "u32"):
        expected = max(m.offset + m.lanes * m.stride for m in MIXED if m.storage == cls)
        assert mixed.sizes[cls] == expected
    assert mixed.sizes == {"f32": 14, "i32": 5, "u32": 8}


def test_buffers_per_class_with_usage_and_byte_size(mixed):
    import wgpu

    want = wgpu.BufferUsage.STORAGE | wgpu.BufferUsage.COPY_SRC | wgpu.BufferUsage.COPY_DST
    assert set(mixed.buffers) == {"f32", "i32", "u32"}
    for cls, buf in mixed.buffers.items():
        assert buf.usage & want == want
        assert buf.size >= 4 * mixed.sizes[cls]
    assert len({id(b) for b in mixed.buffers.values()}) == 3


def test_size_uses_max_not_last_slot(device):
    # The slot with the highest end is not the last listed one.
    store = create_value_store((sig(0, "a", offset=20), sig(1, "b", offset=3)), device)
    assert store.sizes["f32"] == 21


def test_zero_length_classes_allocate_tiny_buffers(device):
    store = create_value_store((sig(0, "only.f32"),), device)
    assert store.sizes == {"f32": 1, "i32": 0, "u32": 0}
    for cls in ("i32", "u32"):
        assert store.buffers[cls].size >= 16
        assert store.read_all(cls).shape == (0,)
    assert store.read_all("i32").dtype == np.int32


def test_empty_slot_meta(device):
    store = create_value_store((), device)
    assert store.sizes == {"f32": 0, "i32": 0, "u32": 0}
    assert all(b.size >= 16 for b in store.buffers.values())
    assert store.slot_meta == ()


def test_new_store_reads_zero(mixed):
    for cls in ("f32", "i32", "u32"):
        assert not mixed.read_all(cls).any()


def test_write_routes_to_class_and_offset(mixed):
    mixed.write(1, 2.5)
    mixed.write(5, 7)
    mixed.write(6, True)
    f = np.zeros(14, np.float32)
    f[1] = 2.5
    i = np.zeros(5, np.int32)
    i[4] = 7
    u = np.zeros(8, np.uint32)
    u[3] = 1
    np.testing.assert_array_equal(mixed.read_all("f32"), f)
    np.testing.assert_array_equal(mixed.read_all("i32"), i)
    np.testing.assert_array_equal(mixed.read_all("u32"), u)


def test_field_vec_layout_is_lane_major(mixed):
    pos = np.arange(8, dtype=np.float32).reshape(4, 2) + 0.5
    mixed.write(2, pos)
    expected = np.zeros(14, np.float32)
    for lane in range(4):
        for c in range(2):
            expected[2 + lane * 2 + c] = pos[lane, c]
    np.testing.assert_array_equal(mixed.read_all("f32"), expected)


def test_read_signal_scalar(mixed):
    mixed.write(0, 0.25)
    v = mixed.read(0)
    assert v.shape == () and v.dtype == np.float32 and v == np.float32(0.25)


def test_read_signal_vec(mixed):
    mixed.write(3, [0.1, 0.2, 0.3, 1.0])
    v = mixed.read(3)
    assert v.shape == (4,) and v.dtype == np.float32
    np.testing.assert_array_equal(v, np.array([0.1, 0.2, 0.3, 1.0], np.float32))


def test_read_field_scalar(mixed):
    mixed.write(4, np.array([3, -1, 0, 2**31 - 1]))
    v = mixed.read(4)
    assert v.shape == (4,) and v.dtype == np.int32
    np.testing.assert_array_equal(v, np.array([3, -1, 0, 2**31 - 1], np.int32))


def test_read_field_vec(mixed):
    pos = np.linspace(-1, 1, 8, dtype=np.float32).reshape(4, 2)
    mixed.write(2, pos)
    v = mixed.read(2)
    assert v.shape == (4, 2) and v.dtype == np.float32
    np.testing.assert_array_equal(v, pos)


def test_read_u32_field_and_signal(mixed):
    mixed.write(7, [True, False, True, True])
    mixed.write(6, 4_000_000_000)
    f = mixed.read(7)
    s = mixed.read(6)
    assert f.dtype == np.uint32 and f.shape == (4,)
    np.testing.assert_array_equal(f, [1, 0, 1, 1])
    assert s.dtype == np.uint32 and s.shape == () and int(s) == 4_000_000_000


def test_read_dtypes_match_class(mixed):
    assert mixed.read(0).dtype == np.float32
    assert mixed.read(5).dtype == np.int32
    assert mixed.read(6).dtype == np.uint32
    assert mixed.read_all("f32").dtype == np.float32
    assert mixed.read_all("i32").dtype == np.int32
    assert mixed.read_all("u32").dtype == np.uint32


def test_write_converts_to_class_dtype(mixed):
    mixed.write(0, 3)  # int -> f32
    mixed.write(5, np.float64(9.0))  # float -> i32
    mixed.write(4, np.array([1.0, 2.0, 3.0, 4.0]))
    mixed.write(1, np.float64(1 / 3))  # rounded to float32
    assert mixed.read(0) == np.float32(3.0)
    assert mixed.read(5) == 9
    np.testing.assert_array_equal(mixed.read(4), [1, 2, 3, 4])
    assert mixed.read(1) == np.float32(1 / 3)


def test_write_accepts_slotmeta_and_flat_or_shaped(mixed, device):
    mixed.write(MIXED[2], np.arange(8, dtype=np.float32))  # flat input for an (4, 2) slot
    np.testing.assert_array_equal(mixed.read(MIXED[2]), np.arange(8, dtype=np.float32).reshape(4, 2))
    other = create_value_store(MIXED, device)
    other.write(3, np.array([[1, 2], [3, 4]]))  # any shape with the right size
    np.testing.assert_array_equal(other.read(3), [1, 2, 3, 4])


def test_single_writer_error_names_slot(mixed):
    mixed.write(2, np.zeros(8))
    with pytest.raises(SingleWriterError) as ei:
        mixed.write(2, np.ones(8))
    msg = str(ei.value)
    assert "2" in msg and "lay.position" in msg
    assert isinstance(ei.value, RuntimeError)
    # the rejected write did not reach the GPU
    np.testing.assert_array_equal(mixed.read(2), np.zeros((4, 2), np.float32))


def test_single_writer_is_per_slot(mixed):
    mixed.write(0, 1.0)
    mixed.write(1, 2.0)  # a different slot in the same frame is fine
    with pytest.raises(SingleWriterError, match="time.t"):
        mixed.write(MIXED[0], 3.0)  # same slot via SlotMeta


def test_clear_allows_new_write_and_keeps_values(mixed):
    mixed.write(5, 11)
    mixed.write(3, [1, 2, 3, 4])
    mixed.clear()
    assert mixed.read(5) == 11  # clear does not erase
    np.testing.assert_array_equal(mixed.read(3), [1, 2, 3, 4])
    mixed.write(5, 12)  # and allows a new write
    assert mixed.read(5) == 12
    np.testing.assert_array_equal(mixed.read(3), [1, 2, 3, 4])


def test_wrong_size_write_raises_naming_slot(mixed):
    with pytest.raises(ValueError, match="lay.position"):
        mixed.write(2, np.zeros(7))
    with pytest.raises(ValueError, match="col.out"):
        mixed.write(3, 1.0)
    with pytest.raises(ValueError, match="time.t"):
        mixed.write(0, [1.0, 2.0])
    mixed.write(2, np.zeros(8))  # a failed write does not count as the frame's write


def test_unknown_slot_raises_keyerror(mixed):
    with pytest.raises(KeyError):
        mixed.write(99, 1.0)
    with pytest.raises(KeyError):
        mixed.read(99)
    with pytest.raises(KeyError):
        mixed.read_all("f64")


def test_interleaved_slots_do_not_clobber_neighbours(device):
    # Three adjacent signals and a field squeezed between them in one class.
    metas = (sig(0, "a", offset=0), fld(1, "b", 3, offset=1), sig(2, "c", offset=4), sig(3, "d", offset=5, stride=3))
    store = create_value_store(metas, device)
    store.write(0, -1.0)
    store.write(2, -2.0)
    store.write(3, [7, 8, 9])
    store.write(1, [10, 20, 30])
    np.testing.assert_array_equal(store.read_all("f32"), np.array([-1, 10, 20, 30, -2, 7, 8, 9], np.float32))
    store.clear()
    store.write(1, [0, 0, 0])
    assert store.read(0) == -1 and store.read(2) == -2
    np.testing.assert_array_equal(store.read(3), [7, 8, 9])


def test_mixed_classes_are_independent(mixed):
    # same offsets in different classes never alias
    mixed.write(0, 1.5)  # f32[0]
    mixed.write(4, [4, 3, 2, 1])  # i32[0:4]
    mixed.write(7, [0, 1, 0, 1])  # u32[4:8]
    assert mixed.read(0) == np.float32(1.5)
    np.testing.assert_array_equal(mixed.read(4), [4, 3, 2, 1])
    np.testing.assert_array_equal(mixed.read(7), [0, 1, 0, 1])
    assert mixed.read_all("f32")[1:].sum() == 0
    assert mixed.read(5) == 0 and mixed.read(6) == 0


def test_full_roundtrip_every_slot(mixed):
    rng = np.random.default_rng(7)
    want = {}
    for m in MIXED:
        if m.storage == "f32":
            v = rng.standard_normal(m.lanes * m.stride).astype(np.float32)
        elif m.storage == "i32":
            v = rng.integers(-1000, 1000, m.lanes * m.stride).astype(np.int32)
        else:
            v = rng.integers(0, 2, m.lanes * m.stride).astype(np.uint32)
        want[m.slot] = v
        mixed.write(m.slot, v)
    for m in MIXED:
        np.testing.assert_array_equal(mixed.read(m.slot).reshape(-1), want[m.slot])


def test_large_field_100k_lanes(device):
    n = 100_000
    metas = (sig(0, "t"), fld(1, "big.pos", n, offset=1, stride=2), fld(2, "big.idx", n, "u32"))
    store = create_value_store(metas, device)
    assert store.sizes["f32"] == 1 + 2 * n and store.sizes["u32"] == n
    pos = np.random.default_rng(1).random((n, 2), dtype=np.float32)
    store.write(1, pos)
    store.write(2, np.arange(n))
    store.write(0, 0.5)
    got = store.read(1)
    assert got.shape == (n, 2)
    np.testing.assert_array_equal(got, pos)
    np.testing.assert_array_equal(store.read(2), np.arange(n, dtype=np.uint32))
    assert store.read(0) == np.float32(0.5)


def test_field_with_one_lane_keeps_lane_axis(device):
    store = create_value_store((fld(0, "one", 1), fld(1, "one.v", 1, offset=1, stride=3)), device)
    store.write(0, [5.0])
    store.write(1, [1, 2, 3])
    assert store.read(0).shape == (1,)
    assert store.read(1).shape == (1, 3)


# ----------------------------------------------------------------------------------- StateBuffer


def cell(state_id, storage="f32", offset=0, lanes=1, stride=1, frames=1, init=None, instance=None):
    return StateCellLayout(
        state_id=state_id,
        storage=storage,
        offset=offset,
        size=frames * lanes * stride,
        lanes=lanes,
        stride=stride,
        frames=frames,
        init_const=init,
        instance=instance,
    )


def make_layout(*cells):
    f = max((c.offset + c.size for c in cells if c.storage == "f32"), default=0)
    i = max((c.offset + c.size for c in cells if c.storage == "i32"), default=0)
    return StateLayout(cells=tuple(cells), f32_size=f, i32_size=i)


STATE_CELLS = (
    cell("lag:lag", "f32", 0, lanes=5, init="c.lag", instance="arr"),  # f32[0:5] = 0.75
    cell("acc:acc", "f32", 5, init="c.acc"),  # f32[5] = -3
    cell("ud:ud", "f32", 6, stride=2, init="c.vec"),  # f32[6:8] = [1, 2]
    cell("dl:ring", "f32", 8, lanes=3, frames=4, init="c.ring", instance="arr"),  # f32[8:20] = 9
    cell("noinit:x", "f32", 20, lanes=2, stride=2, instance="arr"),  # f32[20:24] = 0
    cell("cnt:count", "i32", 0, init="c.cnt"),  # i32[0] = 42
    cell("pl:last", "i32", 1, lanes=3, init="c.plast", instance="arr"),  # i32[1:4] = [5, 6, 7]
    cell("sr:ring", "f32", 24, frames=3, init="c.sring"),  # f32[24:27] = 0.5
)
STATE_LAYOUT = make_layout(*STATE_CELLS)


def state_pool():
    pool = ConstPool()
    pool.add("c.lag", 0.75, "f32")
    pool.add("c.acc", -3.0, "f32")
    pool.add("c.vec", [1.0, 2.0], "f32")
    pool.add("c.ring", 9.0, "f32")
    pool.add("c.cnt", 42, "i32")
    pool.add("c.plast", [5, 6, 7], "i32")
    pool.add("c.sring", 0.5, "f32")
    return pool


def expected_state():
    f = np.zeros(27, np.float32)
    f[0:5] = 0.75
    f[5] = -3
    f[6:8] = [1, 2]
    f[8:20] = 9
    f[24:27] = 0.5
    i = np.zeros(4, np.int32)
    i[0] = 42
    i[1:4] = [5, 6, 7]
    return f, i


@pytest.fixture
def state(device) -> StateBuffer:
    buf = create_state_buffer(STATE_LAYOUT, device)
    initialize_state(buf, STATE_LAYOUT, state_pool())
    return buf


def test_state_sizes_and_buffers(device):
    buf = create_state_buffer(STATE_LAYOUT, device)
    assert buf.sizes == {"f32": 27, "i32": 4}
    assert buf.buffers["f32"].size >= 27 * 4 and buf.buffers["i32"].size >= 16
    assert buf.layout is STATE_LAYOUT


def test_state_zero_sizes(device):
    buf = create_state_buffer(StateLayout(), device)
    assert buf.sizes == {"f32": 0, "i32": 0}
    assert all(b.size >= 16 for b in buf.buffers.values())
    initialize_state(buf, StateLayout(), ConstPool())  # nothing to write: no error
    assert buf.read_all("f32").shape == (0,) and buf.read_all("i32").dtype == np.int32


def test_state_init_whole_buffers(state):
    f, i = expected_state()
    np.testing.assert_array_equal(state.read_all("f32"), f)
    np.testing.assert_array_equal(state.read_all("i32"), i)


def test_state_scalar_const_fills_all_lanes(state):
    v = state.read_cell("lag:lag")
    assert v.shape == (5,) and v.dtype == np.float32
    np.testing.assert_array_equal(v, np.full(5, 0.75, np.float32))


def test_state_ring_buffer_fill(state):
    v = state.read_cell("dl:ring")
    assert v.shape == (4, 3)
    np.testing.assert_array_equal(v, np.full((4, 3), 9.0, np.float32))
    s = state.read_cell("sr:ring")  # signal ring: lanes squeezed
    assert s.shape == (3,)
    np.testing.assert_array_equal(s, [0.5, 0.5, 0.5])


def test_state_i32_cells(state):
    c = state.read_cell("cnt:count")
    assert c.shape == () and c.dtype == np.int32 and c == 42
    p = state.read_cell("pl:last")
    assert p.shape == (3,) and p.dtype == np.int32
    np.testing.assert_array_equal(p, [5, 6, 7])


def test_state_no_init_is_zero(device):
    layout = make_layout(
        cell("a:a", "f32", 0), cell("b:b", "f32", 1, lanes=3, instance="arr"), cell("c:c", "i32", 0, init=None)
    )
    buf = create_state_buffer(layout, device)
    # dirty the buffers first so zeros must come from initialize_state
    device.queue.write_buffer(buf.buffers["f32"], 0, np.full(4, 5.0, np.float32))
    device.queue.write_buffer(buf.buffers["i32"], 0, np.full(1, 5, np.int32))
    initialize_state(buf, layout, ConstPool())
    np.testing.assert_array_equal(buf.read_all("f32"), np.zeros(4, np.float32))
    np.testing.assert_array_equal(buf.read_all("i32"), np.zeros(1, np.int32))
    b = buf.read_cell("b:b")
    assert b.shape == (3,) and not b.any()


def test_state_missing_const_names_cell_and_const(device):
    layout = make_layout(cell("ok:x", "f32", 0, init="c.ok"), cell("lag2:lag", "f32", 1, init="c.nope"))
    pool = ConstPool()
    pool.add("c.ok", 1.0, "f32")
    buf = create_state_buffer(layout, device)
    with pytest.raises(KeyError) as ei:
        initialize_state(buf, layout, pool)
    msg = str(ei.value)
    assert "lag2:lag" in msg and "c.nope" in msg


def test_state_wrong_size_const_raises(device):
    layout = make_layout(cell("v:v", "f32", 0, lanes=4, init="c.three", instance="arr"))
    pool = ConstPool()
    pool.add("c.three", [1.0, 2.0, 3.0], "f32")
    with pytest.raises(ValueError, match="v:v"):
        initialize_state(create_state_buffer(layout, device), layout, pool)


def test_read_cell_shapes(state):
    shapes = {
        "lag:lag": (5,),
        "acc:acc": (),
        "ud:ud": (2,),
        "dl:ring": (4, 3),
        "noinit:x": (2, 2),
        "cnt:count": (),
        "pl:last": (3,),
        "sr:ring": (3,),
    }
    for sid, shape in shapes.items():
        assert state.read_cell(sid).shape == shape, sid
    np.testing.assert_array_equal(state.read_cell("ud:ud"), [1, 2])
    assert state.read_cell("acc:acc") == np.float32(-3)
    np.testing.assert_array_equal(state.read_cell("noinit:x"), np.zeros((2, 2), np.float32))


def test_read_cell_per_lane_single_lane(device):
    layout = make_layout(
        cell("one:x", "f32", 0, lanes=1, init="c", instance="arr"),
        cell("one:r", "f32", 1, lanes=1, frames=2, init="c", instance="arr"),
    )
    pool = ConstPool()
    pool.add("c", 2.0, "f32")
    buf = create_state_buffer(layout, device)
    initialize_state(buf, layout, pool)
    assert buf.read_cell("one:x").shape == (1,)
    assert buf.read_cell("one:r").shape == (2, 1)


def test_read_cell_unknown_id(state):
    with pytest.raises(KeyError, match="lag:lag"):  # message lists valid ids
        state.read_cell("nope:nope")


def test_state_reinitialize_restores_values(state):
    state.device.queue.write_buffer(state.buffers["f32"], 0, np.full(27, -7.0, np.float32))
    state.device.queue.write_buffer(state.buffers["i32"], 0, np.full(4, -7, np.int32))
    assert state.read_cell("acc:acc") == -7
    initialize_state(state, STATE_LAYOUT, state_pool())
    f, i = expected_state()
    np.testing.assert_array_equal(state.read_all("f32"), f)
    np.testing.assert_array_equal(state.read_all("i32"), i)


def test_state_init_one_write_per_class(device, monkeypatch):
    buf = create_state_buffer(STATE_LAYOUT, device)
    calls = []
    real = gpu.write_bytes
    monkeypatch.setattr(gpu, "write_bytes", lambda d, b, o, data: (calls.append((b, o)), real(d, b, o, data)))
    initialize_state(buf, STATE_LAYOUT, state_pool())
    assert sorted(calls, key=lambda c: c[0].label) == sorted(
        [(buf.buffers["f32"], 0), (buf.buffers["i32"], 0)], key=lambda c: c[0].label
    )


# ----------------------------------------------------------------------------------- RuntimeState


def make_program(slot_meta=MIXED, layout=STATE_LAYOUT, pool=None) -> CompiledProgram:
    return CompiledProgram(
        nodes=(),
        slot_meta=tuple(slot_meta),
        state_layout=layout,
        const_pool=pool if pool is not None else state_pool(),
        schedule=(),
        kernels=(),
        wgsl={},
        sinks=(),
        ports={},
        instances={},
        time_root=TimeRootSpec(),
    )


def test_runtime_state_wires_values_and_state(device):
    prog = make_program()
    rs = create_runtime_state(prog, device)
    assert isinstance(rs.values, ValueStore) and isinstance(rs.state, StateBuffer)
    assert rs.values.slot_meta == MIXED
    assert rs.state.layout is STATE_LAYOUT
    for cls in ("f32", "i32", "u32"):
        assert rs.values.sizes[cls] == prog.storage_size(cls)


def test_runtime_state_initializes_from_const_pool(device):
    rs = create_runtime_state(make_program(), device)
    f, i = expected_state()
    np.testing.assert_array_equal(rs.state.read_all("f32"), f)
    np.testing.assert_array_equal(rs.state.read_all("i32"), i)
    assert not rs.values.read_all("f32").any()


def test_runtime_state_reset_state(device):
    rs = create_runtime_state(make_program(), device)
    device.queue.write_buffer(rs.state.buffers["f32"], 0, np.full(27, 3.0, np.float32))
    rs.values.write(0, 8.0)
    rs.reset_state()
    f, _ = expected_state()
    np.testing.assert_array_equal(rs.state.read_all("f32"), f)
    assert rs.values.read(0) == 8.0  # reset_state leaves the ValueStore alone


def test_runtime_state_empty_program(device):
    rs = create_runtime_state(make_program((), StateLayout(), ConstPool()), device)
    assert rs.values.sizes == {"f32": 0, "i32": 0, "u32": 0}
    assert rs.state.sizes == {"f32": 0, "i32": 0}
    rs.reset_state()


def test_runtime_state_missing_const_raises(device):
    with pytest.raises(KeyError, match="c.lag"):
        create_runtime_state(make_program(pool=ConstPool()), device)


def test_runtime_state_default_device():
    try:
        rs = create_runtime_state(make_program())
    except gpu.NoAdapterError as e:  # pragma: no cover
        pytest.skip(str(e))
    assert rs.values.device is gpu.get_device()
    assert rs.state.read_cell("cnt:count") == 42


PATCH = make_patch(
    [
        blk("arr", "Array", count=10),
        blk("lag", "Lag", smoothing=0.5),
        blk("lay", "GridLayout"),
        blk("draw", "RenderInstances2D"),
    ],
    [
        edge("arr.t", "lag.target"),
        edge("arr.elements", "lay.elements"),
        edge("lay.position", "draw.pos"),
        edge("lag.out", "draw.size"),
    ],
)


def test_runtime_state_from_compiled_patch(device):
    import oscilla as osc

    if not hasattr(osc, "compile") or not hasattr(osc, "load_patch"):
        pytest.skip("oscilla.compile is not available yet")
    prog = osc.compile(osc.load_patch(PATCH))  # load_patch takes a dict (docs/language/python-api.md#load-patch)
    rs = create_runtime_state(prog, device)
    c = prog.state_layout.cell("lag:lag")
    assert c.lanes == 10
    v = rs.state.read_cell("lag:lag")
    assert v.shape == (10,)
    np.testing.assert_array_equal(v, np.zeros(10, np.float32))
