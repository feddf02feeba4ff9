"""The text overlay (oscilla/drawing/overlay.py): Pillow text in a translucent box, composited over a
target at the top-left corner, leaving the rest of the target as it was."""

import numpy as np
import pytest

from oscilla.drawing.overlay import BOX_RGBA, MARGIN_PX, TextOverlay, text_image


def test_text_image_is_white_text_on_a_translucent_box():
    img = text_image(["60 fps", "frame CPU 4.1 ms"])
    assert img.dtype == np.uint8 and img.shape[2] == 4
    assert tuple(img[0, 0]) == BOX_RGBA  # the box's corner
    assert img[..., 0].max() == 255  # white glyph pixels
    assert img.shape[0] > 2 * 14 and img.shape[1] > img.shape[0]  # two lines, wider than tall
    with pytest.raises(ValueError):
        text_image([])


@pytest.mark.gpu
def test_overlay_draws_over_the_corner_only(device):
    from oscilla.drawing.offscreen import OffscreenTarget

    target = OffscreenTarget(device, 200, 120)
    enc = device.create_command_encoder()
    grey = {"r": 0.5, "g": 0.5, "b": 0.5, "a": 1.0}
    enc.begin_render_pass(
        color_attachments=[{"view": target.view, "clear_value": grey, "load_op": "clear", "store_op": "store"}]
    ).end()
    hud = TextOverlay(device, target.format)
    hud.set_text(["oscilla", "60 fps"])
    hud.encode(enc, target.view)
    device.queue.submit([enc.finish()])
    out = target.read()
    h, w = hud.shape
    box = out[MARGIN_PX : MARGIN_PX + h, MARGIN_PX : MARGIN_PX + w, :3].astype(int)
    # the box's corner: grey 128 under black at alpha 170/255 -> 128 * 85 / 255
    assert abs(int(out[MARGIN_PX, MARGIN_PX, 0]) - round(128 * 85 / 255)) <= 2
    assert box.max() > 200  # the text
    rest = out.copy()
    rest[MARGIN_PX : MARGIN_PX + h, MARGIN_PX : MARGIN_PX + w] = (128, 128, 128, 255)
    assert (np.abs(rest.astype(int) - np.array([128, 128, 128, 255])) <= 1).all()  # untouched elsewhere
    hud.release()
    target.release()
