"""Image files at compile time (docs/language/rendering.md#images; oscilla/compiler/images.py, files.py):
where a path resolves, the folder-tree rule, and one coded diagnostic per unusable file. No GPU."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from PIL import Image
from support.builders import blk, edge, make_patch

import oscilla as osc
from oscilla.program import DeviceLimits

TEXELS = np.arange(4 * 4 * 4, dtype=np.uint8).reshape(4, 4, 4) * 3


def _write_png(path, texels=TEXELS):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(texels, "RGBA").save(path)
    return path


def _patch(image_path: str, **params) -> dict:
    return make_patch(
        [
            blk("arr", "Array", count=2),
            blk("lay", "LineLayout", x0=0.25, y0=0.5, x1=0.75, y1=0.5),
            blk("img", "Image", path=image_path, **params),
            blk("draw", "RenderInstances2D"),
        ],
        [edge("arr.elements", "lay.elements"), edge("lay.position", "draw.pos"), edge("img.shape", "draw.shape")],
    )


def _patch_file(folder, image_path: str, **params):
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / "patch.json"
    f.write_text(json.dumps(_patch(image_path, **params)))
    return f


def _error(source, **kw) -> osc.Diagnostic:
    with pytest.raises(osc.CompileError) as e:
        osc.compile(osc.load_patch(source), **kw)
    [d] = e.value.diagnostics
    return d


def test_a_relative_path_resolves_from_the_patch_file_and_carries_the_texels(tmp_path):
    _write_png(tmp_path / "art" / "tex.png")
    program = osc.compile(osc.load_patch(_patch_file(tmp_path, "art/tex.png", filter="nearest", grid=[2, 1])))
    [image] = program.images
    assert image.path == str((tmp_path / "art" / "tex.png").resolve())
    assert (image.width, image.height) == (4, 4)
    np.testing.assert_array_equal(image.texels(), TEXELS)
    [sink] = program.sinks
    assert (sink.image, sink.image_filter, sink.image_grid) == (0, "nearest", (2, 1))


def test_the_same_file_in_two_blocks_is_one_image(tmp_path):
    _write_png(tmp_path / "tex.png")
    patch = _patch("tex.png")
    patch["blocks"].append(blk("img2", "Image", path="./tex.png"))
    patch["blocks"].append(blk("draw2", "RenderInstances2D"))
    patch["edges"] += [edge("lay.position", "draw2.pos"), edge("img2.shape", "draw2.shape")]
    p = osc.Patch.from_dict(patch)
    p.base_dir = tmp_path
    program = osc.compile(p)
    assert len(program.images) == 1 and [s.image for s in program.sinks] == [0, 0]


def test_height_defaults_to_the_aspect_of_one_cell(tmp_path):
    _write_png(tmp_path / "wide.png", np.zeros((2, 8, 4), np.uint8))  # 8 x 2 pixels, grid 2 x 1: cells 4 x 2
    program = osc.compile(osc.load_patch(_patch_file(tmp_path, "wide.png", width=0.2, grid=[2, 1])), observe="all")
    rt = osc.ReferenceRuntime(program)
    rt.step(0.0)
    np.testing.assert_allclose(rt.read("img.shape"), [3.0, 0.2, 0.1, 0.0, 0.0], rtol=1e-6)


def test_jpeg_and_webp_load(tmp_path):
    rgb = np.zeros((8, 8, 3), np.uint8)
    rgb[:, 4:] = (200, 40, 90)
    for name in ("pic.jpg", "pic.webp"):
        Image.fromarray(rgb, "RGB").save(tmp_path / name, quality=95)
        [image] = osc.compile(osc.load_patch(_patch_file(tmp_path, name))).images
        texels = image.texels().astype(int)
        assert np.all(texels[..., 3] == 255)
        assert np.abs(texels[2:6, 6, :3] - (200, 40, 90)).max() <= 12, name  # lossy, away from the edge


def test_a_missing_file(tmp_path):
    d = _error(_patch_file(tmp_path, "nope.png"))
    assert (d.code, d.block, d.port) == ("E_FILE_NOT_FOUND", "img", "path")
    assert "nope.png" in d.message


def test_a_directory(tmp_path):
    (tmp_path / "folder.png").mkdir()
    d = _error(_patch_file(tmp_path, "folder.png"))
    assert (d.code, d.block, d.port) == ("E_FILE_NOT_FOUND", "img", "path")
    assert "a folder" in d.message


def test_an_image_wider_than_any_texture_is_refused_before_decoding(tmp_path):
    _write_png(tmp_path / "wide.png", np.zeros((1, 100_000, 4), np.uint8))
    d = _error(_patch_file(tmp_path, "wide.png"))
    assert (d.code, d.block, d.port) == ("E_LIMIT_EXCEEDED", "img", "path")
    assert "100000x1" in d.message and "8192" in d.message


def test_the_device_limit_applies_when_given(tmp_path):
    _write_png(tmp_path / "tex.png")
    f = _patch_file(tmp_path, "tex.png")
    d = _error(f, limits=DeviceLimits(max_storage_binding_bytes=1 << 27, max_texture_dimension_2d=3))
    assert d.code == "E_LIMIT_EXCEEDED" and "3 pixels" in d.message
    osc.compile(osc.load_patch(f), limits=DeviceLimits(max_storage_binding_bytes=1 << 27, max_texture_dimension_2d=4))


def test_the_runtime_limit_check_covers_images(tmp_path):
    _write_png(tmp_path / "tex.png")
    program = osc.compile(osc.load_patch(_patch_file(tmp_path, "tex.png")))
    [d] = program.limit_diagnostics(DeviceLimits(max_storage_binding_bytes=1 << 27, max_texture_dimension_2d=2))
    assert (d.code, d.block) == ("E_LIMIT_EXCEEDED", "draw")


def test_a_path_out_of_the_patch_folder_is_refused(tmp_path):
    d = _error(_patch_file(tmp_path / "a" / "b", "../../etc/passwd"))
    assert (d.code, d.block, d.port) == ("E_PATH_OUTSIDE_PATCH", "img", "path")
    d = _error(_patch_file(tmp_path, "/etc/passwd"))
    assert d.code == "E_PATH_OUTSIDE_PATCH"


def test_allow_paths_admits_a_folder_and_then_the_file_itself_is_checked(tmp_path):
    _write_png(tmp_path / "shared" / "tex.png")
    f = _patch_file(tmp_path / "patches", "../shared/tex.png")
    assert _error(f).code == "E_PATH_OUTSIDE_PATCH"
    assert len(osc.compile(osc.load_patch(f), allow_paths=[tmp_path / "shared"]).images) == 1
    d = _error(_patch_file(tmp_path, "/etc/passwd"), allow_paths=["/etc"])
    assert d.code == "E_FILE_UNREADABLE" and "not a PNG, JPEG or WebP" in d.message
    with pytest.raises(TypeError, match="list of folders"):
        osc.compile(osc.load_patch(f), allow_paths=str(tmp_path))


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")
def test_a_link_out_of_the_tree_is_refused(tmp_path):
    _write_png(tmp_path / "outside" / "tex.png")
    (tmp_path / "patch").mkdir()
    (tmp_path / "patch" / "link.png").symlink_to(tmp_path / "outside" / "tex.png")
    assert _error(_patch_file(tmp_path / "patch", "link.png")).code == "E_PATH_OUTSIDE_PATCH"


def test_not_an_image_and_a_damaged_image(tmp_path):
    (tmp_path / "notes.png").write_text("hello")
    assert _error(_patch_file(tmp_path, "notes.png")).code == "E_FILE_UNREADABLE"
    data = (_write_png(tmp_path / "cut.png", np.full((64, 64, 4), 7, np.uint8))).read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    assert _error(_patch_file(tmp_path, "cut.png")).code == "E_FILE_UNREADABLE"


def test_a_gif_is_not_read(tmp_path):
    Image.fromarray(np.zeros((4, 4), np.uint8)).save(tmp_path / "a.gif")
    assert _error(_patch_file(tmp_path, "a.gif")).code == "E_FILE_UNREADABLE"


def test_missing_path_and_bad_grid_are_param_errors(tmp_path, monkeypatch):
    _write_png(tmp_path / "tex.png")
    monkeypatch.chdir(tmp_path)
    p = _patch("tex.png")
    del p["blocks"][3]["params"]["path"]
    d = _error(p)
    assert (d.code, d.port) == ("E_PARAM_INVALID", "path")
    for grid in ([0, 2], [2], "2x2", [2.5, 1], [True, 1], [1, 5000]):
        d = _error(_patch("tex.png", grid=grid))
        assert (d.code, d.port) == ("E_PARAM_INVALID", "grid"), grid
    assert _error(_patch("tex.png", filter="cubic")).code == "E_PARAM_INVALID"


def test_a_patch_in_memory_resolves_from_the_current_directory(tmp_path, monkeypatch):
    _write_png(tmp_path / "tex.png")
    monkeypatch.chdir(tmp_path)
    assert len(osc.compile(_patch("tex.png")).images) == 1
    assert _error(_patch("../tex.png")).code == "E_PATH_OUTSIDE_PATCH"


def test_a_broken_image_that_reaches_no_sink_is_isolated(tmp_path):
    patch = _patch_file(tmp_path, "nope.png")
    data = json.loads(patch.read_text())
    data["edges"] = [e for e in data["edges"] if e["from"] != "img.shape"]
    patch.write_text(json.dumps(data))
    program = osc.compile(osc.load_patch(patch))
    codes = {(d.code, d.cause) for d in program.diagnostics}
    assert ("W_BLOCK_UNREACHABLE_ERROR", "E_FILE_NOT_FOUND") in codes


def test_a_per_lane_frame_of_another_instance_is_diagnosed(tmp_path):
    _write_png(tmp_path / "tex.png")
    patch = _patch("tex.png")
    patch["blocks"].append(blk("other", "Array", count=3))
    patch["edges"].append(edge("other.index", "img.frame"))
    p = osc.Patch.from_dict(patch)
    p.base_dir = tmp_path
    d = _error(p)
    assert (d.code, d.block, d.port) == ("E_INSTANCE_MISMATCH", "draw", "shape")


def test_inspect_lists_the_images(tmp_path):
    _write_png(tmp_path / "tex.png")
    text = osc.compile(osc.load_patch(_patch_file(tmp_path, "tex.png"))).inspect()
    assert f"images:\n  0: {(tmp_path / 'tex.png').resolve()} (4x4)" in text
