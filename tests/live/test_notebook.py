"""Inline display in Jupyter (oscilla/live/notebook.py, docs/guide/controls.md#notebooks): the static frame equals
render_png, examples/notebook.ipynb runs headless, the live canvas draws the runtime's frame, and a missing extra
is named."""

from __future__ import annotations

import asyncio
import base64
import builtins
import io

import numpy as np
import pytest
from support.paths import ROOT

import oscilla as osc
from oscilla.export.png import playback_times
from oscilla.live import notebook

pytestmark = pytest.mark.gpu

CONTROLS = ROOT / "examples" / "controls.json"


def _decode(png: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)))


def test_repr_png_is_the_frame_render_png_writes(tmp_path):
    with osc.Player(CONTROLS, watch=False, size=(160, 128)) as p:
        for t in playback_times(500, 30):  # the frames render_png steps on its way to 500 ms
            p.step(t)
        shown = _decode(p._repr_png_())
    expected = osc.render_png(CONTROLS, tmp_path / "f.png", t_ms=500, size=(160, 128), fps=30)
    assert shown.shape == (128, 160, 4)
    np.testing.assert_array_equal(shown, expected)


def test_a_compiled_program_shows_its_first_frame(tmp_path):
    program = osc.compile(osc.load_patch(CONTROLS))
    shown = _decode(notebook.program_png(program))
    np.testing.assert_array_equal(shown, osc.render_png(program, tmp_path / "f.png", t_ms=0, size=program.size))
    silent = osc.compile({"oscilla": 1, "blocks": [{"id": "time", "type": "InfiniteTimeRoot"}]})
    assert notebook.program_png(silent) is None  # no render sink: no picture (IPython shows the text repr)


def test_the_example_notebook_runs_headless_and_shows_the_static_frame(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    nb = nbformat.read(ROOT / "examples" / "notebook.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(ROOT / "examples")}}
    )
    client.execute()  # raises CellExecutionError on any error
    pngs = [
        _decode(base64.b64decode(o["data"]["image/png"]))
        for cell in nb.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "image/png" in o.get("data", {})
    ]
    assert len(pngs) == 3  # the player twice, the compiled program once
    first = osc.render_png(CONTROLS, tmp_path / "a.png", t_ms=0, size=(256, 256))
    np.testing.assert_array_equal(pngs[0], first)
    assert not np.array_equal(pngs[1], first)  # moved controls, a later frame
    spiral = ROOT / "examples" / "golden-spiral.json"
    np.testing.assert_array_equal(pngs[2], osc.render_png(spiral, tmp_path / "b.png", t_ms=0, size=(512, 512)))


def test_the_live_canvas_draws_the_runtime_frame():
    pytest.importorskip("jupyter_rfb")
    pytest.importorskip("ipywidgets")
    with osc.Player(CONTROLS, watch=False, size=(96, 96)) as p:
        p.step(0)
        view = p.show()
        canvas, widgets = view.children[0], view.children[1:]
        assert [type(w).__name__ for w in widgets] == ["FloatSlider"] * 3 + ["ToggleButton", "HBox"]
        widgets[0].value = 3.0  # dragging the Spin slider moves the control
        assert p.controls.get("spin") == 3.0
        canvas.handle_event({"event_type": "resize", "width": 96, "height": 96, "pixel_ratio": 1.0})

        async def one_frame():
            canvas.get_frame()  # what jupyter_rfb calls when the front end asks for a frame
            for _ in range(100):
                await asyncio.sleep(0.02)
                if canvas._last_image is not None:
                    return canvas._last_image
            return None

        image = asyncio.run(one_frame())
        assert image is not None and image.shape == (96, 96, 4)
        np.testing.assert_array_equal(image, p.render(96, 96))  # the frame the draw just ran
        assert p.runtime.channels["spin"] == 3.0  # the draw fed the moved control


def test_a_missing_extra_is_named(monkeypatch):
    real_import = builtins.__import__

    def no_rfb(name, *args, **kwargs):
        if name == "jupyter_rfb":
            raise ImportError("No module named 'jupyter_rfb'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_rfb)
    assert not notebook.live_available()
    with osc.Player(CONTROLS, watch=False, size=(32, 32)) as p:
        with pytest.raises(ImportError, match=r"jupyter_rfb: pip install 'oscilla\[live\]'"):
            p.show()
        assert p._repr_mimebundle_() is None  # outside a kernel, or without the extra: the PNG alone
